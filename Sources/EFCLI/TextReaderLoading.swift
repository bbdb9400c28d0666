// Loads a text-reading (OCR) model folder for the photo verbs and serve-ml: detector,
// recognizer and (when the folder has one) direction classifier compiled per input shape on
// first use, beside their ONNX files.

import ArgumentParser
import EFCore
import EFVision
import Foundation

enum TextReaderLoading {
    /// The folder's reader; each input shape it meets is compiled on first use.
    /// - Parameters:
    ///   - batchSize: crops per recognizer batch; nil: `MACHINE_LEARNING_MAX_BATCH_SIZE__OCR`, else 6.
    ///   - log: receives one line per model compiled.
    static func load(_ folder: TextReaderFolder, batchSize: Int? = nil,
                     log: @escaping @Sendable (String) -> Void) throws -> TextReader {
        let detection = ShapedModels { shape in
            try FolderModelCompiling.executable(onnx: folder.detectionONNX,
                                                efx: folder.detectionExecutable(width: shape[3], height: shape[2]),
                                                inputShape: shape, log: log)
        }
        let recognition = ShapedModels { shape in
            try FolderModelCompiling.executable(onnx: folder.recognitionONNX,
                                                efx: folder.recognitionExecutable(width: shape[3]),
                                                inputShape: shape, log: log)
        }
        let direction = try folder.directionONNX.map { onnx in
            try TextDirectionClassifier(model: ShapedModels { shape in
                try FolderModelCompiling.executable(onnx: onnx, efx: folder.directionExecutable, inputShape: shape,
                                                    log: log)
            })
        }
        return try TextReader(detection: detection, recognition: recognition, direction: direction,
                              maxResolution: folder.maxResolution, batchSize: batchSize ?? environmentBatchSize())
    }

    /// Immich's `MACHINE_LEARNING_MAX_BATCH_SIZE__OCR` (1…256), else 6.
    static func environmentBatchSize() -> Int {
        let value = ProcessInfo.processInfo.environment["MACHINE_LEARNING_MAX_BATCH_SIZE__OCR"].flatMap { Int($0) }
        return value.map { min(max($0, 1), 256) } ?? 6
    }

    /// The default text-reading folder: PP-OCRv4, else PP-OCRv5_mobile (what `models pull`
    /// fetches), under $EDGEFLOW_MODELS, else under ~/.cache/edgeflow/models, when it holds both models.
    static func defaultFolder() -> String? {
        FolderModelCompiling.modelRoots.flatMap { root in
            ["PP-OCRv4", "PP-OCRv5_mobile"].map { (root as NSString).appendingPathComponent($0) }
        }.first { folder in
            ["detection", "recognition"].allSatisfy {
                FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("\($0)/model.onnx"))
            }
        }
    }
}

/// The text-reading options of `photos index`.
struct TextReaderOptions: ParsableArguments {
    @Option(name: .customLong("ocr"),
            help: ArgumentHelp("A text-reading model folder (detection/ and recognition/ PP-OCR models).",
                               valueName: "dir"))
    var folder: String?

    @Flag(name: .customLong("no-ocr"), help: "Do not read the text in the photos.")
    var disabled = false

    @Option(name: .customLong("ocr-resolution"),
            help: ArgumentHelp("The text detector's shorter side, never enlarged (multiple of 32, 32…4096).",
                               valueName: "pixels"))
    var resolution = 736

    func validate() throws {
        if !(32...4096).contains(resolution) || resolution % 32 != 0 {
            throw ValidationError("--ocr-resolution must be a multiple of 32 in 32…4096")
        }
        if disabled && folder != nil { throw ValidationError("--ocr and --no-ocr exclude each other") }
    }

    /// The reader to use, as its name and a function making it (on the thread that will read
    /// text), or nil when disabled or none is installed. Loads it once now (compiling what it
    /// needs), so a bad folder fails here, before any photo is read.
    func loader() throws -> (name: String, load: @Sendable () throws -> TextReader)? {
        guard !disabled, let path = folder ?? TextReaderLoading.defaultFolder() else { return nil }
        let folder = try TextReaderFolder(url: CommandSupport.url(path), maxResolution: resolution)
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("note: " + $0 + "\n").utf8)) }
        _ = try TextReaderLoading.load(folder, log: log)
        return (folder.readerName, { try TextReaderLoading.load(folder, log: log) })
    }
}

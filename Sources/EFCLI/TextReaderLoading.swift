// Loads a text-reading (OCR) model folder for the photo verbs: the detector compiled for a
// square input of the chosen side, the recognizer for 48×320 lines, both beside their ONNX files.

import ArgumentParser
import EFCore
import EFVision
import Foundation

enum TextReaderLoading {
    /// The folder's reader, compiling the models when needed.
    /// - Parameter log: receives one line per model compiled.
    static func load(_ folder: TextReaderFolder, log: (String) -> Void) throws -> TextReader {
        let side = folder.detectionSide
        let detection = try FolderModelCompiling.executable(onnx: folder.detectionONNX, efx: folder.detectionExecutable,
                                                            inputShape: [1, 3, side, side], log: log)
        let recognition = try FolderModelCompiling.executable(
            onnx: folder.recognitionONNX, efx: folder.recognitionExecutable,
            inputShape: [1, 3, 48, folder.recognitionWidth], log: log)
        return try TextReader(detection: detection, recognition: recognition)
    }

    /// The default text-reading folder: PP-OCRv4 under $EDGEFLOW_MODELS, else under
    /// ~/.cache/edgeflow/models, when it holds both models.
    static func defaultFolder() -> String? {
        FolderModelCompiling.modelRoots.map { ($0 as NSString).appendingPathComponent("PP-OCRv4") }
            .first { FileManager.default.fileExists(atPath: ($0 as NSString)
                                                        .appendingPathComponent("recognition/model.onnx")) }
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
            help: ArgumentHelp("Side of the square the text detector sees (multiple of 32, 32…4096).",
                               valueName: "pixels"))
    var resolution = 736

    func validate() throws {
        if !(32...4096).contains(resolution) || resolution % 32 != 0 {
            throw ValidationError("--ocr-resolution must be a multiple of 32 in 32…4096")
        }
        if disabled && folder != nil { throw ValidationError("--ocr and --no-ocr exclude each other") }
    }

    /// The reader to use (loading and compiling it), or nil when disabled or none is installed.
    func load() throws -> (name: String, reader: TextReader)? {
        guard !disabled, let path = folder ?? TextReaderLoading.defaultFolder() else { return nil }
        let folder = try TextReaderFolder(url: CommandSupport.url(path), detectionSide: resolution)
        let reader = try TextReaderLoading.load(folder) {
            FileHandle.standardError.write(Data(("note: " + $0 + "\n").utf8))
        }
        return (folder.readerName, reader)
    }
}

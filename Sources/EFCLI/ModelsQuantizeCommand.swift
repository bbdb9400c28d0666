// `edgeflow models quantize`: an int8 tower for a CLIP model folder. The text tower (default)
// makes text queries faster: calibrated on short search-like texts tokenized as queries are, it
// leaves the stored image vectors alone (the library's model fingerprint stays the same). The
// image tower (--tower visual, calibrated on the user's photos) makes indexing faster; its
// vectors are a model of their own ("NAME+int8"), so the next `photos index` embeds every photo
// again beside the fp32 vectors. Either is checked on held-out inputs against the fp32 tower
// and written (textual/ or visual/model.int8.efx) only when the embeddings agree.

import ArgumentParser
import EFCore
import EFQuantize
import EFCompiler
import EFSearch
import EdgeflowRuntime
import Foundation

struct ModelsQuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Make an int8 text or image tower for a CLIP model folder (faster queries or indexing).",
        discussion: """
            The text tower (textual/model.onnx, the default) is quantized with Edgeflow's int8 \
            defaults, calibrated on 48 built-in search-like texts (or --captions FILE, one text per \
            line), and checked on 16 held-out texts. Passing, it becomes textual/model.int8.efx, which \
            `photos search`, `photos serve`, `photos index` and `serve-ml` use for text queries from \
            then on. Image vectors are not affected.

            The image tower (--tower visual) needs --calib-set: a folder of photos like those you \
            index (up to 80 are read; a quarter of them, at most 16, are held out for the check). \
            Passing, it becomes visual/model.int8.efx, which `photos index` then embeds photos with: \
            its vectors are stored as the model NAME+int8, apart from the fp32 ones, so the next \
            index run embeds every photo again, and search uses the same tower's vectors. \
            `serve-ml` keeps the fp32 image tower (Immich stores the vectors it gets).

            A tower passes when every held-out cosine with the fp32 tower's embedding is at least \
            --min-cosine (0.995 for text, 0.99 for images); otherwise nothing is written and the \
            command says how close it came. Delete the .int8.efx file to go back to fp32.

            Examples:
              edgeflow models quantize ViT-B-32__openai
              edgeflow models quantize ./models/ViT-B-32__openai --captions my-queries.txt --json
              edgeflow models quantize ViT-B-32__openai --tower visual --calib-set ~/Pictures/2024
            """)

    enum Tower: String, ExpressibleByArgument, CaseIterable {
        case text, visual

        /// What its calibration and held-out samples are, for messages.
        var unit: String { self == .text ? "texts" : "photos" }
    }

    @Argument(help: ArgumentHelp("A model name in the models folder, or a model folder's path "
                                    + "(default: ViT-B-32__openai).", valueName: "name|dir"))
    var model: String?

    @OptionGroup var location: ModelsDirectoryOption

    @Option(help: "The tower to quantize: text or visual.")
    var tower: Tower = .text

    @Option(help: ArgumentHelp("Calibration texts for the text tower, one per line (at most 10,000 lines of "
                                + "1,000 characters).", valueName: "file"))
    var captions: String?

    @Option(name: .customLong("calib-set"),
            help: ArgumentHelp("Photos to calibrate the image tower on (a folder, walked recursively).",
                               valueName: "dir"))
    var calibSet: String?

    @Option(help: ArgumentHelp("The least held-out cosine accepted, 0…1 (default 0.995 text, 0.99 visual).",
                               valueName: "c"))
    var minCosine: Float?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    /// The least held-out cosine accepted by default: the target for a CLIP text tower;
    /// for images the level of published int8 CLIP image towers (TinyCLIP's held-out minimum was 0.994).
    static func defaultMinimumCosine(_ tower: Tower) -> Float { tower == .text ? 0.995 : 0.99 }

    private struct Report: Encodable {
        var folder: String
        var tower: String
        var calibrationSamples: Int
        var heldOutSamples: Int
        var skippedFiles: [String]
        var int8Layers: Int
        var floatLayers: Int
        var minimumCosine: Float
        var cosineMin: Float
        var cosineMean: Float
        var fp32Milliseconds: Double
        var int8Milliseconds: Double
        /// The executable written, or nil when the check failed.
        var written: String?
    }

    func validate() throws {
        if let minCosine, !(0...1).contains(minCosine) {
            throw ValidationError("--min-cosine must be between 0 and 1, not \(minCosine)")
        }
        switch tower {
        case .text where calibSet != nil:
            throw ValidationError("--calib-set is for --tower visual; the text tower calibrates on --captions")
        case .visual where captions != nil:
            throw ValidationError("--captions is for the text tower; the image tower calibrates on --calib-set")
        case .visual where calibSet == nil:
            throw ValidationError("--tower visual needs --calib-set DIR: photos like those you index")
        default: break
        }
    }

    func run() throws {
        try CommandSupport.run {
            let folderPath = try resolvedFolder()
            let fp32 = try CLIPFolderLoading.load(folderPath, int8Text: false, int8Visual: false) {
                FileHandle.standardError.write(Data(("note: " + $0 + "\n").utf8))
            }
            let calibration = switch tower {
            case .text: try TowerCalibration.text(fp32, texts: try captions.map(Self.readCaptions)
                                                    ?? CLIPCaptions.calibration)
            case .visual: try TowerCalibration.visual(fp32, photos: CommandSupport.url(calibSet!),
                                                      budget: RunMemory.budget(nil))
            }
            for skipped in calibration.skipped {
                FileHandle.standardError.write(Data("warning: skipped \(skipped.file): \(skipped.reason)\n".utf8))
            }
            let summary = try quantize(calibration, folder: fp32.folder)
            if json { try CommandSupport.printJSON(summary) } else { describe(summary) }
            if summary.written == nil {
                throw EdgeflowError(.invalidModel, "the int8 \(tower) tower's held-out cosine "
                                        + String(format: "%.5f", summary.cosineMin) + " is below "
                                        + "\(summary.minimumCosine); nothing was written",
                                    hint: tower == .text ? "give --captions with texts like your queries, or keep "
                                        + "the fp32 tower" : "give more photos like those you index, or keep the "
                                        + "fp32 tower")
            }
        }
    }

    /// Quantizes the tower, checks it on the held-out inputs and moves it into place when it passes.
    private func quantize(_ calibration: TowerCalibration, folder: CLIPFolder) throws -> Report {
        let (graph, metadata) = try FolderModelCompiling.optimizedGraph(onnx: calibration.onnx)
        var options = QuantizerOptions()
        options.equalization = QuantizationSettings.defaults.equalization
        let calibrating = ProgressLine("calibrating", unit: tower.unit)
        options.progress = calibrating.update
        let (quantized, report) = try Quantizer.quantize(graph, samples: calibration.calibration, options)
        let target = calibration.target
        let staging = target.deletingLastPathComponent()
            .appendingPathComponent(".model.int8.efx.\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: staging) }
        try FolderModelCompiling.writeExecutable(try ModelPipeline.optimize(quantized).graph, metadata: metadata,
                                                 to: staging)
        let int8 = try EdgeflowModel(contentsOf: staging)
        let check = try TowerCheck.compare(fp32: calibration.fp32, int8: int8, inputs: calibration.heldOut)
        let minimum = minCosine ?? Self.defaultMinimumCosine(tower)
        var written: String?
        if check.cosines.min()! >= minimum {
            _ = try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: staging, to: target)
            written = target.path
        }
        return Report(folder: folder.url.path, tower: tower.rawValue, calibrationSamples: calibration.calibration.count,
                      heldOutSamples: check.cosines.count, skippedFiles: calibration.skipped.map(\.file),
                      int8Layers: report.quantizedCount, floatLayers: report.layers.count - report.quantizedCount,
                      minimumCosine: minimum, cosineMin: check.cosines.min()!,
                      cosineMean: check.cosines.reduce(0, +) / Float(check.cosines.count),
                      fp32Milliseconds: check.fp32Milliseconds, int8Milliseconds: check.int8Milliseconds,
                      written: written)
    }

    private func describe(_ summary: Report) {
        print("\(summary.int8Layers) layers in int8, \(summary.floatLayers) in float; "
              + "calibrated on \(summary.calibrationSamples) \(tower.unit)")
        print(String(format: "held-out cosine with fp32: min %.5f, mean %.5f", summary.cosineMin, summary.cosineMean)
              + " (\(summary.heldOutSamples) \(tower.unit))")
        print("\(tower.rawValue) tower: " + String(format: "%.1f ms fp32 → %.1f ms int8", summary.fp32Milliseconds,
                                                    summary.int8Milliseconds) + " (median of 10, this machine)")
        if let written = summary.written { print("wrote \(written)") }
    }

    /// The folder to quantize: a path, a name under the models folder, or the default model.
    private func resolvedFolder() throws -> String {
        guard let model else {
            guard let folder = CLIPFolderLoading.defaultFolder() else {
                throw EdgeflowError(.invalidArgument, "no model given and no ViT-B-32__openai in the models folder",
                                    hint: "edgeflow models pull ViT-B-32__openai, or give a model folder")
            }
            return folder
        }
        if FileManager.default.fileExists(atPath: model) { return model }
        let named = location.url.appendingPathComponent(model).path
        guard !model.contains("/"), FileManager.default.fileExists(atPath: named) else {
            throw EdgeflowError(.invalidArgument, "\(model) is neither a folder nor a model in \(location.url.path)",
                                hint: "edgeflow models list shows the models there")
        }
        return named
    }

    /// The non-empty lines of `path`.
    /// - Throws: `EdgeflowError.invalidInput` for an unreadable or empty file, or one over the limits.
    static func readCaptions(_ path: String) throws -> [String] {
        let url = CommandSupport.url(path)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size else { throw EdgeflowError(.io, "cannot read the captions file \(path)") }
        guard size <= 10_000 * 1_001 else {
            throw EdgeflowError(.invalidInput, "\(path) is \(size) bytes; at most 10,000 lines of 1,000 characters")
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw EdgeflowError(.invalidInput, "\(path) is not UTF-8 text")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw EdgeflowError(.invalidInput, "\(path) holds no text (one per line)") }
        if let long = lines.firstIndex(where: { $0.count > 1_000 }) {
            throw EdgeflowError(.invalidInput, "\(path): text \(long + 1) is over 1,000 characters")
        }
        return lines
    }
}

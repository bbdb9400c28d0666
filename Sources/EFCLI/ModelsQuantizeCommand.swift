// `edgeflow models quantize`: an int8 text tower for a CLIP model folder, so a text query spends
// less time embedding. Calibrates on short search-like texts tokenized as queries are, checks the
// result on held-out texts against the fp32 tower, and writes textual/model.int8.efx only when
// the embeddings agree (cosine ≥ 0.995); the photo verbs then use it for queries. The stored
// image vectors are untouched (the library's model fingerprint stays the same).

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
        abstract: "Make an int8 text tower for a CLIP model folder (faster text queries).",
        discussion: """
            Quantizes the text tower (textual/model.onnx) with Edgeflow's int8 defaults, calibrated on \
            48 built-in search-like texts (or --captions FILE, one text per line), then embeds 16 \
            held-out texts with both towers. When every held-out cosine is at least 0.995 it writes \
            textual/model.int8.efx, which `photos search`, `photos serve`, `photos index` and \
            `serve-ml` use for text queries from then on (delete the file to go back to fp32); otherwise it writes \
            nothing and says how close it came. Image embeddings are not affected.

            Examples:
              edgeflow models quantize ViT-B-32__openai
              edgeflow models quantize ./models/ViT-B-32__openai --captions my-queries.txt --json
            """)

    @Argument(help: ArgumentHelp("A model name in the models folder, or a model folder's path "
                                    + "(default: ViT-B-32__openai).", valueName: "name|dir"))
    var model: String?

    @OptionGroup var location: ModelsDirectoryOption

    @Option(help: ArgumentHelp("Calibration texts, one per line (at most 10,000 lines of 1,000 characters).",
                               valueName: "file"))
    var captions: String?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    /// The least held-out cosine accepted (the target for a CLIP text tower).
    static let minimumCosine: Float = 0.995

    private struct Report: Encodable {
        var folder: String
        var calibrationTexts: Int
        var heldOutTexts: Int
        var int8Layers: Int
        var floatLayers: Int
        var cosineMin: Float
        var cosineMean: Float
        var fp32Milliseconds: Double
        var int8Milliseconds: Double
        /// The executable written, or nil when the check failed.
        var written: String?
    }

    func run() throws {
        try CommandSupport.run {
            let folderPath = try resolvedFolder()
            let fp32 = try CLIPFolderLoading.load(folderPath, int8Text: false) {
                FileHandle.standardError.write(Data(("note: " + $0 + "\n").utf8))
            }
            guard let textual = fp32.textual else {
                throw EdgeflowError(.invalidModel, "\(folderPath) has no text tower (textual/model.onnx) to quantize")
            }
            let texts = try captions.map(Self.readCaptions) ?? CLIPCaptions.calibration
            let inputName = textual.inputs[0].name
            let samples = try texts.map { [inputName: try fp32.textTensor($0).tensor] }
            let (graph, metadata) = try FolderModelCompiling.optimizedGraph(onnx: fp32.folder.textualONNX)
            var options = QuantizerOptions()
            options.equalization = QuantizationSettings.defaults.equalization
            let calibrating = ProgressLine("calibrating", unit: "texts")
            options.progress = calibrating.update
            let (quantized, report) = try Quantizer.quantize(graph, samples: samples, options)
            let target = fp32.folder.textualInt8Executable
            let staging = target.deletingLastPathComponent()
                .appendingPathComponent(".model.int8.efx.\(ProcessInfo.processInfo.processIdentifier)")
            defer { try? FileManager.default.removeItem(at: staging) }
            try FolderModelCompiling.writeExecutable(try ModelPipeline.optimize(quantized).graph, metadata: metadata,
                                                     to: staging)
            let int8 = try EdgeflowModel(contentsOf: staging)
            let check = try TextTowerCheck.compare(fp32: textual, int8: int8, model: fp32, texts: CLIPCaptions.heldOut)
            var written: String?
            if check.cosines.min()! >= Self.minimumCosine {
                _ = try? FileManager.default.removeItem(at: target)
                try FileManager.default.moveItem(at: staging, to: target)
                written = target.path
            }
            let summary = Report(folder: fp32.folder.url.path, calibrationTexts: texts.count,
                                 heldOutTexts: check.cosines.count, int8Layers: report.quantizedCount,
                                 floatLayers: report.layers.count - report.quantizedCount,
                                 cosineMin: check.cosines.min()!,
                                 cosineMean: check.cosines.reduce(0, +) / Float(check.cosines.count),
                                 fp32Milliseconds: check.fp32Milliseconds, int8Milliseconds: check.int8Milliseconds,
                                 written: written)
            if json { try CommandSupport.printJSON(summary) } else { describe(summary) }
            if written == nil {
                throw EdgeflowError(.invalidModel, "the int8 text tower's held-out cosine "
                                        + String(format: "%.5f", summary.cosineMin) + " is below "
                                        + "\(Self.minimumCosine); nothing was written",
                                    hint: "give --captions with texts like your queries, or keep the fp32 tower")
            }
        }
    }

    private func describe(_ summary: Report) {
        print("\(summary.int8Layers) matMul layers in int8, \(summary.floatLayers) in float; "
              + "calibrated on \(summary.calibrationTexts) texts")
        print(String(format: "held-out cosine with fp32: min %.5f, mean %.5f (%d texts)", summary.cosineMin,
                     summary.cosineMean, summary.heldOutTexts))
        print(String(format: "text tower: %.1f ms fp32 → %.1f ms int8 (median of 10, this machine)",
                     summary.fp32Milliseconds, summary.int8Milliseconds))
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

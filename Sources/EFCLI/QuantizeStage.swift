// The quantized stage of `edgeflow optimize --calib-set`: loads the calibration set (photos
// through a recipe, or arrays), runs the quantizer with a progress line, records what it did in
// the archive's metadata, and describes the result for people and for --json.

import EFArchive
import EFCore
import EFIR
import EFMedia
import EFQuantize
import Foundation

/// Inputs of the quantized stage as the command line gives them.
struct QuantizeRequest {
    var calibrationSet: URL
    var sampleLimit: Int
    var recipe: PreprocessRecipe?
    var options: QuantizerOptions
    var budget: MemoryBudget
    var modelScript: String?
}

/// The result for people and scripts.
struct QuantizeSummary: Encodable {
    var samples: Int
    var skippedFiles: [String]
    var quantizedLayers: Int
    var floatLayers: [String: String]
    var nonFiniteValues: [String]
    var layers: [LayerDecision]
}

enum QuantizeStage {
    /// Metadata keys of a quantized archive.
    static let reportKey = "edgeflow.quantization.report"
    static let scriptKey = "edgeflow.quantization.model_script"

    /// Quantizes the fp-optimized `graph`.
    /// - Throws: `EdgeflowError.invalidInput` for an unusable calibration set, the quantizer's errors.
    static func run(_ graph: Graph, _ request: QuantizeRequest) throws -> (Graph, QuantizeSummary) {
        let inputs = try graph.inputs.map { CalibrationInput(name: $0, dtype: try graph.type(of: $0).dtype,
                                                               shape: try graph.type(of: $0).shape) }
        let loading = ProgressLine("reading calibration set", unit: "files")
        let set = try CalibrationSet.load(from: request.calibrationSet, inputs: inputs, recipe: request.recipe,
                                          limit: request.sampleLimit, budgetBytes: request.budget.limitBytes,
                                          progress: loading.update)
        for skipped in set.skipped {
            FileHandle.standardError.write(Data("warning: skipped \(skipped.file): \(skipped.reason)\n".utf8))
        }
        var options = request.options
        let calibrating = ProgressLine("calibrating", unit: "samples")
        options.progress = calibrating.update
        var (quantized, report) = try Quantizer.quantize(graph, samples: set.samples, options)
        quantized.metadata[reportKey] = String(decoding: try ReadableJSON.encode(report), as: UTF8.self)
        if let script = request.modelScript { quantized.metadata[scriptKey] = script }
        let floats = report.layers.filter { $0.precision == .float }
        let summary = QuantizeSummary(samples: report.samples, skippedFiles: set.skipped.map(\.file),
                                      quantizedLayers: report.quantizedCount,
                                      floatLayers: Dictionary(floats.map { ($0.layer, $0.reason) },
                                                              uniquingKeysWith: { a, _ in a }),
                                      nonFiniteValues: report.nonFiniteValues, layers: report.layers)
        return (quantized, summary)
    }

    /// Lines for people: counts, then every layer kept in float with its reason.
    static func describe(_ summary: QuantizeSummary) -> [String] {
        var lines = ["calibrated on \(summary.samples) sample(s)"
            + (summary.skippedFiles.isEmpty ? "" : ", \(summary.skippedFiles.count) file(s) skipped"),
                     "\(summary.quantizedLayers) of \(summary.layers.count) conv/matMul layers in int8 (a8_w8)"]
        for layer in summary.layers where layer.precision == .float {
            lines.append("  float: \(layer.layer) (\(layer.op)): \(layer.reason)")
        }
        if !summary.nonFiniteValues.isEmpty {
            lines.append("  non-finite calibration range (kept in float): "
                + summary.nonFiniteValues.prefix(8).joined(separator: ", ")
                + (summary.nonFiniteValues.count > 8 ? ", …" : ""))
        }
        return lines
    }
}

// The quantized stage of `edgeflow optimize --calib-set`: loads the calibration set (photos
// through a recipe, or arrays), runs the quantizer with a progress line, records what it did in
// the archive's metadata, and describes the result for people and for --json.

import EFArchive
import EFCore
import EFIR
import EFMedia
import EFQuantize
import EFTransforms
import Foundation

/// Inputs of the quantized stage as the command line gives them.
struct QuantizeRequest {
    var calibrationSet: URL
    var sampleLimit: Int
    var recipe: PreprocessRecipe?
    var options: QuantizerOptions
    var budget: MemoryBudget
    var modelScript: String?
    /// The YUV conversion in front of the graph's input, if any (photos are encoded to it).
    var yuv: YUVConversion?
}

/// The result for people and scripts.
struct QuantizeSummary: Encodable {
    var samples: Int
    var skippedFiles: [String]
    var quantizedLayers: Int
    /// Layers in a16_w8.
    var wideLayers: Int
    /// Layers in bf16 (float layers whose products round to bfloat16).
    var bfloat16Layers: Int
    var floatLayers: [String: String]
    var nonFiniteValues: [String]
    var layers: [LayerDecision]
    var sensitivity: SensitivityResult?
    /// The range estimator and the algorithms applied (equalized pairs, smoothed matMuls).
    var algorithms: AppliedAlgorithms
    /// What the model script asked that this release does not apply.
    var notes: [String] = []
}

enum QuantizeStage {
    /// Metadata keys of a quantized archive.
    static let scriptKey = "edgeflow.quantization.model_script"

    /// Quantizes the fp-optimized `graph`.
    /// - Throws: `EdgeflowError.invalidInput` for an unusable calibration set, the quantizer's errors.
    static func run(_ graph: Graph, _ request: QuantizeRequest) throws -> (Graph, QuantizeSummary) {
        let inputs = try graph.inputs.map { CalibrationInput(name: $0, dtype: try graph.type(of: $0).dtype,
                                                               shape: try graph.type(of: $0).shape, yuv: request.yuv) }
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
        options.searchProgress = { FileHandle.standardError.write(Data("mixed precision: \($0)\n".utf8)) }
        options.measureSpeedCost = true
        var (quantized, report) = try Quantizer.quantize(graph, samples: set.samples, options)
        let reportJSON = try ReadableJSON.encode(report)
        quantized.metadata[QuantizationReport.metadataKey] = String(decoding: reportJSON, as: UTF8.self)
        if let script = request.modelScript { quantized.metadata[scriptKey] = script }
        let floats = report.layers.filter { $0.precision == .float }
        let summary = QuantizeSummary(samples: report.samples, skippedFiles: set.skipped.map(\.file),
                                      quantizedLayers: report.quantizedCount, wideLayers: report.wideCount,
                                      bfloat16Layers: report.bfloat16Count,
                                      floatLayers: Dictionary(floats.map { ($0.layer, $0.reason) },
                                                              uniquingKeysWith: { a, _ in a }),
                                      nonFiniteValues: report.nonFiniteValues, layers: report.layers,
                                      sensitivity: report.sensitivity, algorithms: report.algorithms)
        return (quantized, summary)
    }

    /// Lines for people: counts, then every layer kept in float with its reason.
    static func describe(_ summary: QuantizeSummary) -> [String] {
        var lines = ["calibrated on \(summary.samples) sample(s)"
            + (summary.skippedFiles.isEmpty ? "" : ", \(summary.skippedFiles.count) file(s) skipped"),
                     "\(summary.quantizedLayers) of \(summary.layers.count) conv/matMul layers in int8 (a8_w8)"
                        + (summary.wideLayers > 0 ? ", \(summary.wideLayers) in a16_w8" : "")
                        + (summary.bfloat16Layers > 0 ? ", \(summary.bfloat16Layers) in bf16" : "")]
        let algorithms = summary.algorithms
        lines.append("ranges: \(algorithms.rangeEstimator)" + (algorithms.clippedValues.isEmpty ? ""
            : ", \(algorithms.clippedValues.count) value(s) by activation_clipping rules"))
        if !algorithms.equalizedPairs.isEmpty {
            lines.append("cross-layer equalization: \(algorithms.equalizedPairs.count) conv pair(s)")
        }
        if let alpha = algorithms.smoothQuantAlpha {
            lines.append("smooth_quant (alpha \(alpha)): \(algorithms.smoothedMatMuls.count) matMul(s) smoothed")
        }
        for layer in summary.layers where layer.precision == .float || layer.precision == .bf16 {
            lines.append("  \(layer.precision.rawValue): \(layer.layer) (\(layer.op)): \(layer.reason)")
        }
        if let search = summary.sensitivity {
            func count(_ precision: LayerPrecision) -> Int {
                search.promoted.filter { $0.precision == precision }.count
            }
            lines.append(String(format: "mixed precision: output cosine %.4f → %.4f (target %.4f) on %d held-back "
                + "sample(s); %d layer(s) to a16_w8 (%.1f%% of the int8 MACs), ",
                search.cosineBefore, search.cosineAfter, search.targetCosine, search.heldBackSamples,
                count(.a16w8), (search.wideMACShare ?? 0) * 100)
                + (count(.bf16) > 0 ? String(format: "%d to bf16 (%.1f%%), ", count(.bf16),
                                             (search.bfloat16MACShare ?? 0) * 100) : "")
                + String(format: "%d back to float (%.1f%%)", count(.float), search.promotedMACShare * 100))
            if let cost = search.speedCost {
                lines.append(String(format: "  speed on this CPU: %.1f ms with every eligible layer in int8, %.1f ms "
                    + "with these promotions (%.2f× the time; median of %d runs each)", cost.int8Milliseconds,
                    cost.mixedMilliseconds, cost.ratio, cost.runs))
            } else if let note = search.speedCostNote {
                lines.append("  speed on this CPU: not measured (\(note))")
            }
        }
        if !summary.nonFiniteValues.isEmpty {
            lines.append("  non-finite calibration range (kept in float): "
                + summary.nonFiniteValues.prefix(8).joined(separator: ", ")
                + (summary.nonFiniteValues.count > 8 ? ", …" : ""))
        }
        return lines
    }
}

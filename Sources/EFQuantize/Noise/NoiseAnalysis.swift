// The per-layer noise analysis of a quantized graph against its float original on data samples:
// both graphs run with every int8 layer's output made an extra graph output (accumulated noise at
// each layer, the whole model in int8), then, per layer, the float graph with only that layer in
// int8 (Int8Rewrite with one choice, as the sensitivity search does) is compared at the model
// outputs (sensitivity). Definitions and formulas: docs/noise-analysis.md.

import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFRuntime
import Foundation

/// The phases the analysis reports progress in.
public enum NoisePhase: String, Sendable {
    /// Both whole models on every sample.
    case accumulated
    /// One model per int8 layer, on every sample.
    case sensitivity
}

/// How to analyze.
public struct NoiseAnalysisOptions {
    /// The model's name on the page.
    public var model: String
    /// Where the samples came from (shown on the page).
    public var dataSource: String
    /// Memory the tensors kept during the analysis may take.
    public var budget: MemoryBudget
    /// Pairs of (x_fp, x̂) kept per layer for the scatter plot (0…100000).
    public var pointsPerLayer: Int
    /// Called with (phase, done, total) after each sample (accumulated) or layer (sensitivity).
    public var progress: ((NoisePhase, Int, Int) -> Void)?

    public init(model: String, dataSource: String = "", budget: MemoryBudget, pointsPerLayer: Int = 240,
                progress: ((NoisePhase, Int, Int) -> Void)? = nil) {
        self.model = model
        self.dataSource = dataSource
        self.budget = budget
        self.pointsPerLayer = pointsPerLayer
        self.progress = progress
    }
}

/// Measures how much noise each int8 layer of a quantized graph carries and causes.
public enum NoiseAnalysis {
    /// SNRs are clamped to ±140 dB (Hailo's snr_cap): identical tensors give +140.
    public static let snrCap = 140.0
    /// Layers below 10 dB are flagged.
    public static let flagBelow = 10.0

    /// 10·log10(signal / noise), clamped to ±`snrCap`; +cap when the noise is 0, −cap when only
    /// the signal is.
    public static func decibels(signal: Double, noise: Double) -> Double {
        guard noise > 0 else { return snrCap }
        guard signal > 0 else { return -snrCap }
        return min(snrCap, max(-snrCap, 10 * log10(signal / noise)))
    }

    /// Analyzes `quantized` against `float` on `samples`.
    /// - Parameters:
    ///   - quantized: stage `.quantized`, with the quantization report in its metadata.
    ///   - float: the fp-optimized graph `quantized` was made from (same inputs and outputs).
    ///   - samples: one tensor per input each, typed as the inputs (at least one).
    /// - Returns: the report, most sensitive layer first.
    /// - Throws: `EdgeflowError.invalidInput` for graphs at the wrong stage, a missing or damaged
    ///   report, graphs that do not belong together (naming the layer), no samples, or tensors over
    ///   the budget; errors of running a sample, naming it.
    public static func analyze(quantized: Graph, float: Graph, samples: [[String: Tensor]],
                               _ options: NoiseAnalysisOptions) throws -> NoiseReport {
        let report = try quantizationReport(quantized, float)
        guard !samples.isEmpty else {
            throw EdgeflowError(.invalidInput, "there are no data samples", hint: "give at least one sample")
        }
        guard (0...100_000).contains(options.pointsPerLayer) else {
            throw EdgeflowError(.invalidArgument,
                                "points per layer must be in 0…100000, got \(options.pointsPerLayer)")
        }
        let layers = try NoiseLayers.match(report, quantized: quantized, float: float)
        let outputs = float.outputs.filter { float.types[$0]?.dtype == .float32 }
        guard !outputs.isEmpty else {
            throw EdgeflowError(.unsupported, "the model has no float32 output to measure sensitivity at")
        }
        try checkMemory(layers, outputs, float, quantized, samples: samples.count, options.budget)
        var floatProbe = float, quantizedProbe = quantized
        for layer in layers {
            if !floatProbe.outputs.contains(layer.floatValue) { floatProbe.outputs.append(layer.floatValue) }
            if !quantizedProbe.outputs.contains(layer.quantizedValue) {
                quantizedProbe.outputs.append(layer.quantizedValue)
            }
        }
        let floatRun = ExecutionContext(program: try Compiler.compile(floatProbe).program)
        let quantizedRun = ExecutionContext(program: try Compiler.compile(quantizedProbe).program)
        var layerNoise = layers.map { layer in
            NoiseAccumulator(shape: float.types[layer.floatValue]?.shape ?? [], axis: layer.channelAxis,
                             codes: layer.writesU8)
        }
        var outputNoise = outputs.map { NoiseAccumulator(shape: float.types[$0]?.shape ?? [], axis: 0, codes: false) }
        var references: [[String: Tensor]] = []
        let pointBudget = (options.pointsPerLayer + samples.count - 1) / samples.count
        for (number, sample) in samples.enumerated() {
            let (expected, actual) = try run(number, sample, floatRun, quantizedRun)
            for (i, layer) in layers.enumerated() {
                guard let fp = expected[layer.floatValue], let q = actual[layer.quantizedValue] else { continue }
                compare(fp, q, layer, into: &layerNoise[i], pointBudget: pointBudget)
            }
            for (i, name) in outputs.enumerated() {
                guard let fp = expected[name], let q = actual[name] else { continue }
                compare(fp, q, nil, into: &outputNoise[i], pointBudget: 0)
            }
            references.append(expected.filter { outputs.contains($0.key) })
            options.progress?(.accumulated, number + 1, samples.count)
        }
        var result: [LayerNoise] = []
        for (i, layer) in layers.enumerated() {
            let (snr, output) = try sensitivity(layer, float, outputs, samples, references)
            result.append(summary(layer, order: i, layerNoise[i], sensitivity: snr, at: output))
            options.progress?(.sensitivity, i + 1, layers.count)
        }
        result.sort { $0.sensitivitySNR != $1.sensitivitySNR ? $0.sensitivitySNR < $1.sensitivitySNR
            : $0.index < $1.index }
        let whole = zip(outputs, outputNoise).map { name, noise in
            OutputNoise(name: name, snr: noise.snr, cosineMean: mean(noise.cosines),
                        cosineMin: noise.cosines.min() ?? 1)
        }
        return NoiseReport(model: options.model, samples: samples.count, dataSource: options.dataSource,
                           snrCap: snrCap, flagBelow: flagBelow,
                           floatLayers: report.layers.filter { [.float, .bf16].contains($0.precision) }.map(\.layer),
                           wideLayers: report.layers.filter { $0.precision == .a16w8 }.map(\.layer),
                           outputs: whole, layers: result)
    }

    /// The report stored in `quantized`'s metadata, after checking both graphs' stages and interfaces.
    private static func quantizationReport(_ quantized: Graph, _ float: Graph) throws -> QuantizationReport {
        guard quantized.stage == .quantized else {
            throw EdgeflowError(.invalidInput,
                                "the model to analyze is \(quantized.stage.rawValue), not quantized",
                                hint: "quantize it first: edgeflow optimize MODEL.efa --calib-set DIR -o MODEL.q.efa")
        }
        guard float.stage == .fpOptimized else {
            throw EdgeflowError(.invalidInput, "the float reference is \(float.stage.rawValue), not fp-optimized",
                                hint: "give the native or fp-optimized archive the quantized one was made from")
        }
        guard float.inputs == quantized.inputs, float.outputs == quantized.outputs,
              float.inputs.allSatisfy({ float.types[$0] == quantized.types[$0] }) else {
            throw EdgeflowError(.invalidInput, "the float and the quantized model have different inputs or outputs "
                + "(float \(float.inputs) → \(float.outputs), "
                + "quantized \(quantized.inputs) → \(quantized.outputs))",
                hint: "give the archive the quantized one was made from")
        }
        guard let json = quantized.metadata[QuantizationReport.metadataKey] else {
            throw EdgeflowError(.invalidInput, "the quantized model has no quantization report (metadata key "
                + "\(QuantizationReport.metadataKey))", hint: "make it with edgeflow optimize --calib-set")
        }
        let report: QuantizationReport
        do {
            report = try JSONDecoder().decode(QuantizationReport.self, from: Data(json.utf8))
        } catch {
            throw EdgeflowError(.invalidInput, "the quantized model's quantization report is damaged: \(error)",
                                hint: "re-make it with edgeflow optimize --calib-set")
        }
        // Equalization and SmoothQuant rescale the float weights before quantizing; the float
        // reference the analysis rebuilds from the float archive does not repeat that yet.
        let rescaled = report.algorithms.equalizedPairs.count + report.algorithms.smoothedMatMuls.count
        guard rescaled == 0 else {
            throw EdgeflowError(.unsupported, "the quantized model was made with cross-layer equalization or "
                + "SmoothQuant (\(rescaled) layer(s) rescaled); analyze-noise cannot rebuild its float reference yet",
                hint: "analyze an archive quantized with pre_quantization_optimization(equalization, "
                    + "policy=disabled) and smooth_quant disabled in the model script")
        }
        return report
    }

    /// Checks the tensors the analysis holds at once against the budget: every probed value of both
    /// runs, one dequantized copy, and the float model's outputs for every sample.
    private static func checkMemory(_ layers: [NoiseLayer], _ outputs: [String], _ float: Graph,
                                    _ quantized: Graph, samples: Int, _ budget: MemoryBudget) throws {
        func bytes(_ name: String, _ graph: Graph) throws -> Int {
            guard let type = graph.types[name] else { return 0 }
            return try CheckedSize.byteCount(type.shape, type.dtype, "value '\(name)'")
        }
        var total = 0, largest = 0, perSample = 0
        for layer in layers {
            let fp = try bytes(layer.floatValue, float)
            total = try CheckedSize.add(total, fp, "the analysis' tensors")
            total = try CheckedSize.add(total, try bytes(layer.quantizedValue, quantized), "the analysis' tensors")
            largest = max(largest, fp)
        }
        for name in outputs { perSample = try CheckedSize.add(perSample, try bytes(name, float), "the outputs") }
        let kept = try CheckedSize.multiply(perSample, samples, "the float outputs of \(samples) samples")
        total = try CheckedSize.add(try CheckedSize.add(total, largest, "the analysis' tensors"), kept,
                                    "the analysis' tensors")
        try budget.check(total, for: "the noise analysis (\(layers.count) layer outputs of both models and the float "
                            + "outputs of \(samples) samples)")
    }

    private static func run(_ number: Int, _ sample: [String: Tensor], _ float: ExecutionContext,
                            _ quantized: ExecutionContext) throws -> ([String: Tensor], [String: Tensor]) {
        do {
            return (try float.run(sample), try quantized.run(sample))
        } catch let error as EdgeflowError {
            throw error.prefixed("data sample \(number + 1)")
        }
    }

    /// Adds one sample's x_fp (`fp`) and int8 value (`q`: u8 codes dequantized here, or float32).
    private static func compare(_ fp: Tensor, _ q: Tensor, _ layer: NoiseLayer?, into noise: inout NoiseAccumulator,
                                pointBudget: Int) {
        guard fp.dtype == .float32, fp.count == q.count else { return }
        fp.withUnsafeBufferPointer(as: Float.self) { x in
            guard q.dtype == .uint8, let output = layer?.decision.output else {
                guard q.dtype == .float32 else { return }
                q.withUnsafeBufferPointer(as: Float.self) {
                    noise.add(float: x, quantized: $0, pointBudget: pointBudget)
                }
                return
            }
            let (scale, zero) = (output.scale, Float(output.zeroPoint))
            q.withUnsafeBufferPointer(as: UInt8.self) { codes in
                let real = codes.map { (Float($0) - zero) * scale }
                real.withUnsafeBufferPointer {
                    noise.add(float: x, quantized: $0, codes: codes, representable: output.representableRange,
                              pointBudget: pointBudget)
                }
            }
        }
    }

    /// The lowest output SNR (and that output) with only `layer` in int8.
    private static func sensitivity(_ layer: NoiseLayer, _ float: Graph, _ outputs: [String],
                                    _ samples: [[String: Tensor]],
                                    _ references: [[String: Tensor]]) throws -> (Double, String) {
        var rewrite = Int8Rewrite(float, choices: [layer.floatIndex: layer.choice], ranges: [:])
        let alone: Graph
        do {
            alone = try rewrite.run()
        } catch let error as EdgeflowError {
            throw error.prefixed("layer '\(layer.decision.layer)': quantizing it alone")
        }
        let context = ExecutionContext(program: try Compiler.compile(alone).program)
        var noise = outputs.map { NoiseAccumulator(shape: float.types[$0]?.shape ?? [], axis: 0, codes: false) }
        for (number, sample) in samples.enumerated() {
            let actual: [String: Tensor]
            do {
                actual = try context.run(sample)
            } catch let error as EdgeflowError {
                throw error.prefixed("layer '\(layer.decision.layer)', data sample \(number + 1)")
            }
            for (i, name) in outputs.enumerated() {
                guard let fp = references[number][name], let q = actual[name] else { continue }
                compare(fp, q, nil, into: &noise[i], pointBudget: 0)
            }
        }
        let worst = zip(outputs, noise).min { $0.1.snr < $1.1.snr }
        return (worst?.1.snr ?? snrCap, worst?.0 ?? "")
    }

    private static func summary(_ layer: NoiseLayer, order: Int, _ noise: NoiseAccumulator, sensitivity: Double,
                                at output: String) -> LayerNoise {
        let bias = noise.largestChannelBias
        let accumulated = noise.snr
        return LayerNoise(layer: layer.decision.layer, op: layer.decision.op, index: order, value: layer.floatValue,
                          output: layer.writesU8 ? "u8" : "float32", macs: layer.macs, sensitivitySNR: sensitivity,
                          sensitivityOutput: output, accumulatedSNR: accumulated, cosineMean: mean(noise.cosines),
                          cosineMin: noise.cosines.min() ?? 1, clipRate: noise.clipRate,
                          saturationRate: noise.saturationRate, codesUsed: noise.codesUsed,
                          maxChannelBias: bias.bias, maxBiasChannel: bias.channel, maxAbsError: noise.maxAbsError,
                          nonFiniteValues: noise.nonFinite, flagged: min(sensitivity, accumulated) < flagBelow,
                          points: noise.points)
    }

    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 1 : values.reduce(0, +) / Double(values.count)
    }
}

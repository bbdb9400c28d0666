// The quantized stage: calibrates an fp-optimized graph on sample inputs, chooses which convs
// and matMuls run in int8 (the first release's scope: products with constant weights; every
// other op stays float), and rewrites the graph into Edgeflow's int8 ops (Int8Rewrite). A layer
// stays float, with the reason in the report, when the script says so, its input's calibrated
// range is not finite, or its constants cannot meet the int32 contract.

import EFCore
import EFIR

/// How to quantize.
public struct QuantizerOptions {
    public var estimator: RangeEstimator
    /// Layers (node names) the model script keeps in float.
    public var floatLayers: Set<String>
    /// Bias correction from the inputs' per-channel means (off by default, as optimization level
    /// 0 of the model script; `post_quantization_optimization(bias_correction, policy=enabled)`).
    public var biasCorrection: Bool
    /// Mixed precision: keep the outputs' mean cosine to the float model at or above this on
    /// held-back samples (a quarter of the set, at least one) by returning the most sensitive
    /// layers to float; nil quantizes every eligible layer.
    public var targetCosine: Double?
    /// Called after each calibration sample with (done, total).
    public var progress: ((Int, Int) -> Void)?
    /// Called with a line per step of the sensitivity search.
    public var searchProgress: ((String) -> Void)?

    public init(estimator: RangeEstimator = .meanMinMax, floatLayers: Set<String> = [], biasCorrection: Bool = false,
                targetCosine: Double? = nil, progress: ((Int, Int) -> Void)? = nil) {
        self.targetCosine = targetCosine
        self.estimator = estimator
        self.floatLayers = floatLayers
        self.biasCorrection = biasCorrection
        self.progress = progress
    }
}

/// What the quantizer did.
public struct QuantizationReport: Codable, Equatable, Sendable {
    /// One decision per conv and matMul, in graph order.
    public var layers: [LayerDecision]
    /// Calibration samples used.
    public var samples: Int
    /// Values whose calibrated range was not finite (never quantized).
    public var nonFiniteValues: [String]
    /// The mixed-precision search, when a target was given.
    public var sensitivity: SensitivityResult?

    public var quantizedCount: Int { layers.filter { $0.precision == .a8w8 }.count }
}

/// Moves graphs from the fp-optimized stage to the quantized one.
public enum Quantizer {
    /// Quantizes `graph` with the ranges observed on `samples`.
    /// - Parameter samples: one tensor per graph input each, typed as the inputs (at least one).
    /// - Returns: the quantized graph (stage `.quantized`, same inputs and outputs) and the report.
    /// - Throws: `EdgeflowError.invalidInput` when the graph is not fp-optimized or there are no
    ///   samples; errors of running a sample, naming it.
    public static func quantize(_ graph: Graph, samples: [[String: Tensor]], _ options: QuantizerOptions = .init())
        throws -> (graph: Graph, report: QuantizationReport) {
        switch graph.stage {
        case .fpOptimized: break
        case .quantized:
            throw EdgeflowError(.invalidInput, "the model is already quantized",
                                hint: "quantize the fp-optimized archive (edgeflow optimize without --calib-set) instead")
        case .native:
            throw EdgeflowError(.invalidInput, "the model is not fp-optimized yet",
                                hint: "run the float optimizations first (edgeflow optimize MODEL.efa)")
        }
        guard !samples.isEmpty else {
            throw EdgeflowError(.invalidInput, "the calibration set is empty", hint: "give at least one sample")
        }
        var samples = samples, heldBack: [[String: Tensor]] = []
        if options.targetCosine != nil, samples.count >= 2 {
            heldBack = Array(samples.suffix(max(1, samples.count / 4)))
            samples.removeLast(heldBack.count)
        } else if options.targetCosine != nil {
            heldBack = samples
        }
        let candidates = graph.nodes.indices.filter { isCandidate(graph.nodes[$0], graph) }
        let observed = Array(Set(candidates.flatMap { [graph.nodes[$0].inputs[0], graph.nodes[$0].outputs[0]] }))
        var axes: [String: Int] = [:]
        if options.biasCorrection {
            for index in candidates {
                let node = graph.nodes[index], rank = graph.types[node.inputs[0]]?.shape.count ?? 0
                axes[node.inputs[0]] = node.op == .conv && !node.params.isChannelsLast ? 1 : rank - 1
            }
        }
        let run = try CalibrationRun.observe(graph, samples: samples, values: observed.sorted(), channelAxes: axes,
                                             progress: options.progress)
        var ranges: [String: ActivationQuantization] = [:]
        var nonFinite: [String] = []
        for (name, statistics) in run.statistics {
            guard let (lower, upper) = statistics.range(options.estimator) else { nonFinite.append(name); continue }
            ranges[name] = try? ActivationQuantization(lower: lower, upper: upper)
        }
        var choices: [Int: Int8Choice] = [:]
        var decisions: [LayerDecision] = []
        for (index, node) in graph.nodes.enumerated() where node.op == .conv || node.op == .matMul {
            let means = run.channelMeans[node.inputs[0]]?.means
            let decision = decide(index, graph, candidate: candidates.contains(index), ranges, means, options, &choices)
            decisions.append(decision)
        }
        var sensitivity: SensitivityResult?
        if let target = options.targetCosine {
            let search = try SensitivitySearch(graph: graph, heldBack: heldBack)
            let (kept, result) = try search.search(choices, ranges: ranges, target: target,
                                                   progress: options.searchProgress)
            choices = kept
            sensitivity = result
            for promoted in result.promoted {
                guard let i = decisions.firstIndex(where: { $0.layer == promoted.layer }) else { continue }
                decisions[i].precision = .float
                decisions[i].reason = "promoted to float by the sensitivity search (output cosine "
                    + "\(String(format: "%.4f", promoted.cosineAlone)) with only this layer in int8)"
            }
        }
        var rewrite = Int8Rewrite(graph, choices: choices, ranges: ranges)
        let quantized = try rewrite.run()
        for (i, decision) in decisions.enumerated() { decisions[i].output = rewrite.outputs[decision.layer] }
        return (quantized, QuantizationReport(layers: decisions, samples: samples.count,
                                               nonFiniteValues: nonFinite.sorted(), sensitivity: sensitivity))
    }

    private static func decide(_ index: Int, _ graph: Graph, candidate: Bool,
                               _ ranges: [String: ActivationQuantization], _ means: [Float]?,
                               _ options: QuantizerOptions,
                               _ choices: inout [Int: Int8Choice]) -> LayerDecision {
        let node = graph.nodes[index]
        func float(_ reason: String) -> LayerDecision {
            LayerDecision(layer: node.name, op: node.op.rawValue, precision: .float, reason: reason)
        }
        guard candidate else { return float(notCandidateReason(node, graph)) }
        guard !options.floatLayers.contains(node.name) else { return float("the model script keeps it in float") }
        guard let input = ranges[node.inputs[0]] else {
            return float("the calibrated range of its input '\(node.inputs[0])' is not finite")
        }
        let weights = graph.weights[node.inputs[1]]!
        let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? graph.weights[node.inputs[2]] : nil
        do {
            let layer = try QuantizedLayer(weights: weights, axis: node.op == .conv ? 0 : 1, bias: bias, input: input,
                                           inputMeans: means)
            _ = try layer.multipliers(input: input, output: nil)
            choices[index] = Int8Choice(layer: layer, input: input)
            return LayerDecision(layer: node.name, op: node.op.rawValue, precision: .a8w8, input: input,
                                 depth: layer.depth)
        } catch let error as EdgeflowError {
            return float(error.message)
        } catch {
            return float("\(error)")
        }
    }

    private static func notCandidateReason(_ node: Node, _ graph: Graph) -> String {
        guard node.inputs.count >= 2, let w = graph.weights[node.inputs[1]] else {
            return "its second operand is computed at run time (activation × activation products stay float)"
        }
        if w.dtype != .float32 { return "its weights are \(w.dtype.rawValue), not float32" }
        if node.op == .matMul && w.rank != 2 { return "its weights are \(w.shape.shapeDescription), not [K, N]" }
        return "its bias is computed at run time or its shapes are unusual"
    }

    /// Structural eligibility: a float32 conv or matMul whose weights (and bias) are constants.
    static func isCandidate(_ node: Node, _ graph: Graph) -> Bool {
        guard node.op == .conv || node.op == .matMul, node.inputs.count >= 2,
              graph.types[node.inputs[0]]?.dtype == .float32,
              let w = graph.weights[node.inputs[1]], w.dtype == .float32 else { return false }
        let channels: Int
        if node.op == .conv {
            guard w.rank >= 3, graph.types[node.inputs[0]]?.shape.count == w.rank else { return false }
            channels = w.shape[0]
        } else {
            guard w.rank == 2, (graph.types[node.inputs[0]]?.shape.count ?? 0) >= 2 else { return false }
            channels = w.shape[1]
        }
        if node.inputs.count > 2, !node.inputs[2].isEmpty {
            guard let b = graph.weights[node.inputs[2]], b.dtype == .float32, b.count == channels else { return false }
        }
        return true
    }
}

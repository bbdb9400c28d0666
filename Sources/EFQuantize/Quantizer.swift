// The quantized stage: applies the float-exact pre-quantization algorithms (cross-layer
// equalization, SmoothQuant; Algorithms/), calibrates the result on sample inputs with the chosen
// range estimators, chooses which convs and matMuls run in int8 (the first release's scope:
// products with constant weights; every other op stays float), and rewrites the graph into
// Edgeflow's int8 ops (Int8Rewrite). A layer stays float, with the reason in the report, when the
// script says so, its input's calibrated range is not finite, or its constants cannot meet the
// int32 contract.

import EFCore
import EFIR
import EFTransforms

/// Moves graphs from the fp-optimized stage to the quantized one.
public enum Quantizer {
    /// Quantizes `graph` with the ranges observed on `samples`, after the algorithms `options`
    /// enables: cross-layer equalization, then SmoothQuant (its own calibration pass), then the
    /// calibration of the result (a second pass for histogram estimators) and the int8 rewrite.
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
                                hint: "quantize the fp-optimized archive (edgeflow optimize without --calib-set) "
                                    + "instead")
        case .native:
            throw EdgeflowError(.invalidInput, "the model is not fp-optimized yet",
                                hint: "run the float optimizations first (edgeflow optimize MODEL.efa)")
        }
        guard !samples.isEmpty else {
            throw EdgeflowError(.invalidInput, "the calibration set is empty", hint: "give at least one sample")
        }
        var algorithms = AppliedAlgorithms(rangeEstimator: options.estimator.name)
        algorithms.biasCorrection = options.biasCorrection
        var samples = samples, heldBack: [[String: Tensor]] = []
        if options.targetCosine != nil, samples.count >= 2 {
            heldBack = Array(samples.suffix(max(1, samples.count / 4)))
            samples.removeLast(heldBack.count)
        } else if options.targetCosine != nil {
            heldBack = samples
        }
        let graph = try prepare(graph, samples: samples, options, &algorithms)
        let candidates = graph.nodes.indices.filter { isCandidate(graph.nodes[$0], graph) }
        let (run, estimated) = try calibrate(graph, candidates: candidates, samples: samples, options)
        let ranges = estimated.ranges
        algorithms.clippedValues = estimated.overridden
        var choices: [Int: Int8Choice] = [:], wideChoices: [Int: Int8Choice] = [:]
        var decisions: [LayerDecision] = []
        for (index, node) in graph.nodes.enumerated() where node.op == .conv || node.op == .matMul {
            let means = run.channelMeans[node.inputs[0]]?.means
            decisions.append(decide(index, graph, candidate: candidates.contains(index), estimated, means, options,
                                    &choices))
            if options.targetCosine != nil, choices[index]?.wide == false,
               let wideInput = estimated.wideRanges[node.inputs[0]] {
                wideChoices[index] = try? layerChoice(node, graph, input: wideInput, means: means, wide: true)
            }
        }
        var sensitivity: SensitivityResult?, bfloat16Layers = options.bfloat16Layers
        let int8Choices = choices
        if let target = options.targetCosine {
            let search = try SensitivitySearch(graph: graph, heldBack: heldBack)
            let (kept, promotedToBFloat16, result) = try search.search(
                choices, wide: wideChoices, ranges: ranges, target: target, promotions: options.promotions,
                progress: options.searchProgress)
            choices = kept
            bfloat16Layers.formUnion(promotedToBFloat16)
            sensitivity = result
            for promoted in result.promoted {
                guard let i = decisions.firstIndex(where: { $0.layer == promoted.layer }) else { continue }
                decisions[i].precision = promoted.precision
                decisions[i].reason = "promoted to \(promoted.precision.rawValue) by the sensitivity search (output "
                    + "cosine \(String(format: "%.4f", promoted.cosineAlone)) with only this layer in int8)"
                decisions[i].input = kept.first { graph.nodes[$0.key].name == promoted.layer }?.value.input
            }
        }
        var rewrite = Int8Rewrite(graph, choices: choices, ranges: ranges)
        var quantized = try rewrite.run()
        for index in quantized.nodes.indices where bfloat16Layers.contains(quantized.nodes[index].name)
            && [.conv, .convTranspose, .matMul].contains(quantized.nodes[index].op) {
            quantized.nodes[index].bfloat16Products = true
        }
        for (i, decision) in decisions.enumerated() { decisions[i].output = rewrite.outputs[decision.layer] }
        if options.measureSpeedCost, sensitivity?.promoted.isEmpty == false, let sample = heldBack.first {
            do {
                var baseline = Int8Rewrite(graph, choices: int8Choices, ranges: ranges)
                sensitivity?.speedCost = try SpeedCostMeasurement.measure(int8: try baseline.run(), mixed: quantized,
                                                                          sample: sample)
            } catch let error as EdgeflowError {
                sensitivity?.speedCostNote = error.message
            }
        }
        return (quantized, QuantizationReport(layers: decisions, samples: samples.count,
                                               nonFiniteValues: estimated.nonFinite, sensitivity: sensitivity,
                                               algorithms: algorithms))
    }

    /// The float-exact algorithms before calibration: cross-layer equalization, then SmoothQuant
    /// (which calibrates on `samples` for its per-channel activation maxima).
    private static func prepare(_ graph: Graph, samples: [[String: Tensor]], _ options: QuantizerOptions,
                                _ algorithms: inout AppliedAlgorithms) throws -> Graph {
        var graph = graph
        if options.equalization {
            (graph, algorithms.equalizedPairs) = CrossLayerEqualization.apply(graph)
        }
        if options.smoothQuant {
            (graph, algorithms.smoothedMatMuls) = try SmoothQuant.apply(
                graph, samples: samples, alpha: options.smoothQuantAlpha, floatLayers: options.floatLayers,
                progress: options.progress)
            algorithms.smoothQuantAlpha = options.smoothQuantAlpha
        }
        return graph
    }

    /// Observes the inputs and outputs of the `candidates` (and their inputs' per-channel means
    /// for bias correction) and picks their ranges with the options' estimators.
    private static func calibrate(_ graph: Graph, candidates: [Int], samples: [[String: Tensor]],
                                  _ options: QuantizerOptions) throws -> (CalibrationRun, ActivationRanges) {
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
        var perValue: [String: RangeEstimator] = [:]
        for node in graph.nodes {
            if let estimator = options.outputEstimators[node.name] { perValue[node.outputs[0]] = estimator }
        }
        let estimated = try ActivationRanges(graph, samples: samples, run: run, estimator: options.estimator,
                                             perValue: perValue, progress: options.progress)
        return (run, estimated)
    }

    private static func decide(_ index: Int, _ graph: Graph, candidate: Bool, _ estimated: ActivationRanges,
                               _ means: [Float]?, _ options: QuantizerOptions,
                               _ choices: inout [Int: Int8Choice]) -> LayerDecision {
        let node = graph.nodes[index]
        func float(_ reason: String) -> LayerDecision {
            LayerDecision(layer: node.name, op: node.op.rawValue, precision: .float, reason: reason)
        }
        guard candidate else {
            // int8 does not take an activation product, bf16 does (the quantized graph marks it).
            if hasRuntimeOperand(node, graph), node.op == .matMul, options.bfloat16Layers.contains(node.name) {
                return LayerDecision(layer: node.name, op: node.op.rawValue, precision: .bf16,
                                     reason: "the model script puts it in bf16; \(runtimeOperand) (activation "
                                        + "× activation products are not int8)")
            }
            return float(notCandidateReason(node, graph))
        }
        guard !options.floatLayers.contains(node.name) else {
            guard !options.bfloat16Layers.contains(node.name) else {
                return LayerDecision(layer: node.name, op: node.op.rawValue, precision: .bf16,
                                     reason: "the model script puts it in bf16")
            }
            return float("the model script keeps it in float")
        }
        guard !node.originalNames.contains(InputColorConversion.originalName) else {
            return float("a YUV input conversion: three products per pixel, kept exact")
        }
        let wide = options.wideLayers.contains(node.name)
        guard let input = (wide ? estimated.wideRanges : estimated.ranges)[node.inputs[0]] else {
            return float("the calibrated range of its input '\(node.inputs[0])' is not finite")
        }
        do {
            let choice = try layerChoice(node, graph, input: input, means: means, wide: wide)
            choices[index] = choice
            return LayerDecision(layer: node.name, op: node.op.rawValue, precision: wide ? .a16w8 : .a8w8,
                                 input: input, depth: choice.layer.depth)
        } catch let error as EdgeflowError {
            return float(error.message)
        } catch {
            return float("\(error)")
        }
    }

    /// The integer constants of a candidate layer reading `input` (the coarse quantization for
    /// a16_w8).
    /// - Throws: `EdgeflowError.unsupported` when the layer cannot meet the contract.
    static func layerChoice(_ node: Node, _ graph: Graph, input: ActivationQuantization, means: [Float]?,
                            wide: Bool) throws -> Int8Choice {
        let weights = graph.weights[node.inputs[1]]!
        let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? graph.weights[node.inputs[2]] : nil
        let layer = try QuantizedLayer(weights: weights, axis: node.op == .conv ? 0 : 1, bias: bias, input: input,
                                       inputMeans: means)
        _ = try layer.multipliers(input: input, output: nil)
        if wide { try checkWide(layer, input) }
        return Int8Choice(layer: layer, input: input, wide: wide)
    }

    /// The a16_w8 contract's extra conditions: a normal fine scale s/256 and room for the bias
    /// remainder (|code| ≤ 128) beside K·255·127 in int32.
    /// - Throws: `EdgeflowError.unsupported` when either fails.
    static func checkWide(_ layer: QuantizedLayer, _ input: ActivationQuantization) throws {
        guard (input.scale / 256).isNormal else {
            throw EdgeflowError(.unsupported, "the input scale \(input.scale) / 256 is not a normal float32 (a16_w8)")
        }
        guard Double(layer.depth) * 255 * 127 + 128 < 2_147_483_648 else {
            throw EdgeflowError(.unsupported, "an int32 accumulator of the fine product could overflow (K = "
                + "\(layer.depth)); a16_w8 needs K·255·127 + 128 < 2^31")
        }
        _ = try layer.multipliers(input: input.finePlane, output: nil)
    }

    private static let runtimeOperand = "its second operand is computed at run time"

    private static func hasRuntimeOperand(_ node: Node, _ graph: Graph) -> Bool {
        node.inputs.count < 2 || graph.weights[node.inputs[1]] == nil
    }

    private static func notCandidateReason(_ node: Node, _ graph: Graph) -> String {
        guard !hasRuntimeOperand(node, graph), let w = graph.weights[node.inputs[1]] else {
            return "\(runtimeOperand) (activation × activation products stay float)"
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

// Pairs the int8 layers of a quantized graph with their float originals (same node name) and
// rebuilds, from the float weights and the quantization report, the exact int8 constants of
// each layer, so the sensitivity run can quantize one layer alone with Int8Rewrite. The s8
// weights and the requantization multipliers are recomputed (they depend only on the float
// weights, the bias and the report's input and output quantization) and must equal the stored
// ones — the check that the float archive is the one the quantized archive was made from; the
// int32 bias is taken as stored (it carries bias correction, which needs the calibration means).

import EFCompiler
import EFCore
import EFIR

/// One int8 layer found in both graphs.
struct NoiseLayer {
    /// Node indices in the float and the quantized graph.
    let floatIndex: Int
    let quantizedIndex: Int
    let decision: LayerDecision
    /// x_fp's value in the float graph; the value probed in the quantized graph (u8 codes or float).
    let floatValue: String
    let quantizedValue: String
    let writesU8: Bool
    let channelAxis: Int
    let choice: Int8Choice
    let macs: Int
}

extension QuantizedLayer {
    /// Constants as already computed (the rebuilt weights with a stored bias).
    init(weights: WeightQuantization, bias: Tensor?, depth: Int) {
        self.weights = weights
        self.bias = bias
        self.fineBias = nil
        self.depth = depth
    }
}

enum NoiseLayers {
    /// The int8 layers of `quantized` (graph order) matched in `float`.
    /// - Throws: `EdgeflowError.invalidInput` naming the layer when it is missing from either
    ///   graph, its output shapes differ, or its rebuilt int8 weights differ from the stored ones.
    static func match(_ report: QuantizationReport, quantized: Graph, float: Graph) throws -> [NoiseLayer] {
        let hint = "give --float the archive the quantized one was made from (the .efa given to "
            + "edgeflow optimize --calib-set)"
        let floatIndex = Dictionary(float.nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let quantizedIndex = Dictionary(quantized.nodes.enumerated().map { ($1.name, $0) },
                                        uniquingKeysWith: { a, _ in a })
        var layers: [NoiseLayer] = []
        for decision in report.layers where decision.precision == .a8w8 {
            let name = decision.layer
            guard let qi = quantizedIndex[name], [.quantizedConv, .quantizedMatMul].contains(quantized.nodes[qi].op),
                  let input = decision.input else {
                throw EdgeflowError(.invalidInput, "layer '\(name)': the quantization report lists it as int8 but "
                    + "the quantized graph has no int8 node of that name", hint: "re-make the quantized archive "
                    + "with edgeflow optimize --calib-set")
            }
            guard let fi = floatIndex[name], [.conv, .matMul].contains(float.nodes[fi].op),
                  float.nodes[fi].inputs.count >= 2, let weights = float.weights[float.nodes[fi].inputs[1]] else {
                throw EdgeflowError(.invalidInput, "layer '\(name)' of the quantized archive is not a conv or "
                    + "matMul with constant weights in the float archive", hint: hint)
            }
            let floatNode = float.nodes[fi], quantizedNode = quantized.nodes[qi]
            let y = floatNode.outputs[0]
            let writesU8 = quantized.types[quantizedNode.outputs[0]]?.dtype == .uint8
            let probe = writesU8 ? quantizedNode.outputs[0] : y
            guard let floatType = float.types[y], floatType.dtype == .float32,
                  let probeType = quantized.types[probe], probeType.shape == floatType.shape,
                  probeType.dtype == (writesU8 ? .uint8 : .float32) else {
                throw EdgeflowError(.invalidInput, "layer '\(name)': its output '\(y)' has a different type in the "
                    + "float and the quantized archive", hint: hint)
            }
            if writesU8, decision.output == nil {
                throw EdgeflowError(.invalidInput, "layer '\(name)' writes u8 but the quantization report has no "
                    + "output quantization for it", hint: "re-make the quantized archive with edgeflow optimize "
                    + "--calib-set")
            }
            let choice = try rebuild(name, floatNode, float, weights: weights, quantizedNode, quantized, input: input,
                                     output: decision.output)
            let rank = floatType.shape.count
            let axis = floatNode.op == .conv && !floatNode.params.isChannelsLast ? min(1, rank - 1) : rank - 1
            layers.append(NoiseLayer(floatIndex: fi, quantizedIndex: qi, decision: decision, floatValue: y,
                                     quantizedValue: probe, writesU8: writesU8, channelAxis: axis, choice: choice,
                                     macs: MacCount.of(floatNode, float)))
        }
        return layers
    }

    /// The layer's int8 constants from the float weights, checked against the stored s8 weights.
    private static func rebuild(_ name: String, _ floatNode: Node, _ float: Graph, weights: Tensor,
                                _ quantizedNode: Node, _ quantized: Graph,
                                input: ActivationQuantization,
                                output: ActivationQuantization?) throws -> Int8Choice {
        let bias = floatNode.inputs.count > 2 && !floatNode.inputs[2].isEmpty ? float.weights[floatNode.inputs[2]]
            : nil
        let built: QuantizedLayer
        do {
            built = try QuantizedLayer(weights: weights, axis: floatNode.op == .conv ? 0 : 1, bias: bias, input: input)
        } catch let error as EdgeflowError {
            throw error.prefixed("layer '\(name)': the float weights cannot be quantized as the report says")
        }
        let stored = quantized.weights[quantizedNode.inputs[1]]
        let writesU8 = quantized.types[quantizedNode.outputs[0]]?.dtype == .uint8
        let multipliers = try? built.multipliers(input: input, output: writesU8 ? output : nil)
        let storedMultipliers = quantizedNode.inputs.count > 3 ? quantized.weights[quantizedNode.inputs[3]] : nil
        guard let stored, stored.dtype == .int8, stored.isBitwiseEqual(to: built.weights.values),
              let multipliers, let storedMultipliers, storedMultipliers.isBitwiseEqual(to: multipliers) else {
            throw EdgeflowError(.invalidInput, "layer '\(name)': the float archive's weights do not give the "
                + "quantized archive's int8 weights and scales", hint: "give --float the archive the quantized one "
                + "was made from (the .efa given to edgeflow optimize --calib-set)")
        }
        let storedBias = quantizedNode.inputs.count > 2 && !quantizedNode.inputs[2].isEmpty
            ? quantized.weights[quantizedNode.inputs[2]] : nil
        guard (storedBias == nil) == (built.bias == nil),
              storedBias.map({ $0.dtype == .int32 && $0.shape == built.bias?.shape }) ?? true else {
            throw EdgeflowError(.invalidInput, "layer '\(name)': the float archive's bias does not match the "
                + "quantized archive's", hint: "give --float the archive the quantized one was made from")
        }
        return Int8Choice(layer: QuantizedLayer(weights: built.weights, bias: storedBias, depth: built.depth),
                          input: input)
    }
}

// BatchNorm folding: an inference BatchNormalization arrives as `binary mul` by a per-channel
// constant and `binary add` of one (see EFONNX NormalizationImporters). A per-channel or
// scalar mul / div / add / sub right after a conv or convTranspose is folded into the conv's
// weights and bias. Folding writes new weights; weights shared with other nodes are never
// modified.

import EFCore
import EFIR

enum BatchNormFolding {
    static func run(_ graph: Graph) -> PassOutcome {
        let index = GraphIndex(graph)
        var rewriter = GraphRewriter(graph)
        var folded = 0
        for position in graph.nodes.indices {
            guard let conv = rewriter[position], conv.op == .conv || conv.op == .convTranspose,
                  conv.inputs.count <= 3, conv.params.fusedActivation == nil,
                  let output = conv.outputs.first, let readerIndex = index.soleReader(of: output),
                  let reader = rewriter[readerIndex], reader.outputs.count == 1,
                  graph.types[reader.outputs[0]] == graph.types[output],
                  let weight = rewriter.graph.weights[conv.inputs[1]], weight.dtype == .float32,
                  let affine = channelAffine(reader, of: output, graph, channels: graph.types[output]?.shape)
            else { continue }
            let bias = conv.inputs.count > 2 && !conv.inputs[2].isEmpty ? rewriter.graph.weights[conv.inputs[2]] : nil
            if conv.inputs.count > 2 && !conv.inputs[2].isEmpty && bias?.dtype != .float32 { continue }
            var fused = conv
            let channels = affine.scale.count
            var biasValues = bias?.scalars(as: Float.self) ?? [Float](repeating: 0, count: channels)
            if affine.scale.contains(where: { $0 != 1 }) {
                let scaled = scaleOutputChannels(weight, by: affine.scale, transposed: conv.op == .convTranspose,
                                                 group: conv.params.convWindow?.group ?? 1)
                fused.inputs[1] = rewriter.addWeight(scaled, named: "\(conv.name)/folded_weight")
            }
            for m in 0..<channels { biasValues[m] = biasValues[m] * affine.scale[m] + affine.shift[m] }
            let newBias = rewriter.addWeight(Tensor(shape: [channels], scalars: biasValues),
                                             named: "\(conv.name)/folded_bias")
            if fused.inputs.count < 3 { fused.inputs.append(newBias) } else { fused.inputs[2] = newBias }
            fused.outputs = reader.outputs
            fused.originalNames += reader.originalNames
            rewriter.replace(chain: [position, readerIndex], with: fused)
            folded += 1
        }
        return PassOutcome(graph: rewriter.finish(), changes: folded)
    }

    /// The reader as y ↦ scale[m] · y + shift[m] per output channel m, when it is a mul, div,
    /// add or sub with a float32 constant that is a scalar or shaped [1, M, 1, ...] / [M, 1, ...].
    private static func channelAffine(_ reader: Node, of value: String, _ graph: Graph,
                                      channels shape: [Int]?) -> (scale: [Float], shift: [Float])? {
        guard let fn = reader.binaryFunction, let shape, shape.count >= 2,
              let other = reader.otherOperand(than: value), let constant = graph.weights[other],
              constant.dtype == .float32,
              let values = perChannel(constant, outputShape: shape) else { return nil }
        let ones = [Float](repeating: 1, count: values.count), zeros = [Float](repeating: 0, count: values.count)
        let valueFirst = reader.inputs[0] == value
        switch fn {
        case .mul: return (values, zeros)
        case .add: return (ones, values)
        case .sub where valueFirst: return (ones, values.map { -$0 })
        case .div where valueFirst && !values.contains(0): return (values.map { 1 / $0 }, zeros)
        default: return nil
        }
    }

    /// The constant as one value per channel (dim 1 of `outputShape`), when broadcasting it
    /// against the output varies only along the channel dim and does not grow the output.
    static func perChannel(_ constant: Tensor, outputShape: [Int]) -> [Float]? {
        let rank = outputShape.count
        guard constant.rank <= rank else { return nil }
        let padded = [Int](repeating: 1, count: rank - constant.rank) + constant.shape
        let channels = outputShape[1]
        for (axis, dim) in padded.enumerated() where dim != 1 && !(axis == 1 && dim == channels) { return nil }
        let values = constant.scalars(as: Float.self)
        return values.count == 1 ? [Float](repeating: values[0], count: channels) : values
    }

    /// A copy of `weight` with every output channel's taps multiplied by its factor. conv
    /// weights are [M, C/group, k...]; convTranspose weights are [C, M/group, k...].
    private static func scaleOutputChannels(_ weight: Tensor, by factors: [Float], transposed: Bool,
                                            group: Int) -> Tensor {
        var values = weight.scalars(as: Float.self)
        let taps = weight.shape.dropFirst(2).reduce(1, *)
        let rows = weight.shape[0], columns = weight.shape[1]
        let inputsPerGroup = max(1, rows / max(group, 1))
        for row in 0..<rows {
            for column in 0..<columns {
                let channel = transposed ? (row / inputsPerGroup) * columns + column : row
                let start = (row * columns + column) * taps
                for tap in start..<(start + taps) { values[tap] *= factors[channel] }
            }
        }
        return Tensor(shape: weight.shape, scalars: values)
    }
}

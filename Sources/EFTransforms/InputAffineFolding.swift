// Input-side folding: a per-input-channel (or scalar) scale and/or shift applied to a conv's
// input, x' = a · x + b, moves into the conv: w'[m, j, k] = w[m, j, k] · a[c] and
// bias'[m] = bias[m] + Σ w[m, j, k] · b[c] (c = the input channel tap j reads). A shift folds
// only into convs without padding (padded taps would read b instead of 0); a pure scale folds
// always. PP-OCRv4's learnable affine after each hardSwish is this pattern.

import EFCore
import EFIR
import EFKernels

enum InputAffineFolding {
    static func run(_ graph: Graph) -> PassOutcome {
        let index = GraphIndex(graph)
        var rewriter = GraphRewriter(graph)
        var folded = 0
        for position in graph.nodes.indices {
            guard var conv = rewriter[position], conv.op == .conv, conv.inputs.count <= 3,
                  let weight = rewriter.graph.weights[conv.inputs[1]], weight.dtype == .float32,
                  let inputType = graph.types[conv.inputs[0]], inputType.dtype == .float32, inputType.shape.count >= 3,
                  let affine = inputAffine(conv.inputs[0], readBy: position, index, channels: inputType.shape)
            else { continue }
            let hasShift = affine.shift.contains { $0 != 0 }
            if hasShift && (conv.params.convWindow?.pads ?? []).contains(where: { $0 != 0 }) { continue }
            let bias = conv.inputs.count > 2 && !conv.inputs[2].isEmpty ? rewriter.graph.weights[conv.inputs[2]] : nil
            if conv.inputs.count > 2 && !conv.inputs[2].isEmpty && bias?.dtype != .float32 { continue }
            let (newWeight, biasDelta) = fold(weight, affine, group: conv.params.convWindow?.group ?? 1)
            conv.inputs[0] = affine.x
            conv.inputs[1] = rewriter.addWeight(newWeight, named: "\(conv.name)/input_folded_weight")
            if hasShift {
                var biasValues = bias?.scalars(as: Float.self) ?? [Float](repeating: 0, count: weight.shape[0])
                for m in biasValues.indices { biasValues[m] += biasDelta[m] }
                let name = rewriter.addWeight(Tensor(shape: [biasValues.count], scalars: biasValues),
                                              named: "\(conv.name)/input_folded_bias")
                if conv.inputs.count < 3 { conv.inputs.append(name) } else { conv.inputs[2] = name }
            }
            conv.originalNames += affine.chain.flatMap { graph.nodes[$0].originalNames }
            rewriter.replace(chain: [position], with: conv)
            for node in affine.chain { rewriter.drop(node) }
            folded += affine.chain.count
        }
        return PassOutcome(graph: rewriter.finish(), changes: folded)
    }

    private struct Affine {
        var x: String
        var scale: [Float]
        var shift: [Float]
        /// Positions of the mul / add nodes replaced.
        var chain: [Int]
    }

    /// `value` as a · x + b per channel: an add of a constant, a mul by a constant, or a mul
    /// followed by an add, whose intermediate values only the conv (and the chain) read.
    private static func inputAffine(_ value: String, readBy conv: Int, _ index: GraphIndex,
                                    channels shape: [Int]) -> Affine? {
        guard index.soleReader(of: value) == conv else { return nil }
        let ones = [Float](repeating: 1, count: shape[1]), zeros = [Float](repeating: 0, count: shape[1])
        func step(_ value: String) -> (x: String, fn: BinaryFunction, values: [Float], position: Int)? {
            guard let position = index.producer[value] else { return nil }
            let node = index.graph.nodes[position]
            guard let fn = node.binaryFunction, fn == .mul || fn == .add, node.inputs.count == 2 else { return nil }
            for (x, c) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
                if let constant = index.graph.weights[c], constant.dtype == .float32, index.graph.weights[x] == nil,
                   index.graph.types[x] == index.graph.types[value],
                   let values = BatchNormFolding.perChannel(constant, outputShape: shape) {
                    return (x, fn, values, position)
                }
            }
            return nil
        }
        guard let outer = step(value) else { return nil }
        if outer.fn == .mul { return Affine(x: outer.x, scale: outer.values, shift: zeros, chain: [outer.position]) }
        if index.soleReader(of: outer.x) == outer.position, let inner = step(outer.x), inner.fn == .mul {
            return Affine(x: inner.x, scale: inner.values, shift: outer.values, chain: [inner.position, outer.position])
        }
        return Affine(x: outer.x, scale: ones, shift: outer.values, chain: [outer.position])
    }

    /// The scaled weight and the per-output-channel bias change. Weight [M, C/group, k...]:
    /// output channel m of group g reads input channel g · (C/group) + j through tap row j.
    private static func fold(_ weight: Tensor, _ affine: Affine, group: Int) -> (Tensor, [Float]) {
        var values = weight.scalars(as: Float.self)
        let outputs = weight.shape[0], perGroupInputs = weight.shape[1]
        let taps = weight.shape.dropFirst(2).reduce(1, *)
        let outputsPerGroup = max(1, outputs / max(group, 1))
        var delta = [Float](repeating: 0, count: outputs)
        for m in 0..<outputs {
            var sum: Double = 0
            for j in 0..<perGroupInputs {
                let channel = (m / outputsPerGroup) * perGroupInputs + j
                let start = (m * perGroupInputs + j) * taps
                for tap in start..<(start + taps) {
                    sum += Double(values[tap]) * Double(affine.shift[channel])
                    values[tap] *= affine.scale[channel]
                }
            }
            delta[m] = Float(sum)
        }
        return (Tensor(shape: weight.shape, scalars: values), delta)
    }
}

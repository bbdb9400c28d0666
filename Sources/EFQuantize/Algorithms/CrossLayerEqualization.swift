// Cross-layer equalization (Nagel et al., "Data-Free Quantization", as AIMET's CLE): for two
// convs in a row, conv1 → (ReLU) → conv2, where conv1's output feeds only conv2, output channel
// i of conv1 is divided by s_i (weights and bias) and input channel i of conv2 multiplied by
// s_i, with s_i = sqrt(r1_i / r2_i) (r: the channel's max |w|). ReLU is positively homogeneous,
// relu(x / s) = relu(x) / s for s > 0, so the float function is unchanged; afterwards both
// channels have the range sqrt(r1_i · r2_i), and the activation between the convs loses the
// channel imbalance a per-tensor u8 scale cannot represent. Grouped and depthwise convs are
// exact too (each input channel of conv2 belongs to one group). It runs on the fp-optimized
// graph before calibration, so the ranges are observed on the equalized graph.

import EFCore
import EFIR

/// Two convs whose channels were equalized.
public struct EqualizedPair: Codable, Equatable, Hashable, Sendable {
    /// The conv whose output channels were scaled by 1/s.
    public var first: String
    /// The conv whose input channels were scaled by s.
    public var second: String

    public init(first: String, second: String) {
        self.first = first
        self.second = second
    }
}

/// Cross-layer equalization of conv → (ReLU) → conv chains.
public enum CrossLayerEqualization {
    /// Sweeps over all pairs (a chain conv1 → conv2 → conv3 shares conv2, so one pair's scaling
    /// disturbs the other's balance); stops earlier once every s_i is within 1e-4 of 1.
    public static let maximumSweeps = 16

    /// The largest and smallest s_i applied (a channel of zeros on either side gets 1).
    static let scaleLimit: Double = 65_536

    /// Equalizes every eligible pair of `graph` (stage fp-optimized; the same nodes and weight
    /// names, rescaled weights).
    /// - Returns: the graph and the pairs equalized, in graph order.
    public static func apply(_ graph: Graph) -> (graph: Graph, pairs: [EqualizedPair]) {
        let pairs = eligiblePairs(graph)
        guard !pairs.isEmpty else { return (graph, []) }
        var weights: [String: [Float]] = [:]
        for (a, b) in pairs {
            for name in [graph.nodes[a].inputs[1], bias(graph.nodes[a]), graph.nodes[b].inputs[1]]
            where !name.isEmpty && weights[name] == nil {
                weights[name] = graph.weights[name]!.scalars(as: Float.self)
            }
        }
        for _ in 0..<maximumSweeps {
            var largestChange = 0.0
            for (a, b) in pairs {
                let change = equalize(graph.nodes[a], graph.nodes[b], graph, &weights)
                largestChange = Swift.max(largestChange, change)
            }
            if largestChange < 1e-4 { break }
        }
        var result = graph
        for (name, values) in weights {
            result.weights[name] = Tensor(shape: graph.weights[name]!.shape, scalars: values)
        }
        return (result, pairs.map { EqualizedPair(first: graph.nodes[$0.0].name, second: graph.nodes[$0.1].name) })
    }

    /// Node index pairs (conv1, conv2) where equalizing is exact: conv1 has constant float32
    /// weights (and bias), no residual, no activation or ReLU (fused, or one ReLU node whose
    /// input only it feeds); its output (or the ReLU's) is read only by conv2's data input; conv2
    /// has constant float32 weights over exactly conv1's channels; no weight is shared.
    static func eligiblePairs(_ graph: Graph) -> [(Int, Int)] {
        var readers: [String: [(node: Int, slot: Int)]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for (slot, input) in node.inputs.enumerated() where !input.isEmpty {
                readers[input, default: []].append((index, slot))
            }
        }
        let outputs = Set(graph.outputs)
        func soleReader(_ value: String) -> (node: Int, slot: Int)? {
            guard !outputs.contains(value), let list = readers[value], list.count == 1 else { return nil }
            return list[0]
        }
        func ownWeight(_ name: String, rank: Int? = nil) -> Bool {
            guard let w = graph.weights[name], w.dtype == .float32, readers[name]?.count == 1 else { return false }
            return rank.map { w.rank == $0 } ?? (w.rank >= 3)
        }
        var pairs: [(Int, Int)] = []
        for (index, node) in graph.nodes.enumerated() {
            guard case .conv(let p1) = node.params, node.inputs.count >= 2, ownWeight(node.inputs[1]),
                  node.inputs.count < 4 || node.inputs[3].isEmpty,
                  p1.activation == nil || p1.activation?.fn == .relu else { continue }
            let channels = graph.weights[node.inputs[1]]!.shape[0]
            let b = bias(node)
            if !b.isEmpty { guard ownWeight(b, rank: 1), graph.weights[b]!.count == channels else { continue } }
            guard var next = soleReader(node.outputs[0]) else { continue }
            let middle = graph.nodes[next.node]
            if p1.activation == nil, case .unary(let u) = middle.params, u.fn == .relu {
                guard let after = soleReader(middle.outputs[0]) else { continue }
                next = after
            }
            let second = graph.nodes[next.node]
            guard next.slot == 0, next.node != index, case .conv(let p2) = second.params, second.inputs.count >= 2,
                  ownWeight(second.inputs[1]) else { continue }
            let w2 = graph.weights[second.inputs[1]]!
            guard p2.window.group >= 1, w2.shape[1] * p2.window.group == channels,
                  w2.shape[0] % p2.window.group == 0 else { continue }
            pairs.append((index, next.node))
        }
        return pairs
    }

    /// The bias input of a conv ("" when it has none).
    private static func bias(_ node: Node) -> String { node.inputs.count > 2 ? node.inputs[2] : "" }

    /// Scales one pair in `weights`; returns the largest max(s_i, 1/s_i) − 1.
    private static func equalize(_ first: Node, _ second: Node, _ graph: Graph,
                                 _ weights: inout [String: [Float]]) -> Double {
        let w1Name = first.inputs[1], w2Name = second.inputs[1], biasName = bias(first)
        let shape1 = graph.weights[w1Name]!.shape, shape2 = graph.weights[w2Name]!.shape
        let channels = shape1[0], perChannel1 = weights[w1Name]!.count / channels
        let group = second.params.convWindow?.group ?? 1
        let inputsPerGroup = shape2[1], outputsPerGroup = shape2[0] / group, kernel = shape2[2...].reduce(1, *)
        // r1_i: max |w1[i, ...]|; r2_i: max over the outputs of i's group of |w2[m, i mod C/g, ...]|.
        var r1 = [Double](repeating: 0, count: channels), r2 = r1
        weights[w1Name]!.withUnsafeBufferPointer { w in
            for i in 0..<channels {
                for v in w[(i * perChannel1)..<((i + 1) * perChannel1)] { r1[i] = Swift.max(r1[i], Double(abs(v))) }
            }
        }
        weights[w2Name]!.withUnsafeBufferPointer { w in
            for i in 0..<channels {
                let g = i / inputsPerGroup, column = i % inputsPerGroup
                for m in (g * outputsPerGroup)..<((g + 1) * outputsPerGroup) {
                    let base = (m * inputsPerGroup + column) * kernel
                    for v in w[base..<(base + kernel)] { r2[i] = Swift.max(r2[i], Double(abs(v))) }
                }
            }
        }
        let scales = (0..<channels).map { i -> Double in
            guard r1[i] > 0, r2[i] > 0 else { return 1 }
            return Swift.min(Swift.max((r1[i] / r2[i]).squareRoot(), 1 / scaleLimit), scaleLimit)
        }
        var w1 = weights.removeValue(forKey: w1Name)!, w2 = weights.removeValue(forKey: w2Name)!
        var b1 = biasName.isEmpty ? [] : weights.removeValue(forKey: biasName)!
        for i in 0..<channels where scales[i] != 1 {
            let inverse = 1 / scales[i]
            for j in (i * perChannel1)..<((i + 1) * perChannel1) { w1[j] = Float(Double(w1[j]) * inverse) }
            if !b1.isEmpty { b1[i] = Float(Double(b1[i]) * inverse) }
            let g = i / inputsPerGroup, column = i % inputsPerGroup
            for m in (g * outputsPerGroup)..<((g + 1) * outputsPerGroup) {
                let base = (m * inputsPerGroup + column) * kernel
                for j in base..<(base + kernel) { w2[j] = Float(Double(w2[j]) * scales[i]) }
            }
        }
        weights[w1Name] = w1
        weights[w2Name] = w2
        if !biasName.isEmpty { weights[biasName] = b1 }
        return scales.map { Swift.max($0, 1 / $0) - 1 }.max() ?? 0
    }
}

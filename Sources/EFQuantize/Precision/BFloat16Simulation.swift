// How the sensitivity search measures a layer in bf16 on any CPU: the layer's two operands are
// rounded to bfloat16 (nearest even) and the product is computed in float32, which is oneDNN's
// bf16 arithmetic up to the order of the float32 sums. The compiled layer itself runs oneDNN's
// bf16 kernel (`Node.bfloat16Products`); this rewrite exists only for measuring.

import EFCore
import EFIR

/// A layer's bf16 arithmetic in float32 ops, for measuring it where no bf16 kernel runs.
public enum BFloat16Simulation {
    /// `graph` with the first two operands of each node named in `layers` rounded to bfloat16:
    /// a constant operand is replaced by a rounded copy (a new weight, so other readers keep the
    /// original), any other operand passes through a cast to bfloat16 and back to float32. A bias
    /// stays float32, as in oneDNN's kernel. Nodes not in `layers` are unchanged.
    public static func apply(_ graph: Graph, layers: Set<String>) -> Graph {
        guard !layers.isEmpty else { return graph }
        var result = graph
        result.nodes = []
        for var node in graph.nodes {
            if layers.contains(node.name) {
                for slot in 0..<min(2, node.inputs.count) where !node.inputs[slot].isEmpty {
                    node.inputs[slot] = rounded(node.inputs[slot], reader: node.name, &result)
                }
            }
            result.nodes.append(node)
        }
        return result
    }

    /// The name of `value` rounded to bfloat16, adding what computes it to `graph`.
    private static func rounded(_ value: String, reader: String, _ graph: inout Graph) -> String {
        let name = "\(value)|bf16-of-\(reader)"
        if let weight = graph.weights[value], weight.dtype == .float32 {
            let scalars = weight.scalars(as: Float.self).map { BFloat16($0).floatValue }
            graph.weights[name] = Tensor(shape: weight.shape, scalars: scalars)
            graph.types[name] = graph.types[value]
            return name
        }
        guard let type = graph.types[value], type.dtype == .float32 else { return value }
        let narrow = "\(name)|narrow"
        graph.types[narrow] = TensorType(.bfloat16, type.shape)
        graph.types[name] = type
        graph.nodes.append(Node(name: narrow, .cast(to: .bfloat16), inputs: [value], outputs: [narrow]))
        graph.nodes.append(Node(name: name, .cast(to: .float32), inputs: [narrow], outputs: [name]))
        return name
    }
}

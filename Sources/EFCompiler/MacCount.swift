// Multiply-accumulate counts of the matrix ops, for profiles and achieved-GFLOP/s figures.

import EFCore
import EFIR

/// Multiply-accumulate counts of graph nodes.
public enum MacCount {
    /// MACs of one run of `node` (0 for ops that are not conv, convTranspose or matMul, in float or
    /// int8, ONNX's integer forms included).
    public static func of(_ node: Node, _ graph: Graph) -> Int {
        guard let output = graph.types[node.outputs.first ?? ""],
              let weight = graph.types[node.inputs.count > 1 ? node.inputs[1] : ""] else { return 0 }
        switch node.op {
        case .conv, .quantizedConv, .convInteger:
            // each output element: C/group × kernel MACs = weight elements / M
            return output.shape.elementCount * (weight.shape.elementCount / max(weight.shape.first ?? 1, 1))
        case .convTranspose:
            guard let input = graph.types[node.inputs[0]] else { return 0 }
            return input.shape.elementCount * (weight.shape.elementCount / max(weight.shape.first ?? 1, 1))
        case .matMul, .quantizedMatMul, .matMulInteger:
            guard let a = graph.types[node.inputs[0]] else { return 0 }
            let k = a.shape.last ?? 1
            return output.shape.elementCount * k
        default:
            return 0
        }
    }
}

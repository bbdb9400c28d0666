// Hand-built graphs for the archive tests.

import EFCore
import EFIR
import EFKernels
import Foundation

enum SampleGraphs {
    /// Weights of several dtypes and awkward names; the graph itself passes its input through.
    static func weightsOnly() -> Graph {
        let weights: [String: Tensor] = [
            "w.f32": Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 0.1, -0.0, .nan, .infinity, .leastNonzeroMagnitude, -3)),
            "onnx::Bf16_1": Tensor(shape: [2], scalars: [BFloat16(1.5), BFloat16(-2.25)]),
            "/backbone/i64": Tensor(shape: [3], scalars: [Int64](arrayLiteral: .min, 0, .max)),
            "u8": Tensor(shape: [2, 2], scalars: [UInt8](arrayLiteral: 0, 1, 254, 255)),
            "flags": Tensor(shape: [2], scalars: [true, false]),
            "half": Tensor(shape: [1, 1], scalars: [Float16(0.333)]),
            "i8 scalar": Tensor(scalar: Int8(-128)),
            "f64": Tensor(shape: [0], scalars: [Double]()),
        ]
        var types = weights.mapValues { TensorType($0.dtype, $0.shape) }
        types["x"] = TensorType(.float32, [1, 3, 4, 4])
        return Graph(name: "weights-only", inputs: ["x"], outputs: ["x"], types: types, weights: weights,
                     metadata: ["character": "0123456789abc中文\n\"quoted\"", "producer": "hand-built"])
    }

    /// Three nodes with parameters of several kinds (ints, floats, strings), source names that
    /// need JSON escaping, and a bfloat16 and int64 weight.
    static func withNodes() -> Graph {
        var graph = weightsOnly()
        graph.name = "with-nodes"
        graph.weights["bias"] = Tensor(shape: [1, 3, 4, 4], scalars: (0..<48).map { Float($0) / 7 })
        graph.types["bias"] = TensorType(.float32, [1, 3, 4, 4])
        graph.nodes = [
            Node(name: "add", .binary(.add), inputs: ["x", "bias"], outputs: ["sum"],
                 originalNames: ["/Add", "onnx::Add_3", "α", "", "[", "a\\\"b]\n", "{x}, 1"]),
            Node(name: "act", .unary(UnaryOp(.leakyRelu, UnaryParameters(alpha: 0.1))), inputs: ["sum"],
                 outputs: ["act"]),
            Node(name: "perm", .transpose(perm: [0, 2, 3, 1]), inputs: ["act"], outputs: ["y"]),
        ]
        graph.types["sum"] = TensorType(.float32, [1, 3, 4, 4])
        graph.types["act"] = TensorType(.float32, [1, 3, 4, 4])
        graph.types["y"] = TensorType(.float32, [1, 4, 4, 3])
        graph.outputs = ["y", "sum"]
        return graph
    }
}

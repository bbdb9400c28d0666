// Hand-built graphs for the archive tests.

import EFCore
import EFIR
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

    /// Three nodes with parameters of every kind (int, ints, float, floats, string, strings,
    /// non-finite floats) and a bfloat16 and int64 weight.
    static func withNodes() -> Graph {
        var graph = weightsOnly()
        graph.name = "with-nodes"
        graph.weights["bias"] = Tensor(shape: [1, 3, 4, 4], scalars: (0..<48).map { Float($0) / 7 })
        graph.types["bias"] = TensorType(.float32, [1, 3, 4, 4])
        graph.nodes = [
            Node(name: "add", op: .binary, inputs: ["x", "bias"], outputs: ["sum"],
                 attributes: ["fn": .string("add"), "note": .strings(["α", "", "[", "a\\\"b]\n", "{x}, 1"])],
                 originalNames: ["/Add", "onnx::Add_3"]),
            Node(name: "act", op: .unary, inputs: ["sum"], outputs: ["act"],
                 attributes: ["fn": .string("leakyRelu"), "alpha": .float(0.1),
                              "bounds": .floats([-.infinity, 1e-7, 3.4e38, -2.5]), "limit": .float(.infinity)]),
            Node(name: "perm", op: .transpose, inputs: ["act"], outputs: ["y"],
                 attributes: ["perm": .ints([0, 2, 3, 1]), "tag": .int(-7), "empty": .ints([])]),
        ]
        graph.types["sum"] = TensorType(.float32, [1, 3, 4, 4])
        graph.types["act"] = TensorType(.float32, [1, 3, 4, 4])
        graph.types["y"] = TensorType(.float32, [1, 4, 4, 3])
        graph.outputs = ["y", "sum"]
        return graph
    }
}

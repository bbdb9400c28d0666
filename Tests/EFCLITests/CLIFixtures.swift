// Archives and .npy files the CLI tests run the binary on.

import EFArchive
import EFCore
import EFIR
import Foundation

enum CLIFixtures {
    /// Two inputs passed straight through to two outputs (one with a name that is unsafe as a
    /// file name), plus a weight.
    static func passThrough() -> Graph {
        Graph(name: "pass-through", inputs: ["images", "scale"], outputs: ["images", "scale"],
              types: ["images": TensorType(.float32, [1, 3, 8, 8]), "scale": TensorType(.uint8, [2]),
                      "w": TensorType(.float32, [2])],
              weights: ["w": Tensor(shape: [2], scalars: [Float](arrayLiteral: 1, 2))],
              metadata: ["character": "abc"])
    }

    /// One input `x` float32[1, 3, 4, 4] whose output is named like an ONNX value path.
    static func singleInput() -> Graph {
        Graph(name: "single", inputs: ["x"], outputs: ["x"], types: ["x": TensorType(.float32, [1, 3, 4, 4])])
    }

    /// `picked = table[idx]` (gather on axis 0) over a float32[4] weight: an out-of-range index
    /// fails at run time, after the inputs were accepted.
    static func gather() -> Graph {
        Graph(name: "gather", inputs: ["idx"], outputs: ["picked"],
              nodes: [Node(name: "pick", .gather(axis: 0), inputs: ["table", "idx"], outputs: ["picked"])],
              types: ["idx": TensorType(.int64, [2]), "table": TensorType(.float32, [4]), "picked": TensorType(.float32, [2])],
              weights: ["table": Tensor(shape: [4], scalars: [Float](arrayLiteral: 10, 20, 30, 40))])
    }

    /// Writes `graph` as `name` in `directory`.
    @discardableResult
    static func writeArchive(_ graph: Graph, named name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        let source = SourceModel(fileName: "\(graph.name).onnx", sha256: String(repeating: "c", count: 64))
        try EdgeflowArchive.write(graph: graph, metadata: ArchiveMetadata(describing: graph, sourceModel: source), to: url)
        return url
    }

    /// Writes `tensor` as a .npy file.
    static func writeNPY(_ tensor: Tensor, named name: String, in directory: URL) throws {
        try NPY.encode(tensor).write(to: directory.appendingPathComponent(name))
    }

    /// 1, 2, 3, ... as float32 in `shape`.
    static func ramp(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.elementCount).map { Float($0) })
    }
}

// A small graph builder for runtime tests: add inputs, weights and nodes; types come from the
// IR's shape inference.

import EFCore
import EFIR

struct TestGraph {
    var graph = Graph(name: "test")
    private var counter = 0

    mutating func input(_ name: String, _ shape: [Int], _ dtype: DType = .float32) -> String {
        graph.inputs.append(name)
        graph.types[name] = TensorType(dtype, shape)
        return name
    }

    mutating func weight(_ name: String, _ tensor: Tensor) -> String {
        graph.weights[name] = tensor
        graph.types[name] = TensorType(tensor.dtype, tensor.shape)
        return name
    }

    /// Adds a node and returns its first output.
    @discardableResult
    mutating func node(_ op: OpType, _ inputs: [String], _ attributes: Attributes = [:], outputs: Int = 1) throws -> String {
        counter += 1
        let names = (0..<outputs).map { "\(op.rawValue)\(counter)_\($0)" }
        let node = Node(name: "\(op.rawValue)\(counter)", op: op, inputs: inputs, outputs: names, attributes: attributes)
        let types = try ShapeInference.infer(node, inputTypes: inputs.map { $0.isEmpty ? nil : graph.types[$0] })
        for (name, type) in zip(names, types) { graph.types[name] = type }
        graph.nodes.append(node)
        return names[0]
    }

    mutating func output(_ name: String) { graph.outputs.append(name) }
}

/// Deterministic floats in [-1, 1).
func testFloats(_ count: Int, seed: UInt64 = 1) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
    }
}

func testTensor(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    Tensor(shape: shape, scalars: testFloats(shape.elementCount, seed: seed))
}

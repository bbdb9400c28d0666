// Builds small IR graphs directly for tests (types come from the IR's shape inference), and
// reproducible pseudo-random floats to fill them.

import EFCore
import EFIR

/// A graph under construction; every `node` call infers and records its output types.
public struct TestGraphBuilder {
    public var graph = Graph(name: "test")
    private var counter = 0

    public init() {}

    public mutating func input(_ name: String, _ shape: [Int], _ dtype: DType = .float32) -> String {
        graph.inputs.append(name)
        graph.types[name] = TensorType(dtype, shape)
        return name
    }

    public mutating func weight(_ name: String, _ tensor: Tensor) -> String {
        graph.weights[name] = tensor
        graph.types[name] = TensorType(tensor.dtype, tensor.shape)
        return name
    }

    public mutating func weight(_ name: String, shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) -> String {
        weight(name, Tensor(shape: shape, scalars: deterministicFloats(shape.elementCount, seed: seed, range: range)))
    }

    public mutating func scalar(_ name: String, _ value: Float) -> String {
        weight(name, Tensor(shape: [], scalars: [value]))
    }

    @discardableResult
    public mutating func node(_ op: OpType, _ inputs: [String], _ attributes: Attributes = [:], outputs count: Int = 1)
        throws -> String {
        counter += 1
        let outputs = (0..<count).map { "v\(counter)_\($0)" }
        let node = try Node(name: "n\(counter)", op: op, inputs: inputs, outputs: outputs, attributes: attributes)
        let types = try ShapeInference.infer(node, inputTypes: inputs.map { $0.isEmpty ? nil : graph.types[$0] })
        for (name, type) in zip(outputs, types) { graph.types[name] = type }
        graph.nodes.append(node)
        return outputs[0]
    }

    public mutating func unary(_ fn: String, _ x: String, _ attributes: Attributes = [:]) throws -> String {
        var all = attributes
        all["fn"] = .string(fn)
        return try node(.unary, [x], all)
    }

    public mutating func binary(_ fn: String, _ a: String, _ b: String) throws -> String {
        try node(.binary, [a, b], ["fn": .string(fn)])
    }

    public mutating func output(_ value: String) { graph.outputs.append(value) }
}

/// Reproducible pseudo-random floats in `range` (a 64-bit LCG; no global state).
public func deterministicFloats(_ count: Int, seed: UInt64, range: ClosedRange<Float> = -1...1) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let unit = Float(state >> 40) / Float(1 << 24)
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }
}


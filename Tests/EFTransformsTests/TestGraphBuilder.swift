// Builds small IR graphs directly for pass tests (types come from ShapeInference), and checks
// that a rewritten graph computes what the original computed.

import EFCore
import EFInterpreter
import EFIR
import EFTestSupport
import XCTest

/// A graph under construction; every `node` call infers and records its output types.
struct TestGraphBuilder {
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

    mutating func weight(_ name: String, shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) -> String {
        weight(name, Tensor(shape: shape, scalars: deterministicFloats(shape.elementCount, seed: seed, range: range)))
    }

    mutating func scalar(_ name: String, _ value: Float) -> String {
        weight(name, Tensor(shape: [], scalars: [value]))
    }

    @discardableResult
    mutating func node(_ op: OpType, _ inputs: [String], _ attributes: Attributes = [:], outputs count: Int = 1)
        throws -> String {
        counter += 1
        let outputs = (0..<count).map { "v\(counter)_\($0)" }
        let node = Node(name: "n\(counter)", op: op, inputs: inputs, outputs: outputs, attributes: attributes)
        let types = try ShapeInference.infer(node, inputTypes: inputs.map { $0.isEmpty ? nil : graph.types[$0] })
        for (name, type) in zip(outputs, types) { graph.types[name] = type }
        graph.nodes.append(node)
        return outputs[0]
    }

    mutating func unary(_ fn: String, _ x: String, _ attributes: Attributes = [:]) throws -> String {
        var all = attributes
        all["fn"] = .string(fn)
        return try node(.unary, [x], all)
    }

    mutating func binary(_ fn: String, _ a: String, _ b: String) throws -> String {
        try node(.binary, [a, b], ["fn": .string(fn)])
    }

    mutating func output(_ value: String) { graph.outputs.append(value) }
}

/// Reproducible pseudo-random floats in `range` (a 64-bit LCG; no global state).
func deterministicFloats(_ count: Int, seed: UInt64, range: ClosedRange<Float> = -1...1) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let unit = Float(state >> 40) / Float(1 << 24)
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }
}

/// Random inputs for every graph input (float32 only).
func randomInputs(_ graph: Graph, seed: UInt64 = 7, range: ClosedRange<Float> = -4...4) -> [String: Tensor] {
    var inputs: [String: Tensor] = [:]
    for (offset, name) in graph.inputs.enumerated() {
        let shape = graph.types[name]!.shape
        inputs[name] = Tensor(shape: shape, scalars: deterministicFloats(shape.elementCount, seed: seed + UInt64(offset),
                                                                         range: range))
    }
    return inputs
}

/// Runs both graphs on the same inputs and asserts every output agrees within `tolerance`
/// (max abs difference); returns the worst difference.
@discardableResult
func assertSameOutputs(_ original: Graph, _ optimized: Graph, inputs: [String: Tensor], tolerance: Double,
                       file: StaticString = #filePath, line: UInt = #line) throws -> Double {
    XCTAssertNoThrow(try Verifier.verify(optimized), file: file, line: line)
    let expected = try Interpreter(graph: original).run(inputs)
    let actual = try Interpreter(graph: optimized).run(inputs)
    var worst = 0.0
    for name in original.outputs {
        let (e, a) = (try XCTUnwrap(expected[name]), try XCTUnwrap(actual[name], "missing output \(name)"))
        XCTAssertEqual(e.shape, a.shape, file: file, line: line)
        worst = max(worst, maxAbsDifference(e, a))
    }
    XCTAssertLessThanOrEqual(worst, tolerance, file: file, line: line)
    return worst
}

extension Graph {
    /// How many nodes have op `op` (and `fn` when given).
    func count(_ op: OpType, fn: String? = nil) -> Int {
        nodes.filter { $0.op == op && (fn == nil || $0.attributes.string("fn") == fn) }.count
    }
}

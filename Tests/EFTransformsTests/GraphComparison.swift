// Checks that a rewritten graph computes what the original computed (graphs are built with
// EFTestSupport's TestGraphBuilder).

import EFCore
import EFInterpreter
import EFIR
import EFTestSupport
import XCTest

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

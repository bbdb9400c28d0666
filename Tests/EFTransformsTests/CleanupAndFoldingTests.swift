// Cleanup (no-op removal, dead code) and constant folding on small hand-built graphs.

import EFCore
import EFIR
import EFTransforms
import EFTestSupport
import XCTest

final class CleanupAndFoldingTests: XCTestCase {
    func testNoOpsDeadNodesAndUnusedWeightsAreRemoved() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [2, 3])
        let unused = b.weight("unused", shape: [4], seed: 1)
        _ = try b.binary("add", x, b.weight("dead_w", shape: [3], seed: 2))      // dead: nobody reads it
        let same = try b.unary("identity", x)
        let reshaped = try b.node(.reshape, [same], ["shape": .ints([2, 3])])
        let cast = try b.node(.cast, [reshaped], ["to": .string("float32")])
        let transposed = try b.node(.transpose, [cast], ["perm": .ints([0, 1])])
        b.output(try b.unary("relu", transposed))
        _ = unused
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(optimized.nodes.map(\.op), [.unary])
        XCTAssertEqual(report["remove-noops"]?.changes, 4)
        XCTAssertEqual(report["eliminate-dead-code"]?.changes, 1)
        XCTAssertTrue(optimized.weights.isEmpty, "unused weights stay: \(optimized.weights.keys)")
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    func testNoOpProducingAGraphOutputStays() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [2])
        let y = try b.unary("relu", x)
        b.output(y)
        b.output(try b.unary("identity", y))
        let (optimized, _) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(optimized.outputs, b.graph.outputs)
        XCTAssertEqual(optimized.nodes.count, 2)
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    func testConstantSubgraphBecomesAWeight() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [2, 3])
        let w = b.weight("w", shape: [3], seed: 3)
        let folded = try b.unary("exp", try b.binary("mul", w, b.scalar("two", 2)))
        b.output(try b.binary("add", x, folded))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fold-constants"]?.changes, 2)
        XCTAssertEqual(optimized.nodes.count, 1)
        XCTAssertEqual(optimized.weights.count, 1)
        // Folding runs the same reference kernels: bit-exact.
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    func testConstantFoldingRespectsTheSizeCap() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [64, 64])
        let big = try b.node(.expand, [b.scalar("one", 1)], ["shape": .ints([64, 64])])
        b.output(try b.binary("add", x, big))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph, FloatOptimizerOptions(constantFoldingLimitBytes: 1024))
        XCTAssertEqual(report["fold-constants"]?.changes, 0)
        XCTAssertEqual(optimized.count(.expand), 1)
        let (unlimited, _) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(unlimited.count(.expand), 0)
        try assertSameOutputs(b.graph, unlimited, inputs: randomInputs(b.graph), tolerance: 0)
    }
}

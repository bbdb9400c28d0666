// Epilogue fusion into conv and matMul, and attention recognition (report only).

import EFCore
import EFIR
import EFTransforms
import EFTestSupport
import XCTest

final class FusionTests: XCTestCase {
    /// conv → add(residual) → relu: one conv with input 3 and activation relu. The residual
    /// here is computed after the conv (a second conv), so the fused node must move to the add.
    func testConvResidualActivationFuseAfterTheResidualExists() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 3, 5, 5])
        let main = try b.node(.conv, [x, b.weight("w1", shape: [4, 3, 3, 3], seed: 81), b.weight("b1", shape: [4], seed: 82)],
                              ["pads": .ints([1, 1, 1, 1])])
        let shortcut = try b.node(.conv, [x, b.weight("w2", shape: [4, 3, 1, 1], seed: 83)])
        let shortcutActivated = try b.unary("leakyRelu", shortcut, ["alpha": .float(0.1)])
        b.output(try b.unary("relu", try b.binary("add", main, shortcutActivated)))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(optimized.nodes.map(\.op), [.conv, .conv])
        let fused = optimized.nodes[1]
        XCTAssertEqual(fused.inputs.count, 4)
        XCTAssertEqual(fused.attributes.string("activation"), "relu")
        XCTAssertEqual(optimized.nodes[0].attributes.string("activation"), "leakyRelu")
        XCTAssertEqual(optimized.nodes[0].attributes.float("activationAlpha"), 0.1)
        XCTAssertEqual(report["fuse-epilogue"]?.changes, 3)
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    func testClipAndHardSwishFuseIntoConvWithoutBias() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 2, 4, 4])
        let c1 = try b.node(.conv, [x, b.weight("w1", shape: [2, 2, 1, 1], seed: 84)])
        let clipped = try b.binary("min", try b.binary("max", c1, b.scalar("lo", 0)), b.scalar("hi", 6))
        let c2 = try b.node(.conv, [clipped, b.weight("w2", shape: [2, 2, 1, 1], seed: 85)])
        b.output(try b.unary("hardSwish", c2))
        let (optimized, _) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(optimized.nodes.map { $0.attributes.string("activation") }, ["clip", "hardSwish"])
        XCTAssertEqual(optimized.nodes[0].attributes.float("activationBeta"), 6)
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    /// Nothing fuses when the intermediate value is read elsewhere or is a graph output.
    func testSharedIntermediatesBlockFusion() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 2, 4, 4])
        let c = try b.node(.conv, [x, b.weight("w", shape: [2, 2, 1, 1], seed: 86)])
        let sum = try b.binary("add", c, x)
        b.output(try b.unary("relu", sum))
        b.output(sum)
        let m = try b.node(.matMul, [b.input("a", [3, 4]), b.weight("k", shape: [4, 2], seed: 87)])
        b.output(try b.unary("sigmoid", m))
        b.output(try b.unary("tanh", m))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fuse-epilogue"]?.changes, 1, "only conv + residual add (its output is read twice)")
        XCTAssertEqual(optimized.count(.unary), 3)
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    /// An activation the epilogue does not take (exp) is left as its own node.
    func testNonFusableActivationStays() throws {
        var b = TestGraphBuilder()
        let m = try b.node(.matMul, [b.input("a", [3, 4]), b.weight("k", shape: [4, 2], seed: 88)])
        b.output(try b.unary("exp", m))
        let (optimized, _) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(optimized.nodes.count, 2)
    }

    func testScaledMaskedAttentionIsCountedAndLeftAsIs() throws {
        var b = TestGraphBuilder()
        let q = b.input("q", [2, 5, 8]), k = b.input("kT", [2, 8, 5]), v = b.input("v", [2, 5, 8])
        let scores = try b.binary("div", try b.node(.matMul, [q, k]), b.scalar("scale", Float(8).squareRoot()))
        let masked = try b.binary("add", scores, b.weight("mask", shape: [5, 5], seed: 89))
        b.output(try b.node(.matMul, [try b.node(.softmax, [masked], ["axis": .int(2)]), v]))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["recognize-attention"]?.changes, 1)
        XCTAssertEqual(optimized.count(.softmax), 1)
    }
}

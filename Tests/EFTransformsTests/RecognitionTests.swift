// Recognition of activations (clip, relu, hardSwish, GELU) and LayerNorm from primitive ops.

import EFCore
import EFIR
import EFTransforms
import EFTestSupport
import XCTest

final class RecognitionTests: XCTestCase {
    func testMaxMinPairsBecomeClipOrRelu() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [3, 4])
        b.output(try b.binary("min", try b.binary("max", x, b.scalar("lo", -1)), b.scalar("hi", 2)))
        b.output(try b.binary("max", b.scalar("lo2", -0.5), try b.binary("min", x, b.scalar("hi2", 1))))
        b.output(try b.binary("max", x, b.scalar("zero", 0)))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["recognize-clip"]?.changes, 3)
        XCTAssertEqual(optimized.count(.unary, fn: "clip"), 2)
        XCTAssertEqual(optimized.count(.unary, fn: "relu"), 1)
        XCTAssertEqual(optimized.count(.binary), 0)
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    /// max(min(x, hi), lo) with lo > hi is the constant lo, not clip(x, lo, hi): only the
    /// single min becomes a clip.
    func testSwappedBoundsAreNotMergedIntoOneClip() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [8])
        b.output(try b.binary("max", try b.binary("min", x, b.scalar("hi", -1)), b.scalar("lo", 1)))
        let (optimized, _) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(optimized.nodes.count, 2)
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    func testHardSwishForms() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [2, 8])
        // PP-OCR: x · hardSigmoid(x; 1/6, 0.5)
        let gate = try b.unary("hardSigmoid", x, ["alpha": .float(0.166666701), "beta": .float(0.5)])
        b.output(try b.binary("mul", x, gate))
        // (x · relu6(x + 3)) / 6 with relu6 as the importer lowers Clip
        let relu6 = try b.binary("min", try b.binary("max", try b.binary("add", x, b.scalar("three", 3)),
                                                        b.scalar("zero", 0)), b.scalar("six", 6))
        b.output(try b.binary("div", try b.binary("mul", relu6, x), b.scalar("six_b", 6)))
        // x · (relu6(x + 3) · (1/6))
        let relu6b = try b.unary("clip", try b.binary("add", b.scalar("three_b", 3), x), ["alpha": .float(0), "beta": .float(6)])
        b.output(try b.binary("mul", x, try b.binary("mul", relu6b, b.scalar("sixth", 1.0 / 6))))
        // not hardSwish: the gate of another value (squeeze-excite)
        let other = try b.unary("hardSigmoid", try b.unary("tanh", x), ["alpha": .float(1.0 / 6), "beta": .float(0.5)])
        b.output(try b.binary("mul", x, other))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["recognize-hardswish"]?.changes, 3)
        XCTAssertEqual(optimized.count(.unary, fn: "hardSwish"), 3)
        XCTAssertEqual(optimized.count(.unary, fn: "hardSigmoid"), 1)
        // x/6 + 0.5 vs alpha·x + beta and a division by 6: float32 rounding differences, |x| ≤ 4.
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 1e-6)
    }

    func testGeluAssociationsAndTanhForm() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [2, 8])
        func erfTerm(_ tag: String, divide: Bool) throws -> String {
            let scaled = divide ? try b.binary("div", x, b.scalar("sqrt2_\(tag)", 1.4142135))
                : try b.binary("mul", x, b.scalar("rsqrt2_\(tag)", 0.70710677))
            return try b.binary("add", try b.unary("erf", scaled), b.scalar("one_\(tag)", 1))
        }
        // (x · T) · 0.5 — tools/models/onnxbuild.py's gelu_erf
        b.output(try b.binary("mul", try b.binary("mul", x, try erfTerm("a", divide: true)), b.scalar("half_a", 0.5)))
        // (x · 0.5) · T — PyTorch's export
        b.output(try b.binary("mul", try b.binary("mul", b.scalar("half_b", 0.5), x), try erfTerm("b", divide: false)))
        // x · (T · 0.5)
        b.output(try b.binary("mul", x, try b.binary("div", try erfTerm("c", divide: true), b.scalar("two_c", 2))))
        // tanh form: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
        let cube = try b.binary("pow", x, b.scalar("three", 3))
        let inner = try b.binary("add", x, try b.binary("mul", b.scalar("k", 0.044715), cube))
        let t = try b.unary("tanh", try b.binary("mul", inner, b.scalar("c", 0.7978845608)))
        b.output(try b.binary("mul", try b.binary("mul", x, b.scalar("half_d", 0.5)),
                              try b.binary("add", t, b.scalar("one_d", 1))))
        // QuickGELU x · sigmoid(1.702 x) is a different function: left alone
        b.output(try b.binary("mul", x, try b.unary("sigmoid", try b.binary("mul", x, b.scalar("q", 1.702)))))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["recognize-gelu"]?.changes, 4)
        XCTAssertEqual(optimized.count(.unary, fn: "gelu"), 3)
        XCTAssertEqual(optimized.count(.unary, fn: "geluTanh"), 1)
        XCTAssertEqual(optimized.count(.unary, fn: "sigmoid"), 1)
        // The kernels evaluate GELU in a different order than the primitive chain; |x| ≤ 4.
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 1e-5)
    }

    func testGeluWithSharedIntermediateIsNotRewritten() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [4])
        let erf = try b.unary("erf", try b.binary("div", x, b.scalar("s", 1.4142135)))
        let term = try b.binary("add", erf, b.scalar("one", 1))
        b.output(try b.binary("mul", try b.binary("mul", x, term), b.scalar("half", 0.5)))
        b.output(erf)
        let (_, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["recognize-gelu"]?.changes, 0)
    }

    /// Decomposed LayerNorm as pre-opset-17 exporters wrote it, in the div and the
    /// reciprocal-mul variants, with Pow 2 and with d · d.
    func testDecomposedLayerNormBecomesLayerNorm() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [2, 3, 8])
        let gamma = b.weight("gamma", shape: [8], seed: 71), beta = b.weight("beta", shape: [1, 8], seed: 72)
        let mean: Attributes = ["fn": .string("mean"), "axes": .ints([2]), "keepDims": .int(1)]
        for (tag, usePow, useReciprocal) in [("a", true, false), ("b", false, true)] {
            let d = try b.binary("sub", x, try b.node(.reduce, [x], mean))
            let square = usePow ? try b.binary("pow", d, b.scalar("two_\(tag)", 2)) : try b.binary("mul", d, d)
            let variance = try b.node(.reduce, [square], mean)
            let deviation = try b.unary("sqrt", try b.binary("add", variance, b.scalar("eps_\(tag)", 1e-5)))
            let normalized = useReciprocal ? try b.binary("mul", d, try b.unary("reciprocal", deviation))
                : try b.binary("div", d, deviation)
            b.output(try b.binary("add", try b.binary("mul", normalized, gamma), beta))
        }
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["recognize-layernorm"]?.changes, 2)
        XCTAssertEqual(optimized.nodes.map(\.op), [.layerNorm, .layerNorm])
        XCTAssertEqual(optimized.nodes[0].attributes.int("axis"), 2)
        XCTAssertEqual(optimized.nodes[0].attributes.float("epsilon"), 1e-5)
        // The kernel accumulates statistics in float64, the primitive chain in float32.
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 1e-5)
    }

    /// Means over different axes are not a LayerNorm.
    func testMismatchedAxesAreNotALayerNorm() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [2, 4, 8])
        let d = try b.binary("sub", x, try b.node(.reduce, [x], ["fn": .string("mean"), "axes": .ints([2]), "keepDims": .int(1)]))
        let variance = try b.node(.reduce, [try b.binary("mul", d, d)],
                                  ["fn": .string("mean"), "axes": .ints([1, 2]), "keepDims": .int(1)])
        let normalized = try b.binary("div", d, try b.unary("sqrt", try b.binary("add", variance, b.scalar("eps", 1e-5))))
        b.output(try b.binary("mul", normalized, b.weight("g", shape: [8], seed: 73)))
        let (_, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["recognize-layernorm"]?.changes, 0)
    }
}

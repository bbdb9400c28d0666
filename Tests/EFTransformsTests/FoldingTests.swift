// BatchNorm folding into conv / convTranspose and bias folding into matMul.

import EFCore
import EFIR
import EFONNX
import EFTestSupport
import EFTransforms
import XCTest

final class FoldingTests: XCTestCase {
    /// Conv → BatchNormalization → Clip(0, 6) as the ONNX importer lowers it (mul, add, max,
    /// min) becomes one conv with folded weights and a fused clip.
    func testImportedConvBatchNormClipBecomesOneConv() throws {
        let channels = 4
        func floats(_ name: String, _ dims: [Int], seed: UInt64, _ range: ClosedRange<Float>) -> [UInt8] {
            OnnxBytes.tensor(name, dims: dims, floats: deterministicFloats(dims.elementCount, seed: seed, range: range))
        }
        let body = OnnxBytes.graph(
            nodes: [OnnxBytes.node("Conv", ["x", "w"], ["c"], attributes: [OnnxBytes.intAttribute("group", 1)]),
                    OnnxBytes.node("BatchNormalization", ["c", "scale", "b", "mean", "var"], ["n"]),
                    OnnxBytes.node("Clip", ["n", "lo", "hi"], ["y"])],
            inputs: [OnnxBytes.valueInfo("x", shape: [1, 3, 6, 6])],
            outputs: [OnnxBytes.valueInfo("y", shape: [1, channels, 4, 4])],
            initializers: [floats("w", [channels, 3, 3, 3], seed: 1, -1...1), floats("scale", [channels], seed: 2, 0.5...2),
                           floats("b", [channels], seed: 3, -1...1), floats("mean", [channels], seed: 4, -0.5...0.5),
                           floats("var", [channels], seed: 5, 0.1...2),
                           OnnxBytes.tensor("lo", dims: [], floats: [0]), OnnxBytes.tensor("hi", dims: [], floats: [6])])
        let graph = try ONNXImporter.importModel(try OnnxModel(decoding: OnnxBytes.model(graph: body)), baseDirectory: nil)
        XCTAssertEqual(graph.count(.binary), 4, "importer form: mul, add, max, min")
        let (optimized, report) = try FloatOptimizer.optimize(graph)
        XCTAssertEqual(optimized.nodes.map(\.op), [.conv])
        XCTAssertEqual(optimized.nodes.first?.attributes.string("activation"), "clip")
        XCTAssertEqual(report["fold-batchnorm"]?.changes, 2)
        XCTAssertEqual(report["recognize-clip"]?.changes, 1)
        // Tolerance: folding reassociates (w·s)·x vs (w·x)·s in float32; outputs are O(1).
        try assertSameOutputs(graph, optimized, inputs: randomInputs(graph), tolerance: 1e-5)
    }

    /// Two convs share one weight; each is followed by its own per-channel scale and shift.
    /// Both fold, each into its own copy; the shared weight is left as it was.
    func testSharedWeightIsCopiedNotModified() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 2, 5, 5])
        let w = b.weight("w", shape: [3, 2, 3, 3], seed: 11)
        let original = b.graph.weights[w]!.scalars(as: Float.self)
        for (offset, seed) in [(0, UInt64(20)), (1, 30)] {
            let c = try b.node(.conv, [x, w], ["pads": .ints([1, 1, 1, 1])])
            let scaled = try b.binary("mul", c, b.weight("s\(offset)", shape: [3, 1, 1], seed: seed))
            b.output(try b.binary("add", b.weight("t\(offset)", shape: [1, 3, 1, 1], seed: seed + 1), scaled))
        }
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fold-batchnorm"]?.changes, 4)
        XCTAssertEqual(optimized.nodes.map(\.op), [.conv, .conv])
        XCTAssertNotEqual(optimized.nodes[0].inputs[1], optimized.nodes[1].inputs[1])
        XCTAssertEqual(b.graph.weights[w]!.scalars(as: Float.self), original)
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 1e-5)
    }

    /// convTranspose with 2 groups: weights [C, M/group, k...] scale per output channel.
    func testGroupedConvTransposeFoldsPerOutputChannel() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 4, 3, 3])
        let w = b.weight("w", shape: [4, 3, 2, 2], seed: 41)
        let y = try b.node(.convTranspose, [x, w, b.weight("bias", shape: [6], seed: 42)],
                           ["strides": .ints([2, 2]), "group": .int(2)])
        let scaled = try b.binary("mul", y, b.weight("s", shape: [1, 6, 1, 1], seed: 43, range: 0.5...2))
        b.output(try b.binary("sub", scaled, b.scalar("shift", 0.25)))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fold-batchnorm"]?.changes, 2)
        XCTAssertEqual(optimized.nodes.map(\.op), [.convTranspose])
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 1e-5)
    }

    /// A conv whose output is also a graph output, or read twice, keeps its scale node.
    func testConvOutputWithOtherReadersIsNotFolded() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 2, 4, 4])
        let c = try b.node(.conv, [x, b.weight("w", shape: [2, 2, 1, 1], seed: 51)])
        b.output(c)
        b.output(try b.binary("mul", c, b.weight("s", shape: [2, 1, 1], seed: 52)))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fold-batchnorm"]?.changes, 0)
        XCTAssertEqual(optimized.count(.binary, fn: "mul"), 1)
    }

    /// A non-per-channel constant (varying along a spatial dim) is not folded.
    func testSpatiallyVaryingConstantIsNotFolded() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 2, 4, 4])
        let c = try b.node(.conv, [x, b.weight("w", shape: [2, 2, 1, 1], seed: 53)])
        b.output(try b.binary("add", c, b.weight("s", shape: [1, 1, 4], seed: 54)))
        let (_, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fold-batchnorm"]?.changes, 0)
    }

    /// matMul + [1, 1, N] constant add → matMul with bias [N]; then a relu fuses.
    func testMatMulAddBecomesBiasThenActivationFuses() throws {
        var b = TestGraphBuilder()
        let a = b.input("a", [2, 5, 4])
        let product = try b.node(.matMul, [a, b.weight("w", shape: [4, 3], seed: 61)])
        let sum = try b.binary("add", b.weight("bias", shape: [1, 1, 3], seed: 62), product)
        b.output(try b.unary("relu", sum))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fold-matmul-bias"]?.changes, 1)
        XCTAssertEqual(optimized.nodes.map(\.op), [.matMul])
        XCTAssertEqual(optimized.nodes[0].inputs.count, 3)
        XCTAssertEqual(optimized.nodes[0].attributes.string("activation"), "relu")
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 0)
    }

    /// An add that broadcasts the product to a larger shape is not a bias.
    func testBroadcastingAddIsNotABias() throws {
        var b = TestGraphBuilder()
        let a = b.input("a", [5, 4])
        let product = try b.node(.matMul, [a, b.weight("w", shape: [4, 3], seed: 63)])
        b.output(try b.binary("add", product, b.weight("bias", shape: [2, 1, 3], seed: 64)))
        let (_, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fold-matmul-bias"]?.changes, 0)
    }
}

final class InputAffineFoldingTests: XCTestCase {
    /// hardSwish → · a[c] → + b → conv: into a 1×1 grouped conv (no padding) both fold; into a
    /// padded depthwise conv only a pure scale folds.
    func testScaleAndShiftBeforeConvFold() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 4, 5, 5])
        let activated = try b.unary("hardSwish", x)
        let shifted = try b.binary("add", try b.binary("mul", b.weight("a", shape: [4, 1, 1], seed: 91), activated),
                                   b.scalar("b", 0.3))
        let pointwise = try b.node(.conv, [shifted, b.weight("w1", shape: [6, 2, 1, 1], seed: 92),
                                           b.weight("bias1", shape: [6], seed: 93)], ["group": .int(2)])
        let scaled = try b.binary("mul", try b.unary("relu", pointwise), b.scalar("s", 0.5))
        let depthwise = try b.node(.conv, [scaled, b.weight("w2", shape: [6, 1, 3, 3], seed: 94)],
                                   ["group": .int(6), "pads": .ints([1, 1, 1, 1])])
        let shiftedAgain = try b.binary("add", try b.unary("tanh", depthwise), b.scalar("t", 1))
        b.output(try b.node(.conv, [shiftedAgain, b.weight("w3", shape: [2, 6, 3, 3], seed: 95)],
                            ["pads": .ints([1, 1, 1, 1])]))
        let (optimized, report) = try FloatOptimizer.optimize(b.graph)
        XCTAssertEqual(report["fold-input-affine"]?.changes, 3, "mul+add into the 1×1 conv, mul into the depthwise")
        XCTAssertEqual(optimized.count(.binary), 1, "the shift before the padded conv stays")
        try assertSameOutputs(b.graph, optimized, inputs: randomInputs(b.graph), tolerance: 1e-5)
    }
}

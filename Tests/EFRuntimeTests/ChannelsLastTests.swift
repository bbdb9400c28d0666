// The compiler's channels-last layout: a CNN with the region-following ops (pool, unary,
// per-channel and same-shape binary, resize, concat on channels, global mean) compiles with
// transposes only at the edges and matches the interpreter on the original graph; NHWC
// transposes at a region's edges (imported TFLite graphs) become aliases.

import EFCompiler
import EFCore
import EFIR
import EFRuntime
import EFTransforms
import EFTestSupport
import XCTest

final class ChannelsLastTests: XCTestCase {
    private func cnn() throws -> Graph {
        var g = TestGraphBuilder()
        let x = g.input("x", [2, 3, 12, 12])
        let same: Attributes = ["pads": .ints([1, 1, 1, 1])]
        func conv(_ input: String, _ cin: Int, _ cout: Int, _ seed: UInt64, _ extra: Attributes = [:]) throws -> String {
            let w = g.weight("w\(seed)", testTensor([cout, cin / extra.int("group", default: 1), 3, 3], seed: seed))
            var attributes = same
            if let group = extra.int("group") { attributes["group"] = .int(group) }
            return try g.node(.conv, [input, w], attributes)
        }
        let c1 = try g.node(.unary, [try conv(x, 3, 8, 1)], ["fn": .string("relu")])
        let pooled = try g.node(.pool, [c1], ["kind": .string("max"), "kernel": .ints([2, 2]), "strides": .ints([2, 2])])
        let c2 = try conv(pooled, 8, 8, 2)
        let shift = g.weight("shift", testTensor([1, 8, 1, 1], seed: 3))
        let biased = try g.node(.binary, [c2, shift], ["fn": .string("add")])
        let sum = try g.node(.binary, [biased, pooled], ["fn": .string("add")])
        let squeezed = try g.node(.reduce, [sum], ["fn": .string("mean"), "axes": .ints([2, 3]), "keepDims": .int(1)])
        let gate = try g.node(.unary, [squeezed], ["fn": .string("sigmoid")])
        let excited = try g.node(.binary, [sum, gate], ["fn": .string("mul")])
        let c3 = try conv(excited, 8, 4, 4, ["group": .int(4)])
        let up = try g.node(.resize, [c3], ["mode": .string("nearest"), "sizes": .ints([2, 4, 12, 12]),
                                            "coordinateTransformationMode": .string("asymmetric"), "nearestMode": .string("floor")])
        let joined = try g.node(.concat, [up, c1], ["axis": .int(1)])
        g.output(try conv(joined, 12, 2, 5))
        g.output(c1)
        // An H = 1 map read channels-first (PP-OCR recognition's Im2Seq): a real transpose.
        let row = try g.node(.pool, [c1], ["kind": .string("avg"), "kernel": .ints([12, 1]), "strides": .ints([12, 1])])
        let sequence = try g.node(.reshape, [row], ["shape": .ints([2, 8, 12])])
        g.output(try g.node(.transpose, [sequence], ["perm": .ints([0, 2, 1])]))
        return g.graph
    }

    func testChannelsLastMatchesTheReferenceGraph() throws {
        let graph = try cnn()
        let layoutOnly = FloatOptimizerOptions(disabledPasses: Set(FloatOptimizer.passNames).subtracting(["choose-layout"]))
        let compiled = try Compiler.compile(try FloatOptimizer.optimize(graph, layoutOnly).graph)
        XCTAssertEqual(compiled.report.fallbacks.map { "\($0.node): \($0.reason)" }, [])
        let transposes = compiled.program.steps.filter { $0.info.op == "transpose" }.map(\.info.node)
        XCTAssertEqual(transposes.sorted(), ["n16", "v13_0|to-nchw", "v14_0|nchw", "v2_0|to-nchw", "x|nhwc"],
                       "transposes only at the region's edges")
        try assertMatchesInterpreter(graph, compiled.program, inputs: ["x": testTensor([2, 3, 12, 12], seed: 9)])
    }
}

/// An imported TFLite graph's shape: NHWC input transposed to NCHW, convs with a channel pad
/// between them (BlazeFace's residual widening), NHWC output. The region takes the input's
/// bytes as they are, follows the pad, and gives the output's NHWC bytes without a transpose.
final class ChannelsLastNHWCEdgeTests: XCTestCase {
    func testNHWCTransposesAtTheEdgesBecomeAliases() throws {
        var g = TestGraphBuilder()
        let x = g.input("x", [1, 10, 10, 3])
        var value = try g.node(.transpose, [x], ["perm": .ints([0, 3, 1, 2])])
        var channels = 3
        for seed in 1...4 {
            let w = g.weight("w\(seed)", testTensor([channels, channels, 3, 3], seed: UInt64(seed)))
            value = try g.node(.conv, [value, w], ["pads": .ints([1, 1, 1, 1])])
            value = try g.node(.pad, [value], ["pads": .ints([0, 0, 0, 0, 0, 2, 0, 0]), "mode": .string("constant")])
            channels += 2
        }
        g.output(try g.node(.transpose, [value], ["perm": .ints([0, 2, 3, 1])]))
        let graph = g.graph
        let layoutOnly = FloatOptimizerOptions(
            disabledPasses: Set(FloatOptimizer.passNames).subtracting(["choose-layout"]))
        let optimized = try FloatOptimizer.optimize(graph, layoutOnly).graph
        XCTAssertEqual(optimized.nodes.filter { $0.op == .transpose }.map(\.name), [])
        let compiled = try Compiler.compile(optimized)
        try assertMatchesInterpreter(graph, compiled.program, inputs: ["x": testTensor([1, 10, 10, 3], seed: 9)])
    }
}

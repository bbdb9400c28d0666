// The memory plan reuses dead values' bytes, aliases reshapes, lets a float conv write over a
// residual no later step reads, and never lets a later value overwrite a graph output or a value
// still to be read.

import EFCompiler
import EFCore
import EFIR
import EFInterpreter
import EFKernels
import EFOps
import EFRuntime
import EFTestSupport
import EFTransforms
import XCTest

final class MemoryPlanTests: XCTestCase {
    func testChainReusesTwoSlotsAndMatchesTheInterpreter() throws {
        var g = TestGraphBuilder()
        var value = g.input("x", [1, 64, 32, 32])  // 256 KiB per value
        for index in 0..<12 {
            value = try g.node(.unary, [value], ["fn": .string(index % 2 == 0 ? "sigmoid" : "tanh")])
        }
        g.output(value)
        let compiled = try Compiler.compile(g.graph)
        let valueBytes = 64 * 32 * 32 * 4
        XCTAssertLessThanOrEqual(compiled.program.arenaByteCount, 3 * valueBytes,
                                 "the input (kept for repeated runs) and 12 live-once values need three slots")
        try assertMatchesInterpreter(g.graph, compiled.program, inputs: ["x": testTensor([1, 64, 32, 32])])
    }

    func testReshapeAliasesAndOutputsSurvive() throws {
        var g = TestGraphBuilder()
        let x = g.input("x", [2, 3, 4])
        let early = try g.node(.unary, [x], ["fn": .string("relu")])
        g.output(early)  // an output produced first must not be overwritten later
        let flat = try g.node(.reshape, [early], ["shape": .ints([6, 4])])
        var value = try g.node(.unary, [flat], ["fn": .string("neg")])
        for _ in 0..<4 { value = try g.node(.unary, [value], ["fn": .string("tanh")]) }
        let sum = try g.node(.binary, [value, flat], ["fn": .string("add")])  // flat read late
        g.output(sum)
        let compiled = try Compiler.compile(g.graph)
        XCTAssertEqual(compiled.report.stepCount, g.graph.nodes.count - 1, "the reshape needs no step")
        try assertMatchesInterpreter(g.graph, compiled.program, inputs: ["x": testTensor([2, 3, 4])])
    }

    func testInputsFilledOnceSurviveRepeatedRuns() throws {
        var g = TestGraphBuilder()
        let x = g.input("x", [4, 64])
        var value = try g.node(.unary, [x], ["fn": .string("neg")])  // x's last reader
        for _ in 0..<4 { value = try g.node(.unary, [value], ["fn": .string("tanh")]) }
        g.output(value)
        let context = ExecutionContext(program: try Compiler.compile(g.graph).program)
        testTensor([4, 64]).withUnsafeBytes { context.inputBuffer(0).copyMemory(from: $0) }
        try context.run()
        let first = Array(context.outputBuffer(0))
        try context.run()
        XCTAssertEqual(Array(context.outputBuffer(0)), first, "a later value overwrote the input between runs")
    }

    func testOpsWithoutFastKernelRunTheReferenceKernelAndSayWhy() throws {
        var g = TestGraphBuilder()
        let x = g.input("x", [3, 10])
        let top = try g.node(.topK, [x], ["k": .int(4), "axis": .int(1), "largest": .int(1), "sorted": .int(1)],
                             outputs: 2)
        let y = try g.node(.unary, [top], ["fn": .string("sigmoid")])
        g.output(y)
        let compiled = try Compiler.compile(g.graph)
        XCTAssertEqual(compiled.report.fallbacks.map(\.op), ["topK"])
        let reason = compiled.report.fallbacks[0].reason
        XCTAssertTrue(reason.contains("no fast kernel"), reason)
        try assertMatchesInterpreter(g.graph, compiled.program, inputs: ["x": testTensor([3, 10])])
    }

    func testBadInputsAreRefusedWithTheExpectedContract() throws {
        var g = TestGraphBuilder()
        let x = g.input("x", [2, 2])
        g.output(try g.node(.unary, [x], ["fn": .string("relu")]))
        let context = ExecutionContext(program: try ModelPipeline.compile(g.graph).program)
        XCTAssertThrowsError(try context.run(["x": testTensor([2, 3])])) { error in
            XCTAssertTrue("\(error)".contains("expects float32[2, 2]"), "\(error)")
        }
        XCTAssertThrowsError(try context.run(["y": testTensor([2, 2])])) { error in
            XCTAssertTrue("\(error)".contains("missing input(s) x"), "\(error)")
        }
    }
}

/// A float conv's fused residual is added to the destination's previous content: when no later
/// step reads the residual, the conv writes over it (no copy); when one does, it keeps its bytes.
final class ResidualInPlaceTests: XCTestCase {
    /// x → a (relu) → conv(a) + shortcut (read again by `late` or not) → relu.
    private func graph(shortcutReadLater: Bool) throws -> (Graph, conv: String, shortcut: String) {
        var b = TestGraphBuilder()
        let x = b.input("x", [1, 4, 6, 6])
        let shortcut = try b.unary("tanh", x)
        let a = try b.unary("relu", x)
        let weights = b.weight("w", shape: [4, 4, 3, 3], seed: 91), bias = b.weight("b", shape: [4], seed: 92)
        let main = try b.node(.conv, [a, weights, bias], ["pads": .ints([1, 1, 1, 1])])
        let summed = try b.unary("relu", try b.binary("add", main, shortcut))
        b.output(summed)
        if shortcutReadLater { b.output(try b.unary("sigmoid", shortcut)) }
        let (optimized, _) = try FloatOptimizer.optimize(b.graph)
        let conv = try XCTUnwrap(optimized.nodes.first { $0.op == .conv })
        XCTAssertEqual(conv.inputs.count, 4, "the add is fused into the conv as its residual")
        return (optimized, conv.outputs[0], conv.inputs[3])
    }

    private func offset(_ compiled: CompiledModel, _ name: String) throws -> Int {
        let value = try XCTUnwrap(compiled.plan.values.first { $0.name == name })
        guard case .arena(let offset) = value.place else { throw XCTSkip("\(name) is not in the arena") }
        return offset
    }

    func testAResidualReadByNoLaterStepIsOverwritten() throws {
        let (graph, conv, shortcut) = try graph(shortcutReadLater: false)
        let compiled = try Compiler.compile(graph)
        XCTAssertEqual(try offset(compiled, conv), try offset(compiled, shortcut))
        try assertMatchesInterpreter(graph, compiled.program, inputs: ["x": testTensor([1, 4, 6, 6])])
    }

    func testAResidualReadLaterKeepsItsBytes() throws {
        let (graph, conv, shortcut) = try graph(shortcutReadLater: true)
        let compiled = try Compiler.compile(graph)
        XCTAssertNotEqual(try offset(compiled, conv), try offset(compiled, shortcut))
        try assertMatchesInterpreter(graph, compiled.program, inputs: ["x": testTensor([1, 4, 6, 6])])
    }
}

/// Runs `program` and the interpreter on `inputs` and requires equal outputs within
/// `tolerance` × max(1, largest expected magnitude).
func assertMatchesInterpreter(_ graph: Graph, _ program: Program, inputs: [String: Tensor],
                              tolerance: Double = 1e-5, file: StaticString = #filePath, line: UInt = #line) throws {
    let expected = try Interpreter(graph: graph).run(inputs)
    let actual = try ExecutionContext(program: program).run(inputs)
    for name in graph.outputs {
        let a = try XCTUnwrap(actual[name], file: file, line: line)
        let e = try XCTUnwrap(expected[name], file: file, line: line)
        XCTAssertEqual(a.shape, e.shape, name, file: file, line: line)
        let scale = max(1, e.doubleValues().map(abs).max() ?? 0)
        XCTAssertLessThanOrEqual(maxAbsDifference(a, e), tolerance * scale, "\(name) (scale \(scale))",
                                 file: file, line: line)
    }
}

/// The residual operand of an int8 product's fusable tail stays live through the tail, so the
/// tail's outputs never take part of its bytes and the product fuses it (ResNet's downsample
/// blocks, where the shortcut conv runs first and a freed slot lies right before it).
final class FusableTailMemoryPlanTests: XCTestCase {
    func testTheShortcutOfADownsampleBlockIsKeptApartAndTheTailFuses() throws {
        let spatial = [1, 6, 6], channels = 16
        var graph = Graph(name: "downsample", stage: .quantized, inputs: ["x", "f"], outputs: ["a2", "z", "q"])
        var state: UInt64 = 11
        func int32() -> Int32 {  // a fixed linear congruential sequence
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int32(truncatingIfNeeded: state >> 32)
        }
        func add(_ name: String, _ tensor: Tensor) {
            graph.weights[name] = tensor
            graph.types[name] = TensorType(tensor.dtype, tensor.shape)
        }
        for conv in ["d", "p"] {
            add("\(conv).w", Tensor(shape: [channels, channels, 1, 1],
                                    scalars: (0..<channels * channels).map { _ in Int8(truncatingIfNeeded: int32()) }))
            add("\(conv).b", Tensor(shape: [channels], scalars: (0..<channels).map { _ in int32() >> 20 }))
            add("\(conv).s", Tensor(shape: [channels], scalars: (0..<channels).map { Float($0 + 1) * 2e-5 }))
        }
        add("qs", Tensor(scalar: Float(0.05)))
        add("qz", Tensor(scalar: UInt8(3)))
        let float = TensorType(.float32, spatial + [channels])
        graph.types["x"] = TensorType(.uint8, spatial + [channels])
        graph.types["f"] = TensorType(.float32, [1, 2, 2, 8])
        for name in ["a", "a2"] { graph.types[name] = TensorType(.float32, [1, 2, 2, 8]) }
        for name in ["d", "p", "sum", "z"] { graph.types[name] = float }
        graph.types["q"] = TensorType(.uint8, spatial + [channels])
        func conv(_ name: String) -> Node {
            Node(name: name, .quantizedConv(QuantizedConvOp(window: ConvParameters(), channelsLast: true,
                                                            inputZeroPoint: 7, output: .float32(activation: nil))),
                 inputs: ["x", "\(name).w", "\(name).b", "\(name).s"], outputs: [name])
        }
        // a is freed after the shortcut d is placed right behind it; z is as large as d.
        graph.nodes = [
            Node(name: "a", .unary(UnaryOp(.neg)), inputs: ["f"], outputs: ["a"]), conv("d"),
            Node(name: "a2", .unary(UnaryOp(.tanh)), inputs: ["a"], outputs: ["a2"]), conv("p"),
            Node(name: "sum", .binary(.add), inputs: ["p", "d"], outputs: ["sum"]),
            Node(name: "z", .unary(UnaryOp(.relu)), inputs: ["sum"], outputs: ["z"]),
            Node(name: "q", .quantizeLinear(QuantizeOp(outputDType: .uint8)), inputs: ["z", "qs", "qz"],
                 outputs: ["q"]),
        ]
        let compiled = try Compiler.compile(graph)
        let kernels = compiled.program.steps.map(\.info.kernel)
        XCTAssertTrue(kernels.contains { $0.hasSuffix("dequant + add + relu + quantize") }, "\(kernels)")
        let x = Tensor(shape: spatial + [channels], scalars: (0..<576).map { _ in UInt8(truncatingIfNeeded: int32()) })
        let f = Tensor(shape: [1, 2, 2, 8], scalars: (0..<32).map { Float($0) / 7 - 2 })
        try assertMatchesInterpreter(graph, compiled.program, inputs: ["x": x, "f": f])
    }
}

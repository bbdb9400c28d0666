// Layers a model script puts in bf16 (`precision_mode=bf16`): the quantized graph marks them
// (`Node.bfloat16Products`, kept through graph.json), the compiled program runs them on oneDNN's
// bf16 kernels (the profile says bf16) where the CPU has them — the quantized emulator runs the
// same kernels, so its bytes equal the executable's — and the compiler refuses them, naming the
// layers, on a CPU without bf16 kernels.

import EFArchive
import EFCompiler
import EFCore
import EFIR
import EFOneDNN
import EFQuantize
import EFRuntime
import EFTestSupport
import EFTransforms
import Foundation
import XCTest

final class BFloat16LayerTests: XCTestCase {
    /// x [4, 16] → matMul → relu → matMul → matMul [4, 8], fp-optimized, its three weights made
    /// from `seed`, `seed + 1` and `seed + 2`.
    static func network(seed: UInt64 = 1) throws -> Graph {
        var b = TestGraphBuilder()
        let x = b.input("x", [4, 16])
        let h = try b.unary("relu", try b.node(.matMul, [x, b.weight("w1", shape: [16, 32], seed: seed)]))
        let y = try b.node(.matMul, [h, b.weight("w2", shape: [32, 16], seed: seed + 1)])
        b.output(try b.node(.matMul, [y, b.weight("w3", shape: [16, 8], seed: seed + 2)]))
        return try ModelPipeline.optimize(b.graph, FloatOptimizerOptions(channelsLast: false)).graph
    }

    private func network() throws -> Graph { try Self.network() }

    static func samples(_ count: Int, seed: UInt64) -> [[String: Tensor]] {
        (0..<count).map { ["x": Tensor(shape: [4, 16], scalars: deterministicFloats(64, seed: seed + UInt64($0)))] }
    }

    /// The network quantized with its second matMul in bf16, and that layer's name.
    private func quantized() throws -> (float: Graph, quantized: Graph, layer: String) {
        let graph = try network()
        let layer = graph.nodes.filter { $0.op == .matMul }.map(\.name)[1]
        let script = try parseScript("quantization_param([\"\(layer)\"], precision_mode=bf16)\n")
        let (options, _, notes) = try QuantizerOptions.from(script, graph: graph)
        XCTAssertEqual(notes, [])
        return (graph, try Quantizer.quantize(graph, samples: Self.samples(6, seed: 5), options).graph, layer)
    }

    func testTheMarkSurvivesTheArchive() throws {
        let (_, quantized, layer) = try quantized()
        XCTAssertEqual(quantized.nodes.filter(\.bfloat16Products).map(\.name), [layer])
        let directory = try TestData.temporaryDirectory("bf16-layers")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("q.efa")
        try EdgeflowArchive.write(graph: quantized, metadata: ArchiveMetadata(describing: quantized, sourceModel: nil),
                                  to: url)
        let read = try EdgeflowArchive.read(from: url).graph
        XCTAssertEqual(read.nodes.filter(\.bfloat16Products).map(\.name), [layer])
        XCTAssertEqual(try network().nodes.filter(\.bfloat16Products).count, 0, "nothing marks other graphs")
    }

    func testBFloat16LayersRunOnBFloat16KernelsAndTheEmulatorMatchesTheExecutable() throws {
        guard DNNLEngine.supportsBF16 else {
            throw XCTSkip("this CPU has no bf16 kernels (oneDNN ISA \(DNNLEngine.effectiveISA)); the refusal "
                          + "test covers it")
        }
        let (_, quantized, layer) = try quantized()
        let compiled = try Compiler.compile(quantized)
        let precisions = Dictionary(compiled.program.steps.map { ($0.info.node, $0.info.precision) },
                                    uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(precisions[layer], "bf16", "\(precisions)")
        XCTAssertEqual(precisions.values.filter { $0 == "bf16" }.count, 1, "only the script's layer: \(precisions)")
        let emulator = try ExecutionContext(program: try Compiler.compile(
            quantized, CompileOptions(emulateIntegerSteps: true)).program)
        let executable = try ExecutionContext(program: compiled.program)
        var unmarked = quantized
        for index in unmarked.nodes.indices { unmarked.nodes[index].bfloat16Products = false }
        let float32Layer = try ExecutionContext(program: try Compiler.compile(unmarked).program)
        var differs = false
        for sample in Self.samples(4, seed: 50) {
            let name = quantized.outputs[0]
            let emulated = try XCTUnwrap(try emulator.run(sample)[name])
            let ran = try XCTUnwrap(try executable.run(sample)[name])
            XCTAssertTrue(ran.isBitwiseEqual(to: emulated), "the executable differs from the emulator")
            // Against the same quantized graph with that layer in float32: bf16's rounding only.
            let inFloat32 = try XCTUnwrap(try float32Layer.run(sample)[name])
            let expected = inFloat32.scalars(as: Float.self)
            let scale = expected.map(abs).max() ?? 1
            for (e, a) in zip(expected, ran.scalars(as: Float.self)) {
                XCTAssertLessThanOrEqual(abs(e - a), 0.02 * scale, "within bf16's rounding of the float32 layer")
            }
            differs = differs || !inFloat32.isBitwiseEqual(to: ran)
        }
        XCTAssertTrue(differs, "bf16 products round differently from the same layer in float32")
    }

    /// An activation × activation product (attention's, here x · z with z a second input), which
    /// int8 does not take, goes to bf16 when the script says so, and the report says bf16.
    func testAnActivationProductTheScriptNamesRunsInBFloat16() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [4, 16]), z = b.input("z", [16, 8])
        let h = try b.node(.matMul, [x, b.weight("w1", shape: [16, 16], seed: 3)])
        let product = try b.node(.matMul, [h, z])
        b.output(product)
        let graph = try ModelPipeline.optimize(b.graph, FloatOptimizerOptions(channelsLast: false)).graph
        let layer = try XCTUnwrap(graph.nodes.first { $0.op == .matMul && graph.weights[$0.inputs[1]] == nil }).name
        let script = try parseScript("quantization_param([\"\(layer)\"], precision_mode=bf16)\n")
        let (options, _, _) = try QuantizerOptions.from(script, graph: graph)
        let samples = (0..<4).map { i -> [String: Tensor] in
            ["x": Tensor(shape: [4, 16], scalars: deterministicFloats(64, seed: 70 + UInt64(i))),
             "z": Tensor(shape: [16, 8], scalars: deterministicFloats(128, seed: 80 + UInt64(i)))]
        }
        let (quantized, report) = try Quantizer.quantize(graph, samples: samples, options)
        let decision = try XCTUnwrap(report.layers.first { $0.layer == layer })
        XCTAssertEqual(decision.precision, .bf16)
        XCTAssertTrue(decision.reason.hasPrefix("the model script puts it in bf16; its second operand is computed"),
                      decision.reason)
        XCTAssertEqual(quantized.nodes.filter(\.bfloat16Products).map(\.name), [layer])
        // Without bf16 kernels the compiler refuses it (BFloat16LayerCommandTests).
        guard DNNLEngine.supportsBF16 else { return }
        let compiled = try Compiler.compile(quantized).program
        XCTAssertEqual(compiled.steps.first { $0.info.node == layer }?.info.precision, "bf16")
        let executable = try ExecutionContext(program: compiled)
        let emulator = try ExecutionContext(program: try Compiler.compile(
            quantized, CompileOptions(emulateIntegerSteps: true)).program)
        for sample in samples {
            let name = quantized.outputs[0]
            let a = try XCTUnwrap(try executable.run(sample)[name]), b = try XCTUnwrap(try emulator.run(sample)[name])
            XCTAssertEqual(a.scalars(as: Float.self).map(\.bitPattern), b.scalars(as: Float.self).map(\.bitPattern))
        }
    }
}

// The quantized stage on small generated CNNs: which layers become int8 and which stay float
// (with the reason), u8 kept between consecutive int8 layers, the emulator close to float, and
// the refusals (a non-finite range, an already quantized graph, a native graph, no samples).

import EFCompiler
import EFCore
import EFIR
import EFQuantize
import EFRuntime
import EFTestSupport
import EFTransforms
import XCTest

final class QuantizerTests: XCTestCase {
    /// conv → relu → conv (+ residual) → relu → global pool → flatten → matMul (+ bias).
    private func smallCNN() throws -> Graph {
        var b = TestGraphBuilder()
        let x = b.input("image", [1, 3, 12, 12])
        let w1 = b.weight("w1", shape: [8, 3, 3, 3], seed: 1, range: -0.5...0.5)
        let c1 = try b.node(.conv, [x, w1, b.weight("b1", shape: [8], seed: 2)], ["pads": .ints([1, 1, 1, 1])])
        let r1 = try b.unary("relu", c1)
        let w2 = b.weight("w2", shape: [8, 8, 3, 3], seed: 3, range: -0.3...0.3)
        let c2 = try b.node(.conv, [r1, w2], ["pads": .ints([1, 1, 1, 1])])
        let sum = try b.binary("add", c2, r1)
        let r2 = try b.unary("relu", sum)
        let pooled = try b.node(.reduce, [r2], ["fn": .string("mean"), "axes": .ints([2, 3]), "keepDims": .int(0)])
        let fc = try b.node(.matMul, [pooled, b.weight("fc", shape: [8, 5], seed: 4)])
        let logits = try b.binary("add", fc, b.weight("fcb", shape: [5], seed: 5))
        b.output(logits)
        return b.graph
    }

    private func samples(_ count: Int, seed: UInt64) -> [[String: Tensor]] {
        (0..<count).map { i in
            ["image": Tensor(shape: [1, 3, 12, 12], scalars: deterministicFloats(432, seed: seed + UInt64(i)))]
        }
    }

    private func optimized(_ graph: Graph) throws -> Graph {
        try ModelPipeline.optimize(graph, FloatOptimizerOptions(channelsLast: false)).graph
    }

    func testEveryConvAndMatMulBecomesInt8AndStaysCloseToFloat() throws {
        let graph = try optimized(try smallCNN())
        let (quantized, report) = try Quantizer.quantize(graph, samples: samples(16, seed: 10))
        XCTAssertEqual(quantized.stage, .quantized)
        XCTAssertEqual(report.layers.count, 3)
        XCTAssertEqual(report.quantizedCount, 3, "\(report.layers)")
        XCTAssertEqual(quantized.inputs, graph.inputs)
        XCTAssertEqual(quantized.outputs, graph.outputs)
        let ops = quantized.nodes.map(\.op)
        XCTAssertEqual(ops.filter { $0 == .quantizedConv }.count, 2)
        XCTAssertEqual(ops.filter { $0 == .quantizedMatMul }.count, 1)
        XCTAssertFalse(ops.contains(.conv) || ops.contains(.matMul))
        // conv1 → relu feeds conv2 at input 0 and the residual add: u8 output, dequantized once.
        XCTAssertEqual(ops.filter { $0 == .dequantizeLinear }.count, 1)
        let float = try Compiler.compile(graph)
        let emulator = try Compiler.compile(quantized, CompileOptions(emulateIntegerSteps: true))
        for sample in samples(8, seed: 100) {
            let expected = try ExecutionContext(program: float.program).run(sample)[graph.outputs[0]]!
            let actual = try ExecutionContext(program: emulator.program).run(sample)[graph.outputs[0]]!
            let cosine = Self.cosine(expected.scalars(as: Float.self), actual.scalars(as: Float.self))
            XCTAssertGreaterThan(cosine, 0.99)
        }
    }

    func testScriptFloatLayerAndNonFiniteRangeStayFloat() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [2, 4])
        let h = try b.node(.matMul, [x, b.weight("w1", shape: [4, 4], seed: 7)])
        let maskValues: [Float] = [0, -.infinity, 0, 0, 0, 0, 0, 0]
        let mask = try b.binary("add", h, b.weight("mask", Tensor(shape: [2, 4], scalars: maskValues)))
        let y = try b.node(.matMul, [mask, b.weight("w2", shape: [4, 3], seed: 8)])
        let z = try b.node(.matMul, [y, b.weight("w3", shape: [3, 3], seed: 9)])
        b.output(z)
        let graph = try optimized(b.graph)
        let layers = graph.nodes.filter { $0.op == .matMul }.map(\.name)
        let data = (0..<4).map { i in ["x": Tensor(shape: [2, 4], scalars: deterministicFloats(8, seed: UInt64(i)))] }
        let (_, report) = try Quantizer.quantize(graph, samples: data,
                                                 QuantizerOptions(floatLayers: [layers[2]]))
        XCTAssertEqual(report.layers.map(\.precision), [.a8w8, .float, .float], "\(report.layers)")
        XCTAssertTrue(report.layers[1].reason.contains("not finite"), report.layers[1].reason)
        XCTAssertTrue(report.layers[2].reason.contains("model script"), report.layers[2].reason)
        XCTAssertFalse(report.nonFiniteValues.isEmpty)
    }

    func testRefusesQuantizedNativeAndEmptyInput() throws {
        let native = try smallCNN()
        XCTAssertThrowsError(try Quantizer.quantize(native, samples: samples(1, seed: 1))) { error in
            XCTAssertTrue("\(error)".contains("not fp-optimized"), "\(error)")
        }
        let graph = try optimized(native)
        XCTAssertThrowsError(try Quantizer.quantize(graph, samples: []))
        let (quantized, _) = try Quantizer.quantize(graph, samples: samples(2, seed: 1))
        XCTAssertThrowsError(try Quantizer.quantize(quantized, samples: samples(2, seed: 1))) { error in
            XCTAssertTrue("\(error)".contains("already quantized"), "\(error)")
        }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }
}

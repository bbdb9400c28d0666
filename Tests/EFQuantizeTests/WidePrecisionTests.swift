// a16_w8 layers (16-bit activations as two u8 planes, s8 weights): the rewrite's shape (two int8
// products per layer, a float-writing producer), the accuracy gain over a8_w8 against float, the
// compiled executable equal byte for byte to the emulator, the model script's precision_mode, and
// the sensitivity search promoting to a16_w8 before float.

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

final class WidePrecisionTests: XCTestCase {
    /// conv(+bias) → relu → conv → relu → conv (+ residual of the first relu) → mean → matMul (+ bias).
    private func network() throws -> Graph {
        var b = TestGraphBuilder()
        let x = b.input("image", [1, 3, 10, 10])
        let pads: Attributes = ["pads": .ints([1, 1, 1, 1])]
        let c1 = try b.node(.conv, [x, b.weight("w1", shape: [6, 3, 3, 3], seed: 1, range: -0.5...0.5),
                                    b.weight("b1", shape: [6], seed: 2)], pads)
        let r1 = try b.unary("relu", c1)
        let c2 = try b.node(.conv, [r1, b.weight("w2", shape: [6, 6, 3, 3], seed: 3, range: -0.3...0.3)], pads)
        let r2 = try b.unary("relu", c2)
        let c3 = try b.node(.conv, [r2, b.weight("w3", shape: [6, 6, 3, 3], seed: 4, range: -0.3...0.3),
                                    b.weight("b3", shape: [6], seed: 5)], pads)
        let r3 = try b.unary("relu", try b.binary("add", c3, r1))
        let pooled = try b.node(.reduce, [r3], ["fn": .string("mean"), "axes": .ints([2, 3]), "keepDims": .int(0)])
        let fc = try b.node(.matMul, [pooled, b.weight("fc", shape: [6, 4], seed: 6)])
        b.output(try b.binary("add", fc, b.weight("fcb", shape: [4], seed: 7)))
        return try ModelPipeline.optimize(b.graph, FloatOptimizerOptions(channelsLast: false)).graph
    }

    private func samples(_ count: Int, seed: UInt64) -> [[String: Tensor]] {
        (0..<count).map { i in
            ["image": Tensor(shape: [1, 3, 10, 10], scalars: deterministicFloats(300, seed: seed + UInt64(i)))]
        }
    }

    private func layerNames(_ graph: Graph) -> [String] {
        graph.nodes.filter { $0.op == .conv || $0.op == .matMul }.map(\.name)
    }

    /// Largest |quantized − float| over `data`, and whether the executable's bytes equal the
    /// emulator's on each.
    private func errorAndExactness(_ float: Graph, _ quantized: Graph, on data: [[String: Tensor]]) throws -> Float {
        let reference = ExecutionContext(program: try Compiler.compile(float).program)
        let emulator = ExecutionContext(program: try Compiler.compile(
            quantized, CompileOptions(emulateIntegerSteps: true)).program)
        let executable = ExecutionContext(program: try Compiler.compile(quantized).program)
        var worst: Float = 0
        for sample in data {
            let name = float.outputs[0]
            let expected = try XCTUnwrap(try reference.run(sample)[name]).scalars(as: Float.self)
            let emulated = try XCTUnwrap(try emulator.run(sample)[name])
            let compiled = try XCTUnwrap(try executable.run(sample)[name])
            XCTAssertTrue(compiled.isBitwiseEqual(to: emulated), "executable differs from the emulator")
            for (e, a) in zip(expected, emulated.scalars(as: Float.self)) { worst = max(worst, abs(e - a)) }
        }
        return worst
    }

    func testWideLayersRunAsTwoInt8ProductsExactlyAndCloserToFloat() throws {
        let graph = try network()
        let names = layerNames(graph)
        XCTAssertEqual(names.count, 4)
        // The overall extremes as ranges and the calibration samples as data: nothing is clipped,
        // so what is left is rounding.
        let calibration = samples(12, seed: 10)
        var options = QuantizerOptions(estimator: .minMax)
        let (narrow, _) = try Quantizer.quantize(graph, samples: calibration, options)
        options.wideLayers = Set(names)
        let (wide, report) = try Quantizer.quantize(graph, samples: calibration, options)
        XCTAssertEqual(report.layers.map(\.precision), [.a16w8, .a16w8, .a16w8, .a16w8])
        XCTAssertEqual(report.wideCount, 4)
        XCTAssertEqual(report.quantizedCount, 0)
        let ops = wide.nodes.map(\.op)
        XCTAssertEqual(ops.filter { $0 == .quantizedConv }.count, 6)
        XCTAssertEqual(ops.filter { $0 == .quantizedMatMul }.count, 2)
        // A wide layer reads float: no layer writes u8 codes.
        XCTAssertFalse(wide.nodes.contains { [.quantizedConv, .quantizedMatMul].contains($0.op)
            && wide.types[$0.outputs[0]]?.dtype == .uint8 })
        // Against the float model with the s8 weights (so weight rounding, the same in both, is
        // not counted), what is left is the activations' rounding: 8 bits against 16.
        let roundedWeights = try withRoundedWeights(graph)
        let narrowError = try errorAndExactness(roundedWeights, narrow, on: calibration)
        let wideError = try errorAndExactness(roundedWeights, wide, on: calibration)
        print("max error against the s8-weight float model: a8_w8 \(narrowError), a16_w8 \(wideError)")
        XCTAssertGreaterThan(narrowError, 0)
        XCTAssertLessThan(wideError, narrowError / 50)
    }

    /// A 3×3 conv, a stride-2 depthwise conv, a 1×1 and a 3×3 conv, in both layouts (four convs
    /// make the layout pass choose channels-last).
    func testWideDepthwiseAndChannelsLastConvs() throws {
        for channelsLast in [false, true] {
            var b = TestGraphBuilder()
            let x = b.input("image", [1, 3, 10, 10])
            let c1 = try b.node(.conv, [x, b.weight("w1", shape: [8, 3, 3, 3], seed: 1, range: -0.5...0.5),
                                        b.weight("b1", shape: [8], seed: 2)], ["pads": .ints([1, 1, 1, 1])])
            let depthwise: Attributes = ["pads": .ints([1, 1, 1, 1]), "group": .int(8), "strides": .ints([2, 2])]
            let c2 = try b.node(.conv, [try b.unary("relu", c1),
                                        b.weight("w2", shape: [8, 1, 3, 3], seed: 3, range: -0.3...0.3)], depthwise)
            let c3 = try b.node(.conv, [try b.unary("relu", c2),
                                        b.weight("w3", shape: [8, 8, 1, 1], seed: 4, range: -0.3...0.3),
                                        b.weight("b3", shape: [8], seed: 5)])
            b.output(try b.node(.conv, [c3, b.weight("w4", shape: [4, 8, 3, 3], seed: 6, range: -0.3...0.3)],
                                ["pads": .ints([1, 1, 1, 1])]))
            let graph = try ModelPipeline.optimize(b.graph, FloatOptimizerOptions(channelsLast: channelsLast)).graph
            XCTAssertEqual(graph.nodes.contains { $0.op == .conv && $0.params.isChannelsLast }, channelsLast)
            let calibration = samples(12, seed: 10)
            var options = QuantizerOptions(estimator: .minMax)
            let (narrow, _) = try Quantizer.quantize(graph, samples: calibration, options)
            options.wideLayers = Set(layerNames(graph))
            let (wide, _) = try Quantizer.quantize(graph, samples: calibration, options)
            let roundedWeights = try withRoundedWeights(graph)
            let narrowError = try errorAndExactness(roundedWeights, narrow, on: calibration)
            XCTAssertLessThan(try errorAndExactness(roundedWeights, wide, on: calibration), narrowError / 50)
        }
    }

    /// `graph` with every conv and matMul weight replaced by its s8 value (code × scale).
    private func withRoundedWeights(_ graph: Graph) throws -> Graph {
        var rounded = graph
        for node in graph.nodes where node.op == .conv || node.op == .matMul {
            let w = try XCTUnwrap(graph.weights[node.inputs[1]])
            let q = try WeightQuantization(weights: w, axis: node.op == .conv ? 0 : 1)
            let axis = node.op == .conv ? 0 : 1, inner = w.shape[(axis + 1)...].reduce(1, *)
            let values = q.values.scalars(as: Int8.self).enumerated().map { i, code in
                Float(code) * q.scales[(i / inner) % w.shape[axis]]
            }
            rounded.weights[node.inputs[1]] = Tensor(shape: w.shape, scalars: values)
        }
        return rounded
    }

    func testAnInt8LayerBeforeAWideOneWritesFloat() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [3, 8])
        let h = try b.node(.matMul, [x, b.weight("w1", shape: [8, 8], seed: 11)])
        let y = try b.node(.matMul, [h, b.weight("w2", shape: [8, 8], seed: 12)])
        b.output(try b.node(.matMul, [y, b.weight("w3", shape: [8, 5], seed: 13)]))
        let graph = try ModelPipeline.optimize(b.graph, FloatOptimizerOptions(channelsLast: false)).graph
        let names = layerNames(graph)
        let data = (0..<6).map { ["x": Tensor(shape: [3, 8], scalars: deterministicFloats(24, seed: 40 + UInt64($0)))] }
        var options = QuantizerOptions()
        options.wideLayers = [names[1]]
        let (quantized, report) = try Quantizer.quantize(graph, samples: data, options)
        XCTAssertEqual(report.layers.map(\.precision), [.a8w8, .a16w8, .a8w8])
        func outputType(_ name: String) -> DType? {
            quantized.nodes.first { $0.name == name }.flatMap { quantized.types[$0.outputs[0]]?.dtype }
        }
        XCTAssertEqual(outputType(names[0]), .float32, "the wide layer's producer must not round to u8")
        XCTAssertEqual(outputType(names[1]), .float32)
        XCTAssertEqual(quantized.nodes.filter { $0.name.hasSuffix("/fine") }.count, 1)
        _ = try errorAndExactness(graph, quantized, on: data)
    }

    func testModelScriptSelectsA16W8() throws {
        let graph = try network()
        let names = layerNames(graph)
        let script = try parseScript("quantization_param([\"\(names[1])\"], precision_mode=a16_w8)\n"
            + "quantization_param([\"\(names[2])\"], precision_mode=bf16)\n")
        let (options, _, notes) = try QuantizerOptions.from(script, graph: graph)
        XCTAssertEqual(options.wideLayers, [names[1]])
        XCTAssertEqual(options.floatLayers, [names[2]])
        XCTAssertEqual(options.bfloat16Layers, [names[2]])
        XCTAssertEqual(notes, [])
        let (quantized, report) = try Quantizer.quantize(graph, samples: samples(4, seed: 3), options)
        XCTAssertEqual(report.layers.map(\.precision), [.a8w8, .a16w8, .bf16, .a8w8])
        XCTAssertEqual(report.layers[2].reason, "the model script puts it in bf16")
        XCTAssertEqual(quantized.nodes.filter(\.bfloat16Products).map(\.name), [names[2]])
    }

    func testSensitivitySearchPromotesToA16W8WhereActivationsDominate() throws {
        // The small network (weights rounding dominates) followed by a matMul whose weights s8
        // holds exactly (k/127) and whose input has an outlier channel: its loss is all activation.
        var b = TestGraphBuilder()
        let x = b.input("x", [4, 16])
        let h = try b.node(.matMul, [x, b.weight("w1", shape: [16, 16], seed: 31)])
        // Row 0 holds 1 in every column, so each column's s8 scale is 1/127 and every k/127 exact.
        let codes: [Float] = (0..<128).map { (i: Int) -> Float in i < 8 ? 1 : Float((i * 37) % 255 - 127) / 127 }
        b.output(try b.node(.matMul, [h, b.weight("w2", Tensor(shape: [16, 8], scalars: codes))]))
        let graph = try ModelPipeline.optimize(b.graph, FloatOptimizerOptions(channelsLast: false)).graph
        let data = (0..<12).map { i -> [String: Tensor] in
            var values = deterministicFloats(64, seed: 70 + UInt64(i))
            values[0] = 300
            return ["x": Tensor(shape: [4, 16], scalars: values)]
        }
        var options = QuantizerOptions(targetCosine: 0.999_99)
        options.searchProgress = { _ in }
        options.measureSpeedCost = true
        let (_, report) = try Quantizer.quantize(graph, samples: data, options)
        let search = try XCTUnwrap(report.sensitivity)
        // Both graphs were timed on this CPU (the figures themselves are the machine's business).
        let cost = try XCTUnwrap(search.speedCost, search.speedCostNote ?? "no speed cost")
        XCTAssertEqual(cost.runs, 5)
        XCTAssertGreaterThan(cost.int8Milliseconds, 0)
        XCTAssertGreaterThan(cost.mixedMilliseconds, 0)
        XCTAssertLessThan(search.cosineBefore, 0.999_99)
        XCTAssertFalse(search.promoted.isEmpty)
        // Worst first, and a16_w8 exactly where the layer alone in a16_w8 loses a quarter of its
        // a8_w8 loss and a quarter of the budget 1 − target at most.
        XCTAssertEqual(search.promoted.map(\.cosineAlone), search.promoted.map(\.cosineAlone).sorted())
        for promoted in search.promoted {
            let wide = try XCTUnwrap(promoted.cosineAloneWide)
            let suffices = 1 - wide <= min(1 - promoted.cosineAlone, 1 - 0.999_99) / 4
            XCTAssertEqual(promoted.precision, suffices ? .a16w8 : .float)
            let decision = try XCTUnwrap(report.layers.first { $0.layer == promoted.layer })
            XCTAssertEqual(decision.precision, promoted.precision)
        }
        XCTAssertEqual(search.promoted.first { $0.layer == layerNames(graph)[1] }?.precision, .a16w8,
                       "\(search.promoted)")
        XCTAssertNotNil(search.wideMACShare)
    }

    /// The exactness test again in child processes with oneDNN capped below this CPU's ISA (where
    /// VNNI is missing the Swift SIMD GEMM multiplies), in the baseline and AVX2 SIMD builds.
    func testWideLayersExactUnderISACaps() throws {
        guard ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"] == nil else { return }  // no recursion
        let test = "EFQuantizeTests.WidePrecisionTests/testWideLayersRunAsTwoInt8ProductsExactlyAndCloserToFloat"
        let order = ["avx2", "avx512_core", "avx512_core_vnni", "avx512_core_bf16", "avx512_core_amx"]
        let here = order.firstIndex(of: DNNLEngine.effectiveISA) ?? order.count
        var ran = 0
        for (cap, simd) in [("AVX512_CORE", "avx512"), ("AVX2", "avx2"), ("AVX2", "baseline")]
        where (order.firstIndex(of: cap.lowercased()) ?? 0) < here {
            let (status, text) = try ChildProcess.run(URL(fileURLWithPath: CommandLine.arguments[0]), [test],
                                                      environment: ["ONEDNN_MAX_CPU_ISA": cap, "EDGEFLOW_SIMD": simd])
            XCTAssertEqual(status, 0, "ONEDNN_MAX_CPU_ISA=\(cap) EDGEFLOW_SIMD=\(simd):\n\(text.suffix(2000))")
            XCTAssertTrue(text.contains("Executed 1 test"), "the child ran no test:\n\(text.suffix(2000))")
            ran += 1
        }
        print("a16_w8 exactness checked in \(ran) capped children below \(DNNLEngine.effectiveISA)")
    }
}

// SmoothQuant on a generated transformer-like block: a LayerNorm whose γ gives a few channels
// 40× outliers feeds two matMuls (as Q and K projections would) whose weights for those
// channels are 40× smaller, so the small channels matter as much as the outliers. Smoothing must keep the float
// outputs, move the outliers into the weights, and bring int8 much closer to float. The post-LN form (BERT: the
// LayerNorm's output is also the next residual) gets a multiply on the matMuls' branch instead of a new γ.

import EFCompiler
import EFCore
import EFIR
import EFQuantize
import EFRuntime
import EFTestSupport
import EFTransforms
import XCTest

final class SmoothQuantTests: XCTestCase {
    /// The outlier channels of the LayerNorm's output; the projections' rows for them are 40×
    /// smaller, so every channel contributes alike to the outputs.
    private let outliers = [3, 17, 40, 58]

    private func projection(_ b: inout TestGraphBuilder, _ name: String, seed: UInt64) -> String {
        var w = deterministicFloats(64 * 16, seed: seed, range: -0.2...0.2)
        for j in outliers { for n in 0..<16 { w[j * 16 + n] /= 40 } }
        return b.weight(name, Tensor(shape: [64, 16], scalars: w))
    }

    /// With `residual`, the LayerNorm's output is also added to the input, as a post-LN block's residual.
    private func block(residual: Bool = false) throws -> Graph {
        var b = TestGraphBuilder()
        let x = b.input("tokens", [32, 64])
        var gamma = deterministicFloats(64, seed: 1, range: 0.5...1.5)
        for j in outliers { gamma[j] *= 40 }
        let norm = try b.node(.layerNorm, [x, b.weight("gamma", Tensor(shape: [64], scalars: gamma)),
                                           b.weight("beta", shape: [64], seed: 2, range: -0.2...0.2)],
                              ["axis": .int(1), "epsilon": .float(1e-5)])
        let q = try b.node(.matMul, [norm, projection(&b, "wq", seed: 3)])
        let k = try b.node(.matMul, [norm, projection(&b, "wk", seed: 4)])
        b.output(q)
        b.output(k)
        if residual { b.output(try b.binary("add", norm, x)) }
        return try ModelPipeline.optimize(b.graph).graph
    }

    private func samples(_ count: Int, seed: UInt64) -> [[String: Tensor]] {
        (0..<count).map { ["tokens": Tensor(shape: [32, 64], scalars: deterministicFloats(2048, seed: seed + UInt64($0),
                                                                                          range: -2...2))] }
    }

    private func run(_ graph: Graph, _ sample: [String: Tensor], emulate: Bool = false) throws -> [[Float]] {
        let compiled = try Compiler.compile(graph, CompileOptions(emulateIntegerSteps: emulate))
        let outputs = try ExecutionContext(program: compiled.program).run(sample)
        return graph.outputs.map { outputs[$0]!.scalars(as: Float.self) }
    }

    func testFloatOutputsUnchangedAndOutliersMoveIntoTheWeights() throws {
        let graph = try block()
        let (smoothed, matMuls) = try SmoothQuant.apply(graph, samples: samples(4, seed: 7), alpha: 0.5)
        XCTAssertEqual(matMuls.sorted(), graph.nodes.filter { $0.op == .matMul }.map(\.name).sorted())
        for sample in samples(3, seed: 30) {
            for (expected, actual) in zip(try run(graph, sample), try run(smoothed, sample)) {
                let scale = expected.map { abs(Double($0)) }.max()!
                let worst = zip(expected, actual).map { abs(Double($0) - Double($1)) }.max()!
                XCTAssertLessThan(worst / scale, 1e-5)
            }
        }
        let norm = graph.nodes.first { $0.op == .layerNorm }!
        func spread(_ g: Graph) -> Float {
            let gamma = g.weights[norm.inputs[1]]!.scalars(as: Float.self).map(abs)
            return gamma.max()! / gamma.min()!
        }
        print("gamma max/min: \(spread(graph)) → \(spread(smoothed))")
        XCTAssertGreaterThan(spread(graph), 30)
        XCTAssertLessThan(spread(smoothed), spread(graph) / 4)
    }

    func testPostLayerNormSiteGetsAMultiplyAndKeepsTheResidual() throws {
        let graph = try block(residual: true)
        let (smoothed, matMuls) = try SmoothQuant.apply(graph, samples: samples(4, seed: 7), alpha: 0.5)
        XCTAssertEqual(matMuls.sorted(), graph.nodes.filter { $0.op == .matMul }.map(\.name).sorted())
        let norm = graph.nodes.first { $0.op == .layerNorm }!
        XCTAssertEqual(smoothed.weights[norm.inputs[1]]!.scalars(as: Float.self),
                       graph.weights[norm.inputs[1]]!.scalars(as: Float.self), "γ must stay")
        let multiplies = smoothed.nodes.filter { $0.params == .binary(.mul) && $0.inputs[0] == norm.outputs[0] }
        XCTAssertEqual(multiplies.count, 1)
        XCTAssertEqual(Set(smoothed.nodes.filter { $0.op == .matMul }.map { $0.inputs[0] }),
                       [multiplies[0].outputs[0]])
        XCTAssertNoThrow(try Verifier.verify(smoothed))
        for sample in samples(3, seed: 30) {
            for (expected, actual) in zip(try run(graph, sample), try run(smoothed, sample)) {
                let scale = expected.map { abs(Double($0)) }.max()!
                let worst = zip(expected, actual).map { abs(Double($0) - Double($1)) }.max()!
                XCTAssertLessThan(worst / scale, 1e-5)
            }
        }
    }

    func testInt8CosineImprovesWithSmoothing() throws {
        try checkInt8CosineImproves(residual: false)
    }

    func testInt8CosineImprovesWithSmoothingPostLayerNorm() throws {
        try checkInt8CosineImproves(residual: true)
    }

    private func checkInt8CosineImproves(residual: Bool) throws {
        let graph = try block(residual: residual)
        let calibration = samples(8, seed: 11)
        func worstCosine(_ smooth: Bool) throws -> (Double, QuantizationReport) {
            var options = QuantizerOptions()
            options.smoothQuant = smooth
            let (quantized, report) = try Quantizer.quantize(graph, samples: calibration, options)
            var worst = 1.0
            for sample in samples(6, seed: 300) {
                for (f, q) in zip(try run(graph, sample), try run(quantized, sample, emulate: true)) {
                    worst = min(worst, QuantizerTests.cosine(f, q))
                }
            }
            return (worst, report)
        }
        let (without, _) = try worstCosine(false)
        let (with, report) = try worstCosine(true)
        print("LayerNorm outliers\(residual ? " (post-LN)" : ""), int8 worst cosine: \(without) without SmoothQuant, "
              + "\(with) with")
        XCTAssertEqual(report.algorithms.smoothedMatMuls.count, 2)
        XCTAssertEqual(report.algorithms.smoothQuantAlpha, 0.5)
        XCTAssertGreaterThan(with, without)
        XCTAssertLessThan(1 - with, (1 - without) / 2)
    }

    func testScriptEnablesSmoothQuantWithItsAlpha() throws {
        let graph = try block()
        let script = try ModelScript(parsing: "pre_quantization_optimization(smooth_quant, policy=enabled, alpha=0.8)")
        let (options, _, notes) = try QuantizerOptions.from(script, graph: graph)
        XCTAssertTrue(options.smoothQuant)
        XCTAssertEqual(options.smoothQuantAlpha, 0.8)
        XCTAssertTrue(notes.isEmpty, "\(notes)")
        let level2 = try ModelScript(parsing: "model_optimization_flavor(optimization_level=2)")
        XCTAssertTrue(try QuantizerOptions.from(level2, graph: graph).options.smoothQuant)
        let (_, report) = try Quantizer.quantize(graph, samples: samples(4, seed: 1), options)
        XCTAssertEqual(report.algorithms.smoothedMatMuls.count, 2)
        XCTAssertEqual(report.algorithms.smoothQuantAlpha, 0.8)
    }
}

// Cross-layer equalization on generated CNNs: the float function is unchanged (also through a
// depthwise and a grouped second conv), the per-channel weight ranges are balanced, ineligible
// chains are left alone, and on a CNN whose channels are badly balanced int8 gets much closer
// to float.

import EFCompiler
import EFCore
import EFIR
import EFQuantize
import EFRuntime
import EFTestSupport
import EFTransforms
import XCTest

final class EqualizationTests: XCTestCase {
    /// conv1 (16 channels, channel i scaled by 10^(2(i/15) − 1)... a spread of 10^4) → relu →
    /// conv2 (group `group`, input channel i scaled by the inverse) → relu → conv3.
    private func unbalancedCNN(group: Int = 1, readerOfConv1: Bool = false) throws -> Graph {
        var b = TestGraphBuilder()
        let x = b.input("image", [1, 3, 12, 12])
        let factors = (0..<16).map { Float(pow(10, 4 * Double($0) / 15 - 2)) }
        var w1 = deterministicFloats(16 * 27, seed: 1, range: -0.5...0.5)
        for i in w1.indices { w1[i] *= factors[i / 27] }
        let b1 = (0..<16).map { Float(0.05) * factors[$0] }
        let c1 = try b.node(.conv, [x, b.weight("w1", Tensor(shape: [16, 3, 3, 3], scalars: w1)),
                                    b.weight("b1", Tensor(shape: [16], scalars: b1))], ["pads": .ints([1, 1, 1, 1])])
        let r1 = try b.unary("relu", c1)
        let perGroup = 16 / group
        var w2 = deterministicFloats(16 * perGroup * 9, seed: 2, range: -0.5...0.5)
        for i in w2.indices {
            let m = i / (perGroup * 9), column = (i / 9) % perGroup
            w2[i] /= factors[(m / (16 / group)) * perGroup + column]
        }
        let c2 = try b.node(.conv, [r1, b.weight("w2", Tensor(shape: [16, perGroup, 3, 3], scalars: w2)),
                                    b.weight("b2", shape: [16], seed: 3, range: -0.1...0.1)],
                            ["pads": .ints([1, 1, 1, 1]), "group": .int(group)])
        let r2 = try b.unary("relu", c2)
        let c3 = try b.node(.conv, [r2, b.weight("w3", shape: [4, 16, 1, 1], seed: 4, range: -0.5...0.5)])
        b.output(c3)
        if readerOfConv1 { b.output(r1) }
        return try ModelPipeline.optimize(b.graph, FloatOptimizerOptions(channelsLast: false)).graph
    }

    private func samples(_ count: Int, seed: UInt64) -> [[String: Tensor]] {
        (0..<count).map {
            ["image": Tensor(shape: [1, 3, 12, 12], scalars: deterministicFloats(432, seed: seed + UInt64($0)))]
        }
    }

    private func run(_ graph: Graph, _ sample: [String: Tensor], emulate: Bool = false) throws -> [Float] {
        let compiled = try Compiler.compile(graph, CompileOptions(emulateIntegerSteps: emulate))
        return try ExecutionContext(program: compiled.program).run(sample)[graph.outputs[0]]!.scalars(as: Float.self)
    }

    /// max over channels / min over channels of the per-channel max |w| (axis 0: output
    /// channels; axis 1: input channels of an ungrouped conv).
    private func rangeRatio(_ w: Tensor, axis: Int) -> Double {
        let s = w.shape, values = w.scalars(as: Float.self), inner = s[2...].reduce(1, *)
        var peaks = [Double](repeating: 0, count: s[axis])
        for (i, v) in values.enumerated() {
            let c = axis == 0 ? i / (s[1] * inner) : (i / inner) % s[1]
            peaks[c] = max(peaks[c], Double(abs(v)))
        }
        return peaks.max()! / peaks.min()!
    }

    func testFloatOutputsUnchangedAndRangesBalanced() throws {
        for group in [1, 4, 16] {
            let graph = try unbalancedCNN(group: group)
            let (equalized, pairs) = CrossLayerEqualization.apply(graph)
            let convs = graph.nodes.filter { $0.op == .conv }.map(\.name)
            XCTAssertEqual(pairs, [EqualizedPair(first: convs[0], second: convs[1]),
                                   EqualizedPair(first: convs[1], second: convs[2])], "group \(group)")
            for sample in samples(3, seed: 50) {
                let expected = try run(graph, sample), actual = try run(equalized, sample)
                let scale = expected.map { abs(Double($0)) }.max()!
                let worst = zip(expected, actual).map { abs(Double($0) - Double($1)) }.max()!
                XCTAssertLessThan(worst / scale, 1e-5, "group \(group)")
            }
            let w1 = graph.nodes.first { $0.op == .conv }!.inputs[1]
            let before = rangeRatio(graph.weights[w1]!, axis: 0), after = rangeRatio(equalized.weights[w1]!, axis: 0)
            print("group \(group): conv1 output-channel range ratio \(before) → \(after)")
            XCTAssertGreaterThan(before, 1_000)
            XCTAssertLessThan(after, 20)
            if group == 1 {
                let w2 = graph.nodes.filter { $0.op == .conv }[1].inputs[1]
                let before2 = rangeRatio(graph.weights[w2]!, axis: 1)
                let after2 = rangeRatio(equalized.weights[w2]!, axis: 1)
                print("conv2 input-channel range ratio \(before2) → \(after2)")
                XCTAssertLessThan(after2, before2 / 100)
            }
        }
    }

    func testAConvWhoseOutputHasAnotherReaderIsLeftAlone() throws {
        let graph = try unbalancedCNN(readerOfConv1: true)
        let (equalized, pairs) = CrossLayerEqualization.apply(graph)
        let convs = graph.nodes.filter { $0.op == .conv }.map(\.name)
        XCTAssertEqual(pairs, [EqualizedPair(first: convs[1], second: convs[2])])
        let w1 = graph.nodes.first { $0.op == .conv }!.inputs[1]
        XCTAssertTrue(graph.weights[w1]!.isBitwiseEqual(to: equalized.weights[w1]!))
    }

    func testInt8CloserToFloatOnAnUnbalancedCNN() throws {
        let graph = try unbalancedCNN()
        let calibration = samples(16, seed: 10)
        func meanCosine(equalization: Bool) throws -> (Double, QuantizationReport) {
            var options = QuantizerOptions()
            options.equalization = equalization
            let (quantized, report) = try Quantizer.quantize(graph, samples: calibration, options)
            var total = 0.0
            let checks = samples(8, seed: 200)
            for sample in checks {
                total += QuantizerTests.cosine(try run(graph, sample), try run(quantized, sample, emulate: true))
            }
            return (total / Double(checks.count), report)
        }
        let (without, plain) = try meanCosine(equalization: false)
        let (with, report) = try meanCosine(equalization: true)
        print("unbalanced CNN int8 mean cosine: \(without) without CLE, \(with) with")
        XCTAssertEqual(plain.algorithms.equalizedPairs, [])
        XCTAssertEqual(report.algorithms.equalizedPairs.count, 2)
        XCTAssertGreaterThan(with, 0.999)
        XCTAssertLessThan(1 - with, (1 - without) / 10)
    }
}

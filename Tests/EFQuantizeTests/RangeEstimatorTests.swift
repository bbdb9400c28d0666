// The histogram range estimators on data whose answers are known: percentiles of evenly spread
// values, the rounding noise Δ²/12 of uniform data, an MSE range that clips a lone outlier; and
// both wired through the quantizer, the model script (range=, activation_clipping rules) and the
// report.

import EFCompiler
import EFCore
import EFIR
import EFQuantize
import EFRuntime
import EFTestSupport
import EFTransforms
import XCTest

final class RangeEstimatorTests: XCTestCase {
    /// 10 000 values evenly spread over [0, 1).
    private let even = (0..<10_000).map { Float($0) / 10_000 }

    func testPercentilesOfEvenlySpreadValues() throws {
        var histogram = ValueHistogram(lower: 0, upper: 1)
        histogram.observe(even)
        XCTAssertEqual(histogram.total, 10_000)
        XCTAssertEqual(histogram.counts.count, 2048)
        for (percent, expected) in [(50.0, Float(0.5)), (99.0, 0.99), (1.0, 0.01), (0.0, 0), (100.0, 1)] {
            let value = try XCTUnwrap(histogram.value(atPercentile: percent))
            XCTAssertEqual(value, expected, accuracy: 0.001, "percentile \(percent)")
        }
        let range = try XCTUnwrap(PercentileRange.range(histogram, lower: 0.01, upper: 99.99))
        XCTAssertEqual(range.lower, 0.0001, accuracy: 0.0006)
        XCTAssertEqual(range.upper, 0.9999, accuracy: 0.0006)
    }

    func testPercentileIgnoresALoneOutlier() throws {
        var histogram = ValueHistogram(lower: 0, upper: 100)
        histogram.observe(even + [100])
        let range = try XCTUnwrap(PercentileRange.range(histogram, lower: 0.01, upper: 99.99))
        // 99.99 % of 10 001 values is 10 000: every even value, none of the outlier. A bin is
        // 100 / 2048 wide, so the answer is within one bin of 1.
        XCTAssertEqual(range.upper, 1, accuracy: 100 / 2048)
        XCTAssertEqual(range.lower, 0, accuracy: 100 / 2048)
    }

    func testSquaredErrorOfUniformDataIsTheRoundingNoise() throws {
        var histogram = ValueHistogram(lower: 0, upper: 1)
        histogram.observe(even)
        // Unclipped uniform data: Σ(x − x̂)² = N · Δ²/12 with Δ = 1/255.
        let expected = 10_000.0 / (255 * 255 * 12)
        let error = try XCTUnwrap(MSERange.squaredError(histogram, lower: 0, upper: 1))
        XCTAssertEqual(error, expected, accuracy: expected * 0.01)
        // Clipping at 0.5: the clipped half contributes ∫(x − 0.5)² over [0.5, 1] · 10 000.
        let clipped = try XCTUnwrap(MSERange.squaredError(histogram, lower: 0, upper: 0.5))
        let clipError = 10_000.0 * 0.125 / 3
        XCTAssertEqual(clipped, clipError + 5_000.0 / (510 * 510 * 12), accuracy: clipError * 0.01)
        // Nothing to clip: the best range is the whole range.
        let best = try XCTUnwrap(MSERange.range(histogram))
        XCTAssertEqual(best.upper, 1, accuracy: 1.0 / 128)
    }

    /// Laplace(0, 1) values: −ln(u) with a random sign.
    private func laplace(_ count: Int, seed: UInt64) -> [Float] {
        let u = deterministicFloats(count, seed: seed, range: 1e-7...1)
        let sign = deterministicFloats(count, seed: seed + 1)
        return zip(u, sign).map { -log($0) * ($1 < 0 ? -1 : 1) }
    }

    func testMSERangeOfLaplaceDataIsTheAnalyticClip() throws {
        let values = laplace(1_000_000, seed: 3)
        var histogram = ValueHistogram(lower: values.min()!, upper: values.max()!)
        histogram.observe(values)
        let best = try XCTUnwrap(MSERange.range(histogram))
        let atBest = try XCTUnwrap(MSERange.squaredError(histogram, lower: best.lower, upper: best.upper))
        let atMinMax = try XCTUnwrap(MSERange.squaredError(histogram, lower: histogram.lower, upper: histogram.upper))
        print("laplace: extremes [\(histogram.lower), \(histogram.upper)], mse range [\(best.lower), \(best.upper)], "
            + "error \(atBest) vs minmax \(atMinMax)")
        // Banner et al. (ACIQ): the 8-bit clip of Laplace(0, b) minimizing the MSE is 9.89 b.
        XCTAssertEqual(best.upper, 9.89, accuracy: 0.6)
        XCTAssertEqual(best.lower, -9.89, accuracy: 0.6)
        XCTAssertLessThan(atBest, atMinMax * 0.8)
        // A lone outlier is worth (nearly) keeping: clipping 50 to 5 costs 45² alone, far more
        // than the rounding noise of 20 000 values in [−1, 1] with the whole range (about 67).
        var lone = ValueHistogram(lower: -1, upper: 50)
        lone.observe(deterministicFloats(20_000, seed: 3) + [50])
        XCTAssertGreaterThan(try XCTUnwrap(MSERange.range(lone)).upper, 45)
    }

    /// x → matMul on inputs in [−1, 1] with one outlier of 40 per sample, or on Laplace(0, 1)
    /// inputs.
    private func outlierGraph(laplaceRows: Int? = nil) throws -> (Graph, [[String: Tensor]], String) {
        let rows = laplaceRows ?? 64
        var b = TestGraphBuilder()
        let x = b.input("x", [rows, 32])
        let y = try b.node(.matMul, [x, b.weight("w", shape: [32, 8], seed: 5, range: -0.3...0.3)])
        b.output(y)
        let graph = try ModelPipeline.optimize(b.graph).graph
        let samples = (0..<6).map { i -> [String: Tensor] in
            if laplaceRows != nil {
                return ["x": Tensor(shape: [rows, 32], scalars: laplace(rows * 32, seed: UInt64(i)))]
            }
            var values = deterministicFloats(64 * 32, seed: UInt64(40 + i))
            values[i * 7] = 40
            return ["x": Tensor(shape: [64, 32], scalars: values)]
        }
        return (graph, samples, graph.nodes.first { $0.op == .matMul }!.name)
    }

    func testQuantizerUsesTheChosenEstimator() throws {
        var (graph, samples, _) = try outlierGraph()
        func inputScale(_ estimator: RangeEstimator) throws -> (Float, QuantizationReport) {
            let (_, report) = try Quantizer.quantize(graph, samples: samples, QuantizerOptions(estimator: estimator))
            return (try XCTUnwrap(report.layers.first?.input?.scale), report)
        }
        let (minMax, _) = try inputScale(.minMax)
        let (percentile, report) = try inputScale(.symmetricPercentile(99.9))
        print("input scale: minmax \(minMax), percentile \(percentile)")
        XCTAssertEqual(minMax, 41 / 255, accuracy: 0.01)
        XCTAssertEqual(percentile, 2 / 255, accuracy: 0.1 / 255)
        XCTAssertEqual(report.algorithms.rangeEstimator, "percentile 0.1/99.9")
        // 6 · 8192 · 32 Laplace values reach about ±14; the MSE clip is near ±9.9.
        (graph, samples, _) = try outlierGraph(laplaceRows: 8192)
        let (laplaceMinMax, _) = try inputScale(.minMax)
        let (mse, mseReport) = try inputScale(.mse)
        print("laplace input scale: minmax \(laplaceMinMax), mse \(mse)")
        XCTAssertEqual(mse, 2 * 9.89 / 255, accuracy: 1.2 / 255)
        XCTAssertLessThan(mse, laplaceMinMax * 0.85)
        XCTAssertEqual(mseReport.algorithms.rangeEstimator, "mse")
    }

    func testScriptRangeAndClippingRulesBecomeEstimators() throws {
        let (graph, samples, layer) = try outlierGraph()
        let script = try ModelScript(parsing: """
            model_optimization_config(calibration, range=percentile, percentile=99.9)
            pre_quantization_optimization(activation_clipping, layers=[\(layer)], mode=mse)
            """, fileName: "t.alls")
        let (options, _, notes) = try QuantizerOptions.from(script, graph: graph)
        XCTAssertEqual(options.estimator, .symmetricPercentile(99.9))
        XCTAssertEqual(options.outputEstimators, [layer: .mse])
        XCTAssertTrue(options.equalization)
        XCTAssertFalse(notes.contains { $0.contains("activation_clipping") || $0.contains("range") }, "\(notes)")
        let (_, report) = try Quantizer.quantize(graph, samples: samples, options)
        XCTAssertEqual(report.algorithms.clippedValues, [graph.outputs[0]: "mse"])
        let disabled = try ModelScript(parsing: """
            pre_quantization_optimization(activation_clipping, mode=percentile, clipping_values=[1, 99])
            pre_quantization_optimization(activation_clipping, layers=[\(layer)], mode=disabled)
            """, fileName: "t.alls")
        let (second, _, _) = try QuantizerOptions.from(disabled, graph: graph)
        XCTAssertNil(second.outputEstimators[layer])
        XCTAssertEqual(second.estimator, .meanMinMax)
    }
}

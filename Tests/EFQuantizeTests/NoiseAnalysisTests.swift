// The noise analysis on a small generated CNN, every figure recomputed here from the same tensors
// by plain loops: the accumulated SNR, cosines, clip rate, codes and channel bias at each layer
// (both graphs run with the layers' outputs as extra outputs, the int8 one on the reference
// integer kernels), the sensitivity SNR (the quantizer asked to keep every other layer in float),
// the MACs by hand, the order, the JSON, and the refusals of graphs that do not belong together.

import EFCompiler
import EFCore
import EFIR
import EFQuantize
import EFRuntime
import EFTestSupport
import Foundation
import XCTest

final class NoiseAnalysisTests: XCTestCase {
    private func run(_ graph: Graph, extra: [String], _ sample: [String: Tensor], emulate: Bool = false) throws
        -> [String: Tensor] {
        var probe = graph
        probe.outputs += extra.filter { !graph.outputs.contains($0) }
        let program = try Compiler.compile(probe, CompileOptions(emulateIntegerSteps: emulate)).program
        return try ExecutionContext(program: program).run(sample)
    }

    private static func snr(_ x: [[Float]], _ y: [[Float]]) -> Double {
        var signal = 0.0, noise = 0.0
        for (a, b) in zip(x, y) {
            for (f, q) in zip(a, b) {
                signal += Double(f) * Double(f)
                noise += (Double(q) - Double(f)) * (Double(q) - Double(f))
            }
        }
        return noise == 0 ? 140 : min(140, 10 * log10(signal / noise))
    }

    private static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let na = a.reduce(0.0) { $0 + Double($1) * Double($1) }, nb = b.reduce(0.0) { $0 + Double($1) * Double($1) }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    func testFiguresMatchAnIndependentComputationOnTheSameTensors() throws {
        let float = try NoiseFixtures.optimized(try NoiseFixtures.smallCNN())
        let calibration = NoiseFixtures.samples(float, count: 12, seed: 10)
        let (quantized, quantization) = try NoiseFixtures.quantized(float, calibration: calibration)
        XCTAssertEqual(quantization.quantizedCount, 3)
        let data = NoiseFixtures.samples(float, count: 5, seed: 500)
        let report = try NoiseAnalysis.analyze(quantized: quantized, float: float, samples: data,
                                               NoiseAnalysisOptions(model: "cnn", budget: NoiseFixtures.budget()))
        XCTAssertEqual(report.samples, 5)
        XCTAssertEqual(report.layers.count, 3)
        XCTAssertEqual(Set(report.layers.map(\.layer)), Set(quantization.layers.map(\.layer)))
        XCTAssertEqual(report.layers.map(\.sensitivitySNR), report.layers.map(\.sensitivitySNR).sorted(),
                       "most sensitive first")
        let values = report.layers.map(\.value)
        let codesOf = Dictionary(uniqueKeysWithValues: report.layers.map { layer in
            (layer.layer, quantized.nodes.first { $0.name == layer.layer }!.outputs[0])
        })
        var fp: [String: [[Float]]] = [:], q: [String: [[Float]]] = [:], codes: [String: [[UInt8]]] = [:]
        for sample in data {
            let expected = try run(float, extra: values, sample)
            let actual = try run(quantized, extra: values + Array(codesOf.values), sample, emulate: true)
            for name in Set(values + float.outputs) {
                fp[name, default: []].append(expected[name]!.scalars(as: Float.self))
                q[name, default: []].append(actual[name]!.scalars(as: Float.self))
            }
            for (layer, name) in codesOf where actual[name]?.dtype == .uint8 {
                codes[layer, default: []].append(actual[name]!.scalars(as: UInt8.self))
            }
        }
        for layer in report.layers {
            let (x, y) = (fp[layer.value]!, q[layer.value]!)
            XCTAssertEqual(layer.accumulatedSNR, Self.snr(x, y), accuracy: 1e-9, layer.layer)
            let cosines = zip(x, y).map { Self.cosine($0, $1) }
            XCTAssertEqual(layer.cosineMean, cosines.reduce(0, +) / 5, accuracy: 1e-12, layer.layer)
            XCTAssertEqual(layer.cosineMin, cosines.min()!, accuracy: 1e-12, layer.layer)
            // NCHW: channel c holds elements [c·H·W, (c+1)·H·W) of each sample.
            let shape = float.types[layer.value]!.shape, inner = shape.count == 4 ? shape[2] * shape[3] : 1
            var sums = [Double](repeating: 0, count: shape.count == 4 ? shape[1] : shape.last!)
            for (a, b) in zip(x, y) {
                for i in a.indices { sums[(i / inner) % sums.count] += Double(b[i]) - Double(a[i]) }
            }
            let means = sums.map { $0 / Double(x.count * x[0].count / sums.count) }
            let worst = means.indices.max { abs(means[$0]) < abs(means[$1]) }!
            XCTAssertEqual(layer.maxBiasChannel, worst, layer.layer)
            XCTAssertEqual(layer.maxChannelBias, means[worst], accuracy: 1e-12, layer.layer)
            XCTAssertEqual(layer.flagged, min(layer.sensitivitySNR, layer.accumulatedSNR) < 10)
            XCTAssertLessThanOrEqual(layer.points.float.count, 240)
            if let c = codes[layer.layer] {
                XCTAssertEqual(layer.output, "u8")
                let all = c.flatMap { $0 }
                XCTAssertEqual(layer.clipRate!, Double(all.filter { $0 == 0 || $0 == 255 }.count) / Double(all.count),
                               accuracy: 1e-15)
                XCTAssertEqual(layer.codesUsed, Set(all).count)
            } else {
                XCTAssertEqual(layer.output, "float32")
                XCTAssertNil(layer.clipRate)
                XCTAssertNil(layer.codesUsed)
            }
        }
        XCTAssertEqual(report.layers.filter { $0.op == "conv" }.map(\.macs).sorted(), [8 * 144 * 27, 8 * 144 * 72])
        XCTAssertEqual(report.layers.filter { $0.op == "matMul" }.map(\.macs), [8 * 5])
        for output in float.outputs {
            let whole = try XCTUnwrap(report.outputs.first { $0.name == output })
            XCTAssertEqual(whole.snr, Self.snr(fp[output]!, q[output]!), accuracy: 1e-9)
        }
        // Sensitivity: the same calibration with every other layer kept in float quantizes one layer alone.
        for layer in report.layers {
            let others = Set(quantization.layers.map(\.layer)).subtracting([layer.layer])
            let (alone, _) = try NoiseFixtures.quantized(float, calibration: calibration,
                                                         QuantizerOptions(floatLayers: others))
            var x: [[Float]] = [], y: [[Float]] = []
            for sample in data {
                x.append(try run(float, extra: [], sample)[float.outputs[0]]!.scalars(as: Float.self))
                y.append(try run(alone, extra: [], sample, emulate: true)[float.outputs[0]]!.scalars(as: Float.self))
            }
            XCTAssertEqual(layer.sensitivitySNR, Self.snr(x, y), accuracy: 1e-9, layer.layer)
            XCTAssertEqual(layer.sensitivityOutput, float.outputs[0])
        }
    }

    func testJSONRoundTripsAndDropsPointsForScripts() throws {
        let float = try NoiseFixtures.optimized(try NoiseFixtures.convChain(3))
        let (quantized, _) = try NoiseFixtures.quantized(float, calibration: NoiseFixtures.samples(float, count: 6,
                                                                                                   seed: 1))
        let report = try NoiseAnalysis.analyze(quantized: quantized, float: float,
                                               samples: NoiseFixtures.samples(float, count: 3, seed: 70),
                                               NoiseAnalysisOptions(model: "chain", budget: NoiseFixtures.budget()))
        let data = try JSONEncoder().encode(report)
        XCTAssertEqual(try JSONDecoder().decode(NoiseReport.self, from: data), report)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["snrCap"] as? Double, 140)
        let first = try XCTUnwrap((object["layers"] as? [[String: Any]])?.first)
        for key in ["layer", "op", "sensitivitySNR", "accumulatedSNR", "cosineMean", "cosineMin", "clipRate",
                    "codesUsed", "maxChannelBias", "maxBiasChannel", "macs", "flagged", "points"] {
            XCTAssertNotNil(first[key], "no \(key) in \(first.keys.sorted())")
        }
        XCTAssertTrue(report.layers.allSatisfy { !$0.points.float.isEmpty })
        XCTAssertTrue(report.withoutPoints.layers.allSatisfy { $0.points.float.isEmpty })
        XCTAssertEqual(NoiseAnalysis.decibels(signal: 4, noise: 0), 140)
        XCTAssertEqual(NoiseAnalysis.decibels(signal: 1e30, noise: 1e-30), 140)
        XCTAssertEqual(NoiseAnalysis.decibels(signal: 0, noise: 1), -140)
        XCTAssertEqual(NoiseAnalysis.decibels(signal: 100, noise: 1), 20, accuracy: 1e-12)
    }

    func testRefusesAFloatGraphTheQuantizedOneWasNotMadeFrom() throws {
        let float = try NoiseFixtures.optimized(try NoiseFixtures.convChain(3))
        let (quantized, _) = try NoiseFixtures.quantized(float, calibration: NoiseFixtures.samples(float, count: 4,
                                                                                                   seed: 2))
        let data = NoiseFixtures.samples(float, count: 2, seed: 3)
        let options = NoiseAnalysisOptions(model: "m", budget: NoiseFixtures.budget())
        var other = float
        let conv = other.nodes.first { $0.op == .conv }!
        let w = other.weights[conv.inputs[1]]!
        other.weights[conv.inputs[1]] = Tensor(shape: w.shape, scalars: w.scalars(as: Float.self).map { $0 * 1.5 })
        XCTAssertThrowsError(try NoiseAnalysis.analyze(quantized: quantized, float: other, samples: data, options)) {
            let error = $0 as? EdgeflowError
            XCTAssertEqual(error?.kind, .invalidInput)
            XCTAssertTrue(error?.message.contains("layer '\(conv.name)'") == true, "\($0)")
            XCTAssertTrue(error?.hint?.contains("--float") == true, "\($0)")
        }
        var bare = quantized
        bare.metadata[QuantizationReport.metadataKey] = nil
        XCTAssertThrowsError(try NoiseAnalysis.analyze(quantized: bare, float: float, samples: data, options)) {
            XCTAssertTrue("\($0)".contains(QuantizationReport.metadataKey), "\($0)")
        }
        XCTAssertThrowsError(try NoiseAnalysis.analyze(quantized: float, float: float, samples: data, options)) {
            XCTAssertTrue("\($0)".contains("not quantized"), "\($0)")
        }
        let tiny = MemoryBudget(limitBytes: 1000, name: "analysis memory", howToChange: "raise --max-memory")
        XCTAssertThrowsError(try NoiseAnalysis.analyze(quantized: quantized, float: float, samples: data,
                                                       NoiseAnalysisOptions(model: "m", budget: tiny))) {
            XCTAssertTrue("\($0)".contains("analysis memory"), "\($0)")
        }
    }
}

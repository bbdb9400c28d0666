// Bias correction: an input with a large mean turns the weights' rounding error into a visible
// per-channel output shift; correcting the bias with Σ (ŵ − w)·E[x] must remove most of it.

import EFCompiler
import EFCore
import EFIR
import EFQuantize
import EFRuntime
import EFTestSupport
import EFTransforms
import XCTest

final class BiasCorrectionTests: XCTestCase {
    func testCorrectionRemovesTheMeanShiftOfRoundedWeights() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [16, 64])
        let y = try b.node(.matMul, [x, b.weight("w", shape: [64, 8], seed: 21, range: -0.05...0.05)])
        b.output(y)
        let graph = try ModelPipeline.optimize(b.graph).graph
        func sample(_ seed: UInt64) -> [String: Tensor] {
            ["x": Tensor(shape: [16, 64], scalars: deterministicFloats(1024, seed: seed, range: 5...6))]
        }
        let calibration = (0..<8).map { sample(UInt64($0)) }
        let float = try Compiler.compile(graph)
        func meanAbsoluteShift(biasCorrection: Bool) throws -> Double {
            let (quantized, _) = try Quantizer.quantize(graph, samples: calibration,
                                                        QuantizerOptions(biasCorrection: biasCorrection))
            let emulator = try Compiler.compile(quantized, CompileOptions(emulateIntegerSteps: true))
            var shift = [Double](repeating: 0, count: 8)
            for seed in 100..<108 {
                let input = sample(UInt64(seed))
                let expected = try ExecutionContext(program: float.program).run(input)[y]!.scalars(as: Float.self)
                let actual = try ExecutionContext(program: emulator.program).run(input)[y]!.scalars(as: Float.self)
                for i in expected.indices { shift[i % 8] += Double(actual[i] - expected[i]) }
            }
            return shift.map { abs($0) / (16 * 8) }.reduce(0, +) / 8
        }
        let without = try meanAbsoluteShift(biasCorrection: false)
        let with = try meanAbsoluteShift(biasCorrection: true)
        XCTAssertLessThan(with, without * 0.5, "mean |shift| with correction \(with), without \(without)")
    }
}

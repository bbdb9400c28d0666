// Quantizes a golden case's real model the way `edgeflow optimize --calib-set` does (parse,
// fp-optimize, calibrate on photos, quantize), then runs it three ways: the float executable,
// the quantized emulator (integer steps on the contract's reference kernels) and the int8
// executable (compiled, written as an .efx, loaded by the deploy-only runtime). The emulator
// and the executable must agree byte for byte on the golden input and on random inputs.

import EFCompiler
import EFCore
import EFIR
import EFONNX
import EFQuantize
import EFRuntime
import EFTestSupport
import EFTransforms
import Foundation
import XCTest

enum QuantizedRunner {
    struct Outcome {
        var float: [String: Tensor]
        var quantized: [String: Tensor]
        var report: QuantizationReport
        var graph: Graph
    }

    /// - Parameters:
    ///   - samples: calibration inputs (one tensor per graph input each).
    ///   - randomInputs: extra uniform random inputs in `randomRange` on which emulator and
    ///     executable must agree byte for byte.
    static func run(_ golden: GoldenCase, samples: [[String: Tensor]], options: QuantizerOptions = .init(),
                    randomInputs: Int,
                    randomRange: ClosedRange<Float> = -1...1, file: StaticString = #filePath,
                    line: UInt = #line) throws -> Outcome {
        let inputs = try golden.inputTensors()
        let parsed = try ONNXImporter.importModel(at: golden.modelURL,
                                                  options: ImportOptions(inputShapes: inputs.mapValues { $0.shape }))
        let float = try ModelPipeline.optimize(parsed, FloatOptimizerOptions(channelsLast: true)).graph
        let (quantized, report) = try Quantizer.quantize(float, samples: samples, options)
        let floatOutputs = try ExecutableRoundTrip.run(float, inputs)
        let emulator = try Compiler.compile(quantized, CompileOptions(emulateIntegerSteps: true))
        let executable = try ExecutableRoundTrip.load(quantized)
        var checks = [inputs]
        for index in 0..<randomInputs {
            checks.append(try inputs.mapValues { tensor in
                Tensor(shape: tensor.shape, scalars: deterministicFloats(tensor.count, seed: UInt64(7_919 * index + 1),
                                                                          range: randomRange))
            })
        }
        var quantizedOutputs: [String: Tensor] = [:]
        for (index, input) in checks.enumerated() {
            let expected = try ExecutionContext(program: emulator.program).run(input)
            let actual = try executable.run(input)
            for name in quantized.outputs {
                let same = try XCTUnwrap(expected[name]).isBitwiseEqual(to: try XCTUnwrap(actual[name]))
                XCTAssertTrue(same, "\(golden.case): output \(name) of input \(index) differs between the quantized "
                    + "emulator and the int8 executable", file: file, line: line)
            }
            if index == 0 { quantizedOutputs = actual }
        }
        print("quantized \(golden.case): \(report.quantizedCount)/\(report.layers.count) layers int8, "
            + "\(checks.count) inputs bit-exact checked")
        return Outcome(float: floatOutputs, quantized: quantizedOutputs, report: report, graph: quantized)
    }

    static func cosine(_ a: Tensor, _ b: Tensor) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a.scalars(as: Float.self), b.scalars(as: Float.self)) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }
}

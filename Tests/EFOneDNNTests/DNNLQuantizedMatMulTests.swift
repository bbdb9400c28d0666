// int8 matmul through oneDNN against the reference integer kernels: u8 output against
// Kernels.qlinearMatMul (bit-exact, or ±1 only at rounding ties), f32 output against
// Kernels.matMulInteger + bias dequantized (1e-5 of the magnitude), constant and runtime B,
// broadcast batch dims, extreme zero points, and the fused residual + activation.

import EFCore
import EFKernels
import EFOneDNN
import EFTestSupport
import XCTest

final class DNNLQuantizedMatMulTests: XCTestCase {
    static let shapes: [([Int], [Int])] = [([5, 7], [7, 3]), ([2, 3, 5, 16], [3, 16, 6]), ([1, 9, 33], [4, 33, 17]), ([50, 96], [96, 40])]

    func run(_ kernel: DNNLQuantizedMatMul, _ a: Tensor, _ b: Tensor?, residual: Tensor?, outputType: DType) throws -> Tensor {
        try runKernel(source: a, outputShape: kernel.outputShape, outputType: outputType, initial: residual,
                      scratchpadByteCount: kernel.scratchpadByteCount) { pa, pd, scratch in
            if let b {
                try b.withUnsafeBytes { try kernel.execute(a: pa, b: $0.baseAddress!, destination: pd, scratchpad: scratch) }
            } else {
                try kernel.execute(a: pa, b: nil, destination: pd, scratchpad: scratch)
            }
        }
    }

    func testAgainstQLinearMatMulAndMatMulInteger() throws {
        var ties = 0, total = 0
        let zeroPoints: [(Int32, Int32)] = [(0, 0), (128, 128), (255, 255), (0, 255), (255, 0), (77, 128)]
        var round = 0
        for (index, (aShape, bShape)) in Self.shapes.enumerated() {
            for runtimeB in [false, true] {
                let (za, zy) = zeroPoints[round % zeroPoints.count]
                defer { round += 1 }
                var random = SeededValues(seed: UInt64(index * 2 + (runtimeB ? 1 : 0)))
                let a = random.uint8Tensor(aShape), b = random.int8Tensor(bShape, sevenBit: round % 2 == 0)
                let n = bShape.last!
                let sa: Float = 0.03, sb = random.scales(index % 2 == 0 ? n : 1, from: 0.002, to: 0.01)
                let bias = random.int32Tensor([n], in: -3000...3000)
                var acc = try Kernels.matMulInteger(a, b, aZeroPoint: Tensor(scalar: UInt8(za)), bZeroPoint: nil)
                acc = try Kernels.binary(.add, acc, bias)
                let real = dequantizedAccumulators(acc, sourceScale: sa, weightScales: sb, inner: 1)
                let values = real.scalars(as: Float.self)
                let sy = max(1e-3, ((values.max() ?? 1) - (values.min() ?? 0)) / 200)
                let operand: DNNLMatrixB = runtimeB ? .runtime : .constant(b)
                let shape = DNNLMatMulShape(a: aShape, b: bShape)
                let what = "\(aShape)·\(bShape) runtime B \(runtimeB) za \(za) zy \(zy) 7-bit \(round % 2 == 0)"
                // Requantized u8 (the reference takes no bias: compare bias-free).
                let u8Kernel = try DNNLQuantizedMatMul(shape: shape, b: operand, bias: nil, quantization: DNNLQuantization(
                    sourceScale: sa, sourceZeroPoint: za, weightScales: sb, output: .u8(scale: sy, zeroPoint: zy)))
                let expected = try Kernels.qlinearMatMul(
                    a: a, aScale: Tensor(scalar: sa), aZeroPoint: Tensor(scalar: UInt8(za)), b: b,
                    bScale: Tensor(shape: [sb.count], scalars: sb), bZeroPoint: nil, yScale: Tensor(scalar: sy),
                    yZeroPoint: Tensor(scalar: UInt8(zy)))
                let accNoBias = try Kernels.matMulInteger(a, b, aZeroPoint: Tensor(scalar: UInt8(za)), bZeroPoint: nil)
                let realNoBias = dequantizedAccumulators(accNoBias, sourceScale: sa, weightScales: sb, inner: 1)
                let actual = try run(u8Kernel, a, runtimeB ? b : nil, residual: nil, outputType: .uint8)
                ties += assertQuantizedMatch(actual, expected, exact: exactQuantizedValues(realNoBias, scale: sy, zeroPoint: zy),
                                             tieWindow: 1e-4, "\(what) u8 [\(u8Kernel.implementation)]")
                total += actual.count
                // Dequantized f32 with bias.
                let f32Kernel = try DNNLQuantizedMatMul(shape: shape, b: operand, bias: bias, quantization: DNNLQuantization(
                    sourceScale: sa, sourceZeroPoint: za, weightScales: sb, output: .f32))
                assertClose(try run(f32Kernel, a, runtimeB ? b : nil, residual: nil, outputType: .float32), real,
                            relativeTolerance: 1e-5, "\(what) f32 [\(f32Kernel.implementation)]")
            }
        }
        print("int8 matmul requantized: \(ties) of \(total) outputs differ by 1 at a rounding tie")
    }

    func testFusedBiasResidualActivation() throws {
        var random = SeededValues(seed: 99)
        let a = random.uint8Tensor([6, 40]), b = random.int8Tensor([40, 24])
        let sb = random.scales(24, from: 0.002, to: 0.01), bias = random.int32Tensor([24], in: -3000...3000)
        var acc = try Kernels.matMulInteger(a, b, aZeroPoint: Tensor(scalar: UInt8(255)), bZeroPoint: nil)
        acc = try Kernels.binary(.add, acc, bias)
        let real = dequantizedAccumulators(acc, sourceScale: 0.03, weightScales: sb, inner: 1)
        let sy: Float = 0.05, zy: Int32 = 100
        let residualQ = random.uint8Tensor([6, 24])
        for activation in [(UnaryFunction.relu, Float(0), Float(0)), (.gelu, 0, 0), (.hardSigmoid, 0.2, 0.5)] {
            let epilogue = DNNLEpilogue(residualSum: true, activation: DNNLActivation(unaryName: activation.0.rawValue,
                                                                                      alpha: activation.1, beta: activation.2))
            let kernel = try DNNLQuantizedMatMul(shape: DNNLMatMulShape(a: [6, 40], b: [40, 24]), b: .constant(b), bias: bias,
                                                 quantization: DNNLQuantization(sourceScale: 0.03, sourceZeroPoint: 255,
                                                                                weightScales: sb, output: .u8(scale: sy, zeroPoint: zy)),
                                                 epilogue: epilogue)
            let y = try referenceEpilogue(real, residual: dequantizeReference(residualQ, scale: sy, zeroPoint: zy),
                                          activation: activation)
            assertQuantizedMatch(try run(kernel, a, nil, residual: residualQ, outputType: .uint8),
                                 try quantizeReference(y, scale: sy, zeroPoint: zy),
                                 exact: exactQuantizedValues(y, scale: sy, zeroPoint: zy), tieWindow: 2e-3,
                                 "\(activation.0) [\(kernel.implementation)]")
        }
    }
}

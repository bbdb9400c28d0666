// int8 convolution through oneDNN against the reference integer kernels: requantized u8
// output against Kernels.qlinearConv (bit-exact, or ±1 only at rounding ties), dequantized
// f32 output against Kernels.convInteger + bias (1e-5 of the magnitude), and the fused
// residual sum + activation against the same done on real values, over shapes, layouts
// and extreme zero points (0, 128, 255).

import EFCore
import EFKernels
import EFOneDNN
import EFTestSupport
import XCTest

final class DNNLQuantizedConvolutionTests: XCTestCase {
    struct Operands {
        var x: Tensor, w: Tensor, bias: Tensor
        var sx: Float, sw: [Float]
        /// sx·sw·(conv of (x − zx) and w + bias), NCHW float32.
        var real: Tensor
    }

    /// Weights are 7-bit for odd seeds, so both oneDNN's fast kernels and (on CPUs without
    /// VNNI) its reference fallback for full-range weights are covered.
    func operands(_ s: DNNLConvolutionShape, zx: Int32, perChannel: Bool, seed: UInt64) throws -> Operands {
        var random = SeededValues(seed: seed)
        let x = random.uint8Tensor([s.batch, s.inChannels] + s.inputSpatial)
        let w = random.int8Tensor([s.outChannels, s.inChannels / s.groups] + s.kernel, sevenBit: seed % 2 == 1)
        let bias = random.int32Tensor([s.outChannels], in: -2000...2000)
        let sx: Float = 0.02, sw = random.scales(perChannel ? s.outChannels : 1, from: 0.002, to: 0.01)
        let parameters = ConvParameters(strides: s.strides, dilations: s.dilations, pads: s.padBegin + s.padEnd, group: s.groups)
        var acc = try Kernels.convInteger(x, weight: w, xZeroPoint: Tensor(scalar: UInt8(zx)), wZeroPoint: nil, parameters)
        acc = try Kernels.binary(.add, acc, bias.reshaped([s.outChannels] + s.inputSpatial.map { _ in 1 }))
        let inner = Array(acc.shape.dropFirst(2)).elementCount
        return Operands(x: x, w: w, bias: bias, sx: sx, sw: sw,
                        real: dequantizedAccumulators(acc, sourceScale: sx, weightScales: sw, inner: inner))
    }

    func run(_ kernel: DNNLQuantizedConvolution, _ x: Tensor, residual: Tensor?, outputType: DType) throws -> Tensor {
        let channelsLast = kernel.layout == .nhwc
        let out = try runKernel(source: channelsLast ? try toChannelsLast(x) : x, outputShape: kernel.outputShape,
                                outputType: outputType, initial: try residual.map { channelsLast ? try toChannelsLast($0) : $0 },
                                scratchpadByteCount: kernel.scratchpadByteCount) {
            try kernel.execute(source: $0, destination: $1, scratchpad: $2)
        }
        return channelsLast ? try fromChannelsLast(out, logicalShape: kernel.outputShape) : out
    }

    /// An output scale that spreads the real outputs over about 200 steps.
    func outputScale(_ real: Tensor) -> Float {
        let values = real.scalars(as: Float.self)
        return max(1e-3, ((values.max() ?? 1) - (values.min() ?? 0)) / 200)
    }

    func testRequantizedOutputMatchesQLinearConv() throws {
        var ties = 0, total = 0
        let zeroPoints: [(Int32, Int32)] = [(0, 0), (128, 128), (255, 255), (0, 255), (255, 0), (128, 3)]
        for (index, c) in DNNLConvolutionTests.cases.enumerated() {
            for (layoutIndex, layout) in [DNNLLayout.nchw, .nhwc].enumerated() {
                let (zx, zy) = zeroPoints[(index * 2 + layoutIndex) % zeroPoints.count]
                let s = c.shape
                let o = try operands(s, zx: zx, perChannel: index % 3 != 2, seed: UInt64(index * 2 + layoutIndex))
                let sy = outputScale(o.real)
                let q = DNNLQuantization(sourceScale: o.sx, sourceZeroPoint: zx, weightScales: o.sw,
                                         output: .u8(scale: sy, zeroPoint: zy))
                let kernel = try DNNLQuantizedConvolution(shape: s, layout: layout, weights: o.w, bias: o.bias, quantization: q)
                let expected = try Kernels.qlinearConv(
                    x: o.x, xScale: Tensor(scalar: o.sx), xZeroPoint: Tensor(scalar: UInt8(zx)), weight: o.w,
                    wScale: Tensor(shape: [o.sw.count], scalars: o.sw), wZeroPoint: nil, yScale: Tensor(scalar: sy),
                    yZeroPoint: Tensor(scalar: UInt8(zy)), bias: o.bias, c.parameters)
                let actual = try run(kernel, o.x, residual: nil, outputType: .uint8)
                ties += assertQuantizedMatch(actual, expected, exact: exactQuantizedValues(o.real, scale: sy, zeroPoint: zy),
                                             tieWindow: 1e-4, "\(s) \(layout) zx \(zx) zy \(zy) [\(kernel.implementation)]")
                total += actual.count
            }
        }
        print("int8 conv requantized: \(ties) of \(total) outputs differ by 1 at a rounding tie")
    }

    func testDequantizedOutputMatchesConvInteger() throws {
        for (index, c) in DNNLConvolutionTests.cases.enumerated() {
            for layout in [DNNLLayout.nchw, .nhwc] {
                let zx: Int32 = [0, 128, 255][index % 3]
                let o = try operands(c.shape, zx: zx, perChannel: true, seed: UInt64(20 + index))
                let q = DNNLQuantization(sourceScale: o.sx, sourceZeroPoint: zx, weightScales: o.sw, output: .f32)
                let kernel = try DNNLQuantizedConvolution(shape: c.shape, layout: layout, weights: o.w, bias: o.bias, quantization: q)
                assertClose(try run(kernel, o.x, residual: nil, outputType: .float32), o.real, relativeTolerance: 1e-5,
                            "\(c.shape) \(layout) zx \(zx) f32 [\(kernel.implementation)]")
            }
        }
    }

    func testFusedResidualAndActivation() throws {
        var ties = 0
        let activations: [(UnaryFunction, Float, Float)?] = [nil, (.relu, 0, 0), (.clip, -0.5, 2), (.sigmoid, 0, 0),
                                                             (.hardSwish, 0, 0), (.gelu, 0, 0)]
        for (index, activation) in activations.enumerated() {
            let c = DNNLConvolutionTests.cases[index % 3]
            let zx: Int32 = [0, 128, 255][index % 3], zy: Int32 = [128, 0, 255][index % 3]
            let o = try operands(c.shape, zx: zx, perChannel: true, seed: UInt64(40 + index))
            let sy = outputScale(o.real)
            var random = SeededValues(seed: UInt64(60 + index))
            let residualQ = random.uint8Tensor(o.real.shape)
            let act = activation.flatMap { DNNLActivation(unaryName: $0.0.rawValue, alpha: $0.1, beta: $0.2) }
            let epilogue = DNNLEpilogue(residualSum: true, activation: act)
            let layout: DNNLLayout = index % 2 == 0 ? .nchw : .nhwc
            // u8 output, the residual quantized like the output.
            let real = try referenceEpilogue(o.real, residual: dequantizeReference(residualQ, scale: sy, zeroPoint: zy),
                                             activation: activation)
            let u8Kernel = try DNNLQuantizedConvolution(
                shape: c.shape, layout: layout, weights: o.w, bias: o.bias,
                quantization: DNNLQuantization(sourceScale: o.sx, sourceZeroPoint: zx, weightScales: o.sw,
                                               output: .u8(scale: sy, zeroPoint: zy)), epilogue: epilogue)
            ties += assertQuantizedMatch(try run(u8Kernel, o.x, residual: residualQ, outputType: .uint8),
                                         try quantizeReference(real, scale: sy, zeroPoint: zy),
                                         exact: exactQuantizedValues(real, scale: sy, zeroPoint: zy), tieWindow: 2e-3,
                                         "u8 \(String(describing: activation)) zx \(zx) zy \(zy) [\(u8Kernel.implementation)]")
            // f32 output with an f32 residual.
            let residualF = random.floatTensor(o.real.shape)
            let f32Kernel = try DNNLQuantizedConvolution(
                shape: c.shape, layout: layout, weights: o.w, bias: o.bias,
                quantization: DNNLQuantization(sourceScale: o.sx, sourceZeroPoint: zx, weightScales: o.sw, output: .f32),
                epilogue: epilogue)
            assertClose(try run(f32Kernel, o.x, residual: residualF, outputType: .float32),
                        try referenceEpilogue(o.real, residual: residualF, activation: activation), relativeTolerance: 1e-5,
                        "f32 \(String(describing: activation)) [\(f32Kernel.implementation)]")
        }
        print("int8 conv fused epilogue: \(ties) outputs differ by 1 at a rounding tie")
    }

    func testBadQuantizationThrowsUnsupported() {
        let s = DNNLConvolutionTests.cases[0].shape
        let w = Tensor(zeros: .int8, shape: [5, 3, 3, 3])
        for q in [DNNLQuantization(sourceScale: 0.1, sourceZeroPoint: 300, weightScales: [1], output: .f32),
                  DNNLQuantization(sourceScale: 0.1, sourceZeroPoint: 0, weightScales: [1, 2], output: .f32),
                  DNNLQuantization(sourceScale: 0.1, sourceZeroPoint: 0, weightScales: [1], output: .u8(scale: 0, zeroPoint: 0))] {
            XCTAssertThrowsError(try DNNLQuantizedConvolution(shape: s, layout: .nhwc, weights: w, bias: nil, quantization: q)) {
                XCTAssertEqual(($0 as? EdgeflowError)?.kind, .unsupported, "\($0)")
            }
        }
    }
}

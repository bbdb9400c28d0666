// The fast convInteger step of quantized TFLite models (int8 or uint8 input with a zero point →
// int32 sums): oneDNN's u8·s8 → s32 convolution where it was measured exact (DNNLInt32Products),
// otherwise Edgeflow's SIMD int8 GEMM (Int8Convolution), both channels-last: the input planes
// are transposed in (an int8 input flipped to uint8, its zero point moved by 128: the same
// differences x − zp) and the sums transposed back out. uint8 weights with a zero point zw (TFLite's
// older scheme) become int8 w − 128 plus a second product: Σ(x − zx)(w − zw) =
// Σ(x − zx)(w − 128) + (128 − zw)·Σ(x − zx), the last sum a convolution with weights of ones.
// Every output equals the reference evaluator's (QuantizedLoweringTests, every ISA cap).

import EFCore
import EFKernels
import EFOneDNN
import EFOps

enum IntegerConvLowering {
    static func convInteger(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard case .convInteger(let window) = node.params else { throw FastLowering.mismatch(node) }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard x.dtype == .int8 || x.dtype == .uint8, y.dtype == .int32, x.shape.count >= 3 else {
            throw FastPathUnavailable("fast convInteger takes an int8 or uint8 spatial input")
        }
        guard let weights = context.constant(node, 1), weights.dtype == .int8 || weights.dtype == .uint8,
              weights.rank == x.shape.count else {
            throw FastPathUnavailable("convInteger weights computed at run time or not int8/uint8")
        }
        let inputZeroPoint = try scalar(node, 2, context, "input")
        let weightZeroPoint = try scalar(node, 3, context, "weight")
        let signed = x.dtype == .int8, shifted = (signed ? 128 : 0) + inputZeroPoint
        let (batch, channels, m, groups) = (x.shape[0], x.shape[1], weights.shape[0], max(1, window.group))
        let count = y.shape.elementCount, spatial = x.shape.count - 2
        let rows = count / max(1, m)   // images × output pixels
        // int8 weights need a zero weight zero point; uint8 ones become w − 128 and a correction.
        let kernelWeights: Tensor, correction: Int32
        if weights.dtype == .int8 {
            guard weightZeroPoint == 0 else { throw FastPathUnavailable("int8 convInteger weights with a zero point") }
            (kernelWeights, correction) = (weights, 0)
        } else {
            kernelWeights = Tensor(shape: weights.shape, scalars: weights.scalars(as: UInt8.self).map {
                Int8(bitPattern: $0 ^ 0x80)
            })
            correction = 128 - weightZeroPoint
        }
        let main = try ChannelsLastProduct(input: x.shape, weights: kernelWeights, window, zeroPoint: shifted)
        let sums: ChannelsLastProduct? = correction == 0 ? nil : try ChannelsLastProduct(
            input: x.shape, weights: Tensor(shape: [groups, channels / groups] + Array(weights.shape[2...]),
                                            scalars: [Int8](repeating: 1, count: channels * weights.shape[2...]
                                                .reduce(1, *))),
            window, zeroPoint: shifted)
        let inputCount = x.shape.elementCount, inputBytes = (inputCount + 63) / 64 * 64
        let mainOffset = inputBytes, sumsOffset = mainOffset + (count * 4 + 63) / 64 * 64
        let scratchOffset = sumsOffset + (sums == nil ? 0 : (rows * groups * 4 + 63) / 64 * 64)
        let inputPlan = try FastKernels.TransposePlan(shape: x.shape, perm: [0] + Array(2..<(2 + spatial)) + [1],
                                                      elementSize: 1)
        let outputPlan = try FastKernels.TransposePlan(shape: [batch] + Array(y.shape[2...]) + [m],
                                                       perm: [0, spatial + 1] + Array(1...spatial), elementSize: 4)
        let perGroup = m / groups
        let name = "\(main.engine) \(signed ? "qs8" : "qu8") conv-s32 \(main.isa)"
            + (weights.dtype == .uint8 ? " (u8 weights)" : "")
        let scratch = scratchOffset + max(main.scratchpadByteCount, sums?.scratchpadByteCount ?? 0)
        return KernelStep(info: context.info(node, kernel: name), scratchpadByteCount: scratch) { arena, pad in
            inputPlan.run(input: x.operand.pointer(arena), output: pad)
            let input = pad.assumingMemoryBound(to: UInt8.self)
            if signed { for index in 0..<inputCount { input[index] ^= 0x80 } }
            let products = (pad + mainOffset).assumingMemoryBound(to: Int32.self)
            try main.run(input, products, pad + scratchOffset)
            if let sums {
                let windowSums = (pad + sumsOffset).assumingMemoryBound(to: Int32.self)
                try sums.run(input, windowSums, pad + scratchOffset)
                for row in 0..<rows {
                    for c in 0..<m { products[row * m + c] &+= correction &* windowSums[row * groups + c / perGroup] }
                }
            }
            outputPlan.run(input: pad + mainOffset, output: y.operand.pointer(arena))
        }
    }

    /// The constant scalar zero point at input `index` (0 when absent).
    private static func scalar(_ node: PlannedStep, _ index: Int, _ context: StepContext, _ role: String) throws
        -> Int32 {
        guard context.optionalInputName(node, index) != nil else { return 0 }
        guard let value = context.constant(node, index), value.count == 1 else {
            throw FastPathUnavailable("convInteger \(role) zero point computed at run time or not a scalar")
        }
        return Int32(value.doubleValues()[0])
    }
}

/// An exact u8·s8 → s32 convolution of a channels-last uint8 input into [images × pixels, M]
/// sums of (x − zeroPoint)·w: oneDNN where exact, else the SIMD GEMM.
private struct ChannelsLastProduct {
    /// "onednn" or "simd", and the instruction set its kernel names.
    let engine: String, isa: String
    let scratchpadByteCount: Int
    let run: (UnsafePointer<UInt8>, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer) throws -> Void

    init(input shape: [Int], weights: Tensor, _ window: ConvParameters, zeroPoint: Int32) throws {
        let spatial = shape.count - 2
        if DNNLInt32Products.isExactHere, let kernel = try? DNNLInt8ConvolutionS32(
            shape: DNNLConvolutionShape(batch: shape[0], inChannels: shape[1], outChannels: weights.shape[0],
                                        inputSpatial: Array(shape[2...]), kernel: Array(weights.shape[2...]),
                                        strides: window.strides, dilations: window.dilations,
                                        padBegin: window.pads.isEmpty ? [] : Array(window.pads.prefix(spatial)),
                                        padEnd: window.pads.isEmpty ? [] : Array(window.pads.suffix(spatial)),
                                        groups: window.group),
            layout: .nhwc, weights: weights, sourceZeroPoint: zeroPoint), !kernel.implementation.hasPrefix("ref") {
            (engine, isa) = ("onednn", DNNLEngine.effectiveISA)
            scratchpadByteCount = kernel.scratchpadByteCount
            run = { input, output, scratchpad in
                try kernel.execute(source: UnsafeRawPointer(input), destination: UnsafeMutableRawPointer(output),
                                   scratchpad: scratchpad)
            }
            return
        }
        let conv: Int8Convolution
        do {
            conv = try Int8Convolution(inputShape: shape, weights: weights, bias: nil, zeroPoint: zeroPoint, window,
                                       channelsLast: true)
        } catch let error as EdgeflowError {
            throw FastPathUnavailable("int8 conv: \(error.message)")
        }
        let compensation = conv.compensatedBias, m = weights.shape[0], perImage = conv.outputPixels * m
        (engine, isa) = ("simd", QuantizedLowering.simdISA)
        scratchpadByteCount = conv.scratchpadByteCount
        run = { input, output, scratchpad in
            for image in 0..<conv.batch {
                // The zero point's −zp·Σw per channel, the output channel fastest.
                let sums = try conv.accumulate(input, image: image, scratchpad: scratchpad)
                let target = output + image * perImage
                for index in 0..<perImage { target[index] = sums[index] &+ compensation[index % m] }
            }
        }
    }
}

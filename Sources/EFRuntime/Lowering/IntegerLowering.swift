// Fast steps for the integer ops quantized TFLite models import onto (docs/tflite.md):
// convInteger (int8 or uint8 input with a zero point, int8 weights → int32 sums) on oneDNN's
// exact u8·s8 → s32 convolution where it was measured exact (DNNLInt32Products), otherwise on
// the Swift SIMD GEMM of Int8Convolution, both channels-last (the planes are transposed in and
// out); and fixedPointRequantize, TFLite's Q31 requantization, on the SIMD build's vectorized
// loop. An int8 input is moved to uint8 (x + 128, zero point + 128: the same differences x − zp).
// Every output equals the reference evaluator's (QuantizedLoweringTests, every ISA cap), and the
// TFLite int8/uint8 goldens check it on the compiled executable.

import EFCore
import EFKernels
import EFOneDNN
import EFOps

enum IntegerLowering {
    static func convInteger(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard case .convInteger(let window) = node.params else { throw FastLowering.mismatch(node) }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard x.dtype == .int8 || x.dtype == .uint8, y.dtype == .int32, x.shape.count >= 3 else {
            throw FastPathUnavailable("fast convInteger takes an int8 or uint8 spatial input")
        }
        guard let weights = context.constant(node, 1), weights.dtype == .int8 else {
            throw FastPathUnavailable("convInteger weights computed at run time or not int8")
        }
        if context.optionalInputName(node, 3) != nil {
            guard let w = context.constant(node, 3), w.doubleValues().allSatisfy({ $0 == 0 }) else {
                throw FastPathUnavailable("convInteger with a weight zero point")
            }
        }
        var zeroPoint: Int32 = 0
        if context.optionalInputName(node, 2) != nil {
            guard let z = context.constant(node, 2), z.count == 1 else {
                throw FastPathUnavailable("convInteger input zero point computed at run time or not a scalar")
            }
            zeroPoint = Int32(z.doubleValues()[0])
        }
        let signed = x.dtype == .int8
        let shifted = signed ? zeroPoint + 128 : zeroPoint
        let (batch, channels, m) = (x.shape[0], x.shape[1], weights.shape[0])
        let count = y.shape.elementCount, pixels = count / max(1, batch * m), spatial = x.shape.count - 2
        // Both kernels run channels-last: the input moves to [N, spatial..., C] uint8 at the start
        // of the scratchpad (flipped to uint8 when int8), the [N, spatial..., M] sums follow and
        // go back to planes in the output.
        let inputCount = x.shape.elementCount, inputBytes = (inputCount + 63) / 64 * 64
        let sumsOffset = inputBytes + (count * 4 + 63) / 64 * 64
        let inputPlan = try FastKernels.TransposePlan(shape: x.shape, perm: [0] + Array(2..<(2 + spatial)) + [1],
                                                      elementSize: 1)
        let outputPlan = try FastKernels.TransposePlan(shape: [batch] + Array(y.shape[2...]) + [m],
                                                       perm: [0, spatial + 1] + Array(1...spatial), elementSize: 4)
        func channelsLast(_ arena: UnsafeMutableRawPointer, _ scratchpad: UnsafeMutableRawPointer)
            -> UnsafePointer<UInt8> {
            inputPlan.run(input: x.operand.pointer(arena), output: scratchpad)
            let moved = scratchpad.assumingMemoryBound(to: UInt8.self)
            if signed { for index in 0..<inputCount { moved[index] ^= 0x80 } }
            return UnsafePointer(moved)
        }
        if DNNLInt32Products.isExactHere, let kernel = try? DNNLInt8ConvolutionS32(
            shape: DNNLConvolutionShape(batch: batch, inChannels: channels, outChannels: m,
                                        inputSpatial: Array(x.shape[2...]), kernel: Array(weights.shape[2...]),
                                        strides: window.strides, dilations: window.dilations,
                                        padBegin: window.pads.isEmpty ? [] : Array(window.pads.prefix(spatial)),
                                        padEnd: window.pads.isEmpty ? [] : Array(window.pads.suffix(spatial)),
                                        groups: window.group),
            layout: .nhwc, weights: weights, sourceZeroPoint: shifted),
            !kernel.implementation.hasPrefix("ref"), kernel.outputShape.elementCount == count {
            let name = "onednn \(signed ? "qs8" : "qu8") conv-s32 \(DNNLEngine.effectiveISA)"
            let info = context.info(node, kernel: name)
            return KernelStep(info: info, scratchpadByteCount: sumsOffset + kernel.scratchpadByteCount) { arena, pad in
                try kernel.execute(source: UnsafeRawPointer(channelsLast(arena, pad)), destination: pad + inputBytes,
                                   scratchpad: pad + sumsOffset)
                outputPlan.run(input: pad + inputBytes, output: y.operand.pointer(arena))
            }
        }
        let conv: Int8Convolution
        do {
            conv = try Int8Convolution(inputShape: x.shape, weights: weights, bias: nil, zeroPoint: shifted, window,
                                       channelsLast: true)
        } catch let error as EdgeflowError {
            throw FastPathUnavailable("int8 conv: \(error.message)")
        }
        let compensation = conv.compensatedBias, perImage = pixels * m
        let info = context.info(node, kernel: "simd \(signed ? "qs8" : "qu8") conv-s32 \(QuantizedLowering.simdISA)")
        return KernelStep(info: info, scratchpadByteCount: sumsOffset + conv.scratchpadByteCount) { arena, pad in
            let input = channelsLast(arena, pad)
            let all = (pad + inputBytes).assumingMemoryBound(to: Int32.self)
            for image in 0..<batch {
                // The zero point's −zp·Σw per channel, the output channel fastest.
                let sums = try conv.accumulate(input, image: image, scratchpad: pad + sumsOffset)
                let target = all + image * perImage
                for pixel in 0..<pixels {
                    for c in 0..<m { target[pixel * m + c] = sums[pixel * m + c] &+ compensation[c] }
                }
            }
            outputPlan.run(input: pad + inputBytes, output: y.operand.pointer(arena))
        }
    }

    /// Cast of int8, uint8 or int16 to int32: exact widening (how integer translations start).
    static func widen(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard case .cast(let target, _, _) = node.params else { throw FastLowering.mismatch(node) }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard target == .int32, y.dtype == .int32, [.int8, .uint8, .int16].contains(x.dtype) else {
            throw FastPathUnavailable("fast cast widens int8, uint8 or int16 to int32 only")
        }
        let count = y.shape.elementCount, source = x.dtype
        let info = context.info(node, kernel: "widen \(StepContext.shortName(source))→s32")
        return KernelStep(info: info) { arena, _ in
            let input = x.operand.pointer(arena), output = y.operand.pointer(arena).assumingMemoryBound(to: Int32.self)
            switch source {
            case .int8: widen(input.assumingMemoryBound(to: Int8.self), count, output)
            case .uint8: widen(input.assumingMemoryBound(to: UInt8.self), count, output)
            default: widen(input.assumingMemoryBound(to: Int16.self), count, output)
            }
        }
    }

    @inline(__always)
    private static func widen<T: FixedWidthInteger>(_ x: UnsafePointer<T>, _ count: Int,
                                                    _ y: UnsafeMutablePointer<Int32>) {
        for index in 0..<count { y[index] = Int32(x[index]) }
    }

    /// where(cond, x, y) with all three of the output's shape and 1-, 2- or 4-byte values.
    static func select(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let operands = try node.inputs.map { try context.tensor($0) }
        let y = try context.tensor(node.outputs[0])
        guard operands.count == 3, operands.allSatisfy({ $0.shape == y.shape }), operands[0].dtype == .bool,
              operands[1].dtype == y.dtype, operands[2].dtype == y.dtype, [1, 2, 4].contains(y.dtype.byteSize) else {
            throw FastPathUnavailable("fast where takes a bool condition and two values of the output's shape")
        }
        let count = y.shape.elementCount, size = y.dtype.byteSize
        return KernelStep(info: context.info(node, kernel: "select \(size * 8)-bit")) { arena, _ in
            let condition = operands[0].operand.pointer(arena).assumingMemoryBound(to: Bool.self)
            let (a, b, out) = (operands[1].operand.pointer(arena), operands[2].operand.pointer(arena),
                               y.operand.pointer(arena))
            switch size {
            case 1: select(condition, a, b, out, count, UInt8.self)
            case 2: select(condition, a, b, out, count, UInt16.self)
            default: select(condition, a, b, out, count, UInt32.self)
            }
        }
    }

    @inline(__always)
    private static func select<T>(_ condition: UnsafePointer<Bool>, _ a: UnsafeMutableRawPointer,
                                  _ b: UnsafeMutableRawPointer, _ out: UnsafeMutableRawPointer, _ count: Int,
                                  _: T.Type) {
        let (x, y, z) = (a.assumingMemoryBound(to: T.self), b.assumingMemoryBound(to: T.self),
                         out.assumingMemoryBound(to: T.self))
        for index in 0..<count { z[index] = condition[index] ? x[index] : y[index] }
    }

    static func fixedPointRequantize(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard case .fixedPointRequantize(let p) = node.params else { throw FastLowering.mismatch(node) }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard let multipliers = context.constant(node, 1), let shifts = context.constant(node, 2),
              x.dtype == .int32, multipliers.dtype == .int32, shifts.dtype == .int32,
              multipliers.count == shifts.count, multipliers.count >= 1 else {
            throw FastPathUnavailable("fixedPointRequantize multipliers or shifts computed at run time")
        }
        let m = multipliers.scalars(as: Int32.self), s = shifts.scalars(as: Int32.self)
        guard m.allSatisfy({ $0 >= 0 }), s.allSatisfy({ (-31...30).contains($0) }) else {
            throw FastPathUnavailable("fixedPointRequantize multipliers or shifts out of range")
        }
        let channels = m.count, count = x.shape.elementCount
        let inner = channels == 1 ? count : x.shape[(p.axis + 1)...].reduce(1, *)
        let runs = inner == 0 ? 0 : count / inner
        let output: FixedPointOutput
        switch p.outputDType {
        case .int8: output = .int8
        case .uint8: output = .uint8
        case .int16: output = .int16
        case .int32: output = .int32
        default: throw FastPathUnavailable("fixedPointRequantize to \(p.outputDType.rawValue)")
        }
        let size = p.outputDType.byteSize
        let info = context.info(node, kernel: "fixed-point requantize s32→\(StepContext.shortName(p.outputDType)) "
            + SIMDKernels.isa)
        return KernelStep(info: info) { arena, _ in
            let input = x.operand.pointer(arena).assumingMemoryBound(to: Int32.self)
            let target = y.operand.pointer(arena)
            Parallel.forEachChunk(runs, grain: max(1, 16384 / max(1, inner))) { range in
                for run in range {
                    let c = run % channels
                    SIMDKernels.fixedPointRequantize(input + run * inner, count: inner, multiplier: m[c], shift: s[c],
                                                     zeroPoint: p.zeroPoint, lower: p.lower, upper: p.upper,
                                                     output: output, into: target + run * inner * size)
                }
            }
        }
    }
}

// The streaming SIMD kernels of the steps, dispatched to the build `SIMDBuild.current` chose
// (AVX-512, AVX2 or baseline x86-64; the same sources, the same bytes).

import EFCore
import EFKernels
import EFKernelsAVX2
import EFKernelsAVX512
import Foundation

private typealias Base = EFKernels.FastKernels
private typealias AVX2 = EFKernelsAVX2.FastKernels
private typealias AVX512 = EFKernelsAVX512.FastKernels

/// The streaming kernels of the steps (activations, int8 epilogues, u8 quantize, softmax,
/// layer normalization), dispatched once per process to the widest build the CPU runs.
/// Parameters, results and errors are those of `EFKernels.FastKernels`.
enum SIMDKernels {
    typealias Build = SIMDBuild

    /// The build this process runs (see `SIMDBuild.current`).
    static let build = SIMDBuild.current

    /// The instruction-set part of kernel names: "avx512", "avx2" or "sse2".
    static var isa: String { build.rawValue }

    static func unary(_ fn: EFKernels.UnaryFunction, _ parameters: EFKernels.UnaryParameters,
                      input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int) throws {
        switch build {
        case .avx512:
            try AVX512.unary(fn, parameters, input: input, output: output, count: count)
        case .avx2:
            try AVX2.unary(fn, parameters, input: input, output: output, count: count)
        case .baseline:
            try Base.unary(fn, parameters, input: input, output: output, count: count)
        }
    }

    static func fixedPointRequantize(_ x: UnsafePointer<Int32>, count: Int, multiplier: Int32, shift: Int32,
                                     zeroPoint: Int32, lower: Int32, upper: Int32, output: FixedPointOutput,
                                     into y: UnsafeMutableRawPointer) {
        switch build {
        case .avx512:
            AVX512.fixedPointRequantize(x, count: count, multiplier: multiplier, shift: shift, zeroPoint: zeroPoint,
                                        lower: lower, upper: upper, output: output, into: y)
        case .avx2:
            AVX2.fixedPointRequantize(x, count: count, multiplier: multiplier, shift: shift, zeroPoint: zeroPoint,
                                      lower: lower, upper: upper, output: output, into: y)
        case .baseline:
            Base.fixedPointRequantize(x, count: count, multiplier: multiplier, shift: shift, zeroPoint: zeroPoint,
                                      lower: lower, upper: upper, output: output, into: y)
        }
    }

    static func requantize(_ accumulators: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                           multipliers: UnsafePointer<Float>, channels: Int, inner: Int, count: Int,
                           output: EFKernels.FastKernels.RequantizeOutput, into y: UnsafeMutablePointer<UInt8>) throws {
        switch build {
        case .avx512:
            let wideOutput = AVX512.RequantizeOutput(zeroPoint: output.zeroPoint, lower: output.lower,
                                                     upper: output.upper)
            try AVX512.requantize(accumulators, bias: bias, multipliers: multipliers, channels: channels, inner: inner,
                                  count: count, output: wideOutput, into: y)
        case .avx2:
            let avx2Output = AVX2.RequantizeOutput(zeroPoint: output.zeroPoint, lower: output.lower,
                                                   upper: output.upper)
            try AVX2.requantize(accumulators, bias: bias, multipliers: multipliers, channels: channels, inner: inner,
                                count: count, output: avx2Output, into: y)
        case .baseline:
            try Base.requantize(accumulators, bias: bias, multipliers: multipliers, channels: channels, inner: inner,
                                count: count, output: output, into: y)
        }
    }

    static func dequantizeAccumulators(_ accumulators: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                                       scales: UnsafePointer<Float>, channels: Int, inner: Int, count: Int,
                                       into y: UnsafeMutablePointer<Float>) throws {
        switch build {
        case .avx512:
            try AVX512.dequantizeAccumulators(accumulators, bias: bias, scales: scales, channels: channels,
                                              inner: inner, count: count, into: y)
        case .avx2:
            try AVX2.dequantizeAccumulators(accumulators, bias: bias, scales: scales, channels: channels,
                                            inner: inner, count: count, into: y)
        case .baseline:
            try Base.dequantizeAccumulators(accumulators, bias: bias, scales: scales, channels: channels,
                                            inner: inner, count: count, into: y)
        }
    }

    static func dequantizeChain(_ accumulators: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                                scales: UnsafePointer<Float>, channels: Int, inner: Int, count: Int,
                                chain: EFKernels.FastKernels.EpilogueChain) throws {
        switch build {
        case .avx512:
            try AVX512.dequantizeChain(accumulators, bias: bias, scales: scales, channels: channels, inner: inner,
                                       count: count, chain: chain)
        case .avx2:
            try AVX2.dequantizeChain(accumulators, bias: bias, scales: scales, channels: channels, inner: inner,
                                     count: count, chain: chain)
        case .baseline:
            try Base.dequantizeChain(accumulators, bias: bias, scales: scales, channels: channels, inner: inner,
                                     count: count, chain: chain)
        }
    }

    static func quantizeLinearU8(_ x: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: UInt8,
                                 into y: UnsafeMutablePointer<UInt8>) {
        switch build {
        case .avx512:
            AVX512.quantizeLinearU8(x, count: count, scale: scale, zeroPoint: zeroPoint, into: y)
        case .avx2:
            AVX2.quantizeLinearU8(x, count: count, scale: scale, zeroPoint: zeroPoint, into: y)
        case .baseline:
            Base.quantizeLinearU8(x, count: count, scale: scale, zeroPoint: zeroPoint, into: y)
        }
    }

    static func softmax(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, outer: Int,
                        axisLength: Int, inner: Int, log: Bool) {
        switch build {
        case .avx512:
            AVX512.softmax(input: input, output: output, outer: outer, axisLength: axisLength, inner: inner, log: log)
        case .avx2:
            AVX2.softmax(input: input, output: output, outer: outer, axisLength: axisLength, inner: inner, log: log)
        case .baseline:
            Base.softmax(input: input, output: output, outer: outer, axisLength: axisLength, inner: inner, log: log)
        }
    }

    static func layerNorm(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                          scale: UnsafePointer<Float>, bias: UnsafePointer<Float>?, epsilon: Float) {
        switch build {
        case .avx512:
            AVX512.layerNorm(input: input, output: output, rows: rows, columns: columns, scale: scale, bias: bias,
                             epsilon: epsilon)
        case .avx2:
            AVX2.layerNorm(input: input, output: output, rows: rows, columns: columns, scale: scale, bias: bias,
                           epsilon: epsilon)
        case .baseline:
            Base.layerNorm(input: input, output: output, rows: rows, columns: columns, scale: scale, bias: bias,
                           epsilon: epsilon)
        }
    }
}

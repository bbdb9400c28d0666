// Which build of the streaming SIMD kernels this process runs: the AVX-512 one
// (EFKernelsAVX512, the same sources compiled for skylake-avx512) when the CPU has every
// feature it was compiled for, else the baseline x86-64 one in EFKernels. Both give the same
// bytes. `EDGEFLOW_SIMD=baseline` in the environment forces the baseline build (the tests use
// it to cover both paths on one machine).

import EFCore
import EFKernels
import EFKernelsAVX512
import Foundation

private typealias Base = EFKernels.FastKernels
private typealias Wide = EFKernelsAVX512.FastKernels

/// The streaming kernels of the steps (activations, int8 epilogues, u8 quantize, softmax,
/// layer normalization), dispatched once per process to the widest build the CPU runs.
/// Parameters, results and errors are those of `EFKernels.FastKernels`.
enum SIMDKernels {
    /// The /proc/cpuinfo flags `-target-cpu skylake-avx512` may use.
    static let avx512Features = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma", "bmi2",
                                 "movbe", "abm"]

    /// True when this process runs the AVX-512 build.
    static let usesAVX512: Bool = {
        if ProcessInfo.processInfo.environment["EDGEFLOW_SIMD"] == "baseline" { return false }
        return CPUFeatures.current.missing(avx512Features).isEmpty
    }()

    /// The instruction-set part of kernel names: "avx512" or "sse2".
    static var isa: String { usesAVX512 ? "avx512" : "sse2" }

    static func unary(_ fn: UnaryFunction, _ parameters: UnaryParameters, input: UnsafePointer<Float>,
                      output: UnsafeMutablePointer<Float>, count: Int) throws {
        if usesAVX512 {
            try Wide.unary(fn, parameters, input: input, output: output, count: count)
        } else {
            try Base.unary(fn, parameters, input: input, output: output, count: count)
        }
    }

    static func requantize(_ accumulators: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                           multipliers: UnsafePointer<Float>, channels: Int, inner: Int, count: Int,
                           output: EFKernels.FastKernels.RequantizeOutput, into y: UnsafeMutablePointer<UInt8>) throws {
        if usesAVX512 {
            let wideOutput = Wide.RequantizeOutput(zeroPoint: output.zeroPoint, lower: output.lower,
                                                   upper: output.upper)
            try Wide.requantize(accumulators, bias: bias, multipliers: multipliers, channels: channels, inner: inner,
                                count: count, output: wideOutput, into: y)
        } else {
            try Base.requantize(accumulators, bias: bias, multipliers: multipliers, channels: channels, inner: inner,
                                count: count, output: output, into: y)
        }
    }

    static func dequantizeAccumulators(_ accumulators: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                                       scales: UnsafePointer<Float>, channels: Int, inner: Int, count: Int,
                                       into y: UnsafeMutablePointer<Float>) throws {
        if usesAVX512 {
            try Wide.dequantizeAccumulators(accumulators, bias: bias, scales: scales, channels: channels,
                                            inner: inner, count: count, into: y)
        } else {
            try Base.dequantizeAccumulators(accumulators, bias: bias, scales: scales, channels: channels,
                                            inner: inner, count: count, into: y)
        }
    }

    static func quantizeLinearU8(_ x: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: UInt8,
                                 into y: UnsafeMutablePointer<UInt8>) {
        if usesAVX512 {
            Wide.quantizeLinearU8(x, count: count, scale: scale, zeroPoint: zeroPoint, into: y)
        } else {
            Base.quantizeLinearU8(x, count: count, scale: scale, zeroPoint: zeroPoint, into: y)
        }
    }

    static func softmax(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, outer: Int,
                        axisLength: Int, inner: Int, log: Bool) {
        if usesAVX512 {
            Wide.softmax(input: input, output: output, outer: outer, axisLength: axisLength, inner: inner, log: log)
        } else {
            Base.softmax(input: input, output: output, outer: outer, axisLength: axisLength, inner: inner, log: log)
        }
    }

    static func layerNorm(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                          scale: UnsafePointer<Float>, bias: UnsafePointer<Float>?, epsilon: Float) {
        if usesAVX512 {
            Wide.layerNorm(input: input, output: output, rows: rows, columns: columns, scale: scale, bias: bias,
                           epsilon: epsilon)
        } else {
            Base.layerNorm(input: input, output: output, rows: rows, columns: columns, scale: scale, bias: bias,
                           epsilon: epsilon)
        }
    }
}

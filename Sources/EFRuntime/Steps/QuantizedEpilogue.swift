// The epilogue of the int8 steps: int32 accumulators plus the (zero-point compensated) bias,
// then the contract's requantization to u8 or dequantization to float32 with the fused
// activation (in place), on the SIMD kernels (SIMDKernels: the AVX-512 or baseline build);
// or, with a fused tail (EpilogueFusion), dequantization and the float steps after it in one pass.

import EFCore
import EFKernels
import EFOps

/// What an int8 step does after its accumulators; made once per step from constants.
struct QuantizedEpilogue: @unchecked Sendable {
    let channels: Int
    /// int32 [channels]: the op's bias minus zp·Σw where the kernel left the zero point out.
    let bias: [Int32]
    /// float32 [channels], each finite and positive.
    let multipliers: [Float]
    let output: QuantizedOutput
    /// The float steps after a float32 output that this epilogue runs too (they include its activation).
    let tail: FusedTail?

    /// - Throws: `FastPathUnavailable` for multipliers the reference would refuse or an
    ///   activation without a fast kernel.
    init(channels: Int, bias: [Int32], multipliers: Tensor?, output: QuantizedOutput, tail: FusedTail? = nil) throws {
        guard let multipliers, multipliers.dtype == .float32, multipliers.count == channels,
              bias.count == channels else {
            throw FastPathUnavailable("int8 multipliers must be a constant float32 [\(channels)]")
        }
        let values = multipliers.scalars(as: Float.self)
        guard values.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw FastPathUnavailable("int8 multipliers must be finite and positive")
        }
        switch output {
        case .uint8(let zeroPoint, let lower, let upper):
            guard FastKernels.RequantizeOutput(zeroPoint: zeroPoint, lower: lower, upper: upper).isValid else {
                throw FastPathUnavailable("u8 zero point or clamp outside 0...255")
            }
        case .float32(let activation):
            if let activation, !FastKernels.supportsUnary(activation.fn) {
                throw FastPathUnavailable("no fast kernel for the fused \(activation.fn.rawValue)")
            }
        }
        if tail != nil, case .uint8 = output { throw FastPathUnavailable("a fused tail needs a float32 output") }
        self.channels = channels
        self.tail = tail
        self.bias = bias
        self.multipliers = values
        self.output = output
    }

    /// The profile suffix: "requant", "dequant", "dequant + relu" or "dequant + add + relu + quantize".
    var name: String {
        if let tail { return (["dequant"] + tail.names).joined(separator: " + ") }
        switch output {
        case .uint8: return "requant"
        case .float32(let activation): return activation.map { "dequant + \($0.fn.rawValue)" } ?? "dequant"
        }
    }

    /// Finishes `count` accumulators (channel c = (i / inner) % channels) into `destination`
    /// (u8 or float32 as `output`), or with a tail into its values at element `offset`.
    func run(_ accumulators: UnsafePointer<Int32>, inner: Int, count: Int,
             into destination: UnsafeMutableRawPointer, arena: UnsafeMutableRawPointer, offset: Int = 0) throws {
        try bias.withUnsafeBufferPointer { b in
            try multipliers.withUnsafeBufferPointer { m in
                if let tail {
                    let stages = tail.stages.map { stage -> FastKernels.EpilogueStage in
                        switch stage {
                        case .binary(let fn, let operand, let scalar, let operandFirst):
                            return .binary(fn, operand: UnsafePointer(operand.floats(arena) + (scalar ? 0 : offset)),
                                           scalar: scalar, operandFirst: operandFirst)
                        case .unary(let fn, let parameters):
                            return .unary(fn, parameters)
                        }
                    }
                    let chain = FastKernels.EpilogueChain(
                        stages: stages, floatOutput: tail.floatOutput.map { $0.floats(arena) + offset },
                        quantizedOutput: tail.quantized.map {
                            $0.output.operand.pointer(arena).assumingMemoryBound(to: UInt8.self) + offset
                        },
                        scale: tail.quantized?.scale ?? 1, zeroPoint: tail.quantized?.zeroPoint ?? 0)
                    try SIMDKernels.dequantizeChain(accumulators, bias: b.baseAddress!, scales: m.baseAddress!,
                                                    channels: channels, inner: inner, count: count, chain: chain)
                    return
                }
                switch output {
                case .uint8(let zeroPoint, let lower, let upper):
                    try SIMDKernels.requantize(accumulators, bias: b.baseAddress!, multipliers: m.baseAddress!,
                                               channels: channels, inner: inner, count: count,
                                               output: .init(zeroPoint: zeroPoint, lower: lower, upper: upper),
                                               into: destination.assumingMemoryBound(to: UInt8.self))
                case .float32(let activation):
                    let y = destination.assumingMemoryBound(to: Float.self)
                    try SIMDKernels.dequantizeAccumulators(accumulators, bias: b.baseAddress!, scales: m.baseAddress!,
                                                           channels: channels, inner: inner, count: count, into: y)
                    if let activation {
                        try SIMDKernels.unary(activation.fn, activation.constants, input: y, output: y, count: count)
                    }
                }
            }
        }
    }
}

// The epilogue of the int8 steps: int32 accumulators plus the (zero-point compensated) bias,
// then the contract's requantization to u8 or dequantization to float32 with the fused
// activation (in place), on the SIMD kernels (SIMDKernels: the AVX-512 or baseline build).

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

    /// - Throws: `FastPathUnavailable` for multipliers the reference would refuse or an
    ///   activation without a fast kernel.
    init(channels: Int, bias: [Int32], multipliers: Tensor?, output: QuantizedOutput) throws {
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
        self.channels = channels
        self.bias = bias
        self.multipliers = values
        self.output = output
    }

    /// The profile suffix: "requant", "dequant" or "dequant + relu".
    var name: String {
        switch output {
        case .uint8: return "requant"
        case .float32(let activation): return activation.map { "dequant + \($0.fn.rawValue)" } ?? "dequant"
        }
    }

    /// Finishes `count` accumulators (channel c = (i / inner) % channels) into `destination`
    /// (u8 or float32 as `output`) at element offset 0.
    func run(_ accumulators: UnsafePointer<Int32>, inner: Int, count: Int,
             into destination: UnsafeMutableRawPointer) throws {
        try bias.withUnsafeBufferPointer { b in
            try multipliers.withUnsafeBufferPointer { m in
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

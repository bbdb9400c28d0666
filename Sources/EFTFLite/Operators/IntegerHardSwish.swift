// HARD_SWISH on int8/uint8 as TFLite's reference kernel computes it (16-bit fixed point: the input on
// a "high-res" scale s_x/128, a relu-ish factor in [0, 1] from x rescaled so that 3.0 is 2^15,
// a truncating doubling high multiply, then the output shift). Every int8 input has one
// result, so the translator evaluates this once per value into a table applied by Gather.

import EFCore
import EFKernels

enum HardSwishTable {
    /// The 256 results for the input type's values in order (int8 −128...127, uint8 0...255),
    /// saturated to the output's type; nil when TFLite would refuse the scales (an output
    /// multiplier above 1).
    static func make(_ qx: TensorQuantization, _ qy: TensorQuantization) -> [Int32]? {
        let hiresScale: Float = (1 / 128) * qx.scale
        guard let output = multiplier16(Double(hiresScale / qy.scale)), output.exponent <= 0,
              let reluish = multiplier16(Double(hiresScale / (3 / 32768))) else { return nil }
        return qx.range.map { value in
            let hires = Int16(truncatingIfNeeded: (Int32(value) - qx.zeroPoint) * 128)
            let preshift = roundingHighMul(hires, output.multiplier)
            var factor = hires
            if reluish.exponent > 0 { factor = saturatingLeftShift(factor, reluish.exponent - 1) }
            factor = roundingHighMul(factor, reluish.multiplier)
            if reluish.exponent > 0 { factor = saturatingLeftShift(factor, 1) }
            if reluish.exponent < 0 { factor = roundingShift(factor, -reluish.exponent) }
            factor = Int16(truncatingIfNeeded: (Int32(factor) + (1 << 15)) >> 1)   // [-1, 1] → [0, 1]
            let product = truncatingHighMul(factor, preshift)
            let result = Int32(roundingShift(product, -output.exponent)) + qy.zeroPoint
            return Swift.min(Swift.max(result, qy.range.lowerBound), qy.range.upperBound)
        }
    }

    /// TFLite's QuantizeMultiplier rounded to its top 16 bits (DownScaleInt32ToInt16Multiplier).
    private static func multiplier16(_ real: Double) -> (multiplier: Int16, exponent: Int32)? {
        guard let (q31, shift) = Kernels.quantizeMultiplier(real) else { return nil }
        let top = q31 >= Int32.max - (1 << 15) ? Int32(Int16.max) : (q31 + (1 << 15)) >> 16
        return (Int16(top), shift)
    }

    /// gemmlowp's 16-bit SaturatingRoundingDoublingHighMul (ties upward).
    private static func roundingHighMul(_ a: Int16, _ b: Int16) -> Int16 {
        if a == b && a == .min { return .max }
        let product = Int32(a) * Int32(b)
        let nudge: Int32 = product >= 0 ? 1 << 14 : 1 - (1 << 14)
        return Int16(truncatingIfNeeded: (product + nudge) / (1 << 15))
    }

    /// The doubling high multiply truncating toward zero (ARM's SQDMULH).
    private static func truncatingHighMul(_ a: Int16, _ b: Int16) -> Int16 {
        if a == b && a == .min { return .max }
        return Int16(truncatingIfNeeded: (Int32(a) * Int32(b)) / (1 << 15))
    }

    private static func saturatingLeftShift(_ value: Int16, _ amount: Int32) -> Int16 {
        let shifted = Int64(value) << Int64(Swift.min(amount, 40))
        return Int16(Swift.min(Swift.max(shifted, Int64(Int16.min)), Int64(Int16.max)))
    }

    /// gemmlowp's RoundingDivideByPOT on 16 bits (ties away from zero), as it computes it for
    /// any exponent up to 31: its mask (2^exponent − 1) is cut to 16 bits, so above 15 every
    /// non-negative x gives 1 and every negative one −1 (a relu-ish multiplier below 2^-15, as
    /// in layers whose scales collapsed to 1e-8, takes this path; LiteRT's bytes follow it).
    static func roundingShift(_ x: Int16, _ exponent: Int32) -> Int16 {
        let exponent = Swift.min(Swift.max(exponent, 0), 31)
        let mask = Int16(truncatingIfNeeded: (Int64(1) << Int64(exponent)) - 1)
        let remainder = Int32(x & mask)
        let threshold = Int32(mask >> 1) + (x < 0 ? 1 : 0)
        return Int16(truncatingIfNeeded: (Int32(x) >> exponent) + (remainder > threshold ? 1 : 0))
    }
}

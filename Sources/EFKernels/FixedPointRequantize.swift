// TFLite's integer requantization, bit for bit: a real multiplier held as a Q31 integer and a
// power-of-two shift (`QuantizeMultiplier`), applied with gemmlowp's saturating rounding doubling
// high multiply and rounding divide by a power of two (`MultiplyByQuantizedMultiplier`, TFLite's
// default double rounding: ties upward in the multiply, away from zero in the shift). Quantized
// TFLite models are imported onto integer ops that end in `fixedPointRequantize`, so they give
// LiteRT's reference kernels' bytes (docs/tflite.md).

import EFCore

extension Kernels {
    /// TFLite's `QuantizeMultiplier`: `real` ≈ multiplier · 2^(shift − 31), multiplier in
    /// [2^30, 2^31) (0 for a zero or tiny `real`). The fraction is rounded half away from zero.
    /// - Returns: nil when `real` is negative, not finite, or too large (shift above 30).
    public static func quantizeMultiplier(_ real: Double) -> (multiplier: Int32, shift: Int32)? {
        guard real.isFinite, real >= 0 else { return nil }
        guard real > 0 else { return (0, 0) }
        var shift = Int(real.exponent) + 1             // frexp: real = fraction · 2^shift, fraction in [0.5, 1)
        let fraction = real / Double(sign: .plus, exponent: shift, significand: 1)
        var fixed = Int64((fraction * 2_147_483_648).rounded())
        if fixed == 1 << 31 {
            fixed /= 2
            shift += 1
        }
        if shift < -31 { return (0, 0) }
        guard shift <= 30 else { return nil }
        return (Int32(fixed), Int32(shift))
    }

    /// gemmlowp `SaturatingRoundingDoublingHighMul`: a·b / 2^31 rounded to nearest, ties upward
    /// (a nudge of ±2^30, then truncation toward zero); Int32.min · Int32.min saturates to Int32.max.
    @inline(__always)
    public static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b && a == .min { return .max }
        let product = Int64(a) * Int64(b)
        let nudge: Int64 = product >= 0 ? 1 << 30 : 1 - (1 << 30)
        return Int32(truncatingIfNeeded: (product + nudge) / (1 << 31))   // truncates toward zero, as C++
    }

    /// gemmlowp `RoundingDivideByPOT`: x / 2^exponent rounded to nearest, ties away from zero
    /// (exponent in 0...31).
    @inline(__always)
    public static func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        let mask = Int32(truncatingIfNeeded: (Int64(1) << Int64(exponent)) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
        return (x >> exponent) + (remainder > threshold ? 1 : 0)
    }

    /// TFLite `MultiplyByQuantizedMultiplier` (double rounding): x · multiplier · 2^(shift − 31).
    /// A positive shift multiplies x first (wrapping, as TFLite's int32 arithmetic does on CPUs).
    @inline(__always)
    public static func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x &<< left, multiplier), right)
    }

    /// The dtypes `fixedPointRequantize` writes.
    public static let fixedPointOutputDTypes: Set<DType> = [.int8, .uint8, .int16, .int32]

    /// y = clamp(multiplyByQuantizedMultiplier(x, multipliers[c], shifts[c]) + zeroPoint, lower, upper)
    /// as `dtype`, c being the index along `axis` (one multiplier and shift for every element when
    /// they hold one value).
    ///
    /// - Parameters:
    ///   - x: int32, any shape.
    ///   - multipliers: int32 [C], each in 0..<2^31 (Q31); shifts: int32 [C], each in −31...30.
    ///   - axis: the channel axis of x (0..<rank) when C > 1, with x.shape[axis] == C.
    ///   - lower, upper: the clamp, within `dtype`'s range (the fused activation's range).
    /// - Returns: `dtype` (int8, uint8, int16 or int32) with x's shape.
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes, counts, shifts or clamps.
    public static func fixedPointRequantize(_ x: Tensor, multipliers: Tensor, shifts: Tensor, axis: Int,
                                            zeroPoint: Int32, lower: Int32, upper: Int32,
                                            to dtype: DType) throws -> Tensor {
        let channels = multipliers.count
        guard x.dtype == .int32, multipliers.dtype == .int32, shifts.dtype == .int32, shifts.count == channels,
              channels >= 1, fixedPointOutputDTypes.contains(dtype) else {
            throw EdgeflowError(.invalidInput, "fixedPointRequantize takes int32 x, multipliers and shifts of one "
                + "count and writes int8, uint8, int16 or int32; got \(x.dtype.rawValue), \(multipliers.count) "
                + "\(multipliers.dtype.rawValue) multipliers, \(shifts.count) \(shifts.dtype.rawValue) shifts, "
                + dtype.rawValue)
        }
        guard channels == 1 || (0..<x.rank).contains(axis) && x.shape[axis] == channels else {
            throw EdgeflowError(.invalidInput, "fixedPointRequantize: \(channels) multipliers do not match axis "
                + "\(axis) of x \(x.shape.shapeDescription)")
        }
        let m = multipliers.scalars(as: Int32.self), s = shifts.scalars(as: Int32.self)
        guard m.allSatisfy({ $0 >= 0 }), s.allSatisfy({ (-31...30).contains($0) }) else {
            throw EdgeflowError(.invalidInput, "fixedPointRequantize: multipliers must be ≥ 0 and shifts in -31...30")
        }
        guard let range = integerRange(dtype), range.contains(Double(lower)), range.contains(Double(upper)),
              lower <= upper else {
            throw EdgeflowError(.invalidInput, "fixedPointRequantize: clamp \(lower)...\(upper) is outside "
                + "\(dtype.rawValue)")
        }
        let values = x.scalars(as: Int32.self)
        // Runs of `inner` elements share a channel; one channel means one run of everything.
        let inner = channels == 1 ? values.count : x.shape[(axis + 1)...].reduce(1, *)
        let runs = inner == 0 ? 0 : values.count / inner
        var y = [Int32](repeating: 0, count: values.count)
        y.withUnsafeMutableBufferPointer { out in
            values.withUnsafeBufferPointer { input in
                for run in 0..<runs {
                    let c = run % channels, multiplier = m[c], shift = s[c]
                    for index in (run * inner)..<((run + 1) * inner) {
                        let scaled = multiplyByQuantizedMultiplier(input[index], multiplier, shift)
                        out[index] = Swift.min(Swift.max(scaled &+ zeroPoint, lower), upper)
                    }
                }
            }
        }
        return try Kernels.cast(Tensor(shape: x.shape, scalars: y), to: dtype)
    }
}

// RSQRT on int8 as LiteRT computes it (elementwise.cc): for q − z_x > 0 the fixed-point inverse
// square root of the integer (GetInvSqrtQuantizedMultiplierExp: five Newton–Raphson steps in
// gemmlowp's FixedPoint with 3 integer bits, times √2/2), applied to 1 with a shift of 20, then
// rescaled by 1/(√s_x · s_y) (float product, Q31 multiplier) into the output's zero point; 0
// gives 127. LiteRT refuses negative inputs at run time; here they give 127 too. Every int8
// input has one result, so the table is made once and applied by Gather.

import EFCore
import EFKernels

enum RsqrtTable {
    /// The 256 results for int8 −128...127; nil when TFLite's multiplier cannot be made.
    static func make(_ qx: TensorQuantization, _ qy: TensorQuantization) -> [Int32]? {
        let real = 1.0 / Double(qx.scale.squareRoot() * qy.scale)
        guard qx.dtype == .int8, qy.dtype == .int8, real.isFinite,
              let output = Kernels.quantizeMultiplier(real) else { return nil }
        let shift: Int32 = 20
        return qx.range.map { q in
            let value = q - qx.zeroPoint
            guard value > 0 else { return 127 }
            let (multiplier, exponent) = inverseSquareRoot(value)
            let data = Kernels.multiplyByQuantizedMultiplier(1, multiplier, exponent + shift)
            let result = Kernels.multiplyByQuantizedMultiplier(data, output.multiplier, output.shift - shift)
                &+ qy.zeroPoint
            return Swift.min(Swift.max(result, -128), 127)
        }
    }

    /// TFLite's GetInvSqrtQuantizedMultiplierExp(input, reverse_shift −1): 1/√input as a Q31
    /// multiplier and a left shift.
    static func inverseSquareRoot(_ input: Int32) -> (multiplier: Int32, shift: Int32) {
        guard input > 1 else { return (Int32.max, 0) }
        var input = input, shift: Int32 = 11
        while input >= 1 << 29 {
            input /= 4
            shift += 1
        }
        let leftShiftBitPairs = Int32((UInt32(input).leadingZeroBitCount - 1) / 2 - 1)
        shift -= leftShiftBitPairs
        input <<= 2 * leftShiftBitPairs
        // gemmlowp FixedPoint<int32, 3>: value = raw / 2^28; a product of F_a and F_b is F_(a+b).
        let half = Kernels.roundingDivideByPOT(input >> 1, 1)
        let halfThree: Int32 = (1 << 28) + (1 << 27)
        var x: Int32 = 1 << 28
        for _ in 0..<5 {
            let cube = multiplyByPOT(mul(mul(x, x), x), 6)                              // F9 → F3
            x = multiplyByPOT(mul(halfThree, x) &- mul(half, cube), 3)                  // F6 → F3
        }
        var result = mul(x, 1_518_500_250)                                              // × √2/2 (F0)
        if shift < 0 {
            result <<= -shift
            shift = 0
        }
        return (result, -shift)
    }

    private static func mul(_ a: Int32, _ b: Int32) -> Int32 { Kernels.saturatingRoundingDoublingHighMul(a, b) }

    /// gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent: a saturating left shift.
    private static func multiplyByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        let threshold: Int32 = (1 << (31 - exponent)) - 1
        if x > threshold { return .max }
        if x < -threshold { return .min }
        return x << exponent
    }
}

// TFLite's fixed-point requantization on cases worked out by hand from gemmlowp's definitions:
// QuantizeMultiplier's fraction and shift, the doubling high multiply (ties upward, Int32.min²
// saturating), the rounding shift (ties away from zero), and the tensor op's channels and clamp.
// LiteRT's own outputs are checked through the int8 TFLite goldens (ModelTests).

import EFCore
import EFKernels
import XCTest

final class FixedPointRequantizeTests: XCTestCase {
    func testQuantizeMultiplierSplitsFractionAndShift() {
        XCTAssertTrue(Kernels.quantizeMultiplier(0.5)! == (1 << 30, 0))
        XCTAssertTrue(Kernels.quantizeMultiplier(1.0)! == (1 << 30, 1))
        XCTAssertTrue(Kernels.quantizeMultiplier(0.75)! == (1_610_612_736, 0))   // 0.75 · 2^31
        // 0.3 = 0.6 · 2^-1; 0.6 · 2^31 = 1288490188.8 rounds to 1288490189.
        XCTAssertTrue(Kernels.quantizeMultiplier(0.3)! == (1_288_490_189, -1))
        // A fraction that rounds up to 2^31 is halved and the shift grows.
        XCTAssertTrue(Kernels.quantizeMultiplier(1 - 0x1p-40)! == (1 << 30, 1))
        XCTAssertTrue(Kernels.quantizeMultiplier(0)! == (0, 0))
        XCTAssertTrue(Kernels.quantizeMultiplier(1e-12)! == (0, 0), "below 2^-32: zero")
        XCTAssertNil(Kernels.quantizeMultiplier(-0.5))
        XCTAssertNil(Kernels.quantizeMultiplier(.infinity))
        XCTAssertNil(Kernels.quantizeMultiplier(0x1p40))
    }

    func testDoublingHighMultiplyRoundsTiesUpward() {
        // 3 · 2^30 / 2^31 = 1.5 → 2; −1.5 → −1 (gemmlowp's nudge, then truncation).
        XCTAssertEqual(Kernels.saturatingRoundingDoublingHighMul(3, 1 << 30), 2)
        XCTAssertEqual(Kernels.saturatingRoundingDoublingHighMul(-3, 1 << 30), -1)
        XCTAssertEqual(Kernels.saturatingRoundingDoublingHighMul(-3 * 4 - 1, 1 << 30), -6)   // −6.5 → −6
        XCTAssertEqual(Kernels.saturatingRoundingDoublingHighMul(.min, .min), .max)
        XCTAssertEqual(Kernels.saturatingRoundingDoublingHighMul(.min, .max), -2_147_483_647)
    }

    func testRoundingDivideByPowerOfTwoRoundsTiesAwayFromZero() {
        XCTAssertEqual(Kernels.roundingDivideByPOT(3, 1), 2)     // 1.5
        XCTAssertEqual(Kernels.roundingDivideByPOT(-3, 1), -2)   // −1.5
        XCTAssertEqual(Kernels.roundingDivideByPOT(-5, 2), -1)   // −1.25
        XCTAssertEqual(Kernels.roundingDivideByPOT(-6, 2), -2)   // −1.5
        XCTAssertEqual(Kernels.roundingDivideByPOT(7, 0), 7)
        XCTAssertEqual(Kernels.roundingDivideByPOT(.min, 31), -1)
    }

    func testMultiplyByQuantizedMultiplier() {
        let (m, s) = Kernels.quantizeMultiplier(0.3)!
        // 100 · 1288490189 / 2^31 = 60.5000… → 60 (truncated after the nudge), then 60 / 2 = 30.
        XCTAssertEqual(Kernels.multiplyByQuantizedMultiplier(100, m, s), 30)
        XCTAssertEqual(Kernels.multiplyByQuantizedMultiplier(-100, m, s), -30)
        // A positive shift multiplies first: 5 · (0.5 · 2^2) = 10.
        XCTAssertEqual(Kernels.multiplyByQuantizedMultiplier(5, 1 << 30, 2), 10)
    }

    func testTensorOpAppliesChannelsZeroPointAndClamp() throws {
        // Channels along axis 1 of [1, 2, 2]: ×0.5 (shift 0) and ×1.0 (2^30, shift 1).
        let x = Tensor(shape: [1, 2, 2], scalars: [Int32(3), -3, 300, -300])
        let y = try Kernels.fixedPointRequantize(
            x, multipliers: Tensor(shape: [2], scalars: [Int32(1 << 30), 1 << 30]),
            shifts: Tensor(shape: [2], scalars: [Int32(0), 1]), axis: 1, zeroPoint: -5, lower: -128, upper: 100,
            to: .int8)
        // Channel 0: 3·0.5 = 1.5 → 2 and −1.5 → −1 in the multiply (ties upward), + (−5).
        // Channel 1: ±300 · 1.0, + (−5): 295 clamps to 100, −305 to −128.
        XCTAssertEqual(y.dtype, .int8)
        XCTAssertEqual(y.scalars(as: Int8.self), [-3, -6, 100, -128])
    }

    func testTensorOpRefusesBadParameters() {
        let x = Tensor(shape: [2], scalars: [Int32(1), 2])
        let one = Tensor(shape: [1], scalars: [Int32(1 << 30)])
        XCTAssertThrowsError(try Kernels.fixedPointRequantize(x, multipliers: one, shifts: Tensor(shape: [1],
            scalars: [Int32(31)]), axis: 0, zeroPoint: 0, lower: 0, upper: 1, to: .int8), "shift above 30")
        XCTAssertThrowsError(try Kernels.fixedPointRequantize(x, multipliers: one, shifts: Tensor(shape: [1],
            scalars: [Int32(0)]), axis: 0, zeroPoint: 0, lower: 0, upper: 300, to: .int8), "clamp outside int8")
        XCTAssertThrowsError(try Kernels.fixedPointRequantize(x, multipliers: Tensor(shape: [3], scalars: [Int32(1),
            1, 1]), shifts: Tensor(shape: [3], scalars: [Int32(0), 0, 0]), axis: 0, zeroPoint: 0, lower: 0,
            upper: 1, to: .int8), "3 multipliers for 2 channels")
        XCTAssertThrowsError(try Kernels.fixedPointRequantize(x, multipliers: one, shifts: Tensor(shape: [1],
            scalars: [Int32(0)]), axis: 0, zeroPoint: 0, lower: 0, upper: 1, to: .float32), "float output")
    }
}

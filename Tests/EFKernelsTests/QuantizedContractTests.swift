// The int8 contract's reference kernels (docs/numerics.md) on cases worked out by hand: ties
// round to even, the clamp applies before rounding, accumulation wraps, the input zero point
// shifts padding, and float32 (not double) conversion of large accumulators.

import EFCore
import EFKernels
import XCTest

final class QuantizedContractTests: XCTestCase {
    func testRequantizeRoundsTiesToEvenAndClamps() {
        // 5 · 0.5 = 2.5 → 2; 7 · 0.5 = 3.5 → 4; zero point 10 added after rounding.
        XCTAssertEqual(Kernels.requantize(5, multiplier: 0.5, zeroPoint: 10, lower: 0, upper: 255), 12)
        XCTAssertEqual(Kernels.requantize(7, multiplier: 0.5, zeroPoint: 10, lower: 0, upper: 255), 14)
        XCTAssertEqual(Kernels.requantize(-3, multiplier: 0.5, zeroPoint: 10, lower: 0, upper: 255), 8)
        // Saturation at both ends, and a ReLU clamp at the zero point.
        XCTAssertEqual(Kernels.requantize(1_000_000, multiplier: 1, zeroPoint: 3, lower: 0, upper: 255), 255)
        XCTAssertEqual(Kernels.requantize(-1_000_000, multiplier: 1, zeroPoint: 3, lower: 0, upper: 255), 0)
        XCTAssertEqual(Kernels.requantize(-4, multiplier: 1, zeroPoint: 3, lower: 3, upper: 255), 3)
    }

    func testRequantizeConvertsTheAccumulatorToFloat32First() {
        // 16_777_217 is not a float32: it converts to 16_777_216, so · 2^-24 gives exactly 1.
        XCTAssertEqual(Kernels.requantize(16_777_217, multiplier: 1.0 / 16_777_216, zeroPoint: 0, lower: 0,
                                          upper: 255), 1)
    }

    func testMatMulAccumulatorsShiftByTheZeroPointAndAddBias() throws {
        // a = [[3, 4]] with zero point 2 → [1, 2]; b = [[1, -1], [2, 3]] → [5, 5]; + bias [10, -20].
        let a = Tensor(shape: [1, 2], scalars: [UInt8(3), 4])
        let b = Tensor(shape: [2, 2], scalars: [Int8(1), -1, 2, 3])
        let acc = try Kernels.quantizedMatMulAccumulators(a, b, bias: Tensor(shape: [2], scalars: [Int32(10), -20]),
                                                          zeroPoint: 2)
        XCTAssertEqual(acc.scalars(as: Int32.self), [15, -15])
    }

    func testBiasAdditionWraps() throws {
        let a = Tensor(shape: [1, 1], scalars: [UInt8(255)])
        let b = Tensor(shape: [1, 1], scalars: [Int8(127)])
        let acc = try Kernels.quantizedMatMulAccumulators(a, b, bias: Tensor(shape: [1], scalars: [Int32.max]),
                                                          zeroPoint: 0)
        XCTAssertEqual(acc.scalars(as: Int32.self), [Int32.max &+ 255 * 127])
    }

    func testConvPaddingHoldsTheInputZeroPoint() throws {
        // 1×1 input of value 9 with zero point 9 is real 0; a 3×3 all-ones kernel over pad 1 sees
        // only zero-point padding, so the accumulator is the bias alone.
        let x = Tensor(shape: [1, 1, 1, 1], scalars: [UInt8(9)])
        let w = Tensor(shape: [1, 1, 3, 3], scalars: [Int8](repeating: 1, count: 9))
        let acc = try Kernels.quantizedConvAccumulators(x, weight: w, bias: Tensor(shape: [1], scalars: [Int32(7)]),
                                                        zeroPoint: 9, ConvParameters(pads: [1, 1, 1, 1]))
        XCTAssertEqual(acc.shape, [1, 1, 1, 1])
        XCTAssertEqual(acc.scalars(as: Int32.self), [7])
    }

    func testPerChannelRequantizationAndDequantization() throws {
        // [N=1, C=2, 2 pixels]: channel 0 multiplier 0.25, channel 1 multiplier 2.
        let acc = Tensor(shape: [1, 2, 2], scalars: [Int32(4), 10, 3, -1])
        let m = Tensor(shape: [2], scalars: [Float(0.25), 2])
        let y = try Kernels.requantize(acc, multipliers: m, inner: 2, channels: 2, zeroPoint: 128, lower: 0, upper: 255)
        XCTAssertEqual(y.scalars(as: UInt8.self), [129, 130, 134, 126])
        let f = try Kernels.dequantizeAccumulators(acc, scales: m, inner: 2, channels: 2)
        XCTAssertEqual(f.scalars(as: Float.self), [1, 2.5, 6, -2])
    }

    func testBadParametersAreRefused() {
        let acc = Tensor(shape: [2], scalars: [Int32(1), 2])
        XCTAssertThrowsError(try Kernels.requantize(acc, multipliers: Tensor(shape: [1], scalars: [Float.nan]),
                                                    inner: 1, channels: 1, zeroPoint: 0, lower: 0, upper: 255))
        XCTAssertThrowsError(try Kernels.requantize(acc, multipliers: Tensor(shape: [1], scalars: [Float(1)]),
                                                    inner: 1, channels: 1, zeroPoint: 300, lower: 0, upper: 255))
        let a = Tensor(shape: [1, 1], scalars: [Int8(1)])
        XCTAssertThrowsError(try Kernels.quantizedMatMulAccumulators(a, Tensor(shape: [1, 1], scalars: [Int8(1)]),
                                                                     bias: nil, zeroPoint: 0))
    }
}

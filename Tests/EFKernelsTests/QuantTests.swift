// Quantized kernels on tiny hand-checked cases: round-half-to-even ties, saturation at the
// dtype limits, extreme zero points, per-axis and blocked scales, integer products, and
// quantized convolutions against the direct-loop conv on shifted integers.

import EFCore
import EFKernels
import XCTest

final class QuantTests: XCTestCase {
    func testQuantizeRoundsHalfToEvenAndSaturates() throws {
        let x = Tensor(shape: [7], scalars: [Float](arrayLiteral: 0.5, 1.5, 2.5, -0.5, -1.5, 300, -300))
        let one = Tensor(scalar: Float(1))
        XCTAssertEqual(try Kernels.quantizeLinear(x, scale: one, zeroPoint: nil, outputDType: .uint8).scalars(as: UInt8.self),
                       [0, 2, 2, 0, 0, 255, 0])
        XCTAssertEqual(try Kernels.quantizeLinear(x, scale: one, zeroPoint: Tensor(scalar: Int8(0)), outputDType: .int8)
                        .scalars(as: Int8.self), [0, 2, 2, 0, -2, 127, -128])
        XCTAssertEqual(try Kernels.quantizeLinear(x, scale: one, zeroPoint: Tensor(scalar: UInt8(128)), outputDType: .uint8)
                        .scalars(as: UInt8.self), [128, 130, 130, 128, 126, 255, 0])
        // Extreme zero points: everything positive saturates at 255, everything below −1 at −128.
        let small = Tensor(shape: [3], scalars: [Float](arrayLiteral: 1, -1, 0))
        XCTAssertEqual(try Kernels.quantizeLinear(small, scale: one, zeroPoint: Tensor(scalar: UInt8(255)), outputDType: .uint8)
                        .scalars(as: UInt8.self), [255, 254, 255])
        XCTAssertEqual(try Kernels.quantizeLinear(small, scale: one, zeroPoint: Tensor(scalar: Int8(-128)), outputDType: .int8)
                        .scalars(as: Int8.self), [-127, -128, -128])
        // The division happens in float32: 0.3 / 0.1 is 3.0000002 in float32 → 3.
        let third = try Kernels.quantizeLinear(Tensor(shape: [1], scalars: [Float(0.3)]), scale: Tensor(scalar: Float(0.1)),
                                               zeroPoint: nil, outputDType: .uint8)
        XCTAssertEqual(third.scalars(as: UInt8.self), [3])
    }

    func testPerAxisAndBlockedScales() throws {
        let x = Tensor(shape: [2, 4], scalars: [Float](arrayLiteral: 1, 2, 3, 4, -1, -2, -3, -4))
        let perAxis = try Kernels.quantizeLinear(x, scale: Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, 2, 4, 8)),
                                                 zeroPoint: Tensor(shape: [4], scalars: [Int8](arrayLiteral: 0, 1, 2, 3)),
                                                 axis: 1, outputDType: .int8)
        // 1/1+0, 2/2+1, 3/4→0.75→1 +2, 4/8→0.5→0 +3; −1, −1+1, −0.75→−1 +2, −0.5→−0 +3
        XCTAssertEqual(perAxis.scalars(as: Int8.self), [1, 2, 3, 3, -1, 0, 1, 3])
        let blocked = try Kernels.quantizeLinear(x, scale: Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 1, 2, 4, 8)),
                                                 zeroPoint: nil, axis: 1, blockSize: 2, outputDType: .int8)
        XCTAssertEqual(blocked.scalars(as: Int8.self), [1, 2, 2, 2, 0, -0, -0, -0].map { Int8($0) })
        XCTAssertThrowsError(try Kernels.quantizeLinear(x, scale: Tensor(shape: [3], scalars: [Float](arrayLiteral: 1, 1, 1)),
                                                        zeroPoint: nil, axis: 1, outputDType: .int8)) {
            XCTAssertTrue("\($0)".contains("[4]"), "\($0)")
        }
        let dequantized = try Kernels.dequantizeLinear(Tensor(shape: [2, 2], scalars: [UInt8](arrayLiteral: 0, 255, 10, 20)),
                                                       scale: Tensor(shape: [2], scalars: [Float](arrayLiteral: 0.5, 2)),
                                                       zeroPoint: Tensor(shape: [2], scalars: [UInt8](arrayLiteral: 128, 10)),
                                                       axis: 0)
        XCTAssertEqual(dequantized.scalars(as: Float.self), [-64, 63.5, 0, 20])
        let fromInt32 = try Kernels.dequantizeLinear(Tensor(shape: [2], scalars: [Int32](arrayLiteral: -1000, 7)),
                                                     scale: Tensor(scalar: Float(0.25)), zeroPoint: nil)
        XCTAssertEqual(fromInt32.scalars(as: Float.self), [-250, 1.75])
    }

    func testDynamicQuantizeLinear() throws {
        let (y, scale, zp) = try Kernels.dynamicQuantizeLinear(Tensor(shape: [3], scalars: [Float](arrayLiteral: 0, 2, -1)))
        XCTAssertEqual(scale.scalars(as: Float.self), [Float(3) / 255])
        XCTAssertEqual(zp.scalars(as: UInt8.self), [85])
        XCTAssertEqual(y.scalars(as: UInt8.self), [85, 255, 0])
        // All zeros: the reference uses scale 1/255 and zero point 0.
        let (z, zScale, zZero) = try Kernels.dynamicQuantizeLinear(Tensor(zeros: .float32, shape: [2]))
        XCTAssertEqual(zScale.scalars(as: Float.self), [Float(1) / 255])
        XCTAssertEqual(zZero.scalars(as: UInt8.self), [0])
        XCTAssertEqual(z.scalars(as: UInt8.self), [0, 0])
        // Infinite inputs must not trap.
        XCTAssertNoThrow(try Kernels.dynamicQuantizeLinear(Tensor(shape: [2], scalars: [-Float.infinity, .nan])))
    }

    func testIntegerMatMulAndRequantization() throws {
        let a = Tensor(shape: [2, 2], scalars: [UInt8](arrayLiteral: 1, 2, 3, 4))
        let b = Tensor(shape: [2, 2], scalars: [UInt8](arrayLiteral: 5, 6, 7, 8))
        let c = try Kernels.matMulInteger(a, b, aZeroPoint: Tensor(scalar: UInt8(1)),
                                          bZeroPoint: Tensor(shape: [2], scalars: [UInt8](arrayLiteral: 5, 6)))
        XCTAssertEqual(c.dtype, .int32)
        XCTAssertEqual(c.scalars(as: Int32.self), [2, 2, 6, 6])
        // acc 5, 7, 200 times 1·1/2: 2.5 → 2, 3.5 → 4, 100 → 100 + zp 100 = 200 saturates at 127 for int8.
        let q = try Kernels.qlinearMatMul(a: Tensor(shape: [3, 1], scalars: [Int8](arrayLiteral: 5, 7, 100)),
                                          aScale: Tensor(scalar: Float(1)), aZeroPoint: Tensor(scalar: Int8(0)),
                                          b: Tensor(shape: [1, 1], scalars: [Int8(1)]), bScale: Tensor(scalar: Float(1)),
                                          bZeroPoint: Tensor(scalar: Int8(0)), yScale: Tensor(scalar: Float(2)),
                                          yZeroPoint: Tensor(scalar: Int8(0)))
        XCTAssertEqual(q.scalars(as: Int8.self), [2, 4, 50])
        let saturated = try Kernels.qlinearMatMul(a: Tensor(shape: [1, 1], scalars: [Int8(100)]), aScale: Tensor(scalar: Float(1)),
                                                  aZeroPoint: nil, b: Tensor(shape: [1, 1], scalars: [Int8(-100)]),
                                                  bScale: Tensor(scalar: Float(1)), bZeroPoint: nil,
                                                  yScale: Tensor(scalar: Float(1)), yZeroPoint: Tensor(scalar: UInt8(3)))
        XCTAssertEqual(saturated.scalars(as: UInt8.self), [0])
    }

    func testQuantizedConvsMatchDirectLoopsOnShiftedIntegers() throws {
        let xShape = [1, 4, 5, 5], wShape = [6, 2, 3, 3]
        let x = (0..<100).map { UInt8(($0 * 37 + 11) % 256) }
        let w = (0..<108).map { Int8(($0 * 53 % 255) - 127) }
        let wZero = (0..<6).map { Int8($0 * 3 - 7) }
        let xZero = UInt8(131)
        let params = ConvParameters(strides: [2, 1], pads: [1, 0, 1, 2], group: 2)
        let result = try Kernels.convInteger(Tensor(shape: xShape, scalars: x), weight: Tensor(shape: wShape, scalars: w),
                                             xZeroPoint: Tensor(scalar: xZero),
                                             wZeroPoint: Tensor(shape: [6], scalars: wZero), params)
        let shiftedW = w.enumerated().map { Double(Int($1) - Int(wZero[$0 / 18])) }
        let (expected, shape) = NaiveConv.conv(x: x.map { Double(Int($0) - Int(xZero)) }, xShape: xShape, w: shiftedW,
                                               wShape: wShape, bias: nil, strides: [2, 1], pads: [1, 0, 1, 2],
                                               dilations: [1, 1], group: 2)
        XCTAssertEqual(result.shape, shape)
        XCTAssertEqual(result.doubleValues(), expected)

        let bias = (0..<6).map { Int32($0 * 1000 - 2500) }
        let wScale = (0..<6).map { Float($0 + 1) / 64 }
        let q = try Kernels.qlinearConv(x: Tensor(shape: xShape, scalars: x), xScale: Tensor(scalar: Float(0.5)),
                                        xZeroPoint: Tensor(scalar: xZero), weight: Tensor(shape: wShape, scalars: w),
                                        wScale: Tensor(shape: [6], scalars: wScale),
                                        wZeroPoint: Tensor(shape: [6], scalars: wZero), yScale: Tensor(scalar: Float(4)),
                                        yZeroPoint: Tensor(scalar: UInt8(128)), bias: Tensor(shape: [6], scalars: bias), params)
        let plane = shape[2] * shape[3]
        let requantized = expected.enumerated().map { i, acc -> UInt8 in
            let m = i / plane % 6
            let multiplier = Double(Float(0.5) * wScale[m] / Float(4))
            let value = ((acc + Double(bias[m])) * multiplier + 128).rounded(.toNearestOrEven)
            return UInt8(min(max(value, 0), 255))
        }
        XCTAssertEqual(q.scalars(as: UInt8.self), requantized)
        XCTAssertTrue(Set(requantized).count > 10, "the case should exercise a spread of outputs")
    }
}

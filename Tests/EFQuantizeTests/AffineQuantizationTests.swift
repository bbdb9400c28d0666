// Scale/zero-point rules of docs/numerics.md, checked against values worked out by hand from
// the formulas (range widened to contain 0, scale = span/255, zero point rounded half to even).

import EFCore
import EFQuantize
import XCTest

final class AffineQuantizationTests: XCTestCase {
    func testRangeIsWidenedToContainZero() throws {
        let positive = try ActivationQuantization(lower: 2, upper: 6)
        XCTAssertEqual(positive.zeroPoint, 0)
        XCTAssertEqual(positive.scale, Float(6.0 / 255))
        let negative = try ActivationQuantization(lower: -5.1, upper: -1)
        XCTAssertEqual(negative.zeroPoint, 255)
        XCTAssertEqual(negative.scale, Float(Double(Float(5.1)) / 255))
    }

    func testAsymmetricZeroPointRoundsHalfToEven() throws {
        // span 255 → scale 1; −low / scale = 2.5 → 2 (ties to even).
        let q = try ActivationQuantization(lower: -2.5, upper: 252.5)
        XCTAssertEqual(q.scale, 1)
        XCTAssertEqual(q.zeroPoint, 2)
    }

    func testNonFiniteRangeIsRefused() {
        XCTAssertThrowsError(try ActivationQuantization(lower: -.infinity, upper: 1))
        XCTAssertThrowsError(try ActivationQuantization(lower: 0, upper: .nan))
    }

    func testAllZeroTensorGetsUsableScale() throws {
        let q = try ActivationQuantization(lower: 0, upper: 0)
        XCTAssertEqual(q.scale, 1)
        XCTAssertEqual(q.zeroPoint, 0)
    }

    func testWeightsPerOutputChannel() throws {
        // Channel 0: max |w| 1.27 → scale 0.01; channel 1 all zero → scale 1, codes 0.
        let w = Tensor(shape: [2, 3], scalars: [Float(1.27), -0.64, 0.004, 0, 0, 0])
        let q = try WeightQuantization(weights: w, axis: 0)
        XCTAssertEqual(q.scales, [Float(Double(Float(1.27)) / 127), 1])
        XCTAssertEqual(q.values.scalars(as: Int8.self), [127, -64, 0, 0, 0, 0])
    }

    func testMatMulWeightsUseColumnAxis() throws {
        let w = Tensor(shape: [2, 2], scalars: [Float(1.5), -4, -2, 3])
        let q = try WeightQuantization(weights: w, axis: 1)
        XCTAssertEqual(q.scales, [Float(2.0 / 127), Float(4.0 / 127)])
        XCTAssertEqual(q.values.scalars(as: Int8.self), [95, -127, -127, 95])
    }
}

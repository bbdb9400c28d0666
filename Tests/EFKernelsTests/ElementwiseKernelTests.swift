// Edge cases of the elementwise kernels, with expected values worked out by hand from the
// ONNX/numpy semantics stated in each kernel's documentation.

import EFCore
import EFKernels
import XCTest

final class ElementwiseKernelTests: XCTestCase {
    func testBroadcastAcrossRanksAndSizeOneDims() throws {
        let a = Tensor(shape: [2, 1, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
        let b = Tensor(shape: [2, 1], scalars: [Float](arrayLiteral: 10, 20))
        let sum = try Kernels.binary(.add, a, b)
        XCTAssertEqual(sum.shape, [2, 2, 3])
        XCTAssertEqual(sum.scalars(as: Float.self), [11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26])
        let scalar = try Kernels.binary(.sub, Tensor(scalar: Float(1)), a)
        XCTAssertEqual(scalar.shape, [2, 1, 3])
        XCTAssertEqual(scalar.scalars(as: Float.self), [0, -1, -2, -3, -4, -5])
    }

    func testIncompatibleShapesAndDtypesThrow() {
        let a = Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))
        let b = Tensor(shape: [4], scalars: [Float](repeating: 1, count: 4))
        XCTAssertThrowsError(try Kernels.binary(.add, a, b))
        XCTAssertThrowsError(try Kernels.binary(.add, a, Tensor(scalar: Int32(1))))
        XCTAssertThrowsError(try Kernels.binary(.and, a, a))
    }

    func testEmptyTensorsStayEmpty() throws {
        let empty = Tensor(zeros: .float32, shape: [0, 3])
        let result = try Kernels.binary(.mul, empty, Tensor(shape: [3], scalars: [Float](arrayLiteral: 1, 2, 3)))
        XCTAssertEqual(result.shape, [0, 3])
        XCTAssertEqual(try Kernels.unary(.exp, empty).shape, [0, 3])
        XCTAssertEqual(try Kernels.reduce(.sum, empty, axes: [0], keepDims: false).scalars(as: Float.self), [0, 0, 0])
    }

    func testIntegerDivisionAndRemainderSigns() throws {
        let a = Tensor(shape: [5], scalars: [Int32](arrayLiteral: 7, -7, 7, -7, 3))
        let b = Tensor(shape: [5], scalars: [Int32](arrayLiteral: 2, 2, -2, -2, 0))
        XCTAssertEqual(try Kernels.binary(.div, a, b).scalars(as: Int32.self), [3, -3, -3, 3, 0])
        XCTAssertEqual(try Kernels.binary(.mod, a, b).scalars(as: Int32.self), [1, 1, -1, -1, 0])
        XCTAssertEqual(try Kernels.binary(.fmod, a, b).scalars(as: Int32.self), [1, -1, 1, -1, 0])
        let overflow = try Kernels.binary(.div, Tensor(scalar: Int8.min), Tensor(scalar: Int8(-1)))
        XCTAssertEqual(overflow.scalars(as: Int8.self), [Int8.min])
    }

    func testFloatModuloFollowsTheDivisor() throws {
        let a = Tensor(shape: [2], scalars: [Float](arrayLiteral: -5.5, 5.5))
        let b = Tensor(shape: [2], scalars: [Float](arrayLiteral: 2, -2))
        XCTAssertEqual(try Kernels.binary(.mod, a, b).scalars(as: Float.self), [0.5, -0.5])
        XCTAssertEqual(try Kernels.binary(.fmod, a, b).scalars(as: Float.self), [-1.5, 1.5])
    }

    func testIntegerPowers() throws {
        let base = Tensor(shape: [5], scalars: [Int64](arrayLiteral: 2, -3, 1, -1, 2))
        let exponent = Tensor(shape: [5], scalars: [Int64](arrayLiteral: 10, 3, -4, -3, -1))
        XCTAssertEqual(try Kernels.binary(.pow, base, exponent).scalars(as: Int64.self), [1024, -27, 1, -1, 0])
        let mixed = try Kernels.binary(.pow, Tensor(shape: [2], scalars: [Int32](arrayLiteral: 4, 9)),
                                       Tensor(scalar: Float(0.5)))
        XCTAssertEqual(mixed.dtype, .int32)
        XCTAssertEqual(mixed.scalars(as: Int32.self), [2, 3])
    }

    func testSquaringMatchesPow() throws {
        let x = Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: -3, 1.1, 2e20, .nan))
        let squared = try Kernels.binary(.pow, x, Tensor(shape: [1, 1], scalars: [Float(2)])).scalars(as: Float.self)
        XCTAssertEqual(Array(squared[0..<3]), [9, Float(1.1) * Float(1.1), .infinity])
        XCTAssertTrue(squared[3].isNaN)
        let general = try Kernels.binary(.pow, x, Tensor(shape: [1], scalars: [Float(3)])).scalars(as: Float.self)
        XCTAssertEqual(general[0], -27)
    }

    func testMaxMinPropagateNaN() throws {
        let a = Tensor(shape: [3], scalars: [Float](arrayLiteral: .nan, 1, 2))
        let b = Tensor(shape: [3], scalars: [Float](arrayLiteral: 0, .nan, 1))
        let max = try Kernels.binary(.max, a, b).scalars(as: Float.self)
        XCTAssertTrue(max[0].isNaN && max[1].isNaN)
        XCTAssertEqual(max[2], 2)
        let min = try Kernels.binary(.min, a, b).scalars(as: Float.self)
        XCTAssertTrue(min[0].isNaN && min[1].isNaN)
        XCTAssertEqual(min[2], 1)
    }

    func testRoundHalfToEven() throws {
        let x = Tensor(shape: [6], scalars: [Float](arrayLiteral: 0.5, 1.5, 2.5, -0.5, -2.5, 2.51))
        XCTAssertEqual(try Kernels.unary(.round, x).scalars(as: Float.self), [0, 2, 2, -0, -2, 3])
    }

    func testActivationsAtKnownPoints() throws {
        let x = Tensor(shape: [3], scalars: [Float](arrayLiteral: -1, 0, 2))
        XCTAssertEqual(try Kernels.unary(.relu, x).scalars(as: Float.self), [0, 0, 2])
        XCTAssertEqual(try Kernels.unary(.leakyRelu, x, UnaryParameters(alpha: 0.1)).scalars(as: Float.self), [-0.1, 0, 2])
        XCTAssertEqual(try Kernels.unary(.hardSigmoid, x, UnaryParameters(alpha: 0.2, beta: 0.5)).scalars(as: Float.self), [0.3, 0.5, 0.9])
        XCTAssertEqual(try Kernels.unary(.thresholdedRelu, x, UnaryParameters(alpha: 1)).scalars(as: Float.self), [0, 0, 2])
        let sigmoid = try Kernels.unary(.sigmoid, Tensor(shape: [2], scalars: [Float](arrayLiteral: -200, 200)))
        XCTAssertEqual(sigmoid.scalars(as: Float.self), [0, 1], "no overflow for large |x|")
        let softplus = try Kernels.unary(.softplus, Tensor(shape: [1], scalars: [Float](arrayLiteral: 100)))
        XCTAssertEqual(softplus.scalars(as: Float.self), [100])
    }

    func testIntegerAndBoolUnary() throws {
        let x = Tensor(shape: [3], scalars: [Int8](arrayLiteral: -128, -3, 5))
        XCTAssertEqual(try Kernels.unary(.abs, x).scalars(as: Int8.self), [-128, 3, 5])
        XCTAssertEqual(try Kernels.unary(.sign, x).scalars(as: Int8.self), [-1, -1, 1])
        XCTAssertEqual(try Kernels.unary(.bitwiseNot, x).scalars(as: Int8.self), [127, 2, -6])
        XCTAssertEqual(try Kernels.unary(.not, Tensor(shape: [2], scalars: [true, false])).scalars(as: Bool.self), [false, true])
        XCTAssertThrowsError(try Kernels.unary(.exp, x))
    }

    func testIsInfDirections() throws {
        let x = Tensor(shape: [4], scalars: [Float](arrayLiteral: .infinity, -.infinity, .nan, 1))
        XCTAssertEqual(try Kernels.unary(.isInf, x, UnaryParameters(alpha: 1, beta: 0)).scalars(as: Bool.self), [true, false, false, false])
        XCTAssertEqual(try Kernels.unary(.isNaN, x).scalars(as: Bool.self), [false, false, true, false])
    }

    func testHalfFloatsComputeInFloat32() throws {
        let x = Tensor(shape: [2], scalars: [Float16](arrayLiteral: 1.5, -2))
        let y = try Kernels.binary(.mul, x, x)
        XCTAssertEqual(y.dtype, .float16)
        XCTAssertEqual(y.scalars(as: Float16.self), [2.25, 4])
        let b = Tensor(shape: [1], scalars: [BFloat16(3)])
        XCTAssertEqual(try Kernels.unary(.neg, b).scalars(as: BFloat16.self).map(\.floatValue), [-3])
    }

    func testWhereBroadcastsAllThree() throws {
        let cond = Tensor(shape: [2, 1], scalars: [true, false])
        let x = Tensor(shape: [3], scalars: [Int64](arrayLiteral: 1, 2, 3))
        let y = Tensor(scalar: Int64(-1))
        let result = try Kernels.select(cond, x, y)
        XCTAssertEqual(result.shape, [2, 3])
        XCTAssertEqual(result.scalars(as: Int64.self), [1, 2, 3, -1, -1, -1])
        XCTAssertThrowsError(try Kernels.select(x, x, x))
    }
}

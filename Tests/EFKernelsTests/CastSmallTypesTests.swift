// Cast to and from the small ONNX types (CastSmallTypes.swift): float8 saturation, fnuz zeros,
// float8e8m0 rounding modes, wrapping sub-byte integers, exact widening; and the movement kernels on them.

import EFCore
import EFKernels
import XCTest

final class CastSmallTypesTests: XCTestCase {
    private func codes(_ values: [Float], to dtype: DType, saturate: Bool = true,
                       roundMode: SmallFloatFormat.E8M0Rounding = .up) throws -> [UInt8] {
        let x = Tensor(shape: [values.count], scalars: values)
        return [UInt8](try Kernels.cast(x, to: dtype, saturate: saturate, roundMode: roundMode).data)
    }

    func testFloat8SaturationAndSpecials() throws {
        // e4m3fn: 448 is 0x7E, 0x7F is NaN; e5m2: 0x7C is inf, 0x7B its largest finite value.
        XCTAssertEqual(try codes([1e6, -.infinity, .nan, 1], to: .float8e4m3fn), [0x7E, 0xFE, 0x7F, 0x38])
        XCTAssertEqual(try codes([1e6, -.infinity], to: .float8e4m3fn, saturate: false), [0x7F, 0xFF])
        XCTAssertEqual(try codes([1e6, -.infinity], to: .float8e5m2, saturate: false), [0x7C, 0xFC])
        XCTAssertEqual(try codes([1e6, -.infinity], to: .float8e5m2), [0x7B, 0xFB])
        // fnuz: no −0 (tiny negatives give +0), NaN is 0x80.
        XCTAssertEqual(try codes([-0.0, -1e-30, .nan, -1], to: .float8e4m3fnuz), [0x00, 0x00, 0x80, 0xC0])
    }

    func testFloat8E8M0RoundingModes() throws {
        // 3 lies between 2 (0x80) and 4 (0x81); 2^127 · 1.5 is above the largest code 0xFE.
        let values: [Float] = [3, 2, .nan, 1.5 * 0x1p127]
        XCTAssertEqual(try codes(values, to: .float8e8m0, roundMode: .up), [0x81, 0x80, 0xFF, 0xFE])
        XCTAssertEqual(try codes(values, to: .float8e8m0, roundMode: .down), [0x80, 0x80, 0xFF, 0xFE])
        XCTAssertEqual(try codes(values, to: .float8e8m0, saturate: false, roundMode: .up), [0x81, 0x80, 0xFF, 0xFF])
    }

    func testSubByteIntegersTruncateAndWrap() throws {
        let values: [Float] = [1.9, -2.5, 2, 3, -1, .nan, 9]
        let int2 = try Kernels.cast(Tensor(shape: [7], scalars: values), to: .int2)
        XCTAssertEqual(int2.doubleValues(), [1, -2, -2, -1, -1, 0, 1])
        let uint4 = try Kernels.cast(Tensor(shape: [7], scalars: values), to: .uint4)
        XCTAssertEqual(uint4.doubleValues(), [1, 14, 2, 3, 15, 0, 9])
    }

    func testSmallTypesWidenExactly() throws {
        let floats = Tensor(shape: [4], scalars: [Float](arrayLiteral: 5, -6, 0.25, 100))
        let fp4 = try Kernels.cast(floats, to: .float4e2m1)
        XCTAssertEqual(try Kernels.cast(fp4, to: .float32).scalars(as: Float.self), [4, -6, 0, 6])
        let int4 = try Kernels.cast(Tensor(shape: [2], scalars: [Int8](arrayLiteral: -8, 7)), to: .int4)
        XCTAssertEqual(try Kernels.cast(int4, to: .float16).scalars(as: Float16.self), [-8, 7])
        XCTAssertEqual(try Kernels.cast(int4, to: .uint4).doubleValues(), [8, 7])
    }
}

/// The data-movement kernels copy small-type elements as bytes (one per element in memory).
final class SmallTypeMovementTests: XCTestCase {
    func testTransposeConcatSliceGatherMoveInt4AndFloat8Elements() throws {
        let int4 = try Kernels.cast(Tensor(shape: [2, 3], scalars: [Int8](arrayLiteral: -8, -1, 0, 1, 6, 7)), to: .int4)
        XCTAssertEqual(try Kernels.transpose(int4, perm: [1, 0]).doubleValues(), [-8, 1, -1, 6, 0, 7])
        XCTAssertEqual(try Kernels.concat([int4, int4], axis: 0).shape, [4, 3])
        XCTAssertEqual(try Kernels.slice(int4, starts: [1, 1], ends: [2, 3], steps: [1, 1]).doubleValues(), [6, 7])
        let fp8 = try Kernels.cast(Tensor(shape: [3], scalars: [Float](arrayLiteral: 0.5, -2, 448)), to: .float8e5m2)
        let picked = try Kernels.gather(fp8, indices: Tensor(shape: [2], scalars: [Int64](arrayLiteral: 2, 0)), axis: 0)
        XCTAssertEqual(picked.dtype, .float8e5m2)
        XCTAssertEqual(picked.doubleValues(), [448, 0.5])
    }
}

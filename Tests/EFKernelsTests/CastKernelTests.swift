// The cast rules documented in Cast.swift: truncation, the x86 "integer indefinite" value for
// NaN and out-of-range floats, wrapping of narrow integers, half-precision rounding, bool.

import EFCore
import EFKernels
import XCTest

final class CastKernelTests: XCTestCase {
    private func cast<T: TensorElement>(_ values: [Float], to dtype: DType, as type: T.Type) throws -> [T] {
        try Kernels.cast(Tensor(shape: [values.count], scalars: values), to: dtype).scalars(as: T.self)
    }

    func testFloatToInt32TruncatesAndMarksInvalid() throws {
        XCTAssertEqual(try cast([1.9, -1.9, .nan, 3e9, -.infinity], to: .int32, as: Int32.self),
                       [1, -1, Int32.min, Int32.min, Int32.min])
    }

    func testFloatToNarrowIntegersWrapTheInt32Value() throws {
        XCTAssertEqual(try cast([300.7, -1.5, 255.9, .nan], to: .uint8, as: UInt8.self), [44, 255, 255, 0])
        XCTAssertEqual(try cast([200, -129], to: .int8, as: Int8.self), [-56, 127])
    }

    func testFloatToUnsignedWideWrapsTheInt64Value() throws {
        XCTAssertEqual(try cast([-1, 7.5], to: .uint64, as: UInt64.self), [UInt64.max, 7])
    }

    func testIntegerToIntegerWraps() throws {
        let x = Tensor(shape: [3], scalars: [Int64](arrayLiteral: -1, 256, 300))
        XCTAssertEqual(try Kernels.cast(x, to: .uint8).scalars(as: UInt8.self), [255, 0, 44])
    }

    func testHalfPrecisionRoundsToNearestEven() throws {
        // 2049 lies halfway between float16 neighbours 2048 and 2050: ties go to 2048 (even).
        XCTAssertEqual(try cast([2049, 2051, 65520, 1e-8], to: .float16, as: Float16.self), [2048, 2052, .infinity, 0])
        let bf = try cast([1 + 1.0 / 256, 1 + 3.0 / 256], to: .bfloat16, as: BFloat16.self)
        XCTAssertEqual(bf.map(\.floatValue), [1, 1 + 4.0 / 256])
    }

    func testBoolConversions() throws {
        XCTAssertEqual(try cast([0, -0.0, 2, .nan], to: .bool, as: Bool.self), [false, false, true, true])
        let back = try Kernels.cast(Tensor(shape: [2], scalars: [true, false]), to: .float32)
        XCTAssertEqual(back.scalars(as: Float.self), [1, 0])
    }

    func testEveryPairOfDtypesConverts() throws {
        let source = Tensor(shape: [3], scalars: [Float](arrayLiteral: 0, 1, 5))
        // The types that hold 0, 1 and 5 exactly (int2, uint2, float4e2m1, float8e8m0: CastSmallTypesTests).
        let holding = DType.allCases.filter { ![.int2, .uint2, .float4e2m1, .float8e8m0].contains($0) }
        for from in holding {
            let x = try Kernels.cast(source, to: from)
            for to in holding {
                let y = try Kernels.cast(x, to: to)
                let expected: [Double] = to == .bool ? [0, 1, 1] : (from == .bool ? [0, 1, 1] : [0, 1, 5])
                XCTAssertEqual(y.doubleValues(), expected, "\(from) → \(to)")
            }
        }
    }
}

// Packing and unpacking of the sub-byte types (two 4-bit or four 2-bit elements per byte,
// first element in the low bits) and the size checks on stored data.

import EFCore
import XCTest

final class PackedIntegersTests: XCTestCase {
    func testInt4WithAnOddCountUnpacksSignExtendedAndPacksBack() throws {
        // Elements 7, -8, -1, 3, 5: bytes 0x87, 0x3F, 0x05 (the last high nibble is padding).
        let stored: [UInt8] = [0x87, 0x3F, 0x05]
        let tensor = try stored.withUnsafeBytes { try Tensor.unpacking(.int4, shape: [5], stored: $0, "int4 test") }
        XCTAssertEqual(tensor.byteCount, 5)
        XCTAssertEqual(tensor.doubleValues(), [7, -8, -1, 3, 5])
        XCTAssertEqual(tensor.data, Data([0x07, 0xF8, 0xFF, 0x03, 0x05]))
        XCTAssertEqual(tensor.storedData, Data(stored))
    }

    func testUInt2AndInt2UnpackFourPerByte() throws {
        let stored: [UInt8] = [0b11_10_01_00, 0b0000_0011]
        let unsigned = try stored.withUnsafeBytes { try Tensor.unpacking(.uint2, shape: [5], stored: $0, "u2") }
        XCTAssertEqual(unsigned.doubleValues(), [0, 1, 2, 3, 3])
        let signed = try stored.withUnsafeBytes { try Tensor.unpacking(.int2, shape: [5], stored: $0, "i2") }
        XCTAssertEqual(signed.doubleValues(), [0, 1, -2, -1, -1])
        XCTAssertEqual(signed.storedData, Data(stored))
    }

    func testStoredDataOfTheWrongSizeIsRefusedNamingIt() {
        let stored: [UInt8] = [0x12, 0x34]
        XCTAssertThrowsError(try stored.withUnsafeBytes {
            try Tensor.unpacking(.uint4, shape: [5], stored: $0, "tensor 'w'")
        }) { error in
            XCTAssertTrue("\(error)".contains("tensor 'w'") && "\(error)".contains("needs 3"), "\(error)")
        }
    }

    func testPackedByteCountNeverOverflows() {
        XCTAssertEqual(PackedIntegers.packedByteCount(Int.max, .int4), Int.max / 2 + 1)
        XCTAssertEqual(PackedIntegers.packedByteCount(5, .uint2), 2)
        XCTAssertEqual(PackedIntegers.packedByteCount(5, .float8e4m3fn), 5)
    }
}

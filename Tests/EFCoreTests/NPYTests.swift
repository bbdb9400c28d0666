// Round trips and malformed-input checks for the .npy reader and writer.

import EFCore
import Foundation
import XCTest

final class NPYTests: XCTestCase {
    func testRoundTripKeepsDtypeShapeAndBytes() throws {
        let tensor = Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, -2, 3.5, 4, 5, 6))
        let decoded = try NPY.decode(NPY.encode(tensor))
        XCTAssertTrue(decoded.isBitwiseEqual(to: tensor))
        let scalar = Tensor(scalar: Int64(-7))
        XCTAssertTrue(try NPY.decode(NPY.encode(scalar)).isBitwiseEqual(to: scalar))
    }

    func testHeaderIsPaddedTo64Bytes() throws {
        let data = NPY.encode(Tensor(shape: [1], scalars: [UInt8(9)]))
        let header = try NPY.readHeader(data)
        XCTAssertEqual(header.dataOffset % 64, 0)
        XCTAssertEqual(header.dtype, .uint8)
    }

    func testRejectsTruncatedData() {
        var data = NPY.encode(Tensor(shape: [4], scalars: [Float](repeating: 1, count: 4)))
        data.removeLast(3)
        XCTAssertThrowsError(try NPY.decode(data)) { error in
            XCTAssertTrue("\(error)".contains("13 bytes"), "\(error)")
        }
    }

    func testRejectsNonNPY() {
        XCTAssertThrowsError(try NPY.decode(Data("hello world".utf8)))
    }
}

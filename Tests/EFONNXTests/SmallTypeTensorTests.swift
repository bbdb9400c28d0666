// TensorProtos of the small ONNX types: packed int4/uint2 in raw_data and int32_data with odd
// element counts, float8 codes in int32_data, and packed data too short for the dims.

import EFCore
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class SmallTypeTensorTests: XCTestCase {
    private func proto(_ dataType: Int, dims: [Int], raw: [UInt8]? = nil, int32: [Int32] = []) -> OnnxTensor {
        var tensor = OnnxTensor()
        tensor.name = "w"
        tensor.dataType = dataType
        tensor.dims = dims
        tensor.rawData = raw.map { Data($0) }
        tensor.int32Data = int32
        return tensor
    }

    func testInt4RawDataWithAnOddCountUnpacksSignExtended() throws {
        // 22 = INT4: elements 1, -2, 7, -8, -1 packed low nibble first; the last nibble pads.
        let tensor = try proto(22, dims: [5], raw: [0xE1, 0x87, 0x0F]).toTensor(baseDirectory: nil)
        XCTAssertEqual(tensor.dtype, .int4)
        XCTAssertEqual(tensor.shape, [5])
        XCTAssertEqual(tensor.doubleValues(), [1, -2, 7, -8, -1])
    }

    func testPackedInt32DataHoldsOneByteEach() throws {
        // 21 = UINT4 [3] from two packed bytes; 25 = UINT2 [5] from two.
        let uint4 = try proto(21, dims: [3], int32: [0xE1, 0x0F]).toTensor(baseDirectory: nil)
        XCTAssertEqual(uint4.doubleValues(), [1, 14, 15])
        let uint2 = try proto(25, dims: [5], int32: [0b11_10_01_00, 0b10]).toTensor(baseDirectory: nil)
        XCTAssertEqual(uint2.doubleValues(), [0, 1, 2, 3, 2])
    }

    func testFloat8Int32DataHoldsOneCodeEach() throws {
        // 17 = FLOAT8E4M3FN: 0x38 = 1.0, 0xC0 = -2.0, 0x7F = NaN.
        let tensor = try proto(17, dims: [3], int32: [0x38, 0xC0, 0x7F]).toTensor(baseDirectory: nil)
        XCTAssertEqual(tensor.dtype, .float8e4m3fn)
        let values = tensor.doubleValues()
        XCTAssertEqual(Array(values.prefix(2)), [1, -2])
        XCTAssertTrue(values[2].isNaN)
    }

    func testPackedDataTooShortIsRefusedNamingTheTensor() {
        assertEdgeflowError(.invalidModel, ["tensor 'w'", "raw_data holds 2 bytes", "need 3 bytes"]) {
            try self.proto(22, dims: [5], raw: [0x12, 0x34]).toTensor(baseDirectory: nil)
        }
        assertEdgeflowError(.invalidModel, ["tensor 'w'", "int32_data holds 1 bytes", "need 2 bytes"]) {
            try self.proto(26, dims: [7], int32: [0]).toTensor(baseDirectory: nil)
        }
        assertEdgeflowError(.invalidModel, ["tensor 'w'", "absurd shape"]) {
            try self.proto(22, dims: [1 << 40, 1 << 40, 1 << 40], raw: []).toTensor(baseDirectory: nil)
        }
    }
}

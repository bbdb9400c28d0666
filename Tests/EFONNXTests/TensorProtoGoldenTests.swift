// TensorProto decoding for every element type against goldens made by
// tools/goldens/make_tensorproto_goldens.py: raw_data files from the ONNX backend suite and
// typed-field files written by onnx.helper, with values decoded by onnx.numpy_helper.

import EFCore
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class TensorProtoGoldenTests: XCTestCase {
    private var directory: URL { TestData.goldens.appendingPathComponent("tensorproto") }

    private func rows() throws -> [(name: String, type: String, expect: String)] {
        let text = try String(contentsOf: directory.appendingPathComponent("index.tsv"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: "\t").map(String.init)
            return (fields[0], fields[1], fields[2])
        }
    }

    private func decode(_ name: String) throws -> Tensor {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).pb"))
        return try OnnxTensor(decoding: data).toTensor(baseDirectory: nil)
    }

    func testEveryElementTypeDecodesToTheReferenceValues() throws {
        let expectedDTypes: [String: DType] = [
            "float": .float32, "double": .float64, "float16": .float16, "bfloat16": .bfloat16,
            "int8": .int8, "uint8": .uint8, "int16": .int16, "uint16": .uint16, "int32": .int32,
            "uint32": .uint32, "int64": .int64, "uint64": .uint64, "bool": .bool,
            "float8e4m3fn": .float8e4m3fn, "float8e4m3fnuz": .float8e4m3fnuz, "float8e5m2": .float8e5m2,
            "float8e5m2fnuz": .float8e5m2fnuz, "float8e8m0": .float8e8m0, "float4e2m1": .float4e2m1,
            "int4": .int4, "uint4": .uint4, "int2": .int2, "uint2": .uint2,
        ]
        var covered = Set<DType>()
        for row in try rows() where row.expect == "values" {
            let tensor = try decode(row.name)
            let reference = try NPY.read(contentsOf: directory.appendingPathComponent("\(row.name).npy"))
            XCTAssertEqual(tensor.dtype, expectedDTypes[row.type], row.name)
            XCTAssertEqual(tensor.shape, reference.shape, row.name)
            // Bitwise: NaN payloads and -0 included; bfloat16 goldens are its uint16 bit patterns,
            // the small types' their in-memory bytes (codes, sign-extended int4/int2).
            XCTAssertEqual(tensor.data, reference.data, "\(row.name): bytes differ from the reference")
            covered.insert(tensor.dtype)
        }
        XCTAssertEqual(covered, Set(DType.allCases), "every Edgeflow dtype must have a golden")
    }

    func testTypedFieldGoldensHoldEdgeValues() throws {
        XCTAssertEqual(try decode("typed_int64").scalars(as: Int64.self), [Int64.min, Int64.max, -1])
        XCTAssertEqual(try decode("typed_uint64").scalars(as: UInt64.self), [UInt64.max, 5])
        XCTAssertEqual(try decode("typed_bool").scalars(as: Bool.self), [true, false, true, true, false])
        let floats = try decode("typed_float").scalars(as: Float.self)
        XCTAssertEqual(floats[1].sign, .minus)
        XCTAssertTrue(floats[5].isNaN)
        XCTAssertEqual(try decode("typed_scalar_float").shape, [])
    }

    func testUnsupportedElementTypesAreNamed() throws {
        let unsupported = try rows().filter { $0.expect == "unsupported" }
        XCTAssertEqual(Set(unsupported.map(\.type)), ["string"])
        for row in unsupported {
            assertEdgeflowError(.unsupported, ["element type \(row.type)", "Edgeflow does not support"]) {
                try decode(row.name)
            }
        }
    }
}

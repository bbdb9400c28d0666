// The protobuf wire reader through the public decoders: hand-built byte sequences for every
// wire type, packed and unpacked repeated fields, unknown fields, and truncated or corrupt input
// (each must give an invalidModel error with the byte offset, never a crash).

import EFCore
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class WireFormatTests: XCTestCase {
    private func decodeTensor(_ bytes: [UInt8]) throws -> OnnxTensor { try OnnxTensor(decoding: Data(bytes)) }

    func testVarintsFixedValuesAndUnknownFieldsOfEveryWireType() throws {
        var w = ProtoWriter()
        w.uint(99, 300)                          // unknown varint (2 bytes)
        w.int(1, 2)                              // dims, one value per field
        w.double(100, 1.5)                       // unknown fixed64
        w.int(1, 3)
        w.int(2, 1)                              // FLOAT
        w.bytes(101, [1, 2, 3])                  // unknown length-delimited
        w.float(4, 1.5)                          // float_data, unpacked
        w.float(4, -2)
        w.packedFloats(4, [0.25, 4, 8, 1e-3])    // float_data, packed, appended
        w.tag(102, wireType: 5)                  // unknown fixed32
        w.raw([9, 9, 9, 9])
        w.string(8, "wëight")
        let tensor = try decodeTensor(w.bytes)
        XCTAssertEqual(tensor.dims, [2, 3])
        XCTAssertEqual(tensor.dataType, 1)
        XCTAssertEqual(tensor.floatData, [1.5, -2, 0.25, 4, 8, 1e-3])
        XCTAssertEqual(tensor.name, "wëight")
        XCTAssertEqual(try tensor.toTensor(baseDirectory: nil).scalars(as: Float.self), [1.5, -2, 0.25, 4, 8, 1e-3])
    }

    func testPackedDimsAndNegativeTenByteVarints() throws {
        var w = ProtoWriter()
        w.packedInts(1, [3])
        w.int(2, 7)                              // INT64
        w.packedInts(7, [-1, Int(Int64.min), 1 << 40])
        let tensor = try decodeTensor(w.bytes)
        XCTAssertEqual(tensor.int64Data, [-1, Int64.min, 1 << 40])
        XCTAssertEqual(try tensor.toTensor(baseDirectory: nil).scalars(as: Int64.self), [-1, Int64.min, 1 << 40])
    }

    func testLengthBeyondTheBytesLeftNamesTheOffset() {
        // Field 1 (dims, packed) claims 5 bytes but only 1 follows.
        assertEdgeflowError(.invalidModel, ["byte offset 1", "length 5 exceeds the 1 bytes left", "TensorProto"]) {
            try decodeTensor([0x0A, 0x05, 0x01])
        }
    }

    func testHugeDeclaredLengthIsRefusedWithoutAllocating() {
        // raw_data (field 9) with a declared length of 2^35 bytes and none present.
        assertEdgeflowError(.invalidModel, ["byte offset 1", "length 34359738368 exceeds the 0 bytes left"]) {
            try decodeTensor([0x4A] + ProtoWriter.varint(1 << 35))
        }
    }

    func testTruncatedVarintAndFixedValues() {
        assertEdgeflowError(.invalidModel, ["byte offset 1", "truncated varint"]) { try decodeTensor([0x10, 0x80]) }
        assertEdgeflowError(.invalidModel, ["byte offset 1", "truncated 32-bit value"]) { try decodeTensor([0x25, 0, 0]) }
        assertEdgeflowError(.invalidModel, ["byte offset 1", "truncated 64-bit value"]) { try decodeTensor([0x51, 0, 0, 0]) }
    }

    func testOverlongVarintInvalidKeysAndWrongWireTypes() {
        assertEdgeflowError(.invalidModel, ["byte offset 1", "varint longer than 10 bytes"]) {
            try decodeTensor([0x10] + [UInt8](repeating: 0xFF, count: 10) + [0x01])
        }
        assertEdgeflowError(.invalidModel, ["byte offset 0", "invalid wire type 6"]) { try decodeTensor([0x0E]) }
        assertEdgeflowError(.invalidModel, ["byte offset 0", "invalid field number 0"]) { try decodeTensor([0x00]) }
        assertEdgeflowError(.invalidModel, ["groups"]) {
            var w = ProtoWriter()
            w.tag(50, wireType: 3)
            return try decodeTensor(w.bytes)
        }
        assertEdgeflowError(.invalidModel, ["data_type has unexpected wire type 2"]) { try decodeTensor([0x12, 0x00]) }
        assertEdgeflowError(.invalidModel, ["not a multiple of 4"]) { try decodeTensor([0x22, 0x03, 1, 2, 3]) }
    }

    func testErrorsInNestedMessagesNameTheFieldPath() {
        var graph = ProtoWriter()
        graph.bytes(1, OnnxBytes.node("Relu", ["x"], ["y"]))
        graph.message(1) { node in
            node.string(4, "Relu")
            node.bytes(5, [0x0A, 0x09, 0x61])    // attribute[0]: name claims 9 bytes, has 1
        }
        var model = ProtoWriter()
        model.int(1, 8)
        model.bytes(7, graph.bytes)
        assertEdgeflowError(.invalidModel, ["ModelProto.graph.node[1].attribute[0]", "length 9 exceeds"]) {
            try OnnxModel(decoding: Data(model.bytes))
        }
    }

    func testDeeplyNestedGraphsAreRefusedNotRecursedForever() {
        var body = OnnxBytes.graph(nodes: [], inputs: [], outputs: [])
        for _ in 0..<200 {
            var attribute = ProtoWriter()
            attribute.string(1, "body")
            attribute.bytes(6, body)
            attribute.int(20, 5)
            body = OnnxBytes.graph(nodes: [OnnxBytes.node("If", ["c"], ["y"], attributes: [attribute.bytes])],
                                   inputs: [], outputs: [])
        }
        assertEdgeflowError(.invalidModel, ["nested more than 64 deep"]) {
            try OnnxModel(decoding: OnnxBytes.model(graph: body))
        }
    }

    func testEmptyAndNonProtobufFilesAreRejected() {
        assertEdgeflowError(.invalidModel, ["empty"]) { try OnnxModel(decoding: Data()) }
        assertEdgeflowError(.invalidModel, ["corrupt protobuf"]) {
            try OnnxModel(decoding: Data("<html><body>Not found</body></html>\n".utf8))
        }
        assertEdgeflowError(.invalidModel, ["corrupt protobuf"]) {
            try OnnxModel(decoding: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))  // PNG magic
        }
    }

    func testEveryTruncationOfAModelFailsCleanly() throws {
        let model = TestModels.shapeModel()
        XCTAssertNoThrow(try OnnxModel(decoding: model))
        var failures = 0
        for length in 1..<model.count {
            do {
                _ = try ONNXImporter.importModel(OnnxModel(decoding: model.prefix(length)), baseDirectory: nil)
            } catch let error as EdgeflowError {
                failures += 1
                XCTAssertNotEqual(error.kind, .internalError, "truncation at \(length): \(error)")
            }
        }
        XCTAssertGreaterThan(failures, model.count / 2, "most truncations must be detected")
    }

    func testCorruptedBytesNeverCrashTheDecoderOrImporter() {
        let model = [UInt8](TestModels.shapeModel())
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        for _ in 0..<300 {
            var corrupt = model
            for _ in 0..<(1 + next() % 4) { corrupt[next() % corrupt.count] = UInt8(truncatingIfNeeded: next()) }
            do {
                _ = try ONNXImporter.importModel(OnnxModel(decoding: Data(corrupt)), baseDirectory: nil)
            } catch let error as EdgeflowError {
                XCTAssertNotEqual(error.kind, .internalError, "\(error)")
            } catch {
                XCTFail("non-Edgeflow error \(error)")
            }
        }
    }
}

// OnnxTensor.toTensor: declared sizes checked before allocating, bool normalization, and
// external data (offset/length, missing files, paths leaving the model's directory).

import EFCore
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class TensorConversionTests: XCTestCase {
    private func tensor(dims: [Int], dataType: Int = 1, raw: [UInt8]? = nil,
                        external: [(String, String)] = []) throws -> OnnxTensor {
        try OnnxTensor(decoding: Data(OnnxBytes.tensor("w", dims: dims, dataType: dataType, raw: raw, external: external)))
    }

    func testAbsurdDeclaredSizeIsRefusedBeforeAllocating() throws {
        let huge = try tensor(dims: [1_000_000_000_000], raw: [0, 0, 0, 0])
        assertEdgeflowError(.invalidModel, ["tensor 'w'", "raw_data holds 4 bytes", "need 4000000000000 bytes"]) {
            try huge.toTensor(baseDirectory: nil)
        }
        let overflowing = try tensor(dims: [1 << 40, 1 << 40, 1 << 40], raw: [])
        assertEdgeflowError(.invalidModel, ["absurd shape"]) { try overflowing.toTensor(baseDirectory: nil) }
        let negative = try tensor(dims: [2, -3], raw: [])
        assertEdgeflowError(.invalidModel, ["negative dimension"]) { try negative.toTensor(baseDirectory: nil) }
    }

    func testTypedFieldCountMustMatchDims() throws {
        let proto = try OnnxTensor(decoding: Data(OnnxBytes.tensor("w", dims: [1_000_000_000], floats: [1, 2])))
        assertEdgeflowError(.invalidModel, ["float_data holds 2 values", "need 1000000000"]) {
            try proto.toTensor(baseDirectory: nil)
        }
    }

    func testRawBoolsAreNormalizedToZeroOrOne() throws {
        let bools = try tensor(dims: [3], dataType: 9, raw: [0, 1, 2])
        XCTAssertEqual(try bools.toTensor(baseDirectory: nil).data, Data([0, 1, 1]))
    }

    func testUndefinedElementTypeIsInvalid() throws {
        let undefined = try tensor(dims: [1], dataType: 0, raw: [0])
        assertEdgeflowError(.invalidModel, ["no element type"]) { try undefined.toTensor(baseDirectory: nil) }
    }

    // MARK: External data

    func testExternalDataWithOffsetAndLength() throws {
        let directory = try temporaryDirectory()
        let payload = [UInt8](repeating: 0xEE, count: 8) + OnnxBytes.floatBytes([1, -2, 3.5]) + [0xEE]
        try Data(payload).write(to: directory.appendingPathComponent("weights.bin"))
        let proto = try tensor(dims: [3], external: [("location", "weights.bin"), ("offset", "8"), ("length", "12")])
        XCTAssertEqual(try proto.toTensor(baseDirectory: directory).scalars(as: Float.self), [1, -2, 3.5])
    }

    func testExternalDataErrors() throws {
        let directory = try temporaryDirectory()
        try Data(OnnxBytes.floatBytes([1, 2])).write(to: directory.appendingPathComponent("w.bin"))
        let missing = try tensor(dims: [2], external: [("location", "gone.bin")])
        assertEdgeflowError(.io, ["tensor 'w'", "'gone.bin'", "cannot be read"]) {
            try missing.toTensor(baseDirectory: directory)
        }
        for location in ["../w.bin", "sub/../../w.bin", "/etc/passwd"] {
            let escaping = try tensor(dims: [2], external: [("location", location)])
            assertEdgeflowError(.invalidModel, ["outside the model's directory"]) {
                try escaping.toTensor(baseDirectory: directory)
            }
        }
        let tooLong = try tensor(dims: [2], external: [("location", "w.bin"), ("offset", "4"), ("length", "8")])
        assertEdgeflowError(.invalidModel, ["exceeds 'w.bin' (8 bytes)"]) { try tooLong.toTensor(baseDirectory: directory) }
        let wrongSize = try tensor(dims: [3], external: [("location", "w.bin")])
        assertEdgeflowError(.invalidModel, ["holds 8 bytes", "need 12 bytes"]) { try wrongSize.toTensor(baseDirectory: directory) }
        let noFile = try tensor(dims: [2], external: [("location", "w.bin")])
        assertEdgeflowError(.invalidModel, ["not read from a file"]) { try noFile.toTensor(baseDirectory: nil) }
        let badOffset = try tensor(dims: [2], external: [("location", "w.bin"), ("offset", "-4")])
        assertEdgeflowError(.invalidModel, ["offset '-4' is not a byte count"]) { try badOffset.toTensor(baseDirectory: directory) }
    }
}

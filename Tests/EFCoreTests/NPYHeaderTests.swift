// Crafted `.npy` headers: every number in them is untrusted, so each bad one must give a
// specific invalid-input error, never a trap or an allocation of what the file lacks.

import EFCore
import EFTestSupport
import Foundation
import XCTest

final class NPYHeaderTests: XCTestCase {
    /// An `.npy` file with the given header dict text (padded) and data bytes.
    private func npy(_ dict: String, version: UInt8 = 1, lengthField: Int? = nil, data: [UInt8] = []) -> Data {
        let text = dict + "\n"
        let length = lengthField ?? text.utf8.count
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        let fieldBytes = version == 1 ? 2 : 4
        bytes += (0..<fieldBytes).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        return Data(bytes + Array(text.utf8) + data)
    }

    private func dict(_ shape: String, descr: String = "<f4") -> String {
        "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    }

    private func decodeError(_ data: Data, file: StaticString = #filePath, line: UInt = #line) -> EdgeflowError? {
        do {
            _ = try NPY.decode(data)
            XCTFail("decoding succeeded", file: file, line: line)
        } catch let error as EdgeflowError {
            return error
        } catch {
            XCTFail("not an EdgeflowError: \(error)", file: file, line: line)
        }
        return nil
    }

    private func assertRefused(_ data: Data, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let error = decodeError(data, file: file, line: line) else { return }
        XCTAssertEqual(error.kind, .invalidInput, "\(error)", file: file, line: line)
        XCTAssertTrue(error.message.contains(fragment), "'\(error.message)' lacks '\(fragment)'",
                      file: file, line: line)
    }

    func testShapeWhoseProductOverflowsIsRefused() {
        assertRefused(npy(dict("(4294967296, 4294967296)")), "more than 9223372036854775807 elements")
        // The element count fits but the byte count does not.
        assertRefused(npy(dict("(4611686018427387904,)")), "float32[4611686018427387904] is more than")
    }

    func testEmptyShapeWithOverflowingOtherDimensionsIsRefused() {
        assertRefused(npy(dict("(0, 4611686018427387904, 4611686018427387904)")), "is empty but its other dimensions")
    }

    func testSixtyDigitDimensionIsRefused() {
        let digits = String(repeating: "9", count: 60)
        assertRefused(npy(dict("(\(digits), 2)")), "does not fit in a 64-bit integer")
    }

    func testNegativeAndNonIntegerDimensionsAreRefused() {
        assertRefused(npy(dict("(-3,)")), "negative dimension -3")
        assertRefused(npy(dict("(1e3,)")), "dimension '1e3' is not an integer")
        assertRefused(npy(dict("(-,)")), "dimension '-' is not an integer")
    }

    func testTooManyDimensionsAreRefused() {
        let shape = "(" + Array(repeating: "1", count: 65).joined(separator: ", ") + ")"
        assertRefused(npy(dict(shape)), "more than the 64 dimensions")
    }

    func testHeaderLengthPastTheEndIsRefused() {
        assertRefused(npy(dict("(1,)"), lengthField: 60_000), "its length field declares 60000 bytes")
        assertRefused(npy(dict("(1,)"), version: 2, lengthField: 0xFFFF_FFFF), "over the 1048576-byte limit")
        assertRefused(npy(dict("(1,)"), version: 3, lengthField: 900_000), "declares 900000 bytes but only")
    }

    func testDescrEdgeCases() {
        assertRefused(npy(dict("(1,)", descr: ">f4"), data: [0, 0, 0, 0]), "unsupported numpy dtype '>f4'")
        assertRefused(npy("{'fortran_order': False, 'shape': (1,), }"), "no 'descr'")
        assertRefused(npy("{'descr': '<f4', 'fortran_order': False}"), "no 'shape' tuple")
        assertRefused(npy(dict("(1,)"), version: 9), "unsupported .npy format version 9")
        // An unknown dtype with an overflowing shape still fails on the shape, not later.
        assertRefused(npy(dict("(4294967296, 4294967296)", descr: "<c16")), "more than 9223372036854775807 elements")
    }

    func testDataThatDisagreesWithTheHeaderIsRefused() {
        assertRefused(npy(dict("(1000000000000,)"), data: [1, 2, 3, 4]), "holds 4 bytes but its header declares")
    }

    func testHeaderReportsItsByteCount() throws {
        let header = try NPY.readHeader(npy(dict("(2, 3)", descr: "<i8")))
        XCTAssertEqual(header.shape, [2, 3])
        XCTAssertEqual(header.dataByteCount, 48)
        XCTAssertNil(try NPY.readHeader(npy(dict("(2,)", descr: "<c8"))).dataByteCount)
    }

    func testLongHeaderIsWrittenAsVersion2() throws {
        let data = NPY.encode(Tensor(zeros: .uint8, shape: [Int](repeating: 1, count: 30_000)))
        XCTAssertEqual(data[6], 2)
        XCTAssertEqual(data.count % 64, 1)
        assertRefused(data, "more than the 64 dimensions")
    }

    func testFilesAreReadNoFurtherThanTheirHeader() throws {
        let directory = try TestData.temporaryDirectory("npy-header")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("big.npy")
        try npy(dict("(1000000, 1000000)"), data: [0, 0, 0, 0]).write(to: url)
        let header = try NPY.readHeader(contentsOf: url)
        XCTAssertEqual(header.dataByteCount, 4_000_000_000_000)
        let budget = MemoryBudget(limitBytes: 1 << 20, name: "input tensor", howToChange: "use a smaller input")
        XCTAssertThrowsError(try NPY.read(contentsOf: url, budget: budget)) { error in
            let error = error as? EdgeflowError
            XCTAssertEqual(error?.kind, .invalidInput)
            let expected = url.path + ": float32[1000000, 1000000] needs 3.6 TiB, over the input tensor budget"
            XCTAssertTrue(error?.message.hasPrefix(expected) == true, "\(String(describing: error))")
        }
        XCTAssertThrowsError(try NPY.read(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("holds 4 bytes but its header declares"), "\(error)")
        }
        let long = directory.appendingPathComponent("long.npy")
        try npy(dict("(1,)"), data: [0, 0, 128, 63, 9]).write(to: long)
        XCTAssertThrowsError(try NPY.read(contentsOf: long)) { error in
            XCTAssertTrue("\(error)".contains("more data than its header declares"), "\(error)")
        }
        try npy(dict("(1,)"), data: [0, 0, 128, 63]).write(to: long)
        XCTAssertEqual(try NPY.read(contentsOf: long).scalars(as: Float.self), [1])
    }

    func testEndlessDeviceIsRefusedAfterItsFirstBytes() throws {
        XCTAssertThrowsError(try NPY.read(contentsOf: URL(fileURLWithPath: "/dev/zero"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
            XCTAssertTrue("\(error)".contains("/dev/zero: not a numpy .npy file"), "\(error)")
        }
        XCTAssertThrowsError(try NPY.readHeader(contentsOf: URL(fileURLWithPath: "/nonexistent/x.npy"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
        }
    }
}

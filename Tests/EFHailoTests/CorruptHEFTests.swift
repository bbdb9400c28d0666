// Damaged HEF files: each is refused with an EdgeflowError that names the region and the reason.

import EFCore
import EFHailo
import XCTest

final class CorruptHEFTests: XCTestCase {
    private func refusal(_ bytes: [UInt8], _ kind: EdgeflowError.Kind, _ fragment: String,
                         file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try HEFFile(data: Data(bytes), label: "bad"), file: file, line: line) { error in
            guard let error = error as? EdgeflowError else { return XCTFail("not an EdgeflowError: \(error)") }
            XCTAssertEqual(error.kind, kind, error.message, file: file, line: line)
            XCTAssertTrue(error.message.contains(fragment), error.message, file: file, line: line)
        }
    }

    private var synthetic: [UInt8] {
        HEFWriter.proto(groups: [HEFWriter.group("g", [SyntheticStream(name: "g/o")])])
    }

    func testTruncatedRealFileSaysExpectedAndActualSize() throws {
        let bytes = [UInt8](try HEFFixtures.data(HEFFixtures.lightface))
        refusal(Array(bytes.prefix(600_000)), .invalidModel,
                "HEF header: the file is truncated: the header says 630784 bytes")
        refusal(Array(bytes.prefix(600_000)), .invalidModel, "the file has 600000")
        refusal(bytes + [0], .invalidModel, "1 trailing bytes")
        refusal(Array(bytes.prefix(20)), .invalidModel, "a version 3 header has 56 bytes, the file has 20")
    }

    func testFlippedBytesNameTheRegion() throws {
        var v3 = [UInt8](try HEFFixtures.data(HEFFixtures.lightface))
        v3[56 + 100] ^= 0x01
        refusal(v3, .invalidModel, "HEF proto: damaged: its XXH3-64")
        v3[56 + 100] ^= 0x01
        v3[20_000] ^= 0x40
        refusal(v3, .invalidModel, "CCW section: damaged")
        v3[20_000] ^= 0x40
        v3[13] ^= 0x01  // inside the stored whole-file hash
        refusal(v3, .invalidModel, "the header says 2")
        var v0 = [UInt8](try HEFFixtures.data(HEFFixtures.mnist))
        v0[500] ^= 0x10
        refusal(v0, .invalidModel, "HEF proto: damaged: the MD5 over proto")
        var v1 = HEFWriter.file(version: 1, proto: synthetic)
        v1[v1.count - 1] ^= 0xFF
        refusal(v1, .invalidModel, "HEF proto or CCW section: damaged: the CRC-32")
        // with verification off the mismatch is shown, not thrown
        let shown = try HEFFile(data: Data(v1), label: "v1", verifyChecksums: false).description
        XCTAssertFalse(shown.header.checksum.matches)
    }

    func testBadMagicAndUnknownVersion() {
        var bytes = HEFWriter.file(version: 2, proto: synthetic)
        bytes[1] = 0x49
        refusal(bytes, .invalidInput, "HEF header: magic is 01 49 45 46")
        XCTAssertFalse(HEFFile.looksLikeHEF(Data(bytes)))
        bytes[1] = 0x48
        bytes[7] = 4
        refusal(bytes, .unsupported, "HEF header: version 4 is not supported")
        refusal([1, 0x48], .invalidInput, "fewer than the 12-byte common header")
    }

    func testMalformedProtoWithValidChecksum() {
        // a length that runs past the proto, then a truncated varint
        refusal(HEFWriter.file(version: 3, proto: [0x12, 0x7F, 0x08]), .invalidModel,
                "HEF proto: field length 127 runs past the end of the message")
        refusal(HEFWriter.file(version: 0, proto: [0x0A, 0x02, 0x08, 0xFF]), .invalidModel,
                "HEF proto: truncated varint at file offset 35 (in ProtoHEFHef.header)")
        // huge v3 ccws_size_with_padding smaller than the padding
        var header = HEFWriter.file(version: 3, proto: synthetic)
        header[31] = 0xFF
        header[30] = 0xFF
        refusal(header, .invalidModel, "is smaller than hef_padding_size")
    }
}

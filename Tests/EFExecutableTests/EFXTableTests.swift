// Section tables built by hand with a correct header checksum, so that only the layout rules
// can refuse them: overlapping, unaligned, out-of-range, duplicate and unreadable entries, and
// header fields that disagree with the file.

import EFCore
import EFExecutable
import XCTest

final class EFXTableTests: XCTestCase {
    /// A file of `size` bytes (zeros after the table) with this header and table.
    private func file(_ entries: [EFXRawEntry], size: Int, declaredSize: UInt64? = nil, count: UInt32? = nil,
                      flags: UInt32 = 0) -> Data {
        let header = EFXRawHeader(version: 1, flags: flags, sectionCount: count ?? UInt32(entries.count), reserved: 0,
                                  fileSize: declaredSize ?? UInt64(size), checksum: 0)
        var data = Data(EFXHeaderCoding.encode(header, entries))
        if data.count < size { data.append(Data(count: size - data.count)) }
        return data
    }

    /// An entry over zero bytes (checksum of `length` zeros, so that only the layout is wrong).
    private func entry(_ tag: String, offset: UInt64, length: UInt64) -> EFXRawEntry {
        let checksum = XXH64.hash([UInt8](repeating: 0, count: Int(min(length, 1 << 20))))
        let kind = EFXSectionKind(tag: tag)!
        return EFXRawEntry(tag: kind.bytes, flags: 0, offset: offset, length: length, checksum: checksum)
    }

    private func assertRefused(_ data: Data, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try EFXFile(data: data, label: "hand.efx"), file: file, line: line) { error in
            guard let error = error as? EdgeflowError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.kind, .invalidArchive, "\(error)", file: file, line: line)
            for part in parts {
                XCTAssertTrue(error.description.contains(part), "'\(part)' missing: \(error)", file: file, line: line)
            }
        }
    }

    func testAWellFormedHandBuiltFileIsAccepted() throws {
        let data = file([entry("PROG", offset: 128, length: 10), entry("WGHT", offset: 192, length: 64)], size: 256)
        let opened = try EFXFile(data: data, label: "hand.efx")
        XCTAssertEqual(opened.sectionKinds, [.program, .weights])
        XCTAssertEqual(opened.section(.weights)?.count, 64)
    }

    func testOverlappingSections() {
        let data = file([entry("PROG", offset: 128, length: 100), entry("WGHT", offset: 192, length: 64)], size: 256)
        assertRefused(data, ["section PROG (program) (bytes 128..<228)", "section WGHT (weights) (bytes 192..<256)",
                             "overlap"])
    }

    func testUnalignedSection() {
        assertRefused(file([entry("PROG", offset: 130, length: 2)], size: 132), ["offset 130 is not a multiple of 64"])
    }

    func testSectionInsideTheTable() {
        assertRefused(file([entry("PROG", offset: 64, length: 2)], size: 66), ["inside the header and section table"])
        assertRefused(file([entry("PROG", offset: 0, length: 2)], size: 72), ["inside the header"])
    }

    func testSectionBeyondTheFile() {
        assertRefused(file([entry("PROG", offset: 128, length: 200)], size: 256),
                      ["bytes 128..<328 extend past the declared file size of 256"])
        assertRefused(file([entry("PROG", offset: UInt64.max - 63, length: 1)], size: 128),
                      ["section PROG (program): offset", "does not fit"])
        assertRefused(file([entry("PROG", offset: 1 << 62, length: 1 << 62)], size: 128), ["is too large"])
    }

    func testDuplicateKinds() {
        let data = file([entry("PROG", offset: 128, length: 1), entry("PROG", offset: 192, length: 1)], size: 193)
        assertRefused(data, ["section PROG (program) appears twice", "entries 0 and 1"])
    }

    func testUnreadableKindTag() {
        var bad = entry("PROG", offset: 128, length: 1)
        bad.tag = (0x50, 0x00, 0x47, 0x20)
        assertRefused(file([bad], size: 129), ["entry 0: kind tag 0x50 0x0 0x47 0x20"])
    }

    func testDeclaredSizeMustMatch() {
        let entries = [entry("PROG", offset: 128, length: 1)]
        assertRefused(file(entries, size: 300, declaredSize: 200), ["the header declares 200 bytes",
                                                                    "end at byte 129"])
        assertRefused(file(entries, size: 200, declaredSize: 129), ["has 200 bytes", "71 unexpected bytes"])
        assertRefused(file([], size: 40, declaredSize: UInt64.max), ["declared file size", "does not fit"])
    }

    func testCountsAndFlags() {
        assertRefused(file([], size: 40, count: 5000), ["declares 5000 sections", "1024"])
        assertRefused(file([], size: 40, count: 3), ["truncated inside the section table", "need 136"])
        assertRefused(file([], size: 40, flags: 1), ["flags 0x1", "must be 0"])
    }

    func testEmptySectionsMayShareAnOffset() throws {
        let data = file([entry("META", offset: 192, length: 0), entry("RCPE", offset: 192, length: 0),
                         entry("PROG", offset: 192, length: 4)], size: 196)
        let opened = try EFXFile(data: data, label: "hand.efx")
        XCTAssertEqual(opened.section(.recipe)?.count, 0)
        XCTAssertEqual(opened.sectionData(.metadata), Data())
    }
}

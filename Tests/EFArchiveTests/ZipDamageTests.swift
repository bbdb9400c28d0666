// Zip files whose counts, offsets and sizes lie: each is refused as an invalid archive with a
// message naming the problem, without trapping and without allocating what the file declares.

import EFArchive
import EFCore
import Foundation
import XCTest

final class ZipDamageTests: XCTestCase {
    private let payload: [UInt8] = Array("hello, zip".utf8)

    private func decode(_ data: Data) throws -> [(name: String, data: Data)] {
        try ZipFile.decode(data, label: "crafted.zip")
    }

    func testWellFormedCraftedZipReads() throws {
        let members = try decode(CraftedZip.stored([("a.txt", payload), ("b.txt", [])]))
        XCTAssertEqual(members.map(\.name), ["a.txt", "b.txt"])
        XCTAssertEqual(Array(members[0].data), payload)
    }

    func testEntrySizeBeyondTheFileIsRefused() {
        var zip = CraftedZip()
        zip.entry("a.txt", payload, offset: zip.local("a.txt", payload), size: 0x7FFF_FFF0)
        assertEdgeflowError(try decode(zip.finished()), .invalidArchive,
                            "(2147483632 bytes at offset 35) runs past the end")
    }

    func testEntryOffsetBeyondTheFileIsRefused() {
        for offset in [0x1000, 0xFFFF_FFFE, 0xFFFF_FFFF] {
            var zip = CraftedZip()
            zip.local("a.txt", payload)
            zip.entry("a.txt", payload, offset: offset)
            assertEdgeflowError(try decode(zip.finished()), .invalidArchive, "has no local header at offset \(offset)")
        }
    }

    func testOverflowingOffsetPlusSizeIsRefused() {
        var zip = CraftedZip()
        zip.local("a.txt", payload)
        zip.entry("a.txt", payload, offset: 0xFFFF_FFFE, size: 0xFFFF_FFFE)
        assertEdgeflowError(try decode(zip.finished()), .invalidArchive, "has no local header at offset 4294967294")
        // The largest size at a valid offset: the sum is checked without overflow too.
        var sized = CraftedZip()
        sized.entry("a.txt", payload, offset: sized.local("a.txt", payload), size: 0xFFFF_FFFE)
        assertEdgeflowError(try decode(sized.finished()), .invalidArchive, "4294967294 bytes at offset 35")
    }

    func testHugeMemberCountInATinyFileIsRefused() {
        let end = CraftedZip().finished(count: 0xFFFF)
        XCTAssertEqual(end.count, 22)
        assertEdgeflowError(try decode(end), .invalidArchive,
                            "declares 65535 members but its central directory of 0 bytes has room for at most 0")
        var one = CraftedZip()
        one.entry("a.txt", payload, offset: one.local("a.txt", payload))
        assertEdgeflowError(try decode(one.finished(count: 2)), .invalidArchive, "has room for at most 1")
    }

    func testCentralDirectoryOutsideTheFileIsRefused() {
        var bytes = [UInt8](CraftedZip.stored([("a.txt", payload)]))
        bytes.replaceSubrange((bytes.count - 6)..<(bytes.count - 2), with: [0xFF, 0xFF, 0xFF, 0x7F])
        assertEdgeflowError(try decode(Data(bytes)), .invalidArchive, "lies outside the file")
    }

    func testOverlappingMembersAreRefused() {
        // Member "a" stores the whole of member "b" (local header and data) as its own data.
        var inner = CraftedZip()
        inner.local("b", payload)
        var zip = CraftedZip()
        let outer = zip.local("a", inner.bytes)
        zip.entry("a", inner.bytes, offset: outer)
        zip.entry("b", payload, offset: 31)
        assertEdgeflowError(try decode(zip.finished()), .invalidArchive, "members 'a' and 'b' overlap")
    }

    func testTwoEntriesForOneLocalHeaderAreRefused() {
        var zip = CraftedZip()
        let offset = zip.local("a", payload)
        zip.entry("a", payload, offset: offset)
        zip.entry("a", payload, offset: offset)
        assertEdgeflowError(try decode(zip.finished()), .invalidArchive, "member 'a' appears twice")
        var renamed = CraftedZip()
        let at = renamed.local("a", payload)
        renamed.entry("a", payload, offset: at)
        renamed.entry("c", payload, offset: at)
        assertEdgeflowError(try decode(renamed.finished()), .invalidArchive,
                            "member 'c': its local header names a different member")
    }

    func testDeclaredUncompressedSizeIsNeverAllocated() {
        // A deflate member declaring 4 GiB of content: refused as compressed before any allocation.
        var zip = CraftedZip()
        zip.entry("bomb", payload, offset: zip.local("bomb", payload, method: 8), size: 0xFFFF_FFFE,
                  compressedSize: UInt32(payload.count), method: 8)
        assertEdgeflowError(try decode(zip.finished()), .unsupported, "is compressed (deflate)")
        // Stored, but with two different sizes.
        var stored = CraftedZip()
        stored.entry("s", payload, offset: stored.local("s", payload), size: 1 << 30,
                     compressedSize: UInt32(payload.count))
        assertEdgeflowError(try decode(stored.finished()), .invalidArchive,
                            "declares 10 stored bytes but 1073741824 bytes")
    }

    func testRealZip64MembersAreUnsupported() {
        var zip = CraftedZip()
        let zip64Extra: [UInt8] = [1, 0, 16, 0] + [UInt8](repeating: 0, count: 16)
        zip.entry("big", payload, offset: zip.local("big", payload), size: 0xFFFF_FFFF, extra: zip64Extra)
        assertEdgeflowError(try decode(zip.finished()), .unsupported, "is a zip64 archive")
    }

    func testArchivePathsThatAreNotRegularFilesAreIOErrors() {
        for path in ["/dev/zero", "/tmp", "/nonexistent/model.efa"] {
            assertEdgeflowError(try EdgeflowArchive.read(from: URL(fileURLWithPath: path)), .io, "cannot read \(path)")
        }
    }

    func testCompressedMemberInAnArchiveIsAnInvalidArchive() throws {
        var zip = CraftedZip()
        let json = Array("{}".utf8)
        zip.entry("metadata.json", json, offset: zip.local("metadata.json", json, method: 8), method: 8)
        assertArchiveError(zip.finished(), .invalidArchive, "is compressed (deflate)")
    }
}

// Damaged `.efx` files written by the writer: truncated at every boundary, one byte flipped in
// the header, the table, each section and the padding, a newer version, a wrong magic. Every
// one must be refused as invalid data whose message names the file and what is damaged.

import EFCore
import EFExecutable
import XCTest

final class EFXDamageTests: XCTestCase {
    private let label = "model.efx"

    /// The error opening `data`, checked to be an invalid-archive error naming the file.
    private func failure(_ data: Data, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try EFXFile(data: data, label: label)
            XCTFail("accepted damaged data", file: file, line: line)
            return ""
        } catch let error as EdgeflowError {
            XCTAssertEqual(error.kind, .invalidArchive, "\(error)", file: file, line: line)
            XCTAssertTrue(error.message.hasPrefix("\(label): "), "\(error)", file: file, line: line)
            return error.description
        } catch {
            XCTFail("not an EdgeflowError: \(error)", file: file, line: line)
            return ""
        }
    }

    private func assertContains(_ text: String, _ parts: [String], file: StaticString = #filePath,
                                line: UInt = #line) {
        for part in parts {
            XCTAssertTrue(text.contains(part), "'\(part)' missing from: \(text)", file: file, line: line)
        }
    }

    func testTruncationInsideTheHeaderAndTable() throws {
        let data = try EFXWriter.encode(SampleSections.all)
        assertContains(failure(Data()), ["empty"])
        for size in [1, 7, 8, 12, 39] {
            assertContains(failure(data.prefix(size)), ["truncated inside the header", "has \(size) bytes",
                                                        "needs 40"])
        }
        let tableEnd = EFXFormat.tableEnd(sectionCount: SampleSections.all.count)
        for size in [40, 41, 100, tableEnd - 1] {
            assertContains(failure(data.prefix(size)), ["truncated inside the section table", "has \(size) bytes",
                                                        "need \(tableEnd)"])
        }
    }

    func testTruncationAtEverySectionBoundaryNamesTheSection() throws {
        let data = try EFXWriter.encode(SampleSections.all)
        let file = try EFXFile(data: data, label: label)
        for info in file.sectionInfos {
            var cuts = [info.offset, info.offset - 1]
            if info.length > 0 { cuts += [info.offset + 1, info.offset + info.length - 1] }
            for size in cuts where size >= EFXFormat.tableEnd(sectionCount: 4) && size < data.count {
                let message = failure(data.prefix(size))
                assertContains(message, ["truncated", "has \(size) bytes", "declares \(data.count)"])
                let cutSection = file.sectionInfos.filter { $0.offset + $0.length > size }.min { $0.offset < $1.offset }
                assertContains(message, [try XCTUnwrap(cutSection).kind.description])
            }
        }
        let weights = try XCTUnwrap(file.info(.weights))
        assertContains(failure(data.prefix(weights.offset + 10)),
                       ["section WGHT (weights) (bytes \(weights.offset)..<", "cut after 10 of its 3145728 bytes"])
    }

    func testFlippedHeaderOrTableByteIsDetected() throws {
        let data = try EFXWriter.encode(SampleSections.all)
        let tableEnd = EFXFormat.tableEnd(sectionCount: SampleSections.all.count)
        for index in 0..<tableEnd {
            var damaged = data
            damaged[index] ^= 0x04
            let message = failure(damaged)
            switch index {
            case 0..<8: assertContains(message, ["not an Edgeflow executable"])
            case 8..<12: assertContains(message, ["version"])
            case 17..<20: assertContains(message, ["sections, more than the 1024"])
            default: assertContains(message, ["header or section table is damaged", "checksum mismatch"])
            }
        }
    }

    func testFlippedSectionByteNamesTheSection() throws {
        let data = try EFXWriter.encode(SampleSections.all)
        let file = try EFXFile(data: data, label: label)
        for info in file.sectionInfos where info.length > 0 {
            for index in [info.offset, info.offset + info.length / 2, info.offset + info.length - 1] {
                var damaged = data
                damaged[index] ^= 0x80
                assertContains(failure(damaged), ["\(info.kind): checksum mismatch", "stored 0x", "computed 0x"])
            }
        }
        XCTAssertTrue(file.sectionInfos.contains { $0.kind == .program })
    }

    func testNonZeroPaddingIsDetected() throws {
        var data = try EFXWriter.encode(SampleSections.all)
        let metadata = try XCTUnwrap(EFXFile(data: data, label: label).info(.metadata))
        data[metadata.offset - 1] = 1
        assertContains(failure(data), ["byte \(metadata.offset - 1), in the padding before section META (metadata)"])
    }

    func testNewerVersionAsksForAnUpgrade() throws {
        let header = EFXRawHeader(version: 2, flags: 0, sectionCount: 0, reserved: 0, fileSize: 40, checksum: 0)
        let message = failure(Data(EFXHeaderCoding.encode(header, [])))
        assertContains(message, ["format version 2", "reads format versions up to 1", "hint: upgrade Edgeflow"])
        var damaged = try EFXWriter.encode([])
        damaged[8] = 0
        assertContains(failure(damaged), ["format version 0"])
    }

    func testWrongMagic() throws {
        let data = try EFXWriter.encode(SampleSections.all)
        assertContains(failure(Data("PK\u{3}\u{4}hello, this is a zip file, not an executable".utf8)),
                       ["not an Edgeflow executable"])
        // A text-mode transfer turns CR LF into LF.
        var converted = data
        converted.replaceSubrange(4..<6, with: [0x0A])
        assertContains(failure(converted), ["not an Edgeflow executable", "text-mode"])
    }
}

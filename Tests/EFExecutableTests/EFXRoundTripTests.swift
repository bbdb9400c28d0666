// Round trips through the `.efx` writer and reader: sections come back byte for byte, in
// order, at 64-byte aligned addresses, both memory-mapped from a file and from memory.

import EFCore
import EFExecutable
import EFTestSupport
import Foundation
import XCTest

/// Sections used by the container tests: a small metadata section, an empty one, a 3 MB
/// weights section and an odd-sized program, so that padding is needed between them.
enum SampleSections {
    static func bytes(_ count: Int, seed: UInt8) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    }

    static let all: [EFXSection] = [
        EFXSection(kind: .metadata, bytes: Data(#"{"name":"tiny"}"#.utf8)),
        EFXSection(kind: .recipe, bytes: Data()),
        EFXSection(kind: .weights, flags: 7, bytes: bytes(3 << 20, seed: 1)),
        EFXSection(kind: .program, bytes: bytes(1001, seed: 2)),
    ]
}

final class EFXRoundTripTests: XCTestCase {
    private func assertMatches(_ file: EFXFile, _ sections: [EFXSection], file path: StaticString = #filePath,
                               line: UInt = #line) {
        XCTAssertEqual(file.sectionKinds, sections.map(\.kind), file: path, line: line)
        XCTAssertEqual(file.formatVersion, 1, file: path, line: line)
        for section in sections {
            guard let view = file.section(section.kind) else {
                return XCTFail("no \(section.kind)", file: path, line: line)
            }
            XCTAssertEqual(Data(view), section.bytes, "\(section.kind)", file: path, line: line)
            XCTAssertEqual(file.sectionData(section.kind), section.bytes, file: path, line: line)
            XCTAssertEqual(file.info(section.kind)?.flags, section.flags, file: path, line: line)
            if let address = view.baseAddress {
                XCTAssertEqual(Int(bitPattern: address) % 64, 0, "\(section.kind) address", file: path, line: line)
            }
            XCTAssertEqual((file.info(section.kind)?.offset ?? 1) % 64, 0, file: path, line: line)
        }
        XCTAssertNil(file.section("NONE"), file: path, line: line)
    }

    func testFileRoundTripIsMappedAligned() throws {
        let directory = try TestData.temporaryDirectory("efx")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.efx")
        try EFXWriter.write(SampleSections.all, to: url)
        let file = try EFXFile(contentsOf: url)
        assertMatches(file, SampleSections.all)
        XCTAssertEqual(file.fileSize, try Data(contentsOf: url).count)
        XCTAssertEqual(try Data(contentsOf: url), try EFXWriter.encode(SampleSections.all))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.efx"])
    }

    func testMemoryRoundTripIsAligned() throws {
        let file = try EFXFile(data: EFXWriter.encode(SampleSections.all), label: "memory")
        assertMatches(file, SampleSections.all)
    }

    func testSectionDataOutlivesTheFile() throws {
        var data: Data?
        do {
            let file = try EFXFile(data: EFXWriter.encode(SampleSections.all), label: "memory")
            data = file.sectionData(.program)
        }
        XCTAssertEqual(data, SampleSections.all[3].bytes)
    }

    func testNoSectionsAndUnknownKinds() throws {
        let empty = try EFXFile(data: EFXWriter.encode([]), label: "empty")
        XCTAssertEqual(empty.sectionKinds, [])
        XCTAssertEqual(empty.fileSize, EFXFormat.headerSize)
        let custom = [EFXSection(kind: "x_1~", bytes: Data([1, 2, 3]))]
        let file = try EFXFile(data: EFXWriter.encode(custom), label: "custom")
        XCTAssertEqual(file.sectionKinds.map(\.tag), ["x_1~"])
        XCTAssertEqual(file.sectionKinds.first?.description, "section x_1~")
        XCTAssertEqual(EFXSectionKind.program.description, "section PROG (program)")
        XCTAssertNil(EFXSectionKind(tag: "ABC"))
        XCTAssertNil(EFXSectionKind(tag: "AB C"))
    }

    func testLayoutOfTheBytes() throws {
        let data = try EFXWriter.encode([EFXSection(kind: .program, bytes: Data([9, 8, 7]))])
        XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x45, 0x46, 0x58, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(Array(data[8..<24]), [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(data[24..<32]), [131, 0, 0, 0, 0, 0, 0, 0])  // file size: 128 + 3
        XCTAssertEqual(Array(data[40..<44]), Array("PROG".utf8))
        XCTAssertEqual(Array(data[48..<56]), [128, 0, 0, 0, 0, 0, 0, 0])  // offset: align64(40 + 32)
        XCTAssertEqual(Array(data[56..<64]), [3, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(data[72..<128]), [UInt8](repeating: 0, count: 56))
        XCTAssertEqual(Array(data[128...]), [9, 8, 7])
    }

    func testDeferredVerification() throws {
        var data = try EFXWriter.encode(SampleSections.all)
        let file = try EFXFile(data: data, label: "ok", deferredVerification: [.weights])
        XCTAssertNoThrow(try file.verify(.weights))
        let offset = try XCTUnwrap(file.info(.weights)?.offset)
        data[offset + 5] ^= 0x10
        let damaged = try EFXFile(data: data, label: "damaged.efx", deferredVerification: [.weights])
        XCTAssertNoThrow(try damaged.verify(.program))
        XCTAssertThrowsError(try damaged.verify(.weights)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive)
            XCTAssertTrue("\(error)".contains("damaged.efx: section WGHT (weights): checksum mismatch"), "\(error)")
        }
        XCTAssertThrowsError(try EFXFile(data: data, label: "damaged.efx"))
    }

    func testWriterRefusesDuplicateKinds() {
        let twice = [EFXSection(kind: .program, bytes: Data()), EFXSection(kind: .program, bytes: Data([1]))]
        XCTAssertThrowsError(try EFXWriter.encode(twice)) { error in
            XCTAssertTrue("\(error)".contains("PROG"), "\(error)")
        }
    }
}

final class EFXFileKindTests: XCTestCase {
    func testFileKindRecognizesWrittenFiles() throws {
        XCTAssertEqual(FileKind.efxMagic, EFXFormat.magic)
        XCTAssertEqual(FileKind.detect(Array(try EFXWriter.encode(SampleSections.all).prefix(512))), .efx)
    }
}

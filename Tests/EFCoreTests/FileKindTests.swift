// FileKind tells files apart by their first bytes: committed fixtures of every format, crafted
// prefixes for the ones without a fixture (HEF, .efx), and look-alikes that must stay unknown.

import EFCore
import EFTestSupport
import Foundation
import XCTest

final class FileKindTests: XCTestCase {
    private let goldens = TestData.goldens

    private func kind(_ relativePath: String, under root: URL? = nil) throws -> FileKind {
        try FileKind.detect(url: (root ?? goldens).appendingPathComponent(relativePath))
    }

    func testCommittedFixtures() throws {
        XCTAssertEqual(try kind("cli/tiny.onnx"), .onnx)
        XCTAssertEqual(try kind("cli/tiny_scores.npy"), .npy)
        XCTAssertEqual(try kind("tflite_ops/custom_op.tflite"), .tflite)
        XCTAssertEqual(try kind("media-decode/jpeg_420.jpg"), .jpeg)
        XCTAssertEqual(try kind("media-decode/png_rgb8.png"), .png)
        XCTAssertEqual(try kind("media-decode/gif.gif"), .gif)
        XCTAssertEqual(try kind("media-decode/heic.heic"), .heif)
        XCTAssertEqual(try kind("media-decode/cases.json"), .unknown)
        let media = goldens.appendingPathComponent("media-decode").path
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: media)
        for name in fixtures {
            let expected: FileKind? = name.hasSuffix(".webp") ? .webp : name.hasSuffix(".tif") ? .tiff : nil
            if let expected { XCTAssertEqual(try kind("media-decode/\(name)"), expected, name) }
        }
        XCTAssertTrue(fixtures.contains { $0.hasSuffix(".webp") } && fixtures.contains { $0.hasSuffix(".tif") })
    }

    func testArchivesAndOtherZips() throws {
        let seeds = TestData.repoRoot.appendingPathComponent("Fuzz/seeds")
        XCTAssertEqual(try kind("efa-zip/tiny.efa", under: seeds), .efa)
        XCTAssertEqual(try kind("efa-zip/numpy_savez_compressed.npz", under: seeds), .zip)
        for name in try FileManager.default.contentsOfDirectory(atPath: seeds.appendingPathComponent("onnx").path) {
            XCTAssertEqual(try kind("onnx/\(name)", under: seeds), .onnx, name)
        }
    }

    func testCraftedPrefixes() {
        XCTAssertEqual(FileKind.detect(FileKind.efxMagic + [1, 0, 0, 0]), .efx)
        XCTAssertEqual(FileKind.detect([0x01, 0x48, 0x45, 0x46, 0, 0, 0, 5]), .hef)
        XCTAssertEqual(FileKind.detect(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)), .webp)
        XCTAssertEqual(FileKind.detect(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ".utf8)), .unknown)
        XCTAssertEqual(FileKind.detect(Array("MM\u{0}*\u{0}\u{0}\u{0}\u{8}".utf8)), .tiff)
        XCTAssertEqual(FileKind.detect([0, 0, 0, 0x18] + Array("ftypmif1".utf8)), .heif)
        XCTAssertEqual(FileKind.detect([0, 0, 0, 0x18] + Array("ftypisom".utf8)), .unknown)  // an MP4 video
        // ModelProto: ir_version 7, producer_name "x", then a graph field cut by the prefix end.
        XCTAssertEqual(FileKind.detect([0x08, 0x07, 0x12, 0x01, 0x78, 0x3A, 0x80, 0x01, 0x0A]), .onnx)
        XCTAssertEqual(FileKind.detect([0x1C, 0, 0, 0] + Array("TFL3".utf8)), .tflite)
    }

    func testLookAlikesAreUnknown() {
        XCTAssertEqual(FileKind.detect([]), .unknown)
        XCTAssertEqual(FileKind.detect(Array("hello, world\n".utf8)), .unknown)
        XCTAssertEqual(FileKind.detect(Array("{\"format\": \"edgeflow-archive\"}".utf8)), .unknown)
        XCTAssertEqual(FileKind.detect(Array("(1, 2)".utf8)), .unknown)
        XCTAssertEqual(FileKind.detect([0x08, 0xC8, 0x01]), .unknown)  // ir_version 200
        XCTAssertEqual(FileKind.detect([0x08]), .unknown)
        XCTAssertEqual(FileKind.detect(Array(FileKind.efxMagic.prefix(5))), .unknown)
        XCTAssertEqual(FileKind.detect([0x50, 0x4B, 0x03]), .unknown)
    }

    func testDetectReadsOnlyAPrefix() throws {
        XCTAssertEqual(try FileKind.detect(url: URL(fileURLWithPath: "/dev/zero")), .unknown)
        XCTAssertThrowsError(try FileKind.detect(url: URL(fileURLWithPath: "/no/such/file"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
        }
    }

    func testUserNames() {
        XCTAssertEqual(FileKind.efx.userName, "Edgeflow executable (.efx)")
        XCTAssertEqual(FileKind.efa.userName, "Edgeflow archive (.efa)")
        XCTAssertEqual(FileKind.onnx.userName, "ONNX model")
        XCTAssertEqual(FileKind.hef.userName, "Hailo executable (HEF)")
        XCTAssertEqual(Set(FileKind.allCases.map(\.userName)).count, FileKind.allCases.count)
    }
}

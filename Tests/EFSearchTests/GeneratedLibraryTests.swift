// Indexes the generated photo library (.testdata/photos/library-200, made by
// tools/photos/make_library.py with Pillow) without a model and checks every photo against the
// generator's manifest: the displayed size after EXIF orientation and the EXIF capture date as
// Pillow wrote them, the format, and that every file of bad/ is reported, not fatal.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class GeneratedLibraryTests: XCTestCase {
    private struct Manifest: Decodable {
        struct File: Decodable {
            var path: String
            var format: String
            var width: Int
            var height: Int
            var captured: String?
            var mode: String
        }
        struct Bad: Decodable { var path: String }
        var files: [File]
        var bad: [Bad]
    }

    func testEveryPhotoMatchesTheGeneratorsManifest() throws {
        guard let folder = TestData.fetchedFile("photos/library-200") else {
            throw XCTSkip("scripts/setup.sh makes .testdata/photos/library-200; it has not run")
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf:
            folder.appendingPathComponent("manifest.json")))
        let directory = try TestData.temporaryDirectory("generated-library")
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = try PhotoLibrary(path: directory.appendingPathComponent("lib.sqlite").path)
        let report = try PhotoIndexer(library: library, model: nil).run(folders: [folder.path])
        XCTAssertEqual(report.scan.found, manifest.files.count + manifest.bad.count)
        let rows = Dictionary(uniqueKeysWithValues: try library.photos().map { ($0.path, $0) })
        var checked = 0
        for file in manifest.files {
            let row = try XCTUnwrap(rows[folder.appendingPathComponent(file.path).standardizedFileURL.path], file.path)
            // The CMYK JPEG (4 components with mixed sampling, which TurboJPEG's API refuses) is read
            // by libjpeg itself (EFMedia's JPEGFallbackDecoder), like every other photo.
            XCTAssertNil(row.lastError, file.path)
            XCTAssertEqual(row.width, file.width, file.path)
            XCTAssertEqual(row.height, file.height, file.path)
            XCTAssertEqual(row.format, Self.formats[file.format], file.path)
            XCTAssertEqual(row.takenAt, file.captured, file.path)
            checked += 1
        }
        XCTAssertEqual(checked, manifest.files.count)
        for bad in manifest.bad {
            let row = try XCTUnwrap(rows[folder.appendingPathComponent(bad.path).standardizedFileURL.path], bad.path)
            XCTAssertNotNil(row.lastError, bad.path)
        }
        XCTAssertEqual(report.failures.count, manifest.bad.count)
    }

    /// Pillow's format names → ours.
    private static let formats = ["JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "TIFF": "tiff",
                                  "HEIF": "heif", "HEIC": "heif"]
}

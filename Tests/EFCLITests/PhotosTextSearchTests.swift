// `edgeflow photos index --ocr` and `photos search --text-in-photo` with the real PP-OCRv4
// detector and recognizer on the generated library, checked against the words its generator
// printed on the photos (manifest.json: word → files), not against our own output.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotosTextSearchTests: XCTestCase {
    func testWordsPrintedOnThePhotosAreFoundAndSearchable() throws {
        guard TestData.isOptimizedBuild else {
            throw XCTSkip("reads 200 photos with two models: run in the release tier (scripts/test.sh)")
        }
        guard let detector = TestData.fetchedFile("models/ppocrv4/det.onnx"),
              let recognizer = TestData.fetchedFile("models/ppocrv4/rec.onnx"),
              let photos = TestData.fetchedFile("photos/library-200") else {
            throw XCTSkip("scripts/setup.sh fetches PP-OCRv4 and makes the generated library; it has not run")
        }
        let directory = try TestData.temporaryDirectory("photos-text")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ocr = directory.appendingPathComponent("PP-OCRv4")
        for (part, model) in [("detection", detector), ("recognition", recognizer)] {
            let folder = ocr.appendingPathComponent(part)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("model.onnx"),
                                                       withDestinationURL: model)
        }
        let library = directory.appendingPathComponent("lib.sqlite").path
        let index = ["photos", "index", photos.path, "--library", library, "--ocr", ocr.path, "--json"]
        let first = try CLIRunner.run(index, in: directory)
        XCTAssertEqual(first.status, 0, first.stderr)
        let summary = try PhotosCommandTests.lastJSONLine(first.stdout)
        XCTAssertEqual(summary["textRead"] as? Int, 200, "204 files − 4 bad")

        // What the generator printed, by photo (paths relative to the library folder).
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: photos.appendingPathComponent("manifest.json"))) as? [String: Any])
        let words = try XCTUnwrap(manifest["words"] as? [String: [String]])
        var expected: [String: Set<String>] = [:]
        for (word, files) in words { for file in files { expected[file, default: []].insert(word) } }

        let list = try CLIRunner.run(["photos", "list", "--library", library, "--json"], in: directory)
        XCTAssertEqual(list.status, 0, list.stderr)
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let prefix = PhotoScanner.absolute(photos.path) + "/"
        var found: [String: Set<String>] = [:]
        for entry in entries {
            guard let path = entry["path"] as? String, let text = entry["text"] as? String,
                  !text.isEmpty else { continue }
            found[String(path.dropFirst(prefix.count))] = Set(text.split(separator: "\n").map(String.init))
        }
        let printed = expected.reduce(0) { $0 + $1.value.count }
        let recovered = expected.reduce(0) { $0 + $1.value.intersection(found[$1.key] ?? []).count }
        // A line that is part of a printed word (e.g. "PLATFORM" of "PLATFORM 9") is a miss, not noise.
        let extra = found.flatMap { file, lines in
            lines.filter { line in !(expected[file] ?? []).contains { $0.contains(line) } }
        }
        print("photos text: \(recovered) of \(printed) printed words read; \(extra.count) other lines: \(extra)")
        XCTAssertGreaterThanOrEqual(Double(recovered) / Double(printed), 0.9)
        XCTAssertTrue(extra.allSatisfy { $0.count <= 2 }, "lines read where nothing was printed: \(extra)")

        for word in ["GATE 12", "BICYCLE"] {
            let query = word.lowercased()  // case is ignored
            let search = try CLIRunner.run(["photos", "search", "--text-in-photo", query, "--library", library,
                                            "--limit", "50", "--json"], in: directory)
            XCTAssertEqual(search.status, 0, search.stderr)
            let paths = try PhotosCommandTests.results(search.stdout).compactMap { $0["path"] as? String }
            let want = Set(try XCTUnwrap(words[word]).filter { found[$0]?.contains(word) == true })
            XCTAssertFalse(want.isEmpty)
            XCTAssertEqual(Set(paths.map { String($0.dropFirst(prefix.count)) }), want, word)
        }

        let again = try CLIRunner.run(index, in: directory)
        XCTAssertEqual(try PhotosCommandTests.lastJSONLine(again.stdout)["textRead"] as? Int, 0, "nothing read twice")
        let empty = try CLIRunner.run(["photos", "search", "--text-in-photo", "\" \"", "--library", library],
                                      in: directory)
        XCTAssertEqual(empty.status, 64, empty.stderr)
        XCTAssertTrue(empty.stderr.contains("no word"), empty.stderr)
    }

    func testBadTextReaderOptionsAreRefused() throws {
        let directory = try TestData.temporaryDirectory("photos-text-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let photos = directory.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("empty-models/detection"),
                                                withIntermediateDirectories: true)
        let library = directory.appendingPathComponent("lib.sqlite").path
        let missing = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--ocr",
                                         photos.appendingPathComponent("empty-models").path], in: directory)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("detection/model.onnx is missing"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("PP-OCR"), missing.stderr)
        let side = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--ocr-resolution", "100"],
                                     in: directory)
        XCTAssertEqual(side.status, 64)
        XCTAssertTrue(side.stderr.contains("multiple of 32"), side.stderr)
        let both = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--ocr", "x", "--no-ocr"],
                                     in: directory)
        XCTAssertEqual(both.status, 64)
    }
}

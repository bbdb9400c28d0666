// `edgeflow photos` end to end with the generated small CLIP folder (Immich's layout, compiled
// on first use) on the generated photo library: index, search by example and by text, list, a
// second run that does nothing, and bad input (no library, empty query, bad dates).

import EFCore
import EFTestSupport
import Foundation
import XCTest

final class PhotosCommandTests: XCTestCase {
    /// A scratch folder holding a copy of the small CLIP folder (compiling writes beside it).
    static func scratchWithModel(_ prefix: String) throws -> (directory: URL, model: URL, photos: URL) {
        guard let model = TestData.fetchedFile("models/clip-folder-small/ViT-B-32__openai"),
              let photos = TestData.fetchedFile("photos/library-200") else {
            throw XCTSkip("scripts/setup.sh makes the small CLIP folder and the generated library; it has not run")
        }
        let directory = try TestData.temporaryDirectory(prefix)
        let copy = directory.appendingPathComponent("ViT-B-32__openai")
        try FileManager.default.copyItem(at: model, to: copy)
        return (directory, copy, photos)
    }

    func testIndexSearchAndListTheGeneratedLibrary() throws {
        let (directory, model, photos) = try Self.scratchWithModel("photos-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = directory.appendingPathComponent("lib.sqlite").path
        let first = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--model", model.path,
                                       "--json"], in: directory)
        XCTAssertEqual(first.status, 0, first.stderr)
        let summary = try Self.lastJSONLine(first.stdout)
        XCTAssertEqual(summary["event"] as? String, "done")
        let failures = try XCTUnwrap(summary["failures"] as? [[String: String]])
        let failed = Set(failures.compactMap { $0["path"].map { ($0 as NSString).lastPathComponent } })
        // bad/ holds the 4 files that must fail (the CMYK JPEG is read: see GeneratedLibraryTests).
        XCTAssertEqual(failed, ["empty.jpg", "truncated.jpg", "not-an-image.png", "bomb.png"])
        let found = try XCTUnwrap(summary["found"] as? Int)
        XCTAssertEqual(summary["embedded"] as? Int, found - failures.count)
        XCTAssertTrue(FileManager.default.fileExists(atPath: model.appendingPathComponent("visual/model.efx").path))

        let example = photos.appendingPathComponent("2016/2016-04-01 Zoo/DSC00010.jpg").path
        let like = try CLIRunner.run(["photos", "search", "--like", example, "--library", library, "--model",
                                      model.path, "--limit", "3", "--json"], in: directory)
        XCTAssertEqual(like.status, 0, like.stderr)
        let likeResults = try Self.results(like.stdout)
        XCTAssertEqual(likeResults.first?["path"] as? String, example)
        XCTAssertGreaterThan(likeResults.first?["score"] as? Double ?? 0, 0.9999)

        var scores: [[Double]] = []
        for compressed in [false, true] {
            let text = try CLIRunner.run(["photos", "search", "a dog on a beach", "--not", "people", "--library",
                                          library, "--model", model.path, "--limit", "10", "--json"]
                                         + (compressed ? ["--compressed"] : []), in: directory)
            XCTAssertEqual(text.status, 0, text.stderr)
            let results = try Self.results(text.stdout)
            XCTAssertEqual(results.count, 10)
            scores.append(results.compactMap { $0["score"] as? Double })
        }
        XCTAssertEqual(scores[0], scores[0].sorted(by: >))
        XCTAssertEqual(scores[0], scores[1], "int8 scan with exact rescoring finds the same top 10 here")

        let dated = try CLIRunner.run(["photos", "search", "--after", "2019-01-01", "--before", "2020-01-01",
                                       "--library", library, "--limit", "500", "--json"], in: directory)
        XCTAssertEqual(dated.status, 0, dated.stderr)
        let dates = try Self.results(dated.stdout).compactMap { $0["date"] as? String }
        XCTAssertFalse(dates.isEmpty)
        XCTAssertTrue(dates.allSatisfy { $0.hasPrefix("2019") }, "\(dates)")

        let list = try CLIRunner.run(["photos", "list", "--library", library, "--json"], in: directory)
        XCTAssertEqual(list.status, 0, list.stderr)
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.count, found)
        XCTAssertEqual(entries.filter { $0["state"] as? String == "unreadable" }.count, failures.count)

        let again = try CLIRunner.run(["photos", "index", photos.path, "--library", library, "--model", model.path,
                                       "--json"], in: directory)
        let second = try Self.lastJSONLine(again.stdout)
        XCTAssertEqual([second["added"], second["changed"], second["embedded"]] as? [Int], [0, 0, 0])
    }

    func testBadInputIsRefusedWithClearErrors() throws {
        let directory = try TestData.temporaryDirectory("photos-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try CLIRunner.run(["photos", "search", "cat", "--library", "nope.sqlite"], in: directory)
        XCTAssertEqual(missing.status, 74)
        XCTAssertTrue(missing.stderr.contains("no photo library"), missing.stderr)
        let empty = try CLIRunner.run(["photos", "search", "  ", "--library", "nope.sqlite"], in: directory)
        XCTAssertEqual(empty.status, 64)
        let index = try CLIRunner.run(["photos", "index", directory.path, "--library", "lib.sqlite",
                                       "--model", directory.appendingPathComponent("no-model").path], in: directory)
        XCTAssertNotEqual(index.status, 0)
        XCTAssertTrue(index.stderr.contains("config.json"), index.stderr)
        let made = try CLIRunner.run(["photos", "index", directory.path, "--library", "lib.sqlite"], in: directory)
        XCTAssertEqual(made.status, 0, made.stderr)
        let date = try CLIRunner.run(["photos", "search", "--after", "last tuesday", "--library", "lib.sqlite"],
                                     in: directory)
        XCTAssertEqual(date.status, 64)
        XCTAssertTrue(date.stderr.contains("YYYY-MM-DD"), date.stderr)
    }

    static func lastJSONLine(_ stdout: String) throws -> [String: Any] {
        let line = try XCTUnwrap(stdout.split(separator: "\n").last, "no output")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func results(_ stdout: String) throws -> [[String: Any]] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(object["results"] as? [[String: Any]])
    }
}

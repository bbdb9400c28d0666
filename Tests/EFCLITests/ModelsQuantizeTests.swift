// `edgeflow models quantize`: on the full-size generated ViT-B/32 folder the int8 text tower it
// writes agrees with the fp32 one on the held-out texts and the photo verbs then use it for
// queries without touching the library's image vectors; the small folder's tower disagrees and
// nothing is written; a captions file with no text is refused.

import EFTestSupport
import Foundation
import XCTest

final class ModelsQuantizeTests: XCTestCase {
    /// A scratch copy of the full-size generated ViT-B/32 folder (the ONNX files linked, not copied).
    private func fullSizeFolder() throws -> (directory: URL, model: URL, photos: URL) {
        guard let full = TestData.fetchedFile("immich-models/ViT-B-32__openai"),
              let photos = TestData.fetchedFile("photos/library-200") else {
            throw XCTSkip("scripts/setup.sh makes the full-size CLIP folder (not with --no-full-models) and the "
                          + "generated library; they are not here")
        }
        let directory = try TestData.temporaryDirectory("models-quantize")
        let model = directory.appendingPathComponent("ViT-B-32__openai")
        let manager = FileManager.default
        for tower in ["visual", "textual"] {
            let target = model.appendingPathComponent(tower)
            try manager.createDirectory(at: target, withIntermediateDirectories: true)
            for file in try manager.contentsOfDirectory(atPath: full.appendingPathComponent(tower).path) {
                let source = full.appendingPathComponent("\(tower)/\(file)")
                if file == "model.onnx" {
                    try manager.createSymbolicLink(at: target.appendingPathComponent(file), withDestinationURL: source)
                } else {
                    try manager.copyItem(at: source, to: target.appendingPathComponent(file))
                }
            }
        }
        try manager.copyItem(at: full.appendingPathComponent("config.json"),
                             to: model.appendingPathComponent("config.json"))
        return (directory, model, photos)
    }

    func testTheInt8TextTowerIsCheckedWrittenAndUsed() throws {
        let (directory, model, source) = try fullSizeFolder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = directory.appendingPathComponent("lib.sqlite").path
        let photos = source.appendingPathComponent("Misc").path
        let index = try CLIRunner.run(["photos", "index", photos, "--library", library, "--model", model.path,
                                       "--json"], in: directory)
        XCTAssertEqual(index.status, 0, index.stderr)

        let quantize = try CLIRunner.run(["models", "quantize", model.path, "--json"], in: directory)
        XCTAssertEqual(quantize.status, 0, quantize.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(quantize.stdout.utf8))
                                    as? [String: Any])
        let written = try XCTUnwrap(report["written"] as? String)
        XCTAssertTrue(FileManager.default.fileExists(atPath: written))
        XCTAssertTrue(written.hasSuffix("textual/model.int8.efx"), written)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(report["cosineMin"] as? Double), 0.995)
        XCTAssertEqual(report["heldOutSamples"] as? Int, 16)
        XCTAssertGreaterThan(try XCTUnwrap(report["int8Layers"] as? Int), 0)

        // The image vectors stay: the model's fingerprint is the same, so nothing is embedded again.
        let again = try CLIRunner.run(["photos", "index", photos, "--library", library, "--model", model.path,
                                       "--json"], in: directory)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try PhotosCommandTests.lastJSONLine(again.stdout)["embedded"] as? Int, 0)
        let search = try CLIRunner.run(["photos", "search", "a red car", "--library", library, "--model", model.path,
                                        "--limit", "3", "--json"], in: directory)
        XCTAssertEqual(search.status, 0, search.stderr)
        XCTAssertEqual(try PhotosCommandTests.results(search.stdout).count, 3)
        let list = try CLIRunner.run(["models", "list", "--models-dir", directory.path, "--json"], in: directory)
        XCTAssertTrue(list.stdout.contains("\"int8Text\" : true") || list.stdout.contains("\"int8Text\":true"),
                      list.stdout)
    }

    /// The small generated folder's 2-layer tower loses too much in int8 (held-out cosine about
    /// 0.985): the command says so and writes nothing.
    func testATowerThatDisagreesIsNotWritten() throws {
        let (directory, model, _) = try PhotosCommandTests.scratchWithModel("models-quantize-small")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLIRunner.run(["models", "quantize", model.path, "--json"], in: directory)
        XCTAssertEqual(run.status, 65, run.stderr)
        XCTAssertTrue(run.stderr.contains("below 0.995; nothing was written"), run.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertLessThan(try XCTUnwrap(report["cosineMin"] as? Double), 0.995)
        XCTAssertTrue(report["written"] is NSNull || report["written"] == nil, "\(report)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: model.appendingPathComponent(
            "textual/model.int8.efx").path))
        let textual = model.appendingPathComponent("textual").path
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: textual)
        XCTAssertFalse(leftovers.contains { $0.contains("int8") }, "no staging file is left: \(leftovers)")
    }

    func testACaptionsFileWithoutTextIsRefused() throws {
        let (directory, model, _) = try PhotosCommandTests.scratchWithModel("models-quantize-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let captions = directory.appendingPathComponent("captions.txt")
        try Data("\n   \n\n".utf8).write(to: captions)
        let run = try CLIRunner.run(["models", "quantize", model.path, "--captions", captions.path], in: directory)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("holds no text"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: model.appendingPathComponent(
            "textual/model.int8.efx").path))
    }
}

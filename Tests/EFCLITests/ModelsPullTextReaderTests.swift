// `edgeflow models pull` of a detector/recognizer pair: setup's real PP-OCRv5_mobile files, served
// by the test hub as immich-app/PP-OCRv5_mobile, arrive byte for byte (detection/ and recognition/
// only, no fp16 variant, recognition/model.onnx last, after a pull cut short) and are not
// compiled; `models list` shows the pair, incomplete and then complete; in optimized builds the
// pulled folder reads page.png with the texts Immich's own pipeline finds
// (Tests/Goldens/immich_ocr/golden.json, tools/goldens/make_immich_ocr_goldens.py), and
// `photos index` uses it as the default text reader.

import EFCLI
import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class ModelsPullTextReaderTests: XCTestCase {
    private struct Golden: Decodable {
        struct Line: Decodable { var text: String }
        struct Image: Decodable {
            var image: String
            var lines: [Line]
        }

        var max_resolution: Int
        var box_min_score: Float
        var images: [Image]
    }

    private static let paths = ["detection/model.onnx", "recognition/model.onnx"]

    func testAnOCRPullGivesTheServedModelsThatReadAPageAsImmichDoes() throws {
        guard let source = TestData.fetchedFile("immich-models/PP-OCRv5_mobile") else {
            throw XCTSkip("scripts/setup.sh puts PP-OCRv5_mobile in .testdata/immich-models; it has not run")
        }
        let fixture = try ModelsPullFixture("models-pull-ocr", model: "PP-OCRv5_mobile", folder: source,
                                            paths: Self.paths)
        defer { fixture.cleanUp() }
        // Cut short: recognition/model.onnx, the completion marker, is not there; the folder is an
        // incomplete pair.
        fixture.server.drop("detection/model.onnx", after: 1000)
        let cut = try fixture.pull(nil, ["--attempts", "1"])
        XCTAssertEqual(cut.status, 74, cut.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.modelFolder
            .appendingPathComponent("recognition/model.onnx").path))
        XCTAssertEqual(try listed(fixture)["kind"] as? String, "detector-recognizer")
        XCTAssertEqual(try listed(fixture)["complete"] as? Bool, false)

        let result = try fixture.pull(nil, ["--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("PP-OCRv5_mobile (a detector/recognizer pair) from"), result.stderr)
        XCTAssertTrue(result.stderr.contains("compiled on first use for each input shape"), result.stderr)
        for path in Self.paths {
            XCTAssertEqual(try Data(contentsOf: fixture.modelFolder.appendingPathComponent(path)),
                           fixture.server.files[path], path)
        }
        XCTAssertEqual(fixture.filesOnDisk(), Set(Self.paths), "nothing compiled, no partial file left")
        XCTAssertEqual(Set(fixture.fileRequests.map(\.path)), Set(Self.paths), "no fp16 variant, no README")

        let events = try ModelsPullFixture.events(result.stdout)
        let plan = try XCTUnwrap(events.first)
        XCTAssertEqual(plan["kind"] as? String, "detector/recognizer pair")
        let planned = try XCTUnwrap(plan["files"] as? [[String: Any]]).compactMap { $0["path"] as? String }
        XCTAssertEqual(planned, Self.paths, "recognition/model.onnx, the completion marker, comes last")
        XCTAssertEqual(events.last?["compiled"] as? Bool, false)
        XCTAssertEqual(try listed(fixture)["kind"] as? String, "detector-recognizer")
        XCTAssertEqual(try listed(fixture)["complete"] as? Bool, true)
        XCTAssertEqual(try listed(fixture)["compiled"] as? Bool, false)

        guard TestData.isOptimizedBuild else { return }   // PP-OCRv5 on a page: release tier
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: TestData.goldens
            .appendingPathComponent("immich_ocr/golden.json")))
        let page = try XCTUnwrap(golden.images.first { $0.image.hasSuffix("page.png") })
        let image = try ImageDecoder.decode(bytes: [UInt8](Data(contentsOf: TestData.repoRoot
            .appendingPathComponent(page.image)))).image
        let reader = try ImmichModelFolders(root: fixture.modelsFolder) { _ in }
            .textReader(fixture.model, resolution: golden.max_resolution)
        let lines = try reader.readAll(image, minBoxScore: golden.box_min_score)
        XCTAssertEqual(lines.map(\.text), page.lines.map(\.text))
        XCTAssertEqual(try listed(fixture)["compiled"] as? Bool, true, "the reader compiled both models")

        // `photos index` finds the pulled folder by itself in $EDGEFLOW_MODELS (no PP-OCRv4 there),
        // and `photos search --text-in-photo` finds the page by its words.
        let photos = fixture.directory.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestData.repoRoot.appendingPathComponent(page.image),
                                         to: photos.appendingPathComponent("page.png"))
        let library = fixture.directory.appendingPathComponent("library.sqlite").path
        let environment = ["EDGEFLOW_MODELS": fixture.modelsFolder.path]
        let index = try CLIRunner.run(["photos", "index", photos.path, "--library", library], in: fixture.directory,
                                      environment: environment)
        XCTAssertEqual(index.status, 0, index.stderr)
        let search = try CLIRunner.run(["photos", "search", "--text-in-photo", "coins", "--library", library,
                                        "--json"], in: fixture.directory, environment: environment)
        XCTAssertEqual(search.status, 0, search.stderr)
        let paths = try PhotosCommandTests.results(search.stdout).compactMap { $0["path"] as? String }
        XCTAssertEqual(paths.map { URL(fileURLWithPath: $0).lastPathComponent }, ["page.png"])
    }

    /// The one entry of `models list --json`.
    private func listed(_ fixture: ModelsPullFixture) throws -> [String: Any] {
        let list = try CLIRunner.run(["models", "list", "--models-dir", fixture.modelsFolder.path, "--json"],
                                     in: fixture.directory)
        XCTAssertEqual(list.status, 0, list.stderr)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.count, 1)
        return try XCTUnwrap(entries.first)
    }
}

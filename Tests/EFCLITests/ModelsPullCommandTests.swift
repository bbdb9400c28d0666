// `edgeflow models pull` and `models list` end to end against a local test hub (HubTestServer):
// a full pull gives the served bytes, compiled towers and a model that embeds text; only the
// files Edgeflow needs are fetched; a second pull downloads nothing; `models list` shows it.

import EdgeflowRuntime
import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class ModelsPullCommandTests: XCTestCase {
    func testFullPullGivesACompiledModelThatEmbedsTextAndASecondPullDownloadsNothing() throws {
        let fixture = try ModelsPullFixture("models-pull")
        defer { fixture.cleanUp() }
        let first = try fixture.pull(ModelsPullFixture.model, ["--json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        // Said before downloading: the files and their total size.
        let total = fixture.server.files.values.reduce(0) { $0 + $1.count }
        XCTAssertTrue(first.stderr.contains("9 files, \(String(format: "%.1f MB", Double(total) / 1e6))"), first.stderr)
        XCTAssertTrue(first.stderr.contains("MB/s"), first.stderr)
        for path in ModelsPullFixture.paths {
            let pulled = try Data(contentsOf: fixture.modelFolder.appendingPathComponent(path))
            XCTAssertEqual(pulled, fixture.server.files[path], path)
        }
        XCTAssertEqual(fixture.filesOnDisk(),
                       Set(ModelsPullFixture.paths + ["visual/model.efx", "textual/model.efx"]))
        XCTAssertEqual(Set(fixture.fileRequests.map(\.path)), Set(ModelsPullFixture.paths),
                       "only the files Edgeflow uses are fetched (no fp16 variant, no README)")
        XCTAssertTrue(fixture.fileRequests.allSatisfy { $0.range == nil })

        let events = try ModelsPullFixture.events(first.stdout)
        XCTAssertEqual(events.first?["event"] as? String, "plan")
        XCTAssertEqual(events.first?["toDownload"] as? Int, total)
        XCTAssertEqual(events.filter { $0["event"] as? String == "fetched" }.count, 9)
        XCTAssertEqual(events.filter { $0["event"] as? String == "compiled" }.count, 2)
        let summary = try XCTUnwrap(events.last)
        XCTAssertEqual(summary["event"] as? String, "summary")
        XCTAssertEqual(summary["downloaded"] as? Int, total)

        // What `photos search --model DIR` does with it: load the compiled towers and embed a text.
        let folder = try CLIPFolder(url: fixture.modelFolder)
        let model = try CLIPModel(folder: folder, visual: EdgeflowModel(contentsOf: folder.visualExecutable),
                                  textual: EdgeflowModel(contentsOf: folder.textualExecutable))
        let vector = try model.embed(text: "a dog on a beach").vector
        XCTAssertEqual(vector.count, folder.dimension)
        XCTAssertEqual(vector.reduce(0) { $0 + Double($1) * Double($1) }, 1, accuracy: 1e-4)

        let requestsBefore = fixture.fileRequests.count
        let second = try fixture.pull(ModelsPullFixture.model, ["--json"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(fixture.fileRequests.count, requestsBefore, "a complete model is not downloaded again")
        let again = try ModelsPullFixture.events(second.stdout)
        XCTAssertEqual(again.filter { $0["event"] as? String == "kept" }.count, 9)
        XCTAssertEqual(again.last?["downloaded"] as? Int, 0)
        XCTAssertEqual(again.last?["compiled"] as? Bool, false)

        let list = try CLIRunner.run(["models", "list", "--models-dir", fixture.modelsFolder.path, "--json"],
                                     in: fixture.directory)
        XCTAssertEqual(list.status, 0, list.stderr)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries.first?["name"] as? String, ModelsPullFixture.model)
        XCTAssertEqual(entries.first?["compiled"] as? Bool, true)
        XCTAssertEqual(entries.first?["complete"] as? Bool, true)
        XCTAssertGreaterThan(entries.first?["bytes"] as? Int ?? 0, total)
    }

    func testListShowsAnInterruptedPullAsIncomplete() throws {
        let fixture = try ModelsPullFixture("models-list")
        defer { fixture.cleanUp() }
        fixture.server.drop("textual/model.onnx", after: 1000)
        let partialPull = try fixture.pull(ModelsPullFixture.model, ["--no-compile", "--attempts", "1"])
        XCTAssertEqual(partialPull.status, 74, partialPull.stderr)
        XCTAssertTrue(partialPull.stderr.contains("run the same command again"), partialPull.stderr)
        let config = fixture.modelFolder.appendingPathComponent("config.json")
        XCTAssertFalse(FileManager.default.fileExists(atPath: config.path),
                       "a folder becomes a model only when every file is there")
        let list = try CLIRunner.run(["models", "list", "--models-dir", fixture.modelsFolder.path],
                                     in: fixture.directory)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("\(ModelsPullFixture.model)  "), list.stdout)
        XCTAssertTrue(list.stdout.contains("incomplete"), list.stdout)
    }
}

// `edgeflow models pull` when things go wrong: a transfer cut mid-file continues with a Range
// request, also through a redirect as the Hub sends (in the same run, and in the next run
// after a kill), a server that ignores Range restarts the file, a wrong digest installs
// nothing, a hostile listing is refused before any download, an unknown model names itself and
// where the names are listed, bad arguments are refused before any request, and a second pull
// of a model is refused while one runs.

import EFCore
import EFTestSupport
import Foundation
import XCTest

final class ModelsPullRefusalTests: XCTestCase {
    func testACutTransferContinuesWithARangeRequestAndEndsWithTheSameBytes() throws {
        let fixture = try ModelsPullFixture("models-resume")
        defer { fixture.cleanUp() }
        fixture.server.redirectFiles()  // as the Hub does: the range must survive the redirect
        fixture.server.drop("textual/model.onnx", after: 5_000_000)
        let result = try fixture.pull(ModelsPullFixture.model, ["--no-compile"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("textual/model.onnx: interrupted at 5000.0 kB"), result.stderr)
        let requests = fixture.server.requests.filter { $0.path == "/cdn/textual/model.onnx" }
        XCTAssertEqual(requests.map(\.range), [nil, "bytes=5000000-"])
        let pulled = try Data(contentsOf: fixture.modelFolder.appendingPathComponent("textual/model.onnx"))
        XCTAssertEqual(pulled, fixture.server.files["textual/model.onnx"])
        XCTAssertFalse(fixture.filesOnDisk().contains { $0.hasSuffix(".partial") })
    }

    func testAKilledPullContinuesFromItsPartialFileAndIgnoredRangesRestartTheFile() throws {
        let fixture = try ModelsPullFixture("models-killed")
        defer { fixture.cleanUp() }
        let visual = try XCTUnwrap(fixture.server.files["visual/model.onnx"])
        let textual = try XCTUnwrap(fixture.server.files["textual/model.onnx"])
        let folder = fixture.modelFolder
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("visual"),
                                                withIntermediateDirectories: true)
        try visual.prefix(1000).write(to: folder.appendingPathComponent("visual/model.onnx.partial"))
        let resumed = try fixture.pull(ModelsPullFixture.model, ["--no-compile"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming at 1,000 bytes"), resumed.stderr)
        XCTAssertEqual(fixture.fileRequests.first { $0.path == "visual/model.onnx" }?.range, "bytes=1000-")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("visual/model.onnx")), visual)

        // A server without Range support answers 200 with the whole file: the partial is rewritten.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("textual/model.onnx"))
        try Data(repeating: 0xEE, count: 4096).write(to: folder.appendingPathComponent("textual/model.onnx.partial"))
        fixture.server.ignoreRange()
        let restarted = try fixture.pull(ModelsPullFixture.model, ["--no-compile", "--json"])
        XCTAssertEqual(restarted.status, 0, restarted.stderr)
        let fetched = try ModelsPullFixture.events(restarted.stdout).filter { $0["event"] as? String == "fetched" }
        XCTAssertEqual(fetched.map { $0["path"] as? String }, ["textual/model.onnx"])
        XCTAssertEqual(fetched.first?["downloaded"] as? Int, textual.count, "the whole file came again")
        XCTAssertEqual(fixture.fileRequests.last { $0.path == "textual/model.onnx" }?.range, "bytes=4096-")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("textual/model.onnx")), textual)
    }

    func testAWrongDigestIsAnErrorNamingTheFileAndNothingIsInstalled() throws {
        let fixture = try ModelsPullFixture("models-hash")
        defer { fixture.cleanUp() }
        let wrong = String(repeating: "0", count: 64)
        var listing = fixture.server.honestListing()
        let index = try XCTUnwrap(listing.firstIndex { $0["path"] as? String == "visual/model.onnx" })
        let size = try XCTUnwrap(listing[index]["size"] as? Int)
        listing[index]["lfs"] = ["oid": wrong, "size": size]
        fixture.server.setListing(listing)
        let result = try fixture.pull(ModelsPullFixture.model, ["--no-compile"])
        XCTAssertEqual(result.status, 65, result.stderr)
        let actual = SHA256.hex(of: try XCTUnwrap(fixture.server.files["visual/model.onnx"]))
        XCTAssertTrue(result.stderr.contains("visual/model.onnx: expected sha256 \(wrong), got \(actual)"),
                      result.stderr)
        let onDisk = fixture.filesOnDisk()
        XCTAssertFalse(onDisk.contains("visual/model.onnx"))
        XCTAssertFalse(onDisk.contains("visual/model.onnx.partial"))
        XCTAssertFalse(onDisk.contains("config.json"), "nothing appears under the final names")
    }

    func testHostileListingsAreRefusedBeforeAnyDownload() throws {
        let fixture = try ModelsPullFixture("models-hostile")
        defer { fixture.cleanUp() }
        let blob = String(repeating: "a", count: 40)
        for path in ["../evil.txt", "visual/../../evil.txt", "/etc/passwd", "visual//model.onnx", "textual\\x"] {
            fixture.server.setListing(fixture.server.honestListing()
                                        + [["type": "file", "path": path, "size": 4, "oid": blob]])
            let result = try fixture.pull(ModelsPullFixture.model, ["--no-compile"])
            XCTAssertEqual(result.status, 65, path + ": " + result.stderr)
            XCTAssertTrue(result.stderr.contains("unsafe path \(String(reflecting: path))"), result.stderr)
        }
        var huge = fixture.server.honestListing()
        let index = try XCTUnwrap(huge.firstIndex { $0["path"] as? String == "textual/model.onnx" })
        huge[index]["size"] = 1 << 50
        huge[index]["lfs"] = ["oid": String(repeating: "b", count: 64), "size": 1 << 50]
        fixture.server.setListing(huge)
        let absurd = try fixture.pull(ModelsPullFixture.model, ["--no-compile"])
        XCTAssertEqual(absurd.status, 65, absurd.stderr)
        XCTAssertTrue(absurd.stderr.contains("textual/model.onnx is said to hold \(1 << 50) bytes"), absurd.stderr)
        XCTAssertEqual(fixture.fileRequests, [], "nothing is downloaded from a listing that was refused")
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.modelFolder.path))
    }

    func testASecondPullOfTheSameModelIsRefusedWhileTheFirstRuns() throws {
        let fixture = try ModelsPullFixture("models-locked")
        defer { fixture.cleanUp() }
        try FileManager.default.createDirectory(at: fixture.modelFolder, withIntermediateDirectories: true)
        let held = open(fixture.modelFolder.path, O_RDONLY | O_DIRECTORY)
        XCTAssertEqual(flock(held, LOCK_EX | LOCK_NB), 0)
        let result = try fixture.pull(ModelsPullFixture.model, ["--no-compile"])
        close(held)
        XCTAssertEqual(result.status, 74, result.stderr)
        XCTAssertTrue(result.stderr.contains("is in use by another pull of \(ModelsPullFixture.model)"), result.stderr)
        XCTAssertEqual(fixture.fileRequests, [])
    }

    func testAnUnknownModelNamesItselfAndWhereTheNamesAreListed() throws {
        let fixture = try ModelsPullFixture("models-unknown")
        defer { fixture.cleanUp() }
        let result = try fixture.pull("ViT-Z-99__nobody")
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertTrue(result.stderr.contains("no model named ViT-Z-99__nobody"), result.stderr)
        XCTAssertTrue(result.stderr.contains("HTTP 404"), result.stderr)
        XCTAssertTrue(result.stderr.contains("/api/models?author=immich-app"), result.stderr)
        let requests = fixture.server.requests.count
        let badName = try fixture.pull("../ViT-B-32__openai")
        XCTAssertEqual(badName.status, 64, badName.stderr)
        let attempts = try fixture.pull(ModelsPullFixture.model, ["--attempts", "0"])
        XCTAssertEqual(attempts.status, 64, attempts.stderr)
        XCTAssertTrue(attempts.stderr.contains("--attempts must be in 1…100"), attempts.stderr)
        XCTAssertEqual(fixture.server.requests.count, requests, "bad arguments are refused before any request")
    }
}

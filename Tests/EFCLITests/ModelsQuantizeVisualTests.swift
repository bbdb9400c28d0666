// `edgeflow models quantize --tower visual`: on the small generated ViT-B/32 folder, calibrated on
// the generated library, the int8 image tower agrees with the fp32 one on the held-out photos and
// is written; `photos index` then embeds every photo again under "NAME+int8" beside the fp32
// vectors (never mixing them), search uses that set, a new calibration is a new model, and
// without the file the fp32 vectors serve again. The option errors, a one-photo calibration set
// and a failed check write nothing.

import EFTestSupport
import Foundation
import XCTest

final class ModelsQuantizeVisualTests: XCTestCase {
    private func quantize(_ model: URL, _ calibration: URL, _ extra: [String] = [],
                          in directory: URL) throws -> (status: Int32, report: [String: Any]?, stderr: String) {
        let run = try CLIRunner.run(["models", "quantize", model.path, "--tower", "visual", "--calib-set",
                                     calibration.path, "--json"] + extra, in: directory)
        let report = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return (run.status, report, run.stderr)
    }

    private func index(_ photos: String, _ library: String, _ model: URL, in directory: URL) throws -> [String: Any] {
        let run = try CLIRunner.run(["photos", "index", photos, "--library", library, "--model", model.path, "--json"],
                                    in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
        return try PhotosCommandTests.lastJSONLine(run.stdout)
    }

    func testTheInt8ImageTowerIsAModelOfItsOwn() throws {
        let (directory, model, library200) = try PhotosCommandTests.scratchWithModel("models-quantize-visual")
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = directory.appendingPathComponent("lib.sqlite").path
        let photos = library200.appendingPathComponent("Misc").path
        let fp32Run = try index(photos, library, model, in: directory)
        XCTAssertEqual(fp32Run["model"] as? String, "ViT-B-32__openai")
        let count = try XCTUnwrap(fp32Run["embedded"] as? Int)
        XCTAssertGreaterThan(count, 10)

        let first = try quantize(model, library200, in: directory)
        XCTAssertEqual(first.status, 0, first.stderr)
        let report = try XCTUnwrap(first.report)
        XCTAssertEqual(report["tower"] as? String, "visual")
        XCTAssertEqual(report["calibrationSamples"] as? Int, 64)
        XCTAssertEqual(report["heldOutSamples"] as? Int, 16)
        XCTAssertGreaterThan(try XCTUnwrap(report["int8Layers"] as? Int), 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(report["cosineMin"] as? Double), 0.99)
        XCTAssertTrue(try XCTUnwrap(report["written"] as? String).hasSuffix("visual/model.int8.efx"))
        let list = try CLIRunner.run(["models", "list", "--models-dir", directory.path, "--json"], in: directory)
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.first?["int8Visual"] as? Bool, true, list.stdout)

        // Every photo is embedded again under a name of its own; the fp32 vectors stay.
        let int8Run = try index(photos, library, model, in: directory)
        XCTAssertEqual(int8Run["model"] as? String, "ViT-B-32__openai+int8")
        XCTAssertEqual(int8Run["embedded"] as? Int, count)
        XCTAssertEqual(int8Run["modelReset"] as? Bool, false)
        let fp32Vectors = try PhotosResumeTests.vectorsByPath(library, model: "ViT-B-32__openai")
        let int8Vectors = try PhotosResumeTests.vectorsByPath(library, model: "ViT-B-32__openai+int8")
        XCTAssertEqual(Set(fp32Vectors.keys), Set(int8Vectors.keys))
        XCTAssertEqual(fp32Vectors.count, count)
        var identical = 0
        for (path, a) in fp32Vectors {
            let b = try XCTUnwrap(int8Vectors[path])
            identical += a == b ? 1 : 0
            let cosine = zip(a, b).reduce(Float(0)) { $0 + Float(bitPattern: $1.0) * Float(bitPattern: $1.1) }
            XCTAssertGreaterThan(cosine, 0.98, path)
        }
        XCTAssertEqual(identical, 0, "int8 vectors differ from the fp32 ones")

        let search = try CLIRunner.run(["photos", "search", "a red car", "--library", library, "--model", model.path,
                                        "--limit", "3", "--json"], in: directory)
        XCTAssertEqual(search.status, 0, search.stderr)
        let answer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(answer["model"] as? String, "ViT-B-32__openai+int8")
        XCTAssertEqual(try PhotosCommandTests.results(search.stdout).count, 3)

        // Another calibration makes other weights: the old int8 vectors are dropped, not mixed.
        let again = try quantize(model, library200.appendingPathComponent("Phone"), in: directory)
        XCTAssertEqual(again.status, 0, again.stderr)
        let rerun = try index(photos, library, model, in: directory)
        XCTAssertEqual(rerun["modelReset"] as? Bool, true)
        XCTAssertEqual(rerun["embedded"] as? Int, count)

        // Without the int8 file the fp32 vectors are still there: nothing is embedded again.
        try FileManager.default.removeItem(at: model.appendingPathComponent("visual/model.int8.efx"))
        let back = try index(photos, library, model, in: directory)
        XCTAssertEqual(back["model"] as? String, "ViT-B-32__openai")
        XCTAssertEqual(back["embedded"] as? Int, 0)
        XCTAssertEqual(try PhotosResumeTests.vectorsByPath(library, model: "ViT-B-32__openai"), fp32Vectors)
    }

    func testBadRequestsWriteNothing() throws {
        let (directory, model, library200) = try PhotosCommandTests.scratchWithModel("models-quantize-visual-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = model.appendingPathComponent("visual/model.int8.efx")
        let misc = library200.appendingPathComponent("Misc")
        let refusals: [([String], String)] = [
            (["--tower", "visual"], "--tower visual needs --calib-set"),
            (["--calib-set", misc.path], "--calib-set is for --tower visual"),
            (["--tower", "visual", "--calib-set", misc.path, "--min-cosine", "1.5"], "between 0 and 1"),
        ]
        for (arguments, message) in refusals {
            let run = try CLIRunner.run(["models", "quantize", model.path] + arguments, in: directory)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }

        let one = directory.appendingPathComponent("one")
        try FileManager.default.createDirectory(at: one, withIntermediateDirectories: true)
        let photo = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: misc.path).sorted()
                                    .first { $0.lowercased().hasSuffix(".jpg") })
        try FileManager.default.copyItem(at: misc.appendingPathComponent(photo), to: one.appendingPathComponent(photo))
        let single = try quantize(model, one, in: directory)
        XCTAssertEqual(single.status, 65, single.stderr)
        XCTAssertTrue(single.stderr.contains("gave only 1 usable photo"), single.stderr)

        // No int8 tower is that close to the fp32 one: the check fails and no file is left behind.
        let strict = try quantize(model, misc, ["--min-cosine", "1"], in: directory)
        XCTAssertEqual(strict.status, 65, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("below 1.0; nothing was written"), strict.stderr)
        XCTAssertLessThan(try XCTUnwrap(strict.report?["cosineMin"] as? Double), 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path)
        XCTAssertFalse(leftovers.contains { $0.contains("int8") }, "no staging file is left: \(leftovers)")
    }
}

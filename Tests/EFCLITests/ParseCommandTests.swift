// `edgeflow parse` on the tiny ONNX model of tools/archive/make_cli_test_model.py, then
// `infer` on the archive compared with onnxruntime's outputs; and parse failures, which
// must write nothing.

import EFArchive
import EFCLI
import EFCore
import EFTestSupport
import Foundation
import XCTest

final class ParseCommandTests: XCTestCase {
    private var directory: URL!
    private let goldens = TestData.goldens.appendingPathComponent("cli")

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-cli")
        for name in ["tiny.onnx", "tiny_images.npy"] {
            try FileManager.default.copyItem(at: goldens.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    func testParseThenInferMatchesOnnxruntime() throws {
        let parse = try CLIRunner.run(["parse", "tiny.onnx", "-o", "tiny.efa", "--input-shape", "images=1,3,4,4"], in: directory)
        XCTAssertEqual(parse.status, 0, parse.stderr)
        XCTAssertTrue(parse.stdout.contains("→ tiny.efa"), parse.stdout)
        XCTAssertTrue(parse.stdout.contains("images  float32[1, 3, 4, 4]  48 elements, 192 bytes"), parse.stdout)

        let archive = try EdgeflowArchive.read(from: directory.appendingPathComponent("tiny.efa"))
        XCTAssertEqual(archive.metadata.sourceModel?.fileName, "tiny.onnx")
        XCTAssertEqual(archive.metadata.sourceModel?.sha256, try SHA256.hex(ofFileAt: goldens.appendingPathComponent("tiny.onnx")))
        XCTAssertEqual(archive.graph.outputs, ["scores", "feat/nhwc:0"])

        let infer = try CLIRunner.run(["infer", "tiny.efa", "--input", "images=tiny_images.npy", "--output-dir", "out"], in: directory)
        XCTAssertEqual(infer.status, 0, infer.stderr)
        XCTAssertTrue(infer.stdout.contains("→ out/feat_nhwc_0.npy"), infer.stdout)
        for (file, golden) in [("scores.npy", "tiny_scores.npy"), ("feat_nhwc_0.npy", "tiny_feat_nhwc_0.npy")] {
            let ours = try NPY.read(contentsOf: directory.appendingPathComponent("out/\(file)"))
            let reference = try NPY.read(contentsOf: goldens.appendingPathComponent(golden))
            XCTAssertEqual(ours.shape, reference.shape, file)
            XCTAssertLessThanOrEqual(maxAbsDifference(ours, reference), 1e-6, file)
        }
    }

    func testJSONSummaryAndDefaultOutputName() throws {
        let result = try CLIRunner.run(["parse", "tiny.onnx", "--input-shape", "images=1,3,4,4", "--json"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["archive"] as? String, directory.appendingPathComponent("tiny.efa").standardizedFileURL.path)
        let summary = try XCTUnwrap(object["summary"] as? [String: Any])
        XCTAssertEqual((summary["inputs"] as? [[String: Any]])?.first?["shape"] as? [Int], [1, 3, 4, 4])
        XCTAssertEqual(summary["weightCount"] as? Int, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("tiny.efa").path))
    }

    func testEndNodeNamesCutTheGraph() throws {
        let result = try CLIRunner.run(["parse", "tiny.onnx", "-o", "cut.efa", "--input-shape", "images=1,3,4,4",
                                        "--end-node-names", "relu"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let archive = try EdgeflowArchive.read(from: directory.appendingPathComponent("cut.efa"))
        XCTAssertEqual(archive.graph.outputs, ["scores"])
    }

    func testDynamicBatchDefaultsToOneWithANoteOnStderr() throws {
        let parse = try CLIRunner.run(["parse", "tiny.onnx", "-o", "tiny.efa"], in: directory)
        XCTAssertEqual(parse.status, 0, parse.stderr)
        XCTAssertEqual(parse.stderr, "note: graph input 'images': dynamic batch dim 0 ('batch') set to 1; "
                           + "for another batch size give --input-shape images=<batch>,3,4,4\n")
        XCTAssertTrue(parse.stdout.contains("images  float32[1, 3, 4, 4]"), parse.stdout)
        let json = try CLIRunner.run(["parse", "tiny.onnx", "-o", "tiny2.efa", "--json"], in: directory)
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)), "the note stays off stdout")
    }

    func testFailuresWriteNothing() throws {
        let before = try contents()
        try Data("definitely not protobuf".utf8).write(to: directory.appendingPathComponent("broken.onnx"))
        let broken = try CLIRunner.run(["parse", "broken.onnx", "-o", "broken.efa"], in: directory)
        XCTAssertEqual(broken.status, EdgeflowExitCode.invalidData, broken.stderr)
        XCTAssertTrue(broken.stderr.hasPrefix("error: "), broken.stderr)
        XCTAssertEqual(try contents(), (before + ["broken.onnx"]).sorted())

        let missing = try CLIRunner.run(["parse", "absent.onnx", "-o", "absent.efa"], in: directory)
        XCTAssertEqual(missing.status, EdgeflowExitCode.io, missing.stderr)

        let overwrite = try CLIRunner.run(["parse", "tiny.onnx", "-o", "./tiny.onnx"], in: directory)
        XCTAssertEqual(overwrite.status, EdgeflowExitCode.usage, overwrite.stderr)
        XCTAssertTrue(overwrite.stderr.contains("would overwrite the model"), overwrite.stderr)
        XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent("tiny.onnx")),
                       try Data(contentsOf: goldens.appendingPathComponent("tiny.onnx")))
        XCTAssertEqual(try contents(), (before + ["broken.onnx"]).sorted())
    }

    func testInputValuesFreezeInputsSoAnIfFolds() throws {
        guard let silero = TestData.fetchedFile("models/silero/silero_vad.onnx") else {
            throw XCTSkip("scripts/setup.sh fetches the silero-vad wheel; it has not run")
        }
        let shapes = ["--input-shape", "input=1,512", "--input-shape", "state=2,1,128"]
        let parse = try CLIRunner.run(["parse", silero.path, "-o", "vad.efa", "--input-value", "sr=16000", "--json"]
                                      + shapes, in: directory)
        XCTAssertEqual(parse.status, 0, parse.stderr)
        XCTAssertTrue(parse.stdout.contains("\"input\"") && !parse.stdout.contains("\"sr\""),
                      "sr is frozen, so it is no longer an input: \(parse.stdout.prefix(600))")
        let unfrozen = try CLIRunner.run(["parse", silero.path, "-o", "no.efa"] + shapes, in: directory)
        XCTAssertNotEqual(unfrozen.status, 0)
        XCTAssertTrue(unfrozen.stderr.contains("'sr'") && unfrozen.stderr.contains("--input-value"), unfrozen.stderr)
        let unknown = try CLIRunner.run(["parse", silero.path, "-o", "no.efa", "--input-value", "rate=1"] + shapes,
                                        in: directory)
        XCTAssertTrue(unknown.stderr.contains("not an input; inputs: input, state, sr"), unknown.stderr)
        let fractional = try CLIRunner.run(["parse", silero.path, "-o", "no.efa", "--input-value", "sr=1.5"] + shapes,
                                           in: directory)
        XCTAssertTrue(fractional.stderr.contains("1.5 does not fit int64"), fractional.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("no.efa").path))
    }
}

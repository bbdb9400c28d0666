// `edgeflow inspect` over hand-built archives: text, --json, --graph, and errors.

import EFArchive
import EFCLI
import EFTestSupport
import Foundation
import XCTest

final class InspectCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory("edgeflow-cli") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testTextReportShowsContractAndProvenance() throws {
        try CLIFixtures.writeArchive(CLIFixtures.passThrough(), named: "m.efa", in: directory)
        let result = try CLIRunner.run(["inspect", "m.efa"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("format version 1, state native"), result.stdout)
        XCTAssertTrue(result.stdout.contains("source model: pass-through.onnx (sha256 \(String(repeating: "c", count: 64)))"), result.stdout)
        XCTAssertTrue(result.stdout.contains("images  float32[1, 3, 8, 8]  192 elements, 768 bytes"), result.stdout)
        XCTAssertTrue(result.stdout.contains("scale   uint8[2]             2 elements, 2 bytes"), result.stdout)
        XCTAssertTrue(result.stdout.contains("1 weights (2 parameters, 8 bytes)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("metadata: character (3 characters)"), result.stdout)
        XCTAssertEqual(result.stderr, "")
    }

    func testJSONParsesAndGraphFlagAddsTheText() throws {
        try CLIFixtures.writeArchive(CLIFixtures.passThrough(), named: "m.efa", in: directory)
        let result = try CLIRunner.run(["inspect", "m.efa", "--json", "--graph"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let metadata = try XCTUnwrap(object["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["format"] as? String, "edgeflow-archive")
        let summary = try XCTUnwrap(object["summary"] as? [String: Any])
        XCTAssertEqual(summary["parameterCount"] as? Int, 2)
        let inputs = try XCTUnwrap(summary["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.map { $0["bytes"] as? Int }, [768, 2])
        let text = try XCTUnwrap(object["graphText"] as? [String])
        XCTAssertEqual(text.first, "graph pass-through (stage native)")

        let plain = try CLIRunner.run(["inspect", "m.efa", "--graph"], in: directory)
        XCTAssertTrue(plain.stdout.contains("\ngraph pass-through (stage native)\n  input  images: float32[1, 3, 8, 8]"), plain.stdout)
    }

    func testDamagedAndMissingArchives() throws {
        let url = try CLIFixtures.writeArchive(CLIFixtures.passThrough(), named: "m.efa", in: directory)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 10).write(to: directory.appendingPathComponent("cut.efa"))
        let cut = try CLIRunner.run(["inspect", "cut.efa"], in: directory)
        XCTAssertEqual(cut.status, EdgeflowExitCode.invalidData)
        XCTAssertTrue(cut.stderr.hasPrefix("error: "), cut.stderr)
        XCTAssertTrue(cut.stderr.contains("\n  hint: "), cut.stderr)

        let missing = try CLIRunner.run(["inspect", "absent.efa"], in: directory)
        XCTAssertEqual(missing.status, EdgeflowExitCode.io)
        XCTAssertTrue(missing.stderr.contains("absent.efa"), missing.stderr)

        try Data("not a zip".utf8).write(to: directory.appendingPathComponent("text.efa"))
        XCTAssertEqual(try CLIRunner.run(["inspect", "text.efa", "--json"], in: directory).status, EdgeflowExitCode.invalidData)
    }
}

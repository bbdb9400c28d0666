// The root command: help texts, version, and usage errors (exit 64).

import EFArchive
import EFCLI
import EFCore
import EFTestSupport
import Foundation
import XCTest

final class GeneralCommandTests: XCTestCase {
    func testEveryVerbHasHelpWithAnExample() throws {
        let directory = try TestData.temporaryDirectory("edgeflow-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        for verb in ["parse", "inspect", "infer"] {
            let result = try CLIRunner.run([verb, "--help"], in: directory)
            XCTAssertEqual(result.status, 0, verb)
            XCTAssertTrue(result.stdout.contains("OVERVIEW:"), verb)
            XCTAssertTrue(result.stdout.contains("Example:\n  edgeflow \(verb) "), "\(verb): \(result.stdout)")
        }
        let root = try CLIRunner.run(["--help"], in: directory)
        XCTAssertTrue(root.stdout.contains("Exit codes: 0 success, 64 usage error"), root.stdout)
        let version = try CLIRunner.run(["--version"], in: directory)
        XCTAssertEqual(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines), EdgeflowVersion.current)
    }

    func testUsageErrorsExitWith64() throws {
        let directory = try TestData.temporaryDirectory("edgeflow-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [[String]] = [
            ["parse"],
            ["parse", "m.onnx", "--input-shape", "images=1,x,3"],
            ["parse", "m.onnx", "--input-shape", "a=1", "--input-shape", "a=2"],
            ["infer", "m.efa"],
            ["no-such-verb"],
        ]
        for arguments in cases {
            let result = try CLIRunner.run(arguments, in: directory)
            XCTAssertEqual(result.status, EdgeflowExitCode.usage, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
            XCTAssertTrue(result.stderr.hasPrefix("error: "), "\(arguments): \(result.stderr)")
        }
    }

    func testExitCodesFollowTheErrorKinds() {
        XCTAssertEqual(EdgeflowExitCode.code(for: .invalidArgument), 64)
        XCTAssertEqual(EdgeflowExitCode.code(for: .invalidModel), 65)
        XCTAssertEqual(EdgeflowExitCode.code(for: .invalidInput), 65)
        XCTAssertEqual(EdgeflowExitCode.code(for: .invalidArchive), 65)
        XCTAssertEqual(EdgeflowExitCode.code(for: .unsupported), 69)
        XCTAssertEqual(EdgeflowExitCode.code(for: .internalError), 70)
        XCTAssertEqual(EdgeflowExitCode.code(for: .io), 74)
    }
}

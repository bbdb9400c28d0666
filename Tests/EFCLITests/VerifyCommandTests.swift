// `edgeflow verify`: a quantized archive and the executable compiled from it agree byte for byte
// on seeded random inputs and given files (also with oneDNN capped to AVX2, in a child process);
// an executable from another quantization of the same model is caught (exit 1, bytes counted);
// wrong files and options are refused before anything runs.

import EFCLI
import EFCore
import EFTestSupport
import Foundation
import XCTest

final class VerifyCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-verify")
        _ = try CLIFixtures.writeArchive(OptimizeCommandTests.twoConvGraph(), named: "m.efa", in: directory)
        for (name, step) in [("calib.npy", 29), ("other.npy", 13)] {
            let samples = Tensor(shape: [4, 4, 8, 8], scalars: (0..<1024).map { Float(($0 * step) % 23) / 23 - 0.5 })
            try CLIFixtures.writeNPY(samples, named: name, in: directory)
        }
        for (calibration, name) in [("calib.npy", "q"), ("other.npy", "other")] {
            let optimized = try cli(["optimize", "m.efa", "--calib-set", calibration, "-o", "\(name).efa"])
            XCTAssertEqual(optimized.status, 0, optimized.stderr)
            let compiled = try cli(["compile", "\(name).efa", "-o", "\(name).efx"])
            XCTAssertEqual(compiled.status, 0, compiled.stderr)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        try CLIRunner.run(arguments, in: directory, environment: environment)
    }

    func testTheExecutableMatchesTheEmulator() throws {
        let text = try cli(["verify", "q.efa", "q.efx", "--random", "40", "--range", "-2,2"])
        XCTAssertEqual(text.status, 0, text.stderr + text.stdout)
        XCTAssertTrue(text.stdout.contains("y: 0 differing bytes"), text.stdout)
        XCTAssertTrue(text.stdout.contains("equal byte for byte"), text.stdout)

        let input = Tensor(shape: [1, 4, 8, 8], scalars: (0..<256).map { Float(($0 * 7) % 13) / 13 - 0.4 })
        try CLIFixtures.writeNPY(input, named: "x.npy", in: directory)
        let capped = try cli(["verify", "q.efa", "q.efx", "--random", "10", "--input", "x=x.npy", "--json"],
                             environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        XCTAssertEqual(capped.status, 0, capped.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(capped.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["runs"] as? Int, 11)
        XCTAssertEqual(report["equal"] as? Bool, true)
        XCTAssertTrue((report["cpu"] as? String ?? "").contains("capped at AVX2"), "\(report)")
        let outputs = try XCTUnwrap(report["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.map { $0["output"] as? String }, ["y"])
        XCTAssertEqual(outputs.first?["differingBytes"] as? Int, 0)
    }

    /// An executable of the same model quantized on other samples has other scales: caught.
    func testAnExecutableFromAnotherQuantizationDiffers() throws {
        let result = try cli(["verify", "q.efa", "other.efx", "--random", "5", "--json"])
        XCTAssertEqual(result.status, 1, result.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["equal"] as? Bool, false)
        let output = try XCTUnwrap((report["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(output["differingRuns"] as? Int, 5)
        XCTAssertGreaterThan(output["differingBytes"] as? Int ?? 0, 0)
    }

    func testRefusals() throws {
        try CLIFixtures.writeArchive(BenchmarkCommandTests.convGraph(), named: "conv.efa", in: directory)
        XCTAssertEqual(try cli(["compile", "conv.efa", "-o", "conv.efx"]).status, 0)
        let cases: [([String], Int32, String)] = [
            (["verify", "m.efa", "q.efx"], EdgeflowExitCode.usage, "not quantized"),
            (["verify", "q.efa", "conv.efx"], EdgeflowExitCode.invalidData, "was not compiled from q.efa"),
            (["verify", "q.efx", "q.efa"], EdgeflowExitCode.usage, "q.efx is an Edgeflow executable"),
            (["verify", "q.efa", "q.efx", "--range", "2,1"], EdgeflowExitCode.usage, "needs finite LOW ≤ HIGH"),
            (["verify", "q.efa", "q.efx", "--int-range", "a,b"], EdgeflowExitCode.usage, "must be LOW,HIGH"),
            (["verify", "q.efa", "q.efx", "--random", "0"], EdgeflowExitCode.usage, "nothing to compare"),
        ]
        for (arguments, status, message) in cases {
            let result = try cli(arguments)
            XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
        }
    }
}

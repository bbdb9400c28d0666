// The CLI's limits on bad models and resources: a duplicate graph input or an overflowing
// declared shape is invalid data (65) at parse; a run that would exceed --max-memory is refused
// (65) before its tensors are allocated and writes nothing; bad --max-memory, --iterations,
// --warmup and --batch values are usage errors (64) before any work.

import EFArchive
import EFCLI
import EFCore
import EFIR
import EFTestSupport
import Foundation
import XCTest

final class ResourceLimitTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-cli-limits")
        try CLIFixtures.writeArchive(Self.expandGraph(), named: "big.efa", in: directory)
        try CLIFixtures.writeNPY(Tensor(shape: [1], scalars: [Float(2)]), named: "x.npy", in: directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// x float32[1] → expand → y float32[1 << 20] (4 MiB from a 4-byte input).
    static func expandGraph() -> Graph {
        Graph(name: "big", inputs: ["x"], outputs: ["y"],
              nodes: [Node(name: "e", .expand(shape: [1 << 20]), inputs: ["x"], outputs: ["y"])],
              types: ["x": TensorType(.float32, [1]), "y": TensorType(.float32, [1 << 20])])
    }

    private func run(_ arguments: [String]) throws -> CLIResult { try CLIRunner.run(arguments, in: directory) }

    private func write(_ graph: [UInt8], to name: String) throws {
        try OnnxBytes.model(graph: graph).write(to: directory.appendingPathComponent(name))
    }

    private var outputExists: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path)
    }

    // MARK: Bad models at parse

    func testDuplicateGraphInputIsInvalidData() throws {
        try write(OnnxBytes.graph(nodes: [OnnxBytes.node("Relu", ["x"], ["y"])],
                                  inputs: [OnnxBytes.valueInfo("x", shape: [2]), OnnxBytes.valueInfo("x", shape: [2])],
                                  outputs: [OnnxBytes.valueInfo("y", dims: nil)]), to: "dup.onnx")
        let result = try run(["parse", "dup.onnx", "-o", "dup.efa"])
        XCTAssertEqual(result.status, EdgeflowExitCode.invalidData, result.stderr)
        XCTAssertTrue(result.stderr.contains("graph input 'x' is listed twice"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("dup.efa").path))
    }

    func testOverflowingDeclaredShapeIsInvalidData() throws {
        try write(OnnxBytes.graph(nodes: [OnnxBytes.node("Relu", ["x"], ["y"])],
                                  inputs: [OnnxBytes.valueInfo("x", shape: [1 << 40, 1 << 40])],
                                  outputs: [OnnxBytes.valueInfo("y", dims: nil)]), to: "huge.onnx")
        let result = try run(["parse", "huge.onnx", "-o", "huge.efa"])
        XCTAssertEqual(result.status, EdgeflowExitCode.invalidData, result.stderr)
        XCTAssertTrue(result.stderr.contains("graph input 'x'"), result.stderr)
    }

    // MARK: --max-memory

    func testRunOverTheMemoryBudgetIsRefusedAndWritesNothing() throws {
        for engine in [[], ["--reference"]] {
            let result = try run(["infer", "big.efa", "--input", "x.npy", "--output-dir", "out", "--max-memory", "1M"]
                                 + engine)
            XCTAssertEqual(result.status, EdgeflowExitCode.invalidData, result.stderr)
            XCTAssertTrue(result.stderr.contains("over the memory budget of 1 MiB"), result.stderr)
            XCTAssertTrue(result.stderr.contains("running 'big'"), result.stderr)
            XCTAssertTrue(result.stderr.contains("--max-memory"), result.stderr)
            XCTAssertFalse(outputExists, "outputs written on failure")
        }
        let benchmark = try run(["benchmark", "big.efa", "--iterations", "1", "--warmup", "0", "--max-memory", "1M"])
        XCTAssertEqual(benchmark.status, EdgeflowExitCode.invalidData, benchmark.stderr)
        XCTAssertTrue(benchmark.stderr.contains("over the memory budget"), benchmark.stderr)
    }

    func testRunWithinTheMemoryBudgetSucceeds() throws {
        for (limit, engine) in [("64M", []), ("1.5G", ["--reference"])] {
            let result = try run(["infer", "big.efa", "--input", "x.npy", "--output-dir", "out", "--max-memory", limit]
                                 + engine)
            XCTAssertEqual(result.status, 0, "\(limit): \(result.stderr)")
        }
    }

    func testMaxMemorySpellingsAreAccepted() throws {
        // A valid --max-memory passes validation; the bad --iterations then stops the run (64).
        for limit in ["67108864", "64MiB", "64mb", "1m", "1P", "2048K"] {
            let result = try run(["benchmark", "big.efa", "--max-memory", limit, "--iterations", "0"])
            XCTAssertEqual(result.status, EdgeflowExitCode.usage, "\(limit): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("error: --iterations must be between 1 and 100000"),
                          "\(limit): \(result.stderr)")
        }
    }

    func testInputFilesOverTheBudgetOrNotRegularAreRefused() throws {
        try CLIFixtures.writeNPY(Tensor(shape: [1 << 19], scalars: [Float](repeating: 1, count: 1 << 19)),
                                 named: "big.npy", in: directory)
        let big = try run(["infer", "big.efa", "--input", "x=big.npy", "--output-dir", "out", "--max-memory", "1M"])
        XCTAssertEqual(big.status, EdgeflowExitCode.invalidData, big.stderr)
        XCTAssertTrue(big.stderr.contains("reading the input files"), big.stderr)
        let device = try run(["infer", "big.efa", "--input", "x=/dev/zero", "--output-dir", "out"])
        XCTAssertEqual(device.status, EdgeflowExitCode.invalidData, device.stderr)
        XCTAssertTrue(device.stderr.contains("not a regular file"), device.stderr)
        XCTAssertFalse(outputExists)
    }

    func testNPYHeaderDeclaringAnAbsurdShapeIsNamedNotTakenForRawBytes() throws {
        // The CLI campaign's input that trapped in InputCheck: a .npy header declaring 2^62 × 3 × 4 × 4.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 3, 4, 4), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0]
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 192)
        try Data(bytes).write(to: directory.appendingPathComponent("absurd.npy"))
        let result = try run(["infer", "big.efa", "--input", "x=absurd.npy", "--output-dir", "out"])
        XCTAssertEqual(result.status, EdgeflowExitCode.invalidData, result.stderr)
        XCTAssertTrue(result.stderr.contains("absurd.npy (input 'x')"), result.stderr)
        XCTAssertFalse(result.stderr.contains("is not a .npy file"), result.stderr)
        XCTAssertFalse(outputExists)
    }

    func testBadMaxMemoryValuesAreUsageErrors() throws {
        for value in ["abc", "0", "512", "1023K", "2P", "-1", "99999999999999999999", "1e9", "8X"] {
            let result = try run(["infer", "big.efa", "--input", "x.npy", "--output-dir", "out", "--max-memory", value])
            XCTAssertEqual(result.status, EdgeflowExitCode.usage, "\(value): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("max-memory"), "\(value): \(result.stderr)")
        }
        XCTAssertFalse(outputExists)
    }

    // MARK: benchmark ranges

    func testBenchmarkCountsOutsideTheirRangesAreUsageErrors() throws {
        let cases: [([String], String)] = [
            (["--iterations", "0"], "--iterations"), (["--iterations", "100001"], "--iterations"),
            (["--warmup", "-1"], "--warmup"), (["--warmup", "10001"], "--warmup"),
            (["--batch", "0"], "--batch"), (["--batch", "1000001"], "--batch"),
        ]
        for (arguments, option) in cases {
            let result = try run(["benchmark", "big.efa"] + arguments)
            XCTAssertEqual(result.status, EdgeflowExitCode.usage, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(option), "\(arguments): \(result.stderr)")
        }
    }
}

// The deploy example (Examples/RunExecutable, `edgeflow-run-example`) on a compiled executable:
// its .npy outputs are bit-identical to running the same file with EdgeflowModel in-process
// and with `edgeflow run`, and bad command lines fail with a message instead of output.

import EFCore
import EFTestSupport
import EdgeflowRuntime
import Foundation
import XCTest

final class RunExampleTests: XCTestCase {
    func testOutputsMatchTheInProcessRuntimeAndEdgeflowRunBitForBit() throws {
        let dir = try TestData.temporaryDirectory("efcli-run-example")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try ExecutableFixtures.writeExecutable(try ExecutableFixtures.convReluMatMul(), named: "m.efx",
                                                           in: dir)
        let input = Tensor(shape: [1, 3, 8, 8], scalars: deterministicFloats(192, seed: 7))
        try NPY.encode(input).write(to: dir.appendingPathComponent("x.npy"))

        let result = try ExecutableFixtures.runExample(["m.efx", "x=x.npy", "out"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let cli = try CLIRunner.run(["run", "m.efx", "--input", "x=x.npy", "--output-dir", "cli"], in: dir)
        XCTAssertEqual(cli.status, 0, cli.stderr)

        let loaded = try EdgeflowModel(contentsOf: model)
        let expected = try loaded.run(["x": input])
        XCTAssertEqual(loaded.outputs.count, 1)
        for descriptor in loaded.outputs {
            let file = descriptor.name.replacingOccurrences(of: "/", with: "_") + ".npy"
            let written = try NPY.read(contentsOf: dir.appendingPathComponent("out").appendingPathComponent(file))
            let reference = try XCTUnwrap(expected[descriptor.name])
            XCTAssertEqual(written.dtype, reference.dtype)
            XCTAssertEqual(written.shape, reference.shape)
            XCTAssertEqual(written.withUnsafeBytes { Data($0) }, reference.withUnsafeBytes { Data($0) },
                           "\(descriptor.name) differs from the in-process run")
            let viaCLI = try NPY.read(contentsOf: dir.appendingPathComponent("cli").appendingPathComponent(file))
            XCTAssertEqual(written.withUnsafeBytes { Data($0) }, viaCLI.withUnsafeBytes { Data($0) },
                           "\(descriptor.name) differs from edgeflow run's")
            XCTAssertTrue(result.stdout.contains("\(descriptor.name): float32\(reference.shape)"), result.stdout)
        }
    }

    func testUnknownInputAndDamagedModelFailWithoutOutput() throws {
        let dir = try TestData.temporaryDirectory("efcli-run-example-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ExecutableFixtures.writeExecutable(try ExecutableFixtures.convReluMatMul(), named: "m.efx", in: dir)
        try NPY.encode(Tensor(zeros: .float32, shape: [1, 3, 8, 8])).write(to: dir.appendingPathComponent("x.npy"))

        let unknown = try ExecutableFixtures.runExample(["m.efx", "y=x.npy", "out"], in: dir)
        XCTAssertEqual(unknown.status, 64, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("its inputs: x float32[1, 3, 8, 8]"), unknown.stderr)

        var bytes = try Data(contentsOf: dir.appendingPathComponent("m.efx"))
        bytes[bytes.count - 1] ^= 0xFF  // the last weight byte: the WGHT checksum no longer matches
        try bytes.write(to: dir.appendingPathComponent("bad.efx"))
        let damaged = try ExecutableFixtures.runExample(["bad.efx", "x=x.npy", "out"], in: dir)
        XCTAssertEqual(damaged.status, 1, damaged.stderr)
        XCTAssertTrue(damaged.stderr.contains("bad.efx"), damaged.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }
}

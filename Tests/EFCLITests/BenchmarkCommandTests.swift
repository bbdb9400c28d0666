// `edgeflow benchmark` and the fast/reference choice of `edgeflow infer`, over a small conv
// archive: the JSON report's contract, batch checking, and both engines agreeing.

import EFArchive
import EFCLI
import EFCore
import EFIR
import EFKernels
import EFTestSupport
import Foundation
import XCTest

final class BenchmarkCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-cli-bench")
        try CLIFixtures.writeArchive(Self.convGraph(), named: "conv.efa", in: directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// x [1, 4, 8, 8] → conv 3×3 (6 filters, pad 1) + bias → relu.
    static func convGraph() -> Graph {
        let weights = Tensor(shape: [6, 4, 3, 3], scalars: (0..<216).map { Float(($0 * 37) % 17) / 17 - 0.5 })
        let bias = Tensor(shape: [6], scalars: [Float](arrayLiteral: 0.1, -0.2, 0.3, 0, 0.5, -0.1))
        return Graph(name: "conv", inputs: ["x"], outputs: ["y"],
                     nodes: [Node(name: "c", .conv(ConvOp(window: ConvParameters(pads: [1, 1, 1, 1]))),
                                  inputs: ["x", "w", "b"], outputs: ["z"]),
                             Node(name: "r", .unary(UnaryOp(.relu)), inputs: ["z"], outputs: ["y"])],
                     types: ["x": TensorType(.float32, [1, 4, 8, 8]), "w": TensorType(.float32, [6, 4, 3, 3]),
                             "b": TensorType(.float32, [6]), "z": TensorType(.float32, [1, 6, 8, 8]),
                             "y": TensorType(.float32, [1, 6, 8, 8])],
                     weights: ["w": weights, "b": bias])
    }

    func testJSONReportHasLatenciesThroughputAndLayers() throws {
        let result = try CLIRunner.run(["benchmark", "conv.efa", "--iterations", "4", "--warmup", "1", "--threads", "1",
                                        "--json"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["engine"] as? String, "fast")
        XCTAssertEqual(object["threads"] as? Int, 1)
        XCTAssertEqual(object["batch"] as? Int, 1)
        XCTAssertEqual(object["macsPerSample"] as? Int, 6 * 64 * 4 * 9)
        let latency = try XCTUnwrap(object["latencyMs"] as? [String: Double])
        XCTAssertGreaterThan(latency["p50"] ?? 0, 0)
        XCTAssertLessThanOrEqual(latency["min"] ?? .infinity, latency["p90"] ?? 0)
        XCTAssertGreaterThan(object["throughputPerSecond"] as? Double ?? 0, 0)
        let layers = try XCTUnwrap(object["slowestLayers"] as? [[String: Any]])
        let conv = try XCTUnwrap(layers.first { $0["node"] as? String == "c" }, "\(layers)")
        XCTAssertTrue((conv["kernel"] as? String ?? "").hasPrefix("onednn"), "\(layers)")
        XCTAssertFalse(layers.contains { $0["node"] as? String == "r" }, "relu is fused into the conv: \(layers)")
    }

    /// `--input` feeds .npy files (archive and executable alike) and the report says so; a file of
    /// the wrong shape or an unknown input name is refused before anything runs.
    func testGivenInputsAreCheckedAndReported() throws {
        let input = Tensor(shape: [1, 4, 8, 8], scalars: (0..<256).map { Float($0 % 11) / 11 })
        try CLIFixtures.writeNPY(input, named: "x.npy", in: directory)
        try CLIFixtures.writeNPY(Tensor(shape: [1, 4, 8, 7], scalars: [Float](repeating: 0, count: 224)),
                                 named: "small.npy", in: directory)
        let compiled = try CLIRunner.run(["compile", "conv.efa", "-o", "conv.efx"], in: directory)
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        for model in ["conv.efa", "conv.efx"] {
            let given = try CLIRunner.run(["benchmark", model, "--input", "x=x.npy", "--iterations", "2",
                                           "--warmup", "0", "--json"], in: directory)
            XCTAssertEqual(given.status, 0, given.stderr)
            let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(given.stdout.utf8))
                as? [String: Any])
            XCTAssertEqual(report["inputs"] as? String, "x=x.npy", model)
            let synthetic = try CLIRunner.run(["benchmark", model, "--iterations", "2", "--warmup", "0"],
                                              in: directory)
            XCTAssertTrue(synthetic.stdout.contains("inputs  synthetic ("), synthetic.stdout)
            for (argument, message) in [("x=small.npy", "shape"), ("y=x.npy", "y")] {
                let bad = try CLIRunner.run(["benchmark", model, "--input", argument, "--iterations", "2"],
                                            in: directory)
                XCTAssertNotEqual(bad.status, 0, "\(model) \(argument)")
                XCTAssertTrue(bad.stderr.contains(message), bad.stderr)
                XCTAssertFalse(bad.stdout.contains("latency"), bad.stdout)
            }
        }
    }

    func testBatchMismatchIsAUsageErrorWithAHint() throws {
        let result = try CLIRunner.run(["benchmark", "conv.efa", "--batch", "8"], in: directory)
        XCTAssertEqual(result.status, EdgeflowExitCode.usage, result.stderr)
        XCTAssertTrue(result.stderr.contains("parsed for batch 1, not 8"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--input-shape"), result.stderr)
    }

    func testFastAndReferenceInferAgree() throws {
        let input = Tensor(shape: [1, 4, 8, 8], scalars: (0..<256).map { Float(($0 * 13) % 29) / 29 })
        try CLIFixtures.writeNPY(input, named: "x.npy", in: directory)
        for (engine, extra) in [("fast", [String]()), ("reference", ["--reference"])] {
            let result = try CLIRunner.run(["infer", "conv.efa", "--input", "x.npy", "--output-dir", engine] + extra,
                                           in: directory)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("(\(engine) engine)"), result.stdout)
        }
        let fast = try NPY.read(contentsOf: directory.appendingPathComponent("fast/y.npy"))
        let reference = try NPY.read(contentsOf: directory.appendingPathComponent("reference/y.npy"))
        XCTAssertLessThanOrEqual(maxAbsDifference(fast, reference), 1e-5)
    }
}

// `edgeflow optimize`: the fp-optimized stage as an archive whose metadata records the stage,
// which `compile` then lowers as it is; a second optimize is refused with the next step. With
// --calib-set: the range estimators of --range and the algorithms applied, as the report says.

import EFArchive
import EFCLI
import EFCore
import EFIR
import EFKernels
import EFTestSupport
import Foundation
import XCTest

final class OptimizeCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory("edgeflow-cli") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testWritesTheFpOptimizedStageThatCompileTakesAsItIs() throws {
        _ = try CLIFixtures.writeArchive(BenchmarkCommandTests.convGraph(), named: "m.efa", in: directory)
        let result = try CLIRunner.run(["optimize", "m.efa", "-o", "m.fp.efa"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("state fp-optimized, 2 → 1 nodes"), result.stdout)
        XCTAssertTrue(result.stdout.contains("fuse-epilogue: 1 residual adds and activations fused"), result.stdout)
        let contents = try EdgeflowArchive.read(from: directory.appendingPathComponent("m.fp.efa"))
        XCTAssertEqual(contents.metadata.state, .fpOptimized)
        XCTAssertEqual(contents.graph.stage, .fpOptimized)
        guard case .conv(let conv)? = contents.graph.nodes.first?.params else { return XCTFail("no fused conv") }
        XCTAssertEqual(conv.activation?.fn, .relu)

        let compiled = try CLIRunner.run(["compile", "m.fp.efa", "-o", "m.efx"], in: directory)
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        XCTAssertTrue(compiled.stdout.contains("fp-optimized → compiled"), compiled.stdout)

        let again = try CLIRunner.run(["optimize", "m.fp.efa", "-o", "again.efa"], in: directory)
        XCTAssertEqual(again.status, 64, again.stderr)
        XCTAssertTrue(again.stderr.contains("already at stage fp-optimized"), again.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("again.efa").path))
    }

    /// conv → relu → conv, for equalization.
    static func twoConvGraph() -> Graph {
        let w1 = Tensor(shape: [6, 4, 3, 3], scalars: (0..<216).map { Float(($0 * 37) % 17) / 17 - 0.5 })
        let w2 = Tensor(shape: [3, 6, 1, 1], scalars: (0..<18).map { Float(($0 * 11) % 7) / 7 - 0.4 })
        let window = ConvOp(window: ConvParameters(pads: [1, 1, 1, 1]), activation: FusedActivation(.relu))
        return Graph(name: "chain", inputs: ["x"], outputs: ["y"],
                     nodes: [Node(name: "c1", .conv(window), inputs: ["x", "w1"], outputs: ["h"]),
                             Node(name: "c2", .conv(ConvOp()), inputs: ["h", "w2"], outputs: ["y"])],
                     types: ["x": TensorType(.float32, [1, 4, 8, 8]), "w1": TensorType(.float32, [6, 4, 3, 3]),
                             "h": TensorType(.float32, [1, 6, 8, 8]), "w2": TensorType(.float32, [3, 6, 1, 1]),
                             "y": TensorType(.float32, [1, 3, 8, 8])],
                     weights: ["w1": w1, "w2": w2])
    }

    func testRangeEstimatorsAndEqualizationAreReported() throws {
        _ = try CLIFixtures.writeArchive(Self.twoConvGraph(), named: "m.efa", in: directory)
        let samples = Tensor(shape: [4, 4, 8, 8], scalars: (0..<1024).map { Float(($0 * 29) % 23) / 23 - 0.5 })
        try CLIFixtures.writeNPY(samples, named: "calib.npy", in: directory)
        for (range, name) in [("percentile", "percentile 0.01/99.99"), ("mse", "mse"),
                              ("minmax", "minmax")] {
            let result = try CLIRunner.run(["optimize", "m.efa", "--calib-set", "calib.npy", "--range", range,
                                            "-o", "q.efa"], in: directory)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("ranges: \(name)"), result.stdout)
            XCTAssertTrue(result.stdout.contains("cross-layer equalization: 1 conv pair(s)"), result.stdout)
        }
        try Data("pre_quantization_optimization(equalization, policy=disabled)\n".utf8)
            .write(to: directory.appendingPathComponent("off.alls"))
        let off = try CLIRunner.run(["optimize", "m.efa", "--calib-set", "calib.npy", "--model-script", "off.alls",
                                     "-o", "q.efa"], in: directory)
        XCTAssertEqual(off.status, 0, off.stderr)
        XCTAssertFalse(off.stdout.contains("cross-layer equalization"), off.stdout)
        XCTAssertFalse(off.stderr.contains("not implemented"), off.stderr)
        let bad = try CLIRunner.run(["optimize", "m.efa", "--calib-set", "calib.npy", "--range", "kl", "-o", "q.efa"],
                                    in: directory)
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("mean-minmax, minmax, percentile or mse"), bad.stderr)
    }
}

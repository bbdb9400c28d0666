// `edgeflow optimize`: the fp-optimized stage as an archive whose metadata records the stage,
// which `compile` then lowers as it is; a second optimize is refused with the next step.

import EFArchive
import EFCLI
import EFCore
import EFIR
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
}

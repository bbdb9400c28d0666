// `edgeflow analyze-noise` end to end on a tiny three-conv model: parse-free (an archive written
// here), `optimize --calib-set` on one .npy, then the analysis on other samples against the
// native archive: the JSON report (every int8 layer, most sensitive first, capped SNRs), the HTML
// page, the lines for people; and the refusals (a quantized --float, a float archive the quantized
// one was not made from, a missing directory, a bad --samples) with their exit codes.

import EFArchive
import EFCore
import EFIR
import EFTestSupport
import Foundation
import XCTest

final class AnalyzeNoiseCommandTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = try TestData.temporaryDirectory("edgeflow-noise")
        try CLIFixtures.writeArchive(try Self.model(scale: 1), named: "m.efa", in: dir)
        try CLIFixtures.writeArchive(try Self.model(scale: -1), named: "other.efa", in: dir)
        for (name, seed) in [("calib.npy", 1), ("data.npy", 2)] as [(String, UInt64)] {
            let values = deterministicFloats(6 * 4 * 8 * 8, seed: seed)
            try CLIFixtures.writeNPY(Tensor(shape: [6, 4, 8, 8], scalars: values), named: name, in: dir)
        }
        // Equalization rescales the float weights, which the analysis cannot repeat yet (tested below).
        try Data("pre_quantization_optimization(equalization, policy=disabled)\n".utf8)
            .write(to: dir.appendingPathComponent("plain.alls"))
        let made = try CLIRunner.run(["optimize", "m.efa", "--calib-set", "calib.npy", "--model-script", "plain.alls",
                                      "-o", "m.q.efa"], in: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// conv → relu → conv → relu → conv on float32 [1, 4, 8, 8]; `scale` flips the first weights.
    static func model(scale: Float) throws -> Graph {
        var b = TestGraphBuilder()
        var x = b.input("x", [1, 4, 8, 8])
        for (i, channels) in [(0, 6), (1, 8), (2, 3)] {
            let inputs = b.graph.types[x]!.shape[1]
            let w = deterministicFloats(channels * inputs * 9, seed: UInt64(20 + i), range: -0.4...0.4)
            let weight = b.weight("w\(i)", Tensor(shape: [channels, inputs, 3, 3], scalars: w.map { $0 * scale }))
            x = try b.node(.conv, [x, weight, b.weight("b\(i)", shape: [channels], seed: UInt64(30 + i))],
                           ["pads": .ints([1, 1, 1, 1])])
            if i < 2 { x = try b.unary("relu", x) }
        }
        b.output(x)
        return b.graph
    }

    func testEqualizedArchiveIsRefusedWithAHint() throws {
        let made = try CLIRunner.run(["optimize", "m.efa", "--calib-set", "calib.npy", "-o", "eq.q.efa"], in: dir)
        XCTAssertEqual(made.status, 0, made.stderr)
        let result = try CLIRunner.run(["analyze-noise", "eq.q.efa", "--float", "m.efa", "--data", "data.npy",
                                        "-o", "noise.html"], in: dir)
        XCTAssertEqual(result.status, 69, result.stderr)
        XCTAssertTrue(result.stderr.contains("equalization"), result.stderr)
    }

    func testJSONReportHTMLPageAndSummary() throws {
        let result = try CLIRunner.run(["analyze-noise", "m.q.efa", "--float", "m.efa", "--data", "data.npy",
                                        "--samples", "4", "-o", "noise.html", "--json"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["samples"] as? Int, 4)
        XCTAssertEqual(report["snrCap"] as? Double, 140)
        let layers = try XCTUnwrap(report["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.count, 3)
        let sensitivity = layers.compactMap { $0["sensitivitySNR"] as? Double }
        XCTAssertEqual(sensitivity, sensitivity.sorted(), "not most sensitive first")
        for layer in layers {
            for key in ["accumulatedSNR", "sensitivitySNR"] {
                let value = try XCTUnwrap(layer[key] as? Double, key)
                XCTAssertTrue(value > 0 && value <= 140, "\(key) \(value)")
            }
            XCTAssertGreaterThan(layer["macs"] as? Int ?? 0, 0)
            XCTAssertEqual((layer["points"] as? [String: [Double]])?["float"]?.count, 0, "points in --json")
        }
        XCTAssertEqual(layers.filter { $0["output"] as? String == "u8" }.count, 2, "conv 1 and 2 write u8")
        XCTAssertTrue(layers.filter { $0["output"] as? String == "u8" }.allSatisfy { $0["codesUsed"] is Int })
        let html = try String(contentsOf: dir.appendingPathComponent("noise.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<table class=\"layers\" id=\"layers\""))
        XCTAssertTrue(html.contains("<svg id=\"snr-chart\""))
        XCTAssertEqual(html.components(separatedBy: "<tr id=\"layer-").count, 4)
        XCTAssertTrue(result.stderr.contains("sensitivity"), "no progress on stderr: \(result.stderr)")

        let people = try CLIRunner.run(["analyze-noise", "m.q.efa", "--float", "m.efa", "--data", "data.npy",
                                        "-o", "noise2.html"], in: dir)
        XCTAssertEqual(people.status, 0, people.stderr)
        XCTAssertTrue(people.stdout.contains("3 int8 layer(s) on 6 sample(s); report: noise2.html"), people.stdout)
        XCTAssertTrue(people.stdout.contains("most sensitive"), people.stdout)
    }

    func testHelpHasAnExample() throws {
        let help = try CLIRunner.run(["analyze-noise", "--help"], in: dir)
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("edgeflow analyze-noise det.q.efa --float det.efa"), help.stdout)
    }

    func testRefusals() throws {
        let quantizedFloat = try CLIRunner.run(["analyze-noise", "m.q.efa", "--float", "m.q.efa", "--data",
                                                "data.npy", "-o", "n.html"], in: dir)
        XCTAssertEqual(quantizedFloat.status, 64, quantizedFloat.stderr)
        XCTAssertTrue(quantizedFloat.stderr.contains("is quantized too"), quantizedFloat.stderr)

        let other = try CLIRunner.run(["analyze-noise", "m.q.efa", "--float", "other.efa", "--data", "data.npy",
                                       "-o", "n.html"], in: dir)
        XCTAssertEqual(other.status, 65, other.stderr)
        XCTAssertTrue(other.stderr.contains("do not give the quantized archive's int8 weights"), other.stderr)
        XCTAssertTrue(other.stderr.contains("hint: give --float"), other.stderr)

        let notQuantized = try CLIRunner.run(["analyze-noise", "m.efa", "--float", "m.efa", "--data", "data.npy",
                                              "-o", "n.html"], in: dir)
        XCTAssertEqual(notQuantized.status, 65, notQuantized.stderr)
        XCTAssertTrue(notQuantized.stderr.contains("not quantized"), notQuantized.stderr)

        let noDirectory = try CLIRunner.run(["analyze-noise", "m.q.efa", "--float", "m.efa", "--data", "data.npy",
                                             "-o", "missing/n.html"], in: dir)
        XCTAssertEqual(noDirectory.status, 74, noDirectory.stderr)

        let samples = try CLIRunner.run(["analyze-noise", "m.q.efa", "--float", "m.efa", "--data", "data.npy",
                                         "-o", "n.html", "--samples", "0"], in: dir)
        XCTAssertEqual(samples.status, 64, samples.stderr)
        XCTAssertTrue(samples.stderr.contains("--samples must be in 1…10000"), samples.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("n.html").path))
    }
}

// `edgeflow profile` on a compiled conv/relu/matmul executable: the HTML report as headless
// Chromium shows it (a screenshot with real content, the DOM listing every step of the
// program), the --json report (one entry per step, nonzero medians), given .npy inputs, and
// clear refusals of archives and other files with nothing written.

import EFCore
import EFMedia
import EFProfiler
import EFTestSupport
import EdgeflowRuntime
import Foundation
import XCTest

final class ProfileCommandTests: XCTestCase {
    private var dir: URL!
    private var model: URL!

    override func setUpWithError() throws {
        dir = try TestData.temporaryDirectory("efcli-profile")
        model = try ExecutableFixtures.writeExecutable(try ExecutableFixtures.convReluMatMul(), named: "model.efx",
                                                       in: dir)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// The node names of the program's steps, as the runtime built it for this CPU.
    private func stepNames() throws -> [String] {
        try EdgeflowModel(contentsOf: model).program.steps.map(\.info.node)
    }

    func testHTMLReportRendersWithARowForEveryStep() throws {
        let result = try CLIRunner.run(["profile", "model.efx", "-o", "x.html", "--runs", "5", "--warmup", "1"],
                                       in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("inputs: synthetic"), "no note that the inputs are synthetic")
        XCTAssertTrue(result.stdout.contains("slowest steps"), result.stdout)
        XCTAssertTrue(result.stdout.contains("GFLOP/s"), result.stdout)
        XCTAssertTrue(result.stdout.contains("report: x.html"), result.stdout)
        let page = dir.appendingPathComponent("x.html")
        guard let chromium = Chromium.required() else { return }

        let png = dir.appendingPathComponent("shot.png")
        _ = try Chromium.run(chromium, ["--hide-scrollbars", "--screenshot=\(png.path)", "--window-size=1280,900",
                                        page.absoluteString], workDirectory: dir)
        let image = try ImageDecoder.decode(contentsOf: png).image
        var colours = Set<UInt32>(), nonWhite = 0
        for p in stride(from: 0, to: image.pixels.count, by: image.channels) {
            let (r, g, b) = (image.pixels[p], image.pixels[p + 1], image.pixels[p + 2])
            colours.insert(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
            if r < 245 || g < 245 || b < 245 { nonWhite += 1 }
        }
        XCTAssertGreaterThan(colours.count, 100, "a blank or flat screenshot: \(colours.count) colours")
        XCTAssertGreaterThan(Double(nonWhite) / Double(image.width * image.height), 0.05, "a mostly white screenshot")

        let dom = try Chromium.run(chromium, ["--dump-dom", page.absoluteString], workDirectory: dir)
        XCTAssertTrue(dom.contains("data-js=\"ready\""), "the page's script did not run")
        let body = try XCTUnwrap(dom.components(separatedBy: "<tbody>").last?.components(separatedBy: "</tbody>").first)
        let rows = body.components(separatedBy: "<tr id=\"step-").dropFirst()
            .compactMap { Int($0.prefix { $0.isNumber }) }
        let names = try stepNames()
        XCTAssertGreaterThanOrEqual(names.count, 3, "the fixture should compile to several steps")
        XCTAssertEqual(rows.sorted(), Array(0..<names.count), "one table row per program step")
        for name in names {
            XCTAssertTrue(body.contains(">\(name)</td>"), "no row names step \(name)")
        }
    }

    func testJSONHasOneEntryPerStepWithNonzeroMedians() throws {
        let result = try CLIRunner.run(["profile", "model.efx", "-o", "x.html", "--json", "--runs", "3",
                                        "--threads", "1"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("inputs: synthetic"), "no note (on stderr) that the inputs are synthetic")
        let report = try ProfileReport.decode(json: Data(result.stdout.utf8))
        XCTAssertEqual(report.steps.map(\.name), try stepNames())
        XCTAssertEqual(report.runs, 3)
        XCTAssertEqual(report.threads, 1)
        for step in report.steps {
            XCTAssertGreaterThan(step.medianNanoseconds, 0, "step \(step.name) has a zero median")
        }
        XCTAssertGreaterThan(report.totalMACs, 0, "the conv and matmul steps carry their MACs")
        XCTAssertTrue(report.steps.contains { $0.kernel.contains("onednn") }, "no oneDNN step: \(report.steps)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.html").path))
    }

    func testGivenInputIsUsedAndAMismatchedOneRefused() throws {
        try CLIFixtures.writeNPY(CLIFixtures.ramp([1, 3, 8, 8]), named: "x.npy", in: dir)
        let given = try CLIRunner.run(["profile", "model.efx", "-o", "x.html", "--runs", "1", "--input", "x=x.npy"],
                                      in: dir)
        XCTAssertEqual(given.status, 0, given.stderr)
        XCTAssertFalse(given.stdout.contains("synthetic"), given.stdout)

        try CLIFixtures.writeNPY(CLIFixtures.ramp([1, 8, 8, 3]), named: "nhwc.npy", in: dir)
        let wrong = try CLIRunner.run(["profile", "model.efx", "-o", "y.html", "--input", "x=nhwc.npy"], in: dir)
        XCTAssertEqual(wrong.status, 65, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("input 'x' expects float32[1, 3, 8, 8]"), wrong.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("y.html").path))
    }

    func testArchivesAndOtherFilesAreRefusedByTheirBytes() throws {
        try CLIFixtures.writeArchive(try ExecutableFixtures.convReluMatMul(), named: "model.efa", in: dir)
        // Named .efx, but a zip inside: the bytes decide.
        try FileManager.default.copyItem(at: dir.appendingPathComponent("model.efa"),
                                         to: dir.appendingPathComponent("renamed.efx"))
        for (file, stem) in [("model.efa", "model"), ("renamed.efx", "renamed")] {
            let result = try CLIRunner.run(["profile", file, "-o", "x.html"], in: dir)
            XCTAssertEqual(result.status, 64, result.stderr)
            XCTAssertTrue(result.stderr.contains("\(file) is an Edgeflow archive (.efa), not an executable; "
                + "compile it first: edgeflow compile \(file) -o \(stem).efx"), result.stderr)
        }
        try Data("not a model".utf8).write(to: dir.appendingPathComponent("notes.efx"))
        // Unrecognized bytes go to the executable reader, which says what is wrong (invalid data).
        let text = try CLIRunner.run(["profile", "notes.efx", "-o", "x.html"], in: dir)
        XCTAssertEqual(text.status, 65, text.stderr)
        XCTAssertTrue(text.stderr.contains("notes.efx: not an Edgeflow executable (.efx): it does not start with the "
                                           + ".efx magic bytes"), text.stderr)
        let missing = try CLIRunner.run(["profile", "absent.efx", "-o", "x.html"], in: dir)
        XCTAssertEqual(missing.status, 74, missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.html").path),
                       "a refused run wrote a report")
    }

    func testRunCountsOutOfRangeAreUsageErrors() throws {
        for arguments in [["--runs", "0"], ["--runs", "10001"], ["--warmup", "-1"], ["--threads", "0"]] {
            let result = try CLIRunner.run(["profile", "model.efx", "-o", "x.html"] + arguments, in: dir)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(arguments[0]), "\(arguments): \(result.stderr)")
        }
    }
}

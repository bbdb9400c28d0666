// Numeric options out of their documented ranges are usage errors (64) before any work, and the
// image memory budget refuses a small PNG that declares 13,000 × 13,000 pixels for ocr-det with
// 65 before decoding it (checked under a 600 MB address-space limit).

import EFKernels
import EFTestSupport
import Foundation
import XCTest

final class LimitOptionTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory("edgeflow-cli-limits") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A tiny valid PNG to run preprocess on.
    private func smallPNG() throws -> String {
        let path = directory.appendingPathComponent("small.png")
        try Data(BombFiles.blackPNG(width: 8, height: 6)).write(to: path)
        return path.path
    }

    private func assertUsage(_ arguments: [String], names parts: [String], file: StaticString = #filePath,
                             line: UInt = #line) throws {
        let result = try CLIRunner.run(arguments, in: directory)
        XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderr)", file: file, line: line)
        for part in parts {
            XCTAssertTrue(result.stderr.contains(part), "\(arguments): '\(part)' not in \(result.stderr)",
                          file: file, line: line)
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".npy") }
        XCTAssertEqual(written, [], "no output for \(arguments)", file: file, line: line)
    }

    func testPreprocessNumbersOutOfRange() throws {
        let png = try smallPNG()
        let base = ["preprocess", png, "-o", "x.npy"]
        for size in ["0", "-3", "8193", "\(Int.max)"] {
            try assertUsage(base + ["--size=\(size)"], names: ["--size", "1…8192"])
        }
        for pixels in ["0", "\((1 << 30) + 1)", "\(Int.max)", "\(Int.max - 1)"] {
            try assertUsage(base + ["--max-pixels=\(pixels)"], names: ["--max-pixels", "1…1073741824"])
        }
        for std in ["0,0.5,0.5", "nan,1,1", "inf,1,1", "1e9,1,1", "1,2"] {
            try assertUsage(base + ["--std=\(std)"], names: ["--std", "1e-6…1000"])
        }
        for mean in ["nan,0,0", "-inf,0,0", "1e300,0,0", "a,b,c"] {
            try assertUsage(base + ["--mean=\(mean)"], names: ["--mean", "0…1000"])
        }
        let ok = try CLIRunner.run(base + ["--size", "1", "--recipe", "siglip", "--max-pixels", "\(1 << 30)",
                                           "--std=0.5,-0.5,1e-6", "--mean=-1000,0,1000"], in: directory)
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func testTokenizeRegionsAndThreadRanges() throws {
        for length in ["0", "1", "4097", "\(Int.max)", "-\(Int.max)"] {
            try assertUsage(["tokenize", "a cat", "--context-length=\(length)"],
                            names: ["--context-length", "2…4096"])
        }
        for option in ["--threshold", "--min-score"] {
            for value in ["nan", "inf", "-0.1", "1.5"] {
                try assertUsage(["regions", "map.npy", "\(option)=\(value)"], names: [option, "0…1"])
            }
        }
        for verb in ["infer", "benchmark"] {
            let extra = verb == "infer" ? ["--output-dir", "out"] : []
            for threads in ["0", "-1", "1025", "1000000", "\(Int.max)"] {
                try assertUsage([verb, "model.efa", "--threads=\(threads)"] + extra, names: ["--threads", "1…1024"])
            }
        }
    }

    /// OMP_NUM_THREADS asking for a million threads is capped (4 × the cores, at least 8), not
    /// obeyed: the benchmark of a oneDNN conv runs and reports the capped count.
    func testHugeOMPThreadCountInTheEnvironmentIsCapped() throws {
        try CLIFixtures.writeArchive(BenchmarkCommandTests.convGraph(), named: "conv.efa", in: directory)
        let result = try run("OMP_NUM_THREADS=1000000 exec \"$0\" benchmark conv.efa --iterations 1 --warmup 0 --json")
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let cap = min(1024, max(8, 4 * ProcessInfo.processInfo.activeProcessorCount))
        XCTAssertEqual(object["threads"] as? Int, cap)
    }

    /// The verbs that run models on 2+ threads start libgomp with Edgeflow's spin count (ThreadWaitPolicy:
    /// libgomp's default spin made 2 threads slower than 1 on a shared machine), unless the
    /// environment chose a wait policy. OMP_DISPLAY_ENV makes libgomp print what it read.
    func testModelVerbsStartLibgompWithEdgeflowsSpinCountUnlessTheUserChose() throws {
        try CLIFixtures.writeArchive(BenchmarkCommandTests.convGraph(), named: "conv.efa", in: directory)
        let verb = "benchmark conv.efa --threads 2 --iterations 1 --warmup 0 --json"
        let spinCounts = { (stderr: String) in
            stderr.split(separator: "\n").filter { $0.contains("GOMP_SPINCOUNT =") }.map { String($0) }
        }
        let chosen = try run("unset OMP_WAIT_POLICY GOMP_SPINCOUNT; OMP_DISPLAY_ENV=verbose exec \"$0\" \(verb)")
        XCTAssertEqual(chosen.status, 0, chosen.stderr)
        XCTAssertEqual(spinCounts(chosen.stderr).last?.contains("'\(ThreadWaitPolicy.spinCount)'"), true,
                       chosen.stderr)
        let user = try run("unset OMP_WAIT_POLICY; GOMP_SPINCOUNT=5 OMP_DISPLAY_ENV=verbose exec \"$0\" "
                           + verb)
        XCTAssertEqual(user.status, 0, user.stderr)
        XCTAssertEqual(spinCounts(user.stderr).count, 1, user.stderr)  // no restart
        XCTAssertEqual(spinCounts(user.stderr).first?.contains("'5'"), true, user.stderr)
    }

    /// 0.5 MB declaring 13,000 × 13,000 pixels (under the default pixel limit): ocr-det would need
    /// several GiB, so the command exits 65 naming size, need and budget, without decoding it:
    /// the process runs in a 600 MB address space, less than the decoded image alone would take.
    func testHugePNGThroughOCRDetectionIsRefusedBeforeDecoding() throws {
        let png = directory.appendingPathComponent("huge.png")
        let bytes = BombFiles.blackPNG(width: 13_000, height: 13_000)
        XCTAssertLessThan(bytes.count, 1 << 20)
        try Data(bytes).write(to: png)
        let result = try run("ulimit -v 600000; exec \"$0\" preprocess huge.png --recipe ocr-det -o det.npy")
        XCTAssertEqual(result.status, 65, result.stderr)
        for part in ["13000×13000", "ocr-det", "needs", "over the image memory budget of 2.1 GiB", "--max-pixels",
                     "--size"] {
            XCTAssertTrue(result.stderr.contains(part), "'\(part)' not in \(result.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("det.npy").path))
    }

    /// Runs `script` with /bin/sh in the test directory, `$0` being the edgeflow binary.
    private func run(_ script: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, CLIRunner.binary.path]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()  // small: both fit the pipe buffers
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self),
                String(decoding: data, as: UTF8.self))
    }
}

// `edgeflow compile` → `edgeflow run` on a small conv/relu/matmul archive: run writes the same
// bytes, file names and report fields as `infer` on the archive (same kernels), writes
// nothing when it fails, `inspect` shows the executable's contract and provenance, and
// `--precision bfloat16` is refused or recorded depending on this CPU.

import EFArchive
import EFCLI
import EFCore
import EFIR
import EFTestSupport
import Foundation
import XCTest

final class CompileRunCommandTests: XCTestCase {
    private var directory: URL!

    /// The output name: unsafe as a file name, so both verbs must turn it into the same one.
    private static let outputName = "head/logits:0"

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-cli-compile")
        var graph = try ExecutableFixtures.convReluMatMul()
        let old = try XCTUnwrap(graph.outputs.first)
        for index in graph.nodes.indices {
            graph.nodes[index].outputs = graph.nodes[index].outputs.map { $0 == old ? Self.outputName : $0 }
        }
        graph.types[Self.outputName] = graph.types.removeValue(forKey: old)
        graph.outputs = [Self.outputName]
        try CLIFixtures.writeArchive(graph, named: "net.efa", in: directory)
        let x = Tensor(shape: [1, 3, 8, 8], scalars: deterministicFloats(192, seed: 5))
        try CLIFixtures.writeNPY(x, named: "x.npy", in: directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Runs `edgeflow arguments...` in the test directory, expecting success.
    @discardableResult
    private func succeed(_ arguments: [String], file: StaticString = #filePath,
                         line: UInt = #line) throws -> CLIResult {
        let result = try cli(arguments)
        XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)", file: file, line: line)
        return result
    }

    private func cli(_ arguments: [String]) throws -> CLIResult { try CLIRunner.run(arguments, in: directory) }

    private func contents(of name: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(name).path).sorted()
    }

    private func json(_ result: CLIResult) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
    }

    func testRunWritesWhatInferWritesBitExactly() throws {
        let compiled = try succeed(["compile", "net.efa", "-o", "net.efx"])
        // Paths print as given, relative to the working directory, as run and infer print theirs.
        XCTAssertTrue(compiled.stdout.hasPrefix("net.efa → net.efx ("),
                      compiled.stdout)
        XCTAssertTrue(compiled.stdout.contains("native → fp-optimized → compiled"), compiled.stdout)
        let run = try succeed(["run", "net.efx", "--input", "x=x.npy", "--output-dir", "out"])
        let infer = try succeed(["infer", "net.efa", "--input", "x=x.npy", "--output-dir", "out-infer"])

        XCTAssertEqual(try contents(of: "out"), ["head_logits_0.npy"])
        XCTAssertEqual(try contents(of: "out-infer"), ["head_logits_0.npy"])
        let ran = try Data(contentsOf: directory.appendingPathComponent("out/head_logits_0.npy"))
        let inferred = try Data(contentsOf: directory.appendingPathComponent("out-infer/head_logits_0.npy"))
        XCTAssertEqual(ran, inferred, "run and infer wrote different bytes")
        let tensor = try NPY.read(contentsOf: directory.appendingPathComponent("out/head_logits_0.npy"))
        XCTAssertEqual(tensor.shape, [1, 10])
        XCTAssertTrue(tensor.doubleValues().contains { $0 != 0 }, "the logits are all zero")

        // The same output lines (name, type, statistics, file), then the timing with the engine.
        let runLines = run.stdout.split(separator: "\n").map(String.init)
        let inferLines = infer.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(runLines.dropLast(), inferLines.dropLast().map { $0.replacingOccurrences(of: "→ out-infer/",
                                                                                                   with: "→ out/") })
        XCTAssertTrue(runLines.first?.hasPrefix("\(Self.outputName)  float32[1, 10]  min ") == true, run.stdout)
        XCTAssertTrue(runLines.last?.hasSuffix("(efx engine)") == true, run.stdout)
        XCTAssertTrue(inferLines.last?.hasSuffix("(fast engine)") == true, infer.stdout)
    }

    func testJSONReportHasInfersFields() throws {
        try succeed(["compile", "net.efa", "-o", "net.efx", "--json"])
        let run = try json(try succeed(["run", "net.efx", "--input", "x.npy", "--output-dir", "a", "--json"]))
        let infer = try json(try succeed(["infer", "net.efa", "--input", "x.npy", "--output-dir", "b", "--json"]))
        XCTAssertEqual(run["engine"] as? String, "efx")
        XCTAssertNotNil(run["seconds"] as? Double)
        let runOutputs = try XCTUnwrap(run["outputs"] as? [[String: Any]])
        let inferOutputs = try XCTUnwrap(infer["outputs"] as? [[String: Any]])
        XCTAssertEqual(runOutputs.count, 1)
        XCTAssertEqual(inferOutputs.count, 1)
        for (key, value) in try XCTUnwrap(inferOutputs.first) where key != "file" {
            XCTAssertEqual(runOutputs[0][key] as? NSObject, value as? NSObject, "field \(key) differs")
        }
        XCTAssertEqual(runOutputs[0]["name"] as? String, Self.outputName)
        XCTAssertEqual(runOutputs[0]["file"] as? String, directory.appendingPathComponent("a/head_logits_0.npy").path)
        XCTAssertEqual(inferOutputs[0]["file"] as? String, directory.appendingPathComponent("b/head_logits_0.npy").path)
    }

    func testWrongInputShapeIsRefusedAndNothingIsWritten() throws {
        try succeed(["compile", "net.efa", "-o", "net.efx"])
        try CLIFixtures.writeNPY(CLIFixtures.ramp([1, 3, 4, 4]), named: "small.npy", in: directory)
        let fresh = try cli(["run", "net.efx", "--input", "x=small.npy", "--output-dir", "out"])
        XCTAssertEqual(fresh.status, EdgeflowExitCode.invalidData, fresh.stderr)
        XCTAssertTrue(fresh.stderr.contains("input 'x' expects float32[1, 3, 8, 8] (192 elements, 768 bytes) but "
                                            + "small.npy holds float32[1, 3, 4, 4]"), fresh.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
        XCTAssertEqual(fresh.stdout, "")

        try FileManager.default.createDirectory(at: directory.appendingPathComponent("out"),
                                                withIntermediateDirectories: false)
        let existing = try cli(["run", "net.efx", "--input", "small.npy", "--output-dir", "out"])
        XCTAssertEqual(existing.status, EdgeflowExitCode.invalidData, existing.stderr)
        XCTAssertEqual(try contents(of: "out"), [])
    }

    func testFailureAfterTheInputsWereAcceptedWritesNothing() throws {
        // gather with an index out of range fails inside the program, not in the input check.
        try CLIFixtures.writeArchive(CLIFixtures.gather(), named: "gather.efa", in: directory)
        try succeed(["compile", "gather.efa", "-o", "gather.efx"])
        let bad = Tensor(shape: [2], scalars: [Int64](arrayLiteral: 0, 9))
        try CLIFixtures.writeNPY(bad, named: "bad.npy", in: directory)
        let failed = try cli(["run", "gather.efx", "--input", "bad.npy", "--output-dir", "out"])
        XCTAssertNotEqual(failed.status, 0, failed.stdout)
        XCTAssertTrue(failed.stderr.hasPrefix("error: "), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))

        let good = Tensor(shape: [2], scalars: [Int64](arrayLiteral: 3, 0))
        try CLIFixtures.writeNPY(good, named: "good.npy", in: directory)
        try succeed(["run", "gather.efx", "--input", "good.npy", "--output-dir", "out"])
        let picked = try NPY.read(contentsOf: directory.appendingPathComponent("out/picked.npy"))
        XCTAssertEqual(picked.scalars(as: Float.self), [40, 10])
    }

    func testInspectShowsContractProvenanceAndSections() throws {
        try succeed(["compile", "net.efa", "-o", "net.efx"])
        let text = try succeed(["inspect", "net.efx"]).stdout
        let sha = String(repeating: "c", count: 64)
        for fragment in ["net.efx: Edgeflow executable, format version 1, ", "model 'conv-relu-matmul'",
                         "from a native archive; options: precision=float32",
                         "source model: conv-relu-matmul.onnx (sha256 \(sha))", "needs: any x86-64 CPU",
                         "input x  float32[1, 3, 8, 8]  768 bytes",
                         "output \(Self.outputName)  float32[1, 10]  40 bytes",
                         "recipe: none (inputs are given as tensors)", "sections: META "] {
            XCTAssertTrue(text.contains(fragment), "missing '\(fragment)' in:\n\(text)")
        }

        let object = try json(try succeed(["inspect", "net.efx", "--json"]))
        XCTAssertEqual(object["formatVersion"] as? Int, 1)
        XCTAssertEqual(object["missingCPUFeatures"] as? [String], [])
        XCTAssertNil(object["recipe"])
        let sections = try XCTUnwrap(object["sections"] as? [[String: Any]]).compactMap { $0["kind"] as? String }
        for kind in ["META", "PROG", "WGHT"] { XCTAssertTrue(sections.contains(kind), "\(sections)") }
        let manifest = try XCTUnwrap(object["manifest"] as? [String: Any])
        XCTAssertEqual(manifest["requiredCPUFeatures"] as? [String], [])
        let input = try XCTUnwrap((manifest["inputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(input["name"] as? String, "x")
        XCTAssertEqual(input["dtype"] as? String, "float32")
        XCTAssertEqual(input["shape"] as? [Int], [1, 3, 8, 8])
        XCTAssertEqual(input["layout"] as? String, "any")
        let output = try XCTUnwrap((manifest["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(output["name"] as? String, Self.outputName)
        XCTAssertEqual(output["shape"] as? [Int], [1, 10])
        let provenance = try XCTUnwrap(manifest["provenance"] as? [String: Any])
        XCTAssertEqual(provenance["sourceModel"] as? String, "conv-relu-matmul.onnx")
        XCTAssertEqual(provenance["sourceModelSHA256"] as? String, sha)
        XCTAssertEqual(provenance["archiveStage"] as? String, "native")
        XCTAssertEqual(provenance["compileOptions"] as? [String: String], ["precision": "float32"])
    }

    func testInspectOfAnArchiveWithoutSourceModelOmitsIt() throws {
        let graph = CLIFixtures.singleInput()
        try EdgeflowArchive.write(graph: graph, metadata: ArchiveMetadata(describing: graph, sourceModel: nil),
                                  to: directory.appendingPathComponent("plain.efa"))
        try succeed(["compile", "plain.efa", "-o", "plain.efx"])
        let text = try succeed(["inspect", "plain.efx"]).stdout
        XCTAssertFalse(text.contains("source model:"), text)
        let provenance = try XCTUnwrap((try json(try succeed(["inspect", "plain.efx", "--json"]))["manifest"]
            as? [String: Any])?["provenance"] as? [String: Any])
        XCTAssertNil(provenance["sourceModel"])
        XCTAssertNil(provenance["sourceModelSHA256"])
    }

    /// Each machine asserts its own branch: with avx512_bf16 the executable records the feature
    /// and inspect lists it; without AVX-512 compile refuses (exit 69, with a hint); with AVX-512
    /// but no avx512_bf16 (oneDNN may still have bf16 kernels) it must refuse or run here.
    func testBFloat16PrecisionFollowsThisCPU() throws {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = CPUFeatures(cpuinfo: cpuinfo).flags
        let result = try cli(["compile", "net.efa", "-o", "bf16.efx", "--precision", "bfloat16"])
        let written = FileManager.default.fileExists(atPath: directory.appendingPathComponent("bf16.efx").path)
        if flags.contains("avx512_bf16") {
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("needs CPU features: avx512_bf16"), result.stdout)
            let text = try succeed(["inspect", "bf16.efx"]).stdout
            XCTAssertTrue(text.contains("needs: avx512_bf16\n"), text)
            XCTAssertTrue(text.contains("options: precision=bfloat16"), text)
            try succeed(["run", "bf16.efx", "--input", "x.npy", "--output-dir", "out"])
        } else if !flags.contains("avx512f") {
            XCTAssertEqual(result.status, EdgeflowExitCode.unsupported, result.stderr + result.stdout)
            XCTAssertTrue(result.stderr.contains("this CPU has no bfloat16 kernels"), result.stderr)
            XCTAssertTrue(result.stderr.contains("\n  hint: use --precision float32"), result.stderr)
            XCTAssertFalse(written, "an executable was written although compile failed")
        } else if result.status == 0 {
            try succeed(["run", "bf16.efx", "--input", "x.npy", "--output-dir", "out"])
        } else {
            XCTAssertEqual(result.status, EdgeflowExitCode.unsupported, result.stderr)
        }
        let bad = try cli(["compile", "net.efa", "-o", "y.efx", "--precision", "float16"])
        XCTAssertEqual(bad.status, EdgeflowExitCode.usage, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--precision must be one of float32, bfloat16"), bad.stderr)
    }
}

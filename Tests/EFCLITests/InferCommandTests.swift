// `edgeflow infer` over hand-built archives: outputs written as .npy, --json, and every kind
// of input mistake (seed 002: dtype, byte size, layout, batch, raw bytes, names) reported
// with what was expected and given, exit 65, and no output files.

import EFArchive
import EFCLI
import EFCore
import EFTestSupport
import Foundation
import XCTest

final class InferCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-cli")
        try CLIFixtures.writeArchive(CLIFixtures.passThrough(), named: "two.efa", in: directory)
        try CLIFixtures.writeArchive(CLIFixtures.singleInput(), named: "one.efa", in: directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private var outputDirectory: URL { directory.appendingPathComponent("out") }

    /// Runs infer expecting failure with exit 65 and no output directory.
    private func expectInputError(_ arguments: [String], mentions fragments: [String],
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try CLIRunner.run(["infer"] + arguments + ["--output-dir", "out"], in: directory)
        XCTAssertEqual(result.status, EdgeflowExitCode.invalidData, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr, file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(result.stderr.contains(fragment), "missing '\(fragment)' in: \(result.stderr)", file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outputDirectory.path), "outputs written on failure", file: file, line: line)
    }

    func testWritesEachOutputAsNPY() throws {
        let images = CLIFixtures.ramp([1, 3, 8, 8])
        try CLIFixtures.writeNPY(images, named: "images.npy", in: directory)
        try CLIFixtures.writeNPY(Tensor(shape: [2], scalars: [UInt8](arrayLiteral: 7, 9)), named: "s.npy", in: directory)
        let result = try CLIRunner.run(["infer", "two.efa", "--input", "images=images.npy", "--input", "scale=s.npy",
                                        "--output-dir", "out"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("images  float32[1, 3, 8, 8]  min 0  max 191  mean 95.5  → out/images.npy"), result.stdout)
        XCTAssertTrue(result.stdout.contains("scale   uint8[2]  min 7  max 9  mean 8  → out/scale.npy"), result.stdout)
        let written = try NPY.read(contentsOf: outputDirectory.appendingPathComponent("images.npy"))
        XCTAssertTrue(written.isBitwiseEqual(to: images))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outputDirectory.path).sorted(), ["images.npy", "scale.npy"])
    }

    func testJSONReportParses() throws {
        try CLIFixtures.writeNPY(CLIFixtures.ramp([1, 3, 4, 4]), named: "x.npy", in: directory)
        // One input: FILE without NAME= is accepted.
        let result = try CLIRunner.run(["infer", "one.efa", "--input", "x.npy", "--output-dir", "out", "--json"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertNotNil(object["seconds"] as? Double)
        let outputs = try XCTUnwrap(object["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.count, 1)
        XCTAssertEqual(outputs[0]["name"] as? String, "x")
        XCTAssertEqual(outputs[0]["dtype"] as? String, "float32")
        XCTAssertEqual(outputs[0]["shape"] as? [Int], [1, 3, 4, 4])
        XCTAssertEqual(outputs[0]["file"] as? String, outputDirectory.appendingPathComponent("x.npy").path)
    }

    func testFloat64WhereFloat32IsExpected() throws {
        let doubles = Tensor(shape: [1, 3, 4, 4], scalars: (0..<48).map { Double($0) })
        try CLIFixtures.writeNPY(doubles, named: "x.npy", in: directory)
        try expectInputError(["one.efa", "--input", "x=x.npy"], mentions: [
            "input 'x' expects float32[1, 3, 4, 4] (48 elements, 192 bytes) but x.npy holds float64[1, 3, 4, 4] (48 elements, 384 bytes)",
            "hint: numpy makes float64 arrays by default: cast with a.astype(numpy.float32)",
        ])
    }

    func testUInt8PixelsWhereFloatIsExpected() throws {
        try CLIFixtures.writeNPY(Tensor(zeros: .uint8, shape: [1, 3, 4, 4]), named: "x.npy", in: directory)
        try expectInputError(["one.efa", "--input", "x.npy"], mentions: ["uint8[1, 3, 4, 4] (48 elements, 48 bytes)", "not uint8 pixels"])
    }

    func testLayoutAndBatchMistakesAreNamed() throws {
        let cases: [([Int], String)] = [
            ([1, 4, 4, 3], "NHWC given, the model expects NCHW): use a.transpose(0, 3, 1, 2)"),
            ([3, 4, 4], "the batch dimension is missing: use a[numpy.newaxis]"),
            ([4, 4, 3], "use a.transpose(2, 0, 1)[numpy.newaxis]"),
            ([2, 3, 4, 4], "parsed for batch size 1"),
            ([1, 48], "a.reshape(1, 3, 4, 4)"),
            ([1, 3, 5, 5], "shape is fixed at [1, 3, 4, 4]"),
        ]
        for (shape, fragment) in cases {
            try CLIFixtures.writeNPY(CLIFixtures.ramp(shape), named: "x.npy", in: directory)
            try expectInputError(["one.efa", "--input", "x=x.npy"], mentions: [fragment, "(48 elements, 192 bytes)"])
        }
    }

    func testRawBytesInsteadOfNPYAreRecognizedBySize() throws {
        // 48 float64 values as raw bytes: 384 bytes where 192 are expected (seed 002's mistake).
        try Data(count: 384).write(to: directory.appendingPathComponent("x.bin"))
        try expectInputError(["one.efa", "--input", "x.bin"], mentions: [
            "x.bin is not a .npy file (384 bytes); input 'x' expects float32[1, 3, 4, 4] (48 elements, 192 bytes)",
            "48 elements × 8 bytes, as if it held float64 or int64",
        ])
    }

    func testMissingUnknownAndRepeatedInputsListTheModelInputs() throws {
        try CLIFixtures.writeNPY(CLIFixtures.ramp([1, 3, 8, 8]), named: "images.npy", in: directory)
        let listing = "the model's inputs are: images float32[1, 3, 8, 8] (768 bytes), scale uint8[2] (2 bytes)"
        try expectInputError(["two.efa", "--input", "images=images.npy"], mentions: ["no data given for input 'scale'", listing])
        try expectInputError(["two.efa", "--input", "images=images.npy", "--input", "bogus=images.npy"],
                             mentions: ["the model has no input 'bogus'", listing])
        try expectInputError(["two.efa", "--input", "images=images.npy", "--input", "images=images.npy"],
                             mentions: ["input 'images' is given more than once"])
        let unnamed = try CLIRunner.run(["infer", "two.efa", "--input", "images.npy", "--output-dir", "out"], in: directory)
        XCTAssertEqual(unnamed.status, EdgeflowExitCode.usage, unnamed.stderr)
        XCTAssertTrue(unnamed.stderr.contains("does not say which input it is for"), unnamed.stderr)
    }

    func testFailedInferenceWritesNothing() throws {
        try CLIFixtures.writeArchive(CLIFixtures.gather(), named: "gather.efa", in: directory)
        try CLIFixtures.writeNPY(Tensor(shape: [2], scalars: [Int64](arrayLiteral: 3, -4)), named: "good.npy", in: directory)
        let good = try CLIRunner.run(["infer", "gather.efa", "--input", "good.npy", "--output-dir", "out"], in: directory)
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertEqual(try NPY.read(contentsOf: outputDirectory.appendingPathComponent("picked.npy")).scalars(as: Float.self), [40, 10])
        try FileManager.default.removeItem(at: outputDirectory)

        try CLIFixtures.writeNPY(Tensor(shape: [2], scalars: [Int64](arrayLiteral: 0, 9)), named: "bad.npy", in: directory)
        try expectInputError(["gather.efa", "--input", "idx=bad.npy"], mentions: ["node 'pick' (gather)"])

        // An existing output directory keeps its old files when inference fails.
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: outputDirectory.appendingPathComponent("picked.npy"))
        let failed = try CLIRunner.run(["infer", "gather.efa", "--input", "bad.npy", "--output-dir", "out"], in: directory)
        XCTAssertEqual(failed.status, EdgeflowExitCode.invalidData, failed.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outputDirectory.path), ["picked.npy"])
        XCTAssertEqual(try Data(contentsOf: outputDirectory.appendingPathComponent("picked.npy")), Data("old".utf8))
    }

    func testUnreadableInputAndUnusableOutputDirectoryAreIOErrors() throws {
        let missing = try CLIRunner.run(["infer", "one.efa", "--input", "absent.npy", "--output-dir", "out"], in: directory)
        XCTAssertEqual(missing.status, EdgeflowExitCode.io, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("absent.npy"), missing.stderr)

        try CLIFixtures.writeNPY(CLIFixtures.ramp([1, 3, 4, 4]), named: "x.npy", in: directory)
        try Data().write(to: directory.appendingPathComponent("file"))
        let intoFile = try CLIRunner.run(["infer", "one.efa", "--input", "x.npy", "--output-dir", "file"], in: directory)
        XCTAssertEqual(intoFile.status, EdgeflowExitCode.io, intoFile.stderr)
    }
}

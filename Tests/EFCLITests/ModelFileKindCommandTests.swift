// Each verb given the wrong kind of model file, recognized by its bytes whatever its name:
// run on an archive says to compile it, infer and compile on an executable say to run it,
// an ONNX or TFLite model is to be parsed first (a TFLite model whatever its name, and without
// the ONNX-only options), and a real Hailo HEF is refused by run (exit 69)
// with its streams shown.

import EFCLI
import EFTestSupport
import Foundation
import XCTest

final class ModelFileKindCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try TestData.temporaryDirectory("edgeflow-cli-kinds")
        try CLIFixtures.writeArchive(CLIFixtures.singleInput(), named: "one.efa", in: directory)
        try ExecutableFixtures.writeExecutable(try ExecutableFixtures.convReluMatMul(), named: "net.efx", in: directory)
        try CLIFixtures.writeNPY(CLIFixtures.ramp([1, 3, 4, 4]), named: "x.npy", in: directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Runs `edgeflow arguments...` expecting `status`, every fragment on stderr, nothing on
    /// stdout and no `out` directory or `made.efx`.
    private func expectRefusal(_ arguments: [String], status: Int32, mentions fragments: [String],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try CLIRunner.run(arguments, in: directory)
        XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(result.stderr.contains(fragment), "missing '\(fragment)' in: \(result.stderr)",
                          file: file, line: line)
        }
        for name in ["out", "made.efx"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path),
                           "\(name) was written", file: file, line: line)
        }
    }

    private func copy(_ source: URL, as name: String) throws {
        try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent(name))
    }

    func testRunOnAnArchiveSaysCompileItFirst() throws {
        try expectRefusal(["run", "one.efa", "--input", "x.npy", "--output-dir", "out"], status: EdgeflowExitCode.usage,
                          mentions: ["one.efa is an Edgeflow archive (.efa), not an executable; compile it first: "
                                     + "edgeflow compile one.efa -o one.efx", "hint: then: edgeflow run one.efx"])
    }

    func testInferAndCompileOnAnExecutableSayRunIt() throws {
        try expectRefusal(["infer", "net.efx", "--input", "x.npy", "--output-dir", "out"],
                          status: EdgeflowExitCode.usage,
                          mentions: ["net.efx is an Edgeflow executable (.efx), already compiled; run it with: "
                                     + "edgeflow run net.efx", "`edgeflow infer` takes the archive (.efa)"])
        try expectRefusal(["compile", "net.efx", "-o", "made.efx"], status: EdgeflowExitCode.usage,
                          mentions: ["already compiled; run it with: edgeflow run net.efx",
                                     "`edgeflow compile` takes the archive (.efa)"])
    }

    func testONNXModelSaysParseItFirst() throws {
        let onnx = try XCTUnwrap(TestData.fetchedFile("onnx-backend/node/test_relu/model.onnx"),
                                 ".testdata/onnx-backend is missing: run scripts/setup.sh")
        try copy(onnx, as: "relu.onnx")
        try expectRefusal(["run", "relu.onnx", "--input", "x.npy", "--output-dir", "out"],
                          status: EdgeflowExitCode.usage,
                          mentions: ["relu.onnx is an ONNX model; parse it first: edgeflow parse relu.onnx "
                                     + "-o relu.efa, then edgeflow compile relu.efa -o relu.efx",
                                     "`edgeflow run` takes an Edgeflow executable (.efx)"])
        try expectRefusal(["compile", "relu.onnx", "-o", "made.efx"], status: EdgeflowExitCode.usage,
                          mentions: ["relu.onnx is an ONNX model; parse it first: edgeflow parse relu.onnx -o relu.efa",
                                     "`edgeflow compile` takes an Edgeflow archive (.efa)"])
    }

    func testTFLiteModelSaysParseItFirstAndParsesWhateverItsName() throws {
        try copy(TestData.goldens.appendingPathComponent("tflite_ops/pools.tflite"), as: "pools.bin")
        try expectRefusal(["run", "pools.bin", "--input", "x.npy", "--output-dir", "out"],
                          status: EdgeflowExitCode.usage,
                          mentions: ["pools.bin is a TFLite model; parse it first: "
                                     + "edgeflow parse pools.bin -o pools.efa"])
        try expectRefusal(["parse", "pools.bin", "-o", "made.efx", "--input-value", "x=1"],
                          status: EdgeflowExitCode.usage, mentions: ["apply to ONNX models"])
        // The file fixes every dimension (no shape signature −1): its inputs cannot change.
        try expectRefusal(["parse", "pools.bin", "-o", "made.efx", "--input-shape", "x=2,7,7,5"],
                          status: EdgeflowExitCode.usage, mentions: ["only the −1 dimensions may change"])
        let parsed = try CLIRunner.run(["parse", "pools.bin", "-o", "pools.efa"], in: directory)
        XCTAssertEqual(parsed.status, 0, parsed.stderr)
        XCTAssertTrue(parsed.stdout.contains("float32[1, 7, 7, 5]"), parsed.stdout)
    }

    /// --state-io (resource variables as inputs and outputs) is a TFLite option.
    func testStateIOAppliesToTFLiteModelsOnly() throws {
        try copy(TestData.goldens.appendingPathComponent("models/bert-small.onnx"), as: "bert.onnx")
        try expectRefusal(["parse", "bert.onnx", "--state-io", "-o", "made.efx"], status: EdgeflowExitCode.usage,
                          mentions: ["--state-io applies to TFLite models; bert.onnx is an ONNX model"])
    }

    func testRunOnAHailoExecutableIsUnsupportedAndShowsTheStreams() throws {
        let hef = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EFHailoTests/Fixtures/mnist_cnn_v0.hef")
        try copy(hef, as: "mnist.hef")
        try expectRefusal(["run", "mnist.hef", "--input", "x.npy", "--output-dir", "out"],
                          status: EdgeflowExitCode.unsupported,
                          mentions: ["this is a Hailo executable (HEF); it runs on a Hailo device with HailoRT",
                                     "compile its ONNX source with `edgeflow parse` and `edgeflow compile`",
                                     "Input  MNIST_CNN/input_layer1 UINT8, NHWC(32x32x1)",
                                     "Output MNIST_CNN/maxpool3 UINT8, FCR(4x4x16)"])
        try expectRefusal(["compile", "mnist.hef", "-o", "made.efx"], status: EdgeflowExitCode.usage,
                          mentions: ["is a Hailo executable (HEF); it runs on a Hailo device"])
    }

    func testKindsAreRecognizedByBytesNotNames() throws {
        // An archive named like an executable, and an executable named like an archive.
        try copy(directory.appendingPathComponent("one.efa"), as: "x.efx")
        try copy(directory.appendingPathComponent("net.efx"), as: "y.efa")
        try expectRefusal(["run", "x.efx", "--input", "x.npy", "--output-dir", "out"], status: EdgeflowExitCode.usage,
                          mentions: ["x.efx is an Edgeflow archive (.efa), not an executable; compile it first"])
        try expectRefusal(["infer", "y.efa", "--input", "x.npy", "--output-dir", "out"], status: EdgeflowExitCode.usage,
                          mentions: ["y.efa is an Edgeflow executable (.efx), already compiled"])

        // The renamed archive still compiles and infers; the renamed executable still runs.
        let compiled = try CLIRunner.run(["compile", "x.efx", "-o", "made.efx"], in: directory)
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        let inferred = try CLIRunner.run(["infer", "x.efx", "--input", "x.npy", "--output-dir", "a"], in: directory)
        XCTAssertEqual(inferred.status, 0, inferred.stderr)
        try CLIFixtures.writeNPY(CLIFixtures.ramp([1, 3, 8, 8]), named: "big.npy", in: directory)
        let ran = try CLIRunner.run(["run", "y.efa", "--input", "big.npy", "--output-dir", "b"], in: directory)
        XCTAssertEqual(ran.status, 0, ran.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("b").path)
            .count, 1)
    }

    func testTextFileNamedLikeAnExecutableGoesToTheReader() throws {
        try Data("just some notes\n".utf8).write(to: directory.appendingPathComponent("notes.efx"))
        let result = try CLIRunner.run(["run", "notes.efx", "--input", "x.npy", "--output-dir", "out"], in: directory)
        XCTAssertEqual(result.status, EdgeflowExitCode.invalidData, result.stderr)
        XCTAssertTrue(result.stderr.contains("notes.efx: not an Edgeflow executable (.efx): it does not start with "
                                             + "the .efx magic bytes"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
    }
}

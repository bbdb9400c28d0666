// Runs a golden case: parse the ONNX or TFLite model (told apart by its bytes), write and re-read
// it as an .efa archive, run the re-read graph with the interpreter (reference kernels) and
// through the deploy path (optimized, compiled, written as an .efx, loaded and run by
// EdgeflowRuntime), and compare every output of both with the reference runtime's
// (onnxruntime's, or LiteRT's for TFLite models).

import EFArchive
import EFCompiler
import EFCore
import EFInterpreter
import EFIR
import EFONNX
import EFRuntime
import EFTFLite
import EFTestSupport
import Foundation
import XCTest

enum GoldenRunner {
    struct Outcome {
        var graph: Graph
        var outputs: [String: Tensor]
        /// Worst absolute difference per output (reference kernels).
        var differences: [String: Double]
        /// Worst absolute difference per output (compiled executable).
        var fastDifferences: [String: Double]
    }

    /// `check` of the case named `name` in the optimized build; skipped in debug builds, where
    /// model-sized runs take minutes.
    @discardableResult
    static func checkModelSized(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        try XCTSkipUnless(TestData.isOptimizedBuild, "model-sized test: runs in the optimized build")
        return try check(GoldenCase.load(name), file: file, line: line)
    }

    /// Runs `golden` and asserts every output is within its tolerance.
    /// Fails (not skips) when the model is missing, naming the setup step.
    @discardableResult
    static func check(_ golden: GoldenCase, file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        let modelURL = golden.modelURL
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            XCTFail("\(golden.model) is missing: run scripts/setup.sh", file: file, line: line)
            throw EdgeflowError(.io, "missing \(golden.model)")
        }
        let sha = try SHA256.hex(ofFileAt: modelURL)
        XCTAssertEqual(sha, golden.model_sha256,
                       "\(golden.model) differs from the model the goldens were made with: "
                           + "rerun scripts/setup.sh (or tools/goldens)",
                       file: file, line: line)

        let given = try golden.inputTensors()
        // Inputs that decide the graph (an If's condition) are frozen to the case's values when needed.
        let parsed = try FileKind.detect(url: modelURL) == .tflite
            ? try importTFLite(modelURL, given)
            : try ONNXImporter.importModel(at: modelURL, options: ImportOptions(
                inputShapes: given.mapValues { $0.shape }, freezableInputs: given))
        let graph = try roundTripThroughArchive(parsed, source: modelURL)
        let inputs = given.filter { graph.inputs.contains($0.key) }
        let outputs = try Interpreter(graph: graph).run(inputs)
        let differences = try compare(outputs, golden, engine: "reference", file: file, line: line)
        let fastOutputs = try FastPath.run(graph, inputs)
        let fastDifferences = try compare(fastOutputs, golden, engine: "efx", file: file, line: line)
        return Outcome(graph: graph, outputs: outputs, differences: differences, fastDifferences: fastDifferences)
    }

    /// A TFLite model imported with the case's input shapes where they differ from the declared ones
    /// (placeholder dimensions the file's shape signature leaves open, as `--input-shape`).
    private static func importTFLite(_ url: URL, _ given: [String: Tensor]) throws -> Graph {
        let bytes = Array(try Data(contentsOf: url))
        let main = try TFLiteModel(buffer: FlatBuffer(bytes: bytes)).subgraphs[0]
        let declared = Dictionary(main.inputs.map { (main.tensors[$0].name, main.tensors[$0].shape) }) { a, _ in a }
        let resized = given.filter { name, value in declared[name].map { $0 != value.shape } ?? false }
        return try TFLiteImporter.importModel(bytes: bytes, name: url.deletingPathExtension().lastPathComponent,
                                              inputShapes: resized.mapValues(\.shape))
    }

    /// Compares `outputs` with the golden's reference outputs; returns the worst difference per output.
    private static func compare(_ outputs: [String: Tensor], _ golden: GoldenCase, engine: String,
                                file: StaticString, line: UInt) throws -> [String: Double] {
        var differences: [String: Double] = [:]
        for (name, reference) in try golden.referenceOutputs() {
            guard let actual = outputs[name] else {
                XCTFail("\(golden.case) [\(engine)]: no output '\(name)'; outputs are \(outputs.keys.sorted())",
                        file: file, line: line)
                continue
            }
            let label = "\(golden.case) [\(engine)] \(name)"
            XCTAssertEqual(actual.shape, reference.tensor.shape, "\(label) shape", file: file, line: line)
            XCTAssertEqual(actual.dtype, reference.tensor.dtype, "\(label) dtype", file: file, line: line)
            let difference = goldenDifference(actual, reference.tensor, floor: reference.floor)
            differences[name] = difference
            let allowed = golden.allowedDifference(reference.tensor)
            XCTAssertLessThanOrEqual(difference, allowed,
                                     "\(golden.case) [\(engine)] \(name): max abs diff \(difference) > \(allowed)",
                                     file: file, line: line)
        }
        print("golden \(golden.case) [\(engine)]: " + differences.keys.sorted()
            .map { "\($0) max abs diff \(String(format: "%.3g", differences[$0]!))" }.joined(separator: ", "))
        return differences
    }

    /// Writes the graph as an .efa archive in a temporary directory and reads it back, so every
    /// model test also proves the archive is lossless.
    static func roundTripThroughArchive(_ graph: Graph, source: URL) throws -> Graph {
        let directory = try TestData.temporaryDirectory("edgeflow-model-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.efa")
        let metadata = try ArchiveMetadata(describing: graph, sourceModel: try SourceModel(describing: source))
        try EdgeflowArchive.write(graph: graph, metadata: metadata, to: url)
        return try EdgeflowArchive.read(from: url).graph
    }
}

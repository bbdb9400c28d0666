// A committed golden case (Tests/Goldens/<case>/golden.json, made by tools/goldens/ with
// onnxruntime): which model, which inputs, which reference outputs, which tolerance.

import EFCore
import EFTestSupport
import Foundation

/// One golden case as written by tools/goldens/*.py.
struct GoldenCase: Decodable {
    struct SparseOutput: Decodable {
        var shape: [Int]
        var indices: String
        var values: String
        /// Every reference entry not listed is below this value.
        var floor: Double
    }

    var `case`: String
    /// Model path relative to the repository root.
    var model: String
    var model_sha256: String
    /// True when the model comes from scripts/setup.sh (fetched or generated) rather than the repo.
    var needs_setup: Bool
    var inputs: [String: String]
    var outputs: [String: String]
    var sparse_outputs: [String: SparseOutput]?
    var tolerance: Double
    /// Recognized strings per batch row (PP-OCR recognition only).
    var texts: [String]?

    static func load(_ name: String) throws -> GoldenCase {
        let url = TestData.goldens.appendingPathComponent(name).appendingPathComponent("golden.json")
        return try JSONDecoder().decode(GoldenCase.self, from: Data(contentsOf: url))
    }

    func file(_ relativePath: String) -> URL {
        if relativePath.hasPrefix(".testdata/") {
            return TestData.fetched.appendingPathComponent(String(relativePath.dropFirst(".testdata/".count)))
        }
        return TestData.repoRoot.appendingPathComponent(relativePath)
    }

    var modelURL: URL { file(model) }

    func inputTensors() throws -> [String: Tensor] {
        try inputs.mapValues { try NPY.read(contentsOf: file($0)) }
    }

    /// Every reference output as a dense tensor (sparse ones expanded, unlisted entries 0),
    /// with the floor below which unlisted entries lie (0 for dense outputs: exact comparison).
    func referenceOutputs() throws -> [String: (tensor: Tensor, floor: Double?)] {
        var result: [String: (tensor: Tensor, floor: Double?)] = [:]
        for (name, path) in outputs { result[name] = (try NPY.read(contentsOf: file(path)), nil) }
        for (name, sparse) in sparse_outputs ?? [:] {
            let indices = try NPY.read(contentsOf: file(sparse.indices)).intValues()
            let values = try NPY.read(contentsOf: file(sparse.values)).doubleValues()
            var dense = [Float](repeating: 0, count: sparse.shape.elementCount)
            for (index, value) in zip(indices, values) { dense[index] = Float(value) }
            result[name] = (Tensor(shape: sparse.shape, scalars: dense), sparse.floor)
        }
        return result
    }
}

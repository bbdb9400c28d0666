// A committed golden case (Tests/Goldens/<case>/golden.json, made by tools/goldens/ with
// onnxruntime): which model, which inputs, which reference outputs, which tolerance.

import EFCore
import Foundation

/// One golden case as written by tools/goldens/*.py.
public struct GoldenCase: Decodable {
    public struct SparseOutput: Decodable {
        public var shape: [Int]
        public var indices: String
        public var values: String
        /// Every reference entry not listed is below this value.
        public var floor: Double
    }

    public var `case`: String
    /// Model path relative to the repository root.
    public var model: String
    public var model_sha256: String
    /// True when the model comes from scripts/setup.sh (fetched or generated) rather than the repo.
    public var needs_setup: Bool
    public var inputs: [String: String]
    public var outputs: [String: String]
    public var sparse_outputs: [String: SparseOutput]?
    public var tolerance: Double
    /// `max_abs` (nil too): |actual − expected| ≤ tolerance; `max_abs_scaled`: ≤ tolerance ×
    /// max(1, max |expected|) of each output (float32 outputs in the hundreds, whose ulp alone
    /// is ~1e-5, as TFLite detectors' box regressors are).
    public var tolerance_kind: String?

    /// The allowed max abs difference for an output whose reference is `reference`.
    public func allowedDifference(_ reference: Tensor) -> Double {
        guard tolerance_kind == "max_abs_scaled" else { return tolerance }
        return tolerance * max(1, reference.doubleValues().reduce(0) { max($0, abs($1)) })
    }
    /// Recognized strings per batch row (PP-OCR recognition only).
    public var texts: [String]?

    public static func load(_ name: String) throws -> GoldenCase {
        let url = TestData.goldens.appendingPathComponent(name).appendingPathComponent("golden.json")
        return try JSONDecoder().decode(GoldenCase.self, from: Data(contentsOf: url))
    }

    public func file(_ relativePath: String) -> URL {
        if relativePath.hasPrefix(".testdata/") {
            return TestData.fetched.appendingPathComponent(String(relativePath.dropFirst(".testdata/".count)))
        }
        return TestData.repoRoot.appendingPathComponent(relativePath)
    }

    public var modelURL: URL { file(model) }

    public func inputTensors() throws -> [String: Tensor] {
        try inputs.mapValues { try NPY.read(contentsOf: file($0)) }
    }

    /// Every reference output as a dense tensor (sparse ones expanded, unlisted entries 0),
    /// with the floor below which unlisted entries lie (0 for dense outputs: exact comparison).
    public func referenceOutputs() throws -> [String: (tensor: Tensor, floor: Double?)] {
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

/// Max abs difference of `actual` from a golden reference output. With a floor (sparse
/// goldens), a reference zero stands for "below floor": there the actual value only has to stay
/// below the floor, and what exceeds it counts. NaN counts as infinitely far.
public func goldenDifference(_ actual: Tensor, _ reference: Tensor, floor: Double?) -> Double {
    guard let floor else { return maxAbsDifference(actual, reference) }
    var worst = 0.0
    for (x, y) in zip(actual.doubleValues(), reference.doubleValues()) {
        let difference = y == 0 ? max(0, abs(x) - floor) : abs(x - y)
        worst = max(worst, difference.isNaN ? .infinity : difference)
    }
    return worst
}

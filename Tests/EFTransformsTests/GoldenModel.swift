// Reads a committed golden case (Tests/Goldens/<case>/golden.json: model, inputs, onnxruntime
// outputs, tolerance) and checks an optimized graph against it.

import EFCore
import EFIR
import EFInterpreter
import EFONNX
import EFTestSupport
import EFTransforms
import Foundation
import XCTest

/// "conv 62, unary/relu 3, ..." — the node kinds of a graph, most frequent first.
func opHistogram(_ graph: Graph) -> String {
    var counts: [String: Int] = [:]
    for node in graph.nodes {
        let fn = node.attributes.string("fn").map { "/" + $0 } ?? ""
        let fused = node.attributes.string("activation").map { "+" + $0 } ?? ""
        counts[node.op.rawValue + fn + fused, default: 0] += 1
    }
    return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }
        .joined(separator: ", ")
}

struct GoldenModel: Decodable {
    struct Sparse: Decodable {
        var shape: [Int]
        var indices: String
        var values: String
        /// Every unlisted reference entry is below this magnitude.
        var floor: Double
    }

    var `case`: String
    var model: String
    var inputs: [String: String]
    var outputs: [String: String]
    var sparse_outputs: [String: Sparse]?
    var tolerance: Double

    static func load(_ name: String) throws -> GoldenModel {
        let url = TestData.goldens.appendingPathComponent(name).appendingPathComponent("golden.json")
        return try JSONDecoder().decode(GoldenModel.self, from: Data(contentsOf: url))
    }

    /// A repository path, or a `.testdata/` path resolved through `TestData.fetched`.
    func url(_ path: String) -> URL {
        path.hasPrefix(".testdata/") ? TestData.fetched.appendingPathComponent(String(path.dropFirst(10)))
            : TestData.repoRoot.appendingPathComponent(path)
    }

    /// Skips (with the reason) when setup has not fetched the model or an input.
    func skipUnlessPresent() throws {
        for path in [model] + Array(inputs.values) where !FileManager.default.fileExists(atPath: url(path).path) {
            throw XCTSkip("\(path) is absent: scripts/setup.sh fetches or generates it")
        }
    }

    /// Imports the model with the golden inputs' shapes and optimizes it (no run).
    func optimizeOnly() throws -> (report: OptimizationReport, graph: Graph) {
        try skipUnlessPresent()
        let shapes = try inputs.mapValues { try NPY.read(contentsOf: url($0)).shape }
        let imported = try ONNXImporter.importModel(at: url(model), options: ImportOptions(inputShapes: shapes))
        let (optimized, report) = try FloatOptimizer.optimize(imported)
        print("fp-optimized \(self.case) (structure only):\n"
            + report.description.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
            + "\n  remaining: " + opHistogram(optimized))
        return (report, optimized)
    }

    /// Imports the model, optimizes it, runs the optimized graph and asserts every output is
    /// within the golden tolerance of onnxruntime's. Returns the report and the worst difference.
    func checkOptimized(file: StaticString = #filePath, line: UInt = #line) throws
        -> (report: OptimizationReport, graph: Graph, worst: Double) {
        try skipUnlessPresent()
        let tensors = try inputs.mapValues { try NPY.read(contentsOf: url($0)) }
        let imported = try ONNXImporter.importModel(at: url(model),
                                                    options: ImportOptions(inputShapes: tensors.mapValues(\.shape)))
        let (optimized, report) = try FloatOptimizer.optimize(imported)
        let results = try Interpreter(graph: optimized).run(tensors)
        var worst = 0.0
        for (name, path) in outputs {
            let reference = try NPY.read(contentsOf: url(path))
            let actual = try XCTUnwrap(results[name], "\(self.case): no output \(name)", file: file, line: line)
            XCTAssertEqual(actual.shape, reference.shape, file: file, line: line)
            worst = max(worst, maxAbsDifference(actual, reference))
        }
        for (name, sparse) in sparse_outputs ?? [:] {
            let actual = try XCTUnwrap(results[name], file: file, line: line).doubleValues()
            let indices = try NPY.read(contentsOf: url(sparse.indices)).intValues()
            let values = try NPY.read(contentsOf: url(sparse.values)).doubleValues()
            var listed = [Double?](repeating: nil, count: actual.count)
            for (index, value) in zip(indices, values) where index < listed.count { listed[index] = value }
            for (value, reference) in zip(actual, listed) {
                let difference = reference.map { abs(value - $0) } ?? max(0, abs(value) - sparse.floor)
                worst = max(worst, difference.isNaN ? .infinity : difference)
            }
        }
        XCTAssertLessThanOrEqual(worst, tolerance, "\(self.case): optimized graph vs onnxruntime", file: file, line: line)
        print("fp-optimized \(self.case): max abs diff \(String(format: "%.3g", worst)) (tolerance \(tolerance))\n"
            + report.description.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        return (report, optimized, worst)
    }
}

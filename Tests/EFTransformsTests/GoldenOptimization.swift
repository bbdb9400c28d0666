// Checks the optimized graph of a committed golden case (EFTestSupport.GoldenCase) against
// onnxruntime's outputs.

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

extension GoldenCase {
    /// Skips (with the reason) when setup has not fetched the model or an input.
    func skipUnlessPresent() throws {
        for path in [model] + Array(inputs.values) where !FileManager.default.fileExists(atPath: file(path).path) {
            throw XCTSkip("\(path) is absent: scripts/setup.sh fetches or generates it")
        }
    }

    /// Imports the model with the golden inputs' shapes and optimizes it (no run).
    func optimizeOnly() throws -> (report: OptimizationReport, graph: Graph) {
        try skipUnlessPresent()
        let shapes = try inputTensors().mapValues(\.shape)
        let imported = try ONNXImporter.importModel(at: modelURL, options: ImportOptions(inputShapes: shapes))
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
        let tensors = try inputTensors()
        let imported = try ONNXImporter.importModel(at: modelURL,
                                                    options: ImportOptions(inputShapes: tensors.mapValues(\.shape)))
        let (optimized, report) = try FloatOptimizer.optimize(imported)
        let results = try Interpreter(graph: optimized).run(tensors)
        var worst = 0.0
        for (name, reference) in try referenceOutputs() {
            let actual = try XCTUnwrap(results[name], "\(self.case): no output \(name)", file: file, line: line)
            XCTAssertEqual(actual.shape, reference.tensor.shape, file: file, line: line)
            worst = max(worst, goldenDifference(actual, reference.tensor, floor: reference.floor))
        }
        XCTAssertLessThanOrEqual(worst, tolerance, "\(self.case): optimized graph vs onnxruntime", file: file, line: line)
        print("fp-optimized \(self.case): max abs diff \(String(format: "%.3g", worst)) (tolerance \(tolerance))\n"
            + report.description.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        return (report, optimized, worst)
    }
}

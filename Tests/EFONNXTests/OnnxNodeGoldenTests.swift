// Plays the single-node ONNX backend test cases of the Linear, Resize and Quant groups
// (converted to .npy by tools/goldens/onnx_cases_to_npy.py into Tests/Goldens/kernels) through
// the op importers, shape inference and the interpreter, against the suite's expected outputs:
// floats within rtol 1e-3 / atol 1e-7 (as the conformance runner), integers exactly.
// Shape-deciding inputs are frozen to constants when an importer asks for them, as the
// conformance runner does; `constant_<i>.npy` files (initializers) are constants from the start.

import EFCore
import EFInterpreter
import EFIR
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class OnnxNodeGoldenTests: XCTestCase {
    private var caseDirectory: URL { TestData.goldens.appendingPathComponent("kernels") }

    func testOnnxNodeCases() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: caseDirectory.path).sorted()
        XCTAssertGreaterThan(names.count, 100, "goldens missing: run tools/goldens/onnx_cases_to_npy.py")
        var failures: [String] = []
        for name in names {
            do {
                try runCase(name)
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        print("ONNX node goldens: \(names.count - failures.count) passed, \(failures.count) failed")
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
    }

    /// Imports, runs and compares one case; throws on any failure.
    private func runCase(_ name: String) throws {
        let directory = caseDirectory.appendingPathComponent(name)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("node.json")))
        guard let description = json as? [String: Any], let opType = description["op_type"] as? String,
              let opset = description["opset"] as? Int, let inputFiles = description["inputs"] as? [String],
              let outputFiles = description["outputs"] as? [String],
              let attributes = description["attributes"] as? [String: [String: Any]] else {
            throw EdgeflowError(.invalidInput, "malformed node.json")
        }
        var node = OnnxNode()
        node.name = name
        node.opType = opType
        node.inputs = inputFiles.map { $0.replacingOccurrences(of: ".npy", with: "") }
        node.outputs = outputFiles.map { $0.replacingOccurrences(of: ".npy", with: "") }
        node.attributes = try attributes.mapValues(Self.attribute)
        var tensors: [String: Tensor] = [:]
        for (file, value) in zip(inputFiles, node.inputs) where !file.isEmpty {
            tensors[value] = try NPY.read(contentsOf: directory.appendingPathComponent(file))
        }
        guard let importer = OpImporterRegistry.importers[opType] else {
            throw EdgeflowError(.unsupported, "no importer for \(opType)")
        }
        let (graph, feeds) = try importNode(node, opset: opset, tensors: tensors, importer: importer)
        try Verifier.verify(graph)
        let results = try Interpreter(graph: graph).run(feeds)
        for (file, output) in zip(outputFiles, graph.outputs) where !file.isEmpty {
            let expected = try NPY.read(contentsOf: directory.appendingPathComponent(file))
            try compare(results[output]!, expected, output: file)
        }
    }

    /// Imports `node` with its inputs as graph inputs, freezing those an importer needs constant.
    private func importNode(_ node: OnnxNode, opset: Int, tensors: [String: Tensor],
                            importer: OpImporter) throws -> (Graph, [String: Tensor]) {
        var frozen = Set<String>()
        while true {
            let ctx = ImportContext(opset: opset)
            var inputs: [String] = []
            for name in node.inputs where !name.isEmpty && ctx.constant(name) == nil && !inputs.contains(name) {
                let tensor = tensors[name]!
                if frozen.contains(name) || name.hasPrefix("constant_") {
                    ctx.addWeight(name, tensor)
                } else {
                    ctx.addInput(name, TensorType(tensor.dtype, tensor.shape))
                    inputs.append(name)
                }
            }
            do {
                try importer(node, ctx)
            } catch let request as NonConstantOperand {
                guard frozen.insert(request.value).inserted else { throw EdgeflowError(.internalError, "\(request)") }
                continue
            }
            let outputs = node.outputs.filter { !$0.isEmpty }.map { ctx.value($0) }
            let graph = Graph(name: node.name, inputs: inputs, outputs: outputs, nodes: ctx.nodes,
                              types: ctx.types, weights: ctx.weights)
            return (graph, Dictionary(uniqueKeysWithValues: inputs.map { ($0, tensors[$0]!) }))
        }
    }

    private func compare(_ actual: Tensor, _ expected: Tensor, output: String) throws {
        // As numpy.testing.assert_allclose, which the ONNX backend tests use: a rank-0 result
        // matches a one-element expected array (the suite stores some scalars as [1]).
        let scalarVersusOne = (actual.rank == 0 || expected.rank == 0) && actual.count == expected.count
        guard actual.dtype == expected.dtype, actual.shape == expected.shape || scalarVersusOne else {
            throw EdgeflowError(.internalError, "\(output): got \(actual), expected \(expected)")
        }
        let a = actual.doubleValues(), e = expected.doubleValues()
        let exact = !expected.dtype.isFloatingPoint
        for i in a.indices {
            if a[i].isNaN && e[i].isNaN { continue }
            let tolerance = exact ? 0 : 1e-7 + 1e-3 * abs(e[i])
            if !(abs(a[i] - e[i]) <= tolerance) {
                throw EdgeflowError(.internalError, "\(output)[\(i)] = \(a[i]), expected \(e[i]) (\(a.count) values)")
            }
        }
    }

    private static func attribute(_ json: [String: Any]) throws -> OnnxAttribute {
        switch (json["type"] as? String, json["value"]) {
        case ("int", let value as Int): return .int(value)
        case ("float", let value as Double): return .float(Float(value))
        case ("float", let value as Int): return .float(Float(value))
        case ("string", let value as String): return .string(Data(value.utf8))
        case ("ints", let value as [Int]): return .ints(value)
        case ("floats", let value as [Double]): return .floats(value.map { Float($0) })
        case ("strings", let value as [String]): return .strings(value.map { Data($0.utf8) })
        default: throw EdgeflowError(.invalidInput, "unreadable attribute \(json)")
        }
    }
}

// Plays the ONNX backend node tests of the elementwise, reduction and movement ops through
// the importers, shape inference and the interpreter, against the suite's expected outputs
// (converted to .npy by tools/goldens/basic_ops_onnx_cases.py).

import EFCore
import EFIR
import EFInterpreter
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class NodeCaseTests: XCTestCase {
    /// Imports and runs one case; returns nil on success or a message saying what differs.
    private func run(_ golden: BasicOpsCase) -> String? {
        var frozen = Set<String>()
        for _ in 0...golden.inputs.count {
            do {
                return try runOnce(golden, frozen: frozen)
            } catch let nonConstant as NonConstantOperand {
                guard golden.inputs.contains(where: { $0.name == nonConstant.value }), !frozen.contains(nonConstant.value) else {
                    return "operand \(nonConstant.value) of \(nonConstant.node) is not constant"
                }
                frozen.insert(nonConstant.value)
            } catch {
                return "\(error)"
            }
        }
        return "could not freeze the shape operands"
    }

    private func runOnce(_ golden: BasicOpsCase, frozen: Set<String>) throws -> String? {
        let ctx = ImportContext(opset: golden.opset)
        var feeds: [String: Tensor] = [:]
        for (name, tensor) in golden.initializers { ctx.addWeight(name, tensor) }
        for (name, tensor) in golden.inputs {
            if frozen.contains(name) {
                ctx.addWeight(name, tensor)
            } else {
                ctx.addInput(name, TensorType(tensor.dtype, tensor.shape))
                feeds[name] = tensor
            }
        }
        for description in golden.nodes {
            var node = OnnxNode()
            node.name = description.name
            node.opType = description.op
            node.inputs = description.inputs
            node.outputs = description.outputs
            for (key, value) in description.attributes {
                switch value {
                case .int(let v): node.attributes[key] = .int(v)
                case .ints(let v): node.attributes[key] = .ints(v)
                case .float(let v): node.attributes[key] = .float(v)
                case .floats(let v): node.attributes[key] = .floats(v)
                case .string(let v): node.attributes[key] = .string(Data(v.utf8))
                }
            }
            guard let importer = OpImporterRegistry.importers[node.opType] else {
                return "no importer for \(node.opType)"
            }
            try importer(node, ctx)
        }
        let inputNames = golden.inputs.map(\.name).filter { !frozen.contains($0) }
        let outputValues = golden.outputs.map { ctx.value($0.name) }
        let graph = Graph(name: golden.name, inputs: inputNames, outputs: outputValues, nodes: ctx.nodes,
                          types: ctx.types, weights: ctx.weights)
        let results = try Interpreter(graph: graph).run(feeds)
        for ((name, expected), value) in zip(golden.outputs, outputValues) {
            guard let actual = results[value] ?? ctx.constant(value) ?? feeds[value] else { return "output \(name) missing" }
            let loose = expected.dtype == .float16 || expected.dtype == .bfloat16
            if !BasicOpsCase.matches(actual, expected, rtol: loose ? 1e-2 : 1e-3, atol: loose ? 1e-2 : 1e-5) {
                let worst = actual.shape == expected.shape ? " max |diff| \(maxAbsDifference(actual, expected))" : ""
                return "output \(name): got \(actual), expected \(expected)\(worst)"
            }
        }
        return nil
    }

    func testONNXNodeCases() throws {
        let cases = try BasicOpsCase.all()
        XCTAssertGreaterThan(cases.count, 500, "the converted cases are missing")
        var failures: [String: String] = [:]
        for golden in cases {
            if let message = run(golden) { failures[golden.name] = message }
        }
        let unexpected = failures.filter { NodeCaseExpectations.knownFailures[$0.key] == nil }
        let fixed = NodeCaseExpectations.knownFailures.keys.filter { failures[$0] == nil }.sorted()
        for (name, message) in unexpected.sorted(by: { $0.key < $1.key }) {
            XCTFail("\(name): \(message)")
        }
        XCTAssertEqual(fixed, [], "cases listed as known failures now pass: remove them from NodeCaseExpectations")
        print("ONNX node cases: \(cases.count - failures.count) passed, \(failures.count) failed (\(failures.count - unexpected.count) known)")
    }
}

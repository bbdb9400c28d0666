// Importer behaviour the node cases cannot show: what the lowered graph looks like (constant
// folding of BatchNorm and shape plumbing, Clip with run-time bounds) and the errors for
// non-constant shape operands and unsupported outputs.

import EFCore
import EFIR
import EFONNX
import Foundation
import XCTest

final class BasicImporterTests: XCTestCase {
    private func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [String: OnnxAttribute] = [:]) -> OnnxNode {
        var node = OnnxNode()
        node.opType = op
        node.name = outputs.first ?? op
        node.inputs = inputs
        node.outputs = outputs
        node.attributes = attributes
        return node
    }

    private func importNode(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let importer = try XCTUnwrap(OpImporterRegistry.importers[node.opType], "no importer for \(node.opType)")
        try importer(node, ctx)
    }

    func testBatchNormWithConstantStatisticsBecomesTwoOps() throws {
        let ctx = ImportContext(opset: 15)
        ctx.addInput("x", TensorType(.float32, [1, 2, 3, 3]))
        for name in ["scale", "bias", "mean"] { ctx.addWeight(name, Tensor(shape: [2], scalars: [Float](arrayLiteral: 1, 2))) }
        ctx.addWeight("var", Tensor(shape: [2], scalars: [Float](arrayLiteral: 3, 0)))
        try importNode(node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"]), ctx)
        XCTAssertEqual(ctx.nodes.map(\.op), [.binary, .binary])
        XCTAssertEqual(ctx.nodes.map { $0.attributes.string("fn") }, ["mul", "add"])
        let factor = try XCTUnwrap(ctx.constant(ctx.nodes[0].inputs[1]))
        XCTAssertEqual(factor.shape, [2, 1, 1])
        XCTAssertEqual(factor.scalars(as: Float.self)[0], 1 / (3 + 1e-5).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(try ctx.type("y"), TensorType(.float32, [1, 2, 3, 3]))
    }

    func testShapePlumbingOverConstantsFolds() throws {
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [2, 3, 4]))
        ctx.addWeight("shape", Tensor(shape: [3], scalars: [Int64](arrayLiteral: 2, 3, 4)))
        ctx.addWeight("index", Tensor(scalar: Int64(0)))
        ctx.addWeight("minusOne", Tensor(shape: [1], scalars: [Int64(-1)]))
        try importNode(node("Gather", ["shape", "index"], ["batch"], ["axis": .int(0)]), ctx)
        ctx.addWeight("axes", Tensor(shape: [1], scalars: [Int64(0)]))
        try importNode(node("Unsqueeze", ["batch", "axes"], ["batch1"]), ctx)
        try importNode(node("Concat", ["batch1", "minusOne"], ["target"], ["axis": .int(0)]), ctx)
        try importNode(node("Reshape", ["x", "target"], ["y"]), ctx)
        XCTAssertEqual(ctx.constant("target")?.scalars(as: Int64.self), [2, -1])
        XCTAssertEqual(ctx.nodes.map(\.op), [.reshape])
        XCTAssertEqual(ctx.nodes[0].attributes.ints("shape"), [2, 12])
    }

    func testClipWithRunTimeBoundsLowersToMaxThenMin() throws {
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [4]))
        ctx.addInput("lo", TensorType(.float32, []))
        ctx.addInput("hi", TensorType(.float32, []))
        try importNode(node("Clip", ["x", "lo", "hi"], ["y"]), ctx)
        XCTAssertEqual(ctx.nodes.map { $0.attributes.string("fn") }, ["max", "min"])
        XCTAssertEqual(ctx.nodes.last?.outputs, ["y"])
    }

    func testRunTimeShapeOperandIsReportedAsNonConstant() {
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [2, 3]))
        ctx.addInput("shape", TensorType(.int64, [1]))
        XCTAssertThrowsError(try importNode(node("Reshape", ["x", "shape"], ["y"]), ctx)) { error in
            let nonConstant = error as? NonConstantOperand
            XCTAssertEqual(nonConstant?.value, "shape")
        }
    }

    func testLayerNormStatisticsOutputsAreUnsupported() {
        let ctx = ImportContext(opset: 17)
        ctx.addInput("x", TensorType(.float32, [2, 3]))
        ctx.addWeight("s", Tensor(shape: [3], scalars: [Float](repeating: 1, count: 3)))
        XCTAssertThrowsError(try importNode(node("LayerNormalization", ["x", "s"], ["y", "mean"]), ctx)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .unsupported)
            XCTAssertTrue("\(error)".contains("Mean/InvStdDev"), "\(error)")
        }
    }

    func testSoftmaxBeforeOpset13CoercesTo2D() throws {
        let ctx = ImportContext(opset: 11)
        ctx.addInput("x", TensorType(.float32, [2, 3, 4]))
        try importNode(node("Softmax", ["x"], ["y"], ["axis": .int(1)]), ctx)
        XCTAssertEqual(ctx.nodes.map(\.op), [.reshape, .softmax, .reshape])
        XCTAssertEqual(ctx.nodes[0].attributes.ints("shape"), [2, 12])
    }
}

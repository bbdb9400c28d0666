// Importer behaviour the node cases cannot show: what the lowered graph looks like (constant
// folding of BatchNorm and shape plumbing, Clip with run-time bounds), the optional statistics
// outputs of LayerNorm and training-mode BatchNorm, and the errors for non-constant shape operands.

import EFCore
import EFIR
import EFInterpreter
import EFONNX
import Foundation
import XCTest

final class BasicImporterTests: XCTestCase {
    func testBatchNormWithConstantStatisticsBecomesTwoOps() throws {
        let ctx = ImportContext(opset: 15)
        ctx.addInput("x", TensorType(.float32, [1, 2, 3, 3]))
        for name in ["scale", "bias", "mean"] { ctx.addWeight(name, Tensor(shape: [2], scalars: [Float](arrayLiteral: 1, 2))) }
        ctx.addWeight("var", Tensor(shape: [2], scalars: [Float](arrayLiteral: 3, 0)))
        try importNode(onnxNode("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"]), ctx)
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
        try importNode(onnxNode("Gather", ["shape", "index"], ["batch"], ["axis": .int(0)]), ctx)
        ctx.addWeight("axes", Tensor(shape: [1], scalars: [Int64(0)]))
        try importNode(onnxNode("Unsqueeze", ["batch", "axes"], ["batch1"]), ctx)
        try importNode(onnxNode("Concat", ["batch1", "minusOne"], ["target"], ["axis": .int(0)]), ctx)
        try importNode(onnxNode("Reshape", ["x", "target"], ["y"]), ctx)
        XCTAssertEqual(ctx.constant("target")?.scalars(as: Int64.self), [2, -1])
        XCTAssertEqual(ctx.nodes.map(\.op), [.reshape])
        XCTAssertEqual(ctx.nodes[0].attributes.ints("shape"), [2, 12])
    }

    func testClipWithRunTimeBoundsLowersToMaxThenMin() throws {
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [4]))
        ctx.addInput("lo", TensorType(.float32, []))
        ctx.addInput("hi", TensorType(.float32, []))
        try importNode(onnxNode("Clip", ["x", "lo", "hi"], ["y"]), ctx)
        XCTAssertEqual(ctx.nodes.map { $0.attributes.string("fn") }, ["max", "min"])
        XCTAssertEqual(ctx.nodes.last?.outputs, ["y"])
    }

    func testRunTimeShapeOperandIsReportedAsNonConstant() {
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [2, 3]))
        ctx.addInput("shape", TensorType(.int64, [1]))
        XCTAssertThrowsError(try importNode(onnxNode("Reshape", ["x", "shape"], ["y"]), ctx)) { error in
            let nonConstant = error as? NonConstantOperand
            XCTAssertEqual(nonConstant?.value, "shape")
        }
    }

    func testLayerNormStatisticsOutputsMakeAThreeOutputNode() throws {
        let ctx = ImportContext(opset: 17)
        ctx.addInput("x", TensorType(.float32, [2, 3, 4]))
        ctx.addWeight("s", Tensor(shape: [4], scalars: [Float](repeating: 1, count: 4)))
        try importNode(onnxNode("LayerNormalization", ["x", "s"], ["y", "mean"]), ctx)
        XCTAssertEqual(ctx.nodes.map(\.op), [.layerNorm])
        XCTAssertEqual(ctx.nodes[0].outputs.count, 3)
        XCTAssertEqual(Array(ctx.nodes[0].outputs.prefix(2)), ["y", "mean"])
        XCTAssertEqual(ctx.nodes[0].params, .layerNorm(LayerNormOp(axis: 2, epsilon: 1e-5, statsDType: .float32)))
        XCTAssertEqual(try ctx.type("mean"), TensorType(.float32, [2, 3, 1]))
        XCTAssertEqual(try ctx.type(ctx.nodes[0].outputs[2]), TensorType(.float32, [2, 3, 1]))
        // Y alone keeps the one-output node.
        try importNode(onnxNode("LayerNormalization", ["x", "s"], ["y2", "", ""], ["axis": .int(1)]), ctx)
        XCTAssertEqual(ctx.nodes[1].outputs, ["y2"])
    }

    func testBatchNormTrainingModeUsesBatchStatistics() throws {
        // x [N 2, C 2, 1]: channel 0 holds {1, 3} (mean 2, variance 1), channel 1 {10, 30}
        // (mean 20, variance 100); epsilon 0, momentum 0.5.
        let ctx = ImportContext(opset: 15)
        ctx.addWeight("x", Tensor(shape: [2, 2, 1], scalars: [Float](arrayLiteral: 1, 10, 3, 30)))
        ctx.addWeight("scale", Tensor(shape: [2], scalars: [Float](arrayLiteral: 1, 2)))
        ctx.addWeight("bias", Tensor(shape: [2], scalars: [Float](arrayLiteral: 0, 1)))
        ctx.addWeight("mean", Tensor(shape: [2], scalars: [Float](arrayLiteral: 0, 0)))
        ctx.addWeight("var", Tensor(shape: [2], scalars: [Float](arrayLiteral: 1, 1)))
        let attributes: [String: OnnxAttribute] = ["training_mode": .int(1), "epsilon": .float(0), "momentum": .float(0.5)]
        try importNode(onnxNode("BatchNormalization", ["x", "scale", "bias", "mean", "var"],
                            ["y", "running_mean", "running_var"], attributes), ctx)
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Float.self), [-1, -1, 1, 3])
        XCTAssertEqual(ctx.constant("running_mean")?.scalars(as: Float.self), [1, 10])
        XCTAssertEqual(ctx.constant("running_var")?.scalars(as: Float.self), [1, 50.5])
    }

    func testRangeOnHalfFloats() throws {
        let ctx = ImportContext(opset: 11)
        let operands: [(DType, [String], (Float) -> Tensor)] = [
            (.float16, ["a", "b", "d", "r"], { Tensor(scalar: Float16($0)) }),
            (.bfloat16, ["a2", "b2", "d2", "r2"], { Tensor(scalar: BFloat16($0)) }),
        ]
        for (dtype, names, scalar) in operands {
            for (name, value) in zip(names, [1, 5, 1.5] as [Float]) { ctx.addWeight(name, scalar(value)) }
            try importNode(onnxNode("Range", Array(names.prefix(3)), [names[3]]), ctx)
            let range = try XCTUnwrap(ctx.constant(names[3]))
            XCTAssertEqual(range.dtype, dtype)
            XCTAssertEqual(range.doubleValues(), [1, 2.5, 4])
        }
    }

    func testSoftmaxBeforeOpset13CoercesTo2D() throws {
        let ctx = ImportContext(opset: 11)
        ctx.addInput("x", TensorType(.float32, [2, 3, 4]))
        try importNode(onnxNode("Softmax", ["x"], ["y"], ["axis": .int(1)]), ctx)
        XCTAssertEqual(ctx.nodes.map(\.op), [.reshape, .softmax, .reshape])
        XCTAssertEqual(ctx.nodes[0].attributes.ints("shape"), [2, 12])
    }

    /// Imports one node with the given constant operands and graph inputs, runs it, returns output 0.
    private func run(_ node: OnnxNode, opset: Int, inputs: [String: Tensor], constants: [String: Tensor] = [:]) throws -> Tensor {
        let ctx = ImportContext(opset: opset)
        for (name, tensor) in constants { ctx.addWeight(name, tensor) }
        for (name, tensor) in inputs { ctx.addInput(name, TensorType(tensor.dtype, tensor.shape)) }
        try importNode(node, ctx)
        let output = ctx.value(node.outputs[0])
        let graph = Graph(name: "t", inputs: Array(inputs.keys), outputs: [output], nodes: ctx.nodes,
                          types: ctx.types, weights: ctx.weights)
        return try XCTUnwrap(try Interpreter(graph: graph).run(inputs)[output])
    }

    func testLegacyBroadcastAlignsAtTheAxis() throws {
        let a = Tensor(shape: [2, 3, 2], scalars: (0..<12).map { Float($0) })
        let b = Tensor(shape: [3], scalars: [Float](arrayLiteral: 100, 200, 300))
        let add = onnxNode("Add", ["a", "b"], ["y"], ["broadcast": .int(1), "axis": .int(1)])
        let y = try run(add, opset: 6, inputs: ["a": a, "b": b])
        XCTAssertEqual(y.shape, [2, 3, 2])
        XCTAssertEqual(y.scalars(as: Float.self), [100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311])
    }

    func testLegacyCastTakesTheTypeName() throws {
        let cast = onnxNode("Cast", ["x"], ["y"], ["to": .string(Data("INT32".utf8))])
        let y = try run(cast, opset: 5, inputs: ["x": Tensor(shape: [2], scalars: [Float](arrayLiteral: 2.7, -1.2))])
        XCTAssertEqual(y.scalars(as: Int32.self), [2, -1])
    }

    func testLegacyTileRepeatsOneAxis() throws {
        let x = Tensor(shape: [2, 2], scalars: [Int64](arrayLiteral: 1, 2, 3, 4))
        let constants = ["tiles": Tensor(scalar: Int64(2)), "axis": Tensor(scalar: Int64(1))]
        let y = try run(onnxNode("Tile", ["x", "tiles", "axis"], ["y"]), opset: 5, inputs: ["x": x], constants: constants)
        XCTAssertEqual(y.shape, [2, 4])
        XCTAssertEqual(y.scalars(as: Int64.self), [1, 2, 1, 2, 3, 4, 3, 4])
    }

    func testLegacyConcatDefaultsToAxisOne() throws {
        let a = Tensor(shape: [1, 2], scalars: [Float](arrayLiteral: 1, 2))
        let y = try run(onnxNode("Concat", ["a", "a"], ["y"]), opset: 3, inputs: ["a": a])
        XCTAssertEqual(y.shape, [1, 4])
    }
}

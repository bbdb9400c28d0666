// Importer behaviour the ONNX suite does not pin down: explicit pads from auto_pad, refusals
// with clear messages, shape-deciding operands that must be constant, and absurd sizes.

import EFCore
import EFIR
import EFONNX
import Foundation
import XCTest

final class LinearQuantImportTests: XCTestCase {
    func testConvAutoPadBecomesExplicitPads() throws {
        // x 5×5, kernel 2×2, strides 2×1: SAME needs outputs 3×5, so one pad row and one pad
        // column in total — at the end for SAME_UPPER, at the beginning for SAME_LOWER.
        let cases: [(String, [Int], [Int])] = [
            ("SAME_UPPER", [0, 0, 1, 1], [1, 3, 3, 5]),
            ("SAME_LOWER", [1, 1, 0, 0], [1, 3, 3, 5]),
            ("VALID", [0, 0, 0, 0], [1, 3, 2, 4]),
        ]
        for (mode, pads, shape) in cases {
            let ctx = ImportContext(opset: 17)
            ctx.addInput("x", TensorType(.float32, [1, 2, 5, 5]))
            ctx.addWeight("w", Tensor(zeros: .float32, shape: [3, 2, 2, 2]))
            try importNode(onnxNode("Conv", ["x", "w"], ["y"], ["auto_pad": .string(Data(mode.utf8)), "strides": .ints([2, 1])]), ctx)
            XCTAssertEqual(ctx.nodes.last?.attributes.ints("pads"), pads, mode)
            XCTAssertEqual(ctx.types["y"]?.shape, shape, mode)
        }
    }

    func testGlobalLpPoolCoversAllSpatialDims() throws {
        let ctx = ImportContext(opset: 2)
        ctx.addWeight("x", Tensor(shape: [1, 2, 2, 2], scalars: [Float](arrayLiteral: 3, 0, 0, 4, 1, 1, 1, 1)))
        try importNode(onnxNode("GlobalLpPool", ["x"], ["y"], ["p": .int(2)]), ctx)
        // Constant input: the node was folded through the interpreter's pool kernel.
        XCTAssertEqual(ctx.constant("y")?.shape, [1, 2, 1, 1])
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Float.self), [5, 2])
    }

    func testOldOpsetAttributeForms() throws {
        // LpPool-1 has a float p; Upsample-1 has height_scale and width_scale.
        let ctx = ImportContext(opset: 1)
        ctx.addWeight("x", Tensor(shape: [1, 1, 1, 2], scalars: [Float](arrayLiteral: 3, 4)))
        try importNode(onnxNode("LpPool", ["x"], ["lp"], ["p": .float(2), "kernel_shape": .ints([1, 2])]), ctx)
        XCTAssertEqual(ctx.constant("lp")?.scalars(as: Float.self), [5])
        try importNode(onnxNode("Upsample", ["x"], ["up"], ["height_scale": .float(2), "width_scale": .float(1.5)]), ctx)
        XCTAssertEqual(ctx.constant("up")?.shape, [1, 1, 2, 3])
        XCTAssertEqual(ctx.constant("up")?.scalars(as: Float.self), [3, 3, 4, 3, 3, 4])
    }

    func testMaxPoolIndicesFollowStorageOrder() throws {
        // x 2×2 = [1 4; 3 2]: the maximum 4 sits at (0, 1): flat 1 row-major, 0 + 1·2 = 2 column-major.
        let ctx = ImportContext(opset: 12)
        ctx.addWeight("x", Tensor(shape: [1, 1, 2, 2], scalars: [Float](arrayLiteral: 1, 4, 3, 2)))
        try importNode(onnxNode("MaxPool", ["x"], ["y", "rows"], ["kernel_shape": .ints([2, 2])]), ctx)
        try importNode(onnxNode("MaxPool", ["x"], ["y2", "columns"], ["kernel_shape": .ints([2, 2]), "storage_order": .int(1)]), ctx)
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Float.self), [4])
        XCTAssertEqual(ctx.constant("rows")?.scalars(as: Int64.self), [1])
        XCTAssertEqual(ctx.constant("columns")?.scalars(as: Int64.self), [2])
        XCTAssertThrowsError(try importNode(onnxNode("MaxPool", ["x"], ["y3", "bad"], ["kernel_shape": .ints([2, 2]),
                                                                            "storage_order": .int(2)]), ctx))
    }

    func testResizeSizesMustBeConstant() {
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [1, 1, 2, 2]))
        ctx.addInput("sizes", TensorType(.int64, [4]))
        XCTAssertThrowsError(try importNode(onnxNode("Resize", ["x", "", "", "sizes"]), ctx)) { error in
            XCTAssertEqual((error as? NonConstantOperand)?.value, "sizes", "\(error)")
        }
    }

    func testResizeAbsurdScaleIsAnErrorNotATrap() {
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [1, 1, 2, 2]))
        ctx.addWeight("scales", Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, 1, 1e30, 1)))
        XCTAssertThrowsError(try importNode(onnxNode("Resize", ["x", "", "scales"]), ctx)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel, "\(error)")
        }
    }

    func testRuntimeQuantParametersStayInputs() throws {
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [2, 3]))
        ctx.addInput("scale", TensorType(.float32, [3]))
        ctx.addInput("zp", TensorType(.int8, [3]))
        try importNode(onnxNode("QuantizeLinear", ["x", "scale", "zp"], ["y"], ["axis": .int(-1)]), ctx)
        XCTAssertEqual(ctx.nodes.count, 1)
        XCTAssertEqual(ctx.nodes[0].inputs, ["x", "scale", "zp"])
        XCTAssertEqual(ctx.nodes[0].attributes.int("axis"), 1)
        XCTAssertEqual(ctx.types["y"], TensorType(.int8, [2, 3]))
    }

    func testQuantizeToFloat8E4M3FNIsTypedAndToE8M0Refused() throws {
        let ctx = ImportContext(opset: 21)
        ctx.addInput("x", TensorType(.float32, [2]))
        ctx.addWeight("scale", Tensor(scalar: Float(1)))
        try importNode(onnxNode("QuantizeLinear", ["x", "scale"], ["y"], ["output_dtype": .int(17)]), ctx)
        XCTAssertEqual(ctx.types["y"], TensorType(.float8e4m3fn, [2]))
        let e8m0 = onnxNode("QuantizeLinear", ["x", "scale"], ["z"], ["output_dtype": .int(24)])
        XCTAssertThrowsError(try importNode(e8m0, ctx)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .unsupported, "\(error)")
        }
    }
}

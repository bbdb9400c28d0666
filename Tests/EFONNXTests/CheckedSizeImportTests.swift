// Sizes from the model file that overflow or do not convert must be invalid-model errors naming
// the value, never a trap: declared shapes of graph inputs and value_info, shape operands of
// Expand/ConstantOfShape/Reshape/Tile/Concat, float counts of Range and Resize, duplicate names;
// and constants the importer generates stay within its folding budget.

import EFCore
import EFIR
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class CheckedSizeImportTests: XCTestCase {
    private func int64Bytes(_ values: [Int64]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    }

    private func doubleBytes(_ values: [Double]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    // MARK: Declared shapes and names

    func testOverflowingGraphInputShapeIsInvalidModel() {
        let graph = OnnxBytes.graph(nodes: [OnnxBytes.node("Identity", ["x"], ["y"])],
                                    inputs: [OnnxBytes.valueInfo("x", shape: [1 << 40, 1 << 40])],
                                    outputs: [OnnxBytes.valueInfo("y", dims: nil)])
        assertEdgeflowError(.invalidModel, ["graph input 'x'", "too large"]) {
            try importBytes(OnnxBytes.model(graph: graph))
        }
    }

    func testOverflowingByteCountOfGraphInputIsInvalidModel() {
        // 2^61 float32 elements fit in Int, their bytes do not.
        let graph = OnnxBytes.graph(nodes: [OnnxBytes.node("Identity", ["x"], ["y"])],
                                    inputs: [OnnxBytes.valueInfo("x", shape: [1 << 31, 1 << 30])],
                                    outputs: [OnnxBytes.valueInfo("y", dims: nil)])
        assertEdgeflowError(.invalidModel, ["graph input 'x'", "bytes"]) {
            try importBytes(OnnxBytes.model(graph: graph))
        }
    }

    func testOverflowingValueInfoShapeIsInvalidModel() {
        let model = TestModels.model(
            nodes: [OnnxBytes.node("Identity", ["x"], ["y"])], inputs: ["x": [2]], outputs: ["y"],
            valueInfo: [OnnxBytes.valueInfo("y", dims: [.value(1 << 62), .param("n"), .value(16)])])
        assertEdgeflowError(.invalidModel, ["value_info 'y'"]) { try importBytes(model) }
    }

    func testOverflowingInputShapeOptionIsInvalidArgument() {
        let model = TestModels.shapeModel(xDims: [.param("N"), .value(3)])
        assertEdgeflowError(.invalidArgument, ["--input-shape for 'x'"]) {
            try importBytes(model, options: ImportOptions(inputShapes: ["x": [1 << 62, 3]]))
        }
    }

    func testGraphInputListedTwiceIsInvalidModel() {
        let graph = OnnxBytes.graph(nodes: [OnnxBytes.node("Identity", ["x"], ["y"])],
                                    inputs: [OnnxBytes.valueInfo("x", shape: [2]),
                                             OnnxBytes.valueInfo("x", shape: [2])],
                                    outputs: [OnnxBytes.valueInfo("y", dims: nil)])
        assertEdgeflowError(.invalidModel, ["graph input 'x' is listed twice"]) {
            try importBytes(OnnxBytes.model(graph: graph))
        }
    }

    func testEmptyGraphInputNameIsInvalidModel() {
        let graph = OnnxBytes.graph(nodes: [OnnxBytes.node("Identity", ["x"], ["y"])],
                                    inputs: [OnnxBytes.valueInfo("x", shape: [2]), OnnxBytes.valueInfo("", shape: [2])],
                                    outputs: [OnnxBytes.valueInfo("y", dims: nil)])
        assertEdgeflowError(.invalidModel, ["graph input 1 has an empty name"]) {
            try importBytes(OnnxBytes.model(graph: graph))
        }
    }

    func testInitializerListedTwiceIsInvalidModel() {
        let w = OnnxBytes.tensor("w", dims: [1], raw: OnnxBytes.floatBytes([1]))
        let model = TestModels.model(nodes: [OnnxBytes.node("Add", ["x", "w"], ["y"])], inputs: ["x": [1]],
                                     outputs: ["y"], initializers: [w, w])
        assertEdgeflowError(.invalidModel, ["initializer 'w' is listed twice"]) { try importBytes(model) }
    }

    // MARK: Shape operands

    func testConstantOfShapeWithOverflowingShapeIsInvalidModel() {
        let shape = OnnxBytes.tensor("shape", dims: [2], dataType: 7, raw: int64Bytes([1 << 40, 1 << 40]))
        let model = TestModels.model(nodes: [OnnxBytes.node("ConstantOfShape", ["shape"], ["c"], name: "C")],
                                     inputs: [:], outputs: ["c"], initializers: [shape])
        assertEdgeflowError(.invalidModel, ["ConstantOfShape", "'C'"]) { try importBytes(model) }
    }

    func testLargeConstantOfShapeIsNotFoldedAtImport() throws {
        // 4 GiB of zeros: importing must not allocate them; the expand runs at inference time.
        let shape = OnnxBytes.tensor("shape", dims: [2], dataType: 7, raw: int64Bytes([1 << 20, 1 << 10]))
        let model = TestModels.model(nodes: [OnnxBytes.node("ConstantOfShape", ["shape"], ["c"], name: "C")],
                                     inputs: [:], outputs: ["c"], initializers: [shape])
        let graph = try importBytes(model)
        XCTAssertEqual(graph.nodes.map(\.op), [.expand])
        XCTAssertEqual(graph.types["c"], TensorType(.float32, [1 << 20, 1 << 10]))
        XCTAssertNil(graph.weights["c"])
    }

    func testExpandToOverflowingShapeIsInvalidModel() {
        let shape = OnnxBytes.tensor("shape", dims: [3], dataType: 7, raw: int64Bytes([1 << 32, 1 << 32, 1]))
        let model = TestModels.model(nodes: [OnnxBytes.node("Expand", ["x", "shape"], ["y"], name: "E")],
                                     inputs: ["x": [1]], outputs: ["y"], initializers: [shape])
        assertEdgeflowError(.invalidModel, ["'E'", "more than"]) { try importBytes(model) }
    }

    func testReshapeToOverflowingShapeIsInvalidModel() {
        // [0] has as many elements as [2^40, 2^40, 0], but such dims are refused.
        let shape = OnnxBytes.tensor("shape", dims: [3], dataType: 7, raw: int64Bytes([1 << 40, 1 << 40, 0]))
        let model = TestModels.model(
            nodes: [OnnxBytes.node("Reshape", ["x", "shape"], ["y"], name: "R",
                                   attributes: [OnnxBytes.intAttribute("allowzero", 1)])],
            inputs: ["x": [0]], outputs: ["y"], initializers: [shape])
        assertEdgeflowError(.invalidModel, ["'R'"]) { try importBytes(model) }
    }

    func testTileAndConcatOverflowAreInvalidModel() {
        let ctx = ImportContext(opset: 17)
        ctx.addInput("x", TensorType(.uint8, [1 << 61]))
        ctx.addWeight("repeats", Tensor(shape: [1], scalars: [Int64(16)]))
        assertEdgeflowError(.invalidModel, ["tile"]) { try importNode(onnxNode("Tile", ["x", "repeats"]), ctx) }
        assertEdgeflowError(.invalidModel, ["concat", "too large"]) {
            try importNode(onnxNode("Concat", ["x", "x", "x", "x"], ["y"], ["axis": .int(0)]), ctx)
        }
    }

    func testSplitWithAbsurdOutputCountIsInvalidModel() {
        let ctx = ImportContext(opset: 18)
        ctx.addInput("x", TensorType(.float32, [4]))
        assertEdgeflowError(.invalidModel, ["num_outputs"]) {
            try importNode(onnxNode("Split", ["x"], ["a", "b"], ["num_outputs": .int(Int.max)]), ctx)
        }
    }

    // MARK: Float to Int conversions

    func testRangeWithHugeFloatLimitIsInvalidModel() {
        let ctx = ImportContext(opset: 17)
        ctx.addWeight("start", Tensor(scalar: 0.0))
        ctx.addWeight("limit", Tensor(scalar: 1e300))
        ctx.addWeight("delta", Tensor(scalar: 1.0))
        assertEdgeflowError(.invalidModel, ["Range node", "not a representable integer"]) {
            try importNode(onnxNode("Range", ["start", "limit", "delta"]), ctx)
        }
    }

    func testRangeOverTheFoldingBudgetIsRefused() {
        let ctx = ImportContext(opset: 17)
        ctx.addWeight("start", Tensor(scalar: Int64(0)))
        ctx.addWeight("limit", Tensor(scalar: Int64(1 << 40)))
        ctx.addWeight("delta", Tensor(scalar: Int64(1)))
        assertEdgeflowError(.unsupported, ["Range node", "folding budget"]) {
            try importNode(onnxNode("Range", ["start", "limit", "delta"]), ctx)
        }
    }

    func testResizeWithNaNOrHugeScalesIsInvalidModel() {
        for scale in [Float.nan, Float.infinity, 1e30] {
            let ctx = ImportContext(opset: 13)
            ctx.addInput("x", TensorType(.float32, [1, 1, 2, 2]))
            ctx.addWeight("scales", Tensor(shape: [4], scalars: [1, 1, scale, 1]))
            assertEdgeflowError(.invalidModel, ["Resize"]) {
                try importNode(onnxNode("Resize", ["x", "", "scales"]), ctx)
            }
        }
        let ctx = ImportContext(opset: 13)
        ctx.addInput("x", TensorType(.float32, [1, 1, 2, 2]))
        ctx.addWeight("sizes", Tensor(shape: [4], scalars: [UInt64](arrayLiteral: 1, 1, .max, 2)))
        assertEdgeflowError(.invalidModel, ["sizes", "does not fit"]) {
            try importNode(onnxNode("Resize", ["x", "", "", "sizes"]), ctx)
        }
    }

    func testEyeLikeWithExtremeDiagonalDoesNotTrap() throws {
        let ctx = ImportContext(opset: 17)
        ctx.addInput("x", TensorType(.float32, [2, 3]))
        try importNode(onnxNode("EyeLike", ["x"], ["y"], ["k": .int(Int.max)]), ctx)
        XCTAssertEqual(ctx.weights["y"]?.scalars(as: Float.self), [Float](repeating: 0, count: 6))
    }

    // MARK: Folding budget

    func testFoldingStopsAtTheBudget() throws {
        let ctx = ImportContext(opset: 17)
        ctx.addWeight("one", Tensor(scalar: Float(1)))
        ctx.addWeight("small", Tensor(shape: [1], scalars: [Int64(1 << 10)]))
        ctx.addWeight("big", Tensor(shape: [1], scalars: [Int64(1 << 25)]))  // 128 MiB of float32
        try importNode(onnxNode("Expand", ["one", "small"], ["s"]), ctx)
        try importNode(onnxNode("Expand", ["one", "big"], ["b"]), ctx)
        XCTAssertEqual(ctx.weights["s"]?.shape, [1 << 10])
        XCTAssertNil(ctx.weights["b"])
        XCTAssertEqual(ctx.nodes.map(\.op), [.expand])
        XCTAssertEqual(ctx.types["b"], TensorType(.float32, [1 << 25]))
    }
}

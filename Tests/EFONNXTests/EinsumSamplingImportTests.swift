// Einsum, GridSample and AffineGrid importers: the core ops an equation lowers onto, results of
// lowered graphs folded on constants against hand-computed values, and malformed equations and
// operands refused with errors naming the node.

import EFCore
import EFIR
import EFONNX
import XCTest
import EFTestSupport

final class EinsumSamplingImportTests: XCTestCase {
    private func einsum(_ equation: String, _ shapes: [[Int]], dtype: DType = .float32) throws -> ImportContext {
        let ctx = ImportContext(opset: 12)
        let names = shapes.indices.map { "x\($0)" }
        for (name, shape) in zip(names, shapes) { ctx.addInput(name, TensorType(dtype, shape)) }
        let node = onnxNode("Einsum", names, ["y"], ["equation": .string(Data(equation.utf8))])
        try importNode(node, ctx)
        return ctx
    }

    func testAttentionScoresBecomeOneBatchedMatMul() throws {
        let ctx = try einsum("bhqd,bhkd->bhqk", [[2, 4, 5, 8], [2, 4, 6, 8]])
        XCTAssertEqual(ctx.nodes.filter { $0.op == .matMul }.count, 1)
        XCTAssertEqual(try ctx.type("y"), TensorType(.float32, [2, 4, 5, 6]))
    }

    func testImplicitOutputAndEllipsisBroadcast() throws {
        XCTAssertEqual(try einsum("ij,jk", [[2, 3], [3, 4]]).type("y"), TensorType(.float32, [2, 4]))
        XCTAssertEqual(try einsum("ba", [[2, 3]]).type("y"), TensorType(.float32, [3, 2]))
        XCTAssertEqual(try einsum("...ij,...jk", [[2, 1, 2, 3], [5, 3, 4]]).type("y"),
                       TensorType(.float32, [2, 5, 2, 4]))
        XCTAssertEqual(try einsum("i,j->ij", [[3], [4]]).type("y"), TensorType(.float32, [3, 4]))
    }

    func testThreeOperandsAndDiagonalFoldToNumpysValues() throws {
        let ctx = ImportContext(opset: 12)
        ctx.addWeight("a", Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 1, 2, 3, 4)))
        ctx.addWeight("b", Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 0, 2, 0, 1, 1)))
        ctx.addWeight("c", Tensor(shape: [3], scalars: [Float](arrayLiteral: 1, 2, 3)))
        try importNode(onnxNode("Einsum", ["a", "b", "c"], ["y"], ["equation": .string(Data("ij,jk,k->i".utf8))]), ctx)
        // b·c = [7, 5], a·[7, 5] = [17, 41]
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Float.self), [17, 41])
        try importNode(onnxNode("Einsum", ["a"], ["d"], ["equation": .string(Data("ii->i".utf8))]), ctx)
        XCTAssertEqual(ctx.constant("d")?.scalars(as: Float.self), [1, 4])
        try importNode(onnxNode("Einsum", ["a"], ["t"], ["equation": .string(Data("ii".utf8))]), ctx)
        XCTAssertEqual(ctx.constant("t")?.scalars(as: Float.self), [5])
    }

    func testIntegerOperandsMultiplyAndSum() throws {
        let ctx = ImportContext(opset: 12)
        ctx.addWeight("a", Tensor(shape: [2, 2], scalars: [Int32](arrayLiteral: 1, 2, 3, 4)))
        ctx.addWeight("b", Tensor(shape: [2], scalars: [Int32](arrayLiteral: 5, 6)))
        try importNode(onnxNode("Einsum", ["a", "b"], ["y"], ["equation": .string(Data("ij,j->i".utf8))]), ctx)
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Int32.self), [17, 39])
    }

    func testMalformedEquationsNameTheNode() {
        let cases: [(String, [[Int]], String)] = [
            ("ij,jk->ik", [[2, 3]], "1 inputs"),
            ("i1->i", [[2, 3]], "character '1'"),
            ("ijk->i", [[2, 3]], "rank 2"),
            ("ij,jk->ik", [[2, 3], [4, 5]], "sizes 3 and 4"),
            ("ij->ii", [[2, 3]], "repeats a label"),
            ("ij->k", [[2, 3]], "'k'"),
            ("i->j->i", [[2]], "more than one '->'"),
            ("......i->i", [[2]], "two '...'"),
            ("...i->i", [[2, 3]], "'...' dims"),
        ]
        for (equation, shapes, fragment) in cases {
            assertEdgeflowError(.invalidModel, ["Einsum node 'y'", fragment]) { try einsum(equation, shapes) }
        }
    }

    func testGridSampleModesPerOpset() throws {
        for (opset, mode, expected) in [(16, "bicubic", "cubic"), (20, "cubic", "cubic"), (22, "nearest", "nearest")] {
            let ctx = ImportContext(opset: opset)
            ctx.addInput("x", TensorType(.float32, [1, 2, 4, 5]))
            ctx.addInput("g", TensorType(.float32, [1, 3, 6, 2]))
            try importNode(onnxNode("GridSample", ["x", "g"], ["y"], ["mode": .string(Data(mode.utf8))]), ctx)
            XCTAssertEqual(ctx.nodes.map(\.op), [.gridSample])
            XCTAssertEqual(ctx.nodes[0].attributes.string("mode"), expected)
            XCTAssertEqual(try ctx.type("y"), TensorType(.float32, [1, 2, 3, 6]))
        }
        let ctx = ImportContext(opset: 20)
        ctx.addInput("x", TensorType(.float32, [1, 2, 4, 5]))
        ctx.addInput("g", TensorType(.float32, [1, 3, 6, 3]))
        assertEdgeflowError(.invalidModel, ["GridSample 'y'", "grid"]) {
            try importNode(onnxNode("GridSample", ["x", "g"], ["y"]), ctx)
        }
        assertEdgeflowError(.unsupported, ["GridSample node 'y'", "bilinear"]) {
            try importNode(onnxNode("GridSample", ["x", "g"], ["y"], ["mode": .string(Data("bilinear".utf8))]), ctx)
        }
    }

    func testAffineGridFoldsTheIdentityToPixelCenters() throws {
        let ctx = ImportContext(opset: 20)
        ctx.addWeight("theta", Tensor(shape: [1, 2, 3], scalars: [Float](arrayLiteral: 1, 0, 0, 0, 1, 0)))
        ctx.addWeight("size", Tensor(shape: [4], scalars: [Int64](arrayLiteral: 1, 1, 2, 2)))
        try importNode(onnxNode("AffineGrid", ["theta", "size"], ["y"]), ctx)
        XCTAssertEqual(ctx.constant("y")?.shape, [1, 2, 2, 2])
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Float.self), [-0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5])
        ctx.addWeight("huge", Tensor(shape: [4], scalars: [Int64](arrayLiteral: 1, 1, 1 << 15, 1 << 15)))
        ctx.addInput("theta1", TensorType(.float32, [1, 2, 3]))
        assertEdgeflowError(.unsupported, ["AffineGrid node 'z'", "folding budget"]) {
            try importNode(onnxNode("AffineGrid", ["theta1", "huge"], ["z"]), ctx)
        }
    }
}

// Importers of ExtraImporters.swift, Col2ImImporter.swift and ReverseSequenceImporter.swift:
// results folded on constants
// against hand-computed values, and bad attributes or operands refused naming the node.

import EFCore
import EFIR
import EFONNX
import XCTest
import EFTestSupport

final class ExtraImportTests: XCTestCase {
    func testCenterCropPadCropsAndPadsAroundTheCenter() throws {
        let ctx = ImportContext(opset: 18)
        ctx.addWeight("x", Tensor(shape: [5], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5)))
        ctx.addWeight("two", Tensor(shape: [1], scalars: [Int64(2)]))
        ctx.addWeight("eight", Tensor(shape: [1], scalars: [Int64(8)]))
        try importNode(onnxNode("CenterCropPad", ["x", "two"], ["crop"]), ctx)
        XCTAssertEqual(ctx.constant("crop")?.scalars(as: Float.self), [2, 3])
        try importNode(onnxNode("CenterCropPad", ["x", "eight"], ["pad"]), ctx)
        XCTAssertEqual(ctx.constant("pad")?.scalars(as: Float.self), [0, 1, 2, 3, 4, 5, 0, 0])
        assertEdgeflowError(.invalidModel, ["CenterCropPad node 'bad'", "one non-negative size per axis"]) {
            try importNode(onnxNode("CenterCropPad", ["x", "two"], ["bad"], ["axes": .ints([0, 0])]), ctx)
        }
    }

    func testLpNormalizationZeroNormGivesZeroAndPIsChecked() throws {
        let ctx = ImportContext(opset: 22)
        ctx.addWeight("x", Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 3, -1, 0, 0)))
        try importNode(onnxNode("LpNormalization", ["x"], ["y"], ["p": .int(1)]), ctx)
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Float.self), [0.75, -0.25, 0, 0])
        assertEdgeflowError(.invalidModel, ["LpNormalization node 'z'", "p is 3"]) {
            try importNode(onnxNode("LpNormalization", ["x"], ["z"], ["p": .int(3)]), ctx)
        }
    }

    func testCumProdAndShrinkOnIntegers() throws {
        let ctx = ImportContext(opset: 26)
        ctx.addWeight("x", Tensor(shape: [4], scalars: [Int32](arrayLiteral: 2, -3, 1, 4)))
        ctx.addWeight("axis", Tensor(scalar: Int64(0)))
        try importNode(onnxNode("CumProd", ["x", "axis"], ["p"], ["exclusive": .int(1), "reverse": .int(1)]), ctx)
        XCTAssertEqual(ctx.constant("p")?.scalars(as: Int32.self), [-12, 4, 4, 1])
        try importNode(onnxNode("Shrink", ["x"], ["s"], ["lambd": .float(1), "bias": .float(1)]), ctx)
        XCTAssertEqual(ctx.constant("s")?.scalars(as: Int32.self), [1, -2, 0, 3])
        assertEdgeflowError(.unsupported, ["Shrink node 't'", "int32"]) {
            try importNode(onnxNode("Shrink", ["x"], ["t"], ["lambd": .float(0.5)]), ctx)
        }
    }

    func testCol2ImSumsOverlappingBlocks() throws {
        let ctx = ImportContext(opset: 18)
        // One channel, 1×2 blocks over a 1×3 image: column k of block l lands on pixel l + k.
        ctx.addWeight("x", Tensor(shape: [1, 2, 2], scalars: [Float](arrayLiteral: 1, 10, 2, 20)))
        ctx.addWeight("image", Tensor(shape: [2], scalars: [Int64](arrayLiteral: 1, 3)))
        ctx.addWeight("block", Tensor(shape: [2], scalars: [Int64](arrayLiteral: 1, 2)))
        try importNode(onnxNode("Col2Im", ["x", "image", "block"], ["y"]), ctx)
        XCTAssertEqual(ctx.constant("y")?.shape, [1, 1, 1, 3])
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Float.self), [1, 12, 20])
        ctx.addWeight("wide", Tensor(shape: [2], scalars: [Int64](arrayLiteral: 1, 4)))
        assertEdgeflowError(.invalidModel, ["Col2Im node 'z'", "[N, C·2, 3]"]) {
            try importNode(onnxNode("Col2Im", ["x", "wide", "block"], ["z"]), ctx)
        }
    }

    func testCompressSelectsAndRefusesAConditionBeyondTheAxis() throws {
        let ctx = ImportContext(opset: 11)
        ctx.addWeight("x", Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6)))
        ctx.addWeight("keep", Tensor(shape: [2], scalars: [Int32](arrayLiteral: 0, 1)))
        ctx.addWeight("long", Tensor(shape: [4], scalars: [Int32](arrayLiteral: 0, 0, 0, 1)))
        try importNode(onnxNode("Compress", ["x", "keep"], ["row"], ["axis": .int(0)]), ctx)
        XCTAssertEqual(ctx.constant("row")?.shape, [1, 3])
        XCTAssertEqual(ctx.constant("row")?.scalars(as: Float.self), [4, 5, 6])
        assertEdgeflowError(.invalidModel, ["Compress node 'bad'", "position 3 of an axis of 3"]) {
            try importNode(onnxNode("Compress", ["x", "long"], ["bad"], ["axis": .int(1)]), ctx)
        }
    }

    func testReverseSequenceReversesEachPrefixAndClampsLengths() throws {
        let ctx = ImportContext(opset: 10)
        // time axis 0 (3 steps), batch axis 1 (2 entries): lengths 2 and 7 (clamped to 3).
        ctx.addWeight("x", Tensor(shape: [3, 2], scalars: [Float](arrayLiteral: 1, 10, 2, 20, 3, 30)))
        ctx.addWeight("lens", Tensor(shape: [2], scalars: [Int64](arrayLiteral: 2, 7)))
        try importNode(onnxNode("ReverseSequence", ["x", "lens"], ["y"]), ctx)
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Float.self), [2, 30, 1, 20, 3, 10])
        assertEdgeflowError(.invalidModel, ["ReverseSequence node 'z'", "time_axis and batch_axis"]) {
            try importNode(onnxNode("ReverseSequence", ["x", "lens"], ["z"], ["time_axis": .int(1),
                                                                             "batch_axis": .int(1)]), ctx)
        }
    }
}

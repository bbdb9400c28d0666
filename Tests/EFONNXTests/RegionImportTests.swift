// Importers of RoiAlign, DeformConv (SamplingImporters.swift), Det and BitCast
// (ExtraImporters.swift), TensorScatter, MelWeightMatrix, NonZero and Unique
// (DataDependentImporters.swift) and LSTM's peepholes and per-entry sequence_lens:
// results folded on constants against hand-computed values, and bad attributes or operands
// refused naming the node.

import EFCore
import EFIR
import EFONNX
import Foundation
import XCTest
import EFTestSupport

final class RegionImportTests: XCTestCase {
    func testRoiAlignAndDeformConvRefuseWhatTheyCannotRun() throws {
        let ctx = ImportContext(opset: 19)
        ctx.addInput("x", TensorType(.float32, [1, 2, 4, 4]))
        ctx.addInput("rois", TensorType(.float32, [3, 4]))
        ctx.addInput("indices", TensorType(.int64, [3]))
        try importNode(onnxNode("RoiAlign", ["x", "rois", "indices"], ["pooled"], ["output_height": .int(2)]), ctx)
        XCTAssertEqual(try ctx.type("pooled"), TensorType(.float32, [3, 2, 2, 1]))
        assertEdgeflowError(.unsupported, ["RoiAlign node 'avg'", "mode 'sum'"]) {
            let sum = onnxNode("RoiAlign", ["x", "rois", "indices"], ["avg"], ["mode": .string(Data("sum".utf8))])
            try importNode(sum, ctx)
        }
        ctx.addInput("volume", TensorType(.float32, [1, 1, 3, 3, 3]))
        ctx.addInput("w3", TensorType(.float32, [1, 1, 1, 1, 1]))
        ctx.addInput("offset3", TensorType(.float32, [1, 3, 3, 3, 3]))
        assertEdgeflowError(.unsupported, ["DeformConv node 'deep'", "only 2-D"]) {
            try importNode(onnxNode("DeformConv", ["volume", "w3", "offset3"], ["deep"]), ctx)
        }
        ctx.addInput("w", TensorType(.float32, [4, 2, 3, 3]))
        ctx.addInput("offset", TensorType(.float32, [1, 18, 3, 3]))
        assertEdgeflowError(.invalidModel, ["DeformConv 'bent'", "offset [1, 18, 3, 3] must be [1, 1·9·2, 2, 2]"]) {
            try importNode(onnxNode("DeformConv", ["x", "w", "offset"], ["bent"]), ctx)
        }
    }

    func testDetFoldsAndBitCastRefusesOtherWidths() throws {
        let ctx = ImportContext(opset: 26)
        ctx.addWeight("m", Tensor(shape: [2, 2], scalars: [Float](arrayLiteral: 4, 7, 2, 6)))
        try importNode(onnxNode("Det", ["m"], ["d"]), ctx)
        XCTAssertEqual(try XCTUnwrap(ctx.constant("d")?.scalars(as: Float.self).first), 10, accuracy: 1e-5)
        try importNode(onnxNode("BitCast", ["m"], ["bits"], ["to": .int(6)]), ctx)  // int32
        XCTAssertEqual(ctx.constant("bits")?.scalars(as: Int32.self).first, 0x4080_0000)
        assertEdgeflowError(.invalidModel, ["BitCast node 'wide'", "float32 (32 bits) and int64 (64 bits)"]) {
            try importNode(onnxNode("BitCast", ["m"], ["wide"], ["to": .int(7)]), ctx)
        }
    }

    func testTensorScatterWritesFromEachBatchIndexAndWrapsInCircularMode() throws {
        let ctx = ImportContext(opset: 24)
        // Two batches, caches of 4 steps of width 1, two new steps each, written at 1 and at 3.
        ctx.addWeight("past", Tensor(shape: [2, 4, 1], scalars: [Float](repeating: 0, count: 8)))
        ctx.addWeight("update", Tensor(shape: [2, 2, 1], scalars: [Float](arrayLiteral: 1, 2, 3, 4)))
        ctx.addWeight("at", Tensor(shape: [2], scalars: [Int64](arrayLiteral: 1, 3)))
        try importNode(onnxNode("TensorScatter", ["past", "update", "at"], ["linear"]), ctx)
        XCTAssertEqual(ctx.constant(ctx.value("linear"))?.scalars(as: Float.self), [0, 1, 2, 0, 0, 0, 0, 3])
        let circular = onnxNode("TensorScatter", ["past", "update", "at"], ["ring"],
                                ["mode": .string(Data("circular".utf8))])
        try importNode(circular, ctx)
        XCTAssertEqual(ctx.constant(ctx.value("ring"))?.scalars(as: Float.self), [0, 1, 2, 0, 4, 0, 0, 3])
        assertEdgeflowError(.invalidModel, ["TensorScatter node 'batch'", "not the batch axis"]) {
            try importNode(onnxNode("TensorScatter", ["past", "update"], ["batch"], ["axis": .int(0)]), ctx)
        }
    }

    func testMelWeightMatrixRefusesBandsOutsideTheSpectrogram() throws {
        let ctx = ImportContext(opset: 17)
        for (name, value) in [("bands", 8), ("length", 16), ("rate", 8192)] {
            ctx.addWeight(name, Tensor(scalar: Int32(value)))
        }
        ctx.addWeight("low", Tensor(scalar: Float(0)))
        ctx.addWeight("high", Tensor(scalar: Float(4096)))
        ctx.addWeight("beyond", Tensor(scalar: Float(9000)))
        try importNode(onnxNode("MelWeightMatrix", ["bands", "length", "rate", "low", "high"], ["mel"]), ctx)
        let mel = try XCTUnwrap(ctx.constant("mel"))
        XCTAssertEqual(mel.shape, [9, 8])
        // Band 0 has its edges on bins 0, 0 and 0: a single 1 at bin 0.
        XCTAssertEqual(mel.scalars(as: Float.self)[0], 1)
        assertEdgeflowError(.invalidModel, ["MelWeightMatrix node 'far'", "outside 0..<9"]) {
            try importNode(onnxNode("MelWeightMatrix", ["bands", "length", "rate", "low", "beyond"], ["far"]), ctx)
        }
    }

    func testLSTMSequenceLengthsStopShorterEntries() throws {
        let ctx = ImportContext(opset: 14)
        ctx.addWeight("x", Tensor(shape: [3, 2, 1], scalars: [Float](repeating: 1, count: 6)))
        ctx.addWeight("w", Tensor(shape: [1, 4, 1], scalars: [Float](repeating: 1, count: 4)))
        ctx.addWeight("r", Tensor(zeros: .float32, shape: [1, 4, 1]))
        ctx.addWeight("lens", Tensor(shape: [2], scalars: [Int32](arrayLiteral: 3, 2)))
        try importNode(onnxNode("LSTM", ["x", "w", "r", "", "lens"], ["y", "y_h"], ["hidden_size": .int(1)]), ctx)
        // Y [T, 1, B, 1]: entry 1 stops after two steps (zeros at t = 2, Y_h its step-1 output).
        let y = try XCTUnwrap(ctx.constant(ctx.value("y"))).scalars(as: Float.self)
        let last = try XCTUnwrap(ctx.constant(ctx.value("y_h"))).scalars(as: Float.self)
        XCTAssertEqual(y[2 * 2 + 1], 0)
        XCTAssertNotEqual(y[2 * 2 + 0], 0)
        XCTAssertEqual(last, [y[2 * 2 + 0], y[1 * 2 + 1]])
        ctx.addWeight("bad", Tensor(shape: [3], scalars: [Int32](arrayLiteral: 1, 2, 3)))
        assertEdgeflowError(.invalidModel, ["LSTM node 'odd'", "sequence_lens int32[3] must be an integer [2]"]) {
            try importNode(onnxNode("LSTM", ["x", "w", "r", "", "bad"], ["odd"], ["hidden_size": .int(1)]), ctx)
        }
    }

    func testNonZeroAndUniqueFoldKnownInputsAndRefuseUnknownOnes() throws {
        let ctx = ImportContext(opset: 11)
        ctx.addWeight("m", Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: 0, 5, 0, 5, 0, 1)))
        try importNode(onnxNode("NonZero", ["m"], ["where"]), ctx)
        XCTAssertEqual(ctx.constant("where")?.shape, [2, 3])
        XCTAssertEqual(ctx.constant("where")?.scalars(as: Int64.self), [0, 1, 1, 1, 0, 2])
        // Sorted: 0, 1, 5; first seen at 0, 5, 1; counts 3, 1, 2.
        try importNode(onnxNode("Unique", ["m"], ["values", "first", "inverse", "counts"]), ctx)
        XCTAssertEqual(ctx.constant("values")?.scalars(as: Float.self), [0, 1, 5])
        XCTAssertEqual(ctx.constant("first")?.scalars(as: Int64.self), [0, 5, 1])
        XCTAssertEqual(ctx.constant("inverse")?.scalars(as: Int64.self), [0, 2, 0, 2, 0, 1])
        XCTAssertEqual(ctx.constant("counts")?.scalars(as: Int64.self), [3, 1, 2])
        // In order of first occurrence: 0, 5, 1.
        try importNode(onnxNode("Unique", ["m"], ["seen", "", "where_seen"], ["sorted": .int(0)]), ctx)
        XCTAssertEqual(ctx.constant("seen")?.scalars(as: Float.self), [0, 5, 1])
        XCTAssertEqual(ctx.constant("where_seen")?.scalars(as: Int64.self), [0, 1, 0, 1, 0, 2])
        ctx.addInput("x", TensorType(.float32, [4]))
        XCTAssertThrowsError(try importNode(onnxNode("NonZero", ["x"], ["live"]), ctx)) { error in
            XCTAssertEqual((error as? NonConstantOperand)?.node, "live")  // reported by the importer
        }
    }
}

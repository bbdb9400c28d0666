// Transformer importers (Attention, RMSNormalization, RotaryEmbedding, SwiGLU): refusals that
// name the node and what is wrong, and small constant cases checked against hand-computed values
// (constant inputs fold at import, so the lowered graph's result is a constant).

import EFCore
import EFIR
import EFONNX
import Foundation
import XCTest
import EFTestSupport

final class TransformerImportTests: XCTestCase {
    private func attentionContext(qHeads: Int, kvHeads: Int) -> ImportContext {
        let ctx = ImportContext(opset: 23)
        ctx.addInput("Q", TensorType(.float32, [1, qHeads, 2, 4]))
        ctx.addInput("K", TensorType(.float32, [1, kvHeads, 3, 4]))
        ctx.addInput("V", TensorType(.float32, [1, kvHeads, 3, 4]))
        return ctx
    }

    func testAttentionWithQueryHeadsNotAMultipleOfKVHeadsNamesTheNode() {
        let ctx = attentionContext(qHeads: 3, kvHeads: 2)
        assertEdgeflowError(.invalidModel, ["Attention", "'attn_out'", "3 query heads", "2 key/value heads"]) {
            try importNode(onnxNode("Attention", ["Q", "K", "V"], ["attn_out"]), ctx)
        }
    }

    func testAttentionMissingValueInputIsNamed() {
        let ctx = attentionContext(qHeads: 2, kvHeads: 2)
        assertEdgeflowError(.invalidModel, ["'attn_out'", "V input"]) {
            try importNode(onnxNode("Attention", ["Q", "K"], ["attn_out"]), ctx)
        }
    }

    func testAttention3DInputsNeedHeadCounts() {
        let ctx = ImportContext(opset: 23)
        for name in ["Q", "K", "V"] { ctx.addInput(name, TensorType(.float32, [1, 2, 8])) }
        assertEdgeflowError(.invalidModel, ["q_num_heads"]) {
            try importNode(onnxNode("Attention", ["Q", "K", "V"], ["attn_out"]), ctx)
        }
    }

    func testAttentionPastKeyWithoutPastValueIsRefused() {
        let ctx = attentionContext(qHeads: 2, kvHeads: 2)
        ctx.addInput("past", TensorType(.float32, [1, 2, 1, 4]))
        assertEdgeflowError(.invalidModel, ["past_key and past_value"]) {
            try importNode(onnxNode("Attention", ["Q", "K", "V", "", "past"], ["attn_out"]), ctx)
        }
    }

    /// One query, two keys, the second masked off: Y is V's first row and the mode-3 weights [1, 0].
    func testAttentionBoolMaskSelectsTheAllowedKey() throws {
        let ctx = ImportContext(opset: 23)
        ctx.addWeight("Q", Tensor(shape: [1, 1, 1, 2], scalars: [Float(1), 0]))
        ctx.addWeight("K", Tensor(shape: [1, 1, 2, 2], scalars: [Float(0), 1, 1, 0]))
        ctx.addWeight("V", Tensor(shape: [1, 1, 2, 2], scalars: [Float(3), 4, 5, 6]))
        ctx.addWeight("mask", Tensor(shape: [1, 2], scalars: [true, false]))
        try importNode(onnxNode("Attention", ["Q", "K", "V", "mask"], ["Y", "", "", "W"],
                                ["qk_matmul_output_mode": .int(3)]), ctx)
        XCTAssertEqual(ctx.constant(ctx.value("Y"))?.scalars(as: Float.self), [3, 4])
        XCTAssertEqual(ctx.constant(ctx.value("W"))?.scalars(as: Float.self), [1, 0])
    }

    func testSwiGLUMultipliesTheSwishOfTheGateByTheValue() throws {
        let ctx = ImportContext(opset: 28)
        ctx.addWeight("A", Tensor(shape: [2], scalars: [Float(0), 2]))
        ctx.addWeight("B", Tensor(shape: [2], scalars: [Float(5), 3]))
        try importNode(onnxNode("SwiGLU", ["A", "B"], ["Y"], ["alpha": .float(0.5)]), ctx)
        let y = try XCTUnwrap(ctx.constant(ctx.value("Y"))).scalars(as: Float.self)
        XCTAssertEqual(y[0], 0)
        XCTAssertEqual(y[1], 2 * 3 / (1 + exp(-1)), accuracy: 1e-5)
    }

    func testSwiGLURefusesInputsOfDifferentShapes() {
        let ctx = ImportContext(opset: 28)
        ctx.addInput("A", TensorType(.float32, [2, 4]))
        ctx.addInput("B", TensorType(.float32, [4]))
        assertEdgeflowError(.invalidModel, ["SwiGLU", "'gated'", "one shape"]) {
            try importNode(onnxNode("SwiGLU", ["A", "B"], ["gated"]), ctx)
        }
    }

    func testRMSNormalizationOverTheLastAxis() throws {
        let ctx = ImportContext(opset: 23)
        ctx.addWeight("X", Tensor(shape: [2, 2], scalars: [Float(3), 4, 1, 1]))
        ctx.addWeight("scale", Tensor(shape: [2], scalars: [Float(1), 2]))
        try importNode(onnxNode("RMSNormalization", ["X", "scale"], ["Y"], ["epsilon": .float(0)]), ctx)
        let y = try XCTUnwrap(ctx.constant(ctx.value("Y"))).scalars(as: Float.self)
        let rms = Float(12.5).squareRoot()
        for (got, want) in zip(y, [3 / rms, 8 / rms, 1, 2]) { XCTAssertEqual(got, want, accuracy: 1e-6) }
    }

    func testRotaryEmbeddingRequiresAnEvenRotaryDimension() {
        let ctx = ImportContext(opset: 23)
        ctx.addInput("X", TensorType(.float32, [1, 1, 2, 4]))
        ctx.addInput("cos", TensorType(.float32, [1, 2, 1]))
        ctx.addInput("sin", TensorType(.float32, [1, 2, 1]))
        assertEdgeflowError(.invalidModel, ["RotaryEmbedding", "rotary_embedding_dim 3"]) {
            try importNode(onnxNode("RotaryEmbedding", ["X", "cos", "sin"], ["Y"], ["rotary_embedding_dim": .int(3)]),
                           ctx)
        }
    }
}

// Importers of CausalConvWithState, LinearAttention (StreamingStateImporters.swift,
// LinearAttentionLayer.swift) and FlexAttention (FlexAttentionImporter.swift): a hand-checked
// causal convolution folded on constants, and bad operands or attributes refused naming the node.
// The ONNX backend suite checks the arithmetic (Tests/ConformanceTests).

import EFCore
import EFIR
import EFONNX
import Foundation
import XCTest
import EFTestSupport

final class StreamingImportTests: XCTestCase {
    func testCausalConvWithStateContinuesThePreviousCall() throws {
        let ctx = ImportContext(opset: 26)
        // One channel, kernel [1, 10, 100] (oldest tap first), past tail [2, 3], input [4, 5].
        ctx.addWeight("x", Tensor(shape: [1, 1, 2], scalars: [Float](arrayLiteral: 4, 5)))
        ctx.addWeight("w", Tensor(shape: [1, 1, 3], scalars: [Float](arrayLiteral: 1, 10, 100)))
        ctx.addWeight("past", Tensor(shape: [1, 1, 2], scalars: [Float](arrayLiteral: 2, 3)))
        try importNode(onnxNode("CausalConvWithState", ["x", "w", "", "past"], ["y", "state"]), ctx)
        // y0 = 2 + 30 + 400, y1 = 3 + 40 + 500; the new tail is the input itself.
        XCTAssertEqual(ctx.constant(ctx.value("y"))?.scalars(as: Float.self), [432, 543])
        XCTAssertEqual(ctx.constant(ctx.value("state"))?.scalars(as: Float.self), [4, 5])
        ctx.addWeight("wide", Tensor(zeros: .float32, shape: [1, 2, 3]))
        assertEdgeflowError(.invalidModel, ["CausalConvWithState node 'bad'", "[C, 1, k]"]) {
            try importNode(onnxNode("CausalConvWithState", ["x", "wide"], ["bad"]), ctx)
        }
        let gelu = onnxNode("CausalConvWithState", ["x", "w"], ["g"], ["activation": .string(Data("gelu".utf8))])
        assertEdgeflowError(.unsupported, ["CausalConvWithState node 'g'", "activation 'gelu'"]) {
            try importNode(gelu, ctx)
        }
    }

    func testLinearAttentionChecksHeadsAndTheUpdateRule() throws {
        let ctx = ImportContext(opset: 26)
        ctx.addInput("q", TensorType(.float32, [1, 3, 8]))
        ctx.addInput("v", TensorType(.float32, [1, 3, 6]))
        ctx.addInput("decay", TensorType(.float32, [1, 3, 2]))
        let heads: [String: OnnxAttribute] = ["q_num_heads": .int(2), "kv_num_heads": .int(2),
                                              "update_rule": .string(Data("linear".utf8))]
        try importNode(onnxNode("LinearAttention", ["q", "q", "v"], ["y", "state"], heads), ctx)
        XCTAssertEqual(try ctx.type(ctx.value("y")), TensorType(.float32, [1, 3, 6]))
        XCTAssertEqual(try ctx.type(ctx.value("state")), TensorType(.float32, [1, 2, 4, 3]))
        assertEdgeflowError(.invalidModel, ["LinearAttention node 'gated'", "forbids decay"]) {
            try importNode(onnxNode("LinearAttention", ["q", "q", "v", "", "decay"], ["gated"], heads), ctx)
        }
        var uneven = heads
        uneven["q_num_heads"] = .int(3)
        assertEdgeflowError(.invalidModel, ["LinearAttention node 'odd'", "q_num_heads 3"]) {
            try importNode(onnxNode("LinearAttention", ["q", "q", "v"], ["odd"], uneven), ctx)
        }
    }

    func testFlexAttentionRefusesHeadsThatDoNotGroup() throws {
        let ctx = ImportContext(opset: 26)
        ctx.addInput("q", TensorType(.float32, [1, 3, 4, 8]))
        ctx.addInput("kv", TensorType(.float32, [1, 2, 5, 8]))
        var node = onnxNode("FlexAttention", ["q", "kv", "kv"], ["bad"])
        node.domain = "ai.onnx.preview"
        assertEdgeflowError(.invalidModel, ["FlexAttention node 'bad'", "H_q a multiple of H_kv"]) {
            try importNode(node, ctx)
        }
    }
}

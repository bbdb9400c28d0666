// Ops of Edgeflow's own ONNX domain (ai.edgeflow), which the TFLite importer writes for int8
// models: imported only under that domain, folded on constants against hand-worked values,
// missing attributes refused naming the node.

import EFCore
import EFIR
import EFONNX
import XCTest
import EFTestSupport

final class EdgeflowDomainImportTests: XCTestCase {
    private func edgeflowNode(_ op: String, _ inputs: [String], _ output: String,
                              _ attributes: [String: OnnxAttribute]) -> OnnxNode {
        var node = onnxNode(op, inputs, [output], attributes)
        node.domain = "ai.edgeflow"
        return node
    }

    func testFixedPointRequantizeFoldsWithTFLiteRounding() throws {
        let ctx = ImportContext(opset: 17)
        ctx.addWeight("acc", Tensor(shape: [3], scalars: [Int32(3), -3, 1000]))
        ctx.addWeight("m", Tensor(shape: [1], scalars: [Int32(1 << 30)]))   // 0.5 with shift 0
        ctx.addWeight("s", Tensor(shape: [1], scalars: [Int32(0)]))
        try importNode(edgeflowNode("FixedPointRequantize", ["acc", "m", "s"], "y", [
            "zero_point": .int(-10), "min": .int(-128), "max": .int(127), "to": .int(3),   // 3: INT8
        ]), ctx)
        // 1.5 → 2 and −1.5 → −1 (ties upward), 500 saturates; then − 10.
        XCTAssertEqual(ctx.constant("y")?.scalars(as: Int8.self), [-8, -11, 127])
        assertEdgeflowError(.invalidModel, ["FixedPointRequantize", "'z'", "to, min and max"]) {
            try importNode(self.edgeflowNode("FixedPointRequantize", ["acc", "m", "s"], "z", ["to": .int(3)]), ctx)
        }
    }

    func testLookupSoftmaxFoldsOneRow() throws {
        let ctx = ImportContext(opset: 17)
        ctx.addWeight("x", Tensor(shape: [1, 3], scalars: [Int8(5), 5, 5]))
        var table = [Float](repeating: 0, count: 256)
        table[255] = 1
        ctx.addWeight("table", Tensor(shape: [256], scalars: table))
        try importNode(edgeflowNode("LookupSoftmax", ["x", "table"], "p", [
            "scale": .float(1.0 / 256), "zero_point": .int(-128),
        ]), ctx)
        // Three equal values: each 1 / (3 · 2^-8) = 85.33 → 85, − 128.
        XCTAssertEqual(ctx.constant("p")?.scalars(as: Int8.self), [-43, -43, -43])
    }

    func testTheOpsNeedTheirDomain() {
        let graph = [onnxNode("FixedPointRequantize", ["a", "b", "c"])]
        let unsupported = ONNXImporter.unsupportedOperators(graph, opsets: ["": 17])
        XCTAssertEqual(unsupported.map(\.qualifiedName), ["FixedPointRequantize"])
        var other = onnxNode("FixedPointRequantize", ["a", "b", "c"])
        other.domain = "com.example"
        XCTAssertEqual(ONNXImporter.unsupportedOperators([other], opsets: [:]).map(\.qualifiedName),
                       ["com.example.FixedPointRequantize"])
    }
}

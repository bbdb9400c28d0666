// Shape rules never trap on sizes: every output (and input) type must have a byte count that
// fits in Int, and sums and products inside the rules (pads, concat, depthToSpace,
// spaceToDepth, conv groups, convTranspose output padding) are checked; float attributes
// convert to Int without trapping.

import EFCore
import EFIR
import XCTest

final class SizeCheckShapeRuleTests: XCTestCase {
    private func infer(_ op: OpType, _ inputs: [TensorType?], _ attributes: Attributes = [:]) throws -> [TensorType] {
        let node = try Node(name: "n", op: op, inputs: inputs.indices.map { "x\($0)" }, outputs: ["y"],
                        attributes: attributes)
        return try ShapeInference.infer(node, inputTypes: inputs)
    }

    private func assertInvalidModel(_ fragment: String, file: StaticString = #filePath, line: UInt = #line,
                                    _ body: () throws -> Any) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? EdgeflowError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.kind, .invalidModel, "\(error)", file: file, line: line)
            XCTAssertTrue(error.message.contains(fragment), "\(error)", file: file, line: line)
            XCTAssertTrue(error.message.contains("node 'n'"), "\(error)", file: file, line: line)
        }
    }

    func testCheckSizeCountsZeroDimsAsOne() throws {
        XCTAssertEqual(try TensorType(.float32, [2, 3]).checkSize("v"), 24)
        XCTAssertEqual(try TensorType(.float32, [0, 1 << 40]).checkSize("v"), 0)
        XCTAssertThrowsError(try TensorType(.uint8, [0, 1 << 40, 1 << 40]).checkSize("value 'v'")) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel)
            XCTAssertTrue("\(error)".contains("value 'v'"), "\(error)")
        }
        XCTAssertThrowsError(try TensorType(.float64, [1 << 61]).checkSize("v"))
        XCTAssertThrowsError(try TensorType(.float32, [-1]).checkSize("v"))
    }

    func testOutputsAndInputsMustFit() {
        let x = TensorType(.float32, [1])
        assertInvalidModel("output 'y'") {
            try self.infer(.expand, [x], ["shape": .ints([1 << 32, 1 << 32])])
        }
        assertInvalidModel("input 0") {
            try self.infer(.unary, [TensorType(.float32, [1 << 62])], ["fn": .string("relu")])
        }
        assertInvalidModel("reshape") {
            try self.infer(.reshape, [TensorType(.float32, [0])], ["shape": .ints([1 << 40, 1 << 40, 0])])
        }
    }

    func testPadConcatAndTileSumsAreChecked() {
        let big = TensorType(.uint8, [1 << 62])
        assertInvalidModel("pads") { try self.infer(.pad, [big], ["pads": .ints([1 << 62, 1 << 62])]) }
        assertInvalidModel("concat") { try self.infer(.concat, [big, big], ["axis": .int(0)]) }
        assertInvalidModel("tile") { try self.infer(.tile, [big], ["repeats": .ints([4])]) }
    }

    func testBlockRearrangeProductsAreChecked() {
        let tall = TensorType(.uint8, [1, 1 << 40, 1, 1])
        assertInvalidModel("depthToSpace") {
            try self.infer(.depthToSpace, [tall], ["blockSize": .int(1 << 33), "mode": .string("DCR")])
        }
        let wide = TensorType(.uint8, [1, 1 << 50, 2, 2])
        assertInvalidModel("spaceToDepth") { try self.infer(.spaceToDepth, [wide], ["blockSize": .int(1 << 10)]) }
    }

    func testConvGroupAndOutputPaddingAreChecked() {
        let x = TensorType(.float32, [1, 0, 4, 4]), w = TensorType(.float32, [0, 1 << 40, 1, 1])
        assertInvalidModel("group") { try self.infer(.conv, [x, w], ["group": .int(1 << 40)]) }
        let xt = TensorType(.float32, [1, 2, 4, 4]), wt = TensorType(.float32, [2, 1, 1, 1])
        assertInvalidModel("outputPadding") {
            try self.infer(.convTranspose, [xt, wt], ["outputPadding": .ints([Int.max, 0])])
        }
        assertInvalidModel("convTranspose output channels") {
            try self.infer(.convTranspose, [x, w], ["group": .int(1 << 40)])
        }
    }

    func testVerifierChecksEveryValueSize() {
        let graph = Graph(name: "g", inputs: ["x"], outputs: ["x"], types: ["x": TensorType(.float32, [1 << 62])])
        XCTAssertThrowsError(try Verifier.verify(graph)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel, "\(error)")
            XCTAssertTrue("\(error)".contains("value 'x' (graph input)"), "\(error)")
        }
    }

    func testFloatAttributesConvertWithoutTrapping() {
        let attributes: Attributes = ["a": .float(1e30), "b": .floats([1, .infinity]), "c": .float(3)]
        XCTAssertNil(attributes.int("a"))
        XCTAssertNil(attributes.ints("b"))
        XCTAssertEqual(attributes.int("c"), 3)
    }
}

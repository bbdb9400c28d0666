// Models the importer must refuse with a clear message: truncated files, cycles, dangling
// inputs, unknown ops (all listed at once), absurd tensor sizes, wrong options, missing
// external data, dynamic shapes, unsupported opsets.

import EFCore
import EFIR
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class BadModelTests: XCTestCase {
    func testTruncatedModelFileNamesThePathAndOffset() throws {
        let directory = try temporaryDirectory()
        let file = directory.appendingPathComponent("model.onnx")
        let model = TestModels.shapeModel()
        try model.prefix(model.count / 2).write(to: file)
        assertEdgeflowError(.invalidModel, [file.path, "byte offset", "ModelProto.graph"]) {
            try ONNXImporter.importModel(at: file)
        }
    }

    func testMissingModelFileIsAnIOError() {
        assertEdgeflowError(.io, ["cannot read", "nowhere.onnx"]) {
            try ONNXImporter.importModel(at: URL(fileURLWithPath: "/nonexistent/nowhere.onnx"))
        }
    }

    func testCycleNamesTheNodesOnIt() {
        let model = TestModels.model(
            nodes: [OnnxBytes.node("Identity", ["b"], ["a"], name: "A"),
                    OnnxBytes.node("Identity", ["a"], ["b"], name: "B")],
            inputs: [:], outputs: ["a"])
        assertEdgeflowError(.invalidModel, ["cycle", "'A'", "'B'"]) { try importBytes(model) }
    }

    func testDanglingInputNamesNodeAndValue() {
        let model = TestModels.model(
            nodes: [OnnxBytes.node("Shape", ["ghost"], ["s"], name: "S")],
            inputs: ["x": [2]], outputs: ["s"])
        assertEdgeflowError(.invalidModel, ["Shape node 'S' reads 'ghost'", "no node, initializer or graph input"]) {
            try importBytes(model)
        }
    }

    func testValueProducedTwiceIsInvalid() {
        let model = TestModels.model(
            nodes: [OnnxBytes.node("Shape", ["x"], ["s"], name: "S1"), OnnxBytes.node("Size", ["x"], ["s"], name: "S2")],
            inputs: ["x": [2]], outputs: ["s"])
        assertEdgeflowError(.invalidModel, ["'s' is produced twice", "'S1'", "'S2'"]) { try importBytes(model) }
    }

    func testAllUnsupportedOpsAreListedInOneError() throws {
        let model = TestModels.model(
            nodes: [OnnxBytes.node("FancyOp", ["x"], ["a"], name: "f1"),
                    OnnxBytes.node("OtherOp", ["a"], ["b"], name: "o1"),
                    OnnxBytes.node("FancyOp", ["b"], ["c"], name: "f2"),
                    OnnxBytes.node("Fused", ["c"], ["d"], name: "m1", domain: "com.example")],
            inputs: ["x": [2]], outputs: ["d"])
        assertEdgeflowError(.unsupported, ["3 ops", "FancyOp (opset 17; nodes 'f1', 'f2')",
                                           "OtherOp (opset 17; node 'o1')", "com.example.Fused", "--end-node-names"]) {
            try importBytes(model)
        }
    }

    func testDeadUnsupportedNodesAreNotImported() throws {
        let model = TestModels.model(
            nodes: [OnnxBytes.node("Shape", ["x"], ["s"], name: "S"), OnnxBytes.node("FancyOp", ["x"], ["unused"])],
            inputs: ["x": [2, 5]], outputs: ["s"])
        let graph = try importBytes(model)
        XCTAssertEqual(graph.weights["s"]?.scalars(as: Int64.self), [2, 5])
    }

    func testAbsurdInitializerSizeIsRefused() {
        let huge = OnnxBytes.tensor("w", dims: [1_000_000, 1_000_000], raw: OnnxBytes.floatBytes([1]))
        let model = TestModels.model(nodes: [OnnxBytes.node("Shape", ["w"], ["s"])], inputs: [:], outputs: ["s"],
                                     initializers: [huge])
        assertEdgeflowError(.invalidModel, ["tensor 'w'", "need 4000000000000 bytes"]) { try importBytes(model) }
    }

    func testUnknownInputShapeNameListsTheRealInputs() {
        let options = ImportOptions(inputShapes: ["images": [1, 3]])
        assertEdgeflowError(.invalidArgument, ["--input-shape names 'images'", "inputs are: x"]) {
            try importBytes(TestModels.shapeModel(), options: options)
        }
        let near = ImportOptions(inputShapes: ["X": [2, 3]])
        assertEdgeflowError(.invalidArgument, ["did you mean 'x'?"]) { try importBytes(TestModels.shapeModel(), options: near) }
    }

    func testInputShapeContradictingAFixedDim() {
        let options = ImportOptions(inputShapes: ["x": [2, 4]])
        assertEdgeflowError(.invalidArgument, ["dim 1 = 4", "fixes it at 3"]) {
            try importBytes(TestModels.shapeModel(xDims: [.param("N"), .value(3)]), options: options)
        }
    }

    func testDynamicDimWithoutOverrideSuggestsInputShape() {
        let model = TestModels.shapeModel(xDims: [.value(2), .param("width")])
        assertEdgeflowError(.unsupported, ["graph input 'x'", "dim 1 ('width')", "--input-shape x=2,<width>"]) {
            try importBytes(model)
        }
    }

    func testUnknownStartAndEndNodeNamesSuggestNearMatches() {
        let options = ImportOptions(startNodeNames: ["s"], endNodeNames: ["C", "Cc", "nothing_like_it"])
        assertEdgeflowError(.invalidArgument, ["unknown start node name 's' (did you mean 'S'?)"]) {
            try importBytes(TestModels.shapeModel(), options: options)
        }
        let ends = ImportOptions(endNodeNames: ["Cc", "nothing_like_it"])
        assertEdgeflowError(.invalidArgument, ["unknown end node names 'Cc' (did you mean 'C'?), 'nothing_like_it'"]) {
            try importBytes(TestModels.shapeModel(), options: ends)
        }
    }

    func testExternalDataWithMissingFile() throws {
        let directory = try temporaryDirectory()
        let external = OnnxBytes.tensor("w", dims: [4], external: [("location", "model.data")])
        let model = TestModels.model(nodes: [OnnxBytes.node("Identity", ["w"], ["y"])], inputs: [:], outputs: ["y"],
                                     initializers: [external])
        let file = directory.appendingPathComponent("model.onnx")
        try model.write(to: file)
        assertEdgeflowError(.io, ["tensor 'w'", "'model.data'", "cannot be read"]) { try ONNXImporter.importModel(at: file) }
    }

    func testOpsetOutsideTheSupportedRange() {
        let old = TestModels.model(nodes: [OnnxBytes.node("Shape", ["x"], ["s"])], inputs: ["x": [1]], outputs: ["s"],
                                   opset: 29)
        assertEdgeflowError(.unsupported, ["opset 29", "version_converter"]) { try importBytes(old) }
    }

    func testOutputNothingProducesIsInvalid() {
        let model = TestModels.model(nodes: [], inputs: ["x": [1]], outputs: ["y"])
        assertEdgeflowError(.invalidModel, ["graph output 'y' is not produced"]) { try importBytes(model) }
    }
}

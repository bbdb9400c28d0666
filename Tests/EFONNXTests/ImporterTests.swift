// What the importer builds: inputs with --input-shape, constants from initializers and the
// constant ops, graph outputs under their ONNX names, metadata, subgraph cuts, and inputs frozen
// on demand when they decide a shape.

import EFCore
import EFIR
import EFONNX
import EFTestSupport
import Foundation
import XCTest

final class ImporterTests: XCTestCase {
    func testShapeModelWithInputShapeOverrideAndMetadata() throws {
        let model = TestModels.shapeModel(xDims: [.param("N"), .value(3)], metadata: [("character", "a\nb")])
        let graph = try importBytes(model, options: ImportOptions(inputShapes: ["x": [4, 3]]))
        XCTAssertEqual(graph.inputs, ["x"])
        XCTAssertEqual(graph.types["x"], TensorType(.float32, [4, 3]))
        XCTAssertEqual(graph.outputs, ["s", "c"])
        XCTAssertEqual(graph.weights["s"]?.scalars(as: Int64.self), [4, 3])
        XCTAssertEqual(graph.weights["c"]?.shape, [4, 3])
        XCTAssertEqual(graph.weights["c"]?.scalars(as: Float.self), [Float](repeating: 7, count: 12))
        XCTAssertEqual(graph.metadata["character"], "a\nb")
        XCTAssertTrue(graph.nodes.isEmpty)
        XCTAssertNoThrow(try Verifier.verify(graph))
    }

    func testConstantAttributeFormsAndShapeOps() throws {
        var ints = ProtoWriter()
        ints.string(1, "value_ints")
        ints.packedInts(8, [3, -1])
        ints.int(20, 7)
        var float = ProtoWriter()
        float.string(1, "value_float")
        float.float(2, 2.5)
        float.int(20, 1)
        let model = TestModels.model(
            nodes: [
                OnnxBytes.node("Constant", [], ["k"], attributes: [ints.bytes]),
                OnnxBytes.node("Constant", [], ["f"], attributes: [float.bytes]),
                OnnxBytes.node("Shape", ["x"], ["tail"], attributes: [OnnxBytes.intAttribute("start", -2)]),
                OnnxBytes.node("Size", ["x"], ["n"]),
                OnnxBytes.node("EyeLike", ["x2"], ["eye"], attributes: [OnnxBytes.intAttribute("k", 1)]),
            ],
            inputs: ["x": [2, 3, 5], "x2": [2, 3]], outputs: ["k", "f", "tail", "n", "eye"])
        let graph = try importBytes(model)
        XCTAssertEqual(graph.weights["k"]?.scalars(as: Int64.self), [3, -1])
        XCTAssertEqual(graph.weights["f"]?.shape, [])
        XCTAssertEqual(graph.weights["f"]?.scalars(as: Float.self), [2.5])
        XCTAssertEqual(graph.weights["tail"]?.scalars(as: Int64.self), [3, 5])
        XCTAssertEqual(graph.weights["n"]?.scalars(as: Int64.self), [30])
        XCTAssertEqual(graph.weights["eye"]?.scalars(as: Float.self), [0, 1, 0, 0, 0, 1])
    }

    func testDropoutMaskIsAConstantTrueTensor() throws {
        let model = TestModels.model(nodes: [OnnxBytes.node("Dropout", ["x"], ["y", "mask"])],
                                     inputs: ["x": [2, 2]], outputs: ["mask"])
        let graph = try importBytes(model)
        XCTAssertEqual(graph.weights["mask"]?.scalars(as: Bool.self), [true, true, true, true])
    }

    func testOutputAliasOfAnInitializerIsStoredUnderTheOutputName() throws {
        let w = OnnxBytes.tensor("w", dims: [2], raw: OnnxBytes.floatBytes([1, 2]))
        let model = TestModels.model(nodes: [OnnxBytes.node("Identity", ["w"], ["y"])], inputs: [:], outputs: ["y"],
                                     initializers: [w])
        let graph = try importBytes(model)
        XCTAssertEqual(graph.outputs, ["y"])
        XCTAssertEqual(graph.weights["y"]?.scalars(as: Float.self), [1, 2])
        XCTAssertNil(graph.weights["w"], "weights no output needs are dropped")
    }

    func testRunTimeShapeOperandIsExplainedOrFrozenOnDemand() throws {
        let withInput = OnnxBytes.model(graph: OnnxBytes.graph(
            nodes: [OnnxBytes.node("ConstantOfShape", ["dims"], ["c"], name: "fill")],
            inputs: [OnnxBytes.valueInfo("dims", elemType: 7, shape: [2])],
            outputs: [OnnxBytes.valueInfo("c", dims: nil)]))
        assertEdgeflowError(.unsupported, ["ConstantOfShape node 'fill'", "shape operand 'dims'",
                                           "from graph input 'dims'", "static shapes", "--input-shape"]) {
            try importBytes(withInput)
        }
        let dims = Tensor(shape: [2], scalars: [Int64(2), 1])
        let graph = try importBytes(withInput, options: ImportOptions(freezableInputs: ["dims": dims]))
        XCTAssertEqual(graph.inputs, [], "the frozen input leaves the graph's inputs")
        XCTAssertEqual(graph.weights["c"]?.shape, [2, 1])
        let frozen = try importBytes(withInput, options: ImportOptions(frozenInputs: ["dims": dims]))
        XCTAssertEqual(frozen.weights["c"]?.shape, [2, 1])
        assertEdgeflowError(.invalidArgument, ["frozen value of input 'dims'"]) {
            try importBytes(withInput, options: ImportOptions(frozenInputs: ["dims": Tensor(shape: [3], scalars: [Int64(1), 1, 1])]))
        }
    }

    func testEndNodesChooseTheOutputs() throws {
        let graph = try importBytes(TestModels.shapeModel(), options: ImportOptions(endNodeNames: ["S"]))
        XCTAssertEqual(graph.outputs, ["s"])
        XCTAssertEqual(graph.weights["s"]?.scalars(as: Int64.self), [2, 3])
        XCTAssertNil(graph.weights["c"])
    }

    func testStartNodesTurnTheirInputsIntoGraphInputs() throws {
        let model = OnnxBytes.model(graph: OnnxBytes.graph(
            nodes: [OnnxBytes.node("Identity", ["x"], ["a"], name: "pre"),
                    OnnxBytes.node("Shape", ["a"], ["s"], name: "S")],
            inputs: [OnnxBytes.valueInfo("x", shape: [7])],
            outputs: [OnnxBytes.valueInfo("s", dims: nil)],
            valueInfo: [OnnxBytes.valueInfo("a", dims: [.param("n"), .value(4)])]))
        let graph = try importBytes(model, options: ImportOptions(inputShapes: ["a": [5, 4]], startNodeNames: ["S"]))
        XCTAssertEqual(graph.inputs, ["a"])
        XCTAssertEqual(graph.types["a"], TensorType(.float32, [5, 4]))
        XCTAssertEqual(graph.weights["s"]?.scalars(as: Int64.self), [5, 4])
        assertEdgeflowError(.invalidArgument, ["start node 'S' does not lead to any of the outputs 'a'"]) {
            try importBytes(model, options: ImportOptions(startNodeNames: ["S"], endNodeNames: ["pre"]))
        }
    }

    /// A Constant node holding one scalar of ONNX type `dataType` given as raw little-endian bytes.
    private func scalarConstant(_ output: String, dataType: Int, raw: [UInt8]) -> [UInt8] {
        OnnxBytes.node("Constant", [], [output],
                       attributes: [OnnxBytes.tensorAttribute("value", OnnxBytes.tensor("", dims: [], dataType: dataType, raw: raw))])
    }

    private func int64Bytes(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    func testRangeOfConstantOperands() throws {
        let model = TestModels.model(
            nodes: [
                scalarConstant("a", dataType: 7, raw: int64Bytes(10)), scalarConstant("b", dataType: 7, raw: int64Bytes(3)),
                scalarConstant("d", dataType: 7, raw: int64Bytes(-3)),
                OnnxBytes.node("Range", ["a", "b", "d"], ["down"]),
                scalarConstant("fa", dataType: 1, raw: OnnxBytes.floatBytes([0])),
                scalarConstant("fb", dataType: 1, raw: OnnxBytes.floatBytes([1])),
                scalarConstant("fd", dataType: 1, raw: OnnxBytes.floatBytes([0.3])),
                OnnxBytes.node("Range", ["fa", "fb", "fd"], ["up"]),
                OnnxBytes.node("Range", ["b", "a", "d"], ["none"]),
            ],
            inputs: [:], outputs: ["down", "up", "none"])
        let graph = try importBytes(model)
        XCTAssertEqual(graph.weights["down"]?.scalars(as: Int64.self), [10, 7, 4])
        let up = try XCTUnwrap(graph.weights["up"]?.scalars(as: Float.self))
        XCTAssertEqual(up.count, 4)
        for (value, expected) in zip(up, [0, 0.3, 0.6, 0.9] as [Float]) { XCTAssertEqual(value, expected, accuracy: 1e-6) }
        XCTAssertEqual(graph.weights["none"]?.shape, [0])
    }

    func testStartNodeInputTypesAreInferredFromTheGraphBeforeThem() throws {
        let identity = try Node(name: "probe", op: .unary, inputs: ["x"], outputs: ["y"], attributes: ["fn": .string("identity")])
        guard (try? ShapeInference.infer(identity, inputTypes: [TensorType(.float32, [1])])) != nil else {
            throw XCTSkip("needs the unary identity shape rule (Elementwise group), which this branch lacks")
        }
        // 'a' has no value_info: its type comes from importing Identity(x) before the start node.
        let model = TestModels.model(
            nodes: [OnnxBytes.node("Identity", ["x"], ["a"], name: "pre"), OnnxBytes.node("Shape", ["a"], ["s"], name: "S")],
            inputs: ["x": [6, 2]], outputs: ["s"])
        let graph = try importBytes(model, options: ImportOptions(startNodeNames: ["S"]))
        XCTAssertEqual(graph.inputs, ["a"])
        XCTAssertEqual(graph.types["a"], TensorType(.float32, [6, 2]))
        XCTAssertEqual(graph.weights["s"]?.scalars(as: Int64.self), [6, 2])
    }

    func testGraphOutputThatAliasesAnInputGetsAnIdentityNode() throws {
        let identity = try Node(name: "probe", op: .unary, inputs: ["x"], outputs: ["y"], attributes: ["fn": .string("identity")])
        guard (try? ShapeInference.infer(identity, inputTypes: [TensorType(.float32, [1])])) != nil else {
            throw XCTSkip("needs the unary identity shape rule (Elementwise group), which this branch lacks")
        }
        let model = TestModels.model(nodes: [OnnxBytes.node("Dropout", ["x"], ["y"], name: "drop")],
                                     inputs: ["x": [3]], outputs: ["y"])
        let graph = try importBytes(model)
        XCTAssertEqual(graph.nodes.map(\.op), [.unary])
        XCTAssertEqual(graph.nodes.first?.inputs, ["x"])
        XCTAssertEqual(graph.nodes.first?.outputs, ["y"])
        XCTAssertEqual(graph.types["y"], TensorType(.float32, [3]))
    }
}

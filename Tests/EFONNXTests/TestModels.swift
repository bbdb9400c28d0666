// Small ONNX models built as bytes for the importer tests (they use only ops whose importers
// make constants: Shape, ConstantOfShape, Identity, Constant...), and the helper that imports them.

import EFIR
import EFONNX
import EFTestSupport
import Foundation

enum TestModels {
    /// x: float[2, 3] → Shape "S" → s; ConstantOfShape "C"(s, value 7) → c. Outputs s, c.
    static func shapeModel(xDims: [OnnxBytes.Dim] = [.value(2), .value(3)], metadata: [(String, String)] = []) -> Data {
        let seven = OnnxBytes.tensor("value", dims: [1], dataType: 1, raw: OnnxBytes.floatBytes([7]))
        let graph = OnnxBytes.graph(
            nodes: [
                OnnxBytes.node("Shape", ["x"], ["s"], name: "S"),
                OnnxBytes.node("ConstantOfShape", ["s"], ["c"], name: "C",
                               attributes: [OnnxBytes.tensorAttribute("value", seven)]),
            ],
            inputs: [OnnxBytes.valueInfo("x", dims: xDims)],
            outputs: [OnnxBytes.valueInfo("s", elemType: 7, shape: [2]), OnnxBytes.valueInfo("c", shape: [2, 3])])
        return OnnxBytes.model(graph: graph, metadata: metadata)
    }

    /// A model with the given nodes, float inputs and outputs of unknown shape.
    static func model(nodes: [[UInt8]], inputs: [String: [Int]], outputs: [String],
                      initializers: [[UInt8]] = [], valueInfo: [[UInt8]] = [], opset: Int = 17) -> Data {
        let graph = OnnxBytes.graph(
            nodes: nodes,
            inputs: inputs.keys.sorted().map { OnnxBytes.valueInfo($0, shape: inputs[$0] ?? []) },
            outputs: outputs.map { OnnxBytes.valueInfo($0, dims: nil) },
            initializers: initializers, valueInfo: valueInfo)
        return OnnxBytes.model(graph: graph, opset: opset)
    }
}

/// Decodes serialized model bytes and imports them (no base directory: no external data).
func importBytes(_ data: Data, options: ImportOptions = ImportOptions()) throws -> Graph {
    try ONNXImporter.importModel(OnnxModel(decoding: data), baseDirectory: nil, options: options)
}

// Builds one ONNX node and imports it with the importer registered for its op type: the unit
// of the importer tests that work on an ImportContext directly.

import EFCore
import EFONNX

/// An ONNX node named after its first output.
func onnxNode(_ op: String, _ inputs: [String], _ outputs: [String] = ["y"],
              _ attributes: [String: OnnxAttribute] = [:]) -> OnnxNode {
    var node = OnnxNode()
    node.opType = op
    node.name = outputs.first ?? op
    node.inputs = inputs
    node.outputs = outputs
    node.attributes = attributes
    return node
}

/// Imports `node` into `ctx`. Throws `unsupported` when no importer is registered for its op
/// in its domain.
func importNode(_ node: OnnxNode, _ ctx: ImportContext) throws {
    guard let importer = OpImporterRegistry.importer(for: node) else {
        throw EdgeflowError(.unsupported, "no importer for \(node.opType)")
    }
    try importer(node, ctx)
}

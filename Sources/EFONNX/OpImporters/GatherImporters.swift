// ONNX importers for index-driven movement: Gather, GatherElements, GatherND,
// ScatterElements (and its opset-9 name Scatter), ScatterND and OneHot. Indices may be
// computed at run time; OneHot's depth must be a constant.

import EFCore
import EFIR

enum GatherImporters {
    static let table: [String: OpImporter] = [
        "Gather": axisIndexed(.gather), "GatherElements": axisIndexed(.gatherElements),
        "ScatterElements": axisIndexed(.scatterElements), "Scatter": axisIndexed(.scatterElements),
        "GatherND": importGatherND, "ScatterND": importScatterND, "OneHot": importOneHot,
    ]

    /// Ops with data, indices (and updates) and an `axis` attribute defaulting to 0.
    static func axisIndexed(_ op: OpType) -> OpImporter {
        { node, ctx in
            let data = try ctx.requiredInput(node, 0, "data")
            var inputs = [data, try ctx.requiredInput(node, 1, "indices")]
            let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? 0,
                rank: try ctx.type(data).shape.count, node)
            var attributes: Attributes = ["axis": .int(axis)]
            if op == .scatterElements {
                inputs.append(try ctx.requiredInput(node, 2, "updates"))
                attributes["reduction"] = .string(try node.attributeString("reduction") ?? "none")
            }
            try ctx.emit(op, inputs, attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
        }
    }

    private static func importGatherND(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let inputs = try [ctx.requiredInput(node, 0, "data"), ctx.requiredInput(node, 1, "indices")]
        let attributes: Attributes = ["batchDims": .int(try node.attributeInt("batch_dims") ?? 0)]
        try ctx.emit(.gatherND, inputs, attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    private static func importScatterND(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let inputs = try [ctx.requiredInput(node, 0, "data"), ctx.requiredInput(node, 1, "indices"),
                          ctx.requiredInput(node, 2, "updates")]
        let attributes: Attributes = ["reduction": .string(try node.attributeString("reduction") ?? "none")]
        try ctx.emit(.scatterND, inputs, attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    private static func importOneHot(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let indices = try ctx.requiredInput(node, 0, "indices")
        let depthValues = try ctx.requiredConstantInput(node, 1, "depth").doubleValues()
        guard depthValues.count == 1, let depth = Int(exactly: depthValues[0].rounded(.towardZero)), depth >= 0 else {
            throw LoweringSupport.invalid(node, "depth must be one non-negative number")
        }
        let values = try ctx.requiredInput(node, 2, "values")
        let rank = try ctx.type(indices).shape.count + 1
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? -1, rank: rank, node)
        try ctx.emit(.oneHot, [indices, values], ["depth": .int(depth), "axis": .int(axis)],
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }
}

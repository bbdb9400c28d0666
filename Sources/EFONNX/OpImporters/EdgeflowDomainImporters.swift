// Ops of Edgeflow's own ONNX domain, `ai.edgeflow`: integer arithmetic that no ONNX operator
// spells exactly. The TFLite importer writes them for quantized TFLite models (docs/tflite.md);
// a hand-made ONNX file may use them too.

import EFCore
import EFIR

enum EdgeflowDomainImporters {
    /// The domain name nodes carry.
    static let domain = "ai.edgeflow"

    static let table: [String: OpImporter] = [
        "FixedPointRequantize": importFixedPointRequantize, "LookupSoftmax": importLookupSoftmax,
    ]

    /// FixedPointRequantize(x int32, multipliers int32 [C], shifts int32 [C]) → `to`:
    /// clamp(TFLite MultiplyByQuantizedMultiplier(x, multiplier, shift) + zero_point, min, max).
    /// Attributes: axis (default 1), zero_point (default 0), min and max (required), to (an ONNX
    /// data type: INT8, UINT8, INT16 or INT32).
    static func importFixedPointRequantize(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let inputs = [try ctx.requiredInput(node, 0, "x"), try ctx.requiredInput(node, 1, "multipliers"),
                      try ctx.requiredInput(node, 2, "shifts")]
        guard let code = try node.attributeInt("to"), let lower = try node.attributeInt("min"),
              let upper = try node.attributeInt("max") else {
            throw LoweringSupport.invalid(node, "FixedPointRequantize needs the attributes to, min and max")
        }
        let dtype = try OnnxDataType.requiredDType(code, for: "FixedPointRequantize '\(node.displayName)' output")
        let attributes: Attributes = [
            "axis": .int(try node.attributeInt("axis") ?? 1),
            "zeroPoint": .int(try node.attributeInt("zero_point") ?? 0),
            "lower": .int(lower), "upper": .int(upper), "outputDType": .string(dtype.rawValue),
        ]
        try ctx.emit(.fixedPointRequantize, inputs, attributes, outputs: [try ElementwiseImporters.output(node)],
                     from: node)
    }

    /// LookupSoftmax(x int8, table float32 [256]) → int8: TFLite's int8 softmax along `axis`
    /// (default −1) into the output's `scale` and `zero_point` (both required).
    static func importLookupSoftmax(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "x")
        let inputs = [x, try ctx.requiredInput(node, 1, "table")]
        guard let scale = try node.attributeFloat("scale"), let zeroPoint = try node.attributeInt("zero_point") else {
            throw LoweringSupport.invalid(node, "LookupSoftmax needs the attributes scale and zero_point")
        }
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? -1, rank: try ctx.type(x).shape.count,
                                            node)
        try ctx.emit(.lookupSoftmax, inputs, ["axis": .int(axis), "scale": .float(scale), "zeroPoint": .int(zeroPoint)],
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }
}

extension OpImporterRegistry {
    /// The importer of `node`'s op in its domain (ai.onnx, ai.onnx.preview or ai.edgeflow), nil
    /// when unsupported.
    public static func importer(for node: OnnxNode) -> OpImporter? {
        switch node.domain {
        case "", "ai.onnx": return importers[node.opType]
        case EdgeflowDomainImporters.domain: return EdgeflowDomainImporters.table[node.opType]
        case FlexAttentionImporter.domain: return FlexAttentionImporter.table[node.opType]
        default: return nil
        }
    }
}

// ONNX importers for the Quant op group: QuantizeLinear, DequantizeLinear (per tensor, per axis,
// blocked), DynamicQuantizeLinear, and the integer products QLinearConv, QLinearMatMul,
// MatMulInteger, ConvInteger. Scales and zero points stay ordinary inputs (constant or not).

import EFCore
import EFIR

enum QuantImporters {
    static let table: [String: OpImporter] = [
        "QuantizeLinear": importQuantize, "DequantizeLinear": importDequantize,
        "DynamicQuantizeLinear": importDynamicQuantize, "QLinearConv": importQLinearConv,
        "QLinearMatMul": importQLinearMatMul, "MatMulInteger": importMatMulInteger, "ConvInteger": importConvInteger,
    ]

    static func importQuantize(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "x"), scale = try ctx.requiredInput(node, 1, "y_scale")
        let zeroPoint = ctx.input(node, 2)
        let what = "QuantizeLinear node '\(node.displayName)'"
        var output = DType.uint8
        if let code = try node.attributeInt("output_dtype"), code != 0 {
            output = try OnnxDataType.requiredDType(code, for: "\(what) output_dtype")
        }
        if let zeroPoint { output = try ctx.type(zeroPoint).dtype }
        if let precision = try node.attributeInt("precision"), precision != 0, precision != 1 {
            throw EdgeflowError(.unsupported,
                "\(what) asks for \(OnnxDataType.name(precision)) precision; only float is supported")
        }
        var attributes = try axisAttributes(node, ctx, x)
        attributes["outputDType"] = .string(output.rawValue)
        if try node.attributeInt("saturate") == 0 { attributes["saturate"] = .int(0) }
        try ctx.emit(.quantizeLinear, [x, scale, zeroPoint ?? ""], attributes, outputs: [node.outputs[0]], from: node)
    }

    static func importDequantize(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "x"), scale = try ctx.requiredInput(node, 1, "x_scale")
        var attributes = try axisAttributes(node, ctx, x)
        if let code = try node.attributeInt("output_dtype"), code != 0 {
            let dtype = try OnnxDataType.requiredDType(code,
                                                       for: "DequantizeLinear node '\(node.displayName)' output_dtype")
            attributes["outputDType"] = .string(dtype.rawValue)
        }
        try ctx.emit(.dequantizeLinear, [x, scale, ctx.input(node, 2) ?? ""], attributes,
                     outputs: [node.outputs[0]], from: node)
    }

    /// `axis` (normalized against x's rank; 1 by default) and `blockSize`.
    private static func axisAttributes(_ node: OnnxNode, _ ctx: ImportContext, _ x: String) throws -> Attributes {
        let rank = try ctx.type(x).shape.count
        let axis = try node.attributeInt("axis") ?? 1
        // Per-tensor parameters never read the axis, so the default 1 may exceed a vector's
        // rank; the kernel checks it when the scale is per axis or blocked.
        let normalized = axis < 0 && axis >= -rank ? axis + rank : axis
        return ["axis": .int(normalized), "blockSize": .int(try node.attributeInt("block_size") ?? 0)]
    }

    static func importDynamicQuantize(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "x")
        var outputs = node.outputs
        // Unused outputs may be left unnamed; give them private names.
        for (index, name) in outputs.enumerated() where name.isEmpty {
            outputs[index] = ctx.freshName("\(node.displayName)/unused\(index)")
        }
        while outputs.count < 3 { outputs.append(ctx.freshName("\(node.displayName)/unused\(outputs.count)")) }
        try ctx.emit(.dynamicQuantizeLinear, [x], outputs: outputs, from: node)
    }

    static func importQLinearConv(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "x"), w = try ctx.requiredInput(node, 3, "w")
        let inputs = try qlinearOperands(node, ctx, ["x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point",
                                                     "y_scale", "y_zero_point"]) + [ctx.input(node, 8) ?? ""]
        try ctx.emit(.qlinearConv, inputs, try convAttributes(node, ctx, x, w), outputs: [node.outputs[0]], from: node)
    }

    static func importConvInteger(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "x"), w = try ctx.requiredInput(node, 1, "w")
        try ctx.emit(.convInteger, [x, w, ctx.input(node, 2) ?? "", ctx.input(node, 3) ?? ""],
                     try convAttributes(node, ctx, x, w), outputs: [node.outputs[0]], from: node)
    }

    /// The eight operands of QLinearConv/QLinearMatMul named by `roles`; the zero points (2, 5, 7)
    /// are optional ("" when absent), the others required.
    private static func qlinearOperands(_ node: OnnxNode, _ ctx: ImportContext, _ roles: [String]) throws -> [String] {
        try roles.indices.map { index in
            [2, 5, 7].contains(index) ? ctx.input(node, index) ?? "" : try ctx.requiredInput(node, index, roles[index])
        }
    }

    /// Conv's window attributes with auto_pad resolved, plus `group`.
    private static func convAttributes(_ node: OnnxNode, _ ctx: ImportContext, _ x: String, _ w: String)
        throws -> Attributes {
        let window = try WindowAttributes(node, spatial: try ctx.spatialDims(x, of: node),
                                          kernel: Array(try ctx.type(w).shape.dropFirst(2)), same: .dilatedKernel)
        var attributes = window.attributes
        attributes["group"] = .int(try node.attributeInt("group") ?? 1)
        return attributes
    }

    static func importQLinearMatMul(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let inputs = try qlinearOperands(node, ctx, ["a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point",
                                                     "y_scale", "y_zero_point"])
        try ctx.emit(.qlinearMatMul, inputs, outputs: [node.outputs[0]], from: node)
    }

    static func importMatMulInteger(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let a = try ctx.requiredInput(node, 0, "A"), b = try ctx.requiredInput(node, 1, "B")
        try ctx.emit(.matMulInteger, [a, b, ctx.input(node, 2) ?? "", ctx.input(node, 3) ?? ""],
                     outputs: [node.outputs[0]], from: node)
    }
}

// ONNX importers for the Elementwise op group: arithmetic, comparison and logic ops onto
// `binary`, variadic Max/Min/Sum/Mean onto chains of `binary`, Where, Cast/CastLike and Clip.
// Activations and math functions are in ActivationImporters.swift.

import EFCore
import EFIR

enum ElementwiseImporters {
    static let table: [String: OpImporter] = {
        var table: [String: OpImporter] = [
            "Add": binary("add"), "Sub": binary("sub"), "Mul": binary("mul"), "Div": binary("div"),
            "Pow": binary("pow"), "And": binary("and"), "Or": binary("or"), "Xor": binary("xor"),
            "Equal": binary("equal"), "Less": binary("less"), "LessOrEqual": binary("lessOrEqual"),
            "Greater": binary("greater"), "GreaterOrEqual": binary("greaterOrEqual"),
            "BitwiseAnd": binary("bitwiseAnd"), "BitwiseOr": binary("bitwiseOr"), "BitwiseXor": binary("bitwiseXor"),
            "PRelu": importPRelu,
            "Max": variadic("max"), "Min": variadic("min"), "Sum": variadic("add"), "Mean": importMean,
            "Mod": importMod, "BitShift": importBitShift, "Where": importWhere,
            "Cast": importCast, "CastLike": importCastLike, "Clip": importClip,
        ]
        table.merge(ActivationImporters.table) { _, _ in preconditionFailure("an ONNX op is registered twice") }
        return table
    }()

    /// The first output name of `node`.
    static func output(_ node: OnnxNode) throws -> String {
        guard let name = node.outputs.first, !name.isEmpty else {
            throw LoweringSupport.invalid(node, "has no output")
        }
        return name
    }

    static func binary(_ fn: String) -> OpImporter {
        { node, ctx in
            let a = try ctx.requiredInput(node, 0, "A")
            let b = try legacyBroadcastOperand(node, ctx, a, try ctx.requiredInput(node, 1, "B"))
            try ctx.emit(.binary, [a, b], ["fn": .string(fn)], outputs: [try output(node)], from: node)
        }
    }

    /// Before opset 7, `broadcast = 1` with an `axis` attribute aligns B's dims with A's dims
    /// starting at `axis` (not at the end, as numpy does): B gets trailing 1s so numpy rules
    /// give the same result. Without `axis` the old rule is numpy's suffix alignment.
    static func legacyBroadcastOperand(_ node: OnnxNode, _ ctx: ImportContext, _ a: String, _ b: String)
        throws -> String {
        guard ctx.opset < 7, try node.attributeInt("broadcast") ?? 0 != 0,
              let axis = try node.attributeInt("axis") else {
            return b
        }
        let aShape = try ctx.type(a).shape, bShape = try ctx.type(b).shape
        let start = try LoweringSupport.axis(axis, rank: aShape.count, node)
        let trailing = aShape.count - start - bShape.count
        guard trailing >= 0 else {
            throw LoweringSupport.invalid(node, "B \(bShape.shapeDescription) does not fit A "
                                              + "\(aShape.shapeDescription) at axis \(axis)")
        }
        if trailing == 0 { return b }
        return try LoweringSupport.reshape(b, to: bShape + [Int](repeating: 1, count: trailing), ctx, node,
                                           hint: "aligned")
    }

    /// Folds the inputs left to right with `fn` (one input is a rename).
    static func variadic(_ fn: String) -> OpImporter {
        { node, ctx in try reduceInputs(node, ctx, fn, output: try output(node)) }
    }

    @discardableResult
    private static func reduceInputs(_ node: OnnxNode, _ ctx: ImportContext, _ fn: String,
        output: String?) throws -> String {
        let inputs = node.inputs.indices.compactMap { ctx.input(node, $0) }
        guard var running = inputs.first else { throw LoweringSupport.invalid(node, "needs at least one input") }
        if inputs.count == 1 {
            if let output { ctx.alias(output, to: running) }
            return running
        }
        for (k, next) in inputs.dropFirst().enumerated() {
            if k == inputs.count - 2, let output {
                try ctx.emit(.binary, [running, next], ["fn": .string(fn)], outputs: [output], from: node)
                return output
            }
            running = try ctx.emit(.binary, [running, next], ["fn": .string(fn)], from: node, hint: fn)
        }
        return running
    }

    private static func importMean(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let count = node.inputs.filter { !$0.isEmpty }.count
        let out = try output(node)
        if count == 1 {
            try reduceInputs(node, ctx, "add", output: out)
            return
        }
        let sum = try reduceInputs(node, ctx, "add", output: nil)
        let n = try LoweringSupport.constant(Double(count), try ctx.type(sum).dtype, ctx, node, hint: "count")
        try ctx.emit(.binary, [sum, n], ["fn": .string("div")], outputs: [out], from: node)
    }

    /// PRelu with numpy broadcasting of the slope; a slope of C elements against [N, C, ...]
    /// is per channel (as opset 6 defines it, and as exporters mean it when numpy rules fail).
    private static func importPRelu(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X")
        var slope = try ctx.requiredInput(node, 1, "slope")
        let xShape = try ctx.type(x).shape, slopeShape = try ctx.type(slope).shape
        if slopeShape.count == 1, xShape.count >= 2, slopeShape[0] == xShape[1], slopeShape[0] != 1,
           ctx.opset < 7 || (try? broadcastShapes(xShape, slopeShape)) == nil {
            let channelShape = [xShape[1]] + [Int](repeating: 1, count: xShape.count - 2)
            slope = try LoweringSupport.reshape(slope, to: channelShape, ctx, node, hint: "slope")
        }
        try ctx.emit(.binary, [x, slope], ["fn": .string("prelu")], outputs: [try output(node)], from: node)
    }

    private static func importMod(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let fmod = try (node.attributeInt("fmod") ?? 0) != 0
        try binary(fmod ? "fmod" : "mod")(node, ctx)
    }

    private static func importBitShift(_ node: OnnxNode, _ ctx: ImportContext) throws {
        switch try node.attributeString("direction") {
        case "LEFT": try binary("bitShiftLeft")(node, ctx)
        case "RIGHT": try binary("bitShiftRight")(node, ctx)
        case let other: throw LoweringSupport.invalid(node,
            "direction must be LEFT or RIGHT, got \(other ?? "nothing")")
        }
    }

    private static func importWhere(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let inputs = try [ctx.requiredInput(node, 0, "condition"), ctx.requiredInput(node, 1, "X"),
            ctx.requiredInput(node, 2, "Y")]
        try ctx.emit(.where, inputs, outputs: [try output(node)], from: node)
    }

    /// Cast; before opset 6 `to` is the type's name ("FLOAT", "INT64", ...), later its code.
    private static func importCast(_ node: OnnxNode, _ ctx: ImportContext) throws {
        var code: Int
        if ctx.opset < 6, let name = try? node.attributeString("to") {
            let aliases = ["FLOAT": 1, "DOUBLE": 11]
            guard let named = aliases[name.uppercased()]
                    ?? (0..<32).first(where: { OnnxDataType.name($0) == name.lowercased() }) else {
                throw LoweringSupport.invalid(node, "unknown element type name '\(name)'")
            }
            code = named
        } else {
            code = try LoweringSupport.requiredInt(node, "to")
        }
        guard let dtype = OnnxDataType.dtype(code) else {
            throw LoweringSupport.unsupported(node, "casting to ONNX element type \(code) is not supported",
                                              hint: "Edgeflow supports float, integer and bool element types")
        }
        try emitCast(node, ctx, to: dtype)
    }

    private static func importCastLike(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let target = try ctx.type(try ctx.requiredInput(node, 1, "target_type")).dtype
        try emitCast(node, ctx, to: target)
    }

    /// A cast with ONNX's `saturate` (float8 targets, opset 19+) and `round_mode` (float8e8m0).
    private static func emitCast(_ node: OnnxNode, _ ctx: ImportContext, to dtype: DType) throws {
        let x = try ctx.requiredInput(node, 0, "input")
        var attributes: Attributes = ["to": .string(dtype.rawValue)]
        if let saturate = try node.attributeInt("saturate") { attributes["saturate"] = .int(saturate == 0 ? 0 : 1) }
        if let mode = try node.attributeString("round_mode") { attributes["roundMode"] = .string(mode) }
        try ctx.emit(.cast, [x], attributes, outputs: [try output(node)], from: node)
    }

    /// Clip → max(x, min) then min(·, max); bounds are attributes before opset 11, optional
    /// (possibly run-time) inputs after.
    private static func importClip(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input")
        let dtype = try ctx.type(x).dtype
        var lower: String?, upper: String?
        if ctx.opset < 11 {
            if let v = try node.attributeFloat("min") {
                lower = try LoweringSupport.constant(Double(v), dtype, ctx, node, hint: "min")
            }
            if let v = try node.attributeFloat("max") {
                upper = try LoweringSupport.constant(Double(v), dtype, ctx, node, hint: "max")
            }
        } else {
            lower = ctx.input(node, 1)
            upper = ctx.input(node, 2)
        }
        let out = try output(node)
        switch (lower, upper) {
        case (nil, nil): ctx.alias(out, to: x)
        case (let lo?, nil): try ctx.emit(.binary, [x, lo], ["fn": .string("max")], outputs: [out], from: node)
        case (nil, let hi?): try ctx.emit(.binary, [x, hi], ["fn": .string("min")], outputs: [out], from: node)
        case (let lo?, let hi?):
            let raised = try ctx.emit(.binary, [x, lo], ["fn": .string("max")], from: node, hint: "max")
            try ctx.emit(.binary, [raised, hi], ["fn": .string("min")], outputs: [out], from: node)
        }
    }
}

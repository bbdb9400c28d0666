// ONNX ops without a group of their own: Shrink, LpNormalization (opset 1 and 22: a zero norm
// gives 0) and CenterCropPad (crop and pad in one pad node) lowered onto elementwise, reduce and
// pad nodes; CumProd onto the core cumProd op; Compress (its condition decides the output's
// shape, so it must be known when importing) onto a gather of the selected positions; Det and
// BitCast onto the core det and bitCast ops.

import EFCore
import EFIR
import EFKernels

enum ExtraImporters {
    static let table: [String: OpImporter] = [
        "Shrink": importShrink, "LpNormalization": importLpNormalization, "CenterCropPad": importCenterCropPad,
        "CumProd": importCumProd, "Compress": importCompress, "Det": importDet, "BitCast": importBitCast,
    ]

    /// Det (opset 11, 22): the determinant of each float matrix of X [..., M, M].
    static func importDet(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X"), dtype = try ctx.type(x).dtype
        guard dtype.isFloatingPoint else {
            throw LoweringSupport.unsupported(node, "\(dtype.rawValue) input (float types are supported)")
        }
        try ctx.emit(.det, [x], outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    /// BitCast (opset 26): the same bits as the element type `to`, which must be as wide.
    static func importBitCast(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input"), source = try ctx.type(x).dtype
        let code = try LoweringSupport.requiredInt(node, "to")
        guard let target = OnnxDataType.dtype(code) else {
            throw LoweringSupport.unsupported(node, "bit-casting to ONNX element type \(code) is not supported")
        }
        guard source.storedBits == target.storedBits else {
            throw LoweringSupport.invalid(node, "\(source.rawValue) (\(source.storedBits) bits) and "
                + "\(target.rawValue) (\(target.storedBits) bits) differ in width")
        }
        try ctx.emit(.bitCast, [x], ["to": .string(target.rawValue)], outputs: [try ElementwiseImporters.output(node)],
                     from: node)
    }

    /// Compress: the slices of `input` along `axis` (of the flattened input without one) whose
    /// condition is true; a condition shorter than the axis drops the rest.
    static func importCompress(_ node: OnnxNode, _ ctx: ImportContext) throws {
        var input = try ctx.requiredInput(node, 0, "input")
        let condition = try ctx.requiredConstantInput(node, 1, "condition")
        let shape = try ctx.type(input).shape
        let axis: Int
        if let declared = try node.attributeInt("axis") {
            axis = try LoweringSupport.axis(declared, rank: shape.count, node)
        } else {
            input = try LoweringSupport.reshape(input, to: [shape.elementCount], ctx, node, hint: "flat")
            axis = 0
        }
        let length = try ctx.type(input).shape[axis]
        let selected = try Kernels.cast(condition, to: .bool).withUnsafeBytes { flags in
            flags.indices.filter { flags[$0] != 0 }
        }
        if let last = selected.last, last >= length {
            throw LoweringSupport.invalid(node, "its condition selects position \(last) of an axis of \(length)")
        }
        let indices = Tensor(shape: [selected.count], scalars: selected.map { Int64($0) })
        try ctx.emit(.gather, [input, ctx.addConstant(indices, hint: "\(node.displayName)/selected")],
                     ["axis": .int(axis)], outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    /// CumProd (opset 26): the axis is a constant scalar input.
    static func importCumProd(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "x")
        let axisValues = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "axis"), node, "axis")
        guard axisValues.count == 1 else { throw LoweringSupport.invalid(node, "axis must be a single value") }
        let axis = try LoweringSupport.axis(axisValues[0], rank: try ctx.type(x).shape.count, node)
        let attributes: Attributes = [
            "axis": .int(axis), "exclusive": .int(try node.attributeInt("exclusive") ?? 0 != 0 ? 1 : 0),
            "reverse": .int(try node.attributeInt("reverse") ?? 0 != 0 ? 1 : 0),
        ]
        try ctx.emit(.cumProd, [x], attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    /// y = x + bias where x < -lambd, x - bias where x > lambd, else 0. Integer inputs need
    /// integral bias and lambd (the comparison and arithmetic run in x's dtype).
    static func importShrink(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input"), dtype = try ctx.type(x).dtype
        let bias = Double(try node.attributeFloat("bias") ?? 0), lambd = Double(try node.attributeFloat("lambd") ?? 0.5)
        guard dtype != .bool, dtype.isFloatingPoint || (bias.rounded() == bias && lambd.rounded() == lambd) else {
            throw LoweringSupport.unsupported(node, "bias \(bias) and lambd \(lambd) on \(dtype.rawValue) input")
        }
        func constant(_ value: Double, _ hint: String) throws -> String {
            try LoweringSupport.constant(value, dtype, ctx, node, hint: hint)
        }
        func binary(_ fn: String, _ a: String, _ b: String, _ hint: String) throws -> String {
            try ctx.emit(.binary, [a, b], ["fn": .string(fn)], from: node, hint: hint)
        }
        let below = try binary("less", x, try constant(-lambd, "minus_lambd"), "below")
        let above = try binary("greater", x, try constant(lambd, "lambd"), "above")
        let biasValue = try constant(bias, "bias")
        let upper = try ctx.emit(.where, [above, try binary("sub", x, biasValue, "shifted_down"),
                                          try constant(0, "zero")], from: node, hint: "upper")
        try ctx.emit(.where, [below, try binary("add", x, biasValue, "shifted_up"), upper],
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    /// y = x / ‖x‖ₚ along `axis` (p = 1 or 2), with y = 0 where the norm is 0.
    static func importLpNormalization(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input"), type = try ctx.type(x)
        guard type.dtype.isFloatingPoint else {
            throw LoweringSupport.unsupported(node, "\(type.dtype.rawValue) input (float types are supported)")
        }
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? -1, rank: type.shape.count, node)
        let p = try node.attributeInt("p") ?? 2
        guard p == 1 || p == 2 else { throw LoweringSupport.invalid(node, "p is \(p), not 1 or 2") }
        let norm = try ctx.emit(.reduce, [x], ["fn": .string(p == 1 ? "l1" : "l2"), "axes": .ints([axis]),
                                              "keepDims": .int(1)], from: node, hint: "norm")
        let zero = try LoweringSupport.constant(0, type.dtype, ctx, node, hint: "zero")
        let isZero = try ctx.emit(.binary, [norm, zero], ["fn": .string("equal")], from: node, hint: "norm_is_zero")
        let one = try LoweringSupport.constant(1, type.dtype, ctx, node, hint: "one")
        let divisor = try ctx.emit(.where, [isZero, one, norm], from: node, hint: "divisor")
        try ctx.emit(.binary, [x, divisor], ["fn": .string("div")], outputs: [try ElementwiseImporters.output(node)],
                     from: node)
    }

    /// Crops (centered, the extra element at the end) or zero-pads (likewise) each axis of
    /// `axes` to the constant `shape`: one pad node whose negative pads crop.
    static func importCenterCropPad(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input_data"), dims = try ctx.type(x).shape
        let shape = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "shape"), node, "shape")
        let axes = try (node.attributeInts("axes") ?? Array(dims.indices)).map {
            try LoweringSupport.axis($0, rank: dims.count, node)
        }
        guard shape.count == axes.count, Set(axes).count == axes.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw LoweringSupport.invalid(node, "shape \(shape) must give one non-negative size per axis of \(axes)")
        }
        var pads = [Int](repeating: 0, count: 2 * dims.count)
        for (axis, size) in zip(axes, shape) {
            let change = size - dims[axis]  // negative crops
            let begin = change >= 0 ? change / 2 : -((-change) / 2)
            pads[axis] = begin
            pads[axis + dims.count] = change - begin
        }
        try ctx.emit(.pad, [x], ["pads": .ints(pads), "mode": .string("constant"), "value": .float(0)],
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }
}

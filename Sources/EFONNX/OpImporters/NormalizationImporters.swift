// ONNX importers for normalization ops: LayerNormalization, InstanceNormalization, LRN,
// BatchNormalization (inference form lowered to a multiply and an add with per-channel
// constants folded at import; training form lowered onto batch-statistics reductions) and
// MeanVarianceNormalization.

import EFCore
import EFIR

enum NormalizationImporters {
    static let table: [String: OpImporter] = [
        "LayerNormalization": importLayerNorm, "InstanceNormalization": importInstanceNorm,
        "LRN": importLRN, "BatchNormalization": importBatchNorm,
        "MeanVarianceNormalization": importMeanVarianceNorm,
    ]

    /// Fails when any output after the first is requested.
    private static func requireOnlyFirstOutput(_ node: OnnxNode, _ what: String) throws {
        if node.outputs.dropFirst().contains(where: { !$0.isEmpty }) {
            throw LoweringSupport.unsupported(node, "only the first output (Y) is supported; it also requests \(what)",
                                              hint: "export the model for inference so only Y is produced")
        }
    }

    /// The ONNX output at `index`, or a fresh name when it is absent or empty (not requested).
    private static func outputOrUnused(_ node: OnnxNode, _ index: Int, _ ctx: ImportContext) -> String {
        index < node.outputs.count && !node.outputs[index].isEmpty
            ? node.outputs[index] : ctx.freshName("\(node.displayName)/unused\(index)")
    }

    /// LayerNormalization; Mean and InvStdDev (dtype stash_type, default float32) are computed
    /// only when the node requests either of them.
    private static func importLayerNorm(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X")
        let rank = try ctx.type(x).shape.count
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? -1, rank: rank, node)
        var inputs = [x, try ctx.requiredInput(node, 1, "Scale")]
        if let bias = ctx.input(node, 2) { inputs.append(bias) }
        var attributes: Attributes = ["axis": .int(axis), "epsilon": .float(try node.attributeFloat("epsilon") ?? 1e-5)]
        var outputs = [try ElementwiseImporters.output(node)]
        if node.outputs.dropFirst().contains(where: { !$0.isEmpty }) {
            let stash = try OnnxDataType.requiredDType(try node.attributeInt("stash_type") ?? 1,
                                                       for: "LayerNormalization node '\(node.displayName)' stash_type")
            guard stash.isFloatingPoint else { throw LoweringSupport.invalid(node, "stash_type must be a float type") }
            attributes["statsDType"] = .string(stash.rawValue)
            outputs += [outputOrUnused(node, 1, ctx), outputOrUnused(node, 2, ctx)]
        }
        try ctx.emit(.layerNorm, inputs, attributes, outputs: outputs, from: node)
    }

    private static func importInstanceNorm(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let inputs = try [ctx.requiredInput(node, 0, "input"), ctx.requiredInput(node, 1, "scale"),
            ctx.requiredInput(node, 2, "B")]
        let attributes: Attributes = ["epsilon": .float(try node.attributeFloat("epsilon") ?? 1e-5)]
        try ctx.emit(.instanceNorm, inputs, attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    private static func importLRN(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let attributes: Attributes = [
            "size": .int(try LoweringSupport.requiredInt(node, "size")),
            "alpha": .float(try node.attributeFloat("alpha") ?? 1e-4),
            "beta": .float(try node.attributeFloat("beta") ?? 0.75),
            "bias": .float(try node.attributeFloat("bias") ?? 1),
        ]
        try ctx.emit(.lrn, [try ctx.requiredInput(node, 0, "X")], attributes,
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    /// y = x · s + t with s = scale / sqrt(var + eps), t = B - mean · s, both reshaped to
    /// [C, 1, ...]. Constant statistics fold at import, leaving two ops. training_mode = 1 goes
    /// to `importBatchNormTraining`.
    private static func importBatchNorm(_ node: OnnxNode, _ ctx: ImportContext) throws {
        if try (node.attributeInt("spatial") ?? 1) != 1 {
            throw LoweringSupport.unsupported(node, "spatial = 0 is not supported")
        }
        if try (node.attributeInt("training_mode") ?? 0) != 0 { return try importBatchNormTraining(node, ctx) }
        try requireOnlyFirstOutput(node, "running statistics (training outputs)")
        let x = try ctx.requiredInput(node, 0, "X")
        let type = try ctx.type(x)
        guard type.shape.count >= 2 else { throw LoweringSupport.invalid(node, "needs an [N, C, ...] input") }
        let roles = ["scale", "B", "input_mean", "input_var"]
        let params = try roles.enumerated().map { index, role -> String in
            let value = try ctx.requiredInput(node, index + 1, role)
            if try ctx.type(value).dtype == type.dtype { return value }
            return try ctx.emit(.cast, [value], ["to": .string(type.dtype.rawValue)], from: node, hint: role)
        }
        func op(_ fn: String, _ a: String, _ b: String, _ hint: String) throws -> String {
            try ctx.emit(.binary, [a, b], ["fn": .string(fn)], from: node, hint: hint)
        }
        let epsilon = try LoweringSupport.constant(Double(try node.attributeFloat("epsilon") ?? 1e-5), type.dtype,
                                                   ctx, node, hint: "epsilon")
        let deviation = try ctx.emit(.unary, [try op("add", params[3], epsilon, "var_eps")], ["fn": .string("sqrt")],
                                     from: node, hint: "std")
        let factor = try op("div", params[0], deviation, "factor")
        let shift = try op("sub", params[1], try op("mul", params[2], factor, "mean_factor"), "shift")
        let channelShape = [type.shape[1]] + [Int](repeating: 1, count: type.shape.count - 2)
        let scaled = try op("mul", x, try LoweringSupport.reshape(factor, to: channelShape, ctx, node,
            hint: "factor_c"), "scaled")
        try ctx.emit(.binary, [scaled, try LoweringSupport.reshape(shift, to: channelShape, ctx, node,
            hint: "shift_c")],
                     ["fn": .string("add")], outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    /// (x - E[x]) / (sqrt(E[x²] - E[x]²) + 1e-9) over `axes` (default [0, 2, 3]), as the ONNX
    /// function body defines it.
    private static func importMeanVarianceNorm(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X")
        let type = try ctx.type(x)
        let axes = try (try node.attributeInts("axes") ?? [0, 2, 3])
            .map { try LoweringSupport.axis($0, rank: type.shape.count, node) }
        let reduceMean: Attributes = ["fn": .string("mean"), "axes": .ints(Set(axes).sorted()), "keepDims": .int(1)]
        func op(_ fn: String, _ a: String, _ b: String, _ hint: String) throws -> String {
            try ctx.emit(.binary, [a, b], ["fn": .string(fn)], from: node, hint: hint)
        }
        let mean = try ctx.emit(.reduce, [x], reduceMean, from: node, hint: "mean")
        let meanOfSquares = try ctx.emit(.reduce, [try op("mul", x, x, "square")], reduceMean, from: node,
            hint: "mean_square")
        let variance = try op("sub", meanOfSquares, try op("mul", mean, mean, "squared_mean"), "variance")
        let deviation = try ctx.emit(.unary, [variance], ["fn": .string("sqrt")], from: node, hint: "std")
        let epsilon = try LoweringSupport.constant(1e-9, type.dtype, ctx, node, hint: "epsilon")
        let denominator = try op("add", deviation, epsilon, "std_eps")
        try ctx.emit(.binary, [try op("sub", x, mean, "centered"), denominator], ["fn": .string("div")],
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }
}

// ONNX GroupNormalization (opset 18: scale and bias per group; opset 21: per channel) lowered onto
// the core instanceNorm: x [N, C, ...] seen as [N, G, C/G · spatial] is normalized per (n, g) over
// its last axis, then given the scale and bias of its group, or reshaped back and given the
// per-channel ones.

import EFCore
import EFIR

enum GroupNormImporter {
    static let table: [String: OpImporter] = ["GroupNormalization": importGroupNorm]

    static func importGroupNorm(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X"), type = try ctx.type(x)
        let scale = try ctx.requiredInput(node, 1, "scale"), bias = try ctx.requiredInput(node, 2, "bias")
        let groups = try LoweringSupport.requiredInt(node, "num_groups")
        let shape = type.shape
        guard shape.count >= 2, groups > 0, shape[1] % groups == 0, type.dtype.isFloatingPoint else {
            throw LoweringSupport.invalid(node, "input \(type) must be float [N, C, ...] with C divisible by "
                + "num_groups \(groups)")
        }
        let channels = shape[1], perGroup = try ctx.type(scale).shape == [groups] && groups != channels
        guard try ctx.type(scale).shape == [perGroup ? groups : channels],
              try ctx.type(bias).shape == [perGroup ? groups : channels] else {
            throw LoweringSupport.invalid(node, "scale and bias must be [\(channels)] (or [\(groups)], opset 18)")
        }
        let spatial = try CheckedSize.product(Array(shape.dropFirst(2)), "GroupNormalization spatial size",
                                              kind: .invalidModel)
        let grouped = try LoweringSupport.reshape(x, to: [shape[0], groups, channels / groups * spatial], ctx, node,
                                                  hint: "grouped")
        let epsilon: Attributes = ["epsilon": .float(try node.attributeFloat("epsilon") ?? 1e-5)]
        let output = try ElementwiseImporters.output(node)
        if perGroup {
            let normalized = try ctx.emit(.instanceNorm, [grouped, scale, bias], epsilon, from: node,
                                          hint: "normalized")
            _ = try LoweringSupport.reshape(normalized, to: shape, ctx, node, hint: "output", output: output)
            return
        }
        let ones = try LoweringSupport.constant(1, type.dtype, shape: [groups], ctx, node, hint: "ones")
        let zeros = try LoweringSupport.constant(0, type.dtype, shape: [groups], ctx, node, hint: "zeros")
        let normalized = try ctx.emit(.instanceNorm, [grouped, ones, zeros], epsilon, from: node, hint: "normalized")
        let restored = try LoweringSupport.reshape(normalized, to: shape, ctx, node, hint: "restored")
        let channelShape = [channels] + Array(repeating: 1, count: shape.count - 2)
        let scaled = try ctx.emit(.binary, [restored, try LoweringSupport.reshape(scale, to: channelShape, ctx, node,
                                                                                   hint: "scale")],
                                  ["fn": .string("mul")], from: node, hint: "scaled")
        try ctx.emit(.binary, [scaled, try LoweringSupport.reshape(bias, to: channelShape, ctx, node, hint: "bias")],
                     ["fn": .string("add")], outputs: [output], from: node)
    }
}

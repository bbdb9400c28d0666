// ONNX RotaryEmbedding (opset 23) lowered onto core ops: the first rotary_embedding_dim
// features of each head are rotated pairwise by the cached cos/sin of the token's position
// (halves, or even/odd pairs when interleaved); the remaining features pass through.

import EFCore
import EFIR

enum RotaryEmbeddingImporter {
    /// X [B, H, S, D] or [B, S, H·D] (num_heads required); cos_cache and sin_cache
    /// [B, S, R/2], or [max_position, R/2] gathered by position_ids [B, S] (int64). R =
    /// rotary_embedding_dim (0: D). Y has X's shape and dtype.
    /// - Throws: `invalidModel` naming the node for other ranks, a 3-D X without a num_heads
    ///   dividing its hidden size, an odd R or one above D, caches whose last dim is not R/2.
    static func importRotaryEmbedding(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let lower = NodeLowering(node: node, ctx: ctx)
        let input = try ctx.requiredInput(node, 0, "X")
        let type = try lower.type(input)
        guard type.dtype.isFloatingPoint, type.shape.count == 3 || type.shape.count == 4 else {
            throw LoweringSupport.invalid(node, "X must be a 3-D or 4-D float tensor, got \(type)")
        }
        var x = input
        if type.shape.count == 3 {
            let heads = try node.attributeInt("num_heads") ?? 0
            guard heads > 0, type.shape[2] % heads == 0 else {
                throw LoweringSupport.invalid(node, "a 3-D X needs num_heads dividing its hidden size \(type.shape[2])")
            }
            x = try lower.reshape(x, to: [type.shape[0], type.shape[1], heads, type.shape[2] / heads], "X_bshd")
        }
        let headSize = try lower.shape(x)[3]
        let attribute = try node.attributeInt("rotary_embedding_dim") ?? 0
        let rotated = attribute == 0 ? headSize : attribute
        guard rotated > 0, rotated % 2 == 0, rotated <= headSize else {
            throw LoweringSupport.invalid(node, "rotary_embedding_dim \(rotated) must be even and at most the head "
                + "size \(headSize)")
        }
        let cos = try cache(1, "cos_cache", half: rotated / 2, fourD: type.shape.count == 4, type.dtype, lower)
        let sin = try cache(2, "sin_cache", half: rotated / 2, fourD: type.shape.count == 4, type.dtype, lower)
        let part = rotated == headSize ? x : try lower.slice(x, axis: 3, 0, rotated, "X_rotary")
        let interleaved = try (node.attributeInt("interleaved") ?? 0) != 0
        let (x1, x2) = interleaved
            ? (try lower.slice(part, axis: 3, 0, rotated, step: 2, "X_even"),
               try lower.slice(part, axis: 3, 1, rotated, step: 2, "X_odd"))
            : (try lower.slice(part, axis: 3, 0, rotated / 2, "X_first"),
               try lower.slice(part, axis: 3, rotated / 2, rotated, "X_second"))
        let real = try lower.binary("sub", try lower.binary("mul", cos, x1, "cos_x1"),
                                    try lower.binary("mul", sin, x2, "sin_x2"), "real")
        let imaginary = try lower.binary("add", try lower.binary("mul", sin, x1, "sin_x1"),
                                         try lower.binary("mul", cos, x2, "cos_x2"), "imaginary")
        var y = try interleaved ? interleave(real, imaginary, lower)
                                : lower.concat([real, imaginary], axis: 3, "rotated")
        if rotated < headSize {
            y = try lower.concat([y, try lower.slice(x, axis: 3, rotated, headSize, "X_pass")], axis: 3, "Y_heads")
        }
        lower.bindOutput(0, to: try lower.reshape(y, to: type.shape, "Y"))
    }

    /// Cache input `index` ([B, S, half], or gathered by position_ids) in X's dtype, shaped to
    /// broadcast over the heads: [B, 1, S, half] for 4-D X, [B, S, 1, half] for 3-D.
    private static func cache(_ index: Int, _ role: String, half: Int, fourD: Bool, _ dtype: DType,
                              _ lower: NodeLowering) throws -> String {
        var value = try lower.ctx.requiredInput(lower.node, index, role)
        if let positions = lower.ctx.input(lower.node, 3) {
            value = try lower.ctx.emit(.gather, [value, positions], ["axis": .int(0)], from: lower.node,
                                       hint: role + "_gathered")
        }
        let shape = try lower.shape(value)
        guard shape.count == 3, shape[2] == half else {
            throw LoweringSupport.invalid(lower.node, "\(role) gives \(shape) per token, not [B, S, \(half)]")
        }
        let expanded = fourD ? [shape[0], 1, shape[1], half] : [shape[0], shape[1], 1, half]
        return try lower.reshape(try lower.cast(value, to: dtype, role + "_t"), to: expanded, role + "_4d")
    }

    /// Pairs (real[i], imaginary[i]) back into adjacent features: [..., h] twice → [..., 2h].
    private static func interleave(_ real: String, _ imaginary: String, _ lower: NodeLowering) throws -> String {
        let shape = try lower.shape(real)
        let column = shape + [1]
        let pairs = try lower.concat([try lower.reshape(real, to: column, "real_col"),
                                      try lower.reshape(imaginary, to: column, "imaginary_col")],
                                     axis: shape.count, "pairs")
        return try lower.reshape(pairs, to: Array(shape.dropLast()) + [2 * shape[shape.count - 1]], "rotated")
    }
}

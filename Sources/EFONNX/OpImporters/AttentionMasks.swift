// The additive bias of ONNX Attention as core ops: attn_mask (bool or float, rank 1–4, padded
// to the key length), the offset-aligned causal frontier, the left/right sliding window and the
// nonpad_kv_seqlen padding mask, plus the fully-masked-row guard. Allowed positions add 0 and
// disallowed ones -inf; a query row whose bias is -inf everywhere attends nothing (output 0).

import EFCore
import EFIR

/// Builds the attention bias for scores [B, H, Lq, Lk].
struct AttentionMasks {
    let lower: NodeLowering
    /// The score dtype (Q's).
    let dtype: DType
    let batch: Int, queryLength: Int, keyLength: Int
    /// Keys before the query block in the internal (past_key) cache; 0 without one.
    let pastLength: Int
    let isCausal: Bool
    /// Window bounds; -1 leaves a side unbounded.
    let leftWindow: Int, rightWindow: Int

    /// The additive bias (dtype `dtype`, rank ≥ 2, broadcastable onto the scores) and the
    /// guard (bool [..., Lq, 1], true where a row is fully masked); nil when nothing masks.
    /// - Parameters: `mask` is attn_mask's value, `nonpadLengths` nonpad_kv_seqlen's ([B]).
    /// - Throws: `invalidModel` naming the node for a mask longer than the keys or of a dtype
    ///   other than bool and float.
    func bias(mask: String?, nonpadLengths: String?) throws -> (bias: String, guard: String?)? {
        var bias = try mask.map(maskBias)
        if isCausal || leftWindow >= 0 || rightWindow >= 0 || nonpadLengths != nil {
            let allowed = try structuralAllowed(nonpadLengths)
            let structural = try additive(allowed, "structural_bias")
            bias = try bias.map { try lower.binary("add", $0, structural, "bias") } ?? structural
        }
        guard let bias else { return nil }
        return (bias, try fullyMaskedRows(bias))
    }

    /// attn_mask as an additive bias of `dtype`: bool true → 0, false → -inf; a float mask as is.
    /// A mask shorter than the keys is padded with false / -inf; rank 1 becomes [1, Lk].
    private func maskBias(_ mask: String) throws -> String {
        var value = mask
        var type = try lower.type(value)
        guard type.dtype == .bool || type.dtype.isFloatingPoint else {
            throw LoweringSupport.invalid(lower.node, "attn_mask must be bool or float, got \(type.dtype.rawValue)")
        }
        if type.shape.count < 2 { value = try lower.reshape(value, to: [1, type.shape.last ?? 1], "mask2d") }
        type = try lower.type(value)
        let length = type.shape[type.shape.count - 1]
        guard length <= keyLength else {
            throw LoweringSupport.invalid(lower.node, "attn_mask covers \(length) keys, more than all \(keyLength)")
        }
        if length < keyLength {
            let padShape = Array(type.shape.dropLast()) + [keyLength - length]
            let count = try CheckedSize.product(padShape, "Attention mask padding", kind: .invalidModel)
            guard lower.ctx.reserveGenerated(count * max(type.dtype.byteSize, 1)) else {
                throw LoweringSupport.unsupported(lower.node, "its attn_mask padding exceeds the constant budget")
            }
            let fill = type.dtype == .bool ? 0 : -Double.infinity
            let pad = try lower.constant(fill, type.dtype, shape: padShape, "mask_pad")
            value = try lower.concat([value, pad], axis: type.shape.count - 1, "mask_padded")
        }
        guard type.dtype == .bool else { return try lower.cast(value, to: dtype, "mask_cast") }
        return try additive(value, "mask_bias")
    }

    /// 0 where `allowed` (bool) is true, -inf where false, in `dtype`.
    private func additive(_ allowed: String, _ hint: String) throws -> String {
        let zero = try lower.constant(0, dtype, hint + "_zero")
        return try lower.select(allowed, zero, try lower.constant(-.infinity, dtype, hint + "_neg_inf"), hint)
    }

    /// Which (query, key) pairs the causal frontier, the window and the padding allow: bool
    /// [Lq, Lk], or [B, 1, Lq or 1, Lk] with nonpad_kv_seqlen. With `d = i + offset - j` for
    /// query i and key j: causal needs d ≥ 0, the left window d ≤ left, the right one -d ≤ right;
    /// `offset` is the past length, or nonpad_kv_seqlen[b] - Lq for an external cache.
    private func structuralAllowed(_ nonpadLengths: String?) throws -> String {
        let keys = try lower.positions(keyLength, shape: [1, keyLength], "key")
        var lengths: String?
        if let nonpadLengths {
            let shape = try lower.shape(nonpadLengths)
            guard shape.elementCount == batch else {
                throw LoweringSupport.invalid(lower.node, "nonpad_kv_seqlen has shape \(shape), not [\(batch)]")
            }
            lengths = try lower.reshape(try lower.cast(nonpadLengths, to: .int64, "nonpad64"), to: [batch, 1, 1],
                                        "nonpad_b11")
        }
        var conditions: [String] = []
        if isCausal || leftWindow >= 0 || rightWindow >= 0 {
            let distance = try queryKeyDistance(keys, lengths)
            func compare(_ fn: String, _ bound: Int, _ hint: String) throws {
                let limit = try lower.constant(Double(bound), .int64, hint + "_bound")
                conditions.append(try lower.binary(fn, distance, limit, hint))
            }
            if isCausal { try compare("greaterOrEqual", 0, "causal") }
            if leftWindow >= 0 { try compare("lessOrEqual", leftWindow, "left_window") }
            if rightWindow >= 0 { try compare("greaterOrEqual", -rightWindow, "right_window") }
        }
        if let lengths {
            let keyRow = try lower.reshape(keys, to: [1, 1, keyLength], "key_b")
            conditions.append(try lower.binary("less", keyRow, lengths, "nonpad"))
        }
        var allowed = conditions[0]
        for condition in conditions.dropFirst() { allowed = try lower.binary("and", allowed, condition, "allowed") }
        guard lengths != nil else { return allowed }
        let shape = try lower.shape(allowed)
        return try lower.reshape(allowed, to: [batch, 1, shape[1], keyLength], "allowed_b")
    }

    /// `i + offset - j` for query i and key j: int64 [Lq, Lk], or [B, Lq, Lk] when `lengths`
    /// (nonpad_kv_seqlen as [B, 1, 1]) gives a per-batch offset.
    private func queryKeyDistance(_ keys: String, _ lengths: String?) throws -> String {
        let queries = try lower.positions(queryLength, shape: [queryLength, 1], "query")
        let distance = try lower.binary("sub", queries, keys, "distance")
        if let lengths {
            let queryCount = try lower.constant(Double(queryLength), .int64, "query_count")
            return try lower.binary("add", distance, try lower.binary("sub", lengths, queryCount, "offset"),
                                    "distance_b")
        }
        guard pastLength > 0 else { return distance }
        let past = try lower.constant(Double(pastLength), .int64, "past")
        return try lower.binary("add", distance, past, "distance_past")
    }

    /// true where every key of a row is -inf in `bias`; nil when the bias is constant and no row
    /// is fully masked.
    private func fullyMaskedRows(_ bias: String) throws -> String? {
        let rank = try lower.shape(bias).count
        let rowMax = try lower.reduce("max", bias, axes: [rank - 1], "row_max")
        let masked = try lower.unary("isInf", rowMax, "row_masked", ["alpha": .float(0), "beta": .float(1)])
        if let known = lower.ctx.constant(masked), !known.scalars(as: Bool.self).contains(true) { return nil }
        return masked
    }
}

// ONNX Attention (opsets 23–25) lowered onto core ops: 3-D inputs split into heads, the
// internal KV cache (past_key/past_value → present_key/present_value), Q and K scaled by
// sqrt(scale), QKᵀ, softcap, the additive bias (AttentionMasks), softmax in softmax_precision,
// the fully-masked-row guard, and P·V. Grouped-query attention broadcasts each KV head over its
// group of query heads inside the matMuls instead of repeating K and V.

import EFCore
import EFIR

enum AttentionImporter {
    /// Q [B, Hq, Lq, D] or [B, Lq, Hq·D]; K [B, Hkv, Lk, D] or [B, Lk, Hkv·D]; V likewise with
    /// its own head size; float dtypes, K and V of Q's dtype. Outputs Y (Q's layout), present
    /// key/value [B, Hkv, past + Lk, D] and qk_matmul_output [B, Hq, Lq, past + Lk].
    /// - Throws: `invalidModel` naming the node for ranks other than 3 and 4, 3-D inputs without
    ///   q_num_heads/kv_num_heads, hidden sizes or query heads not divisible by the head counts,
    ///   past_key without past_value, nonpad_kv_seqlen with a past cache, mismatched shapes.
    static func importAttention(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let lower = NodeLowering(node: node, ctx: ctx)
        let inputs = try ["Q", "K", "V"].enumerated().map { try ctx.requiredInput(node, $0.offset, $0.element) }
        let dtype = try lower.type(inputs[0]).dtype
        guard dtype.isFloatingPoint else {
            throw LoweringSupport.invalid(node, "Q must be a float tensor, got \(dtype.rawValue)")
        }
        let rank = try lower.shape(inputs[0]).count
        for value in inputs.dropFirst() {
            let type = try lower.type(value)
            guard type.dtype == dtype, type.shape.count == rank else {
                throw LoweringSupport.invalid(node, "Q, K and V must share dtype and rank")
            }
        }
        guard rank == 3 || rank == 4 else { throw LoweringSupport.invalid(node, "Q must be 3-D or 4-D, got \(rank)-D") }
        var (q, k, v) = (inputs[0], inputs[1], inputs[2])
        if rank == 3 {
            let qHeads = try positiveHeads(node, "q_num_heads"), kvHeads = try positiveHeads(node, "kv_num_heads")
            (q, k, v) = (try splitHeads(q, qHeads, lower, "Q"), try splitHeads(k, kvHeads, lower, "K"),
                         try splitHeads(v, kvHeads, lower, "V"))
        }
        let (qShape, kShape, vShape) = (try lower.shape(q), try lower.shape(k), try lower.shape(v))
        let (batch, qHeads, queryLength, headSize) = (qShape[0], qShape[1], qShape[2], qShape[3])
        let kvHeads = kShape[1]
        guard kShape[0] == batch, vShape[0] == batch, vShape[1] == kvHeads, kShape[3] == headSize,
              vShape[2] == kShape[2] else {
            throw LoweringSupport.invalid(node, "Q \(qShape), K \(kShape) and V \(vShape) do not fit together")
        }
        guard kvHeads > 0, qHeads % kvHeads == 0 else {
            throw LoweringSupport.invalid(node, "its \(qHeads) query heads are not a multiple of its \(kvHeads) "
                + "key/value heads")
        }
        let (keys, values, pastLength) = try appendCache(k, v, lower)
        let keyLength = try lower.shape(keys)[2]
        let left = try node.attributeInt("left_window_size") ?? -1
        let right = try node.attributeInt("right_window_size") ?? -1
        guard left >= -1, right >= -1 else {
            throw LoweringSupport.invalid(node, "left_window_size and right_window_size must be -1 or nonnegative")
        }
        let masks = AttentionMasks(lower: lower, dtype: dtype, batch: batch, queryLength: queryLength,
                                   keyLength: keyLength, pastLength: pastLength,
                                   isCausal: try (node.attributeInt("is_causal") ?? 0) != 0,
                                   leftWindow: left, rightWindow: right)
        let groups = GroupedHeads(lower: lower, batch: batch, kvHeads: kvHeads, group: qHeads / kvHeads)
        let scores = try scaledScores(q, keys, headSize: headSize, dtype: dtype, groups, lower)
        let bias = try masks.bias(mask: ctx.input(node, 3), nonpadLengths: ctx.input(node, 6))
        let probabilities = try attentionWeights(scores, bias, dtype: dtype, lower)
        var y = try groups.product(probabilities, values, "PV")
        if rank == 3 {
            let heads = try lower.transpose(y, [0, 2, 1, 3], "Y_bshd")
            y = try lower.reshape(heads, to: [batch, queryLength, qHeads * vShape[3]], "Y_bsh")
        }
        lower.bindOutput(0, to: y)
    }

    /// A required positive head count attribute (3-D inputs).
    private static func positiveHeads(_ node: OnnxNode, _ name: String) throws -> Int {
        let heads = try LoweringSupport.requiredInt(node, name)
        guard heads > 0 else { throw LoweringSupport.invalid(node, "\(name) must be positive, got \(heads)") }
        return heads
    }

    /// [B, L, H·D] → [B, H, L, D].
    private static func splitHeads(_ x: String, _ heads: Int, _ lower: NodeLowering, _ role: String) throws -> String {
        let shape = try lower.shape(x)
        guard shape[2] % heads == 0 else {
            throw LoweringSupport.invalid(lower.node,
                                          "\(role)'s hidden size \(shape[2]) is not a multiple of \(heads) heads")
        }
        let split = try lower.reshape(x, to: [shape[0], shape[1], heads, shape[2] / heads], role + "_bshd")
        return try lower.transpose(split, [0, 2, 1, 3], role + "_bhsd")
    }

    /// K and V after past_key/past_value (concatenated along the sequence), bound to
    /// present_key/present_value when the node names them; and the past length.
    private static func appendCache(_ k: String, _ v: String, _ lower: NodeLowering) throws
        -> (String, String, Int) {
        let (node, ctx) = (lower.node, lower.ctx)
        let pastKey = ctx.input(node, 4), pastValue = ctx.input(node, 5)
        guard (pastKey == nil) == (pastValue == nil) else {
            throw LoweringSupport.invalid(node, "past_key and past_value must be given together")
        }
        guard pastKey == nil || ctx.input(node, 6) == nil else {
            throw LoweringSupport.invalid(node, "nonpad_kv_seqlen cannot be combined with past_key/past_value")
        }
        var (keys, values, pastLength) = (k, v, 0)
        if let pastKey, let pastValue {
            let (keyShape, valueShape) = (try lower.shape(pastKey), try lower.shape(pastValue))
            guard keyShape.count == 4, valueShape.count == 4, keyShape[2] == valueShape[2] else {
                throw LoweringSupport.invalid(node, "past_key \(keyShape) and past_value \(valueShape) must be "
                    + "[B, kv_num_heads, past, head_size] of one past length")
            }
            pastLength = keyShape[2]
            keys = try lower.concat([pastKey, k], axis: 2, "present_key")
            values = try lower.concat([pastValue, v], axis: 2, "present_value")
        }
        lower.bindOutput(1, to: keys)
        lower.bindOutput(2, to: values)
        return (keys, values, pastLength)
    }

    /// (Q·√scale)(K·√scale)ᵀ [B, Hq, Lq, Lk], softcapped (softcap·tanh(x / softcap)) when softcap > 0.
    /// √scale (default scale 1/√D) is computed in double and rounded to Q's dtype, as the ONNX
    /// function body casts it.
    private static func scaledScores(_ q: String, _ keys: String, headSize: Int, dtype: DType,
                                     _ groups: GroupedHeads, _ lower: NodeLowering) throws -> String {
        let scale = try lower.node.attributeFloat("scale").map(Double.init) ?? 1 / Double(headSize).squareRoot()
        let factor = try lower.constant(scale.squareRoot(), dtype, "sqrt_scale")
        let scaledQ = try lower.binary("mul", q, factor, "Q_scaled")
        let scaledK = try lower.binary("mul", keys, factor, "K_scaled")
        var scores = try groups.product(scaledQ, try lower.transpose(scaledK, [0, 1, 3, 2], "K_T"), "QK")
        let softcap = try lower.node.attributeFloat("softcap") ?? 0
        if softcap > 0 {
            let cap = try lower.constant(Double(softcap), dtype, "softcap")
            let squashed = try lower.unary("tanh", try lower.binary("div", scores, cap, "QK_div_cap"), "QK_tanh")
            scores = try lower.binary("mul", squashed, cap, "QK_capped")
        }
        return scores
    }

    /// softmax(scores + bias) in softmax_precision, fully-masked rows zeroed, in Q's dtype; binds
    /// qk_matmul_output for its mode (0/1: the softcapped scores, 2: plus the bias, 3: the result).
    private static func attentionWeights(_ scores: String, _ bias: (bias: String, guard: String?)?, dtype: DType,
                                         _ lower: NodeLowering) throws -> String {
        let node = lower.node
        let withBias = try bias.map { try lower.binary("add", scores, $0.bias, "QK_bias") } ?? scores
        let mode = try node.attributeInt("qk_matmul_output_mode") ?? 0
        guard (0...3).contains(mode) else {
            throw LoweringSupport.invalid(node, "qk_matmul_output_mode must be 0, 1, 2 or 3, got \(mode)")
        }
        if mode < 3 { lower.bindOutput(3, to: mode == 2 ? withBias : scores) }
        var precision = dtype
        if let code = try node.attributeInt("softmax_precision") {
            precision = try OnnxDataType.requiredDType(code,
                                                       for: "Attention node '\(node.displayName)' softmax_precision")
            guard precision.isFloatingPoint else {
                throw LoweringSupport.invalid(node, "softmax_precision must be a float type")
            }
        }
        let logits = try lower.cast(withBias, to: precision, "QK_precise")
        var weights = try softmax(logits, lower)
        if let masked = bias?.guard {
            weights = try lower.select(masked, try lower.constant(0, precision, "zero_row"), weights, "softmax_guarded")
        }
        weights = try lower.cast(weights, to: dtype, "softmax_cast")
        if mode == 3 { lower.bindOutput(3, to: weights) }
        return weights
    }

    /// Softmax over the last axis. float16 and bfloat16 go op by op as the ONNX reference computes
    /// them, each step rounded to the dtype: m = max (0 for a row of -inf), e = exp(x - m),
    /// e / sum(e) (a zero sum divides by 1); wider floats use the fused kernel.
    private static func softmax(_ logits: String, _ lower: NodeLowering) throws -> String {
        let type = try lower.type(logits)
        let axis = type.shape.count - 1
        guard type.dtype == .float16 || type.dtype == .bfloat16 else {
            return try lower.ctx.emit(.softmax, [logits], ["axis": .int(axis)], from: lower.node, hint: "softmax")
        }
        let zero = try lower.constant(0, type.dtype, "softmax_zero"), one = try lower.constant(1, type.dtype, "one")
        let peak = try lower.reduce("max", logits, axes: [axis], "softmax_max")
        let emptyRow = try lower.unary("isInf", peak, "softmax_empty", ["alpha": .float(0), "beta": .float(1)])
        let shift = try lower.select(emptyRow, zero, peak, "softmax_shift")
        let exponentials = try lower.unary("exp", try lower.binary("sub", logits, shift, "softmax_centered"),
                                           "softmax_exp")
        let total = type.dtype == .bfloat16 && type.shape[axis] <= sequentialSumLimit
            ? try sequentialSum(exponentials, axis: axis, lower)
            : try lower.reduce("sum", exponentials, axes: [axis], "softmax_sum")
        let divisor = try lower.select(try lower.binary("equal", total, zero, "softmax_zero_sum"), one, total,
                                       "softmax_divisor")
        return try lower.binary("div", exponentials, divisor, "softmax")
    }

    /// The longest bfloat16 softmax row summed key by key; longer rows use the reduce kernel,
    /// which accumulates in float32 (more accurate, and one op instead of one per key).
    static let sequentialSumLimit = 64

    /// Σ x along `axis` left to right, each partial sum rounded to x's dtype: how numpy with
    /// ml_dtypes (the ONNX reference) sums bfloat16.
    private static func sequentialSum(_ x: String, axis: Int, _ lower: NodeLowering) throws -> String {
        var total = try lower.slice(x, axis: axis, 0, 1, "softmax_sum")
        for index in 1..<(try lower.shape(x)[axis]) {
            let term = try lower.slice(x, axis: axis, index, index + 1, "softmax_term")
            total = try lower.binary("add", total, term, "softmax_sum")
        }
        return total
    }
}

/// Grouped-query attention as broadcast matMuls: the Hq query heads split into Hkv groups of
/// `group` heads, each group against its one KV head.
struct GroupedHeads {
    let lower: NodeLowering
    let batch: Int, kvHeads: Int, group: Int

    /// a [B, Hq, M, K] · b [B, Hkv, K, N] → [B, Hq, M, N], b's head h serving query heads
    /// h·group ..< (h + 1)·group.
    func product(_ a: String, _ b: String, _ hint: String) throws -> String {
        guard group > 1 else { return try lower.matMul(a, b, hint) }
        let (aShape, bShape) = (try lower.shape(a), try lower.shape(b))
        let grouped = try lower.reshape(a, to: [batch, kvHeads, group, aShape[2], aShape[3]], hint + "_a5")
        let shared = try lower.reshape(b, to: [bShape[0], kvHeads, 1, bShape[2], bShape[3]], hint + "_b5")
        let product = try lower.matMul(grouped, shared, hint + "_5")
        return try lower.reshape(product, to: [batch, kvHeads * group, aShape[2], bShape[3]], hint)
    }
}

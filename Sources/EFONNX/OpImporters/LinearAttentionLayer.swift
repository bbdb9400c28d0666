// The checked operands of one ONNX LinearAttention node, prepared for the unrolled recurrence of
// StreamingStateImporters: query, key and value as float32 [B, heads, T, d], exp(decay) and beta
// per step, the initial state, the scale, and the read of the state by grouped query heads
// (AttentionImporter's GroupedHeads).

import EFCore
import EFIR

struct LinearAttentionLayer {
    let batch: Int, steps: Int, queryHeads: Int, kvHeads: Int, keySize: Int, valueSize: Int
    /// float32 [B, H_q, T, d_k], [B, H_kv, T, d_k], [B, H_kv, T, d_v].
    let queries: String, keys: String, values: String
    /// exp(decay) as float32 [B, H_kv, T, 1 or d_k] (gated rules), beta as [B, H_kv or 1, T, 1] (delta rules).
    let decay: String?, beta: String?
    /// float32 [B, H_kv, d_k, d_v].
    let initialState: String
    let scale: Double
    let outputDType: DType, stateDType: DType

    /// - Throws: `invalidModel` naming the node for missing head counts, shapes that do not fit
    ///   them, or decay/beta present or absent against update_rule; `unsupported` for an unknown
    ///   update_rule or more steps than are unrolled.
    init(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let lower = NodeLowering(node: node, ctx: ctx)
        let q = try ctx.requiredInput(node, 0, "query"), k = try ctx.requiredInput(node, 1, "key")
        let v = try ctx.requiredInput(node, 2, "value")
        let (qType, kType, vType) = (try lower.type(q), try lower.type(k), try lower.type(v))
        queryHeads = try LoweringSupport.requiredInt(node, "q_num_heads")
        kvHeads = try LoweringSupport.requiredInt(node, "kv_num_heads")
        guard queryHeads > 0, kvHeads > 0, queryHeads % kvHeads == 0,
              [qType, kType, vType].allSatisfy({ $0.dtype.isFloatingPoint && $0.shape.count == 3 }),
              kType.shape.prefix(2) == qType.shape.prefix(2), vType.shape.prefix(2) == qType.shape.prefix(2),
              qType.shape[2] % queryHeads == 0, vType.shape[2] % kvHeads == 0,
              kType.shape[2] == qType.shape[2] / queryHeads * kvHeads else {
            throw LoweringSupport.invalid(node, "query \(qType), key \(kType) and value \(vType) must be float "
                + "[B, T, heads·d] for q_num_heads \(queryHeads), a positive multiple of kv_num_heads \(kvHeads)")
        }
        (batch, steps) = (qType.shape[0], qType.shape[1])
        keySize = qType.shape[2] / queryHeads
        valueSize = vType.shape[2] / kvHeads
        guard (1...RecurrentImporters.maxUnrolledSteps).contains(steps) else {
            throw LoweringSupport.unsupported(node, "a sequence of \(steps) steps (at most "
                + "\(RecurrentImporters.maxUnrolledSteps) are unrolled)")
        }
        let rule = try node.attributeString("update_rule") ?? "gated_delta"
        guard ["linear", "gated", "delta", "gated_delta"].contains(rule) else {
            throw LoweringSupport.unsupported(node, "update_rule '\(rule)' is not linear, gated, delta or gated_delta")
        }
        let (given, gating, correcting) = (ctx.input(node, 3), rule.hasPrefix("gated"), rule.hasSuffix("delta"))
        guard gating == (ctx.input(node, 4) != nil), correcting == (ctx.input(node, 5) != nil) else {
            throw LoweringSupport.invalid(node, "update_rule '\(rule)' \(gating ? "needs" : "forbids") decay and "
                + "\(correcting ? "needs" : "forbids") beta")
        }
        let (b, t, kvHeads, keySize) = (batch, steps, kvHeads, keySize)
        func heads(_ x: String, _ count: Int, _ size: Int, _ role: String) throws -> String {
            let wide = try lower.cast(x, to: .float32, role + "32")
            return try lower.transpose(try lower.reshape(wide, to: [b, t, count, size], role + "_heads"), [0, 2, 1, 3],
                                       role + "_bhtd")
        }
        queries = try heads(q, queryHeads, keySize, "q")
        keys = try heads(k, kvHeads, keySize, "k")
        values = try heads(v, kvHeads, valueSize, "v")
        decay = try ctx.input(node, 4).map { g in
            let last = try lower.shape(g).last ?? 0
            guard try lower.shape(g).count == 3, last == kvHeads || last == kvHeads * keySize else {
                throw LoweringSupport.invalid(node, "decay \(try lower.type(g)) must be [B, T, \(kvHeads)] or "
                    + "[B, T, \(kvHeads * keySize)]")
            }
            return try lower.unary("exp", try heads(g, kvHeads, last / kvHeads, "decay"), "decay_factor")
        }
        beta = try ctx.input(node, 5).map { x in
            let last = try lower.shape(x).last ?? 0
            guard try lower.shape(x).count == 3, last == kvHeads || last == 1 else {
                throw LoweringSupport.invalid(node, "beta \(try lower.type(x)) must be [B, T, \(kvHeads)] or [B, T, 1]")
            }
            return try heads(x, last, 1, "beta")
        }
        let stateShape = [b, kvHeads, keySize, valueSize]
        if let given {
            guard try lower.shape(given) == stateShape, try lower.type(given).dtype.isFloatingPoint else {
                throw LoweringSupport.invalid(node, "past_state \(try lower.type(given)) must be float \(stateShape)")
            }
            initialState = try lower.cast(given, to: .float32, "past32")
            stateDType = try lower.type(given).dtype
        } else {
            initialState = try lower.constant(0, .float32, shape: stateShape, "zero_state")
            stateDType = qType.dtype
        }
        let declared = Double(try node.attributeFloat("scale") ?? 0)
        scale = declared == 0 ? 1 / Double(keySize).squareRoot() : declared
        outputDType = qType.dtype
    }

    /// q_t [B, H_q, 1, d_k] · S [B, H_kv, d_k, d_v]: each query head reads its key-value head's state.
    func read(_ query: String, _ state: String, _ lower: NodeLowering, _ hint: String) throws -> String {
        try GroupedHeads(lower: lower, batch: batch, kvHeads: kvHeads, group: queryHeads / kvHeads)
            .product(query, state, hint)
    }
}

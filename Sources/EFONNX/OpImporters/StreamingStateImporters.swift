// ONNX ops of streaming sequence models that carry a state from one call to the next, lowered at
// import onto core ops: CausalConvWithState (a depthwise causal 1-D convolution whose left
// context is the previous call's tail, optionally followed by SiLU) and LinearAttention (the
// linear, gated, delta and gated-delta recurrences of linear-attention layers, unrolled over the
// static sequence length, computed in float32 as the ONNX reference does).

import EFCore
import EFIR

enum StreamingStateImporters {
    static let table: [String: OpImporter] = [
        "CausalConvWithState": importCausalConvWithState, "LinearAttention": importLinearAttention,
    ]

    /// output = activation(depthwise conv of concat(past_state or zeros, input) with weight [C, 1, k]
    /// and bias), present_state = the last k − 1 steps of that concatenation. SiLU (alias swish)
    /// is computed in float32 and rounded once.
    static func importCausalConvWithState(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let lower = NodeLowering(node: node, ctx: ctx)
        let x = try ctx.requiredInput(node, 0, "input"), w = try ctx.requiredInput(node, 1, "weight")
        let (xType, wType) = (try lower.type(x), try lower.type(w))
        guard xType.dtype.isFloatingPoint, wType.dtype == xType.dtype, xType.shape.count == 3,
              wType.shape.count == 3, wType.shape[0] == xType.shape[1], wType.shape[1] == 1, wType.shape[2] >= 1 else {
            throw LoweringSupport.invalid(node, "input \(xType) and weight \(wType) must be float [B, C, L] and "
                + "[C, 1, k] of one dtype")
        }
        let activation = try node.attributeString("activation") ?? "none"
        guard ["none", "silu", "swish"].contains(activation) else {
            throw LoweringSupport.unsupported(node, "activation '\(activation)' is not none, silu or swish")
        }
        let (batch, channels, length) = (xType.shape[0], xType.shape[1], xType.shape[2])
        let context = wType.shape[2] - 1
        var padded = x
        if context > 0 {
            let past: String
            if let given = ctx.input(node, 3) {
                guard try lower.type(given) == TensorType(xType.dtype, [batch, channels, context]) else {
                    throw LoweringSupport.invalid(node, "past_state \(try lower.type(given)) must be "
                        + "\(xType.dtype.rawValue)[\(batch), \(channels), \(context)]")
                }
                past = given
            } else {
                past = try lower.constant(0, xType.dtype, shape: [batch, channels, context], "zero_state")
            }
            padded = try lower.concat([past, x], axis: 2, "padded")
        }
        let attributes: Attributes = ["strides": .ints([1]), "dilations": .ints([1]), "pads": .ints([0, 0]),
                                      "group": .int(channels)]
        var y = try ctx.emit(.conv, [padded, w, ctx.input(node, 2) ?? ""], attributes, from: node, hint: "conv")
        if activation != "none" {
            let wide = try lower.cast(y, to: .float32, "conv32")
            y = try lower.cast(try lower.binary("mul", wide, try lower.unary("sigmoid", wide, "gate"), "silu"),
                               to: xType.dtype, "output")
        }
        lower.bindOutput(0, to: y)
        lower.bindOutput(1, to: try lower.slice(padded, axis: 2, length, length + context, "present_state"))
    }

    /// The recurrence over t of state S [B, H_kv, d_k, d_v] (past_state, else zeros):
    /// S ← S·exp(decay_t) (gated), v_t ← beta_t·(v_t − k_t·S) (delta), S ← S + k_tᵀ·v_t, and
    /// output_t = scale · q_t·S (each query head reading its key-value head's state).
    static func importLinearAttention(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let layer = try LinearAttentionLayer(node, ctx)
        let lower = NodeLowering(node: node, ctx: ctx)
        var state = layer.initialState
        var outputs: [String] = []
        for t in 0..<layer.steps {
            let tag = "_\(t)"
            let k = try lower.slice(layer.keys, axis: 2, t, t + 1, "k" + tag)          // [B, H, 1, d_k]
            var v = try lower.slice(layer.values, axis: 2, t, t + 1, "v" + tag)        // [B, H, 1, d_v]
            if let decay = layer.decay {
                let g = try lower.slice(decay, axis: 2, t, t + 1, "g" + tag)           // [B, H, 1, 1|d_k]
                let column = try lower.reshape(g, to: [layer.batch, layer.kvHeads, try lower.shape(g)[3], 1],
                                               "g_column" + tag)
                state = try lower.binary("mul", state, column, "decayed" + tag)
            }
            if let beta = layer.beta {
                let retrieved = try lower.matMul(k, state, "retrieved" + tag)
                let b = try lower.slice(beta, axis: 2, t, t + 1, "beta" + tag)
                v = try lower.binary("mul", b, try lower.binary("sub", v, retrieved, "residual" + tag), "delta" + tag)
            }
            let kColumn = try lower.transpose(k, [0, 1, 3, 2], "k_column" + tag)
            state = try lower.binary("add", state, try lower.matMul(kColumn, v, "outer" + tag), "state" + tag)
            let q = try lower.slice(layer.queries, axis: 2, t, t + 1, "q" + tag)
            outputs.append(try layer.read(q, state, lower, "read" + tag))
        }
        let joined = outputs.count == 1 ? outputs[0] : try lower.concat(outputs, axis: 2, "outputs")
        let scaled = try lower.binary("mul", joined, try lower.constant(layer.scale, .float32, "scale"), "scaled")
        let merged = try lower.reshape(try lower.transpose(scaled, [0, 2, 1, 3], "bthd"),
                                       to: [layer.batch, layer.steps, layer.queryHeads * layer.valueSize], "merged")
        lower.bindOutput(0, to: try lower.cast(merged, to: layer.outputDType, "output"))
        lower.bindOutput(1, to: try lower.cast(state, to: layer.stateDType, "present_state"))
    }
}

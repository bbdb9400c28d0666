// ONNX FlexAttention (domain ai.onnx.preview): scaled dot-product attention whose scores and
// probabilities pass through the model's own subgraphs (`score_mod`, e.g. a mask or a positional
// bias; `prob_mod`), lowered at import onto matMul, softmax and the inlined subgraphs, in the
// precision the ONNX reference uses (float32 for half types unless softmax_precision says).

import EFCore
import EFIR

enum FlexAttentionImporter {
    static let domain = "ai.onnx.preview"
    static let table: [String: OpImporter] = ["FlexAttention": importFlexAttention]

    /// Y = (softmax(score_mod((Q·√s)(K·√s)ᵀ)) → prob_mod)·V with Q [B, H_q, L, E], K [B, H_kv, S, E],
    /// V [B, H_kv, S, E_v] (H_q a multiple of H_kv: each key-value head serves a group), s = scale
    /// (default 1/√E); Y [B, H_q, L, E_v] of V's dtype.
    /// - Throws: `invalidModel` naming the node for shapes that do not fit or a mod subgraph that
    ///   does not take and give one tensor; `unsupported` for an unknown softmax_precision.
    static func importFlexAttention(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let lower = NodeLowering(node: node, ctx: ctx)
        let q = try ctx.requiredInput(node, 0, "Q"), k = try ctx.requiredInput(node, 1, "K")
        let v = try ctx.requiredInput(node, 2, "V")
        let (qType, kType, vType) = (try lower.type(q), try lower.type(k), try lower.type(v))
        guard [qType, kType, vType].allSatisfy({ $0.shape.count == 4 && $0.dtype == qType.dtype }),
              qType.dtype.isFloatingPoint, kType.shape[0] == qType.shape[0], vType.shape[0] == qType.shape[0],
              kType.shape[1] == vType.shape[1], kType.shape[2] == vType.shape[2], kType.shape[3] == qType.shape[3],
              kType.shape[1] > 0, qType.shape[1] % kType.shape[1] == 0 else {
            throw LoweringSupport.invalid(node, "Q \(qType), K \(kType) and V \(vType) must be float [B, H_q, L, E], "
                + "[B, H_kv, S, E] and [B, H_kv, S, E_v] of one dtype, H_q a multiple of H_kv")
        }
        let (batch, queryHeads, keyHeads) = (qType.shape[0], qType.shape[1], kType.shape[1])
        let compute = try computeDType(node, qType.dtype)
        let declared = try node.attributeFloat("scale")
        let scale = declared.map(Double.init) ?? 1 / Double(qType.shape[3]).squareRoot()
        let root = try lower.constant(Double(Float(scale).squareRoot()), qType.dtype, "sqrt_scale")
        // Each key-value head serves its group of query heads through broadcast matMuls.
        let groups = GroupedHeads(lower: lower, batch: batch, kvHeads: keyHeads, group: queryHeads / keyHeads)
        let keys = try lower.binary("mul", k, root, "K_scaled")
        let product = try groups.product(try lower.binary("mul", q, root, "Q_scaled"),
                                         try lower.transpose(keys, [0, 1, 3, 2], "K_t"), "QK")
        var scores = try lower.cast(product, to: compute, "scores")
        if let mod = try modGraph(node, "score_mod") {
            scores = try lower.cast(try inline(mod, scores, node, ctx, "score_mod"), to: compute, "scores_mod")
        }
        var probabilities = try ctx.emit(.softmax, [scores], ["axis": .int(3)], from: node, hint: "probs")
        if let mod = try modGraph(node, "prob_mod") {
            probabilities = try lower.cast(try inline(mod, probabilities, node, ctx, "prob_mod"), to: compute,
                                           "probs_mod")
        }
        let values = try lower.cast(v, to: compute, "V_compute")
        lower.bindOutput(0, to: try lower.cast(try groups.product(probabilities, values, "PV"), to: vType.dtype, "Y"))
    }

    /// softmax_precision, else float32 for float16/bfloat16 and the input's own float type otherwise.
    private static func computeDType(_ node: OnnxNode, _ input: DType) throws -> DType {
        guard let code = try node.attributeInt("softmax_precision") else {
            return input == .float16 || input == .bfloat16 ? .float32 : input
        }
        guard let dtype = OnnxDataType.dtype(code), dtype.isFloatingPoint else {
            throw LoweringSupport.unsupported(node, "softmax_precision \(code) is not a float type")
        }
        return dtype
    }

    private static func modGraph(_ node: OnnxNode, _ name: String) throws -> OnnxGraph? {
        guard let attribute = node.attributes[name] else { return nil }
        guard case .graph(let graph) = attribute else {
            throw LoweringSupport.invalid(node, "\(name) must be a graph")
        }
        return graph
    }

    /// The value `graph` computes from `value` (its one input), inlined under the node's name.
    private static func inline(_ graph: OnnxGraph, _ value: String, _ node: OnnxNode, _ ctx: ImportContext,
                               _ name: String) throws -> String {
        let outputs = try SubgraphInlining.inline(graph, bindings: [value], scope: "\(node.displayName)/\(name)",
                                                  for: node, into: ctx)
        guard outputs.count == 1 else {
            throw LoweringSupport.invalid(node, "\(name) gives \(outputs.count) outputs, not one")
        }
        return outputs[0]
    }
}

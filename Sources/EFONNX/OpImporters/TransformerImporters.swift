// ONNX importers for the transformer ops of opsets 23–28, lowered at import onto core ops so
// the interpreter, the compiled executable and the int8 path run them unchanged: Attention
// (AttentionImporter), RotaryEmbedding (RotaryEmbeddingImporter), TensorScatter
// (TensorScatterImporter), RMSNormalization and SwiGLU.

import EFCore
import EFIR

enum TransformerImporters {
    static let table: [String: OpImporter] = [
        "Attention": AttentionImporter.importAttention,
        "RotaryEmbedding": RotaryEmbeddingImporter.importRotaryEmbedding,
        "RMSNormalization": importRMSNormalization,
        "SwiGLU": importSwiGLU,
        "TensorScatter": TensorScatterImporter.importTensorScatter,
    ]

    /// Y = Cast(X / sqrt(mean(X², axes axis..<rank) + epsilon), to T) · scale, with X and epsilon
    /// in stash_type (default float32), as the ONNX function body. X float; scale broadcastable
    /// onto the normalized dims.
    /// - Throws: `invalidModel` naming the node for an out-of-range axis or a non-float stash_type.
    private static func importRMSNormalization(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let lower = NodeLowering(node: node, ctx: ctx)
        let x = try ctx.requiredInput(node, 0, "X"), scale = try ctx.requiredInput(node, 1, "scale")
        let type = try lower.type(x)
        guard type.dtype.isFloatingPoint else {
            throw LoweringSupport.invalid(node, "X must be a float tensor, got \(type.dtype.rawValue)")
        }
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? -1, rank: type.shape.count, node)
        let stash = try OnnxDataType.requiredDType(try node.attributeInt("stash_type") ?? 1,
                                                   for: "RMSNormalization node '\(node.displayName)' stash_type")
        guard stash.isFloatingPoint else { throw LoweringSupport.invalid(node, "stash_type must be a float type") }
        let wide = try lower.cast(x, to: stash, "X_stash")
        let mean = try lower.reduce("mean", try lower.binary("mul", wide, wide, "X_squared"),
                                    axes: Array(axis..<type.shape.count), "mean_square")
        let epsilon = try lower.constant(Double(try node.attributeFloat("epsilon") ?? 1e-5), stash, "epsilon")
        let rms = try lower.unary("sqrt", try lower.binary("add", mean, epsilon, "mean_square_eps"), "rms")
        let normalized = try lower.cast(try lower.binary("div", wide, rms, "normalized"), to: type.dtype,
                                        "normalized_t")
        let y = try lower.binary("mul", normalized, try lower.cast(scale, to: type.dtype, "scale_t"), "Y")
        lower.bindOutput(0, to: y)
    }

    /// Y = A · sigmoid(alpha · A) · B (Swish of the gate A times the value B); A and B float of
    /// one shape and dtype.
    /// - Throws: `invalidModel` naming the node when A and B differ in shape or dtype.
    private static func importSwiGLU(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let lower = NodeLowering(node: node, ctx: ctx)
        let a = try ctx.requiredInput(node, 0, "A"), b = try ctx.requiredInput(node, 1, "B")
        let (aType, bType) = (try lower.type(a), try lower.type(b))
        guard aType == bType, aType.dtype.isFloatingPoint else {
            throw LoweringSupport.invalid(node,
                                          "A \(aType) and B \(bType) must be float tensors of one shape and dtype")
        }
        let alpha = try node.attributeFloat("alpha") ?? 1
        var scaled = a
        if alpha != 1 {
            scaled = try lower.binary("mul", try lower.constant(Double(alpha), aType.dtype, "alpha"), a, "alpha_A")
        }
        let swish = try lower.binary("mul", a, try lower.unary("sigmoid", scaled, "gate"), "swish")
        lower.bindOutput(0, to: try lower.binary("mul", swish, b, "Y"))
    }
}

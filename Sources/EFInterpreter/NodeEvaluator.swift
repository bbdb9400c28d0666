// Runs one IR node with the reference kernels: the node's typed parameters go to the
// deploy-side ReferenceEvaluator (EFOps), which the executable's fallback steps share.

import EFCore
import EFIR
import EFOps

/// Evaluates single nodes.
public enum NodeEvaluator {
    /// Computes the outputs of `node` from its input tensors (nil for absent optional inputs).
    /// Outputs have exactly the types `ShapeInference` predicts.
    /// - Throws: `EdgeflowError` naming the node when the inputs do not fit.
    public static func evaluate(_ node: Node, inputs: [Tensor?]) throws -> [Tensor] {
        do {
            return try ReferenceEvaluator.evaluate(node.params, inputs, outputCount: node.outputs.count)
        } catch let error as EdgeflowError {
            throw error.prefixed("node '\(node.name)' (\(node.op.rawValue))")
        }
    }
}

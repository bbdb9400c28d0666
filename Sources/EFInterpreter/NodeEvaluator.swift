// Runs one node with the reference kernels: the dispatch over op groups. Each group's
// evaluators live in Evaluators/<Group>Evaluator.swift and call EFKernels.

import EFCore
import EFIR
import EFKernels

/// Evaluates single nodes.
public enum NodeEvaluator {
    /// Computes the outputs of `node` from its input tensors (nil for absent optional inputs).
    /// Outputs have exactly the types `ShapeInference` predicts.
    /// - Throws: `EdgeflowError` naming the node when the inputs do not fit.
    public static func evaluate(_ node: Node, inputs: [Tensor?]) throws -> [Tensor] {
        do {
            switch node.op {
            case .unary, .binary, .where, .cast:
                return try ElementwiseEvaluator.evaluate(node, inputs)
            case .matMul, .conv, .convTranspose, .pool:
                return try LinearEvaluator.evaluate(node, inputs)
            case .reduce, .argReduce, .softmax, .logSoftmax, .layerNorm, .lrn, .instanceNorm, .cumSum, .topK:
                return try ReductionEvaluator.evaluate(node, inputs)
            case .reshape, .transpose, .expand, .concat, .slice, .pad, .gather, .gatherElements, .gatherND,
                 .scatterElements, .scatterND, .tile, .depthToSpace, .spaceToDepth, .trilu, .oneHot:
                return try MovementEvaluator.evaluate(node, inputs)
            case .resize:
                return try ResizeEvaluator.evaluate(node, inputs)
            case .quantizeLinear, .dequantizeLinear, .dynamicQuantizeLinear, .qlinearConv, .qlinearMatMul,
                 .matMulInteger, .convInteger:
                return try QuantEvaluator.evaluate(node, inputs)
            }
        } catch let error as EdgeflowError {
            throw error.prefixed("node '\(node.name)' (\(node.op.rawValue))")
        }
    }

    /// The input tensor at `index`, or an error naming the missing input.
    public static func required(_ inputs: [Tensor?], _ index: Int, _ role: String) throws -> Tensor {
        guard index < inputs.count, let tensor = inputs[index] else {
            throw EdgeflowError(.invalidModel, "missing input \(index) (\(role))")
        }
        return tensor
    }
}

extension NodeEvaluator {
    /// The kernel parameters of a `pool` node (for compilers that call the kernels directly).
    /// - Throws: `EdgeflowError.invalidModel` for an unknown pool kind or a missing kernel.
    public static func poolParameters(_ node: Node) throws -> PoolParameters {
        try LinearEvaluator.poolParameters(node.attributes)
    }

    /// The kernel parameters of a `resize` node.
    /// - Throws: `EdgeflowError.invalidModel` for unknown modes or missing sizes.
    public static func resizeParameters(_ node: Node) throws -> ResizeParameters {
        try ResizeEvaluator.parameters(node.attributes)
    }
}

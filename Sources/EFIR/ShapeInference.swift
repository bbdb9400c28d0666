// Output types of a node from its input types: the dispatch over op groups. Each group's rules
// live in ShapeRules/<Group>Shapes.swift.

import EFCore

/// Static shape and dtype inference.
public enum ShapeInference {
    /// The output types of `node`, given the types of its inputs (nil for absent optional inputs).
    /// - Throws: `EdgeflowError.invalidModel` when the inputs do not fit the op, or an output's
    ///   byte count would not fit in `Int` (`TensorType.checkSize`), naming the node.
    public static func infer(_ node: Node, inputTypes: [TensorType?]) throws -> [TensorType] {
        do {
            for (index, type) in inputTypes.enumerated() { try type?.checkSize("input \(index)") }
            let types: [TensorType]
            switch node.op {
            case .unary, .binary, .where, .cast:
                types = try ElementwiseShapes.infer(node, inputTypes)
            case .matMul, .conv, .convTranspose, .pool:
                types = try LinearShapes.infer(node, inputTypes)
            case .reduce, .argReduce, .softmax, .logSoftmax, .layerNorm, .lrn, .instanceNorm, .cumSum, .topK:
                types = try ReductionShapes.infer(node, inputTypes)
            case .reshape, .transpose, .expand, .concat, .slice, .pad, .gather, .gatherElements, .gatherND,
                 .scatterElements, .scatterND, .tile, .depthToSpace, .spaceToDepth, .trilu, .oneHot:
                types = try MovementShapes.infer(node, inputTypes)
            case .resize:
                types = try ResizeShapes.infer(node, inputTypes)
            case .quantizeLinear, .dequantizeLinear, .dynamicQuantizeLinear, .qlinearConv, .qlinearMatMul,
                 .matMulInteger, .convInteger:
                types = try QuantShapes.infer(node, inputTypes)
            }
            guard types.count == node.outputs.count else {
                throw EdgeflowError(.invalidModel,
                    "\(node.op.rawValue) produces \(types.count) outputs but the node names \(node.outputs.count)")
            }
            for (output, type) in zip(node.outputs, types) { try type.checkSize("output '\(output)'") }
            return types
        } catch let error as EdgeflowError {
            throw error.prefixed("node '\(node.name)' (\(node.op.rawValue))")
        }
    }

    /// The input type at `index`, or an error naming the missing input.
    public static func required(_ inputs: [TensorType?], _ index: Int, _ role: String) throws -> TensorType {
        guard index < inputs.count, let type = inputs[index] else {
            throw EdgeflowError(.invalidModel, "missing input \(index) (\(role))")
        }
        return type
    }
}

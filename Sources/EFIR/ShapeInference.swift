// Output types of an IR node from its input types: the deploy-side rules of EFOps (OpShapes),
// with errors naming the node.

import EFCore
import EFOps

/// Static shape and dtype inference.
public enum ShapeInference {
    /// The output types of `node`, given the types of its inputs (nil for absent optional inputs).
    /// - Throws: `EdgeflowError.invalidModel` when the inputs do not fit the op, or an output's
    ///   byte count would not fit in `Int` (`TensorType.checkSize`), naming the node.
    public static func infer(_ node: Node, inputTypes: [TensorType?]) throws -> [TensorType] {
        do {
            return try OpShapes.infer(OpInstance(node.params, outputCount: node.outputs.count), inputTypes: inputTypes,
                                     outputNames: node.outputs)
        } catch let error as EdgeflowError {
            throw error.prefixed("node '\(node.name)' (\(node.op.rawValue))")
        }
    }

    /// The input type at `index`, or an error naming the missing input.
    public static func required(_ inputs: [TensorType?], _ index: Int, _ role: String) throws -> TensorType {
        try OpShapes.required(inputs, index, role)
    }
}

// Evaluators for the Elementwise op group: map node parameters onto the unary, binary,
// select and cast kernels.

import EFCore
import EFIR
import EFKernels

enum ElementwiseEvaluator {
    static func evaluate(_ node: Node, _ inputs: [Tensor?]) throws -> [Tensor] {
        let attributes = node.attributes
        switch node.op {
        case .unary:
            let x = try NodeEvaluator.required(inputs, 0, "x")
            let name = try attributes.requiredString("fn")
            guard let fn = UnaryFunction(rawValue: name) else {
                throw EdgeflowError(.invalidModel, "unknown unary fn '\(name)'")
            }
            let parameters = UnaryParameters(alpha: attributes.float("alpha", default: 0),
                                             beta: attributes.float("beta", default: 0),
                                             gamma: attributes.float("gamma", default: 0))
            return [try Kernels.unary(fn, x, parameters)]
        case .binary:
            let a = try NodeEvaluator.required(inputs, 0, "a")
            let b = try NodeEvaluator.required(inputs, 1, "b")
            let name = try attributes.requiredString("fn")
            guard let fn = BinaryFunction(rawValue: name) else {
                throw EdgeflowError(.invalidModel, "unknown binary fn '\(name)'")
            }
            return [try Kernels.binary(fn, a, b)]
        case .where:
            return [try Kernels.select(try NodeEvaluator.required(inputs, 0, "condition"),
                                       try NodeEvaluator.required(inputs, 1, "x"),
                                       try NodeEvaluator.required(inputs, 2, "y"))]
        case .cast:
            return [try Kernels.cast(try NodeEvaluator.required(inputs, 0, "x"),
                to: try attributes.requiredDType("to"))]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not an elementwise op")
        }
    }
}

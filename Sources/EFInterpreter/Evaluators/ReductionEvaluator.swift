// Evaluators for the Reduction op group: map node parameters onto the reduction, softmax,
// normalization, cumulative-sum and top-k kernels.

import EFCore
import EFIR
import EFKernels

enum ReductionEvaluator {
    static func evaluate(_ node: Node, _ inputs: [Tensor?]) throws -> [Tensor] {
        let attributes = node.attributes
        let x = try NodeEvaluator.required(inputs, 0, "x")
        switch node.op {
        case .reduce:
            let name = try attributes.requiredString("fn")
            guard let fn = ReduceFunction(rawValue: name) else {
                throw EdgeflowError(.invalidModel, "unknown reduce fn '\(name)'")
            }
            return [try Kernels.reduce(fn, x, axes: attributes.ints("axes") ?? [],
                                       keepDims: attributes.int("keepDims", default: 1) != 0)]
        case .argReduce:
            let fn = try attributes.requiredString("fn")
            guard fn == "max" || fn == "min" else { throw EdgeflowError(.invalidModel, "unknown argReduce fn '\(fn)'") }
            return [try Kernels.argReduce(x, axis: try attributes.requiredInt("axis"), largest: fn == "max",
                                          keepDims: attributes.int("keepDims", default: 1) != 0,
                                          selectLastIndex: attributes.int("selectLastIndex", default: 0) != 0)]
        case .softmax, .logSoftmax:
            return [try Kernels.softmax(x, axis: try attributes.requiredInt("axis"), log: node.op == .logSoftmax)]
        case .layerNorm:
            let scale = try NodeEvaluator.required(inputs, 1, "scale")
            let bias = inputs.count > 2 ? inputs[2] : nil
            let (axis, epsilon) = (try attributes.requiredInt("axis"), attributes.float("epsilon", default: 1e-5))
            guard node.outputs.count == 3 else {
                return [try Kernels.layerNorm(x, scale: scale, bias: bias, axis: axis, epsilon: epsilon)]
            }
            let name = attributes.string("statsDType") ?? DType.float32.rawValue
            guard let statsDType = DType(rawValue: name) else {
                throw EdgeflowError(.invalidModel, "layerNorm statsDType '\(name)' is not a dtype")
            }
            let result = try Kernels.layerNormWithStatistics(x, scale: scale, bias: bias, axis: axis, epsilon: epsilon,
                                                             statisticsDType: statsDType)
            return [result.y, result.mean, result.invStdDev]
        case .lrn:
            return [try Kernels.lrn(x, size: try attributes.requiredInt("size"),
                                    alpha: attributes.float("alpha", default: 1e-4),
                                    beta: attributes.float("beta", default: 0.75),
                                    bias: attributes.float("bias", default: 1))]
        case .instanceNorm:
            return [try Kernels.instanceNorm(x, scale: try NodeEvaluator.required(inputs, 1, "scale"),
                                             bias: try NodeEvaluator.required(inputs, 2, "bias"),
                                             epsilon: attributes.float("epsilon", default: 1e-5))]
        case .cumSum:
            return [try Kernels.cumSum(x, axis: try attributes.requiredInt("axis"),
                                       exclusive: attributes.int("exclusive", default: 0) != 0,
                                       reverse: attributes.int("reverse", default: 0) != 0)]
        case .topK:
            let result = try Kernels.topK(x, k: try attributes.requiredInt("k"),
                axis: try attributes.requiredInt("axis"),
                                          largest: attributes.int("largest", default: 1) != 0)
            return [result.values, result.indices]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a reduction op")
        }
    }
}

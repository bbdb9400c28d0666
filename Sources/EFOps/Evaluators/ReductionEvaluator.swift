// Evaluators for the Reduction op group: reductions, softmax, normalizations, cumulative sum,
// top-k and the determinant.

import EFCore
import EFKernels

enum ReductionEvaluator {
    static func evaluate(_ parameters: OpParameters, _ inputs: Arguments, outputCount: Int) throws -> [Tensor] {
        let x = try inputs.required(0, "x")
        switch parameters {
        case .reduce(let p): return [try Kernels.reduce(p.fn, x, axes: p.axes, keepDims: p.keepDims)]
        case .argReduce(let p):
            return [try Kernels.argReduce(x, axis: p.axis, largest: p.largest, keepDims: p.keepDims,
                                          selectLastIndex: p.selectLastIndex)]
        case .softmax(let axis): return [try Kernels.softmax(x, axis: axis, log: false)]
        case .logSoftmax(let axis): return [try Kernels.softmax(x, axis: axis, log: true)]
        case .layerNorm(let p):
            let scale = try inputs.required(1, "scale"), bias = inputs.optional(2)
            guard outputCount == 3 else {
                return [try Kernels.layerNorm(x, scale: scale, bias: bias, axis: p.axis, epsilon: p.epsilon)]
            }
            let result = try Kernels.layerNormWithStatistics(x, scale: scale, bias: bias, axis: p.axis,
                                                             epsilon: p.epsilon, statisticsDType: p.statsDType)
            return [result.y, result.mean, result.invStdDev]
        case .lrn(let p): return [try Kernels.lrn(x, size: p.size, alpha: p.alpha, beta: p.beta, bias: p.bias)]
        case .instanceNorm(let epsilon):
            return [try Kernels.instanceNorm(x, scale: try inputs.required(1, "scale"),
                                             bias: try inputs.required(2, "bias"), epsilon: epsilon)]
        case .cumSum(let p):
            return [try Kernels.cumSum(x, axis: p.axis, exclusive: p.exclusive, reverse: p.reverse)]
        case .cumProd(let p):
            return [try Kernels.cumProd(x, axis: p.axis, exclusive: p.exclusive, reverse: p.reverse)]
        case .topK(let p):
            let result = try Kernels.topK(x, k: p.k, axis: p.axis, largest: p.largest)
            return [result.values, result.indices]
        case .det: return [try Kernels.determinant(x)]
        default:
            throw EdgeflowError(.internalError, "\(parameters.op.rawValue) is not a reduction op")
        }
    }
}

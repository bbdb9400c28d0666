// Evaluators for the Linear op group (matMul, conv, convTranspose, pool) with their fused
// epilogues and the channels-last layout.

import EFCore
import EFKernels

enum LinearEvaluator {
    static func evaluate(_ parameters: OpParameters, _ inputs: Arguments, outputCount: Int) throws -> [Tensor] {
        switch parameters {
        case .matMul(let p):
            let product = try Kernels.matMul(try inputs.required(0, "a"), try inputs.required(1, "b"))
            return [try fusedEpilogue(product, adding: [inputs.optional(2)], p.activation)]
        case .conv(let p):
            let y = try channelsFirst(try inputs.required(0, "x"), p.channelsLast) { x in
                try Kernels.conv(x, weight: try inputs.required(1, "weight"), bias: inputs.optional(2), p.window)
            }
            return [try fusedEpilogue(y, adding: [inputs.optional(3)], p.activation)]
        case .convTranspose(let p):
            let kernelParameters = ConvTransposeParameters(p.window, outputPadding: p.outputPadding)
            return [try channelsFirst(try inputs.required(0, "x"), p.channelsLast) { x in
                try Kernels.convTranspose(x, weight: try inputs.required(1, "weight"), bias: inputs.optional(2),
                                          kernelParameters)
            }]
        case .pool(let p):
            let x = try inputs.required(0, "x")
            if p.channelsLast { return [try channelsFirst(x, true) { try Kernels.pool($0, p.pool) }] }
            if p.pool.kind == .max && outputCount == 2 {
                let result = try Kernels.maxPoolWithIndices(x, p.pool, columnMajor: p.columnMajorIndices)
                return [result.values, result.indices]
            }
            return [try Kernels.pool(x, p.pool)]
        default:
            throw EdgeflowError(.internalError, "\(parameters.op.rawValue) is not a linear op")
        }
    }

    /// Runs an NCHW kernel on a channels-last value ([N, spatial..., C]) by transposing around it.
    static func channelsFirst(_ x: Tensor, _ channelsLast: Bool, _ kernel: (Tensor) throws -> Tensor) throws -> Tensor {
        guard channelsLast else { return try kernel(x) }
        let rank = x.rank
        let toFirst = [0, rank - 1] + Array(1..<(rank - 1)), toLast = [0] + Array(2..<rank) + [1]
        return try Kernels.transpose(try kernel(try Kernels.transpose(x, perm: toFirst)), perm: toLast)
    }

    /// The fused tail of conv and matMul: adds each present addend (broadcast), then applies
    /// the activation.
    static func fusedEpilogue(_ y: Tensor, adding addends: [Tensor?], _ activation: FusedActivation?) throws -> Tensor {
        var result = y
        for case let addend? in addends { result = try Kernels.binary(.add, result, addend) }
        guard let activation else { return result }
        return try Kernels.unary(activation.fn, result, activation.constants)
    }
}

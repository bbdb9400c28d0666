// Evaluators for the Elementwise op group: the unary, binary, select, cast and bitCast kernels.

import EFCore
import EFKernels

enum ElementwiseEvaluator {
    static func evaluate(_ parameters: OpParameters, _ inputs: Arguments) throws -> [Tensor] {
        switch parameters {
        case .unary(let p):
            return [try Kernels.unary(p.fn, try inputs.required(0, "x"), p.constants)]
        case .binary(let fn):
            return [try Kernels.binary(fn, try inputs.required(0, "a"), try inputs.required(1, "b"))]
        case .select:
            return [try Kernels.select(try inputs.required(0, "condition"), try inputs.required(1, "x"),
                                       try inputs.required(2, "y"))]
        case .cast(let dtype, let saturate, let roundMode):
            return [try Kernels.cast(try inputs.required(0, "x"), to: dtype, saturate: saturate, roundMode: roundMode)]
        case .bitCast(let dtype): return [try Kernels.bitCast(try inputs.required(0, "x"), to: dtype)]
        default:
            throw EdgeflowError(.internalError, "\(parameters.op.rawValue) is not an elementwise op")
        }
    }
}

// Evaluator for gridSample: the reference kernel of EFKernels/GridSample.swift.

import EFCore
import EFKernels

enum SamplingEvaluator {
    static func evaluate(_ parameters: OpParameters, _ inputs: Arguments) throws -> [Tensor] {
        guard case .gridSample(let p) = parameters else {
            throw EdgeflowError(.internalError, "\(parameters.op.rawValue) is not a sampling op")
        }
        return [try Kernels.gridSample(try inputs.required(0, "x"), try inputs.required(1, "grid"), p)]
    }
}

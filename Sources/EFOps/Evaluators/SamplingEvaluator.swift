// Evaluators for the sampling ops: gridSample, roiAlign and deformConv, the reference kernels
// of EFKernels/GridSample.swift, RoiAlign.swift and DeformConv.swift.

import EFCore
import EFKernels

enum SamplingEvaluator {
    static func evaluate(_ parameters: OpParameters, _ inputs: Arguments) throws -> [Tensor] {
        switch parameters {
        case .gridSample(let p):
            return [try Kernels.gridSample(try inputs.required(0, "x"), try inputs.required(1, "grid"), p)]
        case .roiAlign(let p):
            return [try Kernels.roiAlign(try inputs.required(0, "x"), try inputs.required(1, "rois"),
                                         try inputs.required(2, "batchIndices"), p)]
        case .deformConv(let p):
            return [try Kernels.deformConv(try inputs.required(0, "x"), weight: try inputs.required(1, "w"),
                                           offset: try inputs.required(2, "offset"), bias: inputs.optional(3),
                                           mask: inputs.optional(4), p)]
        default:
            throw EdgeflowError(.internalError, "\(parameters.op.rawValue) is not a sampling op")
        }
    }
}

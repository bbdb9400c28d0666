// Shape rule for gridSample: the output takes N and C from x and the spatial dims from grid.

import EFCore
import EFKernels

enum SamplingShapes {
    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        let x = try OpShapes.required(inputs, 0, "x"), grid = try OpShapes.required(inputs, 1, "grid")
        guard case .gridSample(let p) = node.params else {
            throw EdgeflowError(.internalError, "not a gridSample node")
        }
        guard grid.dtype.isFloatingPoint else {
            throw EdgeflowError(.invalidModel, "gridSample grid must be a float tensor, got \(grid)")
        }
        if x.dtype == .bool && p.mode != .nearest {
            throw EdgeflowError(.invalidModel, "gridSample \(p.mode.rawValue) needs a numeric input, got bool")
        }
        do {
            return [TensorType(x.dtype, try Kernels.gridSampleShape(x.shape, grid.shape))]
        } catch let error as EdgeflowError {
            throw EdgeflowError(.invalidModel, error.message)
        }
    }
}

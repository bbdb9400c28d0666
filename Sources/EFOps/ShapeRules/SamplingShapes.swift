// Shape rules for the sampling ops: gridSample takes N and C from x and the spatial dims from
// grid; roiAlign gives [R, C, outputHeight, outputWidth]; deformConv a 2-D conv's output.

import EFCore
import EFKernels

enum SamplingShapes {
    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        let x = try OpShapes.required(inputs, 0, "x")
        do {
            switch node.params {
            case .gridSample(let p):
                let grid = try OpShapes.required(inputs, 1, "grid")
                guard grid.dtype.isFloatingPoint else {
                    throw EdgeflowError(.invalidModel, "gridSample grid must be a float tensor, got \(grid)")
                }
                if x.dtype == .bool && p.mode != .nearest {
                    throw EdgeflowError(.invalidModel, "gridSample \(p.mode.rawValue) needs a numeric input, got bool")
                }
                return [TensorType(x.dtype, try Kernels.gridSampleShape(x.shape, grid.shape))]
            case .roiAlign(let p):
                let rois = try OpShapes.required(inputs, 1, "rois")
                let indices = try OpShapes.required(inputs, 2, "batchIndices")
                guard x.dtype.isFloatingPoint, rois.dtype.isFloatingPoint, indices.dtype.isInteger else {
                    throw EdgeflowError(.invalidModel,
                        "roiAlign takes float x and rois and integer batch indices, got \(x), \(rois), \(indices)")
                }
                return [TensorType(x.dtype, try Kernels.roiAlignShape(x.shape, rois.shape, indices.shape, p))]
            case .deformConv(let p):
                let operands = [x] + (1..<min(inputs.count, 5)).compactMap { inputs[$0] }
                guard operands.allSatisfy({ $0.dtype.isFloatingPoint }) else {
                    throw EdgeflowError(.invalidModel, "deformConv takes float operands, got \(operands)")
                }
                let w = try OpShapes.required(inputs, 1, "w"), offset = try OpShapes.required(inputs, 2, "offset")
                let bias = inputs.count > 3 ? inputs[3]?.shape : nil, mask = inputs.count > 4 ? inputs[4]?.shape : nil
                return [TensorType(x.dtype, try Kernels.deformConvShape(x.shape, w.shape, offset.shape, bias, mask, p))]
            default:
                throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a sampling op")
            }
        } catch let error as EdgeflowError where error.kind == .invalidInput {
            throw EdgeflowError(.invalidModel, error.message)
        }
    }
}

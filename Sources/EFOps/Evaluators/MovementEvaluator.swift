// Evaluators for the Movement op group: the data-movement kernels.

import EFCore
import EFKernels

enum MovementEvaluator {
    static func evaluate(_ parameters: OpParameters, _ inputs: Arguments) throws -> [Tensor] {
        let x = try inputs.required(0, "input")
        func second(_ role: String) throws -> Tensor { try inputs.required(1, role) }
        switch parameters {
        case .reshape(let shape):
            guard shape.checkedElementCount == x.count else {
                throw EdgeflowError(.invalidModel, "cannot reshape \(x) to \(shape.shapeDescription)")
            }
            return [x.reshaped(shape)]
        case .transpose(let perm): return [try Kernels.transpose(x, perm: perm)]
        case .expand(let shape): return [try Kernels.expand(x, to: shape)]
        case .concat(let axis):
            let tensors = try (0..<inputs.count).map { try inputs.required($0, "input \($0)") }
            return [try Kernels.concat(tensors, axis: axis)]
        case .slice(let p):
            return [try Kernels.slice(x, starts: p.starts, ends: p.ends, steps: p.steps(rank: x.rank))]
        case .pad(let p):
            let value = try Kernels.cast(Tensor(scalar: p.value), to: x.dtype)
            return [try Kernels.pad(x, pads: p.pads, mode: p.mode, value: value)]
        case .gather(let axis): return [try Kernels.gather(x, indices: try second("indices"), axis: axis)]
        case .gatherElements(let axis):
            return [try Kernels.gatherElements(x, indices: try second("indices"), axis: axis)]
        case .gatherND(let batchDims):
            return [try Kernels.gatherND(x, indices: try second("indices"), batchDims: batchDims)]
        case .scatterElements(let axis, let reduction):
            return [try Kernels.scatterElements(x, indices: try second("indices"),
                                                updates: try inputs.required(2, "updates"), axis: axis,
                                                reduction: reduction)]
        case .scatterND(let reduction):
            return [try Kernels.scatterND(x, indices: try second("indices"), updates: try inputs.required(2, "updates"),
                                          reduction: reduction)]
        case .tile(let repeats): return [try Kernels.tile(x, repeats: repeats)]
        case .depthToSpace(let blockSize, let mode):
            return [try Kernels.depthToSpace(x, blockSize: blockSize, mode: mode.rawValue)]
        case .spaceToDepth(let blockSize): return [try Kernels.spaceToDepth(x, blockSize: blockSize)]
        case .trilu(let upper, let k): return [try Kernels.trilu(x, upper: upper, k: k)]
        case .oneHot(let depth, let axis):
            return [try Kernels.oneHot(x, depth: depth, values: try second("values"), axis: axis)]
        default:
            throw EdgeflowError(.internalError, "\(parameters.op.rawValue) is not a movement op")
        }
    }
}

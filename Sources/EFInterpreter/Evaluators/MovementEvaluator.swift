// Evaluators for the Movement op group: map node parameters onto the data-movement kernels.

import EFCore
import EFIR
import EFKernels

enum MovementEvaluator {
    static func evaluate(_ node: Node, _ inputs: [Tensor?]) throws -> [Tensor] {
        let attributes = node.attributes
        let x = try NodeEvaluator.required(inputs, 0, "input")
        func second(_ role: String) throws -> Tensor { try NodeEvaluator.required(inputs, 1, role) }
        switch node.op {
        case .reshape:
            let shape = try attributes.requiredInts("shape")
            guard shape.checkedElementCount == x.count else {
                throw EdgeflowError(.invalidModel, "cannot reshape \(x) to \(shape.shapeDescription)")
            }
            return [x.reshaped(shape)]
        case .transpose:
            return [try Kernels.transpose(x, perm: try attributes.requiredInts("perm"))]
        case .expand:
            return [try Kernels.expand(x, to: try attributes.requiredInts("shape"))]
        case .concat:
            let tensors = try inputs.indices.map { try NodeEvaluator.required(inputs, $0, "input \($0)") }
            return [try Kernels.concat(tensors, axis: try attributes.requiredInt("axis"))]
        case .slice:
            return [try Kernels.slice(x, starts: try attributes.requiredInts("starts"),
                                      ends: try attributes.requiredInts("ends"),
                                      steps: attributes.ints("steps") ?? [Int](repeating: 1, count: x.rank))]
        case .pad:
            let name = attributes.string("mode", default: "constant")
            guard let mode = Kernels.PadMode(rawValue: name) else {
                throw EdgeflowError(.invalidModel, "unknown pad mode '\(name)'")
            }
            let value = try Kernels.cast(Tensor(scalar: attributes.float("value", default: 0)), to: x.dtype)
            return [try Kernels.pad(x, pads: try attributes.requiredInts("pads"), mode: mode, value: value)]
        case .gather:
            return [try Kernels.gather(x, indices: try second("indices"), axis: try attributes.requiredInt("axis"))]
        case .gatherElements:
            return [try Kernels.gatherElements(x, indices: try second("indices"),
                axis: try attributes.requiredInt("axis"))]
        case .gatherND:
            let batchDims = attributes.int("batchDims", default: 0)
            return [try Kernels.gatherND(x, indices: try second("indices"), batchDims: batchDims)]
        case .scatterElements, .scatterND:
            let name = attributes.string("reduction", default: "none")
            guard let reduction = ScatterReduction(rawValue: name) else {
                throw EdgeflowError(.invalidModel, "unknown scatter reduction '\(name)'")
            }
            let indices = try second("indices"), updates = try NodeEvaluator.required(inputs, 2, "updates")
            if node.op == .scatterND {
                return [try Kernels.scatterND(x, indices: indices, updates: updates, reduction: reduction)]
            }
            return [try Kernels.scatterElements(x, indices: indices, updates: updates,
                                                axis: try attributes.requiredInt("axis"), reduction: reduction)]
        case .tile:
            return [try Kernels.tile(x, repeats: try attributes.requiredInts("repeats"))]
        case .depthToSpace:
            return [try Kernels.depthToSpace(x, blockSize: try attributes.requiredInt("blockSize"),
                                             mode: attributes.string("mode", default: "DCR"))]
        case .spaceToDepth:
            return [try Kernels.spaceToDepth(x, blockSize: try attributes.requiredInt("blockSize"))]
        case .trilu:
            let upper = attributes.int("upper", default: 1) != 0
            return [try Kernels.trilu(x, upper: upper, k: attributes.int("k", default: 0))]
        case .oneHot:
            return [try Kernels.oneHot(x, depth: try attributes.requiredInt("depth"), values: try second("values"),
                                       axis: try attributes.requiredInt("axis"))]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a movement op")
        }
    }
}

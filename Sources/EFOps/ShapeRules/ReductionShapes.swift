// Shape rules for the Reduction op group: reduce, argReduce, softmax, logSoftmax, layerNorm,
// lrn, instanceNorm, cumSum, topK and det.

import EFCore

enum ReductionShapes {
    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        let x = try OpShapes.required(inputs, 0, "x")
        switch node.params {
        case .reduce(let p):
            let axes = p.axes
            guard axes.allSatisfy({ $0 >= 0 && $0 < x.shape.count }), Set(axes).count == axes.count else {
                throw EdgeflowError(.invalidModel, "reduce axes \(axes) are not distinct normalized axes of \(x)")
            }
            let reduced = axes.isEmpty ? Set(x.shape.indices) : Set(axes)
            let keep = p.keepDims
            let shape = x.shape.indices.compactMap { reduced.contains($0) ? (keep ? 1 : nil) : x.shape[$0] }
            return [TensorType(x.dtype, shape)]
        case .argReduce(let p):
            let axis = p.axis
            try checkAxis(axis, "axis", x)
            var shape = x.shape
            if p.keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
            return [TensorType(.int64, shape)]
        case .softmax(let axis), .logSoftmax(let axis):
            try requireFloat(x, node.op)
            try checkAxis(axis, "axis", x)
            return [x]
        case .layerNorm(let p):
            return try layerNormTypes(node, p, x)
        case .lrn, .instanceNorm:
            try requireFloat(x, node.op)
            guard x.shape.count >= 2 else {
                throw EdgeflowError(.invalidModel, "\(node.op.rawValue) needs [N, C, ...], got \(x)")
            }
            return [x]
        case .cumSum(let p), .cumProd(let p):
            try checkAxis(p.axis, "axis", x)
            return [x]
        case .topK(let p):
            let (axis, k) = (p.axis, p.k)
            try checkAxis(axis, "axis", x)
            guard k >= 0 && k <= x.shape[axis] else {
                throw EdgeflowError(.invalidModel, "topK k = \(k) exceeds axis \(axis) of \(x)")
            }
            var shape = x.shape
            shape[axis] = k
            return [TensorType(x.dtype, shape), TensorType(.int64, shape)]
        case .det:
            try requireFloat(x, node.op)
            guard x.shape.count >= 2, x.shape[x.shape.count - 1] == x.shape[x.shape.count - 2] else {
                throw EdgeflowError(.invalidModel, "det needs [..., M, M], got \(x)")
            }
            return [TensorType(x.dtype, Array(x.shape.dropLast(2)))]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a reduction op")
        }
    }

    /// y, plus mean and invStdDev (x's shape with the normalized dims set to 1, of `statsDType`)
    /// when the node names three outputs.
    private static func layerNormTypes(_ node: OpInstance, _ p: LayerNormOp, _ x: TensorType) throws -> [TensorType] {
        try requireFloat(x, node.op)
        let axis = p.axis
        try checkAxis(axis, "axis", x)
        switch node.outputCount {
        case 1: return [x]
        case 3:
            let dtype = p.statsDType
            guard dtype.isFloatingPoint else {
                throw EdgeflowError(.invalidModel, "layerNorm statsDType '\(dtype.rawValue)' is not a float dtype")
            }
            let stats = TensorType(dtype, x.shape.indices.map { $0 < axis ? x.shape[$0] : 1 })
            return [x, stats, stats]
        default:
            throw EdgeflowError(.invalidModel,
                                "layerNorm names \(node.outputCount) outputs; it has 1 (y) or 3 (y, mean, invStdDev)")
        }
    }

    /// Checks the normalized axis parameter `key` lies in 0..<rank.
    static func checkAxis(_ axis: Int, _ key: String, _ x: TensorType) throws {
        guard axis >= 0 && axis < x.shape.count else {
            throw EdgeflowError(.invalidModel, "\(key) \(axis) is not a normalized axis of \(x)")
        }
    }

    private static func requireFloat(_ x: TensorType, _ op: OpType) throws {
        guard x.dtype.isFloatingPoint else {
            throw EdgeflowError(.invalidModel, "\(op.rawValue) needs a float input, got \(x)")
        }
    }
}

// Shape rules for the Reduction op group: reduce, argReduce, softmax, logSoftmax, layerNorm,
// lrn, instanceNorm, cumSum and topK.

import EFCore

enum ReductionShapes {
    static let reduceFunctions: Set<String> = [
        "sum", "mean", "max", "min", "prod", "l1", "l2", "logSum", "logSumExp", "sumSquare",
    ]

    static func infer(_ node: Node, _ inputs: [TensorType?]) throws -> [TensorType] {
        let attributes = node.attributes
        let x = try ShapeInference.required(inputs, 0, "x")
        switch node.op {
        case .reduce:
            let fn = try attributes.requiredString("fn")
            guard reduceFunctions.contains(fn) else { throw EdgeflowError(.invalidModel, "unknown reduce fn '\(fn)'") }
            let axes = attributes.ints("axes") ?? []
            guard axes.allSatisfy({ $0 >= 0 && $0 < x.shape.count }), Set(axes).count == axes.count else {
                throw EdgeflowError(.invalidModel, "reduce axes \(axes) are not distinct normalized axes of \(x)")
            }
            let reduced = axes.isEmpty ? Set(x.shape.indices) : Set(axes)
            let keep = attributes.int("keepDims", default: 1) != 0
            let shape = x.shape.indices.compactMap { reduced.contains($0) ? (keep ? 1 : nil) : x.shape[$0] }
            return [TensorType(x.dtype, shape)]
        case .argReduce:
            let axis = try checkedAxis(attributes, "axis", x)
            var shape = x.shape
            if attributes.int("keepDims", default: 1) != 0 { shape[axis] = 1 } else { shape.remove(at: axis) }
            return [TensorType(.int64, shape)]
        case .softmax, .logSoftmax:
            try requireFloat(x, node.op)
            _ = try checkedAxis(attributes, "axis", x)
            return [x]
        case .layerNorm:
            return try layerNormTypes(node, x)
        case .lrn, .instanceNorm:
            try requireFloat(x, node.op)
            guard x.shape.count >= 2 else {
                throw EdgeflowError(.invalidModel, "\(node.op.rawValue) needs [N, C, ...], got \(x)")
            }
            return [x]
        case .cumSum:
            _ = try checkedAxis(attributes, "axis", x)
            return [x]
        case .topK:
            let axis = try checkedAxis(attributes, "axis", x)
            let k = try attributes.requiredInt("k")
            guard k >= 0 && k <= x.shape[axis] else {
                throw EdgeflowError(.invalidModel, "topK k = \(k) exceeds axis \(axis) of \(x)")
            }
            var shape = x.shape
            shape[axis] = k
            return [TensorType(x.dtype, shape), TensorType(.int64, shape)]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a reduction op")
        }
    }

    /// y, plus mean and invStdDev (x's shape with the normalized dims set to 1, of `statsDType`)
    /// when the node names three outputs.
    private static func layerNormTypes(_ node: Node, _ x: TensorType) throws -> [TensorType] {
        try requireFloat(x, node.op)
        let axis = try checkedAxis(node.attributes, "axis", x)
        switch node.outputs.count {
        case 1: return [x]
        case 3:
            let name = node.attributes.string("statsDType") ?? DType.float32.rawValue
            guard let dtype = DType(rawValue: name), dtype.isFloatingPoint else {
                throw EdgeflowError(.invalidModel, "layerNorm statsDType '\(name)' is not a float dtype")
            }
            let stats = TensorType(dtype, x.shape.indices.map { $0 < axis ? x.shape[$0] : 1 })
            return [x, stats, stats]
        default:
            throw EdgeflowError(.invalidModel, "layerNorm names \(node.outputs.count) outputs; it has 1 (y) or 3 (y, mean, invStdDev)")
        }
    }

    /// The normalized axis parameter `key`, which must lie in 0..<rank.
    static func checkedAxis(_ attributes: Attributes, _ key: String, _ x: TensorType) throws -> Int {
        let axis = try attributes.requiredInt(key)
        guard axis >= 0 && axis < x.shape.count else {
            throw EdgeflowError(.invalidModel, "\(key) \(axis) is not a normalized axis of \(x)")
        }
        return axis
    }

    private static func requireFloat(_ x: TensorType, _ op: OpType) throws {
        guard x.dtype.isFloatingPoint else {
            throw EdgeflowError(.invalidModel, "\(op.rawValue) needs a float input, got \(x)")
        }
    }
}

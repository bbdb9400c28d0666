// Shape rules for the Movement op group. Every shape-deciding operand is already a parameter,
// so each rule computes the output shape from the input types and the parameters alone.

import EFCore

enum MovementShapes {
    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        let x = try OpShapes.required(inputs, 0, "input")
        switch node.params {
        case .reshape(let shape):
            guard shape.checkedElementCount == x.shape.elementCount else {
                throw EdgeflowError(.invalidModel, "cannot reshape \(x) to \(shape.shapeDescription)")
            }
            return [TensorType(x.dtype, shape)]
        case .transpose(let perm):
            guard perm.count == x.shape.count, Set(perm) == Set(x.shape.indices) else {
                throw EdgeflowError(.invalidModel, "perm \(perm) is not a permutation of the axes of \(x)")
            }
            return [TensorType(x.dtype, perm.map { x.shape[$0] })]
        case .expand(let shape):
            guard try broadcastShapes(x.shape, shape) == shape else {
                throw EdgeflowError(.invalidModel, "cannot expand \(x) to \(shape.shapeDescription)")
            }
            return [TensorType(x.dtype, shape)]
        case .concat(let axis):
            return [try concatType(inputs, axis)]
        case .slice(let p):
            return [try sliceType(x, p)]
        case .pad(let p):
            let pads = p.pads
            let rank = x.shape.count
            guard pads.count == 2 * rank else {
                throw EdgeflowError(.invalidModel, "pads \(pads) do not have 2 × \(rank) entries for \(x)")
            }
            let shape = try (0..<rank).map {
                try ShapeArithmetic.sum([x.shape[$0], pads[$0], pads[$0 + rank]], "pads \(pads) for \(x)")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw EdgeflowError(.invalidModel, "pads \(pads) crop \(x) below zero")
            }
            return [TensorType(x.dtype, shape)]
        case .gather(let axis):
            let indices = try integerIndices(inputs)
            try ReductionShapes.checkAxis(axis, "axis", x)
            let shape = Array(x.shape[..<axis]) + indices.shape + Array(x.shape[(axis + 1)...])
            return [TensorType(x.dtype, shape)]
        case .gatherElements(let axis):
            let indices = try integerIndices(inputs)
            try ReductionShapes.checkAxis(axis, "axis", x)
            guard indices.shape.count == x.shape.count else {
                throw EdgeflowError(.invalidModel, "gatherElements indices \(indices) must have the rank of \(x)")
            }
            return [TensorType(x.dtype, indices.shape)]
        case .gatherND(let batchDims):
            let indices = try integerIndices(inputs)
            return [TensorType(x.dtype, try gatherNDShape(x.shape, indices.shape, batchDims))]
        case .scatterElements, .scatterND:
            _ = try integerIndices(inputs)
            let updates = try OpShapes.required(inputs, 2, "updates")
            guard updates.dtype == x.dtype else {
                throw EdgeflowError(.invalidModel, "updates \(updates) must have the dtype of data \(x)")
            }
            return [x]
        case .tile(let repeats):
            guard repeats.count == x.shape.count, repeats.allSatisfy({ $0 >= 0 }),
                  zip(x.shape, repeats).allSatisfy({ !$0.multipliedReportingOverflow(by: $1).overflow }) else {
                throw EdgeflowError(.invalidModel, "tile repeats \(repeats) do not fit \(x)")
            }
            return [TensorType(x.dtype, zip(x.shape, repeats).map { $0 * $1 })]
        case .depthToSpace(let blockSize, _), .spaceToDepth(let blockSize):
            return [try blockRearrangeType(node.op, x, blockSize)]
        case .trilu:
            guard x.shape.count >= 2 else { throw EdgeflowError(.invalidModel, "trilu needs rank >= 2, got \(x)") }
            return [x]
        case .oneHot(let depth, let axis):
            let values = try OpShapes.required(inputs, 1, "values")
            guard depth >= 0, axis >= 0, axis <= x.shape.count, values.shape.elementCount == 2 else {
                throw EdgeflowError(.invalidModel,
                    "oneHot needs depth >= 0, a normalized axis and two values; got depth \(depth), axis \(axis), "
                        + "values \(values)")
            }
            var shape = x.shape
            shape.insert(depth, at: axis)
            return [TensorType(values.dtype, shape)]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not a movement op")
        }
    }

    private static func integerIndices(_ inputs: [TensorType?]) throws -> TensorType {
        let indices = try OpShapes.required(inputs, 1, "indices")
        guard indices.dtype.isInteger else {
            throw EdgeflowError(.invalidModel, "indices must be integers, got \(indices)")
        }
        return indices
    }

    private static func concatType(_ inputs: [TensorType?], _ axis: Int) throws -> TensorType {
        let types = try inputs.indices.map { try OpShapes.required(inputs, $0, "input \($0)") }
        let first = types[0]
        guard axis >= 0 && axis < first.shape.count else {
            throw EdgeflowError(.invalidModel, "concat axis \(axis) is not a normalized axis of \(first)")
        }
        var shape = first.shape
        shape[axis] = 0
        for type in types {
            guard type.dtype == first.dtype, type.shape.count == shape.count,
                  type.shape.indices.allSatisfy({ $0 == axis || type.shape[$0] == shape[$0] }) else {
                throw EdgeflowError(.invalidModel, "concat inputs \(first) and \(type) differ outside axis \(axis)")
            }
            shape[axis] = try ShapeArithmetic.sum([shape[axis], type.shape[axis]], "concat along axis \(axis)")
        }
        return TensorType(first.dtype, shape)
    }

    private static func sliceType(_ x: TensorType, _ p: SliceOp) throws -> TensorType {
        let (starts, ends, steps) = (p.starts, p.ends, p.steps(rank: x.shape.count))
        let rank = x.shape.count
        guard starts.count == rank, ends.count == rank, steps.count == rank, !steps.contains(0) else {
            throw EdgeflowError(.invalidModel, "slice needs one start, end and nonzero step per axis of \(x)")
        }
        let shape = (0..<rank).map { axis -> Int in
            let (start, end, step) = (starts[axis], ends[axis], steps[axis])
            let (span, overflow) = step > 0 ? end.subtractingReportingOverflow(start) : start.subtractingReportingOverflow(end)
            guard step != Int.min, !overflow, span > 0 else { return 0 }
            return (span - 1) / abs(step) + 1
        }
        for axis in 0..<rank where shape[axis] > 0 {
            let last = starts[axis] &+ (shape[axis] - 1) &* steps[axis]
            guard (0..<x.shape[axis]).contains(starts[axis]), (0..<x.shape[axis]).contains(last) else {
                throw EdgeflowError(.invalidModel,
                    "slice of axis \(axis) reads outside \(x): starts \(starts), ends \(ends), steps \(steps)")
            }
        }
        return TensorType(x.dtype, shape)
    }

    private static func gatherNDShape(_ data: [Int], _ indices: [Int], _ b: Int) throws -> [Int] {
        guard let m = indices.last, b >= 0, b < indices.count, m >= 0, m <= data.count - b,
              Array(data.prefix(b)) == Array(indices.prefix(b)) else {
            throw EdgeflowError(.invalidModel,
                "gatherND indices \(indices.shapeDescription) do not address data \(data.shapeDescription) with "
                    + "batchDims \(b)")
        }
        return Array(indices.dropLast()) + Array(data[(b + m)...])
    }

    private static func blockRearrangeType(_ op: OpType, _ x: TensorType, _ b: Int) throws -> TensorType {
        let s = x.shape
        if op == .depthToSpace {
            guard s.count == 4, b > 0, b <= s[1], case let (square, false) = b.multipliedReportingOverflow(by: b),
                  s[1] % square == 0 else {
                throw EdgeflowError(.invalidModel,
                    "depthToSpace needs [N, C, H, W] with C divisible by \(b)², got \(x)")
            }
            let what = "depthToSpace of \(x) with block size \(b)"
            return TensorType(x.dtype, [s[0], s[1] / square, try ShapeArithmetic.product([s[2], b], what),
                                        try ShapeArithmetic.product([s[3], b], what)])
        }
        guard s.count == 4, b > 0, b <= 1 << 20, s[2] % b == 0, s[3] % b == 0 else {
            throw EdgeflowError(.invalidModel, "spaceToDepth needs [N, C, H, W] with H, W divisible by \(b), got \(x)")
        }
        let channels = try ShapeArithmetic.product([s[1], b, b], "spaceToDepth of \(x) with block size \(b)")
        return TensorType(x.dtype, [s[0], channels, s[2] / b, s[3] / b])
    }
}

// where(cond, x, y) with numpy broadcasting over the three operands; moves bit patterns only.

import EFCore

extension Kernels {
    /// Elementwise `cond ? x : y`. `cond` is bool; `x` and `y` share any dtype, which is the
    /// output dtype. The output shape is the broadcast of the three shapes.
    /// - Throws: `EdgeflowError.invalidInput` for a non-bool condition, mismatched dtypes or
    ///   shapes that do not broadcast.
    public static func select(_ cond: Tensor, _ x: Tensor, _ y: Tensor) throws -> Tensor {
        guard cond.dtype == .bool else {
            throw EdgeflowError(.invalidInput, "where needs a bool condition, got \(cond.dtype.rawValue)")
        }
        guard x.dtype == y.dtype else {
            throw EdgeflowError(.invalidInput,
                "where needs x and y of one dtype, got \(x.dtype.rawValue) and \(y.dtype.rawValue)")
        }
        let plan = try BroadcastPlan([cond.shape, x.shape, y.shape])
        let out = try makeOutput(x.dtype, plan.outputShape, "where")
        switch x.dtype.byteSize {
        case 1: selectRuns(plan, cond, x, y, out, UInt8.self)
        case 2: selectRuns(plan, cond, x, y, out, UInt16.self)
        case 4: selectRuns(plan, cond, x, y, out, UInt32.self)
        default: selectRuns(plan, cond, x, y, out, UInt64.self)
        }
        return out
    }

    private static func selectRuns<W>(_ plan: BroadcastPlan, _ cond: Tensor, _ x: Tensor, _ y: Tensor,
                                      _ out: Tensor, _ w: W.Type) {
        let pc = cond.elements(Bool.self), px = x.elements(W.self), py = y.elements(W.self)
        let po = out.mutableElements(W.self)
        let n = plan.innerCount, sc = plan.innerStride(0), sx = plan.innerStride(1), sy = plan.innerStride(2)
        plan.forEachRun { o, offsets in
            let c = pc + offsets[0], a = px + offsets[1], b = py + offsets[2], z = po + o
            for i in 0..<n { z[i] = c[i * sc] ? a[i * sx] : b[i * sy] }
        }
    }

    /// Broadcasts `x` to `shape` (numpy rules: `shape` must be the broadcast of itself and x's shape).
    /// - Throws: `EdgeflowError.invalidInput` when x cannot be broadcast to `shape`.
    public static func expand(_ x: Tensor, to shape: [Int]) throws -> Tensor {
        let target = try BroadcastPlan([x.shape, shape]).outputShape
        guard target == shape else {
            throw EdgeflowError(.invalidInput,
                "cannot expand \(x.shape.shapeDescription) to \(shape.shapeDescription) (broadcast gives "
                    + "\(target.shapeDescription))")
        }
        if x.shape == shape { return x }
        let out = try makeOutput(x.dtype, shape, "expand")
        let padded = [Int](repeating: 1, count: shape.count - x.rank) + x.shape
        let contiguous = padded.contiguousStrides
        let strides = (0..<shape.count).map { padded[$0] == 1 ? 0 : contiguous[$0] }
        stridedCopy(from: x, StridedView(offset: 0, strides: strides),
                    into: out, StridedView(offset: 0, strides: shape.contiguousStrides), shape: shape)
        return out
    }
}

// Trilu (keep the upper or lower triangle of the last two dims) and OneHot.

import EFCore

extension Kernels {
    /// Keeps elements with `j - i >= k` (upper) or `j - i <= k` (lower) of each matrix in the
    /// last two dims of `x` (rank >= 2); others become zero.
    /// - Throws: `EdgeflowError.invalidInput` for rank < 2.
    public static func trilu(_ x: Tensor, upper: Bool, k: Int) throws -> Tensor {
        guard x.rank >= 2 else {
            throw EdgeflowError(.invalidInput, "trilu needs rank >= 2, got \(x.shape.shapeDescription)")
        }
        let rows = x.shape[x.rank - 2], cols = x.shape[x.rank - 1]
        let matrices = x.rank == 2 ? 1 : x.shape[..<(x.rank - 2)].reduce(1, *)
        let out = try makeOutput(x.dtype, x.shape, "trilu")
        guard cols > 0 else { return out }
        let k = Swift.min(Swift.max(k, -rows - 1), cols + 1)
        for m in 0..<matrices {
            for i in 0..<rows {
                let lo = upper ? Swift.max(0, Swift.min(cols, i + k)) : 0
                let hi = upper ? cols : Swift.max(0, Swift.min(cols, i + k + 1))
                if hi > lo {
                    let offset = (m * rows + i) * cols + lo
                    copyBlock(x, offset, out, offset, count: hi - lo)
                }
            }
        }
        return out
    }

    /// ONNX OneHot: output shape is `indices.shape` with `depth` inserted at `axis` (normalized
    /// for the output rank); element = values[1] where the position equals the index (negative
    /// indices count from depth; out-of-range ones select nothing), else values[0].
    /// `indices` may be any numeric dtype (floats are truncated); `values` has two elements.
    /// - Throws: `EdgeflowError.invalidInput` for a bad axis, depth or values.
    public static func oneHot(_ indices: Tensor, depth: Int, values: Tensor, axis: Int) throws -> Tensor {
        guard depth >= 0, values.count == 2, axis >= 0, axis <= indices.rank else {
            throw EdgeflowError(.invalidInput,
                "oneHot needs depth >= 0, two values and axis in 0...\(indices.rank); got depth \(depth), "
                    + "\(values.count) values, axis \(axis)")
        }
        var shape = indices.shape
        shape.insert(depth, at: axis)
        let off = try slice(values.reshaped([2]), starts: [0], ends: [1], steps: [1])
        let out = try makeOutput(values.dtype, shape, "oneHot")
        fill(out, with: off)
        let inner = indices.shape[axis...].reduce(1, *)
        let positions = indices.doubleValues()
        for (p, value) in positions.enumerated() where Swift.abs(value) < 9e18 {
            var index = Int(value.rounded(.towardZero))
            if index < 0 { index += depth }
            guard index >= 0 && index < depth else { continue }
            let (o, i) = p.quotientAndRemainder(dividingBy: Swift.max(inner, 1))
            copyBlock(values, 1, out, (o * depth + index) * inner + i, count: 1)
        }
        return out
    }
}

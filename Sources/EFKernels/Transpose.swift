// Transpose, concat and tile: pure rearrangements expressed as strided copies, with the
// innermost loop running over contiguous output.

import EFCore

extension Kernels {
    /// Permutes axes: output dim i is input dim `perm[i]`.
    /// - Throws: `EdgeflowError.invalidInput` when `perm` is not a permutation of the axes.
    public static func transpose(_ x: Tensor, perm: [Int]) throws -> Tensor {
        guard perm.count == x.rank, Set(perm) == Set(0..<x.rank) else {
            throw EdgeflowError(.invalidInput, "transpose perm \(perm) is not a permutation of \(x.rank) axes")
        }
        let shape = perm.map { x.shape[$0] }
        let out = try makeOutput(x.dtype, shape, "transpose")
        let strides = x.shape.contiguousStrides
        stridedCopy(from: x, StridedView(offset: 0, strides: perm.map { strides[$0] }),
                    into: out, StridedView(offset: 0, strides: shape.contiguousStrides), shape: shape)
        return out
    }

    /// Concatenates tensors of one dtype along `axis` (normalized); other dims must agree.
    /// - Throws: `EdgeflowError.invalidInput` for no inputs, mismatched dtypes, ranks or dims.
    public static func concat(_ inputs: [Tensor], axis: Int) throws -> Tensor {
        guard let first = inputs.first else {
            throw EdgeflowError(.invalidInput, "concat needs at least one input")
        }
        guard axis >= 0 && axis < first.rank else {
            throw EdgeflowError(.invalidInput, "concat axis \(axis) is out of range for rank \(first.rank)")
        }
        var shape = first.shape
        shape[axis] = 0
        for input in inputs {
            var other = input.shape
            guard input.dtype == first.dtype, other.count == shape.count else {
                throw EdgeflowError(.invalidInput, "concat inputs differ in dtype or rank: \(first) and \(input)")
            }
            shape[axis] += other[axis]
            other[axis] = shape[axis]
            guard other == shape else {
                throw EdgeflowError(.invalidInput,
                    "concat inputs \(first.shape.shapeDescription) and \(input.shape.shapeDescription) differ "
                        + "outside axis \(axis)")
            }
        }
        let out = try makeOutput(first.dtype, shape, "concat")
        let outStrides = shape.contiguousStrides
        var position = 0
        for input in inputs {
            stridedCopy(from: input, StridedView(offset: 0, strides: input.shape.contiguousStrides),
                        into: out, StridedView(offset: position * outStrides[axis], strides: outStrides),
                        shape: input.shape)
            position += input.shape[axis]
        }
        return out
    }

    /// Repeats `x` `repeats[i]` times along each axis i.
    /// - Throws: `EdgeflowError.invalidInput` when `repeats` has the wrong length or a negative entry.
    public static func tile(_ x: Tensor, repeats: [Int]) throws -> Tensor {
        guard repeats.count == x.rank, repeats.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidInput, "tile repeats \(repeats) do not fit rank \(x.rank)")
        }
        let shape = zip(x.shape, repeats).map { $0.multipliedReportingOverflow(by: $1).partialValue }
        guard zip(x.shape, repeats).allSatisfy({ !$0.multipliedReportingOverflow(by: $1).overflow }) else {
            throw EdgeflowError(.invalidInput, "tile repeats \(repeats) of \(x.shape.shapeDescription) overflow")
        }
        let out = try makeOutput(x.dtype, shape, "tile")
        let outStrides = shape.contiguousStrides, inStrides = x.shape.contiguousStrides
        var viewShape: [Int] = [], src: [Int] = [], dst: [Int] = []
        for axis in 0..<x.rank {
            viewShape += [repeats[axis], x.shape[axis]]
            src += [0, inStrides[axis]]
            dst += [x.shape[axis] * outStrides[axis], outStrides[axis]]
        }
        stridedCopy(from: x, StridedView(offset: 0, strides: src),
                    into: out, StridedView(offset: 0, strides: dst), shape: viewShape)
        return out
    }

    /// DepthToSpace on NCHW: [N, C, H, W] → [N, C/b², H·b, W·b]; `mode` "DCR" or "CRD".
    /// - Throws: `EdgeflowError.invalidInput` for a non-4-D input, bad block size or mode.
    public static func depthToSpace(_ x: Tensor, blockSize b: Int, mode: String) throws -> Tensor {
        guard x.rank == 4, b > 0, b <= x.shape[1], x.shape[1] % (b * b) == 0 else {
            throw EdgeflowError(.invalidInput,
                "depthToSpace needs [N, C, H, W] with C divisible by \(b)², got \(x.shape.shapeDescription)")
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1] / (b * b), x.shape[2], x.shape[3])
        let moved: Tensor
        switch mode {
        case "DCR": moved = try transpose(x.reshaped([n, b, b, c, h, w]), perm: [0, 3, 4, 1, 5, 2])
        case "CRD": moved = try transpose(x.reshaped([n, c, b, b, h, w]), perm: [0, 1, 4, 2, 5, 3])
        default: throw EdgeflowError(.invalidInput, "depthToSpace mode '\(mode)' is not DCR or CRD")
        }
        return moved.reshaped([n, c, h * b, w * b])
    }

    /// SpaceToDepth on NCHW: [N, C, H, W] → [N, C·b², H/b, W/b].
    /// - Throws: `EdgeflowError.invalidInput` for a non-4-D input or H, W not divisible by b.
    public static func spaceToDepth(_ x: Tensor, blockSize b: Int) throws -> Tensor {
        guard x.rank == 4, b > 0, b <= 1 << 20, x.shape[2] % b == 0, x.shape[3] % b == 0 else {
            throw EdgeflowError(.invalidInput,
                "spaceToDepth needs [N, C, H, W] with H, W divisible by \(b), got \(x.shape.shapeDescription)")
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2] / b, x.shape[3] / b)
        let moved = try transpose(x.reshaped([n, c, h, b, w, b]), perm: [0, 3, 5, 1, 2, 4])
        return moved.reshaped([n, c * b * b, h, w])
    }
}

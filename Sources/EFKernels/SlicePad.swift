// Strided slice and padding (constant, reflect, edge, wrap; negative pads crop).

import EFCore

extension Kernels {
    /// The number of elements a slice from `start` toward `end` with `step` selects.
    public static func sliceLength(start: Int, end: Int, step: Int) -> Int {
        let (span, overflow) = step > 0 ? end.subtractingReportingOverflow(start)
            : start.subtractingReportingOverflow(end)
        guard step != 0, step != Int.min, !overflow, span > 0 else { return 0 }
        return (span - 1) / Swift.abs(step) + 1
    }

    /// Strided slice with one start, end and step per axis, already clamped: a non-empty axis
    /// reads `start, start + step, ...` while before `end` (`end` = -1 with a negative step runs
    /// to index 0).
    /// - Throws: `EdgeflowError.invalidInput` when the lists do not match the rank, a step is 0
    ///   or a selected index falls outside the input.
    public static func slice(_ x: Tensor, starts: [Int], ends: [Int], steps: [Int]) throws -> Tensor {
        guard starts.count == x.rank, ends.count == x.rank, steps.count == x.rank, !steps.contains(0) else {
            throw EdgeflowError(.invalidInput,
                "slice needs one nonzero step and one start/end per axis of \(x.shape.shapeDescription), got starts "
                    + "\(starts) ends \(ends) steps \(steps)")
        }
        let inStrides = x.shape.contiguousStrides
        var shape: [Int] = [], strides: [Int] = [], offset = 0
        for axis in 0..<x.rank {
            let length = sliceLength(start: starts[axis], end: ends[axis], step: steps[axis])
            if length > 0 {
                let last = starts[axis] &+ (length - 1) &* steps[axis]
                guard (0..<x.shape[axis]).contains(starts[axis]), (0..<x.shape[axis]).contains(last) else {
                    throw EdgeflowError(.invalidInput,
                        "slice of axis \(axis) reads indices \(starts[axis])...\(last) outside size \(x.shape[axis])")
                }
                offset += starts[axis] * inStrides[axis]
            }
            shape.append(length)
            // Only an axis read more than once moves by its step (then |step| < size, no overflow).
            strides.append(length > 1 ? steps[axis] * inStrides[axis] : 0)
        }
        let out = try makeOutput(x.dtype, shape, "slice")
        stridedCopy(from: x, StridedView(offset: offset, strides: strides),
                    into: out, StridedView(offset: 0, strides: shape.contiguousStrides), shape: shape)
        return out
    }

    /// Padding mode of `pad`.
    public enum PadMode: String, Sendable {
        case constant, reflect, edge, wrap
    }

    /// Pads (or, with negative pads, crops) `x`. `pads` = [begin per axis..., end per axis...].
    /// `value` is the fill for constant mode, a one-element tensor of `x`'s dtype.
    /// - Throws: `EdgeflowError.invalidInput` for a wrong pads length, a negative output size,
    ///   or reflect/edge/wrap padding of an empty axis.
    public static func pad(_ x: Tensor, pads: [Int], mode: PadMode, value: Tensor) throws -> Tensor {
        let rank = x.rank
        guard pads.count == 2 * rank else {
            throw EdgeflowError(.invalidInput, "pad needs \(2 * rank) pads for rank \(rank), got \(pads.count)")
        }
        let shape = (0..<rank).map { x.shape[$0].addingReportingOverflow(pads[$0]).partialValue
            .addingReportingOverflow(pads[$0 + rank]).partialValue }
        guard shape.allSatisfy({ $0 >= 0 }), pads.allSatisfy({ Swift.abs($0) < Int.max / 4 }) else {
            throw EdgeflowError(.invalidInput, "pads \(pads) crop \(x.shape.shapeDescription) below zero")
        }
        if mode == .constant {
            guard value.dtype == x.dtype, value.count == 1 else {
                throw EdgeflowError(.invalidInput, "pad value must be one \(x.dtype.rawValue) element")
            }
            let out = try makeOutput(x.dtype, shape, "pad")
            fill(out, with: value)
            copyInterior(x, pads, into: out)
            return out
        }
        let outCount = shape.elementCount
        if outCount == 0 { return try makeOutput(x.dtype, shape, "pad") }
        guard x.count > 0 else {
            throw EdgeflowError(.invalidInput,
                "\(mode.rawValue) padding needs a non-empty input, got \(x.shape.shapeDescription)")
        }
        let inStrides = x.shape.contiguousStrides
        let maps: [[Int]] = (0..<rank).map { axis in
            (0..<shape[axis]).map { sourceIndex($0 - pads[axis], size: x.shape[axis], mode: mode) * inStrides[axis] }
        }
        var offsets = [Int](repeating: 0, count: outCount)
        var i = 0
        forEachIndex(shape, strides: shape.contiguousStrides) { index, _ in
            var offset = 0
            for axis in 0..<rank { offset += maps[axis][index[axis]] }
            offsets[i] = offset
            i += 1
        }
        return try gather(x, offsets: offsets, shape: shape)
    }

    /// The input index that output position `i` (relative to the unpadded start) reads.
    private static func sourceIndex(_ i: Int, size: Int, mode: PadMode) -> Int {
        switch mode {
        case .edge: return Swift.min(Swift.max(i, 0), size - 1)
        case .wrap: return ((i % size) + size) % size
        case .reflect:
            guard size > 1 else { return 0 }
            let period = 2 * (size - 1)
            let r = ((i % period) + period) % period
            return r < size ? r : period - r
        case .constant: return i
        }
    }

    /// Copies the part of `x` that survives cropping into its place in `out`.
    private static func copyInterior(_ x: Tensor, _ pads: [Int], into out: Tensor) {
        let rank = x.rank
        let inStrides = x.shape.contiguousStrides, outStrides = out.shape.contiguousStrides
        var shape: [Int] = [], srcOffset = 0, dstOffset = 0
        for axis in 0..<rank {
            let cropBegin = Swift.max(0, -pads[axis]), cropEnd = Swift.max(0, -pads[axis + rank])
            shape.append(Swift.max(0, x.shape[axis] - cropBegin - cropEnd))
            srcOffset += cropBegin * inStrides[axis]
            dstOffset += Swift.max(0, pads[axis]) * outStrides[axis]
        }
        stridedCopy(from: x, StridedView(offset: srcOffset, strides: inStrides),
                    into: out, StridedView(offset: dstOffset, strides: outStrides), shape: shape)
    }
}

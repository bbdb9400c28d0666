// The data-movement primitive behind transpose, slice, expand, tile, concat and
// depth/space rearrangements: copy a strided view of one tensor into a strided view of another,
// moving bit patterns only. Adjacent dims are merged first so the inner loop runs as long as
// possible; a unit-stride inner run is a plain memory copy.

import EFCore

/// A strided view of a tensor's elements, in elements (strides may be zero or negative).
struct StridedView {
    var offset: Int
    var strides: [Int]
}

extension Kernels {
    /// Copies the elements of the view `source` of `from`, with logical shape `shape`, into the
    /// view `destination` of `into` (a tensor the caller has just created, same dtype).
    static func stridedCopy(from: Tensor, _ source: StridedView, into: Tensor, _ destination: StridedView,
                            shape: [Int]) {
        guard shape.elementCount > 0 else { return }
        let (dims, srcStrides, dstStrides) = mergeDims(shape, source.strides, destination.strides)
        switch from.dtype.byteSize {
        case 1: copyRuns(from.elements(UInt8.self) + source.offset, srcStrides,
                         into.mutableElements(UInt8.self) + destination.offset, dstStrides, dims)
        case 2: copyRuns(from.elements(UInt16.self) + source.offset, srcStrides,
                         into.mutableElements(UInt16.self) + destination.offset, dstStrides, dims)
        case 4: copyRuns(from.elements(UInt32.self) + source.offset, srcStrides,
                         into.mutableElements(UInt32.self) + destination.offset, dstStrides, dims)
        default: copyRuns(from.elements(UInt64.self) + source.offset, srcStrides,
                          into.mutableElements(UInt64.self) + destination.offset, dstStrides, dims)
        }
    }

    /// Drops size-1 dims and merges neighbours that are contiguous in both views.
    static func mergeDims(_ shape: [Int], _ a: [Int], _ b: [Int]) -> ([Int], [Int], [Int]) {
        var dims: [Int] = [], sa: [Int] = [], sb: [Int] = []
        for axis in shape.indices where shape[axis] != 1 {
            if let last = dims.last, sa.last! == a[axis] * shape[axis], sb.last! == b[axis] * shape[axis] {
                dims[dims.count - 1] = last * shape[axis]
                sa[sa.count - 1] = a[axis]
                sb[sb.count - 1] = b[axis]
            } else {
                dims.append(shape[axis]); sa.append(a[axis]); sb.append(b[axis])
            }
        }
        if dims.isEmpty { return ([1], [0], [0]) }
        return (dims, sa, sb)
    }

    /// Odometer over all but the last dim; the last dim is the inner run.
    private static func copyRuns<W>(_ src: UnsafePointer<W>, _ srcStrides: [Int],
                                    _ dst: UnsafeMutablePointer<W>, _ dstStrides: [Int], _ dims: [Int]) {
        let rank = dims.count
        let inner = dims[rank - 1], si = srcStrides[rank - 1], di = dstStrides[rank - 1]
        let outer = dims.elementCount / inner
        var index = [Int](repeating: 0, count: rank)
        var s = 0, d = 0
        for _ in 0..<outer {
            if si == 1 && di == 1 {
                (dst + d).update(from: src + s, count: inner)
            } else {
                var ps = s, pd = d
                for _ in 0..<inner {
                    dst[pd] = src[ps]
                    ps += si
                    pd += di
                }
            }
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                s += srcStrides[axis]
                d += dstStrides[axis]
                if index[axis] < dims[axis] { break }
                s -= srcStrides[axis] * dims[axis]
                d -= dstStrides[axis] * dims[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

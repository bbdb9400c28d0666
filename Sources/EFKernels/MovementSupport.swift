// Helpers shared by the data-movement kernels: reading index tensors, filling with one value,
// and gathering elements by precomputed source offsets (bit patterns only).

import EFCore

extension Kernels {
    /// The elements of an integer index tensor as Int.
    /// - Throws: `EdgeflowError.invalidInput` when `indices` is not an integer tensor.
    static func indexValues(_ indices: Tensor, _ context: String) throws -> [Int] {
        switch indices.dtype {
        case .int64: return indices.scalars(as: Int64.self).map { Int($0) }
        case .int32: return indices.scalars(as: Int32.self).map { Int($0) }
        case .uint64: return indices.scalars(as: UInt64.self).map { Int(clamping: $0) }
        case .int8, .uint8, .int16, .uint16, .uint32: return indices.doubleValues().map { Int($0) }
        default:
            throw EdgeflowError(.invalidInput, "\(context): indices must be integers, got \(indices.dtype.rawValue)")
        }
    }

    /// Resolves a possibly negative index against `size`.
    /// - Throws: `EdgeflowError.invalidInput` naming the index when it is out of range.
    @inline(__always)
    static func resolveIndex(_ index: Int, size: Int, _ context: String) throws -> Int {
        let resolved = index < 0 ? index + size : index
        guard resolved >= 0 && resolved < size else {
            throw EdgeflowError(.invalidInput,
                "\(context): index \(index) is out of range for a dimension of size \(size)")
        }
        return resolved
    }

    /// Sets every element of `out` (a tensor just created) to the single element of `scalar`
    /// (same dtype).
    static func fill(_ out: Tensor, with scalar: Tensor) {
        switch out.dtype.byteSize {
        case 1: out.mutableElements(UInt8.self).update(repeating: scalar.elements(UInt8.self)[0], count: out.count)
        case 2: out.mutableElements(UInt16.self).update(repeating: scalar.elements(UInt16.self)[0], count: out.count)
        case 4: out.mutableElements(UInt32.self).update(repeating: scalar.elements(UInt32.self)[0], count: out.count)
        default: out.mutableElements(UInt64.self).update(repeating: scalar.elements(UInt64.self)[0], count: out.count)
        }
    }

    /// A tensor of `shape` whose element i is `x`'s element at `offsets[i]` (offsets in range).
    static func gather(_ x: Tensor, offsets: [Int], shape: [Int]) throws -> Tensor {
        let out = try makeOutput(x.dtype, shape, "gather")
        func run<W>(_ w: W.Type) {
            let src = x.elements(W.self), dst = out.mutableElements(W.self)
            for (i, offset) in offsets.enumerated() { dst[i] = src[offset] }
        }
        switch x.dtype.byteSize {
        case 1: run(UInt8.self)
        case 2: run(UInt16.self)
        case 4: run(UInt32.self)
        default: run(UInt64.self)
        }
        return out
    }

    /// Copies `count` elements from `src` at `srcOffset` to `dst` at `dstOffset` (same dtype).
    @inline(__always)
    static func copyBlock(_ src: Tensor, _ srcOffset: Int, _ dst: Tensor, _ dstOffset: Int, count: Int) {
        let size = src.dtype.byteSize
        (dst.storage.pointer + dstOffset * size)
            .copyMemory(from: src.storage.pointer + srcOffset * size, byteCount: count * size)
    }

    /// Calls `body(index, offset)` for every multi-index of `shape` in row-major order, with the
    /// offset `sum(index[k] * strides[k])`.
    static func forEachIndex(_ shape: [Int], strides: [Int], _ body: ([Int], Int) throws -> Void) rethrows {
        let total = shape.elementCount
        guard total > 0 else { return }
        var index = [Int](repeating: 0, count: shape.count)
        var offset = 0
        for _ in 0..<total {
            try body(index, offset)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

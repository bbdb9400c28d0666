// The [outer, axis, inner] view of a tensor around one axis, used by kernels that work along
// a single axis (softmax, argReduce, cumSum, topK).

import EFCore

struct AxisLayout {
    let outer: Int
    let length: Int
    let inner: Int

    /// - Throws: `EdgeflowError.invalidInput` when `axis` is not a normalized axis of `shape`.
    init(_ shape: [Int], axis: Int, _ context: String) throws {
        guard axis >= 0 && axis < shape.count else {
            throw EdgeflowError(.invalidInput, "\(context): axis \(axis) is out of range for rank \(shape.count)")
        }
        outer = shape[..<axis].reduce(1, *)
        length = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    /// Offset of element (o, k, i).
    @inline(__always) func offset(_ o: Int, _ k: Int, _ i: Int) -> Int { (o * length + k) * inner + i }
}

// The iteration plan of a reduction: the input is walked once in memory order while each
// element is folded into its output slot. Adjacent dims that are both reduced or both kept
// are merged, so the inner run is either a reduction into one slot or a kept row.

import EFCore

struct ReductionLayout {
    /// Merged dims of the input.
    let dims: [Int]
    /// Output stride per merged dim (0 for reduced dims).
    let outStrides: [Int]
    /// Whether each merged dim is reduced.
    let reduced: [Bool]
    /// Number of output elements and of inputs folded into each.
    let outputCount: Int
    let reducedCount: Int

    /// - Parameter axes: normalized axes to reduce.
    init(shape: [Int], axes: Set<Int>) {
        var dims: [Int] = [], flags: [Bool] = []
        for axis in shape.indices where shape[axis] != 1 {
            let r = axes.contains(axis)
            if let last = flags.last, last == r {
                dims[dims.count - 1] *= shape[axis]
            } else {
                dims.append(shape[axis])
                flags.append(r)
            }
        }
        if dims.isEmpty { dims = [1]; flags = [false] }
        var strides = [Int](repeating: 0, count: dims.count)
        var running = 1
        for k in stride(from: dims.count - 1, through: 0, by: -1) where !flags[k] {
            strides[k] = running
            running *= dims[k]
        }
        self.dims = dims
        outStrides = strides
        reduced = flags
        outputCount = zip(shape.indices, shape).filter { !axes.contains($0.0) }.reduce(1) { $0 * $1.1 }
        reducedCount = zip(shape.indices, shape).filter { axes.contains($0.0) }.reduce(1) { $0 * $1.1 }
    }

    /// Calls `body(inputOffset, outputOffset, count, innerReduced)` for each inner run in input
    /// order: when `innerReduced`, input[inputOffset ..< +count] folds into output[outputOffset];
    /// otherwise input[inputOffset + i] folds into output[outputOffset + i].
    func forEachRun(_ body: (Int, Int, Int, Bool) -> Void) {
        let total = dims.reduce(1, *)
        guard total > 0 else { return }
        let rank = dims.count, inner = dims[rank - 1], innerReduced = reduced[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var input = 0, output = 0
        while input < total {
            body(input, output, inner, innerReduced)
            input += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                output += outStrides[axis]
                if index[axis] < dims[axis] { break }
                output -= outStrides[axis] * dims[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

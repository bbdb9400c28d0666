// Numpy broadcasting as a sequence of inner runs: the output is walked in order, each operand
// has precomputed strides (0 along broadcast dims), and dims are merged so that the inner run
// is as long as possible. Used by binary ops, where and expand.

import EFCore

/// The iteration plan of an elementwise op over broadcast operands.
struct BroadcastPlan {
    /// The broadcast output shape.
    let outputShape: [Int]
    /// Merged dims of the iteration space (at least one).
    let dims: [Int]
    /// Per operand, its stride for each merged dim.
    let strides: [[Int]]

    /// Plans the broadcast of `shapes` (numpy rules).
    /// - Throws: `EdgeflowError.invalidInput` when the shapes cannot be broadcast together.
    init(_ shapes: [[Int]]) throws {
        var out: [Int] = []
        for shape in shapes {
            do { out = try broadcastShapes(out, shape) } catch let error as EdgeflowError {
                throw EdgeflowError(.invalidInput, error.message)
            }
        }
        self.init(outputShape: out, operands: shapes)
    }

    /// Plans the broadcast of `operands` onto a known output shape (each operand broadcastable to it).
    init(outputShape out: [Int], operands shapes: [[Int]]) {
        outputShape = out
        let rank = out.count
        let full: [[Int]] = shapes.map { shape in
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            let contiguous = padded.contiguousStrides
            return (0..<rank).map { padded[$0] == 1 ? 0 : contiguous[$0] }
        }
        var dims: [Int] = []
        var merged = [[Int]](repeating: [], count: shapes.count)
        for axis in 0..<rank where out[axis] != 1 {
            let canMerge = !dims.isEmpty && (0..<shapes.count).allSatisfy {
                merged[$0].last! == full[$0][axis] * out[axis]
            }
            if canMerge {
                dims[dims.count - 1] *= out[axis]
                for k in 0..<shapes.count { merged[k][merged[k].count - 1] = full[k][axis] }
            } else {
                dims.append(out[axis])
                for k in 0..<shapes.count { merged[k].append(full[k][axis]) }
            }
        }
        if dims.isEmpty {
            dims = [1]
            merged = merged.map { _ in [0] }
        }
        self.dims = dims
        strides = merged
    }

    /// Length of an inner run.
    var innerCount: Int { dims[dims.count - 1] }

    /// Inner-run stride of operand `k` (0 or 1 in practice).
    func innerStride(_ k: Int) -> Int { strides[k][dims.count - 1] }

    /// Calls `body(outputOffset, operandOffsets)` for each inner run, in output order.
    /// Nothing is called when the output is empty.
    func forEachRun(_ body: (Int, [Int]) -> Void) {
        let total = outputShape.elementCount
        guard total > 0 else { return }
        let rank = dims.count, inner = innerCount
        var index = [Int](repeating: 0, count: rank)
        var offsets = [Int](repeating: 0, count: strides.count)
        var out = 0
        while out < total {
            body(out, offsets)
            out += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                for k in offsets.indices { offsets[k] += strides[k][axis] }
                if index[axis] < dims[axis] { break }
                for k in offsets.indices { offsets[k] -= strides[k][axis] * dims[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

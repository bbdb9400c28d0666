// Numpy matmul: rank-1 promotion, broadcast batch dims, one blocked GEMM per batch matrix.

import EFCore

/// How a numpy matmul of two shapes is laid out: the broadcast batch, M, K, N and the result shape.
public struct MatMulLayout: Equatable, Sendable {
    public var batchShape: [Int]
    public var m: Int, k: Int, n: Int
    /// The result shape after removing the dims numpy added for rank-1 operands.
    public var outputShape: [Int]
    /// Batch shapes of the operands (after rank-1 promotion), for broadcasting.
    public var aBatch: [Int], bBatch: [Int]

    /// - Throws: `EdgeflowError.invalidInput` for rank-0 operands, mismatched inner dims, or
    ///   batch dims that do not broadcast.
    public init(_ a: [Int], _ b: [Int]) throws {
        guard !a.isEmpty, !b.isEmpty else {
            throw EdgeflowError(.invalidInput,
                "matMul operands must have rank ≥ 1, got \(a.shapeDescription) and \(b.shapeDescription)")
        }
        let a2 = a.count == 1 ? [1, a[0]] : a
        let b2 = b.count == 1 ? [b[0], 1] : b
        m = a2[a2.count - 2]
        k = a2[a2.count - 1]
        n = b2[b2.count - 1]
        guard b2[b2.count - 2] == k else {
            throw EdgeflowError(.invalidInput,
                "matMul inner dimensions differ: \(a.shapeDescription) · \(b.shapeDescription) (\(k) vs \(b2[b2.count - 2]))")
        }
        aBatch = Array(a2.dropLast(2))
        bBatch = Array(b2.dropLast(2))
        do { batchShape = try broadcastShapes(aBatch, bBatch) } catch let error as EdgeflowError {
            throw EdgeflowError(.invalidInput, "matMul batch dims: \(error.message)")
        }
        var shape = batchShape
        if a.count > 1 { shape.append(m) }
        if b.count > 1 { shape.append(n) }
        outputShape = shape
    }

    /// For each batch matrix of the result, the matrix index in `a` and in `b`.
    func batchPairs() -> [(Int, Int)] {
        let count = batchShape.elementCount
        let rank = batchShape.count
        func strides(_ shape: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            let contiguous = padded.contiguousStrides
            return (0..<rank).map { padded[$0] == 1 ? 0 : contiguous[$0] }
        }
        let sa = strides(aBatch), sb = strides(bBatch)
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(count)
        var index = [Int](repeating: 0, count: rank)
        for _ in 0..<count {
            var ia = 0, ib = 0
            for d in 0..<rank {
                ia += index[d] * sa[d]
                ib += index[d] * sb[d]
            }
            pairs.append((ia, ib))
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < batchShape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return pairs
    }
}

extension Kernels {
    /// Numpy `matmul(a, b)` for float32 or float64 operands of the same dtype (float16 and
    /// bfloat16 are computed in float32 and rounded back).
    ///
    /// Shapes: a [..., M, K], b [..., K, N] with broadcast batch dims; a rank-1 `a` is a row
    /// vector and a rank-1 `b` a column vector, their added dim removed from the result.
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes or incompatible shapes.
    public static func matMul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.dtype == b.dtype else {
            throw EdgeflowError(.invalidInput,
                "matMul operands differ in dtype: \(a.dtype.rawValue) and \(b.dtype.rawValue)")
        }
        let layout = try MatMulLayout(a.shape, b.shape)
        if isHalfFloat(a.dtype) {
            return try cast(matMul(cast(a, to: .float32), cast(b, to: .float32)), to: a.dtype)
        }
        let out = try makeOutput(a.dtype, layout.outputShape, "matMul")
        switch a.dtype {
        case .float32: matMul(a, b, layout, out, Float.self)
        case .float64: matMul(a, b, layout, out, Double.self)
        default:
            throw EdgeflowError(.invalidInput, "matMul supports float types, not \(a.dtype.rawValue)",
                                hint: "integer matrix products go through matMulInteger")
        }
        return out
    }

    private static func matMul<T: GemmScalar>(_ a: Tensor, _ b: Tensor, _ layout: MatMulLayout, _ out: Tensor,
                                              _ type: T.Type) {
        let (m, k, n) = (layout.m, layout.k, layout.n)
        let pa = a.elements(T.self), pb = b.elements(T.self)
        let pc = out.mutableElements(T.self)
        if layout.bBatch.elementCount == 1 && layout.aBatch.elementCount == layout.batchShape.elementCount {
            // One shared b: the batch of a is one tall matrix.
            gemm(m: layout.batchShape.elementCount * m, n: n, k: k, a: MatrixView(pa, rowStride: k),
                 b: MatrixView(pb, rowStride: n), c: pc, ldc: n, accumulate: false)
            return
        }
        for (index, pair) in layout.batchPairs().enumerated() {
            gemm(m: m, n: n, k: k,
                 a: MatrixView(pa + pair.0 * m * k, rowStride: k),
                 b: MatrixView(pb + pair.1 * k * n, rowStride: n),
                 c: pc + index * m * n, ldc: n, accumulate: false)
        }
    }
}

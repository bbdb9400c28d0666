// An exact u8 × s8 → int32 matrix product in portable Swift SIMD, for CPUs (or ISA caps) where
// oneDNN's int8 kernels saturate (no VNNI). Weights are packed once into pairs of k as int16
// halves of an int32 lane; each product of a u8 and an s8 fits int16 arithmetic's pmaddwd
// (SSE2) exactly, the two products of a pair sum within int32 (255·128·2 < 2^31), and the
// accumulation wraps, so any order of the sums gives the contract's accumulators.

import EFCore

/// s8 weights B [K, N] packed for `FastKernels.int8GEMM`: blocks of 8 columns, each a run of
/// ⌈K/2⌉ int32 lanes per column holding rows 2p (low int16) and 2p + 1 (high int16); columns
/// past N and the row past an odd K are 0. Also Σ_k B[k, n], for zero-point compensation.
public final class Int8PackedWeights: @unchecked Sendable {
    public let k: Int
    public let n: Int
    /// Σ_k B[k, n] in int32 (wrapping), [N].
    public let columnSums: [Int32]
    let pairs: Int
    let blocks: Int
    let data: [Int32]

    /// Packs B given element-wise: `element(k, n)` for k in 0..<K, n in 0..<N.
    /// - Throws: `EdgeflowError.invalidInput` when K or N is not positive or the packed size
    ///   would exceed 2^31 elements.
    public init(k: Int, n: Int, element: (Int, Int) -> Int8) throws {
        guard k > 0, n > 0, k <= 1 << 30, n <= 1 << 30,
              Double((k + 1) / 2) * Double((n + 7) / 8 * 8) <= Double(1 << 31) else {
            throw EdgeflowError(.invalidInput, "int8 GEMM weights [\(k), \(n)] are empty or too large to pack")
        }
        self.k = k
        self.n = n
        pairs = (k + 1) / 2
        blocks = (n + 7) / 8
        var data = [Int32](repeating: 0, count: pairs * blocks * 8)
        var sums = [Int32](repeating: 0, count: n)
        for column in 0..<n {
            let base = (column / 8) * pairs * 8 + column % 8
            for row in 0..<k {
                let w = element(row, column)
                sums[column] &+= Int32(w)
                let half = row % 2 == 0 ? Int32(UInt16(bitPattern: Int16(w))) : Int32(w) << 16
                data[base + (row / 2) * 8] |= half
            }
        }
        self.data = data
        columnSums = sums
    }

    /// Packs a row-major int8 [K, N] tensor.
    /// - Throws: `EdgeflowError.invalidInput` for another dtype or rank, or as `init(k:n:element:)`.
    public convenience init(_ b: Tensor) throws {
        guard b.dtype == .int8, b.rank == 2 else {
            throw EdgeflowError(.invalidInput, "int8 GEMM weights must be int8 [K, N], got \(b.dtype.rawValue) "
                + b.shape.shapeDescription)
        }
        let n = b.shape[1], values = b.scalars(as: Int8.self)
        try self.init(k: b.shape[0], n: n) { values[$0 * n + $1] }
    }
}

extension FastKernels {
    /// c[r, j] = Σ_k a[r, k] · B[k, j] in wrapping int32, for r in 0..<rows, j in 0..<N.
    ///
    /// - Parameters:
    ///   - a: u8 rows of K values, row r at `a + r · rowStride` (rowStride ≥ K).
    ///   - c: int32 rows, row r at `c + r · outputRowStride` (outputRowStride ≥ N); only the
    ///     first N values of each row are written.
    /// - Throws: `EdgeflowError.invalidInput` for strides shorter than a row.
    public static func int8GEMM(_ a: UnsafePointer<UInt8>, rowStride: Int, rows: Int, weights: Int8PackedWeights,
                                into c: UnsafeMutablePointer<Int32>, outputRowStride: Int) throws {
        guard rows >= 0, rowStride >= weights.k, outputRowStride >= weights.n else {
            throw EdgeflowError(.invalidInput, "int8GEMM: row strides \(rowStride)/\(outputRowStride) are shorter "
                + "than K \(weights.k) / N \(weights.n)")
        }
        let tiles = (rows + 3) / 4, blocks = weights.blocks, k = weights.k, pairs = weights.pairs, n = weights.n
        let grain = max(1, (1 << 18) / max(1, 32 * k))
        weights.data.withUnsafeBufferPointer { packed in
            let base = packed.baseAddress!
            Parallel.forEachChunk(tiles * blocks, grain: grain) { range in
                for item in range {
                    let block = item / tiles, tile = item % tiles
                    let first = tile * 4, count = Swift.min(4, rows - first)
                    let row = { (r: Int) in a + (first + (r < count ? r : 0)) * rowStride }
                    let sums = tile4(row(0), row(1), row(2), row(3), k: k, pairs: pairs, b: base + block * pairs * 8)
                    let columns = Swift.min(8, n - block * 8)
                    for r in 0..<count {
                        let out = c + (first + r) * outputRowStride + block * 8
                        let v = r == 0 ? sums.0 : r == 1 ? sums.1 : r == 2 ? sums.2 : sums.3
                        if columns == 8 {
                            UnsafeMutableRawPointer(out).storeBytes(of: v, as: SIMD8<Int32>.self)
                        } else {
                            for j in 0..<columns { out[j] = v[j] }
                        }
                    }
                }
            }
        }
    }

    /// Four rows times one block of 8 columns. pmaddwd (via the int16 sign-extension pattern
    /// LLVM recognizes) multiplies each u8 by the int16 weight halves exactly.
    @inline(__always)
    private static func tile4(_ a0: UnsafePointer<UInt8>, _ a1: UnsafePointer<UInt8>, _ a2: UnsafePointer<UInt8>,
                              _ a3: UnsafePointer<UInt8>, k: Int, pairs: Int, b: UnsafePointer<Int32>)
        -> (SIMD8<Int32>, SIMD8<Int32>, SIMD8<Int32>, SIMD8<Int32>) {
        var c0 = SIMD8<Int32>.zero, c1 = SIMD8<Int32>.zero, c2 = SIMD8<Int32>.zero, c3 = SIMD8<Int32>.zero
        let whole = k / 2
        var p = 0
        while p < whole {
            let w = loadInt32(b + p * 8)
            let low = (w &<< 16) &>> 16, high = w &>> 16
            let i = 2 * p
            c0 &+= SIMD8(repeating: Int32(a0[i])) &* low &+ SIMD8(repeating: Int32(a0[i + 1])) &* high
            c1 &+= SIMD8(repeating: Int32(a1[i])) &* low &+ SIMD8(repeating: Int32(a1[i + 1])) &* high
            c2 &+= SIMD8(repeating: Int32(a2[i])) &* low &+ SIMD8(repeating: Int32(a2[i + 1])) &* high
            c3 &+= SIMD8(repeating: Int32(a3[i])) &* low &+ SIMD8(repeating: Int32(a3[i + 1])) &* high
            p += 1
        }
        if whole < pairs {  // odd K: the last row has no partner
            let low = (loadInt32(b + whole * 8) &<< 16) &>> 16, i = k - 1
            c0 &+= SIMD8(repeating: Int32(a0[i])) &* low
            c1 &+= SIMD8(repeating: Int32(a1[i])) &* low
            c2 &+= SIMD8(repeating: Int32(a2[i])) &* low
            c3 &+= SIMD8(repeating: Int32(a3[i])) &* low
        }
        return (c0, c1, c2, c3)
    }
}

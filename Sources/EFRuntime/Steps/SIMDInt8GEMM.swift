// Edgeflow's exact u8·s8 → s32 SIMD GEMM in the build this process runs (SIMDKernels.build):
// FastKernels.int8GEMM in the baseline and AVX-512 builds, the intrinsics micro-kernel
// (int8GEMMIntrinsics) in the AVX2 build, with its constant weights packed once for that build.
// Integer arithmetic, so every build gives the same accumulators.

import EFCore
import EFKernels
import EFKernelsAVX2
import EFKernelsAVX512

/// Constant s8 weights B [K, N] packed for this process's SIMD GEMM, and the GEMM.
struct SIMDInt8GEMM: @unchecked Sendable {
    let k: Int
    let n: Int
    /// Σ_k B[k, n] (for the caller's zero-point compensation).
    let columnSums: [Int32]
    private let product: (UnsafePointer<UInt8>, Int, Int, UnsafeMutablePointer<Int32>, Int) throws -> Void

    /// - Parameter b: int8 [K, N].
    /// - Throws: `EdgeflowError.invalidInput` for other shapes or sizes the packing refuses.
    init(_ b: Tensor) throws {
        switch SIMDKernels.build {
        case .avx512:
            let packed = try EFKernelsAVX512.Int8PackedWeights(b)
            (k, n, columnSums) = (packed.k, packed.n, packed.columnSums)
            product = { try EFKernelsAVX512.FastKernels.int8GEMM($0, rowStride: $1, rows: $2, weights: packed,
                                                                 into: $3, outputRowStride: $4) }
        case .avx2:
            let packed = try EFKernelsAVX2.Int8PackedWeights(b)
            (k, n, columnSums) = (packed.k, packed.n, packed.columnSums)
            product = { try EFKernelsAVX2.FastKernels.int8GEMMIntrinsics($0, rowStride: $1, rows: $2, weights: packed,
                                                                         into: $3, outputRowStride: $4) }
        case .baseline:
            let packed = try EFKernels.Int8PackedWeights(b)
            (k, n, columnSums) = (packed.k, packed.n, packed.columnSums)
            product = { try EFKernels.FastKernels.int8GEMM($0, rowStride: $1, rows: $2, weights: packed,
                                                           into: $3, outputRowStride: $4) }
        }
    }

    /// c[r, j] = Σ_k a[r, k] · B[k, j] (wrapping int32) for `rows` rows; as `FastKernels.int8GEMM`.
    func run(_ a: UnsafePointer<UInt8>, rowStride: Int, rows: Int, into c: UnsafeMutablePointer<Int32>,
             outputRowStride: Int) throws {
        try product(a, rowStride, rows, c, outputRowStride)
    }
}

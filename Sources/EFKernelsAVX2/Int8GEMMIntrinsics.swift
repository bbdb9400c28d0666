// The AVX2 build's exact u8 · s8 → s32 GEMM on the intrinsics micro-kernel of CInt8Kernels
// (6 rows × 16 columns, vpmaddwd on int16-widened operands): the same accumulators as
// `FastKernels.int8GEMM` and the reference GEMM, several times faster on AVX2 CPUs without VNNI,
// where it is the runtime's int8 product for every conv and matMul. Like the rest of this
// module it must only run on a CPU with AVX2.

import CInt8Kernels
import EFCore

extension FastKernels {
    /// c[r, j] = Σ_k a[r, k] · B[k, j] in wrapping int32, for r in 0..<rows, j in 0..<N; the
    /// arguments and errors are those of `int8GEMM`. Parallel over tiles of 6 rows × 256 columns
    /// (a row widened once serves 32 column blocks).
    public static func int8GEMMIntrinsics(_ a: UnsafePointer<UInt8>, rowStride: Int, rows: Int,
                                          weights: Int8PackedWeights, into c: UnsafeMutablePointer<Int32>,
                                          outputRowStride: Int) throws {
        guard rows >= 0, rowStride >= weights.k, outputRowStride >= weights.n else {
            throw EdgeflowError(.invalidInput, "int8GEMM: row strides \(rowStride)/\(outputRowStride) are shorter "
                + "than K \(weights.k) / N \(weights.n)")
        }
        let tileRows = Int(EF_QU8_GEMM_AVX2_ROWS), groupBlocks = 32
        let tiles = (rows + tileRows - 1) / tileRows, groups = (weights.blocks + groupBlocks - 1) / groupBlocks
        let grain = max(1, (1 << 18) / max(1, tileRows * groupBlocks * 8 * weights.k))
        let (k, n, pairs, blocks) = (weights.k, weights.n, weights.pairs, weights.blocks)
        weights.data.withUnsafeBufferPointer { packed in
            let base = packed.baseAddress!
            Parallel.forEachChunk(tiles * groups, grain: grain) { range in
                for item in range {
                    let group = item / tiles, first = (item % tiles) * tileRows
                    let blockBegin = group * groupBlocks, blockEnd = Swift.min(blocks, blockBegin + groupBlocks)
                    ef_qu8s8_s32_gemm_avx2(a + first * rowStride, rowStride, Swift.min(tileRows, rows - first), k,
                                           base, pairs, blockBegin, blockEnd, n, c + first * outputRowStride,
                                           outputRowStride)
                }
            }
        }
    }
}

// Exact u8 · s8 → s32 matrix-product kernels written with x86 intrinsics, for CPUs where
// oneDNN's int8 kernels would saturate (no VNNI). Each function is compiled for its instruction
// set by a target attribute, so the caller must check the CPU first (EFRuntime's SIMDKernels).
#ifndef EF_QU8_GEMM_H
#define EF_QU8_GEMM_H

#include <stddef.h>
#include <stdint.h>

/// Rows of one call: the micro-kernel's row tile.
#define EF_QU8_GEMM_AVX2_ROWS 6

/// c[r, j] = Σ_k a[r, k] · B[k, j] in wrapping int32, for r < rows (1 ... EF_QU8_GEMM_AVX2_ROWS)
/// and the columns of blocks block_begin ..< block_end (8 columns each, clipped to n).
///
/// - a: u8 rows of k values, row r at a + r · a_stride.
/// - packed: B in Int8PackedWeights' layout: per block of 8 columns, `pairs` (= ⌈k/2⌉) runs of
///   8 int32 lanes, lane j holding rows 2p (low int16) and 2p + 1 (high int16) of column j;
///   zero past n and past k.
/// - c: int32 rows, row r at c + r · c_stride; only the valid columns of the blocks are written.
///
/// Products use vpmaddwd on u8 widened to int16 and s8 weights as int16: each pair of products
/// is exact in int32 (255 · 128 · 2 < 2^31) and the sums wrap, so the result equals the
/// reference GEMM bit for bit. Requires AVX2.
void ef_qu8s8_s32_gemm_avx2(const uint8_t *a, size_t a_stride, size_t rows, size_t k,
                            const int32_t *packed, size_t pairs, size_t block_begin, size_t block_end,
                            size_t n, int32_t *c, size_t c_stride);

#endif

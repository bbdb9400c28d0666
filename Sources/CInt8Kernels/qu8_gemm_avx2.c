// The exact u8 · s8 → s32 GEMM micro-kernel for AVX2 (see include/ef_qu8_gemm.h). A tile is
// 6 rows × 16 columns in 12 ymm accumulators. The rows' u8 values are first widened into
// int16 pairs (one int32 per pair of k), so each step broadcasts a pair from memory and
// multiplies it with vpmaddwd against the packed weight pairs of 8 columns: 16 exact products
// summed pairwise into int32, then added with wrap-around. K is walked in chunks so the widened
// rows stay in a small stack buffer; later chunks add to what earlier ones stored.

#include "ef_qu8_gemm.h"

#include <immintrin.h>
#include <string.h>

enum { kRows = EF_QU8_GEMM_AVX2_ROWS, kChunkPairs = 512 };

/// Widens rows of u8 (k values from `first`) into int16 pairs, zero past k and past `rows`;
/// writes whole groups of 8 pairs (up to chunk_pairs rounded up to 8, within kChunkPairs).
__attribute__((target("avx2")))
static void widen_rows(const uint8_t *a, size_t a_stride, size_t rows, size_t first, size_t k,
                       size_t chunk_pairs, uint32_t widened[kRows][kChunkPairs]) {
    for (size_t r = 0; r < kRows; r++) {
        if (r >= rows) {
            memset(widened[r], 0, chunk_pairs * sizeof(uint32_t));
            continue;
        }
        const uint8_t *row = a + r * a_stride + first;
        size_t available = k - first;
        // 8 pairs (16 bytes) at a time; the row's last bytes go through a zeroed copy, so a short
        // K (27 for a 3-channel 3×3 stem) takes no byte loop. kChunkPairs is a multiple of 8.
        for (size_t p = 0; p < chunk_pairs; p += 8) {
            size_t left = available > 2 * p ? available - 2 * p : 0;
            __m128i bytes;
            if (left >= 16) {
                bytes = _mm_loadu_si128((const __m128i *)(row + 2 * p));
            } else {
                uint8_t tail[16] = {0};
                memcpy(tail, row + 2 * p, left);
                bytes = _mm_loadu_si128((const __m128i *)tail);
            }
            _mm256_storeu_si256((__m256i *)(widened[r] + p), _mm256_cvtepu8_epi16(bytes));
        }
    }
}

/// Stores (first chunk) or adds the tile's `rows` × `columns` values to c.
__attribute__((target("avx2")))
static void write_tile(const __m256i *acc, size_t width, size_t rows, size_t columns, int add,
                       int32_t *c, size_t c_stride) {
    int32_t lanes[16];
    for (size_t r = 0; r < rows; r++) {
        int32_t *out = c + r * c_stride;
        if (columns == 8 * width) {
            for (size_t h = 0; h < width; h++) {
                __m256i v = acc[r * 2 + h];
                if (add) v = _mm256_add_epi32(v, _mm256_loadu_si256((const __m256i *)(out + 8 * h)));
                _mm256_storeu_si256((__m256i *)(out + 8 * h), v);
            }
        } else {
            for (size_t h = 0; h < width; h++) _mm256_storeu_si256((__m256i *)(lanes + 8 * h), acc[r * 2 + h]);
            for (size_t j = 0; j < columns; j++) out[j] = add ? (int32_t)((uint32_t)out[j] + (uint32_t)lanes[j])
                                                                : lanes[j];
        }
    }
}

#define EF_STEP(r)                                                                              \
    do {                                                                                        \
        __m256i x = _mm256_set1_epi32((int32_t)widened[r][p]);                                  \
        acc[2 * (r)] = _mm256_add_epi32(acc[2 * (r)], _mm256_madd_epi16(x, w0));                \
        if (width == 2) acc[2 * (r) + 1] = _mm256_add_epi32(acc[2 * (r) + 1], _mm256_madd_epi16(x, w1)); \
    } while (0)

/// One tile over one chunk of pairs: `width` blocks of 8 columns (1 or 2).
__attribute__((target("avx2")))
static inline void tile(const uint32_t widened[kRows][kChunkPairs], size_t chunk_pairs, const int32_t *b0,
                        const int32_t *b1, size_t width, __m256i acc[2 * kRows]) {
    for (size_t i = 0; i < 2 * kRows; i++) acc[i] = _mm256_setzero_si256();
    for (size_t p = 0; p < chunk_pairs; p++) {
        __m256i w0 = _mm256_loadu_si256((const __m256i *)(b0 + 8 * p));
        __m256i w1 = width == 2 ? _mm256_loadu_si256((const __m256i *)(b1 + 8 * p)) : w0;
        EF_STEP(0); EF_STEP(1); EF_STEP(2); EF_STEP(3); EF_STEP(4); EF_STEP(5);
    }
}

/// The two widths as separate functions, so each inlines `tile` with a constant width and keeps
/// its accumulators in registers.
__attribute__((target("avx2")))
static void tile16(const uint32_t widened[kRows][kChunkPairs], size_t chunk_pairs, const int32_t *b0,
                   const int32_t *b1, __m256i acc[2 * kRows]) {
    tile(widened, chunk_pairs, b0, b1, 2, acc);
}

__attribute__((target("avx2")))
static void tile8(const uint32_t widened[kRows][kChunkPairs], size_t chunk_pairs, const int32_t *b0,
                  __m256i acc[2 * kRows]) {
    tile(widened, chunk_pairs, b0, b0, 1, acc);
}

__attribute__((target("avx2")))
void ef_qu8s8_s32_gemm_avx2(const uint8_t *a, size_t a_stride, size_t rows, size_t k,
                            const int32_t *packed, size_t pairs, size_t block_begin, size_t block_end,
                            size_t n, int32_t *c, size_t c_stride) {
    if (rows == 0 || rows > kRows || block_begin >= block_end) return;
    uint32_t widened[kRows][kChunkPairs];
    __m256i acc[2 * kRows];
    for (size_t first = 0; first < pairs; first += kChunkPairs) {
        size_t chunk = pairs - first < kChunkPairs ? pairs - first : kChunkPairs;
        widen_rows(a, a_stride, rows, 2 * first, k, chunk, widened);
        for (size_t block = block_begin; block < block_end;) {
            size_t width = block + 1 < block_end ? 2 : 1;
            const int32_t *b0 = packed + (block * pairs + first) * 8;
            if (width == 2) tile16(widened, chunk, b0, b0 + pairs * 8, acc);
            else tile8(widened, chunk, b0, acc);
            size_t column = block * 8, columns = n - column < 8 * width ? n - column : 8 * width;
            write_tile(acc, width, rows, columns, first > 0, c + column, c_stride);
            block += width;
        }
    }
}

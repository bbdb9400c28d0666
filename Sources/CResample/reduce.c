// Pillow's box reduce in C, built for the x86-64 baseline and for AVX2: the rows of a box
// summed into one row of column sums (plain loops the compiler vectorizes), then each output
// pixel's `factor` column sums added, rounded and scaled — per channel in the baseline build,
// all channels of a 3- or 4-channel pixel in one vector in the AVX2 build.
#include <immintrin.h>
#include <string.h>
#include "ef_u8_resample.h"

/// Reduce.c's division_UINT32(n, 8): 2^32 / (256 n), divided in float32, truncated.
static inline uint32_t multiplier(int64_t n) {
    return (uint32_t)((float)4294967296.0 / (float)(256 * n));
}

static inline __attribute__((always_inline))
void column_sums(const uint8_t *src, int64_t row_bytes, int64_t first_row, int64_t rows, uint32_t *restrict sums) {
    for (int64_t i = 0; i < row_bytes; i++) sums[i] = 0;
    for (int64_t y = first_row; y < first_row + rows; y++) {
        const uint8_t *restrict row = src + y * row_bytes;
        for (int64_t i = 0; i < row_bytes; i++) sums[i] += row[i];
    }
}

/// Output pixel `x` of one output row, channel by channel.
static inline void box_pixel(const uint32_t *sums, int64_t width, int64_t channels, int64_t factor, int64_t rows,
                             uint32_t full_box, int64_t x, uint8_t *dst) {
    const int64_t first = x * factor;
    const int64_t columns = width - first < factor ? width - first : factor;
    const uint32_t m = columns == factor ? full_box : multiplier(rows * columns);
    const uint32_t amend = (uint32_t)(rows * columns / 2);
    for (int64_t ch = 0; ch < channels; ch++) {
        uint32_t sum = amend;
        for (int64_t j = 0; j < columns; j++) sum += sums[(first + j) * channels + ch];
        dst[ch] = (uint8_t)((sum * m) >> 24);
    }
}

void ef_u8_reduce_baseline(const uint8_t *src, int64_t width, int64_t height, int64_t channels, int64_t factor,
                           uint32_t *sums, uint8_t *out) {
    const int64_t out_width = (width + factor - 1) / factor, out_height = (height + factor - 1) / factor;
    for (int64_t oy = 0; oy < out_height; oy++) {
        const int64_t rows = height - oy * factor < factor ? height - oy * factor : factor;
        column_sums(src, width * channels, oy * factor, rows, sums);
        const uint32_t full_box = multiplier(rows * factor);
        uint8_t *dst = out + oy * out_width * channels;
        for (int64_t x = 0; x < out_width; x++) {
            box_pixel(sums, width, channels, factor, rows, full_box, x, dst + x * channels);
        }
    }
}

__attribute__((target("avx2")))
void ef_u8_reduce_avx2(const uint8_t *src, int64_t width, int64_t height, int64_t channels, int64_t factor,
                       uint32_t *sums, uint8_t *out) {
    if (channels != 3 && channels != 4) {
        ef_u8_reduce_baseline(src, width, height, channels, factor, sums, out);
        return;
    }
    const int64_t out_width = (width + factor - 1) / factor, out_height = (height + factor - 1) / factor;
    const int64_t whole = width / factor;  // outputs whose box has all `factor` columns
    for (int64_t oy = 0; oy < out_height; oy++) {
        const int64_t rows = height - oy * factor < factor ? height - oy * factor : factor;
        column_sums(src, width * channels, oy * factor, rows, sums);
        const uint32_t full_box = multiplier(rows * factor);
        const __m128i m = _mm_set1_epi32((int32_t)full_box);
        const __m128i amend = _mm_set1_epi32((int32_t)(rows * factor / 2));
        uint8_t *restrict dst = out + oy * out_width * channels;
        for (int64_t x = 0; x < whole; x++) {
            // Four lanes from each pixel's sums (a 3-channel pixel's fourth lane is the next
            // pixel's first: ignored; `sums` has 4 spare entries at the end).
            const uint32_t *s = sums + x * factor * channels;
            __m128i sum = amend;
            for (int64_t j = 0; j < factor; j++, s += channels) {
                sum = _mm_add_epi32(sum, _mm_loadu_si128((const __m128i *)s));
            }
            __m128i v = _mm_srli_epi32(_mm_mullo_epi32(sum, m), 24);
            v = _mm_packus_epi16(_mm_packus_epi32(v, v), v);
            const uint32_t value = (uint32_t)_mm_cvtsi128_si32(v);
            if (channels == 4 || x + 1 < out_width) memcpy(dst + x * channels, &value, 4);
            else memcpy(dst + x * channels, &value, 3);
        }
        for (int64_t x = whole; x < out_width; x++) {
            box_pixel(sums, width, channels, factor, rows, full_box, x, dst + x * channels);
        }
    }
}

void ef_u8_reduce(const uint8_t *src, int64_t width, int64_t height, int64_t channels, int64_t factor,
                  uint32_t *sums, uint8_t *out) {
    if (__builtin_cpu_supports("avx2")) ef_u8_reduce_avx2(src, width, height, channels, factor, sums, out);
    else ef_u8_reduce_baseline(src, width, height, channels, factor, sums, out);
}

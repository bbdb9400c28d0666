// The baseline builds of the two passes and the run-time choice between them and the AVX2
// builds. The vertical pass is plain loops over 64-byte column tiles, inlined into a baseline
// and an AVX2 function so the compiler vectorizes each for its instruction set; sums wrap in
// uint32 (the taps of a valid resize never overflow int32, as in Pillow).
#include "ef_u8_resample.h"
#include "resample_common.h"

void ef_u8_resample_horizontal_baseline(const uint8_t *src, int64_t src_width, int64_t src_height,
                                        int64_t channels, int64_t row_begin, int64_t rows,
                                        const ef_resample_taps *taps, int64_t out_width, uint8_t *out) {
    (void)src_height;
    for (int64_t r = 0; r < rows; r++) {
        const uint8_t *row = src + (row_begin + r) * src_width * channels;
        uint8_t *dst = out + r * out_width * channels;
        for (int64_t x = 0; x < out_width; x++) {
            ef_resample_pixel(row + taps->first[x] * channels, channels, taps->weights + x * taps->stride,
                              taps->count[x], dst + x * channels);
        }
    }
}

static inline __attribute__((always_inline))
void vertical_rows(const uint8_t *src, int64_t row_bytes, int64_t out_rows, const ef_resample_taps *taps,
                   uint8_t *out) {
    enum { TILE = 64 };
    for (int64_t y = 0; y < out_rows; y++) {
        const int32_t *k = taps->weights + y * taps->stride;
        const uint8_t *base = src + taps->first[y] * row_bytes;
        const int64_t n = taps->count[y];
        uint8_t *dst = out + y * row_bytes;
        int64_t x0 = 0;
        for (; x0 + TILE <= row_bytes; x0 += TILE) {
            uint32_t acc[TILE];
            for (int j = 0; j < TILE; j++) acc[j] = EF_RESAMPLE_HALF;
            for (int64_t t = 0; t < n; t++) {
                const uint8_t *s = base + t * row_bytes + x0;
                const uint32_t w = (uint32_t)k[t];
                for (int j = 0; j < TILE; j++) acc[j] += (uint32_t)s[j] * w;
            }
            for (int j = 0; j < TILE; j++) dst[x0 + j] = ef_resample_clip8(acc[j]);
        }
        for (; x0 < row_bytes; x0++) {
            uint32_t acc = EF_RESAMPLE_HALF;
            for (int64_t t = 0; t < n; t++) acc += (uint32_t)base[t * row_bytes + x0] * (uint32_t)k[t];
            dst[x0] = ef_resample_clip8(acc);
        }
    }
}

void ef_u8_resample_vertical_baseline(const uint8_t *src, int64_t row_bytes, int64_t out_rows,
                                      const ef_resample_taps *taps, uint8_t *out) {
    vertical_rows(src, row_bytes, out_rows, taps, out);
}

__attribute__((target("avx2")))
void ef_u8_resample_vertical_avx2(const uint8_t *src, int64_t row_bytes, int64_t out_rows,
                                  const ef_resample_taps *taps, uint8_t *out) {
    vertical_rows(src, row_bytes, out_rows, taps, out);
}

void ef_u8_resample_horizontal(const uint8_t *src, int64_t src_width, int64_t src_height, int64_t channels,
                               int64_t row_begin, int64_t rows, const ef_resample_taps *taps, int64_t out_width,
                               uint8_t *out) {
    if (__builtin_cpu_supports("avx2")) {
        ef_u8_resample_horizontal_avx2(src, src_width, src_height, channels, row_begin, rows, taps, out_width, out);
    } else {
        ef_u8_resample_horizontal_baseline(src, src_width, src_height, channels, row_begin, rows, taps, out_width,
                                           out);
    }
}

void ef_u8_resample_vertical(const uint8_t *src, int64_t row_bytes, int64_t out_rows, const ef_resample_taps *taps,
                             uint8_t *out) {
    if (__builtin_cpu_supports("avx2")) ef_u8_resample_vertical_avx2(src, row_bytes, out_rows, taps, out);
    else ef_u8_resample_vertical_baseline(src, row_bytes, out_rows, taps, out);
}

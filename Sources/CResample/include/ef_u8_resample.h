// Pillow's two resampling passes on 8-bit images (Resample.c's ImagingResampleHorizontal_8bpc
// and ImagingResampleVertical_8bpc) and its box reduce (Reduce.c) in C: the passes with 22-bit
// fixed-point weights, int32 sums started at half, an arithmetic shift and a clamp to 0…255.
// Each is built for the x86-64 baseline (plain loops) and for AVX2 (intrinsics or the same loops
// vectorized for it); `ef_u8_resample_*` and `ef_u8_reduce` pick the build this CPU runs.
// Integer arithmetic: every build gives the same bytes.
#ifndef EF_U8_RESAMPLE_H
#define EF_U8_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/// The taps of one axis: output i reads `count[i]` source samples from `first[i]` on, with the
/// weights `weights[i * stride ..< i * stride + count[i]]` (22 fraction bits).
typedef struct {
    const ptrdiff_t *first;
    const ptrdiff_t *count;
    const int32_t *weights;
    int64_t stride;
} ef_resample_taps;

/// The horizontal pass over source rows `row_begin ..< row_begin + rows`: `out` is
/// [rows, out_width, channels] with out_width = the taps' output count; `src` is
/// [src_height, src_width, channels], channels 1, 3 or 4. The taps must lie inside the row.
void ef_u8_resample_horizontal(const uint8_t *src, int64_t src_width, int64_t src_height, int64_t channels,
                               int64_t row_begin, int64_t rows, const ef_resample_taps *taps, int64_t out_width,
                               uint8_t *out);
void ef_u8_resample_horizontal_baseline(const uint8_t *src, int64_t src_width, int64_t src_height,
                                        int64_t channels, int64_t row_begin, int64_t rows,
                                        const ef_resample_taps *taps, int64_t out_width, uint8_t *out);
void ef_u8_resample_horizontal_avx2(const uint8_t *src, int64_t src_width, int64_t src_height, int64_t channels,
                                    int64_t row_begin, int64_t rows, const ef_resample_taps *taps,
                                    int64_t out_width, uint8_t *out);

/// The vertical pass: `out` is [out_rows, row_bytes]; output row i is the weighted sum of the
/// source rows the taps name, byte by byte (`src` is [source rows, row_bytes]).
void ef_u8_resample_vertical(const uint8_t *src, int64_t row_bytes, int64_t out_rows, const ef_resample_taps *taps,
                             uint8_t *out);
void ef_u8_resample_vertical_baseline(const uint8_t *src, int64_t row_bytes, int64_t out_rows,
                                      const ef_resample_taps *taps, uint8_t *out);
void ef_u8_resample_vertical_avx2(const uint8_t *src, int64_t row_bytes, int64_t out_rows,
                                  const ef_resample_taps *taps, uint8_t *out);

/// Pillow's `Image.reduce(factor)` (Reduce.c): `out` is [⌈height / factor⌉, ⌈width / factor⌉,
/// channels], each byte the mean of its factor × factor box (the last row and column of boxes
/// partial) as (sum + ⌊n / 2⌋) · m >> 24 in uint32, m = ⌊2^32 / (256 n)⌋ as Pillow divides it
/// (in float32), n the box's pixel count. `sums` is scratch of width · channels + 4 uint32.
void ef_u8_reduce(const uint8_t *src, int64_t width, int64_t height, int64_t channels, int64_t factor,
                  uint32_t *sums, uint8_t *out);
void ef_u8_reduce_baseline(const uint8_t *src, int64_t width, int64_t height, int64_t channels, int64_t factor,
                           uint32_t *sums, uint8_t *out);
void ef_u8_reduce_avx2(const uint8_t *src, int64_t width, int64_t height, int64_t channels, int64_t factor,
                       uint32_t *sums, uint8_t *out);

#endif

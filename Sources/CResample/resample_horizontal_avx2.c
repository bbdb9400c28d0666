// The horizontal pass with AVX2 intrinsics for 3- and 4-channel images: two taps per step,
// each tap's pixel widened to four int32 lanes (a 3-byte pixel read as four bytes, the fourth
// lane ignored), multiplied by its weight and summed; the two halves are added at the end.
// A pixel whose 8-byte loads would reach past the image's last byte is done tap by tap.
// 1-channel images take the baseline loop.
#include <immintrin.h>
#include <string.h>
#include "ef_u8_resample.h"
#include "resample_common.h"

/// The four lanes of sums → clip8 of each, in the low four bytes.
__attribute__((target("avx2"), always_inline))
static inline uint32_t finish(__m256i pairs, __m128i single) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(pairs), _mm256_extracti128_si256(pairs, 1));
    s = _mm_add_epi32(_mm_add_epi32(s, single), _mm_set1_epi32((int32_t)EF_RESAMPLE_HALF));
    s = _mm_srai_epi32(s, EF_RESAMPLE_BITS);  // now within -512 … 511: the packs below clamp exactly
    s = _mm_packs_epi32(s, s);
    s = _mm_packus_epi16(s, s);
    return (uint32_t)_mm_cvtsi128_si32(s);
}

/// One output pixel of a `channels`-byte (3 or 4) image; p + 3 · n + 2 (channels 3) or
/// p + 4 · n (channels 4) must not pass the image's end.
__attribute__((target("avx2"), always_inline))
static inline uint32_t pixel(const uint8_t *p, int64_t channels, const int32_t *k, int64_t n) {
    const __m256i spread = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
    const __m128i rgb = _mm_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    __m256i pairs = _mm256_setzero_si256();
    int64_t t = 0;
    for (; t + 2 <= n; t += 2) {
        __m128i px = _mm_loadl_epi64((const __m128i *)(p + t * channels));
        if (channels == 3) px = _mm_shuffle_epi8(px, rgb);
        const __m256i w = _mm256_permutevar8x32_epi32(
            _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i *)(k + t))), spread);
        pairs = _mm256_add_epi32(pairs, _mm256_mullo_epi32(_mm256_cvtepu8_epi32(px), w));
    }
    __m128i single = _mm_setzero_si128();
    if (t < n) {
        int32_t bytes;
        memcpy(&bytes, p + t * channels, 4);
        single = _mm_mullo_epi32(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(bytes)), _mm_set1_epi32(k[t]));
    }
    return finish(pairs, single);
}

__attribute__((target("avx2")))
void ef_u8_resample_horizontal_avx2(const uint8_t *src, int64_t src_width, int64_t src_height, int64_t channels,
                                    int64_t row_begin, int64_t rows, const ef_resample_taps *taps,
                                    int64_t out_width, uint8_t *out) {
    if (channels != 3 && channels != 4) {
        ef_u8_resample_horizontal_baseline(src, src_width, src_height, channels, row_begin, rows, taps, out_width,
                                           out);
        return;
    }
    const uint8_t *end = src + src_height * src_width * channels;
    const int64_t overread = channels == 3 ? 2 : 0;
    const ptrdiff_t *restrict first = taps->first, *restrict count = taps->count;
    const int32_t *restrict weights = taps->weights;
    const int64_t stride = taps->stride;
    for (int64_t r = 0; r < rows; r++) {
        const uint8_t *row = src + (row_begin + r) * src_width * channels;
        uint8_t *restrict dst = out + r * out_width * channels;
        for (int64_t x = 0; x < out_width; x++, dst += channels) {
            const uint8_t *p = row + first[x] * channels;
            const int32_t *k = weights + x * stride;
            const int64_t n = count[x];
            if (end - p < channels * n + overread) {
                ef_resample_pixel(p, channels, k, n, dst);
                continue;
            }
            const uint32_t value = pixel(p, channels, k, n);
            // A 3-byte pixel's fourth byte lands on the next pixel, which is written after it.
            if (channels == 4 || x + 1 < out_width) memcpy(dst, &value, 4);
            else memcpy(dst, &value, 3);
        }
    }
}

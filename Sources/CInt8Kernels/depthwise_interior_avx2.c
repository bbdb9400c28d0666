// The AVX2 interior of the channels-last depthwise kernel: 8 channels at a time, the taps taken
// in pairs. Two taps' u8 values interleave into int16 pairs (x_t, x_t+1) per channel and one
// vpmaddwd against the interleaved weights (w_t, w_t+1) adds both products into the channel's
// int32 sum: exact, as |x · w| ≤ 255 · 128 and the pair sum fits in int32. The weights of a
// channel group stay paired in a small buffer while the row's pixels are walked.

#include "depthwise_interior_avx2.h"

#include <immintrin.h>

enum { kMaxTaps = 128 };

/// One pixel's 8 channel sums: `pairs` tap pairs at byte offsets `offset` from `origin`; an odd
/// last tap is paired with a zero (its weight pair is (w, 0)).
__attribute__((target("avx2"), always_inline))
static inline __m256i pixel_sums(const uint8_t *origin, const int64_t *offset, const __m256i *paired,
                                 const int64_t pairs, const int odd) {
    __m256i sum = _mm256_setzero_si256();
    for (int64_t p = 0; p < pairs; p++) {
        __m128i a0 = _mm_loadl_epi64((const __m128i *)(origin + offset[2 * p]));
        __m128i a1 = odd && p == pairs - 1 ? _mm_setzero_si128()
                                           : _mm_loadl_epi64((const __m128i *)(origin + offset[2 * p + 1]));
        __m256i both = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a0, a1));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(both, _mm256_loadu_si256(paired + p)));
    }
    return sum;
}

/// Output pixels lo ..< hi of one channel group: constant `pairs` and `odd` let the taps unroll.
__attribute__((target("avx2"), always_inline))
static inline void group_run(const uint8_t *start, int64_t step, const int64_t *offset, const __m256i *paired,
                             const int64_t pairs, const int odd, int32_t *out, int64_t out_step, int64_t count) {
    for (int64_t i = 0; i < count; i++, start += step, out += out_step)
        _mm256_storeu_si256((__m256i *)out, pixel_sums(start, offset, paired, pairs, odd));
}

__attribute__((target("avx2")))
int ef_depthwise_interior_avx2(const uint8_t *x, const int8_t *w, int32_t *out_row, const ef_depthwise_geometry *g,
                               int64_t id, int64_t ih, int64_t lo, int64_t hi) {
    const int64_t channels = g->channels, in_h = g->input[1], in_w = g->input[2];
    const int64_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
    if (channels < 8 || taps > kMaxTaps) return 0;
    int64_t offset[kMaxTaps];
    int64_t t = 0;
    for (int64_t kd = 0; kd < g->kernel[0]; kd++)
    for (int64_t kh = 0; kh < g->kernel[1]; kh++)
    for (int64_t kw = 0; kw < g->kernel[2]; kw++, t++)
        offset[t] = ((kd * g->dilations[0] * in_h + kh * g->dilations[1]) * in_w + kw * g->dilations[2]) * channels;
    const int64_t pairs = (taps + 1) / 2, step = g->strides[2] * channels, count = hi - lo;
    const int odd = (int)(taps & 1);
    const uint8_t *first = x + ((id * in_h + ih) * in_w + lo * g->strides[2] - g->pad_begin[2]) * channels;
    __m256i paired[kMaxTaps / 2];
    for (int64_t c = 0; c + 8 <= channels; c += 8) {
        for (int64_t p = 0; p < pairs; p++) {
            __m128i w0 = _mm_loadl_epi64((const __m128i *)(w + 2 * p * channels + c));
            __m128i w1 = 2 * p + 1 < taps ? _mm_loadl_epi64((const __m128i *)(w + (2 * p + 1) * channels + c))
                                          : _mm_setzero_si128();
            paired[p] = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(w0, w1));
        }
        int32_t *out = out_row + lo * channels + c;
        if (taps == 9) group_run(first + c, step, offset, paired, 5, 1, out, channels, count);
        else if (taps == 25) group_run(first + c, step, offset, paired, 13, 1, out, channels, count);
        else group_run(first + c, step, offset, paired, pairs, odd, out, channels, count);
    }
    return 1;
}

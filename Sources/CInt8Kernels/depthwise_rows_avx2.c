// The AVX2 rows of the channels-last depthwise kernel: 8 channels at a time, the taps taken in
// pairs. Two taps' u8 values interleave into int16 pairs (x_t, x_t+1) per channel and one
// vpmaddwd against the interleaved weights (w_t, w_t+1) adds both products into the channel's
// int32 sum: exact, as |x · w| ≤ 255 · 128 and the pair sum fits in int32. The weights of a
// channel group stay paired in a small buffer while the row's pixels are walked. In a row whose
// kernel reaches into the padding above or below, those taps read the zero point for every
// pixel: their sum, fill · Σ w per channel, starts the sums, and only the other taps are walked.

#include "depthwise_rows_avx2.h"

#include <immintrin.h>

enum { kMaxTaps = 128 };

/// One pixel's 8 channel sums from `init`: `pairs` pairs of the taps at byte offsets `offset`
/// from `origin`; an odd last tap is paired with a zero (its weight pair is (w, 0)).
__attribute__((target("avx2"), always_inline))
static inline __m256i pixel_sums(__m256i init, const uint8_t *origin, const int64_t *offset, const __m256i *paired,
                                 const int64_t pairs, const int odd) {
    __m256i sum = init;
    for (int64_t p = 0; p < pairs; p++) {
        __m128i a0 = _mm_loadl_epi64((const __m128i *)(origin + offset[2 * p]));
        __m128i a1 = odd && p == pairs - 1 ? _mm_setzero_si128()
                                           : _mm_loadl_epi64((const __m128i *)(origin + offset[2 * p + 1]));
        __m256i both = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a0, a1));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(both, _mm256_loadu_si256(paired + p)));
    }
    return sum;
}

/// Output pixels of one channel group: constant `pairs` and `odd` let the taps unroll.
__attribute__((target("avx2"), always_inline))
static inline void group_run(__m256i init, const uint8_t *start, int64_t step, const int64_t *offset,
                             const __m256i *paired, const int64_t pairs, const int odd, int32_t *out,
                             int64_t out_step, int64_t count) {
    for (int64_t i = 0; i < count; i++, start += step, out += out_step)
        _mm256_storeu_si256((__m256i *)out, pixel_sums(init, start, offset, paired, pairs, odd));
}

__attribute__((target("avx2")))
int ef_depthwise_row_avx2(const uint8_t *x, const int8_t *w, int32_t *out_row, const ef_depthwise_geometry *g,
                          int64_t od, int64_t oh, int64_t lo, int64_t hi, int rows_inside) {
    const int64_t channels = g->channels, in_d = g->input[0], in_h = g->input[1], in_w = g->input[2];
    const int64_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
    if (channels < 8 || taps > kMaxTaps || (!rows_inside && channels % 8 != 0)) return 0;
    // The taps inside (their index and byte offset from the row's column origin) and outside.
    int64_t inside[kMaxTaps], offset[kMaxTaps], outside[kMaxTaps];
    int64_t n_in = 0, n_out = 0, t = 0;
    for (int64_t kd = 0; kd < g->kernel[0]; kd++)
    for (int64_t kh = 0; kh < g->kernel[1]; kh++) {
        const int64_t id = od * g->strides[0] - g->pad_begin[0] + kd * g->dilations[0];
        const int64_t ih = oh * g->strides[1] - g->pad_begin[1] + kh * g->dilations[1];
        const int in = id >= 0 && id < in_d && ih >= 0 && ih < in_h;
        for (int64_t kw = 0; kw < g->kernel[2]; kw++, t++) {
            if (!in) { outside[n_out++] = t; continue; }
            offset[n_in] = ((id * in_h + ih) * in_w + kw * g->dilations[2]) * channels;
            inside[n_in++] = t;
        }
    }
    const int64_t pairs = (n_in + 1) / 2, step = g->strides[2] * channels, count = hi - lo;
    const int odd = (int)(n_in & 1);
    const uint8_t *first = x + (lo * g->strides[2] - g->pad_begin[2]) * channels;
    __m256i paired[kMaxTaps / 2];
    for (int64_t c = 0; c + 8 <= channels; c += 8) {
        int32_t fixed[8] = {0};  // the taps in the padding: fill · Σ w per channel
        for (int64_t j = 0; j < n_out; j++)
            for (int k = 0; k < 8; k++) fixed[k] += (int32_t)g->fill * w[outside[j] * channels + c + k];
        for (int64_t p = 0; p < pairs; p++) {
            __m128i w0 = _mm_loadl_epi64((const __m128i *)(w + inside[2 * p] * channels + c));
            __m128i w1 = 2 * p + 1 < n_in ? _mm_loadl_epi64((const __m128i *)(w + inside[2 * p + 1] * channels + c))
                                          : _mm_setzero_si128();
            paired[p] = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(w0, w1));
        }
        const __m256i init = _mm256_loadu_si256((const __m256i *)fixed);
        int32_t *out = out_row + lo * channels + c;
        if (n_in == 9) group_run(init, first + c, step, offset, paired, 5, 1, out, channels, count);
        else if (n_in == 25) group_run(init, first + c, step, offset, paired, 13, 1, out, channels, count);
        else if (n_in == 15) group_run(init, first + c, step, offset, paired, 8, 1, out, channels, count);
        else group_run(init, first + c, step, offset, paired, pairs, odd, out, channels, count);
    }
    return 1;
}

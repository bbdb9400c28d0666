// The exact depthwise int8 convolution (see include/ef_qu8_depthwise.h). Channels last: for each
// output pixel the taps are walked and the channels of the range accumulate in place in acc's
// row (the inner loop runs along contiguous channels and vectorizes). Channels first: each
// channel's output plane accumulates row by row, the inner loop along the output width. Taps in
// the padding read the zero point, as the im2col they replace did. Nothing is allocated.

#include "ef_qu8_depthwise.h"

#define EF_BODY static inline __attribute__((always_inline))

static int64_t taps_of(const ef_depthwise_geometry *g) { return g->kernel[0] * g->kernel[1] * g->kernel[2]; }

/// Input coordinate of output index `o`, tap `k` along dim `d`; -1 .. when in the padding.
static inline int64_t coordinate(const ef_depthwise_geometry *g, int d, int64_t o, int64_t k) {
    return o * g->strides[d] - g->pad_begin[d] + k * g->dilations[d];
}

static inline int inside(const ef_depthwise_geometry *g, int d, int64_t i) { return i >= 0 && i < g->input[d]; }

EF_BODY void channels_last(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                           int64_t c0, int64_t c1) {
    const int64_t channels = g->channels, count = c1 - c0;
    int64_t pixel = 0;
    for (int64_t od = 0; od < g->output[0]; od++)
    for (int64_t oh = 0; oh < g->output[1]; oh++)
    for (int64_t ow = 0; ow < g->output[2]; ow++, pixel++) {
        int32_t *row = acc + pixel * channels + c0;
        for (int64_t c = 0; c < count; c++) row[c] = 0;
        int64_t t = 0;
        for (int64_t kd = 0; kd < g->kernel[0]; kd++)
        for (int64_t kh = 0; kh < g->kernel[1]; kh++)
        for (int64_t kw = 0; kw < g->kernel[2]; kw++, t++) {
            const int8_t *wt = w + t * channels + c0;
            int64_t id = coordinate(g, 0, od, kd), ih = coordinate(g, 1, oh, kh), iw = coordinate(g, 2, ow, kw);
            if (inside(g, 0, id) && inside(g, 1, ih) && inside(g, 2, iw)) {
                const uint8_t *in = x + ((id * g->input[1] + ih) * g->input[2] + iw) * channels + c0;
                for (int64_t c = 0; c < count; c++) row[c] = (int32_t)((uint32_t)row[c] + (uint32_t)(in[c] * wt[c]));
            } else {
                int32_t fill = g->fill;
                for (int64_t c = 0; c < count; c++) row[c] = (int32_t)((uint32_t)row[c] + (uint32_t)(fill * wt[c]));
            }
        }
    }
}

EF_BODY void channels_first(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                            int64_t c0, int64_t c1) {
    const int64_t out_w = g->output[2], sw = g->strides[2];
    const int64_t plane = g->input[0] * g->input[1] * g->input[2];
    const int64_t pixels = g->output[0] * g->output[1] * out_w;
    for (int64_t c = c0; c < c1; c++) {
        const uint8_t *input = x + c * plane;
        int32_t *row = acc + c * pixels;
        for (int64_t od = 0; od < g->output[0]; od++)
        for (int64_t oh = 0; oh < g->output[1]; oh++, row += out_w) {
            for (int64_t o = 0; o < out_w; o++) row[o] = 0;
            int64_t t = 0;
            for (int64_t kd = 0; kd < g->kernel[0]; kd++)
            for (int64_t kh = 0; kh < g->kernel[1]; kh++)
            for (int64_t kw = 0; kw < g->kernel[2]; kw++, t++) {
                int32_t weight = w[t * g->channels + c];
                int64_t id = coordinate(g, 0, od, kd), ih = coordinate(g, 1, oh, kh);
                int inRow = inside(g, 0, id) && inside(g, 1, ih);
                const uint8_t *in = input + (inRow ? (id * g->input[1] + ih) * g->input[2] : 0);
                // Output columns whose tap lies inside the row: o in [first, last).
                int64_t offset = kw * g->dilations[2] - g->pad_begin[2];
                int64_t first = offset >= 0 ? 0 : (-offset + sw - 1) / sw;
                int64_t last = g->input[2] - offset <= 0 ? 0 : (g->input[2] - offset + sw - 1) / sw;
                if (last > out_w) last = out_w;
                if (!inRow || first > last) first = last = out_w;
                uint32_t pad = (uint32_t)(g->fill * weight);
                for (int64_t o = 0; o < first; o++) row[o] = (int32_t)((uint32_t)row[o] + pad);
                if (sw == 1) {  // contiguous taps: the loop the compiler vectorizes
                    for (int64_t o = first; o < last; o++)
                        row[o] = (int32_t)((uint32_t)row[o] + (uint32_t)(in[o + offset] * weight));
                } else {
                    for (int64_t o = first; o < last; o++)
                        row[o] = (int32_t)((uint32_t)row[o] + (uint32_t)(in[o * sw + offset] * weight));
                }
                for (int64_t o = last; o < out_w; o++) row[o] = (int32_t)((uint32_t)row[o] + pad);
            }
        }
    }
}

// The same loops inlined into a baseline and an AVX2 function; the compiler vectorizes each
// for its instruction set.
void ef_qu8s8_s32_depthwise_baseline(const uint8_t *x, const int8_t *w, int32_t *acc,
                                     const ef_depthwise_geometry *g, int64_t channel_begin, int64_t channel_end) {
    if (channel_begin >= channel_end) return;
    if (g->channels_last) channels_last(x, w, acc, g, channel_begin, channel_end);
    else channels_first(x, w, acc, g, channel_begin, channel_end);
}

__attribute__((target("avx2")))
void ef_qu8s8_s32_depthwise_avx2(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                                 int64_t channel_begin, int64_t channel_end) {
    if (channel_begin >= channel_end) return;
    if (g->channels_last) channels_last(x, w, acc, g, channel_begin, channel_end);
    else channels_first(x, w, acc, g, channel_begin, channel_end);
}

void ef_qu8s8_s32_depthwise(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                            int64_t channel_begin, int64_t channel_end) {
    if (__builtin_cpu_supports("avx2")) ef_qu8s8_s32_depthwise_avx2(x, w, acc, g, channel_begin, channel_end);
    else ef_qu8s8_s32_depthwise_baseline(x, w, acc, g, channel_begin, channel_end);
}

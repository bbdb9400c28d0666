// The exact depthwise int8 convolution (see include/ef_qu8_depthwise.h). Channels last: for each
// output pixel of the rows given, the sums of 16 (or 8) channels stay in registers while the
// taps are walked (the inner loop runs along contiguous channels and vectorizes); pixels whose
// window reaches into the padding take checked loops. Channels first: each
// channel's output plane accumulates row by row, the inner loop along the output width. Taps in
// the padding read the zero point, as the im2col they replace did. Nothing is allocated.

#include "ef_qu8_depthwise.h"
#include "depthwise_rows_avx2.h"

#define EF_BODY static inline __attribute__((always_inline))

/// Input coordinate of output index `o`, tap `k` along dim `d`; -1 .. when in the padding.
static inline int64_t coordinate(const ef_depthwise_geometry *g, int d, int64_t o, int64_t k) {
    return o * g->strides[d] - g->pad_begin[d] + k * g->dilations[d];
}

static inline int inside(const ef_depthwise_geometry *g, int d, int64_t i) { return i >= 0 && i < g->input[d]; }

/// One output pixel some of whose taps may fall in the padding: the checked loops, all channels.
EF_BODY void border_pixel(const uint8_t *x, const int8_t *w, int32_t *row, const ef_depthwise_geometry *g,
                          int64_t od, int64_t oh, int64_t ow) {
    const int64_t channels = g->channels;
    for (int64_t c = 0; c < channels; c++) row[c] = 0;
    int64_t t = 0;
    for (int64_t kd = 0; kd < g->kernel[0]; kd++)
    for (int64_t kh = 0; kh < g->kernel[1]; kh++)
    for (int64_t kw = 0; kw < g->kernel[2]; kw++, t++) {
        const int8_t *wt = w + t * channels;
        int64_t id = coordinate(g, 0, od, kd), ih = coordinate(g, 1, oh, kh), iw = coordinate(g, 2, ow, kw);
        if (inside(g, 0, id) && inside(g, 1, ih) && inside(g, 2, iw)) {
            const uint8_t *in = x + ((id * g->input[1] + ih) * g->input[2] + iw) * channels;
            for (int64_t c = 0; c < channels; c++) row[c] = (int32_t)((uint32_t)row[c] + (uint32_t)(in[c] * wt[c]));
        } else {
            int32_t fill = g->fill;
            for (int64_t c = 0; c < channels; c++) row[c] = (int32_t)((uint32_t)row[c] + (uint32_t)(fill * wt[c]));
        }
    }
}

/// `width` channels from `c` of an output pixel whose taps are all inside, `origin` its first
/// tap's input: the sums stay in registers across the taps, each product exact in int16
/// (255 · 128 < 2^15) before it widens.
EF_BODY void interior_block(const uint8_t *origin, const int8_t *w, int32_t *out, const ef_depthwise_geometry *g,
                            int64_t c, const int width) {
    const int64_t channels = g->channels, row_stride = g->input[2] * channels;
    const int64_t plane_stride = g->input[1] * row_stride;
    uint32_t sums[16] = {0};
    const int8_t *wt = w + c;
    for (int64_t kd = 0; kd < g->kernel[0]; kd++)
    for (int64_t kh = 0; kh < g->kernel[1]; kh++) {
        const uint8_t *in = origin + kd * g->dilations[0] * plane_stride + kh * g->dilations[1] * row_stride + c;
        for (int64_t kw = 0; kw < g->kernel[2]; kw++, in += g->dilations[2] * channels, wt += channels)
            for (int j = 0; j < width; j++) sums[j] += (uint32_t)(int32_t)(int16_t)(in[j] * wt[j]);
    }
    for (int j = 0; j < width; j++) out[c + j] = (int32_t)sums[j];
}

/// Channels `first` ..< C of one interior pixel: 16 and 8 at a time, the last few one by one.
EF_BODY void interior_pixel(const uint8_t *origin, const int8_t *w, int32_t *out, const ef_depthwise_geometry *g,
                            int64_t first) {
    const int64_t channels = g->channels;
    int64_t c = first;
    for (; c + 16 <= channels; c += 16) interior_block(origin, w, out, g, c, 16);
    for (; c + 8 <= channels; c += 8) interior_block(origin, w, out, g, c, 8);
    for (; c < channels; c++) interior_block(origin, w, out, g, c, 1);
}

/// Output rows (od, oh) row_begin ..< row_end, all channels, channels last: interior pixels
/// 16 and 8 channels at a time (the last few one by one; with `avx2`, whole rows of them through
/// depthwise_rows_avx2.c, also rows whose kernel reaches into the padding above or below),
/// border pixels on the checked loops.
EF_BODY void channels_last(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                           int64_t row_begin, int64_t row_end, const int avx2) {
    const int64_t channels = g->channels, out_w = g->output[2], out_h = g->output[1];
    // Output columns whose taps along the width are all inside: [lo, hi).
    const int64_t sw = g->strides[2], pw = g->pad_begin[2], span = (g->kernel[2] - 1) * g->dilations[2];
    const int64_t last_start = g->input[2] - 1 - span + pw;  // ow · sw may reach it
    int64_t lo = (pw + sw - 1) / sw, hi = last_start < 0 ? 0 : last_start / sw + 1;
    if (hi > out_w) hi = out_w;
    if (lo > hi) lo = hi;
    for (int64_t r = row_begin; r < row_end; r++) {
        const int64_t od = r / out_h, oh = r % out_h;
        const int64_t id = coordinate(g, 0, od, 0), ih = coordinate(g, 1, oh, 0);
        const int rows_inside = id >= 0 && id + (g->kernel[0] - 1) * g->dilations[0] < g->input[0]
            && ih >= 0 && ih + (g->kernel[1] - 1) * g->dilations[1] < g->input[1];
        int32_t *row = acc + (r - row_begin) * out_w * channels;
        if (avx2 && lo < hi && ef_depthwise_row_avx2(x, w, row, g, od, oh, lo, hi, rows_inside)) {
            for (int64_t ow = 0; ow < lo; ow++) border_pixel(x, w, row + ow * channels, g, od, oh, ow);
            for (int64_t ow = hi; ow < out_w; ow++) border_pixel(x, w, row + ow * channels, g, od, oh, ow);
            const int64_t rest = channels / 8 * 8;  // the channels past the last group of 8
            for (int64_t ow = lo; rows_inside && rest < channels && ow < hi; ow++) {  // edge rows: C % 8 == 0
                const uint8_t *origin = x + ((id * g->input[1] + ih) * g->input[2] + ow * sw - pw) * channels;
                interior_pixel(origin, w, row + ow * channels, g, rest);
            }
            continue;
        }
        for (int64_t ow = 0; ow < out_w; ow++) {
            int32_t *out = acc + ((r - row_begin) * out_w + ow) * channels;
            if (!rows_inside || ow < lo || ow >= hi) {
                border_pixel(x, w, out, g, od, oh, ow);
                continue;
            }
            const uint8_t *origin = x + ((id * g->input[1] + ih) * g->input[2] + ow * sw - pw) * channels;
            interior_pixel(origin, w, out, g, 0);
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
        int32_t *row = acc + (c - c0) * pixels;
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
                                     const ef_depthwise_geometry *g, int64_t unit_begin, int64_t unit_end) {
    if (unit_begin >= unit_end) return;
    if (g->channels_last) channels_last(x, w, acc, g, unit_begin, unit_end, 0);
    else channels_first(x, w, acc, g, unit_begin, unit_end);
}

__attribute__((target("avx2")))
void ef_qu8s8_s32_depthwise_avx2(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                                 int64_t unit_begin, int64_t unit_end) {
    if (unit_begin >= unit_end) return;
    if (g->channels_last) channels_last(x, w, acc, g, unit_begin, unit_end, 1);
    else channels_first(x, w, acc, g, unit_begin, unit_end);
}

void ef_qu8s8_s32_depthwise(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                            int64_t unit_begin, int64_t unit_end) {
    if (__builtin_cpu_supports("avx2")) ef_qu8s8_s32_depthwise_avx2(x, w, acc, g, unit_begin, unit_end);
    else ef_qu8s8_s32_depthwise_baseline(x, w, acc, g, unit_begin, unit_end);
}

int64_t ef_depthwise_units(const ef_depthwise_geometry *g) {
    return g->channels_last ? g->output[0] * g->output[1] : g->channels;
}

// The im2col of an ungrouped channels-last u8 conv input (see include/ef_qu8_unfold.h). Written
// in C because this loop is all index arithmetic and short copies: the Swift version paid for
// overflow checks and spills (a 3-channel 3×3 stem spent 72 cycles per output pixel).

#include "ef_qu8_unfold.h"

#include <string.h>

/// Copies n bytes with fixed-size moves: two overlapping words below 32 bytes, then 16 at a time
/// with an overlapping last piece. Source and target are disjoint.
static inline void copy_bytes(uint8_t *to, const uint8_t *from, int64_t n) {
    if (n >= 16) {
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) memcpy(to + i, from + i, 16);
        if (i < n) memcpy(to + n - 16, from + n - 16, 16);
    } else if (n >= 8) {
        memcpy(to, from, 8);
        memcpy(to + n - 8, from + n - 8, 8);
    } else if (n >= 4) {
        memcpy(to, from, 4);
        memcpy(to + n - 4, from + n - 4, 4);
    } else {
        for (int64_t i = 0; i < n; i++) to[i] = from[i];
    }
}

void ef_qu8_unfold_nhwc(const uint8_t *x, const ef_depthwise_geometry *g, int64_t pixel_begin, int64_t pixel_end,
                        uint8_t *columns) {
    const int64_t c = g->channels, in_d = g->input[0], in_h = g->input[1], in_w = g->input[2];
    const int64_t out_h = g->output[1], out_w = g->output[2];
    const int64_t kd_n = g->kernel[0], kh_n = g->kernel[1], kw_n = g->kernel[2];
    const int64_t sd = g->strides[0], sh = g->strides[1], sw = g->strides[2];
    const int64_t dd = g->dilations[0], dh = g->dilations[1], dw = g->dilations[2];
    const int64_t pd = g->pad_begin[0], ph = g->pad_begin[1], pw = g->pad_begin[2];
    const int64_t run = kw_n * c, k = kd_n * kh_n * run;
    if (pixel_begin >= pixel_end) return;
    int64_t od = pixel_begin / (out_h * out_w), oh = pixel_begin / out_w % out_h, ow = pixel_begin % out_w;
    uint8_t *row = columns;
    for (int64_t p = pixel_begin; p < pixel_end; p++, row += k) {
        const int64_t iw0 = ow * sw - pw;
        const int width_inside = dw == 1 && iw0 >= 0 && iw0 + kw_n <= in_w;
        uint8_t *out = row;
        for (int64_t kd = 0; kd < kd_n; kd++) {
            const int64_t id = od * sd - pd + kd * dd;
            for (int64_t kh = 0; kh < kh_n; kh++) {
                const int64_t ih = oh * sh - ph + kh * dh;
                const int row_inside = id >= 0 && id < in_d && ih >= 0 && ih < in_h;
                const uint8_t *line = row_inside ? x + (id * in_h + ih) * in_w * c : x;
                if (row_inside && width_inside) {
                    copy_bytes(out, line + iw0 * c, run);
                    out += run;
                    continue;
                }
                for (int64_t kw = 0; kw < kw_n; kw++, out += c) {
                    const int64_t iw = iw0 + kw * dw;
                    if (row_inside && iw >= 0 && iw < in_w) copy_bytes(out, line + iw * c, c);
                    else memset(out, g->fill, (size_t)c);
                }
            }
        }
        if (++ow == out_w) {
            ow = 0;
            if (++oh == out_h) { oh = 0; od++; }
        }
    }
}

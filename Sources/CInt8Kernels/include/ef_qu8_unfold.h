// The im2col of an ungrouped channels-last u8 conv input, as plain C (no overflow traps, short
// copies inlined): the int8 GEMM's columns, one row of K = taps · C bytes per output pixel.
#ifndef EF_QU8_UNFOLD_H
#define EF_QU8_UNFOLD_H

#include <stdint.h>

#include "ef_qu8_depthwise.h"

/// columns[(p − pixel_begin) · K + tap · C + c] = x[pixel p's tap, c] (x is [D, H, W, C] of one
/// image), or g->fill where the tap falls in the padding, for output pixels p in
/// pixel_begin ..< pixel_end (flat over the output depth, height, width). `g` describes the
/// window as for the depthwise kernel, with `channels` = C (the input channels) and
/// `channels_last` set; taps are in (kd, kh, kw) order. A kernel row wholly inside the input
/// (dilation 1 along the width) is one copy of kernel width · C bytes.
void ef_qu8_unfold_nhwc(const uint8_t *x, const ef_depthwise_geometry *g, int64_t pixel_begin, int64_t pixel_end,
                        uint8_t *columns);

#endif

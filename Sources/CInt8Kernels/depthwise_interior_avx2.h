// The AVX2 interior of the channels-last depthwise kernel (private to CInt8Kernels).
#ifndef EF_DEPTHWISE_INTERIOR_AVX2_H
#define EF_DEPTHWISE_INTERIOR_AVX2_H

#include "ef_qu8_depthwise.h"

/// Writes the accumulators of channels 0 ..< C rounded down to 8 for output pixels lo ..< hi of
/// one output row whose taps all lie inside the input (its first tap row at input depth `id`,
/// height `ih`); `out_row` is the row's first pixel. Returns 0 and writes nothing when C < 8 or
/// the kernel has more than 128 taps. Only on a CPU with AVX2.
int ef_depthwise_interior_avx2(const uint8_t *x, const int8_t *w, int32_t *out_row, const ef_depthwise_geometry *g,
                               int64_t id, int64_t ih, int64_t lo, int64_t hi);

#endif

// The AVX2 rows of the channels-last depthwise kernel (private to CInt8Kernels).
#ifndef EF_DEPTHWISE_ROWS_AVX2_H
#define EF_DEPTHWISE_ROWS_AVX2_H

#include "ef_qu8_depthwise.h"

/// Writes the accumulators of channels 0 ..< C rounded down to 8 for output pixels lo ..< hi
/// (whose taps along the width all lie inside) of output row (od, oh); `out_row` is the row's
/// first pixel. `rows_inside`: every kernel row lies inside the input; otherwise taps in the
/// padding read the zero point. Returns 0 and writes nothing when C < 8, the kernel has more than
/// 128 taps, or C is not a multiple of 8 in a row that is not inside. Only on a CPU with AVX2.
int ef_depthwise_row_avx2(const uint8_t *x, const int8_t *w, int32_t *out_row, const ef_depthwise_geometry *g,
                          int64_t od, int64_t oh, int64_t lo, int64_t hi, int rows_inside);

#endif

// The exact depthwise u8 · s8 → s32 convolution (one input channel per output channel) as plain
// C loops the compiler vectorizes, built twice (the x86-64 baseline and AVX2);
// `ef_qu8s8_s32_depthwise` picks the one this CPU runs. Integer arithmetic: both give the same sums.
#ifndef EF_QU8_DEPTHWISE_H
#define EF_QU8_DEPTHWISE_H

#include <stddef.h>
#include <stdint.h>

/// A depthwise window over up to 3 spatial dims (unused leading dims have size 1, kernel 1).
typedef struct {
    int64_t channels;
    int64_t input[3];     ///< input depth, height, width
    int64_t output[3];    ///< output depth, height, width
    int64_t kernel[3];
    int64_t strides[3];
    int64_t dilations[3];
    int64_t pad_begin[3];
    /// x and acc are [pixels, channels] (channels last) when nonzero, else [channels, pixels].
    int channels_last;
    /// The input zero point: the value a tap reads in the padding.
    uint8_t fill;
} ef_depthwise_geometry;

/// acc[c, p] = Σ_taps x[c, p's tap] · w[tap, c] (wrapping int32) for the work units
/// unit_begin ..< unit_end, x and acc in the layout `channels_last` names; w is int8
/// [taps, channels] with taps in (kd, kh, kw) order. A unit is a channel (all its output pixels)
/// when channels first, an output row (od · output height + oh: all its pixels and channels)
/// when channels last; `ef_depthwise_units` counts them. `acc` points at unit_begin's first
/// accumulator (so a block of units can go to a small buffer); every element of the units is written.
void ef_qu8s8_s32_depthwise(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                            int64_t unit_begin, int64_t unit_end);

/// The work units of `g`: channels (channels first) or output depth · height rows (channels last).
int64_t ef_depthwise_units(const ef_depthwise_geometry *g);

/// The baseline build of `ef_qu8s8_s32_depthwise` (any x86-64 CPU).
void ef_qu8s8_s32_depthwise_baseline(const uint8_t *x, const int8_t *w, int32_t *acc,
                                     const ef_depthwise_geometry *g, int64_t unit_begin, int64_t unit_end);

/// The AVX2 build of `ef_qu8s8_s32_depthwise`: only on a CPU with AVX2.
void ef_qu8s8_s32_depthwise_avx2(const uint8_t *x, const int8_t *w, int32_t *acc, const ef_depthwise_geometry *g,
                                 int64_t unit_begin, int64_t unit_end);

#endif

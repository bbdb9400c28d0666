// What both builds of the passes share: the rounding start, Pillow's clip8 and one output
// pixel of the horizontal pass computed tap by tap (the baseline, and the AVX2 build's pixels
// whose vector loads would read past the image).
#ifndef EF_RESAMPLE_COMMON_H
#define EF_RESAMPLE_COMMON_H

#include <stdint.h>

#define EF_RESAMPLE_BITS 22
#define EF_RESAMPLE_HALF (1u << (EF_RESAMPLE_BITS - 1))

/// Pillow's clip8: drop the fraction bits (arithmetic shift of the int32 sum), clamp to a byte.
static inline uint8_t ef_resample_clip8(uint32_t sum) {
    const int32_t v = (int32_t)sum >> EF_RESAMPLE_BITS;
    return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/// dst[ch] = clip8(half + Σ_t p[t · channels + ch] · k[t]) for every channel.
static inline void ef_resample_pixel(const uint8_t *p, int64_t channels, const int32_t *k, int64_t n, uint8_t *dst) {
    if (channels == 3) {
        uint32_t r = EF_RESAMPLE_HALF, g = EF_RESAMPLE_HALF, b = EF_RESAMPLE_HALF;
        for (int64_t t = 0; t < n; t++, p += 3) {
            const uint32_t w = (uint32_t)k[t];
            r += (uint32_t)p[0] * w;
            g += (uint32_t)p[1] * w;
            b += (uint32_t)p[2] * w;
        }
        dst[0] = ef_resample_clip8(r);
        dst[1] = ef_resample_clip8(g);
        dst[2] = ef_resample_clip8(b);
        return;
    }
    for (int64_t ch = 0; ch < channels; ch++) {
        uint32_t sum = EF_RESAMPLE_HALF;
        for (int64_t t = 0; t < n; t++) sum += (uint32_t)p[t * channels + ch] * (uint32_t)k[t];
        dst[ch] = ef_resample_clip8(sum);
    }
}

#endif

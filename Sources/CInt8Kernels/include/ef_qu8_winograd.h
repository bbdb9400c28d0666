// The exact int8 3×3 convolution by Winograd's F(m×m, 3×3), m = 2, 3 or 4, on AVX2: (m + 2)²
// multiplications per m×m output pixels and channel pair instead of 9m², with every transform
// in integers, so the int32 sums are the direct convolution's bit for bit (the proof is in
// qu8_winograd_avx2.c). Channels-last u8 input, 3×3 kernel, stride 1, dilation 1, one group;
// the caller checks the CPU has AVX2 and that `ef_qu8_winograd_fits` holds.
#ifndef EF_QU8_WINOGRAD_H
#define EF_QU8_WINOGRAD_H

#include <stddef.h>
#include <stdint.h>

/// A 2-D stride-1 3×3 window over a channels-last image [height, width, channels].
typedef struct {
    int64_t channels;       ///< input channels C
    int64_t out_channels;   ///< output channels M
    int64_t input[2];       ///< input height, width
    int64_t output[2];      ///< output height, width
    int64_t pad_begin[2];   ///< padding above, left of the input
    int64_t tile;           ///< m: output pixels per tile side (2, 3 or 4)
    uint8_t fill;           ///< the input zero point: what the padding reads
} ef_winograd_geometry;

/// Whether F(tile×tile, 3×3) stays exact for `channels` input channels: the direct sums times
/// 2^s (s = 2 for tiles 2 and 3, 6 for tile 4) must stay below 2^31, 9 · C · 255 · 128 · 2^s:
/// C ≤ 1827 for tiles 2 and 3, C ≤ 114 for tile 4.
int ef_qu8_winograd_fits(int64_t channels, int64_t tile);

/// int32 values `ef_qu8_winograd_pack` writes for C input and M output channels.
size_t ef_qu8_winograd_packed_count(int64_t channels, int64_t out_channels, int64_t tile);

/// Transforms s8 weights [M, C, 3, 3] into the (m + 2)² int16 matrices U_ξ (|U| ≤ 7² · 128),
/// packed per ξ as the GEMM micro-kernel reads them: blocks of 8 output channels, each ⌈C/2⌉
/// int32 lanes per channel holding input channels 2p (low half) and 2p + 1.
void ef_qu8_winograd_pack(const int8_t *weights, int64_t channels, int64_t out_channels, int64_t tile,
                          int32_t *packed);

/// Scratch bytes one call needs (the transformed input of 6 tiles and their products).
size_t ef_qu8_winograd_scratch_bytes(int64_t channels, int64_t tile);

/// acc[p − pixel_base, m] = Σ_{c, taps} x[p's tap, c] · w[m, c, tap] (wrapping int32, padding
/// reads `fill`) for every output pixel p of tiles tile_begin ..< tile_end (m×m output pixels
/// each, row by row: ⌈H_out/m⌉ · ⌈W_out/m⌉ of them); p = oy · W_out + ox.
/// `packed` comes from `ef_qu8_winograd_pack` with the same tile; `scratch` holds
/// `ef_qu8_winograd_scratch_bytes` (32-byte aligned). Requires AVX2.
void ef_qu8_winograd_avx2(const uint8_t *x, const int32_t *packed, const ef_winograd_geometry *g,
                          int64_t tile_begin, int64_t tile_end, int32_t *acc, int64_t pixel_base, void *scratch);

#endif

// The int8 F(2×2, 3×3) Winograd convolution for AVX2 (include/ef_qu8_winograd.h).
//
// Why it is exact. Lavin's identity Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A holds over the rationals for
// every 4×4 input patch d and 3×3 kernel g (cross-correlation, as ONNX convs are). G has halves;
// G' = 2G is integer, so U = G' g G'ᵀ = 4·G g Gᵀ and the same products give 4Y, all in integers:
// V = Bᵀ d B has |V| ≤ 4 · 255 (each entry is ±d over four pixels), |U| ≤ 9 · 128, both fit
// int16, so vpmaddwd multiplies two pairs exactly and the int32 sums over channels and the
// output transform are additions and subtractions. Those wrap modulo 2^32, but the true result
// 4Y is an integer with |4Y| ≤ 4 · 9 · C · 255 · 128 < 2^31 (`ef_qu8_winograd_fits`), so the
// wrapped int32 is 4Y itself and an arithmetic shift by 2 gives Y, the direct sum, bit for bit.
// Padding reads the zero point, as the im2col does, so the zero-point term is the caller's as before.
//
// Work, per group of 6 tiles: transform their input (all channels, 16 at a time as int16), then
// per 16 output channels the 16 products ξ (a 6 × 16 GEMM tile over ⌈C/2⌉ channel pairs each,
// the layout of qu8_gemm_avx2.c), then the output transform into the tiles' 2×2 pixels.

#include "ef_qu8_winograd.h"

#include <immintrin.h>
#include <string.h>

enum { kTiles = 6, kPoints = 16 };

static int64_t pairs_of(int64_t channels) { return (channels + 1) / 2; }

/// A transformed input row's length in channel pairs: whole groups of 16 channels.
static int64_t row_pairs_of(int64_t channels) { return (channels + 15) / 16 * 8; }

int ef_qu8_winograd_fits(int64_t channels) {
    return channels > 0 && channels < ((int64_t)1 << 20) && 4 * 9 * channels * 255 * 128 < ((int64_t)1 << 31);
}

size_t ef_qu8_winograd_packed_count(int64_t channels, int64_t out_channels) {
    return (size_t)(kPoints * ((out_channels + 7) / 8) * pairs_of(channels) * 8);
}

size_t ef_qu8_winograd_scratch_bytes(int64_t channels) {
    return (size_t)(kPoints * kTiles * row_pairs_of(channels) * 4 + kPoints * kTiles * 16 * 4);
}

int64_t ef_qu8_winograd_tiles(const ef_winograd_geometry *g) {
    return ((g->output[0] + 1) / 2) * ((g->output[1] + 1) / 2);
}

void ef_qu8_winograd_pack(const int8_t *weights, int64_t channels, int64_t out_channels, int32_t *packed) {
    static const int32_t g2[4][3] = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};
    const int64_t pairs = pairs_of(channels), blocks = (out_channels + 7) / 8;
    memset(packed, 0, ef_qu8_winograd_packed_count(channels, out_channels) * sizeof(int32_t));
    uint16_t *halves = (uint16_t *)packed;  // little endian: channel 2p in the low half of its lane
    for (int64_t m = 0; m < out_channels; m++) {
        for (int64_t c = 0; c < channels; c++) {
            const int8_t *g = weights + (m * channels + c) * 9;
            int32_t rows[4][3];  // G' g
            for (int i = 0; i < 4; i++)
                for (int v = 0; v < 3; v++) rows[i][v] = g2[i][0] * g[v] + g2[i][1] * g[3 + v] + g2[i][2] * g[6 + v];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    int32_t u = rows[i][0] * g2[j][0] + rows[i][1] * g2[j][1] + rows[i][2] * g2[j][2];
                    size_t lane = ((size_t)((i * 4 + j) * blocks + m / 8) * pairs + c / 2) * 8 + m % 8;
                    halves[2 * lane + c % 2] = (uint16_t)(int16_t)u;
                }
            }
        }
    }
}

/// V = Bᵀ d B of the 4×4 input patch at (iy0, ix0), all channels, as int16: point ξ at
/// v + ξ · point_stride (int16 units), channel c at index c.
__attribute__((target("avx2")))
static void transform_input(const uint8_t *x, const ef_winograd_geometry *g, int64_t iy0, int64_t ix0, int16_t *v,
                            size_t point_stride) {
    const int64_t channels = g->channels, height = g->input[0], width = g->input[1];
    const __m256i fill = _mm256_set1_epi16(g->fill);
    for (int64_t c0 = 0; c0 < channels; c0 += 16) {
        const int64_t n = channels - c0 < 16 ? channels - c0 : 16;
        __m256i t[4][4];
        for (int s = 0; s < 4; s++) {  // column s of the patch, then its rows Bᵀ d
            __m256i d[4];
            for (int r = 0; r < 4; r++) {
                const int64_t iy = iy0 + r, ix = ix0 + s;
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
                    d[r] = fill;
                    continue;
                }
                const uint8_t *at = x + (iy * width + ix) * channels + c0;
                __m128i bytes;
                if (n == 16) {
                    bytes = _mm_loadu_si128((const __m128i *)at);
                } else {
                    uint8_t part[16] = {0};
                    memcpy(part, at, (size_t)n);
                    bytes = _mm_loadu_si128((const __m128i *)part);
                }
                d[r] = _mm256_cvtepu8_epi16(bytes);
            }
            t[0][s] = _mm256_sub_epi16(d[0], d[2]);
            t[1][s] = _mm256_add_epi16(d[1], d[2]);
            t[2][s] = _mm256_sub_epi16(d[2], d[1]);
            t[3][s] = _mm256_sub_epi16(d[1], d[3]);
        }
        for (int i = 0; i < 4; i++) {  // then (Bᵀ d) B along each row
            int16_t *row = v + (size_t)(i * 4) * point_stride + c0;
            _mm256_storeu_si256((__m256i *)row, _mm256_sub_epi16(t[i][0], t[i][2]));
            _mm256_storeu_si256((__m256i *)(row + point_stride), _mm256_add_epi16(t[i][1], t[i][2]));
            _mm256_storeu_si256((__m256i *)(row + 2 * point_stride), _mm256_sub_epi16(t[i][2], t[i][1]));
            _mm256_storeu_si256((__m256i *)(row + 3 * point_stride), _mm256_sub_epi16(t[i][1], t[i][3]));
        }
    }
}

#define EF_WINOGRAD_STEP(r)                                                                     \
    do {                                                                                        \
        __m256i a = _mm256_set1_epi32((int32_t)v[(r) * row_pairs + p]);                         \
        acc[2 * (r)] = _mm256_add_epi32(acc[2 * (r)], _mm256_madd_epi16(a, w0));                \
        if (width == 2) acc[2 * (r) + 1] = _mm256_add_epi32(acc[2 * (r) + 1], _mm256_madd_epi16(a, w1)); \
    } while (0)

/// One point's 6 tiles × (8 · width) output channels over all channel pairs, stored to m_point
/// (tile t's 16 values at m_point + 16 t).
__attribute__((target("avx2")))
static inline void point_product(const uint32_t *v, size_t row_pairs, size_t pairs, const int32_t *b0,
                                 const int32_t *b1, int width, int32_t *m_point) {
    __m256i acc[2 * kTiles];
    for (int i = 0; i < 2 * kTiles; i++) acc[i] = _mm256_setzero_si256();
    for (size_t p = 0; p < pairs; p++) {
        __m256i w0 = _mm256_loadu_si256((const __m256i *)(b0 + 8 * p));
        __m256i w1 = width == 2 ? _mm256_loadu_si256((const __m256i *)(b1 + 8 * p)) : w0;
        EF_WINOGRAD_STEP(0); EF_WINOGRAD_STEP(1); EF_WINOGRAD_STEP(2);
        EF_WINOGRAD_STEP(3); EF_WINOGRAD_STEP(4); EF_WINOGRAD_STEP(5);
    }
    for (int t = 0; t < kTiles; t++) {
        _mm256_storeu_si256((__m256i *)(m_point + 16 * t), acc[2 * t]);
        if (width == 2) _mm256_storeu_si256((__m256i *)(m_point + 16 * t + 8), acc[2 * t + 1]);
    }
}

/// The two widths as separate functions, so each inlines with a constant width.
__attribute__((target("avx2")))
static void point_product16(const uint32_t *v, size_t row_pairs, size_t pairs, const int32_t *b0, const int32_t *b1,
                            int32_t *m_point) {
    point_product(v, row_pairs, pairs, b0, b1, 2, m_point);
}

__attribute__((target("avx2")))
static void point_product8(const uint32_t *v, size_t row_pairs, size_t pairs, const int32_t *b0, int32_t *m_point) {
    point_product(v, row_pairs, pairs, b0, b0, 1, m_point);
}

/// Y = (Aᵀ M A) / 4 for tiles first ..< first + rows and output channels column ..< column +
/// columns (≤ 16), written to acc at the tiles' pixels inside the output.
__attribute__((target("avx2")))
static void transform_output(const int32_t *m, const ef_winograd_geometry *g, int64_t first, int rows,
                             int64_t column, int64_t columns, int32_t *acc, int64_t pixel_base) {
    const int64_t height = g->output[0], width = g->output[1], across = (width + 1) / 2, out = g->out_channels;
    for (int t = 0; t < rows; t++) {
        const int64_t ty = (first + t) / across, tx = (first + t) % across;
        for (int64_t h = 0; 8 * h < columns; h++) {
            __m256i s[4][2];
            for (int i = 0; i < 4; i++) {  // M A along each row
                const int32_t *row = m + ((size_t)(i * 4) * kTiles + (size_t)t) * 16 + 8 * h;
                __m256i m0 = _mm256_loadu_si256((const __m256i *)row);
                __m256i m1 = _mm256_loadu_si256((const __m256i *)(row + kTiles * 16));
                __m256i m2 = _mm256_loadu_si256((const __m256i *)(row + 2 * kTiles * 16));
                __m256i m3 = _mm256_loadu_si256((const __m256i *)(row + 3 * kTiles * 16));
                s[i][0] = _mm256_add_epi32(_mm256_add_epi32(m0, m1), m2);
                s[i][1] = _mm256_sub_epi32(_mm256_sub_epi32(m1, m2), m3);
            }
            const int64_t lanes = columns - 8 * h < 8 ? columns - 8 * h : 8;
            for (int b = 0; b < 2; b++) {  // then Aᵀ (M A) down each column, / 4
                __m256i y[2] = {
                    _mm256_srai_epi32(_mm256_add_epi32(_mm256_add_epi32(s[0][b], s[1][b]), s[2][b]), 2),
                    _mm256_srai_epi32(_mm256_sub_epi32(_mm256_sub_epi32(s[1][b], s[2][b]), s[3][b]), 2),
                };
                const int64_t ox = 2 * tx + b;
                for (int a = 0; a < 2; a++) {
                    const int64_t oy = 2 * ty + a;
                    if (oy >= height || ox >= width) continue;
                    int32_t *target = acc + (oy * width + ox - pixel_base) * out + column + 8 * h;
                    if (lanes == 8) {
                        _mm256_storeu_si256((__m256i *)target, y[a]);
                    } else {
                        int32_t values[8];
                        _mm256_storeu_si256((__m256i *)values, y[a]);
                        memcpy(target, values, (size_t)lanes * sizeof(int32_t));
                    }
                }
            }
        }
    }
}

__attribute__((target("avx2")))
void ef_qu8_winograd_avx2(const uint8_t *x, const int32_t *packed, const ef_winograd_geometry *g,
                          int64_t tile_begin, int64_t tile_end, int32_t *acc, int64_t pixel_base, void *scratch) {
    const int64_t channels = g->channels, out = g->out_channels, across = (g->output[1] + 1) / 2;
    const size_t pairs = (size_t)pairs_of(channels), row_pairs = (size_t)row_pairs_of(channels);
    const int64_t blocks = (out + 7) / 8;
    uint32_t *v = (uint32_t *)scratch;                         // [ξ][tile][row_pairs]
    int32_t *m = (int32_t *)(v + kPoints * kTiles * row_pairs);  // [ξ][tile][16]
    for (int64_t first = tile_begin; first < tile_end; first += kTiles) {
        const int rows = tile_end - first < kTiles ? (int)(tile_end - first) : kTiles;
        for (int t = 0; t < kTiles; t++) {
            if (t < rows) {
                const int64_t tile = first + t;
                transform_input(x, g, 2 * (tile / across) - g->pad_begin[0], 2 * (tile % across) - g->pad_begin[1],
                                (int16_t *)(v + t * row_pairs), 2 * kTiles * row_pairs);
            } else {  // rows past the last tile multiply zeros; their results are not written
                for (int p = 0; p < kPoints; p++) memset(v + (p * kTiles + t) * row_pairs, 0, row_pairs * 4);
            }
        }
        for (int64_t block = 0; block < blocks;) {
            const int width = block + 1 < blocks ? 2 : 1;
            for (int p = 0; p < kPoints; p++) {
                const int32_t *b0 = packed + ((size_t)(p * blocks + block) * pairs) * 8;
                const uint32_t *vp = v + p * kTiles * row_pairs;
                if (width == 2) point_product16(vp, row_pairs, pairs, b0, b0 + pairs * 8, m + p * kTiles * 16);
                else point_product8(vp, row_pairs, pairs, b0, m + p * kTiles * 16);
            }
            const int64_t column = block * 8, columns = out - column < 8 * width ? out - column : 8 * width;
            transform_output(m, g, first, rows, column, columns, acc, pixel_base);
            block += width;
        }
    }
}

// The int8 F(m×m, 3×3) Winograd convolutions for AVX2, m = 2, 3, 4 (include/ef_qu8_winograd.h).
//
// Why they are exact. Lavin's identity Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A holds over the rationals for
// every (m + 2)² input patch d and 3×3 kernel g (cross-correlation, as ONNX convs are), with the
// interpolation points 0, 1, −1 (and 2, −2) and ∞. Bᵀ is integer. G is not, so each of its rows
// i is scaled by the least integer D_i that makes it integer (GS = D G), and Aᵀ's columns by
// L / D_i (AS = Aᵀ · L · D⁻¹, integer, L = lcm D; for m = 2 Lavin's GS = 2G, AS = Aᵀ, which
// is the same with L = 2 and fewer shifts). Then U = GS g GSᵀ and V = Bᵀ d B are
// integers that fit int16 (|V| ≤ 255 · (max row sum |Bᵀ|)² ≤ 25,500, |U| ≤ 128 · 7² = 6,272),
// `vpmaddwd` multiplies two channel pairs exactly (2 · 25,500 · 6,272 < 2^31), and
// Z = AS (U ⊙ V summed over channels) ASᵀ = L² · Y exactly, computed with int32 additions that
// wrap modulo 2^32. Write L² = 2^s · q with q odd (L = 2, 6, 24: s = 2, 2, 6; q = 1, 9, 9):
// Z · q⁻¹ (the inverse of q modulo 2^32, one wrapping multiply) ≡ 2^s · Y, and since the
// direct sum obeys |Y| ≤ 9 · C · 255 · 128, 2^s · Y lies inside int32 when
// `ef_qu8_winograd_fits` holds, so it is that int32 and an arithmetic shift by s gives Y, bit for
// bit. Padding reads the zero point, as the im2col does, so the zero-point term is the caller's.
// (tools/winograd_tables.py derives the tables and checks the identity and the bounds.)
//
// Work, per group of 6 tiles: transform their input (all channels, 16 at a time as int16), then
// per 16 output channels the (m + 2)² point products as 6 × 16 GEMM tiles over the channel pairs
// (the layout of qu8_gemm_avx2.c), then the output transform into the tiles' m×m pixels.

#include "ef_qu8_winograd.h"

#include <immintrin.h>
#include <string.h>

enum { kTiles = 6 };

/// One F(m×m, 3×3): n = m + 2 points per side; see the proof above for the tables.
typedef struct {
    int m, n, shift;
    uint32_t inverse;   ///< q⁻¹ modulo 2^32
    int8_t bt[6][6];    ///< Bᵀ, n × n
    int8_t gs[6][3];    ///< GS, n × 3
    int8_t as[4][6];    ///< AS, m × n
} variant;

static const variant kVariants[3] = {
    {2, 4, 2, 1u, {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},  // GS = 2G here: AS is Aᵀ
     {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}}, {{1, 1, 1, 0}, {0, 1, -1, -1}}},
    {3, 5, 2, 0x38e38e39u,
     {{2, -1, -2, 1, 0}, {0, -2, -1, 1, 0}, {0, 2, -3, 1, 0}, {0, -1, 0, 1, 0}, {0, 2, -1, -2, 1}},
     {{1, 0, 0}, {-1, -1, -1}, {-1, 1, -1}, {1, 2, 4}, {0, 0, 1}},
     {{3, 3, 1, 1, 0}, {0, 3, -1, 2, 0}, {0, 3, 1, 4, 6}}},
    {4, 6, 6, 0x38e38e39u,
     {{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0},
      {0, 4, 0, -5, 0, 1}},
     {{1, 0, 0}, {-1, -1, -1}, {-1, 1, -1}, {1, 2, 4}, {1, -2, 4}, {0, 0, 1}},
     {{6, 4, 4, 1, 1, 0}, {0, 4, -4, 2, -2, 0}, {0, 4, 4, 4, 4, 0}, {0, 4, -4, 8, -8, 24}}},
};

static const variant *variant_of(int64_t tile) { return tile >= 2 && tile <= 4 ? &kVariants[tile - 2] : 0; }

static int64_t pairs_of(int64_t channels) { return (channels + 1) / 2; }

/// A transformed input row's length in channel pairs: whole groups of 16 channels.
static int64_t row_pairs_of(int64_t channels) { return (channels + 15) / 16 * 8; }

int ef_qu8_winograd_fits(int64_t channels, int64_t tile) {
    const variant *v = variant_of(tile);
    return v && channels > 0 && channels < ((int64_t)1 << 20)
        && (9 * channels * 255 * 128 << v->shift) < ((int64_t)1 << 31);
}

size_t ef_qu8_winograd_packed_count(int64_t channels, int64_t out_channels, int64_t tile) {
    const variant *v = variant_of(tile);
    return v ? (size_t)(v->n * v->n * ((out_channels + 7) / 8) * pairs_of(channels) * 8) : 0;
}

size_t ef_qu8_winograd_scratch_bytes(int64_t channels, int64_t tile) {
    const variant *v = variant_of(tile);
    return v ? (size_t)(v->n * v->n * kTiles * (row_pairs_of(channels) + 16) * 4) : 0;
}

void ef_qu8_winograd_pack(const int8_t *weights, int64_t channels, int64_t out_channels, int64_t tile,
                          int32_t *packed) {
    const variant *v = variant_of(tile);
    if (!v) return;
    const int n = v->n;
    const int64_t pairs = pairs_of(channels), blocks = (out_channels + 7) / 8;
    memset(packed, 0, ef_qu8_winograd_packed_count(channels, out_channels, tile) * sizeof(int32_t));
    uint16_t *halves = (uint16_t *)packed;  // little endian: channel 2p in the low half of its lane
    for (int64_t m = 0; m < out_channels; m++) {
        for (int64_t c = 0; c < channels; c++) {
            const int8_t *g = weights + (m * channels + c) * 9;
            int32_t rows[6][3];  // GS g
            for (int i = 0; i < n; i++)
                for (int k = 0; k < 3; k++)
                    rows[i][k] = v->gs[i][0] * g[k] + v->gs[i][1] * g[3 + k] + v->gs[i][2] * g[6 + k];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int32_t u = rows[i][0] * v->gs[j][0] + rows[i][1] * v->gs[j][1] + rows[i][2] * v->gs[j][2];
                    size_t lane = ((size_t)((i * n + j) * blocks + m / 8) * pairs + c / 2) * 8 + m % 8;
                    halves[2 * lane + c % 2] = (uint16_t)(int16_t)u;
                }
            }
        }
    }
}

#define EF_WINOGRAD_INLINE static inline __attribute__((always_inline, target("avx2")))

/// sum + c · d in int16 lanes for the small constants of Bᵀ (shifts and adds, no multiply pipe).
EF_WINOGRAD_INLINE __m256i term16(__m256i sum, __m256i d, int c) {
    const int a = c < 0 ? -c : c;
    __m256i p;
    switch (a) {
    case 0: return sum;
    case 1: p = d; break;
    case 2: p = _mm256_add_epi16(d, d); break;
    case 3: p = _mm256_add_epi16(_mm256_add_epi16(d, d), d); break;
    case 4: p = _mm256_slli_epi16(d, 2); break;
    case 5: p = _mm256_add_epi16(_mm256_slli_epi16(d, 2), d); break;
    default: p = _mm256_mullo_epi16(d, _mm256_set1_epi16((short)a)); break;
    }
    return c < 0 ? _mm256_sub_epi16(sum, p) : _mm256_add_epi16(sum, p);
}

/// sum + c · d in wrapping int32 lanes for the constants of AS.
EF_WINOGRAD_INLINE __m256i term32(__m256i sum, __m256i d, int c) {
    const int a = c < 0 ? -c : c;
    __m256i p;
    switch (a) {
    case 0: return sum;
    case 1: p = d; break;
    case 2: p = _mm256_slli_epi32(d, 1); break;
    case 3: p = _mm256_add_epi32(_mm256_slli_epi32(d, 1), d); break;
    case 4: p = _mm256_slli_epi32(d, 2); break;
    case 6: p = _mm256_add_epi32(_mm256_slli_epi32(d, 2), _mm256_slli_epi32(d, 1)); break;
    case 8: p = _mm256_slli_epi32(d, 3); break;
    case 24: p = _mm256_add_epi32(_mm256_slli_epi32(d, 4), _mm256_slli_epi32(d, 3)); break;
    default: p = _mm256_mullo_epi32(d, _mm256_set1_epi32(a)); break;
    }
    return c < 0 ? _mm256_sub_epi32(sum, p) : _mm256_add_epi32(sum, p);
}

/// V = Bᵀ d B of the n × n input patch at (iy0, ix0), all channels, as int16: point ξ = i · n + j
/// at out + ξ · point_stride (int16 units), channel c at index c.
EF_WINOGRAD_INLINE void transform_input(const variant *v, const uint8_t *x, const ef_winograd_geometry *g,
                                        int64_t iy0, int64_t ix0, int16_t *out, size_t point_stride) {
    const int n = v->n;
    const int64_t channels = g->channels, height = g->input[0], width = g->input[1];
    const __m256i fill = _mm256_set1_epi16(g->fill), zero = _mm256_setzero_si256();
    for (int64_t c0 = 0; c0 < channels; c0 += 16) {
        const int64_t count = channels - c0 < 16 ? channels - c0 : 16;
        __m256i t[6][6];
#pragma clang loop unroll(full)
        for (int s = 0; s < n; s++) {  // column s of the patch, then Bᵀ d down it
            __m256i d[6];
#pragma clang loop unroll(full)
            for (int r = 0; r < n; r++) {
                const int64_t iy = iy0 + r, ix = ix0 + s;
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
                    d[r] = fill;
                    continue;
                }
                const uint8_t *at = x + (iy * width + ix) * channels + c0;
                __m128i bytes;
                if (count == 16) {
                    bytes = _mm_loadu_si128((const __m128i *)at);
                } else {
                    uint8_t part[16] = {0};
                    memcpy(part, at, (size_t)count);
                    bytes = _mm_loadu_si128((const __m128i *)part);
                }
                d[r] = _mm256_cvtepu8_epi16(bytes);
            }
#pragma clang loop unroll(full)
            for (int i = 0; i < n; i++) {
                __m256i sum = zero;
#pragma clang loop unroll(full)
                for (int r = 0; r < n; r++) sum = term16(sum, d[r], v->bt[i][r]);
                t[i][s] = sum;
            }
        }
#pragma clang loop unroll(full)
        for (int i = 0; i < n; i++) {  // then (Bᵀ d) B along each row
#pragma clang loop unroll(full)
            for (int j = 0; j < n; j++) {
                __m256i sum = zero;
#pragma clang loop unroll(full)
                for (int s = 0; s < n; s++) sum = term16(sum, t[i][s], v->bt[j][s]);
                _mm256_storeu_si256((__m256i *)(out + (size_t)(i * n + j) * point_stride + c0), sum);
            }
        }
    }
}

#define EF_WINOGRAD_STEP(r)                                                                     \
    do {                                                                                        \
        __m256i a = _mm256_set1_epi32((int32_t)rows[(r) * row_pairs + p]);                      \
        acc[2 * (r)] = _mm256_add_epi32(acc[2 * (r)], _mm256_madd_epi16(a, w0));                \
        if (width == 2) acc[2 * (r) + 1] = _mm256_add_epi32(acc[2 * (r) + 1], _mm256_madd_epi16(a, w1)); \
    } while (0)

/// One point's 6 tiles × (8 · width) output channels over all channel pairs, stored to m_point
/// (tile t's 16 values at m_point + 16 t).
EF_WINOGRAD_INLINE void point_product(const uint32_t *rows, size_t row_pairs, size_t pairs, const int32_t *b0,
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
static void point_product16(const uint32_t *rows, size_t row_pairs, size_t pairs, const int32_t *b0,
                            const int32_t *b1, int32_t *m_point) {
    point_product(rows, row_pairs, pairs, b0, b1, 2, m_point);
}

__attribute__((target("avx2")))
static void point_product8(const uint32_t *rows, size_t row_pairs, size_t pairs, const int32_t *b0,
                           int32_t *m_point) {
    point_product(rows, row_pairs, pairs, b0, b0, 1, m_point);
}

/// Y = (AS M ASᵀ) · q⁻¹ / 2^s for tiles first ..< first + count and output channels column ..<
/// column + columns (≤ 16), written to acc at the tiles' pixels inside the output.
EF_WINOGRAD_INLINE void transform_output(const variant *v, const int32_t *mbuf, const ef_winograd_geometry *g,
                                         int64_t first, int count, int64_t column, int64_t columns, int32_t *acc,
                                         int64_t pixel_base) {
    const int m = v->m, n = v->n;
    const int64_t height = g->output[0], width = g->output[1], across = (width + m - 1) / m, out = g->out_channels;
    const __m256i zero = _mm256_setzero_si256(), inverse = _mm256_set1_epi32((int32_t)v->inverse);
    for (int t = 0; t < count; t++) {
        const int64_t ty = (first + t) / across, tx = (first + t) % across;
        for (int64_t h = 0; 8 * h < columns; h++) {
            __m256i s[6][4];
#pragma clang loop unroll(full)
            for (int i = 0; i < n; i++) {  // M ASᵀ along each row
                __m256i row[6];
#pragma clang loop unroll(full)
                for (int j = 0; j < n; j++) {
                    const int32_t *point = mbuf + ((size_t)(i * n + j) * kTiles + t) * 16 + 8 * h;
                    row[j] = _mm256_loadu_si256((const __m256i *)point);
                }
#pragma clang loop unroll(full)
                for (int b = 0; b < m; b++) {
                    __m256i sum = zero;
#pragma clang loop unroll(full)
                    for (int j = 0; j < n; j++) sum = term32(sum, row[j], v->as[b][j]);
                    s[i][b] = sum;
                }
            }
            const int64_t lanes = columns - 8 * h < 8 ? columns - 8 * h : 8;
#pragma clang loop unroll(full)
            for (int a = 0; a < m; a++) {  // then AS down each column, · q⁻¹, / 2^s
                const int64_t oy = m * ty + a;
#pragma clang loop unroll(full)
                for (int b = 0; b < m; b++) {
                    const int64_t ox = m * tx + b;
                    if (oy >= height || ox >= width) continue;
                    __m256i z = zero;
#pragma clang loop unroll(full)
                    for (int i = 0; i < n; i++) z = term32(z, s[i][b], v->as[a][i]);
                    if (v->inverse != 1u) z = _mm256_mullo_epi32(z, inverse);
                    z = _mm256_srai_epi32(z, v->shift);
                    int32_t *target = acc + (oy * width + ox - pixel_base) * out + column + 8 * h;
                    if (lanes == 8) {
                        _mm256_storeu_si256((__m256i *)target, z);
                    } else {
                        int32_t values[8];
                        _mm256_storeu_si256((__m256i *)values, z);
                        memcpy(target, values, (size_t)lanes * sizeof(int32_t));
                    }
                }
            }
        }
    }
}

/// The whole call for one variant (inlined per variant, so its tables become constants).
EF_WINOGRAD_INLINE void run(const variant *v, const uint8_t *x, const int32_t *packed, const ef_winograd_geometry *g,
                            int64_t tile_begin, int64_t tile_end, int32_t *acc, int64_t pixel_base, void *scratch) {
    const int m = v->m, points = v->n * v->n;
    const int64_t channels = g->channels, out = g->out_channels, across = (g->output[1] + m - 1) / m;
    const size_t pairs = (size_t)pairs_of(channels), row_pairs = (size_t)row_pairs_of(channels);
    const int64_t blocks = (out + 7) / 8;
    uint32_t *vbuf = (uint32_t *)scratch;                              // [ξ][tile][row_pairs]
    int32_t *mbuf = (int32_t *)(vbuf + (size_t)points * kTiles * row_pairs);  // [ξ][tile][16]
    for (int64_t first = tile_begin; first < tile_end; first += kTiles) {
        const int count = tile_end - first < kTiles ? (int)(tile_end - first) : kTiles;
        for (int t = 0; t < kTiles; t++) {
            if (t < count) {
                const int64_t tile = first + t;
                transform_input(v, x, g, m * (tile / across) - g->pad_begin[0], m * (tile % across) - g->pad_begin[1],
                                (int16_t *)(vbuf + t * row_pairs), 2 * kTiles * row_pairs);
            } else {  // rows past the last tile multiply zeros; their results are not written
                for (int p = 0; p < points; p++) {
                    memset(vbuf + ((size_t)p * kTiles + t) * row_pairs, 0, row_pairs * 4);
                }
            }
        }
        for (int64_t block = 0; block < blocks;) {
            const int width = block + 1 < blocks ? 2 : 1;
            for (int p = 0; p < points; p++) {
                const int32_t *b0 = packed + ((size_t)(p * blocks + block) * pairs) * 8;
                const uint32_t *rows = vbuf + (size_t)p * kTiles * row_pairs;
                int32_t *m_point = mbuf + (size_t)p * kTiles * 16;
                if (width == 2) point_product16(rows, row_pairs, pairs, b0, b0 + pairs * 8, m_point);
                else point_product8(rows, row_pairs, pairs, b0, m_point);
            }
            const int64_t column = block * 8, columns = out - column < 8 * width ? out - column : 8 * width;
            transform_output(v, mbuf, g, first, count, column, columns, acc, pixel_base);
            block += width;
        }
    }
}

__attribute__((target("avx2")))
static void run2(const uint8_t *x, const int32_t *packed, const ef_winograd_geometry *g, int64_t tile_begin,
                 int64_t tile_end, int32_t *acc, int64_t pixel_base, void *scratch) {
    run(&kVariants[0], x, packed, g, tile_begin, tile_end, acc, pixel_base, scratch);
}

__attribute__((target("avx2")))
static void run3(const uint8_t *x, const int32_t *packed, const ef_winograd_geometry *g, int64_t tile_begin,
                 int64_t tile_end, int32_t *acc, int64_t pixel_base, void *scratch) {
    run(&kVariants[1], x, packed, g, tile_begin, tile_end, acc, pixel_base, scratch);
}

__attribute__((target("avx2")))
static void run4(const uint8_t *x, const int32_t *packed, const ef_winograd_geometry *g, int64_t tile_begin,
                 int64_t tile_end, int32_t *acc, int64_t pixel_base, void *scratch) {
    run(&kVariants[2], x, packed, g, tile_begin, tile_end, acc, pixel_base, scratch);
}

__attribute__((target("avx2")))
void ef_qu8_winograd_avx2(const uint8_t *x, const int32_t *packed, const ef_winograd_geometry *g,
                          int64_t tile_begin, int64_t tile_end, int32_t *acc, int64_t pixel_base, void *scratch) {
    switch (g->tile) {
    case 2: run2(x, packed, g, tile_begin, tile_end, acc, pixel_base, scratch); break;
    case 3: run3(x, packed, g, tile_begin, tile_end, acc, pixel_base, scratch); break;
    case 4: run4(x, packed, g, tile_begin, tile_end, acc, pixel_base, scratch); break;
    default: break;
    }
}

// The arithmetic ceiling of one core of this CPU, measured: how many u8·s8 multiply-adds per second
// the VNNI dot-product instruction (vpdpbusd) retires when nothing else limits it, at 512 and 256
// bits, beside its 16-bit form, the bf16 dot product, the fp32 FMA and the core clock (a chain of
// dependent 1-cycle integer adds). No model's products can run faster than this; int8_ceiling.py
// sets the peers' measured rates against it. CPUs without VNNI print only the clock and the FMA.
// Build: cc -O2 int8_peak.c -o int8_peak     Usage: int8_peak [SECONDS per measurement]
// Prints one JSON line: clock_ghz, then what the CPU has of vnni512_gmacs, vnni256_evex_gmacs,
// vnni16x512_gmacs (s16 pairs), vnni256_gmacs (AVX-VNNI), bf16dot512_gmacs, fma512_gflops (2 per MAC).
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// One kernel per instruction: 12 independent accumulators (enough to hide a latency of up to 12
// cycles at one instruction per cycle), each round 8 instructions per accumulator = 96, operands
// in registers. The empty asm makes `x` opaque each round so nothing is hoisted or folded; the
// accumulators start different so the compiler cannot merge them; the sum is returned so none is
// dead. VEC: vector type, ACC(i): accumulator i's start, ADD: lane-wise add, SUM: horizontal sum.
#define PEAK_KERNEL(NAME, TARGET, VEC, XVEC, X, Y, ACC, OP, ADD, SUM)                                  \
    __attribute__((target(TARGET), noinline)) static double NAME(long rounds) {                     \
        XVEC x = X, y = Y;                                                                            \
        VEC a[12] = {ACC(0), ACC(1), ACC(2), ACC(3), ACC(4), ACC(5),                                  \
                     ACC(6), ACC(7), ACC(8), ACC(9), ACC(10), ACC(11)};                               \
        for (long r = 0; r < rounds; r++) {                                                           \
            __asm__ volatile("" : "+v"(x));                                                           \
            for (int u = 0; u < 8; u++) {                                                             \
                a[0] = OP(a[0], x, y); a[1] = OP(a[1], x, y); a[2] = OP(a[2], x, y);                  \
                a[3] = OP(a[3], x, y); a[4] = OP(a[4], x, y); a[5] = OP(a[5], x, y);                  \
                a[6] = OP(a[6], x, y); a[7] = OP(a[7], x, y); a[8] = OP(a[8], x, y);                  \
                a[9] = OP(a[9], x, y); a[10] = OP(a[10], x, y); a[11] = OP(a[11], x, y);              \
            }                                                                                         \
        }                                                                                             \
        for (int i = 1; i < 12; i++) a[0] = ADD(a[0], a[i]);                                          \
        return (double)SUM(a[0]);                                                                     \
    }

#define I512(i) _mm512_set1_epi32(i)
#define I256(i) _mm256_set1_epi32(i)
#define F512(i) _mm512_set1_ps((float)(i))
#define LOW256(v) _mm256_extract_epi32(v, 0)

// vpdpbusd zmm: 16 lanes × 4 u8·s8 products = 64 multiply-adds per instruction.
PEAK_KERNEL(vnni512, "avx512f,avx512vnni", __m512i, __m512i, _mm512_set1_epi8(3), _mm512_set1_epi8(-2),
            I512, _mm512_dpbusd_epi32, _mm512_add_epi32, _mm512_reduce_add_epi32)
// vpdpbusd ymm with the EVEX encoding (AVX512-VL): 32 per instruction.
PEAK_KERNEL(vnni256evex, "avx512f,avx512vl,avx512vnni", __m256i, __m256i, _mm256_set1_epi8(3),
            _mm256_set1_epi8(-2), I256, _mm256_dpbusd_epi32, _mm256_add_epi32, LOW256)
// vpdpbusd ymm with the VEX encoding (AVX-VNNI, CPUs with VNNI but no AVX-512): 32 per instruction.
PEAK_KERNEL(vnni256, "avx2,avxvnni", __m256i, __m256i, _mm256_set1_epi8(3), _mm256_set1_epi8(-2),
            I256, _mm256_dpbusd_avx_epi32, _mm256_add_epi32, LOW256)
// vpdpwssd zmm: 16 lanes × 2 s16·s16 products = 32 (int8 arithmetic widened to 16 bits, as the
// transformed operands of an exact integer Winograd convolution need).
PEAK_KERNEL(vnni16x512, "avx512f,avx512vnni", __m512i, __m512i, _mm512_set1_epi16(3), _mm512_set1_epi16(-2),
            I512, _mm512_dpwssd_epi32, _mm512_add_epi32, _mm512_reduce_add_epi32)
// vdpbf16ps zmm: 16 lanes × 2 bf16 products = 32 (the float layers' dot product in bf16).
PEAK_KERNEL(bf16dot512, "avx512f,avx512bf16", __m512, __m512bh, (__m512bh)_mm512_set1_epi16(0x3f80),
            (__m512bh)_mm512_set1_epi16(0x3000), F512, _mm512_dpbf16_ps, _mm512_add_ps, _mm512_reduce_add_ps)
// vfmadd zmm: 16 fp32 multiply-adds = 32 flops per instruction.
#define FMA_ACC(a, x, y) _mm512_fmadd_ps(x, y, a)
PEAK_KERNEL(fma512, "avx512f,fma", __m512, __m512, _mm512_set1_ps(1.0f), _mm512_set1_ps(1e-9f),
            F512, FMA_ACC, _mm512_add_ps, _mm512_reduce_add_ps)

// A chain of dependent 64-bit adds: one per cycle on every x86 core, so adds per second = Hz.
__attribute__((noinline))
static double clock_adds(long rounds) {
    unsigned long v = 1;
    for (long r = 0; r < rounds; r++) {
        __asm__ volatile(
            "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\t"
            "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\t"
            "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\t"
            "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\t" : "+r"(v));
    }
    return (double)v;
}

// Best of five timed repetitions of `rounds` rounds, as operations per second.
static double rate(double (*body)(long), long rounds, double opsPerRound) {
    volatile double sink = body(rounds / 10);
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        sink += body(rounds);
        double r = rounds * opsPerRound / (now() - t0);
        if (r > best) best = r;
    }
    (void)sink;
    return best;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 0.2;
    long rounds = (long)(seconds * 3e7);
    double hz = rate(clock_adds, rounds * 6, 16);
    printf("{\"clock_ghz\": %.3f", hz / 1e9);
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512vnni")) {
        printf(", \"vnni512_gmacs\": %.1f", rate(vnni512, rounds, 96.0 * 64) / 1e9);
        printf(", \"vnni256_evex_gmacs\": %.1f", rate(vnni256evex, rounds, 96.0 * 32) / 1e9);
        printf(", \"vnni16x512_gmacs\": %.1f", rate(vnni16x512, rounds, 96.0 * 32) / 1e9);
    }
    if (__builtin_cpu_supports("avxvnni")) printf(", \"vnni256_gmacs\": %.1f", rate(vnni256, rounds, 96.0 * 32) / 1e9);
    if (__builtin_cpu_supports("avx512bf16"))
        printf(", \"bf16dot512_gmacs\": %.1f", rate(bf16dot512, rounds, 96.0 * 32) / 1e9);
    if (__builtin_cpu_supports("avx512f")) printf(", \"fma512_gflops\": %.1f", rate(fma512, rounds, 96.0 * 32) / 1e9);
    printf("}\n");
    return 0;
}

// One oneDNN conv or matmul timed on this CPU, written once for both C APIs: oneDNN 2.x
// (Debian's libdnnl 2.6: *_desc_init + dnnl_primitive_desc_create, output scales, static zero
// points) and oneDNN 3.x (the PyPI 3.2 wheels: *_primitive_desc_create, per-argument scales and
// zero points passed at execution as DNNL_ARG_ATTR_SCALES / DNNL_ARG_ATTR_ZERO_POINTS).
// Build: cc -O2 -fopenmp bench_dnnl.c -I<include> -L<lib> -ldnnl (compare.py does it for both).
// Usage: bench_dnnl conv|matmul SHAPE MODE THREADS SECONDS
//   conv SHAPE = N,C,H,W,OC,K,STRIDE,PAD   matmul SHAPE = M,K,N
//   MODE = f32 (f32 in/out, f32 bias) | s32 (u8 x s8 -> s32) |
//          u8 (u8 x s8 -> u8, s32 bias, per-output-channel scales) | u8zp (u8 plus src/dst zero points)
// Prints one line: version, effective ISA, implementation, median ms per call, GOP/s (2 x MACs).
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if DNNL_VERSION_MAJOR >= 3
typedef dnnl_memory_desc_t md_t;               // an owned handle
typedef const_dnnl_memory_desc_t cmd_t;
#define MDP(m) (m)
#else
typedef dnnl_memory_desc_t md_t;               // a plain struct
typedef const dnnl_memory_desc_t *cmd_t;
#define MDP(m) (&(m))
#endif

#define CHECK(call) do { dnnl_status_t s_ = (call); if (s_ != dnnl_success) { \
    fprintf(stderr, "%s failed: status %d (line %d)\n", #call, (int)s_, __LINE__); exit(2); } } while (0)

static dnnl_engine_t engine;
static dnnl_exec_arg_t args[16];
static int nargs;

static md_t make_md(int nd, const dnnl_dims_t dims, dnnl_data_type_t dt, dnnl_format_tag_t tag) {
    md_t md;
#if DNNL_VERSION_MAJOR >= 3
    CHECK(dnnl_memory_desc_create_with_tag(&md, nd, dims, dt, tag));
#else
    CHECK(dnnl_memory_desc_init_by_tag(&md, nd, dims, dt, tag));
#endif
    return md;
}

enum fill { ZERO, BYTES, FLOATS };

// Allocates a buffer for `md`, fills it (zeros, small bytes, or floats in [-0.06, 0.06]: never
// denormals, which would slow f32 kernels down) and binds it to argument `arg`.
static dnnl_memory_t bind(int arg, cmd_t md, enum fill fill) {
    size_t bytes = dnnl_memory_desc_get_size(md);
    void *data = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
    unsigned char *p = data;
    for (size_t i = 0; i < bytes; i++) p[i] = fill == BYTES ? (unsigned char)((i * 7) % 13) : 0;
    for (size_t i = 0; fill == FLOATS && i < bytes / 4; i++) ((float *)data)[i] = (float)((i * 7) % 13) * 0.01f - 0.06f;
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, engine, data));
    args[nargs].arg = arg;
    args[nargs].memory = m;
    nargs++;
    return m;
}

#if DNNL_VERSION_MAJOR >= 3
// A runtime f32 or s32 vector argument (3.x scales and zero points).
static void bind_vector(int arg, int count, dnnl_data_type_t dt, float value) {
    dnnl_dims_t d = {count};
    md_t md = make_md(1, d, dt, dnnl_a);
    dnnl_memory_t m = bind(arg, MDP(md), ZERO);
    void *h;
    CHECK(dnnl_memory_get_data_handle(m, &h));
    for (int i = 0; i < count; i++) {
        if (dt == dnnl_f32) ((float *)h)[i] = value; else ((int *)h)[i] = (int)value;
    }
}
#endif

// Scales (and zero points) for the u8 modes; `wmask` selects the output-channel axis of the
// weights (3.x) and `omask` that of the destination (2.x output scales).
static void set_quantization(dnnl_primitive_attr_t attr, int count, int wmask, int omask, int zp) {
#if DNNL_VERSION_MAJOR >= 3
    (void)omask;
    CHECK(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_SRC, 0));
    CHECK(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_WEIGHTS, wmask));
    CHECK(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_DST, 0));
    bind_vector(DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, 1, dnnl_f32, 0.02f);
    bind_vector(DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS, count, dnnl_f32, 0.01f);
    bind_vector(DNNL_ARG_ATTR_SCALES | DNNL_ARG_DST, 1, dnnl_f32, 0.5f);
    if (zp) {
        CHECK(dnnl_primitive_attr_set_zero_points_mask(attr, DNNL_ARG_SRC, 0));
        CHECK(dnnl_primitive_attr_set_zero_points_mask(attr, DNNL_ARG_DST, 0));
        bind_vector(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC, 1, dnnl_s32, 3);
        bind_vector(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, 1, dnnl_s32, 5);
    }
#else
    (void)wmask;
    float *scales = malloc(sizeof(float) * count);
    for (int i = 0; i < count; i++) scales[i] = 0.0004f;
    CHECK(dnnl_primitive_attr_set_output_scales(attr, count, omask, scales));
    free(scales);
    if (zp) {
        int src = 3, dst = 5;
        CHECK(dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0, &src));
        CHECK(dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_DST, 1, 0, &dst));
    }
#endif
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s conv|matmul SHAPE f32|s32|u8|u8zp THREADS SECONDS\n", argv[0]);
        return 64;
    }
    const char *kind = argv[1], *mode = argv[3];
    int threads = atoi(argv[4]);
    double seconds = atof(argv[5]);
    omp_set_num_threads(threads);                  // before any primitive: oneDNN sizes its jobs then
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    int is_f32 = !strcmp(mode, "f32"), is_s32 = !strcmp(mode, "s32"), zp = !strcmp(mode, "u8zp");
    dnnl_data_type_t src_t = is_f32 ? dnnl_f32 : dnnl_u8, wei_t = is_f32 ? dnnl_f32 : dnnl_s8;
    dnnl_data_type_t dst_t = is_f32 ? dnnl_f32 : is_s32 ? dnnl_s32 : dnnl_u8;
    dnnl_data_type_t bias_t = is_f32 ? dnnl_f32 : dnnl_s32;
    int has_bias = !is_s32;
    dnnl_primitive_attr_t attr;
    CHECK(dnnl_primitive_attr_create(&attr));
    dnnl_primitive_desc_t pd;
    double macs;
    long v[8] = {0};
    int nv = sscanf(argv[2], "%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
    if (!strcmp(kind, "conv")) {
        if (nv != 8) { fprintf(stderr, "conv SHAPE = N,C,H,W,OC,K,STRIDE,PAD\n"); return 64; }
        long n = v[0], c = v[1], h = v[2], w = v[3], oc = v[4], k = v[5], st = v[6], pad = v[7];
        long oh = (h + 2 * pad - k) / st + 1, ow = (w + 2 * pad - k) / st + 1;
        dnnl_dims_t sd = {n, c, h, w}, wd = {oc, c, k, k}, bd = {oc}, dd = {n, oc, oh, ow};
        dnnl_dims_t strides = {st, st}, dil = {0, 0}, pads = {pad, pad};
        md_t src = make_md(4, sd, src_t, dnnl_nhwc), wei = make_md(4, wd, wei_t, dnnl_format_tag_any);
        md_t bias = make_md(1, bd, bias_t, dnnl_a), dst = make_md(4, dd, dst_t, dnnl_nhwc);
        if (!is_f32 && !is_s32) set_quantization(attr, (int)oc, 1 << 0, 1 << 1, zp);
#if DNNL_VERSION_MAJOR >= 3
        CHECK(dnnl_convolution_forward_primitive_desc_create(&pd, engine, dnnl_forward_inference,
            dnnl_convolution_direct, src, wei, has_bias ? bias : NULL, dst, strides, dil, pads, pads, attr));
#else
        dnnl_convolution_desc_t desc;
        CHECK(dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct,
            &src, &wei, has_bias ? &bias : NULL, &dst, strides, dil, pads, pads));
        CHECK(dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL));
#endif
        macs = (double)n * oc * oh * ow * c * k * k;
    } else {
        if (nv != 3) { fprintf(stderr, "matmul SHAPE = M,K,N\n"); return 64; }
        long m = v[0], kk = v[1], nn = v[2];
        dnnl_dims_t sd = {m, kk}, wd = {kk, nn}, bd = {1, nn}, dd = {m, nn};
        md_t src = make_md(2, sd, src_t, dnnl_ab), wei = make_md(2, wd, wei_t, dnnl_format_tag_any);
        md_t bias = make_md(2, bd, bias_t, dnnl_ab), dst = make_md(2, dd, dst_t, dnnl_ab);
        if (!is_f32 && !is_s32) set_quantization(attr, (int)nn, 1 << 1, 1 << 1, zp);
#if DNNL_VERSION_MAJOR >= 3
        CHECK(dnnl_matmul_primitive_desc_create(&pd, engine, src, wei, has_bias ? bias : NULL, dst, attr));
#else
        dnnl_matmul_desc_t desc;
        CHECK(dnnl_matmul_desc_init(&desc, &src, &wei, has_bias ? &bias : NULL, &dst));
        CHECK(dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL));
#endif
        macs = (double)m * kk * nn;
    }
    enum fill data = is_f32 ? FLOATS : BYTES;
    bind(DNNL_ARG_SRC, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), data);
    bind(DNNL_ARG_WEIGHTS, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), data);
    if (has_bias) bind(DNNL_ARG_BIAS, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1), data);
    bind(DNNL_ARG_DST, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), ZERO);
    cmd_t scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (scratch && dnnl_memory_desc_get_size(scratch) > 0) bind(DNNL_ARG_SCRATCHPAD, scratch, ZERO);
    const char *impl = "?";
    CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    dnnl_primitive_t prim;
    CHECK(dnnl_primitive_create(&prim, pd));
    dnnl_stream_t stream;
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    enum { MAX_RUNS = 20000 };
    static double times[MAX_RUNS];
    int runs = 0;
    for (int i = 0; i < 5; i++) CHECK(dnnl_primitive_execute(prim, stream, nargs, args));
    CHECK(dnnl_stream_wait(stream));
    double start = now();
    while (runs < MAX_RUNS && (runs < 10 || now() - start < seconds)) {
        double t0 = now();
        CHECK(dnnl_primitive_execute(prim, stream, nargs, args));
        CHECK(dnnl_stream_wait(stream));
        times[runs++] = now() - t0;
    }
    qsort(times, runs, sizeof(double), cmp);
    double median = times[runs / 2];
    const dnnl_version_t *ver = dnnl_version();
    printf("version=%d.%d.%d isa=0x%x threads=%d kind=%s shape=%s mode=%s impl=%s runs=%d ms=%.4f gops=%.1f\n",
           ver->major, ver->minor, ver->patch, (unsigned)dnnl_get_effective_cpu_isa(), omp_get_max_threads(),
           kind, argv[2], mode, impl, runs, median * 1e3, 2 * macs / median * 1e-9);
    return 0;
}

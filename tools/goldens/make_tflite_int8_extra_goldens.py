#!/usr/bin/env python3
"""int8 and uint8 cases added after make_tflite_int8_goldens.py (whose random data stays as
committed), with goldens from LiteRT's reference kernels (tolerance 0).

Needs (dev venv): ai-edge-litert, numpy. Usage:
  .venv/bin/python tools/goldens/make_tflite_int8_extra_goldens.py

Writes Tests/Goldens/tflite_int8/transpose_conv.tflite (case tflite_int8_transpose_conv) and
uint8_transpose_conv.tflite (case tflite_int8_uint8_transpose_conv), copied to Fuzz/seeds/tflite/:
- int8, per-channel weights: stride 2 SAME with an int32 bias ([1, 5, 6, 8] → [1, 10, 12, 4]);
  stride 1 without bias, fused RELU, an output cropped from the full transposed convolution;
  96 input channels and a 5×5 kernel whose integer sums may exceed 2^24, so Edgeflow splits the input
  channels to keep its float32 sums exact;
- uint8 (TFLite's older scheme: per-tensor weights with a zero point), stride 2 with a bias.
And hard_swish_collapsed.tflite (case tflite_int8_hard_swish_collapsed): HARD_SWISH where the
scales collapsed to ~7.9e-9, as in a randomly initialized MobileNetV3 quantized by TF's converter,
so the relu-ish multiplier is below 2^-15 and gemmlowp's 16-bit RoundingDivideByPOT takes its
cut-mask path; beside it one at ordinary scales. And reduce_extremes.tflite (case
tflite_int8_reduce_extremes): int8 REDUCE_MAX without and REDUCE_MIN with keep_dims. And
batch_matmul.tflite (case tflite_int8_batch_matmul): int8 BATCH_MATMUL of two run-time operands,
plain and with adj_y. And normalization.tflite (case tflite_int8_normalization): int8
SQUARED_DIFFERENCE with broadcasting and RSQRT on 256 random int8 values. And gelu.tflite (case
tflite_int8_gelu): int8 GELU exact and with the tanh approximation, and uint8 GELU, on 512 random
values each (LiteRT evaluates them through a 256-entry table). And uint8_resize_bilinear.tflite
(case tflite_int8_uint8_resize_bilinear): uint8 RESIZE_BILINEAR, which LiteRT's reference kernels
compute in float32 and round (not the int8 1/1024-step kernel): up, up with half-pixel centers (negative
weights at the edges), align_corners, down with half-pixel centers, and a non-integer ratio. And
dilated_movement.tflite (case tflite_int8_dilated_movement): SPACE_TO_BATCH_ND padded with the zero
point, BATCH_TO_SPACE_ND, MIRROR_PAD, GATHER_ND, BROADCAST_TO, REVERSE_V2 and TOPK_V2 (of the rank-3 GATHER_ND result) on int8. And exp.tflite
(case tflite_int8_exp): int8 EXP (LiteRT's 256-entry table; its reference kernels have no int8 ELU).
And comparisons.tflite (case tflite_int8_comparisons): the six int8 comparisons of operands
quantized differently (LiteRT rescales both first; half of them against the input's own coarser
requantization, so values tie), one broadcast, and SELECT_V2 choosing between int8 values of two
other quantizations by one of them; uint8 GREATER. And sum.tflite (case
tflite_int8_sum): int8 SUM rescaled to another quantization over one axis with keep_dims and over
two without, and under one quantization, run by LiteRT's builtin kernels (without delegates): its
reference kernels give other, unrelated values for int8 SUM (mostly −1 on these inputs), which
the script prints beside them. And elu_abs.tflite (case tflite_int8_elu_abs): int8 ELU (a 256-entry
table of exp(x) − 1) and ABS into the input's scale and into another, also from the builtin
kernels, as LiteRT's reference kernels have no ELU.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_tflite_int8_goldens as int8  # noqa: E402
from make_tflite_op_goldens import OP, OPT, Model, options  # noqa: E402
from tflitelib import quantize_bias  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_int8_extra_goldens.py"
RNG = np.random.default_rng(67)


def transpose_conv(m, name, x, weights, bias, out_shape, scale, zero_point, stride, padding, activation=0,
                   dtype=np.int8):
    y = int8.q8(m, name, out_shape, scale, zero_point, dtype)
    shape = m.const(f"{name}_shape", np.array(out_shape, np.int32), np.int32)
    m.op(OP.TRANSPOSE_CONV, [shape, weights, x, bias], [y], OPT.TransposeConvOptions,
         options(S.TransposeConvOptionsT, padding=padding, strideW=stride, strideH=stride,
                 fusedActivationFunction=activation))
    return y


def int8_models():
    int8.RNG = RNG   # the shared helpers draw their biases from the module's generator
    m = Model()
    x = int8.q8(m, "x", [1, 5, 6, 8], 0.021, -5)
    w, b = int8.weights(m, "up", int8.channel_weights([4, 3, 3, 8], 0, [0.4, 0.9, 0.6, 0.2]), 0, 0.021)
    up = transpose_conv(m, "up_same", x, w, b, [1, 10, 12, 4], 0.037, 9, 2, S.Padding.SAME)
    w, _ = int8.weights(m, "crop", int8.channel_weights([3, 4, 2, 8], 0, [0.7, 0.3, 0.5]), 0, 0.021, bias=False)
    crop = transpose_conv(m, "crop_relu", x, w, -1, [1, 5, 6, 3], 0.024, -100, 1, S.Padding.SAME, activation=1)
    wide = int8.q8(m, "wide", [1, 4, 4, 96], 0.013, 2)
    w, b = int8.weights(m, "deep", int8.channel_weights([2, 5, 5, 96], 0, [1.0, 0.8]), 0, 0.013)
    deep = transpose_conv(m, "deep_valid", wide, w, b, [1, 8, 8, 2], 0.35, -3, 1, S.Padding.VALID)
    yield "transpose_conv", m, [x, wide], [up, crop, deep]


def uint8_models():
    m = Model()
    x = int8.q8(m, "x", [1, 4, 5, 6], 0.017, 131, np.uint8)
    w = RNG.uniform(-0.5, 0.5, (3, 3, 3, 6))
    scale = float(np.float32(np.abs(w).max() / 127))
    qw = np.clip(np.round(w / scale) + 121, 0, 255).astype(np.uint8)
    wi = m.tensor("up_w", w.shape, qw, np.uint8, scale=[scale], zero_point=[121])
    qb, bs = quantize_bias(RNG.uniform(-0.4, 0.4, 3), 0.017, [scale])
    bi = m.tensor("up_b", [3], qb, np.int32, scale=bs.tolist(), zero_point=[0])
    y = transpose_conv(m, "up", x, wi, bi, [1, 8, 10, 3], 0.029, 118, 2, S.Padding.SAME, dtype=np.uint8)
    yield "uint8_transpose_conv", m, [x], [y]


def hard_swish_models():
    m = Model()
    x = int8.q8(m, "x", [1, 2, 2, 64], 7.859944e-09, -1)
    collapsed = int8.q8(m, "collapsed", [1, 2, 2, 64], 7.85154e-09, -1)
    m.op(OP.HARD_SWISH, [x], [collapsed])
    x2 = int8.q8(m, "x2", [1, 2, 2, 64], 0.047, 12)
    ordinary = int8.q8(m, "ordinary", [1, 2, 2, 64], 0.031, -70)
    m.op(OP.HARD_SWISH, [x2], [ordinary])
    yield "hard_swish_collapsed", m, [x, x2], [collapsed, ordinary]


def reduce_models():
    m = Model()
    x = int8.q8(m, "x", [1, 6, 7, 5], 0.023, -4)
    peak = int8.q8(m, "reduce_max", [1, 7, 5], 0.023, -4)
    m.op(OP.REDUCE_MAX, [x, m.const("max_axes", np.array([1], np.int32), np.int32)], [peak],
         OPT.ReducerOptions, options(S.ReducerOptionsT, keepDims=False))
    low = int8.q8(m, "reduce_min", [1, 1, 1, 5], 0.023, -4)
    m.op(OP.REDUCE_MIN, [x, m.const("min_axes", np.array([1, 2], np.int32), np.int32)], [low],
         OPT.ReducerOptions, options(S.ReducerOptionsT, keepDims=True))
    yield "reduce_extremes", m, [x], [peak, low]


def batch_matmul_models():
    m = Model()
    x, y = int8.q8(m, "x", [2, 3, 5], 0.027, -6), int8.q8(m, "y", [2, 5, 4], 0.019, 11)
    plain = int8.q8(m, "plain", [2, 3, 4], 0.19, 3)
    m.op(OP.BATCH_MATMUL, [x, y], [plain], OPT.BatchMatMulOptions, options(S.BatchMatMulOptionsT))
    yt = int8.q8(m, "y_rows", [2, 4, 5], 0.021, -2)
    adjoint = int8.q8(m, "adjoint", [2, 3, 4], 0.17, -9)
    m.op(OP.BATCH_MATMUL, [x, yt], [adjoint], OPT.BatchMatMulOptions, options(S.BatchMatMulOptionsT, adjY=True))
    yield "batch_matmul", m, [x, y, yt], [plain, adjoint]


def normalization_models():
    """What TF's converter makes of an int8 LayerNormalization: SQUARED_DIFFERENCE (broadcast
    along the last axis) and RSQRT (zero point −128, so every input is valid and −128 is 0)."""
    m = Model()
    x, mean = int8.q8(m, "x", [1, 6, 8], 0.041, 3), int8.q8(m, "mean", [1, 6, 1], 0.037, -5)
    squared = int8.q8(m, "squared_difference", [1, 6, 8], 0.12, -128)
    m.op(OP.SQUARED_DIFFERENCE, [x, mean], [squared])
    variance = int8.q8(m, "variance", [4, 64], 0.0031, -128)
    rsqrt = int8.q8(m, "rsqrt", [4, 64], 0.083, -128)
    m.op(OP.RSQRT, [variance], [rsqrt])
    yield "normalization", m, [x, mean, variance], [squared, rsqrt]


def gelu_models():
    m = Model()
    x = int8.q8(m, "x", [2, 16, 16], 0.043, -7)
    exact = int8.q8(m, "gelu_exact", [2, 16, 16], 0.027, -110)
    m.op(OP.GELU, [x], [exact], OPT.GeluOptions, options(S.GeluOptionsT, approximate=False))
    approximate = int8.q8(m, "gelu_tanh", [2, 16, 16], 0.031, -100)
    m.op(OP.GELU, [x], [approximate], OPT.GeluOptions, options(S.GeluOptionsT, approximate=True))
    xu = int8.q8(m, "xu", [2, 16, 16], 0.05, 140, np.uint8)
    unsigned = int8.q8(m, "gelu_uint8", [2, 16, 16], 0.024, 9, np.uint8)
    m.op(OP.GELU, [xu], [unsigned], OPT.GeluOptions, options(S.GeluOptionsT, approximate=False))
    yield "gelu", m, [x, xu], [exact, approximate, unsigned]


def uint8_resize_models():
    m = Model()
    x = int8.q8(m, "x", [1, 4, 5, 3], 0.02, 131, np.uint8)
    z = int8.q8(m, "z", [1, 7, 9, 2], 0.013, 77, np.uint8)
    outs = []
    for name, src, size, align, half in (("up", x, (8, 10), False, False), ("up_half_pixel", x, (8, 10), False, True),
                                         ("align_corners", x, (9, 4), True, False),
                                         ("down_half_pixel", z, (3, 4), False, True),
                                         ("ratio_half_pixel", z, (10, 13), False, True)):
        q = m.tensors[src].quantization
        y = int8.q8(m, name, [1, *size, m.tensors[src].shape[3]], q.scale[0], q.zeroPoint[0], np.uint8)
        m.op(OP.RESIZE_BILINEAR, [src, m.const(f"{name}_size", size, np.int32)], [y], OPT.ResizeBilinearOptions,
             options(S.ResizeBilinearOptionsT, alignCorners=align, halfPixelCenters=half))
        outs.append(y)
    yield "uint8_resize_bilinear", m, [x, z], outs


def dilated_movement_models():
    """int8 data movement LiteRT runs under one quantization: SPACE_TO_BATCH_ND (padded with the zero
    point) → BATCH_TO_SPACE_ND (cropped), as TF1's converter spells a dilated convolution; MIRROR_PAD
    (REFLECT), GATHER_ND, BROADCAST_TO, REVERSE_V2 and TOPK_V2 (values and int32 indices)."""
    m = Model()
    i32 = np.int32
    scale, zp = 0.017, 9
    x = int8.q8(m, "x", [1, 5, 6, 3], scale, zp)
    batched = int8.q8(m, "space_to_batch", [4, 4, 4, 3], scale, zp)
    m.op(OP.SPACE_TO_BATCH_ND, [x, m.const("block", [2, 2], i32), m.const("paddings", [[2, 1], [1, 1]], i32)],
         [batched], OPT.SpaceToBatchNDOptions, options(S.SpaceToBatchNDOptionsT))
    back = int8.q8(m, "batch_to_space", [1, 6, 7, 3], scale, zp)
    m.op(OP.BATCH_TO_SPACE_ND, [batched, m.const("block2", [2, 2], i32), m.const("crops", [[1, 1], [0, 1]], i32)],
         [back], OPT.BatchToSpaceNDOptions, options(S.BatchToSpaceNDOptionsT))
    mirrored = int8.q8(m, "mirror_pad", [1, 7, 9, 3], scale, zp)
    m.op(OP.MIRROR_PAD, [x, m.const("mirror", [[0, 0], [1, 1], [2, 1], [0, 0]], i32)], [mirrored],
         OPT.MirrorPadOptions, options(S.MirrorPadOptionsT, mode=S.MirrorPadMode.REFLECT))
    gathered = int8.q8(m, "gather_nd", [2, 6, 3], scale, zp)
    m.op(OP.GATHER_ND, [x, m.const("nd", [[0, 4], [0, 1]], i32)], [gathered])
    row = int8.q8(m, "row", [1, 1, 6, 1], scale, zp)
    broadcast = int8.q8(m, "broadcast_to", [2, 3, 6, 4], scale, zp)
    m.op(OP.BROADCAST_TO, [row, m.const("to", [2, 3, 6, 4], i32)], [broadcast], version=2)
    reversed_ = int8.q8(m, "reverse_v2", [1, 5, 6, 3], scale, zp)
    m.op(OP.REVERSE_V2, [x, m.const("rev_axes", [2], i32)], [reversed_], OPT.ReverseV2Options,
         options(S.ReverseV2OptionsT))
    values, indices = int8.q8(m, "topk_values", [2, 6, 2], scale, zp), m.tensor("topk_indices", [2, 6, 2],
                                                                                dtype=np.int32)
    m.op(OP.TOPK_V2, [gathered, m.const("k", np.int32(2), i32)], [values, indices], OPT.TopKV2Options,
         options(S.TopKV2OptionsT))
    yield "dilated_movement", m, [x, row], [batched, back, mirrored, gathered, broadcast, reversed_, values, indices]


def exp_models():
    """int8 EXP, which LiteRT evaluates through a 256-entry table of its float exp, on 512 random
    values, into a zero point of −128 and into one of 0 (values saturate above 127 · scale)."""
    m = Model()
    x = int8.q8(m, "x", [2, 16, 16], 0.019, 20)
    exp = int8.q8(m, "exp", [2, 16, 16], 0.045, -128)
    m.op(OP.EXP, [x], [exp], OPT.ExpOptions, options(S.ExpOptionsT), version=2)
    saturating = int8.q8(m, "exp_saturating", [2, 16, 16], 0.02, 0)
    m.op(OP.EXP, [x], [saturating], OPT.ExpOptions, options(S.ExpOptionsT), version=2)
    yield "exp", m, [x], [exp, saturating]


def comparison_models():
    """int8 comparisons of operands quantized differently: EQUAL, NOT_EQUAL, LESS_EQUAL and
    GREATER_EQUAL of [2, 3, 8] against its own QUANTIZE to a coarser scale (so about half the
    elements tie after LiteRT's rescaling), LESS and GREATER against a broadcast [1, 3, 1] input;
    SELECT_V2 of two int8 values by the LESS result (the stored values copied whatever their
    quantization); uint8 GREATER."""
    m = Model()
    a = int8.q8(m, "a", [2, 3, 8], 0.05, 3)
    coarse = int8.q8(m, "a_coarse", [2, 3, 8], 0.1, -7)
    m.op(OP.QUANTIZE, [a], [coarse], version=2)
    b = int8.q8(m, "b", [1, 3, 1], 0.1, -7)
    outs = []
    for code, name, other in ((OP.EQUAL, "equal", coarse), (OP.NOT_EQUAL, "not_equal", coarse),
                              (OP.LESS_EQUAL, "less_equal", coarse), (OP.GREATER_EQUAL, "greater_equal", coarse),
                              (OP.LESS, "less", b), (OP.GREATER, "greater", b)):
        y = m.tensor(name, [2, 3, 8], dtype=np.bool_)
        m.op(code, [a, other], [y], version=2)
        outs.append(y)
    x = int8.q8(m, "x", [2, 3, 8], 0.03, -20)
    z = int8.q8(m, "z", [2, 3, 8], 0.07, 11)
    chosen = int8.q8(m, "select_v2", [2, 3, 8], 0.03, -20)
    m.op(OP.SELECT_V2, [outs[4], x, z], [chosen], OPT.SelectV2Options, options(S.SelectV2OptionsT))
    u = int8.q8(m, "u", [4, 5], 0.02, 130, np.uint8)
    v = int8.q8(m, "v", [4, 5], 0.015, 100, np.uint8)
    above = m.tensor("uint8_greater", [4, 5], dtype=np.bool_)
    m.op(OP.GREATER, [u, v], [above], version=2)
    yield "comparisons", m, [a, b, x, z, u, v], outs + [coarse, chosen, above]


def sum_models():
    """int8 SUM (the float32 rescale of the integer sum, saturated) over axis 1 of [2, 5, 4, 3]
    with keep_dims, over axes 1 and 2 without, and over axis 3 under one quantization."""
    m = Model()
    i32 = np.int32
    x = int8.q8(m, "x", [2, 5, 4, 3], 0.02, -5)
    kept = int8.q8(m, "sum_keep", [2, 1, 4, 3], 0.06, 4)
    m.op(OP.SUM, [x, m.const("axis1", [1], i32)], [kept], OPT.ReducerOptions, options(S.ReducerOptionsT, keepDims=True))
    dropped = int8.q8(m, "sum_two_axes", [2, 3], 0.3, -12)
    m.op(OP.SUM, [x, m.const("axes12", [1, 2], i32)], [dropped], OPT.ReducerOptions,
         options(S.ReducerOptionsT, keepDims=False))
    same = int8.q8(m, "sum_same_quantization", [2, 5, 4], 0.02, -5)
    m.op(OP.SUM, [x, m.const("axis3", [3], i32)], [same], OPT.ReducerOptions,
         options(S.ReducerOptionsT, keepDims=False))
    yield "sum", m, [x], [kept, dropped, same]


def elu_abs_models():
    """int8 ELU on 512 random values into an output scale of its own, and ABS into the input's
    scale with another zero point and into a larger scale (a rescale)."""
    m = Model()
    x = int8.q8(m, "x", [2, 16, 16], 0.031, 9)
    elu = int8.q8(m, "elu", [2, 16, 16], 0.025, 37)
    m.op(OP.ELU, [x], [elu])
    same = int8.q8(m, "abs_same_scale", [2, 16, 16], 0.031, -128)
    m.op(OP.ABS, [x], [same], version=2)
    wider = int8.q8(m, "abs_rescaled", [2, 16, 16], 0.047, -100)
    m.op(OP.ABS, [x], [wider], version=2)
    yield "elu_abs", m, [x], [elu, same, wider]


def show_reference_sum(path):
    """Prints how far LiteRT's reference kernels are from its builtin ones on the SUM case."""
    case = os.path.join(int8.REPO, "Tests/Goldens/tflite_int8_sum")
    x = np.load(os.path.join(case, "in_x.npy"))
    reference, _ = int8.litert(path, {"x": x})
    for name, array in sorted(reference.items()):
        builtin = np.load(os.path.join(case, f"out_{name}.npy"))
        print(f"[tflite_int8] sum/{name}: reference kernels differ from builtin ones by up to "
              f"{np.abs(array.astype(int) - builtin.astype(int)).max()}")


def main():
    import ai_edge_litert
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    paths = int8.write_small_models(int8_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(uint8_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(hard_swish_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(reduce_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(batch_matmul_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(normalization_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(gelu_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(uint8_resize_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(dilated_movement_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(exp_models(), versions, rng=RNG, generator=GENERATOR)
    paths += int8.write_small_models(comparison_models(), versions, rng=RNG, generator=GENERATOR)
    sum_paths = int8.write_small_models(sum_models(), versions, rng=RNG, generator=GENERATOR,
                                        kind="BUILTIN_WITHOUT_DEFAULT_DELEGATES")
    show_reference_sum(sum_paths[0])
    paths += sum_paths
    paths += int8.write_small_models(elu_abs_models(), versions, rng=RNG, generator=GENERATOR,
                                     kind="BUILTIN_WITHOUT_DEFAULT_DELEGATES")
    for path in paths:
        int8.shutil.copy(path, os.path.join(int8.SEEDS, "int8_" + os.path.basename(path)))


if __name__ == "__main__":
    main()

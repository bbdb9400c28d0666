#!/usr/bin/env python3
"""TFLite models that compute in int8 (full-integer quantized), with LiteRT goldens.

Needs (dev venv): ai-edge-litert (its schema_py_generated reads and writes the
FlatBuffers), numpy, pillow; scripts/setup.sh having run (the MediaPipe face
detector .testdata/models/mediapipe/face_detection_short_range.tflite and
.testdata/images/astronaut.png). Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_int8_goldens.py

Writes Tests/Goldens/tflite_int8/*.tflite (committed, copied to
Fuzz/seeds/tflite/int8_*.tflite) and golden cases tflite_int8_*, tolerance 0 (exact):

- face_detection_short_range_int8.tflite: MediaPipe's float16 face detector,
  quantized here as TFLite's converter does post-training full-integer
  quantization: DEQUANTIZE ops of float16 constants folded into float32
  constants; activation min/max calibrated by running that float model on the
  astronaut photo (prepared as make_tflite_goldens.py does) and five variants
  (flips, gamma, seeded noise); activations int8 asymmetric per tensor (range
  extended to 0, zero point rounded half away from zero); conv weights int8
  symmetric per output channel; biases int32 with scale input_scale *
  weight_scale; MAX_POOL_2D, PAD, RESHAPE and CONCATENATION (with the RESHAPEs
  before it) sharing one scale and zero point; int8 input and outputs, no
  QUANTIZE/DEQUANTIZE. Cases tflite_int8_face_detection_photo (the photo
  quantized to the input's parameters, numpy round half to even) and
  tflite_int8_face_detection_random (seeded int8). How far the dequantized
  outputs are from the float model's on the photo is printed and recorded as
  float_model_comparison (information, not a golden).
- palm_detection_lite_int8.tflite and hand_landmark_lite_int8.tflite: MediaPipe's palm
  detector (PRELU slopes int8 symmetric per tensor, RESIZE_BILINEAR sharing its input's
  parameters) and hand landmark model (FULLY_CONNECTED weights int8 symmetric per tensor,
  LOGISTIC outputs at TFLite's fixed 1/256 and -128) quantized the same way; cases
  tflite_int8_palm_detection_* and tflite_int8_hand_landmark_* (photo, random). Not fuzz seeds.
- conv, fully_connected, elementwise, movement, requantize, float_boundary, wide_fully_connected,
  rectifiers (LEAKY_RELU, PRELU), resize_bilinear:
  small generated int8 models with scales and zero points that differ per
  tensor, seeded random int8 inputs (float32 for float_boundary: QUANTIZE,
  int8 CONV_2D, DEQUANTIZE). Cases tflite_int8_<name>.

Outputs come from LiteRT's reference kernels (OpResolverType.BUILTIN_REF, no
XNNPACK). Operator codes carry version 1, as in make_tflite_op_goldens.py
(LiteRT's kernels do not depend on it). LiteRT 2.3.0 refused none of these
forms (QUANTIZE int8 -> uint8 included).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import GOLDENS, REPO, TESTDATA, require, write_case  # noqa: E402
from make_tflite_op_goldens import OP, OPT, SEEDS, Model, options  # noqa: E402
from tflitelib import (asymmetric, buffer_array, litert, load, opcode, pack, prune, quantization,  # noqa: E402
                       quantize_bias, set_buffer, symmetric_per_channel)

import ai_edge_litert.schema_py_generated as S  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_int8_goldens.py"
OUT = os.path.join(GOLDENS, "tflite_int8")
FACE = "face_detection_short_range"
INT8, INT32, F32 = S.TensorType.INT8, S.TensorType.INT32, S.TensorType.FLOAT32
RNG = np.random.default_rng(8)


# ---- MediaPipe face detector -> full int8 ----

def fold_dequantize(model):
    """Replace every DEQUANTIZE of a float16 constant by a float32 constant."""
    g = model.subgraphs[0]
    kept = []
    for op in g.operators:
        src = g.tensors[op.inputs[0]]
        if opcode(model, op) == OP.DEQUANTIZE and src.type == S.TensorType.FLOAT16 and src.buffer:
            dst = g.tensors[op.outputs[0]]
            set_buffer(model, src, buffer_array(model, src, np.float16).astype(np.float32))
            dst.buffer, src.buffer = src.buffer, 0
        else:
            kept.append(op)
    g.operators = kept
    prune(model)


def calibrate(path, images, input_name="input"):
    """{tensor index: (min, max)} of every float32 activation over the calibration images."""
    model = load(path)
    acts = [i for i, t in enumerate(model.subgraphs[0].tensors)
            if t.type == F32 and buffer_array(model, t, np.float32) is None]
    ranges = {i: (np.inf, -np.inf) for i in acts}
    for image in images:
        _, it = litert(path, {input_name: image}, preserve_all_tensors=True)
        for i in acts:
            a = it.get_tensor(i)
            ranges[i] = (min(ranges[i][0], float(a.min())), max(ranges[i][1], float(a.max())))
    return ranges


def unite_concatenation_ranges(model, ranges):
    """A quantized CONCATENATION needs one scale: its inputs (and the RESHAPEs before them) and
    its output take the union of their calibrated ranges (in place)."""
    g = model.subgraphs[0]
    producer = {op.outputs[0]: op for op in g.operators}
    for op in g.operators:
        if opcode(model, op) == OP.CONCATENATION:
            chain = list(op.outputs)
            for i in op.inputs:
                chain.append(i)
                while chain[-1] in producer and opcode(model, producer[chain[-1]]) == OP.RESHAPE:
                    chain.append(producer[chain[-1]].inputs[0])
            lo, hi = min(ranges[i][0] for i in chain), max(ranges[i][1] for i in chain)
            ranges.update({i: (lo, hi) for i in chain})


def calibrated(model, images, input_name):
    """(activation ranges over `images`, the float model's outputs on images[0]) of a ModelT."""
    with tempfile.TemporaryDirectory() as tmp:
        float_path = os.path.join(tmp, "float.tflite")
        with open(float_path, "wb") as f:
            f.write(pack(model))
        ranges = calibrate(float_path, [np.ascontiguousarray(x, np.float32) for x in images], input_name)
        float_out, _ = litert(float_path, {input_name: images[0]})
    return ranges, float_out


def write_quantized(model, description, path):
    """Writes the quantized ModelT without MediaPipe's metadata (it describes the float input)."""
    for md in model.metadata or []:
        model.buffers[md.buffer].data = None
    model.metadata = None
    model.description = description.encode()
    with open(path, "wb") as f:
        f.write(pack(model))


def quantize_model(model, ranges):
    g = model.subgraphs[0]
    unite_concatenation_ranges(model, ranges)
    params = {i: asymmetric(*r) for i, r in ranges.items()}
    for op in g.operators:  # TFLite's int8 LOGISTIC writes scale 1/256, zero point -128 (its Prepare checks)
        if opcode(model, op) == OP.LOGISTIC:
            params[op.outputs[0]] = (1.0 / 256, -128)
    for op in g.operators:
        if opcode(model, op) in (OP.MAX_POOL_2D, OP.PAD, OP.RESHAPE, OP.RESIZE_BILINEAR):
            params[op.outputs[0]] = params[op.inputs[0]]
        if opcode(model, op) in (OP.MAX_POOL_2D, OP.PAD, OP.RESHAPE, OP.CONCATENATION, OP.RESIZE_BILINEAR):
            assert all(params[i] == params[op.outputs[0]] for i in op.inputs if i in params)
    for i, (scale, zero_point) in params.items():
        g.tensors[i].type, g.tensors[i].quantization = INT8, quantization([scale], [zero_point])
    for op in g.operators:
        if opcode(model, op) in (OP.CONV_2D, OP.DEPTHWISE_CONV_2D):
            axis = 0 if opcode(model, op) == OP.CONV_2D else 3
            w, b = g.tensors[op.inputs[1]], g.tensors[op.inputs[2]]
            qw, ws = symmetric_per_channel(buffer_array(model, w, np.float32), axis)
            qb, bs = quantize_bias(buffer_array(model, b, np.float32), params[op.inputs[0]][0], ws)
            set_buffer(model, w, qw)
            set_buffer(model, b, qb)
            w.type, w.quantization = INT8, quantization(ws, [0] * len(ws), axis)
            b.type, b.quantization = INT32, quantization(bs, [0] * len(bs))
        if opcode(model, op) == OP.PRELU:  # slopes int8 symmetric per tensor
            a = g.tensors[op.inputs[1]]
            qa, scales = symmetric_per_channel(buffer_array(model, a, np.float32).reshape(1, -1), 0)
            set_buffer(model, a, qa.reshape(a.shape))
            a.type, a.quantization = INT8, quantization(scales, [0])
        if opcode(model, op) == OP.FULLY_CONNECTED:  # weights int8 symmetric per tensor, as the converter's default
            w = g.tensors[op.inputs[1]]
            qw, ws = symmetric_per_channel(buffer_array(model, w, np.float32).reshape(1, -1), 0)
            set_buffer(model, w, qw.reshape(w.shape))
            w.type, w.quantization = INT8, quantization(ws, [0])
            if len(op.inputs) > 2 and op.inputs[2] >= 0:
                b = g.tensors[op.inputs[2]]
                qb, bs = quantize_bias(buffer_array(model, b, np.float32), params[op.inputs[0]][0],
                                       np.repeat(ws, b.shape[0]))
                set_buffer(model, b, qb)
                b.type, b.quantization = INT32, quantization([bs[0]], [0])
    return params


def face_detector(versions):
    return mediapipe_int8(versions, FACE, "face_detection", (-1.0, 1.0), top_output="classificators")


def hand_landmark(versions):
    return mediapipe_int8(versions, "hand_landmark_lite", "hand_landmark", (0.0, 1.0))


def palm_detector(versions):
    return mediapipe_int8(versions, "palm_detection_lite", "palm_detection", (-1.0, 1.0), top_output="Identity_1")


def mediapipe_int8(versions, name, case_prefix, value_range, top_output=None):
    """MediaPipe's float16 model `name` quantized to full int8 (see the module docstring), with
    cases tflite_int8_<case_prefix>_photo and _random. `top_output` names a score output whose
    five best float anchors are compared with the int8 scores (information only)."""
    from make_tflite_goldens import photo
    model = load(require(os.path.join(TESTDATA, "models", "mediapipe", f"{name}.tflite")))
    fold_dequantize(model)
    g = model.subgraphs[0]
    input_name = g.tensors[g.inputs[0]].name.decode()
    size = tuple(g.tensors[g.inputs[0]].shape[1:3])
    base = photo(size, None, value_range)
    low, high = value_range
    unit = (base - low) / (high - low)
    bright = (unit ** np.array([0.6, 1.5])[:, None, None, None, None]) * (high - low) + low
    noisy = np.clip(base + RNG.normal(0, 0.1 * (high - low) / 2, base.shape), low, high)
    images = [base, base[:, :, ::-1], *bright, noisy, base[:, ::-1]]
    ranges, float_out = calibrated(model, images, input_name)
    params = quantize_model(model, ranges)
    path = os.path.join(OUT, f"{name}_int8.tflite")
    write_quantized(model, f"{name} full-integer int8 (tools/goldens/make_tflite_int8_goldens.py)", path)
    in_scale, in_zp = params[g.inputs[0]]
    photo_q = np.clip(np.round(base / np.float32(in_scale)) + in_zp, -128, 127).astype(np.int8)
    feeds = {"photo": photo_q, "random": RNG.integers(-128, 128, (1, *size, 3)).astype(np.int8)}
    sanity = {}
    for case, x in feeds.items():
        out, _ = litert(path, {input_name: x})
        if case == "photo":
            for i in g.outputs:
                out_name, (scale, zp) = g.tensors[i].name.decode(), params[i]
                deq = (out[out_name].astype(np.float32) - zp) * scale
                sanity[out_name] = {"max_abs_diff": float(np.abs(deq - float_out[out_name]).max()),
                                    "float_abs_max": float(np.abs(float_out[out_name]).max()), "scale": scale}
                if out_name == top_output:  # the five best anchors of the float model, scores in both
                    top = np.argsort(-float_out[out_name].ravel())[:5]
                    sanity[out_name].update(
                        float_top_anchors=top.tolist(),
                        float_scores=[round(float(v), 4) for v in float_out[out_name].ravel()[top]],
                        int8_scores=[round(float(v), 4) for v in deq.ravel()[top]],
                        int8_best_anchors=np.flatnonzero(deq.ravel() == deq.max()).tolist())
            print(f"[int8] {name}: dequantized int8 vs float on the photo: {sanity}")
        write_case(f"tflite_int8_{case_prefix}_{case}", description=f"{name} quantized to full int8 here, on "
                   + ("skimage's astronaut photo quantized to the input's parameters" if case == "photo"
                      else "seeded random int8") + ", run by LiteRT's reference kernels",
                   model=os.path.relpath(path, REPO), inputs={input_name: x}, outputs=out, tolerance=0.0,
                   generator=GENERATOR, model_origin=f"{GENERATOR} from .testdata/models/mediapipe/{name}.tflite "
                   "(mediapipe==0.10.14), committed", tool_versions=versions,
                   extra={"float_model_comparison": sanity} if case == "photo" else None)
    return path


# ---- small generated int8 models ----

def q8(m, name, shape, scale, zero_point, dtype=np.int8):
    return m.tensor(name, shape, dtype=dtype, scale=[scale], zero_point=[zero_point])


def weights(m, name, w, axis, in_scale, bias=True):
    """int8 symmetric weights (per channel along axis; axis None: per tensor) and an int32 bias."""
    qw, ws = symmetric_per_channel(w.reshape(1, -1) if axis is None else w, axis or 0)
    wi = m.tensor(f"{name}_w", w.shape, qw.reshape(w.shape), np.int8, scale=ws.tolist(),
                  zero_point=[0] * len(ws), axis=axis or 0)
    if not bias:
        return wi, -1
    n = w.shape[axis or 0]
    qb, bs = quantize_bias(RNG.uniform(-0.6, 0.6, n), in_scale, ws)
    return wi, m.tensor(f"{name}_b", [n], qb, np.int32, scale=bs.tolist(), zero_point=[0] * len(bs))


def channel_weights(shape, axis, gains):
    g = np.ones(len(shape), int)
    g[axis] = -1
    return RNG.uniform(-1, 1, shape) * np.asarray(gains).reshape(g)


def small_models():
    m = Model()
    x = q8(m, "x", [1, 9, 11, 3], 0.0173, -7)
    w, b = weights(m, "conv", channel_weights([4, 3, 3, 3], 0, [0.62, 1.04, 0.34, 0.88]), 0, 0.0173)
    y = q8(m, "conv_relu6", [1, 5, 6, 4], 0.0293, -113)
    m.op(OP.CONV_2D, [x, w, b], [y], OPT.Conv2DOptions, options(
        S.Conv2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2, fusedActivationFunction=3))
    w, b = weights(m, "dw", channel_weights([1, 3, 3, 8], 3, [0.23, 0.41, 0.12, 0.35, 0.29, 0.18, 0.47, 0.09]), 3,
                   0.0293)
    z = q8(m, "depthwise_relu", [1, 1, 2, 8], 0.0031, -121)
    m.op(OP.DEPTHWISE_CONV_2D, [y, w, b], [z], OPT.DepthwiseConv2DOptions, options(
        S.DepthwiseConv2DOptionsT, padding=S.Padding.VALID, strideW=1, strideH=1, depthMultiplier=2,
        dilationWFactor=2, dilationHFactor=2, fusedActivationFunction=1))
    yield "conv", m, [x], [y, z]

    m = Model()
    x, x4 = q8(m, "x", [2, 20], 0.0127, 5), q8(m, "x4", [1, 2, 3, 4], 0.0211, -9)
    w, b = weights(m, "fc", RNG.uniform(-0.3, 0.3, (7, 20)), None, 0.0127)
    y = q8(m, "fc_bias", [2, 7], 0.0191, -3)
    m.op(OP.FULLY_CONNECTED, [x, w, b], [y], OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT))
    w, _ = weights(m, "fc4", RNG.uniform(-0.4, 0.4, (5, 24)), None, 0.0211, bias=False)
    f = q8(m, "fc_flat", [1, 5], 0.0437, 11)
    m.op(OP.FULLY_CONNECTED, [x4, w, -1], [f], OPT.FullyConnectedOptions,
         options(S.FullyConnectedOptionsT, keepNumDims=False))
    yield "fully_connected", m, [x, x4], [y, f]

    m = Model()
    a, b, c = q8(m, "a", [1, 4, 5, 3], 0.0157, 3), q8(m, "b", [1, 1, 1, 3], 0.0391, -12), \
        q8(m, "c", [1, 4, 5, 3], 0.0229, 17)
    outs = []
    for name, code, inputs, (scale, zp), opt in [
            ("add_broadcast", OP.ADD, [a, b], (0.0457, -6), (OPT.AddOptions, options(S.AddOptionsT))),
            ("add_relu", OP.ADD, [a, c], (0.0173, -119),
             (OPT.AddOptions, options(S.AddOptionsT, fusedActivationFunction=1))),
            ("sub", OP.SUB, [a, c], (0.0311, 6), (OPT.SubOptions, options(S.SubOptionsT))),
            ("mul", OP.MUL, [a, b], (0.0523, -2), (OPT.MulOptions, options(S.MulOptionsT))),
            ("relu", OP.RELU, [a], (0.0079, -125), (0, None)), ("relu6", OP.RELU6, [c], (0.0119, -101), (0, None))]:
        outs.append(q8(m, name, m.tensors[inputs[0]].shape, scale, zp))
        m.op(code, inputs, [outs[-1]], *opt)
    yield "elementwise", m, [a, b, c], outs

    m = Model()
    x, y = q8(m, "x", [1, 7, 8, 5], 0.0213, -17), q8(m, "y", [1, 4, 4, 3], 0.0213, -17)
    p = q8(m, "max_pool", [1, 4, 4, 5], 0.0213, -17)
    m.op(OP.MAX_POOL_2D, [x], [p], OPT.Pool2DOptions, options(
        S.Pool2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2, filterWidth=3, filterHeight=3))
    pad = q8(m, "padded", [1, 5, 6, 6], 0.0213, -17)
    m.op(OP.PAD, [p, m.const("paddings", [[0, 0], [1, 0], [0, 2], [0, 1]], np.int32)], [pad])
    r = q8(m, "reshaped", [1, 30, 6], 0.0213, -17)
    m.op(OP.RESHAPE, [pad, m.const("new_shape", [1, 30, 6], np.int32)], [r], OPT.ReshapeOptions,
         options(S.ReshapeOptionsT, newShape=[1, 30, 6]))
    cat = q8(m, "concat", [1, 4, 4, 8], 0.0213, -17)
    m.op(OP.CONCATENATION, [p, y], [cat], OPT.ConcatenationOptions, options(S.ConcatenationOptionsT, axis=3))
    t = q8(m, "transposed", [1, 8, 4, 4], 0.0213, -17)
    m.op(OP.TRANSPOSE, [cat, m.const("perm", [0, 3, 1, 2], np.int32)], [t])
    yield "movement", m, [x, y], [p, pad, r, cat, t]

    m = Model()
    x = q8(m, "x", [1, 7, 9, 4], 0.0187, 13)
    outs = [q8(m, name, shape, 0.0187, 13) for name, shape in [
        ("avg_same", [1, 4, 5, 4]), ("avg_valid_relu6", [1, 3, 4, 4]), ("nearest", [1, 14, 18, 4]),
        ("nearest_half_pixel", [1, 5, 6, 4])]]
    m.op(OP.AVERAGE_POOL_2D, [x], [outs[0]], OPT.Pool2DOptions, options(
        S.Pool2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2, filterWidth=3, filterHeight=3))
    m.op(OP.AVERAGE_POOL_2D, [x], [outs[1]], OPT.Pool2DOptions, options(
        S.Pool2DOptionsT, padding=S.Padding.VALID, strideW=2, strideH=2, filterWidth=2, filterHeight=2,
        fusedActivationFunction=3))
    m.op(OP.RESIZE_NEAREST_NEIGHBOR, [x, m.const("size", [14, 18], np.int32)], [outs[2]],
         OPT.ResizeNearestNeighborOptions, options(S.ResizeNearestNeighborOptionsT))
    m.op(OP.RESIZE_NEAREST_NEIGHBOR, [x, m.const("size_half", [5, 6], np.int32)], [outs[3]],
         OPT.ResizeNearestNeighborOptions, options(S.ResizeNearestNeighborOptionsT, halfPixelCenters=True))
    xm = q8(m, "xm", [2, 5, 6, 32], 0.0217, -11)
    mk, mf = q8(m, "mean_keep", [2, 1, 1, 32], 0.0121, -7), q8(m, "mean_flat", [2, 32], 0.0093, 3)
    m.op(OP.MEAN, [xm, m.const("hw", [1, 2], np.int32)], [mk], OPT.ReducerOptions,
         options(S.ReducerOptionsT, keepDims=True))
    m.op(OP.MEAN, [xm, m.const("hw2", [1, 2], np.int32)], [mf], OPT.ReducerOptions,
         options(S.ReducerOptionsT, keepDims=False))
    mc = q8(m, "mean_channels", [2, 5, 6], 0.0101, 9)
    m.op(OP.MEAN, [xm, m.const("c", [3], np.int32)], [mc], OPT.ReducerOptions,
         options(S.ReducerOptionsT, keepDims=False))
    yield "pooling", m, [x, xm], outs + [mk, mf, mc]

    m = Model()
    x = q8(m, "x", [4, 8, 32], 0.0391, 7)
    sig, th = q8(m, "logistic", [4, 8, 32], 1 / 256, -128), q8(m, "tanh", [4, 8, 32], 1 / 128, 0)
    m.op(OP.LOGISTIC, [x], [sig])
    m.op(OP.TANH, [x], [th])
    sm, smb = q8(m, "softmax", [4, 8, 32], 1 / 256, -128), q8(m, "softmax_beta", [4, 8, 32], 1 / 256, -128)
    m.op(OP.SOFTMAX, [x], [sm], OPT.SoftmaxOptions, options(S.SoftmaxOptionsT, beta=1.0))
    m.op(OP.SOFTMAX, [x], [smb], OPT.SoftmaxOptions, options(S.SoftmaxOptionsT, beta=0.37))
    x4 = q8(m, "x4", [1, 3, 5, 10], 0.0613, -20)
    sm4 = q8(m, "softmax_4d", [1, 3, 5, 10], 1 / 256, -128)
    m.op(OP.SOFTMAX, [x4], [sm4], OPT.SoftmaxOptions, options(S.SoftmaxOptionsT, beta=1.0))
    hs = q8(m, "hard_swish", [4, 8, 32], 0.0289, -83)
    m.op(OP.HARD_SWISH, [x], [hs])
    xs = q8(m, "x_small", [4, 64], 0.0047, 12)
    hss = q8(m, "hard_swish_small", [4, 64], 0.0031, -30)
    m.op(OP.HARD_SWISH, [xs], [hss])
    yield "lookup", m, [x, x4, xs], [sig, th, sm, smb, sm4, hs, hss]

    m = Model()
    x = q8(m, "x", [2, 3, 4, 5], 0.0173, -9)
    r8, ru8 = q8(m, "requantized", [2, 3, 4, 5], 0.0161, -11), q8(m, "to_uint8", [2, 3, 4, 5], 0.0159, 131, np.uint8)
    m.op(OP.QUANTIZE, [x], [r8])
    m.op(OP.QUANTIZE, [x], [ru8])
    yield "requantize", m, [x], [r8, ru8]

    m = Model()
    x, xq = m.tensor("x", [1, 6, 6, 2]), q8(m, "x_int8", [1, 6, 6, 2], 0.0137, 4)
    m.op(OP.QUANTIZE, [x], [xq])
    w, b = weights(m, "conv", channel_weights([3, 3, 3, 2], 0, [0.37, 0.21, 0.58]), 0, 0.0137)
    yq, y = q8(m, "y_int8", [1, 4, 4, 3], 0.0297, -6), m.tensor("y", [1, 4, 4, 3])
    m.op(OP.CONV_2D, [xq, w, b], [yq], OPT.Conv2DOptions, options(
        S.Conv2DOptionsT, padding=S.Padding.VALID, strideW=1, strideH=1))
    m.op(OP.DEQUANTIZE, [yq], [y])
    yield "float_boundary", m, [x], [y]


def refused_model():
    """int8 LOG_SOFTMAX (no integer translator) and a hybrid FULLY_CONNECTED (float input and
    output, int8 weights read without DEQUANTIZE): Edgeflow refuses both in one error. No golden."""
    m = Model()
    x = q8(m, "x", [1, 4, 4, 2], 0.0173, -9)
    s = q8(m, "log_softmax", [1, 4, 4, 2], 16 / 256, 127)
    m.op(OP.LOG_SOFTMAX, [x], [s], OPT.LogSoftmaxOptions, options(S.LogSoftmaxOptionsT))
    f = m.tensor("f", [1, 8])
    w, _ = weights(m, "hybrid", RNG.uniform(-0.3, 0.3, (4, 8)), None, 1.0, bias=False)
    y = m.tensor("y", [1, 4])
    m.op(OP.FULLY_CONNECTED, [f, w, -1], [y], OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT))
    return m.bytes([x, f], [s, y])


def random_input(t, rng=RNG):
    if t.type == F32:
        return rng.uniform(-2, 2, t.shape).astype(np.float32)
    if t.type == S.TensorType.UINT8:
        return rng.integers(0, 256, t.shape).astype(np.uint8)
    return rng.integers(-128, 128, t.shape).astype(np.int8)


def wide_fully_connected():
    """8000 FULLY_CONNECTED outputs from 64 inputs: enough that TFLite's rounding of the
    requantization shows (LiteRT's int8 FULLY_CONNECTED rounds round(acc * scale) in double; the
    Q31 double rounding of its convolutions differs in about 1 output of 1,000)."""
    m = Model()
    x = q8(m, "x", [8, 64], 0.0371, -7)
    w, b = weights(m, "fc", RNG.uniform(-0.3, 0.3, (1000, 64)), None, 0.0371)
    y = q8(m, "y", [8, 1000], 0.05, 5)
    m.op(OP.FULLY_CONNECTED, [x, w, b], [y], OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT))
    yield "wide_fully_connected", m, [x], [y]


def rectifiers():
    """LEAKY_RELU (a table over the int8 values) and PRELU with int8 slopes quantized per tensor,
    one slope per channel ([4]) and one per row and channel ([5, 1, 4], broadcast along W)."""
    m = Model()
    x = q8(m, "x", [1, 5, 6, 4], 0.031, -3)
    leaky = q8(m, "leaky_relu", [1, 5, 6, 4], 0.027, -40)
    m.op(OP.LEAKY_RELU, [x], [leaky], OPT.LeakyReluOptions, options(S.LeakyReluOptionsT, alpha=0.17))
    alpha = np.clip(np.round(RNG.uniform(-0.5, 0.8, [4]) / 0.0063) + 10, -128, 127)
    a = m.tensor("alpha", [4], alpha, np.int8, scale=[0.0063], zero_point=[10])
    p = q8(m, "prelu", [1, 5, 6, 4], 0.025, -20)
    m.op(OP.PRELU, [x, a], [p])
    alpha2 = np.clip(np.round(RNG.uniform(-1.2, 0.4, [5, 1, 4]) / 0.011) - 5, -128, 127)
    a2 = m.tensor("alpha_spatial", [5, 1, 4], alpha2, np.int8, scale=[0.011], zero_point=[-5])
    x2 = q8(m, "x2", [1, 5, 6, 4], 0.019, 7)
    p2 = q8(m, "prelu_spatial", [1, 5, 6, 4], 0.021, 3)
    m.op(OP.PRELU, [x2, a2], [p2])
    yield "rectifiers", m, [x, x2], [leaky, p, p2]


def resizes():
    """int8 RESIZE_BILINEAR (TFLite's 1/1024-step integer kernel): up, up with half-pixel centers
    (negative weights at the edges), align_corners, down with half-pixel centers."""
    m = Model()
    x = q8(m, "x", [1, 4, 5, 3], 0.02, 3)
    z = q8(m, "z", [1, 7, 9, 2], 0.013, -21)
    outs = []
    for name, src, size, align, half in (("up", x, (8, 10), False, False), ("up_half_pixel", x, (8, 10), False, True),
                                         ("align_corners", x, (9, 4), True, False),
                                         ("down_half_pixel", z, (3, 4), False, True)):
        q = m.tensors[src].quantization
        y = q8(m, name, [1, *size, m.tensors[src].shape[3]], q.scale[0], q.zeroPoint[0])
        m.op(OP.RESIZE_BILINEAR, [src, m.const(f"{name}_size", size, np.int32)], [y], OPT.ResizeBilinearOptions,
             options(S.ResizeBilinearOptionsT, alignCorners=align, halfPixelCenters=half))
        outs.append(y)
    yield "resize_bilinear", m, [x, z], outs


def more_movement():
    """int8 data movement beyond `movement` (values copied, one quantization throughout): SLICE,
    SQUEEZE, EXPAND_DIMS, SPLIT, SPLIT_V, PACK, UNPACK, GATHER, TILE, PADV2, SPACE_TO_DEPTH,
    STRIDED_SLICE; MAXIMUM and MINIMUM; ARG_MAX of int8 values."""
    m = Model()
    i32 = np.int32
    scale, zp = 0.021, -6
    x, x2 = q8(m, "x", [1, 4, 6, 3], scale, zp), q8(m, "x2", [1, 4, 6, 3], scale, zp)
    outs = []

    def op(code, inputs, name, shape, opt_type=0, opt=None, dtype=np.int8):
        y = q8(m, name, shape, scale, zp) if dtype == np.int8 else m.tensor(name, shape, dtype=dtype)
        m.op(code, inputs, [y], opt_type, opt)
        outs.append(y)
        return y
    sl = op(OP.SLICE, [x, m.const("sb", [0, 1, 2, 0], i32), m.const("ss", [1, 1, -1, 2], i32)], "slice", [1, 1, 4, 2])
    op(OP.SQUEEZE, [sl], "squeeze", [4, 2], OPT.SqueezeOptions, options(S.SqueezeOptionsT, squeezeDims=[0, 1]))
    op(OP.EXPAND_DIMS, [x, m.const("ea", [4], i32)], "expand_dims", [1, 4, 6, 3, 1])
    pieces = [q8(m, f"split_{k}", [1, 4, 2, 3], scale, zp) for k in range(3)]
    m.op(OP.SPLIT, [m.const("sa", [2], i32), x], pieces, OPT.SplitOptions, options(S.SplitOptionsT, numSplits=3))
    vp = [q8(m, f"split_v_{k}", [1, 4, 6, n], scale, zp) for k, n in enumerate([2, 1])]
    m.op(OP.SPLIT_V, [x, m.const("vs", [2, 1], i32), m.const("va", [3], i32)], vp, OPT.SplitVOptions,
         options(S.SplitVOptionsT, numSplits=2))
    outs += pieces + vp
    op(OP.PACK, [x, x2], "pack", [1, 4, 2, 6, 3], OPT.PackOptions, options(S.PackOptionsT, valuesCount=2, axis=2))
    up = [q8(m, f"unpack_{k}", [1, 6, 3], scale, zp) for k in range(4)]
    m.op(OP.UNPACK, [x], up, OPT.UnpackOptions, options(S.UnpackOptionsT, num=4, axis=1))
    outs += up
    op(OP.GATHER, [x, m.const("gi", [5, 0, 2], i32)], "gather", [1, 4, 3, 3], OPT.GatherOptions,
       options(S.GatherOptionsT, axis=2))
    op(OP.TILE, [x, m.const("tm", [1, 1, 2, 2], i32)], "tile", [1, 4, 12, 6])
    fill = m.tensor("fill", [], [7], np.int8, scale=[scale], zero_point=[zp])
    op(OP.PADV2, [x, m.const("pp", [[0, 0], [1, 0], [0, 2], [1, 1]], i32), fill], "padv2", [1, 5, 8, 5])
    op(OP.SPACE_TO_DEPTH, [x], "space_to_depth", [1, 2, 3, 12], OPT.SpaceToDepthOptions,
       options(S.SpaceToDepthOptionsT, blockSize=2))
    op(OP.STRIDED_SLICE, [x, m.const("b", [0, 3, 0, 2], i32), m.const("e", [1, 0, 6, 0], i32),
                          m.const("st", [1, -2, 2, -1], i32)], "strided_slice", [1, 2, 3, 3],
       OPT.StridedSliceOptions, options(S.StridedSliceOptionsT, endMask=0b1010))
    row = m.tensor("row", [3], RNG.integers(-128, 128, 3), np.int8, scale=[scale], zero_point=[zp])
    op(OP.MAXIMUM, [x, row], "maximum", [1, 4, 6, 3])
    op(OP.MINIMUM, [x, x2], "minimum", [1, 4, 6, 3])
    op(OP.ARG_MAX, [x, m.const("am", [3], i32)], "arg_max", [1, 4, 6], OPT.ArgMaxOptions,
       options(S.ArgMaxOptionsT, outputType=S.TensorType.INT32), dtype=np.int32)
    yield "more_movement", m, [x, x2], outs


def write_small_models(models, versions, prefix="tflite_int8", out=OUT, rng=RNG, generator=GENERATOR,
                       kind="BUILTIN_REF"):
    """Writes each (case, model, inputs, outputs) to out/<case>.tflite with a golden case
    <prefix>_<case> on seeded random inputs, run by LiteRT's resolver `kind` (its reference
    kernels unless told); returns the paths."""
    paths = []
    for case, m, inputs, outputs in models:
        path = os.path.join(out, f"{case}.tflite")
        with open(path, "wb") as f:
            f.write(m.bytes(inputs, outputs))
        feeds = {m.tensors[i].name: random_input(m.tensors[i], rng) for i in inputs}
        result, _ = litert(path, feeds, kind=kind)
        for i in outputs:
            t, r = m.tensors[i], result[m.tensors[i].name]
            assert list(r.shape) == t.shape, (case, t.name, r.shape, t.shape)
            ends = np.isin(r, [np.iinfo(r.dtype).min, np.iinfo(r.dtype).max]) if r.dtype.kind in "iu" else r != r
            print(f"[{prefix}] {case}/{t.name}: {r.dtype} {list(r.shape)} range [{r.min()}, {r.max()}], "
                  f"saturated {ends.mean():.2f}")
        kernels = "reference kernels" if kind == "BUILTIN_REF" else f"builtin kernels ({kind})"
        write_case(f"{prefix}_{case}", description=f"generated {prefix[7:]} TFLite model '{case}' run by LiteRT's "
                   + kernels, model=os.path.relpath(path, REPO), inputs=feeds, outputs=result,
                   tolerance=0.0, generator=generator, model_origin=f"{generator} (committed)", tool_versions=versions)
        paths.append(path)
    return paths


def main():
    import ai_edge_litert
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(SEEDS, exist_ok=True)
    paths = [face_detector(versions)] + write_small_models(small_models(), versions)
    path = os.path.join(OUT, "refused.tflite")
    with open(path, "wb") as f:
        f.write(refused_model())
    paths.append(path)
    # Added later: last, so the random data above stays as committed. The hand model (1.4 MB) is
    # no fuzz seed: inputs that large slow the fuzzer for no new code.
    hand_landmark(versions)
    paths += write_small_models(wide_fully_connected(), versions)
    paths += write_small_models(rectifiers(), versions)
    paths += write_small_models(resizes(), versions)
    palm_detector(versions)
    paths += write_small_models(more_movement(), versions)
    for path in paths:
        shutil.copy(path, os.path.join(SEEDS, "int8_" + os.path.basename(path).replace("_int8", "")))


if __name__ == "__main__":
    main()

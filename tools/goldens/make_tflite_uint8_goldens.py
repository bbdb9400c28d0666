#!/usr/bin/env python3
"""TFLite models that compute in uint8 (TFLite's older asymmetric quantization), with LiteRT goldens.

Needs what make_tflite_int8_goldens.py needs (ai-edge-litert, numpy, pillow; scripts/setup.sh
having run for the MediaPipe face detector and the astronaut photo). Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_uint8_goldens.py

Writes Tests/Goldens/tflite_uint8/*.tflite (committed; the small ones copied to
Fuzz/seeds/tflite/uint8_*.tflite) and golden cases tflite_uint8_*, tolerance 0 (exact):

- face_detection_short_range_uint8.tflite: MediaPipe's float16 face detector quantized as
  TFLite's converter quantized models before int8 (and as the quantized MobileNets on TF Hub
  are): activations uint8 asymmetric per tensor (calibrated as in make_tflite_int8_goldens.py),
  conv weights uint8 asymmetric per tensor (zero point from the weights' range), biases int32
  with scale input_scale * weight_scale; MAX_POOL_2D, PAD, RESHAPE and CONCATENATION sharing one
  scale and zero point. Cases tflite_uint8_face_detection_photo and _random.
- conv (CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MEAN, FULLY_CONNECTED, SOFTMAX: a MobileNet
  tail), wide_fully_connected (8000 outputs: shows the requantization's rounding), elementwise
  (ADD, SUB, MUL, the ReLUs, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, PRELU, QUANTIZE between
  uint8 and int8, MAX_POOL_2D, CONCATENATION, RESHAPE): small generated uint8 models with scales
  and zero points that differ per tensor, seeded random uint8 inputs. Cases tflite_uint8_<name>.
- refused_resize.tflite: a uint8 RESIZE_BILINEAR whose output is quantized unlike its input,
  which TFLite's kernel does not rescale and Edgeflow refuses (no golden).

Outputs come from LiteRT's reference kernels (OpResolverType.BUILTIN_REF, no XNNPACK).
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import GOLDENS, REPO, TESTDATA, require, write_case  # noqa: E402
from make_tflite_int8_goldens import (calibrated, fold_dequantize, unite_concatenation_ranges,  # noqa: E402
                                      write_quantized, write_small_models)
from make_tflite_op_goldens import OP, OPT, SEEDS, Model, options  # noqa: E402
from tflitelib import asymmetric, buffer_array, litert, load, opcode, quantization, quantize_bias  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_uint8_goldens.py"
OUT = os.path.join(GOLDENS, "tflite_uint8")
UINT8, INT8, INT32 = S.TensorType.UINT8, S.TensorType.INT8, S.TensorType.INT32
RNG = np.random.default_rng(80)


def uint8_weights(w):
    """uint8 asymmetric per-tensor weights: (values, scale, zero point) over w's range."""
    scale, zero_point = asymmetric(w.min(), w.max(), 0, 255)
    return np.clip(np.round(w / scale) + zero_point, 0, 255).astype(np.uint8), scale, zero_point


def quantize_model(model, ranges):
    """The float model as uint8 (see the module docstring); returns {tensor: (scale, zero point)}."""
    g = model.subgraphs[0]
    unite_concatenation_ranges(model, ranges)
    params = {i: asymmetric(*r, 0, 255) for i, r in ranges.items()}
    for op in g.operators:
        if opcode(model, op) in (OP.MAX_POOL_2D, OP.PAD, OP.RESHAPE):
            params[op.outputs[0]] = params[op.inputs[0]]
    for i, (scale, zero_point) in params.items():
        g.tensors[i].type, g.tensors[i].quantization = UINT8, quantization([scale], [zero_point])
    for op in g.operators:
        if opcode(model, op) in (OP.CONV_2D, OP.DEPTHWISE_CONV_2D):
            w, b = g.tensors[op.inputs[1]], g.tensors[op.inputs[2]]
            qw, ws, wz = uint8_weights(buffer_array(model, w, np.float32))
            qb, bs = quantize_bias(buffer_array(model, b, np.float32), params[op.inputs[0]][0], [ws])
            model.buffers[w.buffer].data = np.frombuffer(qw.tobytes(), np.uint8)
            model.buffers[b.buffer].data = np.frombuffer(qb.tobytes(), np.uint8)
            w.type, w.quantization = UINT8, quantization([ws], [wz])
            b.type, b.quantization = INT32, quantization(bs, [0])
    return params


def face_detector(versions):
    from make_tflite_goldens import photo
    name = "face_detection_short_range"
    model = load(require(os.path.join(TESTDATA, "models", "mediapipe", f"{name}.tflite")))
    fold_dequantize(model)
    g = model.subgraphs[0]
    input_name = g.tensors[g.inputs[0]].name.decode()
    base = photo((128, 128), None, (-1.0, 1.0))
    images = [base, base[:, :, ::-1], np.clip(base * 1.3, -1, 1), np.clip(base * 0.6 - 0.2, -1, 1),
              np.clip(base + RNG.normal(0, 0.1, base.shape), -1, 1)]
    ranges, float_out = calibrated(model, images, input_name)
    params = quantize_model(model, ranges)
    path = os.path.join(OUT, f"{name}_uint8.tflite")
    write_quantized(model, f"{name} uint8 ({GENERATOR})", path)
    in_scale, in_zp = params[g.inputs[0]]
    photo_q = np.clip(np.round(base / np.float32(in_scale)) + in_zp, 0, 255).astype(np.uint8)
    for case, x in {"photo": photo_q, "random": RNG.integers(0, 256, (1, 128, 128, 3)).astype(np.uint8)}.items():
        out, _ = litert(path, {input_name: x})
        extra = None
        if case == "photo":
            extra = {"float_model_comparison": {}}
            for i in g.outputs:
                out_name, (scale, zp) = g.tensors[i].name.decode(), params[i]
                deq = (out[out_name].astype(np.float32) - zp) * scale
                extra["float_model_comparison"][out_name] = {
                    "max_abs_diff": float(np.abs(deq - float_out[out_name]).max()),
                    "float_abs_max": float(np.abs(float_out[out_name]).max())}
            print(f"[uint8] {name}: dequantized uint8 vs float on the photo: {extra}")
        write_case(f"tflite_uint8_face_detection_{case}", description=f"{name} quantized to uint8 here, on "
                   + ("skimage's astronaut photo quantized to the input's parameters" if case == "photo"
                      else "seeded random uint8") + ", run by LiteRT's reference kernels",
                   model=os.path.relpath(path, REPO), inputs={input_name: x}, outputs=out, tolerance=0.0,
                   generator=GENERATOR, model_origin=f"{GENERATOR} from .testdata/models/mediapipe/{name}.tflite "
                   "(mediapipe==0.10.14), committed", tool_versions=versions, extra=extra)
    return path


# ---- small generated uint8 models ----

def u8(m, name, shape, scale, zero_point, dtype=np.uint8):
    return m.tensor(name, shape, dtype=dtype, scale=[scale], zero_point=[zero_point])


def weights(m, name, w, in_scale, bias=True):
    """uint8 per-tensor weights and an int32 bias of scale in_scale * weight scale."""
    qw, ws, wz = uint8_weights(w)
    wi = m.tensor(f"{name}_w", w.shape, qw, np.uint8, scale=[ws], zero_point=[wz])
    if not bias:
        return wi, -1
    n = w.shape[3] if name.startswith("dw") else w.shape[0]
    qb, bs = quantize_bias(RNG.uniform(-0.6, 0.6, n), in_scale, [ws])
    return wi, m.tensor(f"{name}_b", [n], qb, np.int32, scale=bs.tolist(), zero_point=[0])


def small_models():
    m = Model()
    x = u8(m, "x", [1, 9, 11, 3], 0.0173, 121)
    w, b = weights(m, "conv", RNG.uniform(-0.8, 1.1, [8, 3, 3, 3]), 0.0173)
    y = u8(m, "conv_relu6", [1, 5, 6, 8], 0.0293, 12)
    m.op(OP.CONV_2D, [x, w, b], [y], OPT.Conv2DOptions, options(
        S.Conv2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2, fusedActivationFunction=3))
    w, b = weights(m, "dw", RNG.uniform(-0.4, 0.5, [1, 3, 3, 16]), 0.0293)
    z = u8(m, "depthwise_relu", [1, 3, 4, 16], 0.0131, 7)
    m.op(OP.DEPTHWISE_CONV_2D, [y, w, b], [z], OPT.DepthwiseConv2DOptions, options(
        S.DepthwiseConv2DOptionsT, padding=S.Padding.VALID, strideW=1, strideH=1, depthMultiplier=2,
        fusedActivationFunction=1))
    p = u8(m, "average_pool", [1, 2, 2, 16], 0.0131, 7)
    m.op(OP.AVERAGE_POOL_2D, [z], [p], OPT.Pool2DOptions, options(
        S.Pool2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2, filterWidth=3, filterHeight=3))
    mean = u8(m, "mean", [1, 1, 1, 16], 0.0093, 3)
    m.op(OP.MEAN, [z, m.const("axes", [1, 2], np.int32)], [mean], OPT.ReducerOptions,
         options(S.ReducerOptionsT, keepDims=True))
    flat = u8(m, "flat", [1, 16], 0.0093, 3)
    m.op(OP.RESHAPE, [mean, m.const("flat_shape", [1, 16], np.int32)], [flat])
    w, b = weights(m, "fc", RNG.uniform(-0.5, 0.7, [10, 16]), 0.0093)
    logits = u8(m, "logits", [1, 10], 0.0217, 131)
    m.op(OP.FULLY_CONNECTED, [flat, w, b], [logits], OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT))
    probs = u8(m, "softmax", [1, 10], 1.0 / 256, 0)
    m.op(OP.SOFTMAX, [logits], [probs], OPT.SoftmaxOptions, options(S.SoftmaxOptionsT, beta=1.0))
    yield "conv", m, [x], [y, z, p, mean, logits, probs]

    m = Model()
    x = u8(m, "x", [8, 64], 0.0371, 131)
    w, b = weights(m, "fc", RNG.uniform(-0.3, 0.3, (1000, 64)), 0.0371)
    y = u8(m, "y", [8, 1000], 0.05, 128)
    m.op(OP.FULLY_CONNECTED, [x, w, b], [y], OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT))
    yield "wide_fully_connected", m, [x], [y]

    m = Model()
    a, b, c = u8(m, "a", [1, 4, 5, 3], 0.0157, 131), u8(m, "b", [1, 1, 1, 3], 0.0391, 116), \
        u8(m, "c", [1, 4, 5, 3], 0.0229, 145)
    outs = []
    for name, code, inputs, (scale, zp), opt in [
            ("add_broadcast", OP.ADD, [a, b], (0.0457, 122), (OPT.AddOptions, options(S.AddOptionsT))),
            ("add_relu", OP.ADD, [a, c], (0.0173, 9),
             (OPT.AddOptions, options(S.AddOptionsT, fusedActivationFunction=1))),
            ("sub", OP.SUB, [a, c], (0.0311, 134), (OPT.SubOptions, options(S.SubOptionsT))),
            ("mul", OP.MUL, [a, b], (0.0523, 126), (OPT.MulOptions, options(S.MulOptionsT))),
            ("relu", OP.RELU, [a], (0.0079, 3), (0, None)), ("relu6", OP.RELU6, [c], (0.0119, 27), (0, None)),
            ("logistic", OP.LOGISTIC, [a], (1.0 / 256, 0), (0, None)),
            ("tanh", OP.TANH, [c], (1.0 / 128, 128), (0, None)),
            ("hard_swish", OP.HARD_SWISH, [a], (0.0141, 40), (0, None)),
            ("leaky_relu", OP.LEAKY_RELU, [c], (0.0201, 90),
             (OPT.LeakyReluOptions, options(S.LeakyReluOptionsT, alpha=0.13))),
            ("max_pool", OP.MAX_POOL_2D, [a], (0.0157, 131), (OPT.Pool2DOptions, options(
                S.Pool2DOptionsT, padding=S.Padding.VALID, strideW=1, strideH=2, filterWidth=2, filterHeight=2)))]:
        shape = m.tensors[inputs[0]].shape if code != OP.MAX_POOL_2D else [1, 2, 4, 3]
        outs.append(u8(m, name, shape, scale, zp))
        m.op(code, inputs, [outs[-1]], *opt)
    alpha = m.tensor("alpha", [3], RNG.integers(0, 256, 3), np.uint8, scale=[0.0061], zero_point=[140])
    outs.append(u8(m, "prelu", [1, 4, 5, 3], 0.0188, 100))
    m.op(OP.PRELU, [c, alpha], [outs[-1]])
    outs.append(u8(m, "to_int8", [1, 4, 5, 3], 0.0201, -9, np.int8))
    m.op(OP.QUANTIZE, [a], [outs[-1]])
    outs.append(u8(m, "back_to_uint8", [1, 4, 5, 3], 0.0173, 125))
    m.op(OP.QUANTIZE, [outs[-2]], [outs[-1]])
    cat = u8(m, "concat", [1, 4, 5, 6], 0.0157, 131)
    m.op(OP.CONCATENATION, [a, a], [cat], OPT.ConcatenationOptions,
         options(S.ConcatenationOptionsT, axis=3))
    outs.append(cat)
    yield "elementwise", m, [a, b, c], outs


def refused_model():
    """A uint8 RESIZE_BILINEAR with another output quantization (TFLite's kernel copies the scale
    through, so the values would change meaning): refused, naming the operator."""
    m = Model()
    x, y = u8(m, "x", [1, 4, 5, 3], 0.02, 128), u8(m, "y", [1, 8, 10, 3], 0.03, 120)
    m.op(OP.RESIZE_BILINEAR, [x, m.const("size", [8, 10], np.int32)], [y], OPT.ResizeBilinearOptions,
         options(S.ResizeBilinearOptionsT))
    return m.bytes([x], [y])


def main():
    import ai_edge_litert
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    os.makedirs(OUT, exist_ok=True)
    face_detector(versions)
    paths = write_small_models(small_models(), versions, prefix="tflite_uint8", out=OUT, rng=RNG,
                               generator=GENERATOR)
    path = os.path.join(OUT, "refused_resize.tflite")
    with open(path, "wb") as f:
        f.write(refused_model())
    for path in paths + [path]:
        shutil.copy(path, os.path.join(SEEDS, "uint8_" + os.path.basename(path)))


if __name__ == "__main__":
    main()

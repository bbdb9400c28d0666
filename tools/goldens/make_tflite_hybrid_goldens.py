#!/usr/bin/env python3
"""Hybrid TFLite models (float activations, int8 weights: TF's dynamic-range quantization) with
goldens from LiteRT's reference kernels.

Needs (dev venv): ai-edge-litert, numpy. Usage:
  .venv/bin/python tools/goldens/make_tflite_hybrid_goldens.py

Writes Tests/Goldens/tflite_ops/hybrid.tflite (case tflite_op_hybrid, tolerance 1e-5, copied to
Fuzz/seeds/tflite/): FULLY_CONNECTED with per-channel int8 weights and asymmetric input
quantization (TF's default) on [4, 24] rows, one of them all zeros and one landing on rounding
ties, with a float bias and RELU;
with one weight scale and symmetric input quantization, keep_num_dims on [1, 3, 24]; CONV_2D with
per-channel int8 weights on a batch of two images (each quantized on its own), SAME padding at
stride 2 (taps outside the image), a float bias and RELU6; DEPTHWISE_CONV_2D (multiplier 2, per-channel
scales along the last axis, SAME) on the same images.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import REPO, write_case  # noqa: E402
from make_tflite_op_goldens import OP, OPT, OUT, SEEDS, Model, options  # noqa: E402
import tflitelib  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_hybrid_goldens.py"
RNG = np.random.default_rng(31)


def int8_weights(m, name, w, per_channel):
    """Symmetric int8 weights, scales per output channel (axis 0) or one, zero points 0."""
    if per_channel:
        q, scales = tflitelib.symmetric_per_channel(w, 0)
    else:
        q, scales = tflitelib.symmetric_per_channel(w.reshape(1, -1), 0)
        q = q.reshape(w.shape)
    return m.tensor(name, list(w.shape), q, np.int8, scale=[float(s) for s in scales],
                    zero_point=[0] * len(scales))


def model():
    m = Model()
    rows = m.tensor("rows", [4, 24])
    w = int8_weights(m, "fc_w", RNG.uniform(-0.5, 0.5, (10, 24)) * RNG.uniform(0.2, 1.5, (10, 1)), True)
    fc = m.tensor("fc_asymmetric", [4, 10])
    m.op(OP.FULLY_CONNECTED, [rows, w, m.const("fc_b", RNG.uniform(-0.3, 0.3, 10).astype(np.float32))], [fc],
         OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT, fusedActivationFunction=1,
                                            asymmetricQuantizeInputs=True))
    seq = m.tensor("sequence", [1, 3, 24])
    w2 = int8_weights(m, "fc2_w", RNG.uniform(-0.8, 0.8, (6, 24)), False)
    fc2 = m.tensor("fc_symmetric", [1, 3, 6])
    m.op(OP.FULLY_CONNECTED, [seq, w2, -1], [fc2], OPT.FullyConnectedOptions,
         options(S.FullyConnectedOptionsT, keepNumDims=True, asymmetricQuantizeInputs=False))
    image = m.tensor("image", [2, 7, 9, 5])
    cw = int8_weights(m, "conv_w", RNG.uniform(-0.4, 0.4, (8, 3, 3, 5)) * RNG.uniform(0.3, 1.2, (8, 1, 1, 1)), True)
    conv = m.tensor("conv", [2, 4, 5, 8])
    m.op(OP.CONV_2D, [image, cw, m.const("conv_b", RNG.uniform(-0.5, 0.5, 8).astype(np.float32))], [conv],
         OPT.Conv2DOptions, options(S.Conv2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2,
                                    fusedActivationFunction=3))
    dw = int8_weights(m, "dw_w", RNG.uniform(-0.6, 0.6, (1, 3, 3, 10)), False)
    m.tensors[dw].quantization.scale = [float(x) for x in RNG.uniform(0.002, 0.006, 10).astype(np.float32)]
    m.tensors[dw].quantization.zeroPoint = [0] * 10
    m.tensors[dw].quantization.quantizedDimension = 3
    depthwise = m.tensor("depthwise", [2, 7, 9, 10])
    m.op(OP.DEPTHWISE_CONV_2D, [image, dw, m.const("dw_b", RNG.uniform(-0.2, 0.2, 10).astype(np.float32))],
         [depthwise], OPT.DepthwiseConv2DOptions, options(S.DepthwiseConv2DOptionsT, padding=S.Padding.SAME,
                                                          strideW=1, strideH=1, depthMultiplier=2))
    return m, [rows, seq, image], [fc, fc2, conv, depthwise]


def main():
    import ai_edge_litert
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    m, inputs, outputs = model()
    path = os.path.join(OUT, "hybrid.tflite")
    with open(path, "wb") as f:
        f.write(m.bytes(inputs, outputs))
    rows = RNG.uniform(-2, 3, (4, 24)).astype(np.float32)
    rows[2] = 0   # a row of zeros: LiteRT gives the bias
    # A row whose scale is exactly 1 (range [0, 255]), so x / scale lands on ties: LiteRT's x86
    # build rounds x / scale before adding the zero point −128 (68.5 → 69 − 128 = −59).
    rows[3] = np.array([0, 255] + [k + 0.5 for k in range(3, 135, 6)], np.float32)
    feeds = {"rows": rows, "sequence": RNG.uniform(-1, 1, (1, 3, 24)).astype(np.float32),
             "image": (RNG.uniform(-1, 1, (2, 7, 9, 5)) * np.array([1, 4]).reshape(2, 1, 1, 1)).astype(np.float32)}
    result, _ = tflitelib.litert(path, feeds)
    for name, value in result.items():
        print(f"[hybrid] {name}: {list(value.shape)} range [{value.min():.3f}, {value.max():.3f}]")
    write_case("tflite_op_hybrid", description="generated hybrid TFLite model 'hybrid' run by LiteRT's "
               "reference kernels", model=os.path.relpath(path, REPO), inputs=feeds, outputs=result,
               tolerance=1e-5, generator=GENERATOR, model_origin=f"{GENERATOR} (committed)", tool_versions=versions)
    tflitelib_copy = os.path.join(SEEDS, "hybrid.tflite")
    with open(path, "rb") as src, open(tflitelib_copy, "wb") as dst:
        dst.write(src.read())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate face models shaped like Immich's `buffalo_l` pack, in its folder layout.

No SCRFD or ArcFace weights can be downloaded on the machines we build on, so this writes models
with the same input and output names, dtypes and shapes as insightface's `det_10g.onnx` and
`w600k_r50.onnx` (names as insightface's model zoo lists them for those files; no real file was
available to compare), so a real `buffalo_l` folder works unchanged:

  OUT/detection/model.onnx    "input.1" float32 [1, 3, H, W] (H, W dynamic) →
                              scores "448" "471" "494" [n_s, 1], boxes "451" "474" "497" [n_s, 4],
                              landmarks "454" "477" "500" [n_s, 10]; strides 8, 16, 32, 2 anchors
                              (n_s = H/s · W/s · 2), rows ordered (y, x, anchor) as SCRFD's heads.
  OUT/recognition/model.onnx  "input.1" float32 [1, 3, 112, 112] → "683" float32 [1, 512]

The detector is not random: it fires on bright cells. Each stride averages the grey level over
s×s cells; the score is a sigmoid of that average, boxes and landmarks are affine in it. So a
light square on a dark photo is "a face", which lets tests check SCRFD's decoding, the landmark
offsets and non-maximum suppression against a NumPy reimplementation of insightface's code
(tools/vision/make_face_goldens.py). The recognizer is a small conv net with seeded weights.

Usage:
  .venv/bin/python tools/models/make_face_models.py -o .testdata/immich-models/buffalo_l
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnxbuild import GraphBuilder, Weights, write_model  # noqa: E402

GENERATOR = "tools/models/make_face_models.py"
STRIDES = (8, 16, 32)
SCORE_NAMES = ("448", "471", "494")
BOX_NAMES = ("451", "474", "497")
LANDMARK_NAMES = ("454", "477", "500")
# Landmark offsets of a face centred on its anchor, in stride units: eyes, nose, mouth corners.
LANDMARKS = (-0.6, -0.4, 0.6, -0.4, 0.0, 0.1, -0.45, 0.6, 0.45, 0.6)


def head(g: GraphBuilder, cells: str, name: str, weight: np.ndarray, bias: np.ndarray, width: int, out: str):
    """A 1×1 conv over the cell averages, laid out as SCRFD's heads: [1, C, h, w] → [h·w·2, width]."""
    conv = g.op("Conv", [cells, g.param(name + ".weight", weight.reshape(-1, 1, 1, 1)),
                         g.param(name + ".bias", bias)])
    if name.startswith("score"):
        conv = g.op("Sigmoid", [conv])
    moved = g.op("Transpose", [conv], perm=[0, 2, 3, 1])
    return g.op("Reshape", [moved, g.const([-1, width])], output_names=[out])


def detector() -> GraphBuilder:
    g = GraphBuilder("scrfd_like")
    x = g.input("input.1", TensorProto.FLOAT, [1, 3, "?", "?"])
    grey = g.op("Conv", [x, g.param("grey.weight", np.full((1, 3, 1, 1), 1 / 3, np.float32))])
    outputs = {}
    for level, stride in enumerate(STRIDES):
        cells = g.op("AveragePool", [grey], kernel_shape=[stride, stride], strides=[stride, stride])
        # Two anchors with different thresholds on the cell average (inputs are (pixel − 127.5) / 128).
        outputs[SCORE_NAMES[level]] = head(g, cells, f"score{stride}", np.array([30, 30], np.float32),
                                           np.array([-30 * 0.62, -30 * 0.7], np.float32), 1, SCORE_NAMES[level])
        box_bias = np.array([1.6, 1.5, 1.7, 1.8, 2.0, 1.9, 2.1, 2.2], np.float32)
        outputs[BOX_NAMES[level]] = head(g, cells, f"bbox{stride}", np.full(8, 0.25, np.float32), box_bias, 4,
                                         BOX_NAMES[level])
        landmark_bias = np.array(LANDMARKS + tuple(v * 1.2 for v in LANDMARKS), np.float32)
        outputs[LANDMARK_NAMES[level]] = head(g, cells, f"kps{stride}", np.full(20, 0.1, np.float32),
                                              landmark_bias, 10, LANDMARK_NAMES[level])
    for names, width in ((SCORE_NAMES, 1), (BOX_NAMES, 4), (LANDMARK_NAMES, 10)):
        for name in names:
            g.output(name, TensorProto.FLOAT, ["?", width])
    return g


def recognizer(seed: int) -> GraphBuilder:
    w = Weights(seed)
    g = GraphBuilder("arcface_like")
    x = g.input("input.1", TensorProto.FLOAT, [1, 3, 112, 112])
    conv = g.op("Conv", [x, g.param("conv1.weight", w.fan_in((8, 3, 3, 3), 27)),
                         g.param("conv1.bias", w.symmetric((8,), 0.1))], strides=[2, 2], pads=[1, 1, 1, 1])
    act = g.op("PRelu", [conv, g.param("prelu1.weight", np.full((8, 1, 1), 0.25, np.float32))])
    pooled = g.op("AveragePool", [act], kernel_shape=[14, 14], strides=[14, 14])  # [1, 8, 4, 4]
    flat = g.op("Flatten", [pooled])
    g.op("Gemm", [flat, g.param("fc.weight", w.fan_in((512, 128), 128)), g.param("fc.bias", w.symmetric((512,), 0.1))],
         transB=1, output_names=["683"])
    g.output("683", TensorProto.FLOAT, [1, 512])
    return g


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, help="the model folder to write (e.g. …/buffalo_l)")
    parser.add_argument("--seed", type=int, default=112)
    args = parser.parse_args(argv)
    config = {"seed": args.seed}
    write_model(detector(), config, os.path.join(args.output, "detection", "model.onnx"),
                "SCRFD-shaped face detector that fires on bright cells (generated)", GENERATOR)
    write_model(recognizer(args.seed), config, os.path.join(args.output, "recognition", "model.onnx"),
                "ArcFace-shaped face recognizer with seeded weights (generated)", GENERATOR)


if __name__ == "__main__":
    main()

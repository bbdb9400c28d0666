#!/usr/bin/env python3
"""A generated TFLite model ending in TFLite_Detection_PostProcess (the custom operator of TF's SSD
and EfficientDet-Lite detectors), with a LiteRT golden.

Needs (dev venv): ai-edge-litert, numpy, flatbuffers. Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_detection_goldens.py

Writes Tests/Goldens/tflite_ops/detection.tflite (committed, copied to Fuzz/seeds/tflite/) and
the golden case tflite_op_detection (tolerance 1e-4). 128 anchors: an 8×8 grid of cells with two
anchors each (a small and a large one, which overlap), box encodings seeded in (-0.5, 0.5), class
scores seeded uniform in (0, 1) for a background column and 3 classes. Two post-process operators
share those inputs, their options FlexBuffers maps as TF's converter writes them:
- 10 detections, IoU threshold 0.5, score threshold 0.3, scales 10/10/5/5, background column;
- 6 detections, IoU threshold 0.35, score threshold 0.6, scales 8/8/4/4, read with the background
  column counted as a class (num_classes 4).
Enough anchors survive that every output row is written (LiteRT leaves unselected rows unwritten).

And tflite_op_detection_uint8: the first operator on uint8 inputs, as in TF's quantized SSD
MobileNets (box encodings, class predictions and the constant anchors quantized; LiteRT
dequantizes them first), its inputs the float ones quantized.
"""

from __future__ import annotations

import os
import sys

import numpy as np
from flatbuffers import flexbuffers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tflite_op_goldens import OP, Model, write_model_case  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_detection_goldens.py"
RNG = np.random.default_rng(31)
GRID, CLASSES = 8, 3
ANCHORS = GRID * GRID * 2


def anchors():
    """[128, 4] (y, x, h, w): per cell a 0.1 and a 0.25 square at the cell's center."""
    rows = []
    for i in range(GRID):
        for j in range(GRID):
            for size in (0.1, 0.25):
                rows.append([(i + 0.5) / GRID, (j + 0.5) / GRID, size, size])
    return np.array(rows, np.float32)


def post_process(m, boxes, scores, anchor_tensor, name, detections, options):
    outs = [m.tensor(f"{name}_boxes", [1, detections, 4]), m.tensor(f"{name}_classes", [1, detections]),
            m.tensor(f"{name}_scores", [1, detections]), m.tensor(f"{name}_count", [1])]
    m.op(OP.CUSTOM, [boxes, scores, anchor_tensor], outs, custom=b"TFLite_Detection_PostProcess",
         custom_options=flexbuffers.Dumps(options))
    return outs


def detection_case():
    m = Model()
    boxes, scores = m.tensor("box_encodings", [1, ANCHORS, 4]), m.tensor("class_predictions", [1, ANCHORS, 4])
    anchor_tensor = m.const("anchors", anchors())
    first = post_process(m, boxes, scores, anchor_tensor, "ssd", 10, {
        "max_detections": 10, "max_classes_per_detection": 1, "detections_per_class": 100,
        "use_regular_nms": False, "nms_score_threshold": 0.3, "nms_iou_threshold": 0.5, "num_classes": CLASSES,
        "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0})
    second = post_process(m, boxes, scores, anchor_tensor, "strict", 6, {
        "max_detections": 6, "max_classes_per_detection": 1, "nms_score_threshold": 0.6,
        "nms_iou_threshold": 0.35, "num_classes": CLASSES + 1, "y_scale": 8.0, "x_scale": 8.0,
        "h_scale": 4.0, "w_scale": 4.0})
    feeds = {"box_encodings": RNG.uniform(-0.5, 0.5, (1, ANCHORS, 4)).astype(np.float32),
             "class_predictions": RNG.uniform(0, 1, (1, ANCHORS, CLASSES + 1)).astype(np.float32)}
    return m, [boxes, scores], first + second, feeds


def quantized(values, lo, hi):
    """uint8 values with (scale, zero point) covering [lo, hi]."""
    scale = (hi - lo) / 255.0
    zero = int(round(-lo / scale))
    return np.clip(np.round(values / scale) + zero, 0, 255).astype(np.uint8), scale, zero


def detection_uint8_case(float_feeds):
    m = Model()
    boxes_q, box_scale, box_zero = quantized(float_feeds["box_encodings"], -0.5, 0.5)
    scores_q, score_scale, score_zero = quantized(float_feeds["class_predictions"], 0.0, 1.0)
    anchors_q, anchor_scale, anchor_zero = quantized(anchors(), 0.0, 1.0)
    boxes = m.tensor("box_encodings", [1, ANCHORS, 4], dtype=np.uint8, scale=[box_scale], zero_point=[box_zero])
    scores = m.tensor("class_predictions", [1, ANCHORS, 4], dtype=np.uint8, scale=[score_scale],
                      zero_point=[score_zero])
    anchor_tensor = m.tensor("anchors", [ANCHORS, 4], anchors_q, dtype=np.uint8, scale=[anchor_scale],
                             zero_point=[anchor_zero])
    outs = post_process(m, boxes, scores, anchor_tensor, "ssd", 10, {
        "max_detections": 10, "max_classes_per_detection": 1, "use_regular_nms": False,
        "nms_score_threshold": 0.3, "nms_iou_threshold": 0.5, "num_classes": CLASSES,
        "y_scale": 10.0, "x_scale": 10.0, "h_scale": 5.0, "w_scale": 5.0})
    return m, [boxes, scores], outs, {"box_encodings": boxes_q, "class_predictions": scores_q}


def main():
    import ai_edge_litert
    m, inputs, outputs, feeds = detection_case()
    result = write_model_case("detection", m, inputs, outputs, feeds, GENERATOR,
                              {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__})
    for name in ("ssd", "strict"):
        count = int(result[f"{name}_count"][0])
        assert count == result[f"{name}_scores"].shape[1], (name, count)   # every row written
        print(f"[detection] {name}: {count} detections, classes {result[f'{name}_classes'][0].tolist()}")
    m, inputs, outputs, feeds = detection_uint8_case(feeds)
    result = write_model_case("detection_uint8", m, inputs, outputs, feeds, GENERATOR,
                              {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__})
    assert int(result["ssd_count"][0]) == 10


if __name__ == "__main__":
    main()

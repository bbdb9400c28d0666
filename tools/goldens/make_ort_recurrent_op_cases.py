#!/usr/bin/env python3
"""Make single-op cases for LSTM, GRU and RNN with per-batch sequence lengths whose expected
outputs come from onnxruntime: sequence_lens as a graph input (so Edgeflow masks the steps at run
time), in forward, reverse and bidirectional directions, with initial states and LSTM peepholes.
Every length is at least 1 (what a length of 0 gives for Y_h is left open by the ONNX spec).

Same layout and writer as make_ort_op_cases.py (Tests/Goldens/ort-op-cases/<name>/, played by
OrtOpCaseTests); only the cases below are written, the others are left as they are.
Usage: tools/goldens/make_ort_recurrent_op_cases.py [--out Tests/Goldens/ort-op-cases]   (needs onnx, onnxruntime)
"""
import sys

import numpy as np

import make_ort_op_cases as base

rng = np.random.default_rng(20261206)


def f32(*shape, spread=0.5):
    return (rng.standard_normal(shape) * spread).astype(np.float32)


def weights(directions, gates, hidden, inputs):
    return {"W": f32(directions, gates * hidden, inputs), "R": f32(directions, gates * hidden, hidden),
            "B": f32(directions, 2 * gates * hidden)}


base.CASES.clear()
steps, batch, inputs, hidden = 5, 3, 4, 3
x = f32(steps, batch, inputs, spread=1.0)
lengths = np.array([5, 2, 3], np.int32)
for direction, d in (("forward", 1), ("reverse", 1), ("bidirectional", 2)):
    w = weights(d, 4, hidden, inputs)
    states = {"initial_h": f32(d, batch, hidden), "initial_c": f32(d, batch, hidden), "P": f32(d, 3 * hidden)}
    base.case(f"lstm_sequence_lens_{direction}", 14, "LSTM", {"X": x, "sequence_lens": lengths, **states},
              {"hidden_size": hidden, "direction": direction}, initializers=w,
              order=["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"], outputs=3)
for direction, d in (("reverse", 1), ("bidirectional", 2)):
    w = weights(d, 3, hidden, inputs)
    base.case(f"gru_sequence_lens_{direction}", 14, "GRU", {"X": x, "sequence_lens": lengths},
              {"hidden_size": hidden, "direction": direction, "linear_before_reset": 1}, initializers=w,
              order=["X", "W", "R", "B", "sequence_lens"], outputs=2)
w = weights(1, 1, hidden, inputs)
base.case("rnn_sequence_lens_forward", 14, "RNN", {"X": x, "sequence_lens": np.array([1, 4, 2], np.int32)},
          {"hidden_size": hidden}, initializers=w, order=["X", "W", "R", "B", "sequence_lens"], outputs=2)

if __name__ == "__main__":
    sys.exit(base.main())

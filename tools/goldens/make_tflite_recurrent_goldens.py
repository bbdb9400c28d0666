#!/usr/bin/env python3
"""Generated TFLite models of the fused recurrent layers (what Keras LSTM and SimpleRNN convert to),
with LiteRT goldens.

Needs (dev venv): ai-edge-litert, numpy. Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_recurrent_goldens.py

Writes Tests/Goldens/tflite_ops/recurrent.tflite (committed, copied to Fuzz/seeds/tflite/) and the
golden case tflite_op_recurrent (tolerance 1e-4), inputs and weights seeded uniform in (-1, 1):
UNIDIRECTIONAL_SEQUENCE_LSTM batch-major ([2, 7, 5] → [2, 7, 6], zero initial state in variable
tensors) and time-major ([7, 2, 5]), and UNIDIRECTIONAL_SEQUENCE_RNN
with TANH and with RELU. And tflite_op_bidirectional (bidirectional.tflite):
BIDIRECTIONAL_SEQUENCE_LSTM with merged outputs (batch-major, one sequence) and with two outputs
(time-major, two sequences). The batch-major case has one sequence because LiteRT 2.3.0's
batch-major kernel gives sequences after the first results that differ from an LSTM run on each
sequence alone (by 0.098 and 0.057 for the second of two; the third of three backward by 1.24),
while its time-major kernel and its batch-major first sequence agree with that to 1e-7.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tflite_op_goldens import OP, OPT, Model, options, rand, write_model_case  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_recurrent_goldens.py"
B, T, I, H = 2, 7, 5, 6


def state(m, name, batch=B):
    """A variable tensor [batch, H] (no buffer: LiteRT starts it at zeros and refuses stored values)."""
    t = m.tensor(name, [batch, H])
    m.tensors[t].isVariable = True
    return t


def lstm(m, x, name, time_major):
    w = [m.const(f"{name}_w{g}", rand(H, I)) for g in "ifco"]
    r = [m.const(f"{name}_r{g}", rand(H, H)) for g in "ifco"]
    b = [m.const(f"{name}_b{g}", rand(H)) for g in "ifco"]
    h, c = state(m, f"{name}_h"), state(m, f"{name}_c")
    inputs = [x] + w + r + [-1, -1, -1] + b + [-1, -1, h, c]
    out = m.tensor(name, [T, B, H] if time_major else [B, T, H])
    m.op(OP.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, [out], OPT.UnidirectionalSequenceLSTMOptions,
         options(S.UnidirectionalSequenceLSTMOptionsT, fusedActivationFunction=S.ActivationFunctionType.TANH,
                 timeMajor=time_major))
    return out


def rnn(m, x, name, activation):
    h = state(m, f"{name}_h")
    out = m.tensor(name, [B, T, H])
    m.op(OP.UNIDIRECTIONAL_SEQUENCE_RNN, [x, m.const(f"{name}_w", rand(H, I)), m.const(f"{name}_r", rand(H, H) * 0.5),
                                          m.const(f"{name}_b", rand(H)), h], [out],
         OPT.SequenceRNNOptions, options(S.SequenceRNNOptionsT, fusedActivationFunction=activation))
    return out


def bidirectional(m, x, name, merged, time_major, batch):
    """BIDIRECTIONAL_SEQUENCE_LSTM: forward weights at inputs 1–17, backward at 18–34, states 35–38."""
    def direction(tag):
        w = [m.const(f"{name}_{tag}_w{g}", rand(H, I)) for g in "ifco"]
        r = [m.const(f"{name}_{tag}_r{g}", rand(H, H)) for g in "ifco"]
        b = [m.const(f"{name}_{tag}_b{g}", rand(H)) for g in "ifco"]
        return w + r + [-1, -1, -1] + b + [-1, -1]
    states = [state(m, f"{name}_{s}", batch) for s in ("fw_h", "fw_c", "bw_h", "bw_c")]
    inputs = [x] + direction("fw") + direction("bw") + states + [-1] * 9
    steps = [T, batch] if time_major else [batch, T]
    outs = [m.tensor(name, steps + [2 * H])] if merged else [m.tensor(f"{name}_fw", steps + [H]),
                                                            m.tensor(f"{name}_bw", steps + [H])]
    m.op(OP.BIDIRECTIONAL_SEQUENCE_LSTM, inputs, outs, OPT.BidirectionalSequenceLSTMOptions,
         options(S.BidirectionalSequenceLSTMOptionsT, fusedActivationFunction=S.ActivationFunctionType.TANH,
                 mergeOutputs=merged, timeMajor=time_major))
    return outs


def bidirectional_case():
    m = Model()
    x, xt = m.tensor("x", [1, T, I]), m.tensor("x_time_major", [T, B, I])
    outs = bidirectional(m, x, "merged", True, False, 1) + bidirectional(m, xt, "split", False, True, B)
    return m, [x, xt], outs


def recurrent_case():
    m = Model()
    x, xt = m.tensor("x", [B, T, I]), m.tensor("x_time_major", [T, B, I])
    outs = [lstm(m, x, "lstm", False), lstm(m, xt, "lstm_time_major", True),
            rnn(m, x, "rnn_tanh", S.ActivationFunctionType.TANH), rnn(m, x, "rnn_relu", S.ActivationFunctionType.RELU)]
    return m, [x, xt], outs


def main():
    import ai_edge_litert
    m, inputs, outputs = recurrent_case()
    feeds = {m.tensors[i].name: rand(*m.tensors[i].shape) for i in inputs}
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    write_model_case("recurrent", m, inputs, outputs, feeds, GENERATOR, versions)
    m, inputs, outputs = bidirectional_case()
    feeds = {m.tensors[i].name: rand(*m.tensors[i].shape) for i in inputs}
    write_model_case("bidirectional", m, inputs, outputs, feeds, GENERATOR, versions)


if __name__ == "__main__":
    main()

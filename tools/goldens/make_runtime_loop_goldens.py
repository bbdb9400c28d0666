#!/usr/bin/env python3
"""Goldens for loops too long to unroll, which Edgeflow runs as a runtime loop (docs/control-flow.md).

Each case is a generated model run by onnxruntime:

loop_long    a Loop of 5,000 iterations (M constant): a [1, 4] state carried through
             tanh(h·W + table[i mod 50]), W read from the enclosing graph, the table a body
             initializer, the iteration number used at run time; a scan output (the state's sum per
             iteration, [5000]).
loop_while   a Loop bounded by M = 1,000,000 whose body computes its condition: acc ← acc·1.001 + x
             until acc ≥ 100 (about 1,100 iterations for x = 0.05), with an iteration counter; no
             scan outputs (their length would depend on the data).
scan_long    a Scan (opset 16) of 2,500 steps over two inputs, one reversed on axis 1, with a
             carried [2] state and two scan outputs (one stacked on axis 1, reversed).
lstm_long    a bidirectional LSTM over 4,200 steps (more than the 4,096 Edgeflow unrolls) with
             bias, initial h and c and peepholes: Y, Y_h, Y_c.
gru_long     a reverse GRU (linear_before_reset = 1) over 4,200 steps with bias: Y_h only.

Models are written to Tests/Goldens/models/ (small, committed) with the cases.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import GOLDENS, ort_run, rel, write_case  # noqa: E402

GENERATOR = "tools/goldens/make_runtime_loop_goldens.py"
MODELS = os.path.join(GOLDENS, "models")
TOL = 1e-5
F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL


def value(name: str, elem: int, shape) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def loop_long_model(rng) -> onnx.ModelProto:
    body = helper.make_graph([
        helper.make_node("Mod", ["iter", "fifty"], ["row_index"]),
        helper.make_node("Gather", ["table", "row_index"], ["row"], axis=0),
        helper.make_node("MatMul", ["h_in", "W"], ["mixed"]),  # W: read from the enclosing graph
        helper.make_node("Add", ["mixed", "row"], ["pre"]),
        helper.make_node("Tanh", ["pre"], ["h_out"]),
        helper.make_node("ReduceSum", ["h_out"], ["total"], keepdims=0),
        helper.make_node("Identity", ["cond_in"], ["cond_out"]),
    ], "body", [value("iter", I64, []), value("cond_in", B, []), value("h_in", F, [1, 4])],
        [value("cond_out", B, []), value("h_out", F, [1, 4]), value("total", F, [])],
        initializer=[numpy_helper.from_array(np.array(50, np.int64), "fifty"),
                     numpy_helper.from_array(rng.uniform(-1, 1, (50, 4)).astype(np.float32), "table")])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["trips", "", "x"], ["h_final", "totals"], body=body)],
        "loop_long", [value("x", F, [1, 4])], [value("h_final", F, [1, 4]), value("totals", F, [5000])],
        initializer=[numpy_helper.from_array(np.array(5000, np.int64), "trips"),
                     numpy_helper.from_array((rng.standard_normal((4, 4)) * 0.3).astype(np.float32), "W")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def loop_while_model() -> onnx.ModelProto:
    body = helper.make_graph([
        helper.make_node("Mul", ["acc_in", "growth"], ["grown"]),
        helper.make_node("Add", ["grown", "x"], ["acc_out"]),
        helper.make_node("Add", ["n_in", "one"], ["n_out"]),
        helper.make_node("Less", ["acc_out", "limit"], ["cond_out"]),
    ], "body", [value("iter", I64, []), value("cond_in", B, []), value("acc_in", F, []), value("n_in", I64, [])],
        [value("cond_out", B, []), value("acc_out", F, []), value("n_out", I64, [])],
        initializer=[numpy_helper.from_array(np.array(1.001, np.float32), "growth"),
                     numpy_helper.from_array(np.array(1, np.int64), "one"),
                     numpy_helper.from_array(np.array(100, np.float32), "limit")])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["trips", "keep_going", "start", "zero"], ["acc", "n"], body=body)],
        "loop_while", [value("x", F, [])], [value("acc", F, []), value("n", I64, [])],
        initializer=[numpy_helper.from_array(np.array(1_000_000, np.int64), "trips"),
                     numpy_helper.from_array(np.array(True), "keep_going"),
                     numpy_helper.from_array(np.array(0, np.float32), "start"),
                     numpy_helper.from_array(np.array(0, np.int64), "zero")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def scan_long_model(steps: int) -> onnx.ModelProto:
    body = helper.make_graph([
        helper.make_node("Mul", ["s_in", "decay"], ["kept"]),
        helper.make_node("Mul", ["a_t", "b_t"], ["product"]),
        helper.make_node("Add", ["kept", "product"], ["s_out"]),
        helper.make_node("Identity", ["s_out"], ["seen"]),
        helper.make_node("Sub", ["a_t", "b_t"], ["diff"]),
    ], "scan_body", [value("s_in", F, [2]), value("a_t", F, [2]), value("b_t", F, [2])],
        [value("s_out", F, [2]), value("seen", F, [2]), value("diff", F, [2])],
        initializer=[numpy_helper.from_array(np.array(0.99, np.float32), "decay")])
    node = helper.make_node("Scan", ["init", "a", "b"], ["s", "seen_all", "diff_all"], body=body, num_scan_inputs=2,
                            scan_input_axes=[0, 1], scan_input_directions=[0, 1], scan_output_axes=[1, 0],
                            scan_output_directions=[1, 0])
    graph = helper.make_graph([node], "scan_long",
                              [value("init", F, [2]), value("a", F, [steps, 2]), value("b", F, [2, steps])],
                              [value("s", F, [2]), value("seen_all", F, [2, steps]), value("diff_all", F, [steps, 2])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def recurrent_model(op: str, direction: str, steps: int, rng) -> onnx.ModelProto:
    inp, hidden, dirs = 2, 2, 2 if direction == "bidirectional" else 1
    gates = 4 if op == "LSTM" else 3
    weights = {"W": rng.standard_normal((dirs, gates * hidden, inp)) * 0.5,
               "R": rng.standard_normal((dirs, gates * hidden, hidden)) * 0.5,
               "B": rng.standard_normal((dirs, 2 * gates * hidden)) * 0.2}
    inputs = ["X", "W", "R", "B", ""]
    outputs = [value("Y_h", F, [dirs, 1, hidden])]
    names = ["", "Y_h"]
    attributes = {"hidden_size": hidden, "direction": direction}
    if op == "LSTM":
        weights.update({"initial_h": rng.standard_normal((dirs, 1, hidden)) * 0.5,
                        "initial_c": rng.standard_normal((dirs, 1, hidden)) * 0.5,
                        "P": rng.standard_normal((dirs, 3 * hidden)) * 0.3})
        inputs += ["initial_h", "initial_c", "P"]
        outputs = [value("Y", F, [steps, dirs, 1, hidden])] + outputs + [value("Y_c", F, [dirs, 1, hidden])]
        names = ["Y", "Y_h", "Y_c"]
    else:
        attributes["linear_before_reset"] = 1
    node = helper.make_node(op, inputs, names, **attributes)
    graph = helper.make_graph([node], f"{op.lower()}_long", [value("X", F, [steps, 1, inp])], outputs,
                              initializer=[numpy_helper.from_array(v.astype(np.float32), k)
                                           for k, v in weights.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def main() -> int:
    os.makedirs(MODELS, exist_ok=True)
    rng = np.random.default_rng(41)
    steps = 2500
    cases = (
        ("loop_long", loop_long_model(rng), {"x": rng.uniform(-1, 1, (1, 4)).astype(np.float32)}),
        ("loop_while", loop_while_model(), {"x": np.array(0.05, np.float32)}),
        ("scan_long", scan_long_model(steps), {"init": rng.standard_normal(2).astype(np.float32),
                                               "a": rng.uniform(-1, 1, (steps, 2)).astype(np.float32),
                                               "b": rng.uniform(-1, 1, (2, steps)).astype(np.float32)}),
        ("lstm_long", recurrent_model("LSTM", "bidirectional", 4200, rng),
         {"X": rng.uniform(-1, 1, (4200, 1, 2)).astype(np.float32)}),
        ("gru_long", recurrent_model("GRU", "reverse", 4200, rng),
         {"X": rng.uniform(-1, 1, (4200, 1, 2)).astype(np.float32)}),
    )
    for case, model, feeds in cases:
        path = os.path.join(MODELS, case.replace("_", "-") + ".onnx")
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, path)
        write_case(case, description=f"generated {model.graph.node[0].op_type} too long to unroll "
                                     "(see the generator's docstring)",
                   model=rel(path), inputs=feeds, outputs=ort_run(path, feeds), tolerance=TOL, generator=GENERATOR,
                   model_origin=GENERATOR)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Generated ONNX models for If and LSTM, with onnxruntime's outputs (dev venv: onnx, onnxruntime).

if_nested_then / if_nested_else   an If on a bool input `flag` (Edgeflow freezes it when
    importing) whose branches read outer-scope values (the input x, an initializer), define
    a value named like one of the outer graph's ("shared") and hold a nested If whose condition
    folds from x's static shape; the same model, once per value of flag.
loop_carried   a Loop with a constant trip count (4) carrying a tensor and a counter, with a scan
    output (the running sum per iteration) and a body that reads an outer initializer.
scan_two_inputs   a Scan (opset 16) over two inputs, one reversed, scan axis 1 for one of them, with a
    carried sum and two scan outputs (one stacked on axis 1, one reversed).
lstm_bidirectional   LSTM, direction bidirectional, layout 0, with B, initial_h, initial_c: Y, Y_h, Y_c.
lstm_reverse_layout1 LSTM, direction reverse, layout 1 (batch first), no bias, no initial state;
    onnxruntime refuses layout 1 (and onnx.reference's LSTM fails on it), so the outputs are
    onnxruntime's for the same weights in layout 0, on X transposed, transposed back as the
    ONNX spec defines layout 1 (Y [B, T, D, H], Y_h/Y_c [B, D, H]).

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

GENERATOR = "tools/goldens/make_control_flow_goldens.py"
MODELS = os.path.join(GOLDENS, "models")
TOL = 1e-5


def nested_if_model() -> onnx.ModelProto:
    f = TensorProto.FLOAT
    # Nested If (inside the then branch): x has 3 columns, so Shape→Gather→Equal folds to true.
    inner_then = helper.make_graph([helper.make_node("Mul", ["shared", "shared"], ["inner_out"])], "inner_then", [],
                                   [helper.make_tensor_value_info("inner_out", f, None)])
    inner_else = helper.make_graph([helper.make_node("Neg", ["shared"], ["inner_out_e"])], "inner_else", [],
                                   [helper.make_tensor_value_info("inner_out_e", f, None)])
    then_nodes = [
        helper.make_node("Add", ["x", "bias"], ["shared"]),  # 'shared' is also an outer name
        helper.make_node("Shape", ["x"], ["x_shape"]),
        helper.make_node("Gather", ["x_shape", "one"], ["columns"], axis=0),
        helper.make_node("Equal", ["columns", "three"], ["is_three"]),
        helper.make_node("If", ["is_three"], ["then_out"], then_branch=inner_then, else_branch=inner_else),
    ]
    then_graph = helper.make_graph(then_nodes, "then", [], [helper.make_tensor_value_info("then_out", f, None)],
                                   initializer=[numpy_helper.from_array(np.array(1, np.int64), "one"),
                                                numpy_helper.from_array(np.array(3, np.int64), "three")])
    else_graph = helper.make_graph([helper.make_node("Sub", ["x", "bias"], ["shared"]),
                                    helper.make_node("Sigmoid", ["shared"], ["else_out"])], "else", [],
                                   [helper.make_tensor_value_info("else_out", f, None)])
    nodes = [
        helper.make_node("If", ["flag"], ["branch_out"], then_branch=then_graph, else_branch=else_graph),
        helper.make_node("Relu", ["x"], ["shared"]),  # the name the branches use too
        helper.make_node("Add", ["branch_out", "shared"], ["y"]),
    ]
    bias = numpy_helper.from_array(np.array([0.5, -1.0, 2.0], np.float32), "bias")
    graph = helper.make_graph(nodes, "nested_if",
                              [helper.make_tensor_value_info("x", f, [2, 3]),
                               helper.make_tensor_value_info("flag", TensorProto.BOOL, [])],
                              [helper.make_tensor_value_info("y", f, [2, 3])], initializer=[bias])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def loop_model() -> onnx.ModelProto:
    f, i64, b = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
    body = helper.make_graph([
        helper.make_node("Cast", ["iter"], ["iter_f"], to=f),
        helper.make_node("Mul", ["state_in", "half"], ["scaled"]),
        helper.make_node("Add", ["scaled", "iter_f"], ["shifted"]),
        helper.make_node("Add", ["shifted", "offset"], ["state_out"]),
        helper.make_node("Add", ["count_in", "one"], ["count_out"]),
        helper.make_node("ReduceSum", ["state_out"], ["total"], keepdims=0),
        helper.make_node("Identity", ["cond_in"], ["cond_out"]),
    ], "body", [helper.make_tensor_value_info("iter", i64, []), helper.make_tensor_value_info("cond_in", b, []),
                helper.make_tensor_value_info("state_in", f, [2, 3]),
                helper.make_tensor_value_info("count_in", i64, [])],
        [helper.make_tensor_value_info("cond_out", b, []), helper.make_tensor_value_info("state_out", f, [2, 3]),
         helper.make_tensor_value_info("count_out", i64, []), helper.make_tensor_value_info("total", f, [])],
        initializer=[numpy_helper.from_array(np.array(0.5, np.float32), "half"),
                     numpy_helper.from_array(np.array(1, np.int64), "one")])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["trips", "keep_going", "x", "zero"], ["final", "count", "totals"], body=body)],
        "loop_carried", [helper.make_tensor_value_info("x", f, [2, 3])],
        [helper.make_tensor_value_info("final", f, [2, 3]), helper.make_tensor_value_info("count", i64, []),
         helper.make_tensor_value_info("totals", f, [4])],
        initializer=[numpy_helper.from_array(np.array(4, np.int64), "trips"),
                     numpy_helper.from_array(np.array(True), "keep_going"),
                     numpy_helper.from_array(np.array(0, np.int64), "zero"),
                     numpy_helper.from_array(np.array([[0.1, -0.2, 0.3], [1.0, 0.0, -1.0]], np.float32), "offset")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def scan_model() -> onnx.ModelProto:
    f = TensorProto.FLOAT
    body = helper.make_graph([
        helper.make_node("Add", ["sum_in", "a_t"], ["partial"]),
        helper.make_node("Mul", ["partial", "b_t"], ["sum_out"]),
        helper.make_node("Identity", ["sum_out"], ["seen"]),
        helper.make_node("Sub", ["a_t", "b_t"], ["diff"]),
    ], "scan_body", [helper.make_tensor_value_info("sum_in", f, [3]), helper.make_tensor_value_info("a_t", f, [3]),
                     helper.make_tensor_value_info("b_t", f, [3])],
        [helper.make_tensor_value_info("sum_out", f, [3]), helper.make_tensor_value_info("seen", f, [3]),
         helper.make_tensor_value_info("diff", f, [3])])
    node = helper.make_node("Scan", ["init", "a", "b"], ["sum", "seen_all", "diff_all"], body=body, num_scan_inputs=2,
                            scan_input_axes=[0, 1], scan_input_directions=[0, 1], scan_output_axes=[0, 1],
                            scan_output_directions=[0, 1])
    graph = helper.make_graph([node], "scan_two_inputs",
                              [helper.make_tensor_value_info("init", f, [3]), helper.make_tensor_value_info("a", f, [5, 3]),
                               helper.make_tensor_value_info("b", f, [3, 5])],
                              [helper.make_tensor_value_info("sum", f, [3]),
                               helper.make_tensor_value_info("seen_all", f, [5, 3]),
                               helper.make_tensor_value_info("diff_all", f, [3, 5])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def lstm_model(direction: str, layout: int, with_bias: bool, with_state: bool, rng) -> tuple:
    seq, batch, inp, hidden = 5, 2, 4, 3
    dirs = 2 if direction == "bidirectional" else 1
    f = TensorProto.FLOAT
    w = rng.standard_normal((dirs, 4 * hidden, inp)).astype(np.float32) * 0.5
    r = rng.standard_normal((dirs, 4 * hidden, hidden)).astype(np.float32) * 0.5
    inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R")]
    inputs = ["X", "W", "R", "", "", "", ""]
    if with_bias:
        inits.append(numpy_helper.from_array(rng.standard_normal((dirs, 8 * hidden)).astype(np.float32) * 0.3, "B"))
        inputs[3] = "B"
    x_shape = [seq, batch, inp] if layout == 0 else [batch, seq, inp]
    state_shape = [dirs, batch, hidden] if layout == 0 else [batch, dirs, hidden]
    graph_inputs = [helper.make_tensor_value_info("X", f, x_shape)]
    feeds = {"X": rng.standard_normal(x_shape).astype(np.float32)}
    if with_state:
        for index, name in ((5, "initial_h"), (6, "initial_c")):
            graph_inputs.append(helper.make_tensor_value_info(name, f, state_shape))
            feeds[name] = rng.standard_normal(state_shape).astype(np.float32) * 0.5
            inputs[index] = name
    while inputs and inputs[-1] == "":
        inputs.pop()
    node = helper.make_node("LSTM", inputs, ["Y", "Y_h", "Y_c"], hidden_size=hidden, direction=direction,
                            layout=layout)
    y_shape = [seq, dirs, batch, hidden] if layout == 0 else [batch, seq, dirs, hidden]
    graph = helper.make_graph([node], f"lstm_{direction}", graph_inputs,
                              [helper.make_tensor_value_info("Y", f, y_shape),
                               helper.make_tensor_value_info("Y_h", f, state_shape),
                               helper.make_tensor_value_info("Y_c", f, state_shape)], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]), feeds


def main() -> int:
    os.makedirs(MODELS, exist_ok=True)
    rng = np.random.default_rng(23)
    model = nested_if_model()
    path = os.path.join(MODELS, "if-nested.onnx")
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    for flag, case in ((True, "if_nested_then"), (False, "if_nested_else")):
        feeds = {"x": x, "flag": np.array(flag)}
        outputs = ort_run(path, feeds)
        write_case(case, description=f"generated If (flag={flag}) with outer-scope reads, a branch value named "
                                     "like an outer one and a nested If folded from a static shape",
                   model=rel(path), inputs=feeds, outputs={"y": outputs["y"]}, tolerance=TOL, generator=GENERATOR,
                   model_origin=GENERATOR)
    for case, model, feeds in (
            ("loop_carried", loop_model(), {"x": rng.standard_normal((2, 3)).astype(np.float32)}),
            ("scan_two_inputs", scan_model(), {"init": rng.standard_normal(3).astype(np.float32),
                                               "a": rng.standard_normal((5, 3)).astype(np.float32),
                                               "b": rng.uniform(0.5, 1.5, (3, 5)).astype(np.float32)})):
        path = os.path.join(MODELS, case.replace("_", "-") + ".onnx")
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, path)
        write_case(case, description=f"generated {model.graph.node[0].op_type} (see the generator's docstring)",
                   model=rel(path), inputs=feeds, outputs=ort_run(path, feeds), tolerance=TOL, generator=GENERATOR,
                   model_origin=GENERATOR)
    for direction, layout, bias, state, case in (("bidirectional", 0, True, True, "lstm_bidirectional"),
                                                 ("reverse", 1, False, False, "lstm_reverse_layout1")):
        model, feeds = lstm_model(direction, layout, bias, state, rng)
        path = os.path.join(MODELS, case.replace("_", "-") + ".onnx")
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, path)
        if layout == 0:
            outputs, reference = ort_run(path, feeds), "onnxruntime"
        else:
            twin = onnx.ModelProto()
            twin.CopyFrom(model)
            kept = [a for a in twin.graph.node[0].attribute if a.name != "layout"]
            del twin.graph.node[0].attribute[:]
            twin.graph.node[0].attribute.extend(kept)
            for value in list(twin.graph.input) + list(twin.graph.output):
                value.type.tensor_type.ClearField("shape")
            twin_path = path.replace(".onnx", "-layout0.tmp.onnx")
            onnx.save(twin, twin_path)
            out0 = ort_run(twin_path, {"X": feeds["X"].transpose(1, 0, 2)})
            os.remove(twin_path)
            outputs = {"Y": out0["Y"].transpose(2, 0, 1, 3), "Y_h": out0["Y_h"].transpose(1, 0, 2),
                       "Y_c": out0["Y_c"].transpose(1, 0, 2)}
            reference = "onnxruntime, layout 0 twin"
        write_case(case, description=f"generated LSTM ({reference}'s outputs): direction {direction}, layout {layout}, "
                                     f"bias {bias}, initial state {state}",
                   model=rel(path), inputs=feeds, outputs=outputs, tolerance=TOL, generator=GENERATOR,
                   model_origin=GENERATOR)
    return 0


if __name__ == "__main__":
    sys.exit(main())

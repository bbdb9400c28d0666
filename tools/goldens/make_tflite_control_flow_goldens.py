#!/usr/bin/env python3
"""Generated TFLite models with control flow (WHILE and IF over subgraphs), with LiteRT goldens.

Needs (dev venv): ai-edge-litert, numpy. Usage:
  .venv/bin/python tools/goldens/make_tflite_control_flow_goldens.py

Writes to Tests/Goldens/tflite_ops/ (committed, copied to Fuzz/seeds/tflite/):
- while_loop.tflite, case tflite_op_while_loop: a WHILE over (counter, 4-D map, vector) that runs
  its body three times (cond: counter < 3); the body convolves the NHWC map (3x3 SAME, tanh),
  maps the vector through FULLY_CONNECTED and TANH and counts. Inputs x [1, 5, 5, 2], v [1, 3].
- if_branch.tflite, cases tflite_op_if_then and tflite_op_if_else: an IF on a bool input `flag`
  (one element) whose then branch is FULLY_CONNECTED (RELU) and TANH of x [1, 4] and whose else branch is
  x * 2 - 1: the same model, one case per value of the flag.
- while_data_dependent.tflite, case tflite_op_while_data_dependent: a WHILE whose condition
  compares its counter with a sum of its data, so its trip count is known only at run time (4 for
  the case's inputs, 0 for those of tflite_op_while_data_dependent_zero); Edgeflow runs it as a
  runtime loop that checks the condition before every iteration. Edgeflow refuses
  if_mismatched_branches.tflite (a run-time IF whose branches give [1, 4] and [1, 2]), while_recursive.tflite (a body that runs a WHILE over itself)
  and while_unsupported.tflite (SEGMENT_SUM inside a body, named with its subgraph), and
  while_forever.tflite (a body that changes nothing under a condition that stays true).
- while_long.tflite, case tflite_op_while_long: a WHILE over (counter, v [1, 3], scale [1, 3]) that
  runs 5,000 times (cond: counter < 5000): v ← tanh(FULLY_CONNECTED(v) · scale), scale passed
  through unchanged. Edgeflow unrolls the first iterations and runs the rest as a runtime loop.
LiteRT's reference kernels (BUILTIN_REF) make the outputs; tolerance 1e-4.
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import REPO, write_case  # noqa: E402
from make_tflite_op_goldens import OP, OPT, OUT, SEEDS, Model, options  # noqa: E402
import tflitelib  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402
import flatbuffers  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_control_flow_goldens.py"
RNG = np.random.default_rng(23)
TANH = S.ActivationFunctionType.TANH


def rand(*shape):
    return RNG.uniform(-1, 1, shape).astype(np.float32)


class Program(Model):
    """A model with subgraphs after the main one; they share the buffers and operator codes."""

    def __init__(self):
        super().__init__()
        self.subgraphs = []

    def subgraph(self):
        sub = Model()
        sub.buffers, sub.codes = self.buffers, self.codes
        return sub

    def add(self, sub, inputs, outputs, name):
        """Appends `sub` as the next subgraph; returns its index (the main graph is 0)."""
        self.subgraphs.append((sub, inputs, outputs, name))
        return len(self.subgraphs)

    def bytes(self, inputs, outputs):
        graphs = []
        for sub, ins, outs, name in [(self, inputs, outputs, "main")] + self.subgraphs:
            g = S.SubGraphT()
            g.tensors, g.inputs, g.outputs, g.operators, g.name = sub.tensors, ins, outs, sub.ops, name
            graphs.append(g)
        m = S.ModelT()
        m.version, m.operatorCodes, m.subgraphs, m.buffers, m.description = 3, self.codes, graphs, self.buffers, "cf"
        b = flatbuffers.Builder(1024)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def counter_cond(p, limit_of):
    """cond(i, ...) = i < limit, where `limit_of(sub, tensors)` gives the compared tensors."""
    c = p.subgraph()
    i, x, v = c.tensor("i", [], dtype=np.int32), c.tensor("x", [1, 5, 5, 2]), c.tensor("v", [1, 3])
    left, right = limit_of(c, i, x, v)
    out = c.tensor("go_on", [], dtype=np.bool_)
    c.op(OP.LESS, [left, right], [out])
    return p.add(c, [i, x, v], [out], "cond")


def loop_body(p):
    b = p.subgraph()
    i, x, v = b.tensor("i", [], dtype=np.int32), b.tensor("x", [1, 5, 5, 2]), b.tensor("v", [1, 3])
    i2 = b.tensor("i_next", [], dtype=np.int32)
    b.op(OP.ADD, [i, b.const("one", np.int32(1), np.int32)], [i2], OPT.AddOptions, options(S.AddOptionsT))
    x2 = b.tensor("x_next", [1, 5, 5, 2])
    b.op(OP.CONV_2D, [x, b.const("w", rand(2, 3, 3, 2) * 0.6), b.const("b", rand(2) * 0.2)], [x2],
         OPT.Conv2DOptions, options(S.Conv2DOptionsT, padding=S.Padding.SAME, strideW=1, strideH=1,
                                    fusedActivationFunction=TANH))
    projected, v2 = b.tensor("projected", [1, 3]), b.tensor("v_next", [1, 3])
    b.op(OP.FULLY_CONNECTED, [v, b.const("fc_w", rand(3, 3)), b.const("fc_b", rand(3) * 0.3)], [projected],
         OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT))
    b.op(OP.TANH, [projected], [v2])
    return p.add(b, [i, x, v], [i2, x2, v2], "body")


def while_model(data_dependent=False):
    p = Program()
    x, v = p.tensor("x", [1, 5, 5, 2]), p.tensor("v", [1, 3])
    start = p.const("start", np.int32(0), np.int32)
    if data_dependent:
        def limit_of(c, i, x, v):
            # float(i) < sum(v) + 3: at most 6 iterations (v is a tanh), how many depends on v.
            count, total, limit = c.tensor("count", []), c.tensor("total", []), c.tensor("limit", [])
            c.op(OP.CAST, [i], [count])
            c.op(OP.SUM, [v, c.const("axes", np.array([0, 1], np.int32), np.int32)], [total],
                 OPT.ReducerOptions, options(S.ReducerOptionsT, keepDims=False))
            c.op(OP.ADD, [total, c.const("three", np.float32(3))], [limit], OPT.AddOptions, options(S.AddOptionsT))
            return count, limit
    else:
        def limit_of(c, i, x, v):
            return i, c.const("limit", np.int32(3), np.int32)
    cond = counter_cond(p, limit_of)
    body = loop_body(p)
    outs = [p.tensor("count", [], dtype=np.int32), p.tensor("x_out", [1, 5, 5, 2]), p.tensor("v_out", [1, 3])]
    p.op(OP.WHILE, [start, x, v], outs, OPT.WhileOptions,
         options(S.WhileOptionsT, condSubgraphIndex=cond, bodySubgraphIndex=body))
    return p, [x, v], outs


def long_while_model(trips=5000):
    p = Program()
    c = p.subgraph()
    i, v, s = c.tensor("i", [], dtype=np.int32), c.tensor("v", [1, 3]), c.tensor("scale", [1, 3])
    go_on = c.tensor("go_on", [], dtype=np.bool_)
    c.op(OP.LESS, [i, c.const("limit", np.int32(trips), np.int32)], [go_on])
    cond = p.add(c, [i, v, s], [go_on], "cond")
    b = p.subgraph()
    i, v, s = b.tensor("i", [], dtype=np.int32), b.tensor("v", [1, 3]), b.tensor("scale", [1, 3])
    i2, projected, scaled, v2 = (b.tensor("i_next", [], dtype=np.int32), b.tensor("projected", [1, 3]),
                                 b.tensor("scaled", [1, 3]), b.tensor("v_next", [1, 3]))
    b.op(OP.ADD, [i, b.const("one", np.int32(1), np.int32)], [i2], OPT.AddOptions, options(S.AddOptionsT))
    b.op(OP.FULLY_CONNECTED, [v, b.const("fc_w", rand(3, 3)), b.const("fc_b", rand(3) * 0.3)], [projected],
         OPT.FullyConnectedOptions, options(S.FullyConnectedOptionsT))
    b.op(OP.MUL, [projected, s], [scaled], OPT.MulOptions, options(S.MulOptionsT))
    b.op(OP.TANH, [scaled], [v2])
    body = p.add(b, [i, v, s], [i2, v2, s], "body")
    v, s = p.tensor("v", [1, 3]), p.tensor("scale", [1, 3])
    outs = [p.tensor("count", [], dtype=np.int32), p.tensor("v_out", [1, 3]), p.tensor("scale_out", [1, 3])]
    p.op(OP.WHILE, [p.const("start", np.int32(0), np.int32), v, s], outs, OPT.WhileOptions,
         options(S.WhileOptionsT, condSubgraphIndex=cond, bodySubgraphIndex=body))
    return p, [v, s], outs


def if_model():
    p = Program()
    flag, x = p.tensor("flag", [1], dtype=np.bool_), p.tensor("x", [1, 4])
    then = p.subgraph()
    tx, tp, ty = then.tensor("x", [1, 4]), then.tensor("projected", [1, 4]), then.tensor("y", [1, 4])
    then.op(OP.FULLY_CONNECTED, [tx, then.const("w", rand(4, 4)), then.const("b", rand(4))], [tp],
            OPT.FullyConnectedOptions,
            options(S.FullyConnectedOptionsT, fusedActivationFunction=S.ActivationFunctionType.RELU))
    then.op(OP.TANH, [tp], [ty])
    then_index = p.add(then, [tx], [ty], "then")
    other = p.subgraph()
    ex, doubled, ey = other.tensor("x", [1, 4]), other.tensor("doubled", [1, 4]), other.tensor("y", [1, 4])
    other.op(OP.MUL, [ex, other.const("two", np.float32(2))], [doubled], OPT.MulOptions, options(S.MulOptionsT))
    other.op(OP.SUB, [doubled, other.const("one", np.float32(1))], [ey], OPT.SubOptions, options(S.SubOptionsT))
    else_index = p.add(other, [ex], [ey], "else")
    y = p.tensor("y", [1, 4])
    p.op(OP.IF, [flag, x], [y], OPT.IfOptions,
         options(S.IfOptionsT, thenSubgraphIndex=then_index, elseSubgraphIndex=else_index))
    return p, [flag, x], [y]


def refused_models():
    """Models Edgeflow refuses (no goldens): branches of different output shapes under a run-time
    IF, a WHILE whose body uses itself, and an unsupported operator inside a body."""
    p = Program()
    flag, x = p.tensor("flag", [], dtype=np.bool_), p.tensor("x", [1, 4])
    then = p.subgraph()
    tx = then.tensor("x", [1, 4])
    then_index = p.add(then, [tx], [tx], "then")
    other = p.subgraph()
    ex, half = other.tensor("x", [1, 4]), other.tensor("half", [1, 2])
    other.op(OP.SLICE, [ex, other.const("begin", np.array([0, 0], np.int32), np.int32),
                        other.const("size", np.array([1, 2], np.int32), np.int32)], [half])
    else_index = p.add(other, [ex], [half], "else")
    y = p.tensor("y", [1, 4])
    p.op(OP.IF, [flag, x], [y], OPT.IfOptions,
         options(S.IfOptionsT, thenSubgraphIndex=then_index, elseSubgraphIndex=else_index))
    write("if_mismatched_branches", p, [flag, x], [y])

    for name, body_op in (("while_recursive", OP.WHILE), ("while_unsupported", OP.SEGMENT_SUM)):
        p = Program()
        v = p.tensor("v", [1, 3])
        cond = p.subgraph()
        ci, cv = cond.tensor("i", [], dtype=np.int32), cond.tensor("v", [1, 3])
        go = cond.tensor("go", [], dtype=np.bool_)
        cond.op(OP.LESS, [ci, cond.const("limit", np.int32(2), np.int32)], [go])
        cond_index = p.add(cond, [ci, cv], [go], "cond")
        body = p.subgraph()
        bi, bv = body.tensor("i", [], dtype=np.int32), body.tensor("v", [1, 3])
        bi2, bv2 = body.tensor("i_next", [], dtype=np.int32), body.tensor("v_next", [1, 3])
        body.op(OP.ADD, [bi, body.const("one", np.int32(1), np.int32)], [bi2], OPT.AddOptions, options(S.AddOptionsT))
        if body_op == OP.WHILE:   # the body subgraph (index 2) runs a WHILE whose body is itself
            body.op(OP.WHILE, [bi, bv], [body.tensor("j", [], dtype=np.int32), bv2], OPT.WhileOptions,
                    options(S.WhileOptionsT, condSubgraphIndex=cond_index, bodySubgraphIndex=2))
        else:
            body.op(OP.SEGMENT_SUM, [bv, body.const("ids", np.array([0], np.int32), np.int32)], [bv2])
        body_index = p.add(body, [bi, bv], [bi2, bv2], "body")
        outs = [p.tensor("count", [], dtype=np.int32), p.tensor("v_out", [1, 3])]
        p.op(OP.WHILE, [p.const("start", np.int32(0), np.int32), v], outs, OPT.WhileOptions,
             options(S.WhileOptionsT, condSubgraphIndex=cond_index, bodySubgraphIndex=body_index))
        write(name, p, [v], outs)

    # A WHILE whose body gives back what it is given while its condition stays true: never ends.
    p = Program()
    v = p.tensor("v", [1, 3])
    cond = p.subgraph()
    cv, go = cond.tensor("v", [1, 3]), cond.tensor("go", [], dtype=np.bool_)
    cond.op(OP.LESS, [cond.const("zero", np.float32(0)), cond.const("one", np.float32(1))], [go])
    cond_index = p.add(cond, [cv], [go], "cond")
    body = p.subgraph()
    bv = body.tensor("v", [1, 3])
    body_index = p.add(body, [bv], [bv], "body")
    out = p.tensor("v_out", [1, 3])
    p.op(OP.WHILE, [v], [out], OPT.WhileOptions,
         options(S.WhileOptionsT, condSubgraphIndex=cond_index, bodySubgraphIndex=body_index))
    write("while_forever", p, [v], [out])


def write(name, p, inputs, outputs):
    path = os.path.join(OUT, f"{name}.tflite")
    with open(path, "wb") as f:
        f.write(p.bytes(inputs, outputs))
    shutil.copy(path, os.path.join(SEEDS, f"{name}.tflite"))
    return path


def case(case_name, path, feeds, versions):
    result, _ = tflitelib.litert(path, feeds)
    print(f"[{case_name}] " + ", ".join(f"{k} {list(v.shape)}" for k, v in result.items()))
    write_case(case_name, description=f"generated TFLite model '{os.path.basename(path)}' run by LiteRT",
               model=os.path.relpath(path, REPO), inputs=feeds, outputs=result, tolerance=1e-4,
               generator=GENERATOR, model_origin=f"{GENERATOR} (committed)", tool_versions=versions)


def main():
    import ai_edge_litert
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    path = write("while_loop", *while_model())
    case("tflite_op_while_loop", path, {"x": rand(1, 5, 5, 2), "v": rand(1, 3)}, versions)
    path = write("if_branch", *if_model())
    x = rand(1, 4)
    case("tflite_op_if_then", path, {"flag": np.array([True]), "x": x}, versions)
    case("tflite_op_if_else", path, {"flag": np.array([False]), "x": x}, versions)
    path = write("while_data_dependent", *while_model(data_dependent=True))
    feeds = {"x": rand(1, 5, 5, 2), "v": rand(1, 3) * 0.1}
    case("tflite_op_while_data_dependent", path, feeds, versions)
    refused_models()
    path = write("while_long", *long_while_model())
    case("tflite_op_while_long", path, {"v": rand(1, 3), "scale": RNG.uniform(0.5, 1.5, (1, 3)).astype(np.float32)},
         versions)
    case("tflite_op_while_data_dependent_zero", os.path.join(OUT, "while_data_dependent.tflite"),
         {"x": rand(1, 5, 5, 2), "v": np.full((1, 3), -1.5, np.float32)}, versions)


if __name__ == "__main__":
    main()

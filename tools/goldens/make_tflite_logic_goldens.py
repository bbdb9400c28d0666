#!/usr/bin/env python3
"""A generated TFLite model of SHAPE, the comparisons, the logical operators and SELECT/SELECT_V2,
with LiteRT goldens (the forms basic-pitch's normalization uses, and their neighbours).

Needs (dev venv): ai-edge-litert, numpy. Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_logic_goldens.py

Writes Tests/Goldens/tflite_ops/logic.tflite (committed, copied to Fuzz/seeds/tflite/) and the
golden case tflite_op_logic (float outputs to 1e-4, bool outputs exact): EQUAL of floored values
(so some compare equal), LESS against a broadcast row, LESS_EQUAL, GREATER, GREATER_EQUAL,
NOT_EQUAL, LOGICAL_AND/OR/NOT, SELECT_V2 with a same-shape and a broadcast condition, SELECT with
a same-shape condition and with a rank-1 condition choosing rows, SHAPE feeding RESHAPE and a
CAST to float. Inputs are seeded uniform values in (-2, 2).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tflite_op_goldens import OP, OPT, Model, options, write_cases  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402


def logic_cases():
    m = Model()
    x, y, v = m.tensor("x", [1, 4, 5, 3]), m.tensor("y", [1, 4, 5, 3]), m.tensor("v", [4, 6])
    outs = []

    def op(code, inputs, name, shape=(1, 4, 5, 3), dtype=np.float32, opt_type=0, opt=None, output=True):
        t = m.tensor(name, list(shape), dtype=dtype)
        m.op(code, inputs, [t], opt_type, opt)
        if output:
            outs.append(t)
        return t
    fx, fy = op(OP.FLOOR, [x], "floor_x", output=False), op(OP.FLOOR, [y], "floor_y", output=False)
    equal = op(OP.EQUAL, [fx, fy], "equal", dtype=np.bool_)
    row = m.const("row", [0.5, -0.25, 0.0])
    less = op(OP.LESS, [x, row], "less", dtype=np.bool_)
    op(OP.LESS_EQUAL, [fx, fy], "less_equal", dtype=np.bool_)
    op(OP.GREATER, [x, y], "greater", dtype=np.bool_)
    greater_equal = op(OP.GREATER_EQUAL, [fx, fy], "greater_equal", dtype=np.bool_)
    not_equal = op(OP.NOT_EQUAL, [fx, fy], "not_equal", dtype=np.bool_)
    both = op(OP.LOGICAL_AND, [less, not_equal], "logical_and", dtype=np.bool_)
    either = op(OP.LOGICAL_OR, [equal, less], "logical_or", dtype=np.bool_)
    op(OP.LOGICAL_NOT, [either], "logical_not", dtype=np.bool_)
    op(OP.SELECT_V2, [both, x, y], "select_v2")
    column = op(OP.LESS, [m.const("c", np.zeros([1, 4, 5, 1], np.float32)), m.const("d", np.ones([1, 4, 5, 1],
                np.float32))], "column", dtype=np.bool_, output=False)
    op(OP.SELECT_V2, [column, x, m.const("fill", [7.0])], "select_v2_broadcast")
    op(OP.SELECT, [greater_equal, y, x], "select")
    rows = m.const("rows", [True, False, False, True], np.bool_)
    op(OP.SELECT, [rows, v, m.const("zeros", np.zeros([4, 6], np.float32))], "select_rows", shape=(4, 6))
    shape = op(OP.SHAPE, [x], "shape", shape=(4,), dtype=np.int32, opt_type=OPT.ShapeOptions,
               opt=options(S.ShapeOptionsT, outType=S.TensorType.INT32), output=False)
    op(OP.RESHAPE, [y, shape], "reshaped")
    op(OP.CAST, [shape], "shape_as_float", shape=(4,))
    yield "logic", m, [x, y, v], outs, {"x": (2.0, 0.0), "y": (2.0, 0.0), "v": (2.0, 0.0)}


def main():
    import ai_edge_litert
    write_cases((logic_cases,), {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__})


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generated TFLite models of the spatial, normalization and fill operators, with LiteRT goldens.

Needs (dev venv): ai-edge-litert, numpy. Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_spatial_goldens.py

Writes Tests/Goldens/tflite_ops/{atrous,normalization,fills}.tflite (committed, copied to
Fuzz/seeds/tflite/) and golden cases tflite_op_<name> (tolerance 1e-4), inputs seeded uniform in
(-1, 1) (scaled where stated):

- atrous: SPACE_TO_BATCH_ND (with padding) → CONV_2D → BATCH_TO_SPACE_ND (with crops), the
  form TFLite's converter gives a dilated convolution (DeepLab), and the two alone.
- normalization: L2_POOL_2D (SAME, stride 2), LOCAL_RESPONSE_NORMALIZATION, L2_NORMALIZATION
  of a 4-D and a 2-D tensor.
- fills: ZEROS_LIKE and FILL (folded, then added), RANGE (folded, cast to float),
  BROADCAST_TO, REVERSE_V2 on two axes and on one, CUMSUM (exclusive and reverse), ADD_N,
  SIGN, RELU_0_TO_1 (x scaled to (-2, 2)).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tflite_op_goldens import OP, OPT, Model, options, rand, write_cases  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402

I32 = np.int32


def atrous_cases():
    m = Model()
    x = m.tensor("x", [1, 9, 10, 4])
    block, paddings, crops = m.const("block", [2, 2], I32), m.const("paddings", [[1, 2], [2, 2]], I32), \
        m.const("crops", [[1, 2], [2, 2]], I32)
    s2b = m.tensor("space_to_batch", [4, 6, 7, 4])
    m.op(OP.SPACE_TO_BATCH_ND, [x, block, paddings], [s2b])
    conv = m.tensor("conv", [4, 6, 7, 5])
    m.op(OP.CONV_2D, [s2b, m.const("w", rand(5, 3, 3, 4)), m.const("b", rand(5))], [conv], OPT.Conv2DOptions,
         options(S.Conv2DOptionsT, padding=S.Padding.SAME, strideW=1, strideH=1))
    b2s = m.tensor("batch_to_space", [1, 9, 10, 5])
    m.op(OP.BATCH_TO_SPACE_ND, [conv, block, crops], [b2s])
    y_in, y = m.tensor("y_in", [1, 4, 9, 3]), m.tensor("y", [6, 2, 3, 3])
    m.op(OP.SPACE_TO_BATCH_ND, [y_in, m.const("b3", [2, 3], I32), m.const("p3", [[0, 0], [0, 0]], I32)], [y])
    yield "atrous", m, [x, y_in], [s2b, b2s, y]


def normalization_cases():
    m = Model()
    x, v = m.tensor("x", [1, 7, 8, 6]), m.tensor("v", [3, 10])
    outs = []

    def op(code, inputs, name, shape, opt_type=0, opt=None):
        t = m.tensor(name, shape)
        m.op(code, inputs, [t], opt_type, opt)
        outs.append(t)
    op(OP.L2_POOL_2D, [x], "l2_pool", [1, 4, 4, 6], OPT.Pool2DOptions, options(
        S.Pool2DOptionsT, padding=S.Padding.SAME, strideW=2, strideH=2, filterWidth=3, filterHeight=3))
    op(OP.LOCAL_RESPONSE_NORMALIZATION, [x], "lrn", [1, 7, 8, 6], OPT.LocalResponseNormalizationOptions,
       options(S.LocalResponseNormalizationOptionsT, radius=2, bias=1.5, alpha=0.3, beta=0.75))
    op(OP.L2_NORMALIZATION, [x], "l2_norm_4d", [1, 7, 8, 6], OPT.L2NormOptions, options(S.L2NormOptionsT))
    op(OP.L2_NORMALIZATION, [v], "l2_norm_2d", [3, 10], OPT.L2NormOptions, options(S.L2NormOptionsT))
    yield "normalization", m, [x, v], outs


def fill_cases():
    m = Model()
    x, v = m.tensor("x", [1, 4, 5, 3]), m.tensor("v", [4, 6])
    outs = []

    def op(code, inputs, name, shape, opt_type=0, opt=None, dtype=np.float32, output=True):
        t = m.tensor(name, shape, dtype=dtype)
        m.op(code, inputs, [t], opt_type, opt)
        if output:
            outs.append(t)
        return t
    zeros = op(OP.ZEROS_LIKE, [x], "zeros", [1, 4, 5, 3], output=False)
    op(OP.ADD, [x, zeros], "plus_zeros", [1, 4, 5, 3], OPT.AddOptions, options(S.AddOptionsT))
    filled = op(OP.FILL, [m.const("dims", [4, 6], I32), m.const("value", 0.25)], "filled", [4, 6], output=False)
    op(OP.ADD, [v, filled], "plus_fill", [4, 6], OPT.AddOptions, options(S.AddOptionsT))
    rng = op(OP.RANGE, [m.const("start", 3, I32), m.const("limit", 20, I32), m.const("delta", 4, I32)], "range",
             [5], dtype=I32, output=False)
    op(OP.CAST, [rng], "range_as_float", [5])
    row = m.tensor("row", [1, 1, 5, 1])
    op(OP.BROADCAST_TO, [row, m.const("to", [1, 4, 5, 3], I32)], "broadcast_to", [1, 4, 5, 3])
    op(OP.REVERSE_V2, [x, m.const("axes", [1, 2], I32)], "reverse_hw", [1, 4, 5, 3])
    op(OP.REVERSE_V2, [v, m.const("axis0", [0], I32)], "reverse_rows", [4, 6])
    op(OP.CUMSUM, [x, m.const("c_axis", 3, I32)], "cumsum", [1, 4, 5, 3], OPT.CumsumOptions,
       options(S.CumsumOptionsT, exclusive=True, reverse=True))
    op(OP.CUMSUM, [v, m.const("v_axis", -1, I32)], "cumsum_rows", [4, 6], OPT.CumsumOptions,
       options(S.CumsumOptionsT))
    op(OP.ADD_N, [x, x, m.const("bias", rand(1, 4, 5, 3))], "add_n", [1, 4, 5, 3])
    op(OP.SIGN, [v], "sign", [4, 6])
    op(OP.RELU_0_TO_1, [x], "relu_0_to_1", [1, 4, 5, 3])
    for code in m.codes:  # LiteRT registers BROADCAST_TO from version 2 only
        if code.builtinCode == OP.BROADCAST_TO:
            code.version = 2
    yield "fills", m, [x, v, row], outs, {"x": (2.0, 0.0)}


def main():
    import ai_edge_litert
    write_cases((atrous_cases, normalization_cases, fill_cases),
                {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__})


if __name__ == "__main__":
    main()

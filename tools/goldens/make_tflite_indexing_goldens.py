#!/usr/bin/env python3
"""Generated TFLite models of the index operators and CONV_3D, with LiteRT goldens.

Needs (dev venv): ai-edge-litert, numpy. Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_indexing_goldens.py

Writes Tests/Goldens/tflite_ops/{indexing,conv3d}.tflite (committed, copied to Fuzz/seeds/tflite/)
and golden cases tflite_op_<name> (tolerance 1e-4); float inputs seeded uniform in (-1, 1), int32
inputs seeded in their ranges:

- indexing: GATHER_ND (3-D and 4-D params), SCATTER_ND with a repeated index (summed), TOPK_V2
  (values and int32 indices), ONE_HOT (3-D and 4-D outputs), EMBEDDING_LOOKUP,
  DYNAMIC_UPDATE_SLICE with a start that needs clamping, FLOOR_MOD of floats and of int32 (mixed
  signs).
- conv3d: CONV_3D SAME with strides (2, 1, 2) and RELU, and VALID with dilations (1, 2, 1).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tflite_op_goldens import OP, OPT, Model, options, rand, write_model_case  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_indexing_goldens.py"
I32 = np.int32
RNG = np.random.default_rng(23)


def indexing_case():
    m = Model()
    x, v, image = m.tensor("x", [4, 5, 6]), m.tensor("v", [4, 6]), m.tensor("image", [1, 4, 4, 3])
    labels, cells = m.tensor("labels", [2, 3], dtype=I32), m.tensor("cells", [1, 4, 4], dtype=I32)
    lookup, update = m.tensor("lookup", [4], dtype=I32), m.tensor("update", [2, 2, 3])
    outs = []

    def op(code, inputs, name, shape, dtype=np.float32, opt_type=0, opt=None, extra=()):
        t = m.tensor(name, shape, dtype=dtype)
        more = [m.tensor(n, s, dtype=d) for n, s, d in extra]
        m.op(code, inputs, [t] + more, opt_type, opt)
        outs.extend([t] + more)
        return t
    op(OP.GATHER_ND, [x, m.const("nd_index", [[0, 1], [3, 4], [2, 0]], I32)], "gather_nd", [3, 6])
    op(OP.GATHER_ND, [image, m.const("nd_index4", [[0, 1, 2], [0, 3, 0]], I32)], "gather_nd_4d", [2, 3])
    op(OP.SCATTER_ND, [m.const("scatter_index", [[1], [3], [1], [0]], I32), v, m.const("scatter_shape", [5, 6], I32)],
       "scatter_nd", [5, 6])
    op(OP.TOPK_V2, [v, m.const("k", 3, I32)], "topk_values", [4, 3], extra=[("topk_indices", [4, 3], I32)])
    depth, on, off = m.const("depth", 5, I32), m.const("on", 2.0), m.const("off", -1.0)
    op(OP.ONE_HOT, [labels, depth, on, off], "one_hot", [2, 3, 5], opt_type=OPT.OneHotOptions,
       opt=options(S.OneHotOptionsT, axis=-1))
    op(OP.ONE_HOT, [cells, m.const("depth6", 6, I32), on, off], "one_hot_4d", [1, 4, 4, 6],
       opt_type=OPT.OneHotOptions, opt=options(S.OneHotOptionsT, axis=-1))
    op(OP.EMBEDDING_LOOKUP, [lookup, m.const("table", rand(7, 3))], "embedding", [4, 3])
    op(OP.DYNAMIC_UPDATE_SLICE, [x, update, m.const("start", [3, 1, 5], I32)], "updated", [4, 5, 6])
    op(OP.FLOOR_MOD, [v, m.const("divisor", [0.3, -0.3, 0.7, -0.7, 0.25, -0.45])], "floor_mod", [4, 6])
    op(OP.FLOOR_MOD, [labels, m.const("int_divisor", [3, -3, 4], I32)], "floor_mod_int", [2, 3], dtype=I32)
    feeds = {"x": rand(4, 5, 6), "v": rand(4, 6), "image": rand(1, 4, 4, 3),
             "labels": RNG.integers(-7, 8, (2, 3)).astype(I32), "cells": RNG.integers(0, 6, (1, 4, 4)).astype(I32),
             "lookup": np.array([6, 0, 3, 3], I32), "update": rand(2, 2, 3)}
    # ONE_HOT of a negative label is all off values, as in TF.
    return m, [x, v, image, labels, cells, lookup, update], outs, feeds


def conv3d_case():
    m = Model()
    x = m.tensor("x", [1, 5, 6, 7, 3])
    same = m.tensor("same", [1, 3, 6, 4, 4])
    m.op(OP.CONV_3D, [x, m.const("w", rand(3, 3, 2, 3, 4)), m.const("b", rand(4))], [same], OPT.Conv3DOptions,
         options(S.Conv3DOptionsT, padding=S.Padding.SAME, strideD=2, strideH=1, strideW=2,
                 fusedActivationFunction=S.ActivationFunctionType.RELU))
    valid = m.tensor("valid", [1, 4, 2, 6, 2])
    m.op(OP.CONV_3D, [x, m.const("w2", rand(2, 3, 2, 3, 2)), m.const("b2", rand(2))], [valid], OPT.Conv3DOptions,
         options(S.Conv3DOptionsT, padding=S.Padding.VALID, strideD=1, strideH=1, strideW=1,
                 dilationDFactor=1, dilationHFactor=2, dilationWFactor=1))
    return m, [x], [same, valid], {"x": rand(1, 5, 6, 7, 3)}


def main():
    import ai_edge_litert
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    for case, make in (("indexing", indexing_case), ("conv3d", conv3d_case)):
        m, inputs, outputs, feeds = make()
        write_model_case(case, m, inputs, outputs, feeds, GENERATOR, versions)


if __name__ == "__main__":
    main()

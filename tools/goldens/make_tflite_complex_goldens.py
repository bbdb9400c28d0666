#!/usr/bin/env python3
"""Generated TFLite models of complex values and of placeholder shapes, with LiteRT goldens.

Needs (dev venv): ai-edge-litert, numpy. Usage:
  .venv-tflite/bin/python tools/goldens/make_tflite_complex_goldens.py

Writes Tests/Goldens/tflite_ops/{spectra,placeholders}.tflite (committed, copied to
Fuzz/seeds/tflite/) and golden cases tflite_op_<name> (tolerance 1e-4), inputs seeded uniform in
(-1, 1):

- spectra: RFFT2D of a 3-D signal over two axes (fft_length [4, 16] on [2, 6, 16]: rows cropped
  to 4), then COMPLEX_ABS, REAL, IMAG, CAST to float32 and a RESHAPE of the complex tensor; and
  RFFT2D of a 4-D tensor with fft_length [1, 8] over [1, 3, 5, 6] (one row kept, columns
  zero-padded to 8), its real part a 4-D output.
- placeholders: a frame count computed in the graph (SHAPE, STRIDED_SLICE, FLOOR_DIV, PACK) that
  the file declares as placeholder 1s with −1 in the shape signature, as TF's converter writes
  dimensions it did not know: RESHAPE of a [1, 40] signal into frames of 8, FULLY_CONNECTED,
  EXPAND_DIMS, RANGE of the frame count, ZEROS_LIKE. LiteRT infers the real shapes ([5, 8] …)
  when it allocates tensors; so must the importer.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tflite_op_goldens import OP, OPT, TYPES, Model, options, rand, write_model_case  # noqa: E402

import ai_edge_litert.schema_py_generated as S  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_complex_goldens.py"
I32 = np.int32
TYPES[np.complex64] = S.TensorType.COMPLEX64


def spectra_case():
    m = Model()
    x, y = m.tensor("x", [2, 6, 16]), m.tensor("y", [1, 3, 5, 6])
    outs = []

    def op(code, inputs, name, shape, dtype=np.float32, output=True, opt_type=0, opt=None):
        t = m.tensor(name, shape, dtype=dtype)
        m.op(code, inputs, [t], opt_type, opt)
        if output:
            outs.append(t)
        return t
    spectrum = op(OP.RFFT2D, [x, m.const("lengths", [4, 16], I32)], "spectrum", [2, 4, 9], np.complex64, False)
    op(OP.COMPLEX_ABS, [spectrum], "magnitude", [2, 4, 9])
    op(OP.REAL, [spectrum], "real", [2, 4, 9])
    op(OP.IMAG, [spectrum], "imag", [2, 4, 9])
    op(OP.CAST, [spectrum], "cast", [2, 4, 9])
    rows = op(OP.RESHAPE, [spectrum, m.const("rows_shape", [8, 9], I32)], "rows", [8, 9], np.complex64, False,
              OPT.ReshapeOptions, options(S.ReshapeOptionsT, newShape=[8, 9]))
    op(OP.COMPLEX_ABS, [rows], "rows_magnitude", [8, 9])
    image = op(OP.RFFT2D, [y, m.const("image_lengths", [1, 8], I32)], "image_spectrum", [1, 3, 1, 5],
               np.complex64, False)
    op(OP.REAL, [image], "image_real", [1, 3, 1, 5])
    return m, [x, y], outs


def placeholders_case():
    m = Model()
    x = m.tensor("signal", [1, 40])
    m.tensors[x].shapeSignature = [-1, 40]
    outs = []

    def op(code, inputs, name, shape, signature=None, dtype=np.float32, output=True, opt_type=0, opt=None):
        t = m.tensor(name, shape, dtype=dtype)
        if signature is not None:
            m.tensors[t].shapeSignature = signature
        m.op(code, inputs, [t], opt_type, opt)
        if output:
            outs.append(t)
        return t
    shape = op(OP.SHAPE, [x], "shape", [2], dtype=I32, output=False, opt_type=OPT.ShapeOptions,
               opt=options(S.ShapeOptionsT, outType=S.TensorType.INT32))
    length = op(OP.STRIDED_SLICE, [shape, m.const("b", [1], I32), m.const("e", [2], I32), m.const("s", [1], I32)],
                "length", [], dtype=I32, output=False, opt_type=OPT.StridedSliceOptions,
                opt=options(S.StridedSliceOptionsT, shrinkAxisMask=1))
    frames = op(OP.FLOOR_DIV, [length, m.const("eight", 8, I32)], "frames", [], dtype=I32, output=False)
    packed = op(OP.PACK, [frames, m.const("width", 8, I32)], "frame_shape", [2], dtype=I32, output=False,
                opt_type=OPT.PackOptions, opt=options(S.PackOptionsT, valuesCount=2, axis=0))
    framed = op(OP.RESHAPE, [x, packed], "framed", [1, 8], [-1, 8], output=False)
    dense = op(OP.FULLY_CONNECTED, [framed, m.const("w", rand(3, 8)), m.const("bias", rand(3))], "dense", [1, 3],
               [-1, 3], opt_type=OPT.FullyConnectedOptions, opt=options(S.FullyConnectedOptionsT))
    op(OP.EXPAND_DIMS, [dense, m.const("axis", 1, I32)], "expanded", [1, 1, 3], [-1, 1, 3])
    positions = op(OP.RANGE, [m.const("start", 0, I32), frames, m.const("delta", 1, I32)], "positions", [1], [-1],
                   dtype=I32, output=False)
    op(OP.CAST, [positions], "positions_float", [1], [-1])
    op(OP.ZEROS_LIKE, [framed], "zeros", [1, 8], [-1, 8])
    return m, [x], outs


def main():
    import ai_edge_litert
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    for case, make in (("spectra", spectra_case), ("placeholders", placeholders_case)):
        m, inputs, outputs = make()
        feeds = {m.tensors[i].name: rand(*m.tensors[i].shape) for i in inputs}
        # The placeholder outputs are declared [1, ...]; LiteRT infers their real shapes.
        write_model_case(case, m, inputs, outputs, feeds, GENERATOR, versions, check_shapes=case != "placeholders")


if __name__ == "__main__":
    main()

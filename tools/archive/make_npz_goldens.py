#!/usr/bin/env python3
"""Write .npz files with numpy itself, so the Swift NPZ reader is tested against numpy's writer.

  /work/venv/bin/python tools/archive/make_npz_goldens.py   # -> Tests/Goldens/archive/

numpy_savez.npz             numpy.savez (stored members) of the arrays below
numpy_savez_compressed.npz  numpy.savez_compressed (deflated members): Edgeflow must refuse it clearly

The arrays are written out literally here; EFArchiveTests/NPZTests.swift expects the same values.
Needs only numpy.
"""

import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "Tests", "Goldens", "archive")

ARRAYS = {
    "f32": np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(4),
    "i64": np.array([-1, 2**40, 7], dtype=np.int64),
    "u8": np.array([[0, 255], [17, 128]], dtype=np.uint8),
    "flags": np.array([True, False, True], dtype=np.bool_),
    "f16": np.array([1.5, -2.0], dtype=np.float16),
    "scalar": np.float64(3.25),
    "layer/with.dots": np.array([1, 2], dtype=np.int32),
}


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    np.savez(os.path.join(OUT, "numpy_savez.npz"), **ARRAYS)
    np.savez_compressed(os.path.join(OUT, "numpy_savez_compressed.npz"), **ARRAYS)
    print("wrote", OUT)


if __name__ == "__main__":
    main()

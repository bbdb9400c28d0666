#!/usr/bin/env python3
"""Goldens for the small ONNX float types (Tests/Goldens/small-types/), computed with ml_dtypes
and onnx.numpy_helper (never Edgeflow's code):

  <format>_decode.npy            float32 [256] (float4e2m1: [16]): the value of every code
  <format>_probes.npy            float32 [N]: every finite value, the midpoints between
                                 neighbours and one float32 ulp either side of them, overflow,
                                 tiny values, ±0, ±inf, NaN
  <format>_saturate.npy          uint8 [N]: the probes cast with ONNX Cast saturate=1
                                 (onnx.numpy_helper.saturate_cast)
  <format>_nosaturate.npy        uint8 [N]: with saturate=0 (ml_dtypes astype)
  float8e8m0_<mode>[_nosat].npy  uint8 [N]: onnx.numpy_helper.to_float8e8m0 per round_mode

Formats: float8e4m3fn, float8e4m3fnuz, float8e5m2, float8e5m2fnuz, float4e2m1, float8e8m0.
Usage: /work/main/.venv/bin/python tools/goldens/make_small_type_goldens.py
"""

from __future__ import annotations

import os

import ml_dtypes
import numpy as np
from onnx import numpy_helper

import goldenlib

OUT = os.path.join(goldenlib.GOLDENS, "small-types")
FORMATS = {
    "float8e4m3fn": ml_dtypes.float8_e4m3fn,
    "float8e4m3fnuz": ml_dtypes.float8_e4m3fnuz,
    "float8e5m2": ml_dtypes.float8_e5m2,
    "float8e5m2fnuz": ml_dtypes.float8_e5m2fnuz,
    "float4e2m1": ml_dtypes.float4_e2m1fn,
}


def probes(values: np.ndarray) -> np.ndarray:
    finite = np.unique(values[np.isfinite(values)].astype(np.float64))
    mids = ((finite[1:] + finite[:-1]) / 2).astype(np.float32)
    big = float(finite.max())
    extra = np.array([big * 1.01, big * 1.5, big * 2, 1e30, -big * 1.01, -big * 2, -1e30, 1e-30, -1e-30,
                      0.0, -0.0, np.inf, -np.inf, np.nan], dtype=np.float32)
    parts = [finite.astype(np.float32), mids, np.nextafter(mids, np.float32(np.inf)),
             np.nextafter(mids, np.float32(-np.inf)), extra]
    return np.concatenate(parts).astype(np.float32)


def save(name: str, array: np.ndarray) -> None:
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(array), allow_pickle=False)


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    for name, dtype in FORMATS.items():
        count = 16 if name == "float4e2m1" else 256
        decoded = np.arange(count, dtype=np.uint8).view(dtype).astype(np.float32)
        save(f"{name}_decode", decoded)
        p = probes(decoded)
        save(f"{name}_probes", p)
        save(f"{name}_saturate", numpy_helper.saturate_cast(p, dtype).view(np.uint8))
        save(f"{name}_nosaturate", p.astype(dtype).view(np.uint8))
    e8m0 = ml_dtypes.float8_e8m0fnu
    save("float8e8m0_decode", np.arange(256, dtype=np.uint8).view(e8m0).astype(np.float32))
    bits = np.arange(0, 1 << 32, 1 << 19, dtype=np.uint64).astype(np.uint32)  # sign, exponent, 4 fraction bits
    p = np.concatenate([bits.view(np.float32), np.array([np.inf, -np.inf, np.nan, 0.0], dtype=np.float32)])
    save("float8e8m0_probes", p)
    for mode in ["up", "down", "nearest"]:
        save(f"float8e8m0_{mode}", numpy_helper.to_float8e8m0(p, True, mode).view(np.uint8))
        save(f"float8e8m0_{mode}_nosat", numpy_helper.to_float8e8m0(p, False, mode).view(np.uint8))
    goldenlib.write_index()
    print(f"[goldens] small-types: {len(os.listdir(OUT))} files in {goldenlib.rel(OUT)}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""YUV input-conversion goldens from OpenCV (an independent reference for the model script's
input_conversion): a 12 × 16 RGB image (seeded gradients and noise), its NV12 and NV21 frames made
from OpenCV's RGB → I420 conversion, and the RGB OpenCV converts each back to
(COLOR_YUV2RGB_NV12 / _NV21, BT.601 limited range, each chroma sample for a 2 × 2 block); the
same YUV with the chroma repeated per pixel (interleaved Y, U, V), whose RGB is the same; and a
full-range YCbCr image (COLOR_RGB2YCrCb, reordered Y, Cb, Cr) with OpenCV's COLOR_YCrCb2RGB.

Edgeflow uses the Dataflow Compiler's three-decimal coefficients, so its RGB is float and near,
not equal, to OpenCV's rounded bytes (the tests state the bounds).

Needs: numpy, opencv-python-headless (dev venv). Run: .venv/bin/python tools/goldens/make_yuv_goldens.py
"""
import json
import os

import cv2
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "Tests/Goldens/yuv")
H, W = 12, 16


def main():
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:H, 0:W]
    rgb = np.stack([x * 15 + 10, y * 20 + 5, 255 - x * 10 - y * 6], axis=-1) + rng.integers(-12, 13, (H, W, 3))
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    luma, u, v = i420[:H], i420[H:H + H // 4].reshape(H // 2, W // 2), i420[H + H // 4:].reshape(H // 2, W // 2)
    nv12 = np.concatenate([luma, np.stack([u, v], -1).reshape(H // 2, W)])
    nv21 = np.concatenate([luma, np.stack([v, u], -1).reshape(H // 2, W)])
    rgb601 = cv2.cvtColor(nv12, cv2.COLOR_YUV2RGB_NV12)
    assert (cv2.cvtColor(nv21, cv2.COLOR_YUV2RGB_NV21) == rgb601).all()
    up = lambda c: np.repeat(np.repeat(c, 2, 0), 2, 1)
    yuv601 = np.stack([luma, up(u), up(v)], -1)
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    yuv_full = ycrcb[..., [0, 2, 1]]
    rgb_full = cv2.cvtColor(ycrcb, cv2.COLOR_YCrCb2RGB)
    os.makedirs(OUT, exist_ok=True)
    arrays = {"rgb": rgb, "nv12": nv12, "nv21": nv21, "rgb601": rgb601, "yuv601": yuv601,
              "yuv_full": yuv_full, "rgb_full": rgb_full}
    for name, array in arrays.items():
        np.save(os.path.join(OUT, f"{name}.npy"), array[None])
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump({"generator": "tools/goldens/make_yuv_goldens.py", "height": H, "width": W,
                   "made_with": {"opencv": cv2.__version__, "numpy": np.__version__},
                   "arrays": {name: f"{name}.npy" for name in arrays}}, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT, REPO))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PP-OCRv4 detection input exactly as RapidOCR 1.4.4 builds it, with numpy + Pillow only.

RapidOCR (rapidocr_onnxruntime 1.4.4) does, for the det model:
  1. LoadImage: PIL.Image.open -> np.array; grey (2-D) -> cv2.COLOR_GRAY2BGR
     (the grey value copied to 3 channels); RGB -> BGR.
  2. RapidOCR.preprocess: no change when 30 <= min side and max side <= 2000;
     maybe_add_letterbox: no change when h > 30 and w/h <= 8.
     (Images outside those bounds are refused here.)
  3. DetPreProcess(limit_side_len=736, limit_type="min"): if min(h, w) < 736,
     ratio = 736 / min side (else 1); resize_h = int(h*ratio), resize_w = int(w*ratio),
     each rounded to a multiple of 32 (Python round, half to even);
     cv2.resize(img, (resize_w, resize_h)) with the default INTER_LINEAR on uint8.
  4. normalize: (img.astype(float32) * (1/255) - mean) / std with mean = std =
     [0.5]*3 as float64 arrays (so the subtraction and division run in float64),
     HWC -> CHW, add batch, .astype(float32).

cv2's uint8 INTER_LINEAR is fixed point (11-bit coefficients, rounded with
cvRound) and its vertical pass runs through a SIMD kernel whose rounding is
((((S0>>4)*b0)>>16) + (((S1>>4)*b1)>>16) + 2) >> 2; horizontal fractions are
clamped at the borders, vertical ones are not (row indices are). Reproduced
here bit for bit, and checked against cv2 5.0.0 on page.png by
make_ppocr_goldens.py. The SIMD formula covers a whole row when the row length
(width * channels) is a multiple of the vector width (16/32/64 bytes); cv2
finishes other rows with a scalar formula ((S0*b0 + S1*b1 + 2^21) >> 22), so
this script refuses widths that are not multiples of 64 bytes.

Usage: rapidocr_det_input.py IMAGE OUT.npy [--u8-out RESIZED_BGR.npy]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

COEF_BITS = 11
COEF_SCALE = 1 << COEF_BITS


def _coeffs(dst: int, src: int, clamp_fraction: bool):
    scale = 1.0 / (dst / src)  # cv2: scale_x = 1./inv_scale_x, inv_scale_x = (double)dsize/ssize
    d = np.arange(dst, dtype=np.float64)
    f = ((d + 0.5) * scale - 0.5).astype(np.float32)
    s = np.floor(f).astype(np.int64)
    f = (f - s.astype(np.float32)).astype(np.float32)
    if clamp_fraction:
        lo = s < 0
        f[lo] = 0
        s[lo] = 0
        hi = s >= src - 1
        f[hi] = 0
        s[hi] = src - 1
    a1 = np.rint(f * np.float32(COEF_SCALE)).astype(np.int64)
    a0 = np.rint((np.float32(1) - f) * np.float32(COEF_SCALE)).astype(np.int64)
    return np.clip(s, 0, src - 1), np.clip(s + 1, 0, src - 1), a0, a1


def cv2_resize_linear_u8(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """cv2.resize(img, (width, height)) for uint8 HxWxC images (INTER_LINEAR)."""
    if img.dtype != np.uint8 or img.ndim != 3:
        raise ValueError("expects uint8 HxWxC")
    if (width * img.shape[2]) % 64 != 0:
        raise ValueError(f"row of {width * img.shape[2]} bytes is not a multiple of 64: cv2 would use its "
                         "scalar tail formula for the last columns, which this port does not model")
    h, w = img.shape[:2]
    xs0, xs1, xa0, xa1 = _coeffs(width, w, clamp_fraction=True)
    ys0, ys1, ya0, ya1 = _coeffs(height, h, clamp_fraction=False)
    src = img.astype(np.int64)
    rows = src[:, xs0] * xa0[None, :, None] + src[:, xs1] * xa1[None, :, None]  # horizontal pass, exact ints
    s0 = np.clip(rows[ys0] >> 4, -32768, 32767)
    s1 = np.clip(rows[ys1] >> 4, -32768, 32767)
    t = ((s0 * ya0[:, None, None]) >> 16) + ((s1 * ya1[:, None, None]) >> 16)
    return np.clip((t + 2) >> 2, 0, 255).astype(np.uint8)


def load_bgr(path: str) -> np.ndarray:
    from PIL import Image
    im = Image.open(path)
    if im.mode == "1":
        im = im.convert("L")
    a = np.array(im)
    if a.ndim == 2:
        return np.repeat(a[:, :, None], 3, axis=2)
    if a.ndim == 3 and a.shape[2] == 3:
        return a[:, :, ::-1].copy()
    raise ValueError(f"image with shape {a.shape} / mode {im.mode} is not handled by this port")


def det_resized(img: np.ndarray, limit_side_len: int = 736) -> np.ndarray:
    h, w = img.shape[:2]
    if min(h, w) < 30 or max(h, w) > 2000 or h <= 30 or w / h > 8:
        raise ValueError("RapidOCR would rescale or letterbox this image first; not ported")
    ratio = 1.0
    if min(h, w) < limit_side_len:
        ratio = float(limit_side_len) / h if h < w else float(limit_side_len) / w
    rh = int(round(int(h * ratio) / 32) * 32)
    rw = int(round(int(w * ratio) / 32) * 32)
    return cv2_resize_linear_u8(img, rw, rh)


def det_normalize(resized_bgr: np.ndarray) -> np.ndarray:
    mean = np.array([0.5, 0.5, 0.5])
    std = np.array([0.5, 0.5, 0.5])
    x = (resized_bgr.astype("float32") * (1 / 255.0) - mean) / std
    return np.expand_dims(x.transpose((2, 0, 1)), axis=0).astype(np.float32)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("image")
    ap.add_argument("out")
    ap.add_argument("--u8-out", help="also save the resized uint8 BGR image (HWC)")
    a = ap.parse_args(argv)
    resized = det_resized(load_bgr(a.image))
    x = det_normalize(resized)
    np.save(a.out, x)
    if a.u8_out:
        np.save(a.u8_out, resized)
    print(f"wrote {a.out}: {x.dtype} {list(x.shape)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

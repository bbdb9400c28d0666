#!/usr/bin/env python3
"""Goldens for EFMedia's resampler and preprocessing recipes (Tests/Goldens/media-resample/).

References (never our own code):
  * Pillow 13 `Image.resize(size, filter)` for NEAREST, BOX, BILINEAR, BICUBIC, LANCZOS
    (reducing_gap=None; RGBA goes through Pillow's own premultiplied round trip);
  * Pillow 13 `Image.reduce(factor)` (box means with Pillow's integer rounding, partial boxes at
    the right and bottom edges);
  * opencv-python-headless 5.0.0 `cv2.resize(img, (w, h))` (INTER_LINEAR) for "opencv-linear";
  * recipes reproduced with the reference libraries' code paths:
      clip      torchvision Resize(size, BICUBIC) + CenterCrop + ToTensor + Normalize (numpy,
                float32 each step; crop offset round((h - size) / 2) as torchvision);
      siglip    Pillow BICUBIC straight to size, mean = std = 0.5;
      scrfd     insightface RetinaFace.detect: cv2.resize, top-left on a zero canvas,
                cv2.dnn.blobFromImage(1/128, mean 127.5, swapRB) on the BGR canvas;
      ocr-det   RapidOCR 1.4.4 DetPreProcess (limit side, int(), round to 32, cv2.resize) and
                its normalisation ((x * (1/255) - 0.5) / 0.5 with float64 mean/std);
      ocr-rec   RapidOCR TextRecognizer.resize_norm_img for one image (pad right with zeros
                after normalisation).
Inputs are u8 HWC .npy (noise, gradients, sharp edges, crops of astronaut.png) so the Swift
tests need no decoder. Everything is listed in manifest.json.

Usage: /work/venv/bin/python tools/goldens/make_media_resample_goldens.py [--repo ROOT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path

import cv2
import numpy as np
import PIL
from PIL import Image

PIL_FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}
MODES = {1: "L", 3: "RGB", 4: "RGBA"}
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def make_inputs(repo: Path) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20240604)
    astronaut = np.array(Image.open(repo / ".testdata/images/astronaut.png").convert("RGB"))
    yy, xx = np.mgrid[0:61, 0:97]
    edges = np.zeros((47, 61, 4), np.uint8)
    edges[:, ::7, :3] = 255
    edges[10:30, 20:40] = (200, 30, 90, 255)
    edges[..., 3] = rng.integers(0, 256, (47, 61), dtype=np.uint8)
    edges[:5, :, 3] = 0
    edges[5:9, :, 3] = 255
    return {
        "noise_1x1_c3": rng.integers(0, 256, (1, 1, 3), dtype=np.uint8),
        "noise_2x3_c3": rng.integers(0, 256, (3, 2, 3), dtype=np.uint8),
        "noise_61x47_c3": rng.integers(0, 256, (47, 61, 3), dtype=np.uint8),
        "noise_97x61_c4": rng.integers(0, 256, (61, 97, 4), dtype=np.uint8),
        "gradient_97x61_c1": ((xx * 255 // 96 + yy * 2) % 256).astype(np.uint8)[:, :, None],
        "edges_61x47_c4": edges,
        "astronaut_150x100_c3": np.ascontiguousarray(astronaut[40:140, 150:300]),
        "astronaut_97x61_c3": np.ascontiguousarray(astronaut[150:211, 200:297]),
        "astronaut_97x40_c3": np.ascontiguousarray(astronaut[300:340, 150:247]),
    }


RESIZE_TARGETS = {
    "noise_1x1_c3": [(5, 4), (1, 3)],
    "noise_2x3_c3": [(7, 5), (1, 1), (3, 2), (4, 6)],
    "noise_61x47_c3": [(30, 20), (83, 53), (17, 47), (61, 13), (7, 5)],
    "noise_97x61_c4": [(40, 33), (23, 100)],
    "gradient_97x61_c1": [(40, 33), (123, 77), (96, 1)],
    "edges_61x47_c4": [(30, 20), (97, 61)],
    "astronaut_150x100_c3": [(75, 50), (45, 30), (31, 70)],
}

REDUCE_FACTORS = {
    "noise_1x1_c3": [2],
    "noise_61x47_c3": [2, 3, 4, 8],
    "noise_97x61_c4": [2, 5],
    "gradient_97x61_c1": [4, 8],
    "astronaut_150x100_c3": [2, 4, 8],
}


def pil_reduce(a: np.ndarray, factor: int) -> np.ndarray:
    c = a.shape[2]
    im = Image.fromarray(a[:, :, 0] if c == 1 else a, MODES[c])
    out = np.array(im.reduce(factor))
    return out.reshape(out.shape[0], out.shape[1], c)


def pil_resize(a: np.ndarray, filt: str, w: int, h: int) -> np.ndarray:
    c = a.shape[2]
    im = Image.fromarray(a[:, :, 0] if c == 1 else a, MODES[c])
    out = np.array(im.resize((w, h), PIL_FILTERS[filt]))
    return out.reshape(h, w, c)


def cv2_resize(a: np.ndarray, w: int, h: int) -> np.ndarray:
    return cv2.resize(a, (w, h), interpolation=cv2.INTER_LINEAR).reshape(h, w, a.shape[2])


def normalize_torchvision(u8: np.ndarray, mean, std) -> np.ndarray:
    x = u8.astype(np.float32) / np.float32(255)
    x = (x - np.array(mean, np.float32)) / np.array(std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]).astype(np.float32)


def recipe_clip(a: np.ndarray, size: int):
    h, w = a.shape[:2]
    short, long = min(w, h), max(w, h)
    new_short, new_long = size, int(size * long / short)
    nw, nh = (new_short, new_long) if w <= h else (new_long, new_short)
    resized = np.array(Image.fromarray(a).resize((nw, nh), Image.Resampling.BICUBIC))
    top, left = int(round((nh - size) / 2.0)), int(round((nw - size) / 2.0))
    crop = resized[top:top + size, left:left + size]
    geometry = {"scale_x": nw / w, "scale_y": nh / h, "offset_x": -left, "offset_y": -top,
                "content": [0, 0, size, size]}
    return crop, normalize_torchvision(crop, CLIP_MEAN, CLIP_STD), geometry


def recipe_siglip(a: np.ndarray, w: int, h: int):
    resized = np.array(Image.fromarray(a).resize((w, h), Image.Resampling.BICUBIC))
    geometry = {"scale_x": w / a.shape[1], "scale_y": h / a.shape[0], "offset_x": 0, "offset_y": 0,
                "content": [0, 0, w, h]}
    return resized, normalize_torchvision(resized, (0.5,) * 3, (0.5,) * 3), geometry


def recipe_scrfd(rgb: np.ndarray, width: int, height: int):
    img = np.ascontiguousarray(rgb[:, :, ::-1])  # insightface reads BGR with cv2.imread
    im_ratio = float(img.shape[0]) / img.shape[1]
    model_ratio = float(height) / width
    if im_ratio > model_ratio:
        new_height = height
        new_width = int(new_height / im_ratio)
    else:
        new_width = width
        new_height = int(new_width * im_ratio)
    det_scale = float(new_height) / img.shape[0]
    det_img = np.zeros((height, width, 3), dtype=np.uint8)
    det_img[:new_height, :new_width, :] = cv2.resize(img, (new_width, new_height))
    blob = cv2.dnn.blobFromImage(det_img, 1.0 / 128, (width, height), (127.5, 127.5, 127.5), swapRB=True)
    geometry = {"scale_x": det_scale, "scale_y": det_scale, "offset_x": 0, "offset_y": 0,
                "content": [0, 0, new_width, new_height]}
    return np.ascontiguousarray(det_img[:, :, ::-1]), blob.astype(np.float32), geometry


def recipe_ocr_det(rgb: np.ndarray, limit_side_len: int, limit_type: str):
    img = np.ascontiguousarray(rgb[:, :, ::-1])  # RapidOCR works on BGR
    h, w = img.shape[:2]
    if limit_type == "max":
        ratio = (float(limit_side_len) / h if h > w else float(limit_side_len) / w) if max(h, w) > limit_side_len else 1.0
    else:
        ratio = (float(limit_side_len) / h if h < w else float(limit_side_len) / w) if min(h, w) < limit_side_len else 1.0
    resize_h = int(round(int(h * ratio) / 32) * 32)
    resize_w = int(round(int(w * ratio) / 32) * 32)
    resized = cv2.resize(img, (resize_w, resize_h))
    mean = np.array([0.5, 0.5, 0.5])
    std = np.array([0.5, 0.5, 0.5])
    x = (resized.astype("float32") * (1 / 255.0) - mean) / std
    x = np.expand_dims(x.transpose((2, 0, 1)), axis=0).astype(np.float32)
    geometry = {"scale_x": resize_w / w, "scale_y": resize_h / h, "offset_x": 0, "offset_y": 0,
                "content": [0, 0, resize_w, resize_h]}
    return np.ascontiguousarray(resized[:, :, ::-1]), x, geometry


def ocr_rec_widths(w: int, h: int, img_h: int = 48, img_w: int = 320):
    max_wh_ratio = max(img_w / img_h, w * 1.0 / h)
    padded_w = int(img_h * max_wh_ratio)
    ratio = w / float(h)
    resized_w = padded_w if math.ceil(img_h * ratio) > padded_w else int(math.ceil(img_h * ratio))
    return padded_w, resized_w


def recipe_ocr_rec(rgb: np.ndarray, img_h: int = 48, img_w: int = 320):
    img = np.ascontiguousarray(rgb[:, :, ::-1])
    h, w = img.shape[:2]
    padded_w, resized_w = ocr_rec_widths(w, h, img_h, img_w)
    resized_image = cv2.resize(img, (resized_w, img_h))
    x = resized_image.astype("float32").transpose((2, 0, 1)) / 255
    x -= 0.5
    x /= 0.5
    padding_im = np.zeros((3, img_h, padded_w), dtype=np.float32)
    padding_im[:, :, 0:resized_w] = x
    geometry = {"scale_x": resized_w / w, "scale_y": img_h / h, "offset_x": 0, "offset_y": 0,
                "content": [0, 0, resized_w, img_h]}
    return np.ascontiguousarray(resized_image[:, :, ::-1]), padding_im[None], geometry


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]))
    args = ap.parse_args(argv)
    repo = Path(args.repo)
    out_dir = repo / "Tests/Goldens/media-resample"
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}

    def save(name: str, array: np.ndarray) -> str:
        path = out_dir / name
        np.save(path, np.ascontiguousarray(array))
        files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        return name

    inputs = make_inputs(repo)
    for name, a in inputs.items():
        save(f"in_{name}.npy", a)

    resize_cases = []
    for name, targets in RESIZE_TARGETS.items():
        a = inputs[name]
        for (w, h) in targets:
            for filt in list(PIL_FILTERS) + ["opencv-linear"]:
                out = cv2_resize(a, w, h) if filt == "opencv-linear" else pil_resize(a, filt, w, h)
                resize_cases.append({"input": f"in_{name}.npy", "filter": filt, "width": w, "height": h,
                                     "output": save(f"out_{name}_{filt}_{w}x{h}.npy", out)})

    reduce_cases = []
    for name, factors in REDUCE_FACTORS.items():
        for factor in factors:
            reduce_cases.append({"input": f"in_{name}.npy", "factor": factor,
                                 "output": save(f"reduce_{name}_{factor}.npy", pil_reduce(inputs[name], factor))})

    recipe_cases = []

    def add_recipe(recipe: str, params: dict, input_name: str, result):
        u8, f32, geometry = result
        stem = f"recipe_{recipe}_{input_name}"
        recipe_cases.append({"recipe": recipe, "params": params, "input": f"in_{input_name}.npy",
                             "u8": save(f"{stem}_u8.npy", u8), "f32": save(f"{stem}_f32.npy", f32),
                             "geometry": geometry})

    add_recipe("clip", {"size": 64}, "astronaut_150x100_c3", recipe_clip(inputs["astronaut_150x100_c3"], 64))
    add_recipe("clip", {"size": 72}, "astronaut_97x61_c3", recipe_clip(inputs["astronaut_97x61_c3"], 72))
    add_recipe("siglip", {"width": 48, "height": 40}, "astronaut_97x61_c3", recipe_siglip(inputs["astronaut_97x61_c3"], 48, 40))
    add_recipe("scrfd", {"width": 64, "height": 64}, "astronaut_97x61_c3", recipe_scrfd(inputs["astronaut_97x61_c3"], 64, 64))
    add_recipe("scrfd", {"width": 48, "height": 64}, "astronaut_97x40_c3", recipe_scrfd(inputs["astronaut_97x40_c3"], 48, 64))
    add_recipe("ocr-det", {"limit_side": 64, "limit_type": "min"}, "astronaut_97x61_c3",
               recipe_ocr_det(inputs["astronaut_97x61_c3"], 64, "min"))
    add_recipe("ocr-det", {"limit_side": 96, "limit_type": "max"}, "astronaut_150x100_c3",
               recipe_ocr_det(inputs["astronaut_150x100_c3"], 96, "max"))
    # Height 16 / min width 100 instead of 48 / 320 keeps the file small; same formula.
    add_recipe("ocr-rec", {"height": 16, "min_width": 100}, "astronaut_97x40_c3", recipe_ocr_rec(inputs["astronaut_97x40_c3"], 16, 100))

    # Size-only facts for shapes too big to store: RapidOCR's recognition widths.
    rec_widths = [{"width": w, "height": h, "padded_width": pw, "resized_width": rw}
                  for (w, h) in [(97, 40), (300, 30), (1000, 48), (10, 48), (33, 7), (481, 48)]
                  for (pw, rw) in [ocr_rec_widths(w, h)]]

    manifest = {
        "generator": "tools/goldens/make_media_resample_goldens.py",
        "pillow_version": PIL.__version__, "opencv_version": cv2.__version__, "numpy_version": np.__version__,
        "resize": resize_cases, "reduce": reduce_cases, "recipes": recipe_cases, "ocr_rec_widths": rec_widths,
        "file_sha256": files,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum((out_dir / f).stat().st_size for f in files)
    print(f"wrote {len(files)} files ({total} bytes), {len(resize_cases)} resize cases, "
          f"{len(reduce_cases)} reduce cases, {len(recipe_cases)} recipe cases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

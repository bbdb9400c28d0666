#!/usr/bin/env python3
"""Face detection and alignment goldens: insightface's SCRFD decoding, NMS and norm_crop,
reimplemented in NumPy (insightface itself is not installable here), on the generated
`buffalo_l`-shaped models (tools/models/make_face_models.py) and a synthetic photo.

Needs (dev venv): onnxruntime, opencv-python-headless; scripts/setup.sh having made
.testdata/immich-models/buffalo_l. Writes Tests/Goldens/faces/golden.json and the aligned crops
(crop_<i>.png). The photo is 320×320 RGB, computed from a formula the Swift test repeats
(`synthetic_photo`): noise on a dark background with three light squares ("faces"). The
detector runs at 320×320, so insightface's det_scale is 1.

What insightface does, and this script repeats (insightface/model_zoo/scrfd.py, utils/face_align.py):
* blob = (pixel − 127.5) / 128, RGB, NCHW;
* per stride s in (8, 16, 32): anchor centres (x·s, y·s) in row-major order, each repeated for the
  2 anchors; box = centre ∓ distances·s (x1 = cx − d0, y1 = cy − d1, x2 = cx + d2, y2 = cy + d3);
  landmark k = centre + offsets·s; keep scores ≥ 0.5;
* sort by score (descending), NMS at IoU 0.4 with areas (x2 − x1 + 1)·(y2 − y1 + 1);
* norm_crop: skimage's SimilarityTransform.estimate (Umeyama with scale, by SVD) from the five
  landmarks to ArcFace's reference points, cv2.warpAffine into 112×112 (bilinear, border 0);
* ArcFace: (pixel − 127.5) / 127.5, RGB → raw 512-d embedding.

The script fails when the case is fragile: an NMS overlap within 1e-3 of the threshold, or a
survivor set that changes when the scores move by ±2e-5 (the Swift side computes in float32 too, with a different executable).
"""

from __future__ import annotations

import json
import os
import sys

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import GOLDENS, ort_run, rel, require, sha256_file, versions  # noqa: E402

GENERATOR = "tools/goldens/make_face_goldens.py"
FOLDER = ".testdata/immich-models/buffalo_l"
SIZE = 320
SQUARES = ((64, 64, 32), (192, 128, 48), (256, 32, 24))  # x, y, side
ARCFACE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655],
                    [70.7299, 92.2041]], np.float64)


def noise(x, y, c):
    """A 32-bit integer hash of (x, y, c), as uint32 arithmetic: h = 73856093x + 19349663y +
    83492791c; h ^= h >> 13; h *= 0x5bd1e995; h ^= h >> 15."""
    h = (73856093 * x + 19349663 * y + 83492791 * c).astype(np.uint64) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0x5BD1E995) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def synthetic_photo() -> np.ndarray:
    """uint8 [320, 320, 3]: 30 + noise % 40 outside the squares, 180 + noise % 70 inside."""
    y, x, c = np.meshgrid(np.arange(SIZE), np.arange(SIZE), np.arange(3), indexing="ij")
    inside = np.zeros((SIZE, SIZE, 3), bool)
    for sx, sy, side in SQUARES:
        inside |= (x >= sx) & (x < sx + side) & (y >= sy) & (y < sy + side)
    h = noise(x.astype(np.uint64), y.astype(np.uint64), c.astype(np.uint64))
    return np.where(inside, 180 + h % 70, 30 + h % 40).astype(np.uint8)


def decode(outputs, threshold=0.5):
    """insightface SCRFD.forward + detect (det_scale 1): boxes [n, 4], scores [n], landmarks [n, 10]."""
    boxes, scores, points = [], [], []
    for level, stride in enumerate((8, 16, 32)):
        s, b, k = outputs[level][:, 0], outputs[level + 3] * stride, outputs[level + 6] * stride
        h = w = SIZE // stride
        centres = np.stack(np.mgrid[:h, :w][::-1], axis=-1).astype(np.float32)
        centres = np.stack([(centres * stride).reshape(-1, 2)] * 2, axis=1).reshape(-1, 2)
        keep = np.where(s >= threshold)[0]
        c = centres[keep]
        boxes.append(np.stack([c[:, 0] - b[keep, 0], c[:, 1] - b[keep, 1], c[:, 0] + b[keep, 2],
                               c[:, 1] + b[keep, 3]], axis=-1))
        points.append(np.concatenate([c[:, i % 2:i % 2 + 1] + k[keep, i:i + 1] for i in range(10)], axis=1))
        scores.append(s[keep])
    return np.concatenate(boxes), np.concatenate(scores), np.concatenate(points)


def nms(boxes, scores, threshold=0.4):
    """insightface SCRFD.nms; also returns the smallest |overlap − threshold| seen."""
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = scores.argsort()[::-1]
    keep, margin = [], np.inf
    while order.size > 0:
        i = order[0]
        keep.append(i)
        w = np.maximum(0.0, np.minimum(x2[i], x2[order[1:]]) - np.maximum(x1[i], x1[order[1:]]) + 1)
        h = np.maximum(0.0, np.minimum(y2[i], y2[order[1:]]) - np.maximum(y1[i], y1[order[1:]]) + 1)
        overlap = w * h / (areas[i] + areas[order[1:]] - w * h)
        if overlap.size:
            margin = min(margin, float(np.abs(overlap - threshold).min()))
        order = order[np.where(overlap <= threshold)[0] + 1]
    return keep, margin


def robust(boxes, scores, keep, trials=200):
    """True when NMS keeps the same candidates with every score moved by up to ±2e-5 (so ties
    and float32 differences between engines cannot change which faces survive)."""
    rng = np.random.default_rng(0)
    for _ in range(trials):
        jittered = scores + rng.uniform(-2e-5, 2e-5, scores.shape).astype(np.float32)
        if sorted(nms(boxes, jittered)[0]) != sorted(keep):
            return False
    return True


def umeyama(src, dst):
    """skimage.transform._geometric._umeyama(src, dst, estimate_scale=True): a 3×3 matrix."""
    n, dim = src.shape
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_demean, dst_demean = src - src_mean, dst - dst_mean
    a = dst_demean.T @ src_demean / n
    d = np.ones(dim)
    if np.linalg.det(a) < 0:
        d[dim - 1] = -1
    t = np.eye(dim + 1)
    u, s, v = np.linalg.svd(a)
    t[:dim, :dim] = u @ np.diag(d) @ v
    scale = 1.0 / src_demean.var(axis=0).sum() * (s @ d)
    t[:dim, dim] = dst_mean - scale * (t[:dim, :dim] @ src_mean.T)
    t[:dim, :dim] *= scale
    return t


def main() -> None:
    det = require(os.path.join(FOLDER, "detection", "model.onnx"))
    rec = require(os.path.join(FOLDER, "recognition", "model.onnx"))
    photo = synthetic_photo()
    blob = ((photo.astype(np.float32) - 127.5) / 128.0).transpose(2, 0, 1)[None]
    names = ["448", "471", "494", "451", "474", "497", "454", "477", "500"]
    raw = ort_run(det, {"input.1": blob})
    boxes, scores, points = decode([raw[n] for n in names])
    keep, margin = nms(boxes, scores)
    if margin < 1e-3 or not robust(boxes, scores, keep):
        sys.exit(f"fragile case: overlap margin {margin:.2e}, or near-equal scores decide NMS")
    faces = []
    os.makedirs(os.path.join(GOLDENS, "faces"), exist_ok=True)
    for rank, i in enumerate(keep):
        face = {"box": boxes[i].tolist(), "score": float(scores[i]), "landmarks": points[i].tolist()}
        if rank < 2:
            transform = umeyama(points[i].reshape(5, 2).astype(np.float64), ARCFACE)
            crop = cv2.warpAffine(photo, transform[:2], (112, 112), borderValue=0.0)
            crop_path = os.path.join(GOLDENS, "faces", f"crop_{rank}.png")
            Image.fromarray(crop).save(crop_path, optimize=True)
            ort_in = ((crop.astype(np.float32) - 127.5) / 127.5).transpose(2, 0, 1)[None]
            face["transform"] = transform[:2].reshape(-1).tolist()
            face["crop"] = rel(crop_path)
            face["embedding"] = ort_run(rec, {"input.1": ort_in})["683"][0].tolist()
        faces.append(face)
    golden = {"generator": GENERATOR, "versions": versions(), "detector": rel(det), "recognizer": rel(rec),
              "detector_sha256": sha256_file(det), "recognizer_sha256": sha256_file(rec), "size": SIZE,
              "squares": SQUARES, "min_score": 0.5, "nms": 0.4, "candidates": int(len(scores)),
              "overlap_margin": margin, "faces": faces}
    path = os.path.join(GOLDENS, "faces", "golden.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1)
    print(f"wrote {rel(path)}: {len(scores)} candidates, {len(faces)} faces after NMS, "
          f"overlap margin {margin:.2e}")


if __name__ == "__main__":
    main()

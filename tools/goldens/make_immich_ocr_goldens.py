#!/usr/bin/env python3
"""Immich OCR goldens: the lines Immich's machine-learning service answers, on PP-OCRv5 mobile.

Immich (machine-learning/immich_ml/models/ocr/{detection,recognition}.py, v3.1) runs
RapidOCR 3.x pieces with its own pre-processing. This script rebuilds that pipeline
from the same parts, as Immich configures them:

  detection   PIL image (RGB); ratio = min(maxResolution / shorter side, 1); each side
              int(side * ratio) rounded to a multiple of 32; PIL LANCZOS resize; BGR
              float32; (x - 0.5) * (1 / 127.5) (Immich's mean 0.5 / std 0.5*255 on 0..255
              values); onnxruntime; rapidocr.ch_ppocr_det.utils.DBPostProcess(thresh 0.3,
              box_thresh minScore, max_candidates 1000, unclip_ratio 1.6, use_dilation,
              score_mode "fast") with the image's (h, w); Immich's sorted_boxes (stable sort
              by the first corner's y, lines split where consecutive y differ by >= 10,
              then by x inside a line).
  recognition each box cut with PIL Image.transform(PERSPECTIVE, BICUBIC) to
              int(max edge lengths), turned with rotate(90, expand=True) when h/w >= 1.5,
              BGR; rapidocr.ch_ppocr_rec.TextRecognizer with rec_batch_num 6 and
              rec_img_shape (3, 48, 320) (dictionary from the model metadata).

Inputs: .testdata/images/page.png (skimage scan, grey -> RGB) and a rendered image
with horizontal, tilted and vertical lines (DejaVu fonts, drawn here, committed as
Tests/Goldens/immich_ocr/rendered.png). Output Tests/Goldens/immich_ocr/golden.json:
per image every detected box (4 int corners TL,TR,BR,BL in image pixels), its box
score and the recognized text and text score, in Immich's order, plus the det input
size. Scores are as float32 RapidOCR gives them (text scores rounded to 5 decimals
by RapidOCR itself).

Needs (dev venv): rapidocr==3.10.0 (--no-deps) with pyclipper, shapely, omegaconf,
colorlog, requests, six; onnxruntime 1.31.1; opencv-python-headless; pillow 13;
and scripts/setup.sh having made .testdata/immich-models/PP-OCRv5_mobile.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import GOLDENS, TESTDATA, dumps, rel, require, sha256_file, versions  # noqa: E402

GENERATOR = "tools/goldens/make_immich_ocr_goldens.py"
FOLDER = os.path.join(TESTDATA, "immich-models", "PP-OCRv5_mobile")
OUT = os.path.join(GOLDENS, "immich_ocr")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MAX_RESOLUTION = 736
BOX_MIN_SCORE = 0.5
BATCH = 6


def render(path: str) -> None:
    """A 960x800 white page: three horizontal lines, one tilted 12 degrees, one turned a
    quarter clockwise (reads top to bottom), one small line near the bottom edge."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("RGB", (960, 800), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    big, mid, small = (ImageFont.truetype(FONT_BOLD, 44), ImageFont.truetype(FONT, 34),
                       ImageFont.truetype(FONT, 24))
    draw.text((60, 50), "Edgeflow reads text", font=big, fill=(20, 20, 20))
    draw.text((60, 140), "Immich photo library 2026", font=mid, fill=(40, 40, 90))
    draw.text((60, 200), "Holiday in Lisbon", font=mid, fill=(90, 30, 30))

    def pasted(text: str, font, angle: float, at: tuple) -> None:
        w, h = int(draw.textlength(text, font=font)) + 20, font.size + 24
        tile = Image.new("RGB", (w, h), (255, 255, 255))
        ImageDraw.Draw(tile).text((10, 8), text, font=font, fill=(10, 10, 10))
        mask = Image.new("L", (w, h), 255)
        turned = tile.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))
        turned_mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
        page.paste(turned, at, turned_mask)

    pasted("Tilted caption here", mid, 12, (80, 330))
    pasted("VERTICAL SIGN", mid, -90, (840, 260))
    draw.text((60, 730), "small print at the bottom", font=small, fill=(0, 0, 0))
    page.save(path, optimize=True)


def detect(session, image, detector):
    """Immich's TextDetector._transform and _predict with RapidOCR's DBPostProcess."""
    import cv2
    from PIL import Image

    w, h = image.size
    if w < 32 or h < 32:
        return [], [], (0, 0)
    ratio = min(float(MAX_RESOLUTION) / min(w, h), 1.0)
    rw = int(round(int(w * ratio) / 32) * 32)
    rh = int(round(int(h * ratio) / 32) * 32)
    resized = image.resize((rw, rh), resample=Image.Resampling.LANCZOS)
    x = cv2.cvtColor(np.array(resized, dtype=np.float32), cv2.COLOR_RGB2BGR)
    x -= np.array([0.5, 0.5, 0.5], dtype=np.float32)
    x *= np.float32(1.0) / (np.array([0.5, 0.5, 0.5], dtype=np.float32) * 255.0)
    x = np.expand_dims(np.transpose(x, (2, 0, 1)), 0)
    prob = session.run(None, {session.get_inputs()[0].name: x})[0]
    boxes, scores = detector(prob, (h, w))
    if len(boxes) == 0:
        return [], [], (rh, rw)
    order = reading_order(np.asarray(boxes, dtype=np.float32))
    return [np.asarray(boxes[i], dtype=np.float32) for i in order], [float(scores[i]) for i in order], (rh, rw)


def reading_order(boxes: np.ndarray) -> list:
    """Immich's sorted_boxes as an index permutation (its boxScore array is not permuted
    with the boxes there; here each score stays with its box)."""
    by_y = sorted(range(len(boxes)), key=lambda i: boxes[i, 0, 1])
    line, lines = 0, {}
    for k, i in enumerate(by_y):
        if k > 0 and abs(boxes[i, 0, 1] - boxes[by_y[k - 1], 0, 1]) >= 10:
            line += 1
        lines[i] = line
    return sorted(by_y, key=lambda i: lines[i] * 1e6 + boxes[i, 0, 0])


def crop(image, box: np.ndarray):
    """Immich's get_crop_img_list for one box: output pixel -> box point by the perspective
    map from the upright rectangle onto the box (solved with numpy), PIL BICUBIC."""
    from PIL import Image

    width = int(max(np.linalg.norm(box[1] - box[0]), np.linalg.norm(box[2] - box[3])))
    height = int(max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2])))
    rect = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    rows, rhs = [], []
    for (x, y), (u, v) in zip(rect, box.astype(np.float64)):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y]); rhs.append(v)
    coeffs = np.linalg.solve(np.array(rows), np.array(rhs))
    out = image.transform((width, height), Image.Transform.PERSPECTIVE, data=tuple(coeffs),
                          resample=Image.Resampling.BICUBIC)
    if out.size[1] * 1.0 / out.size[0] >= 1.5:
        out = out.rotate(90, expand=True)
    return np.ascontiguousarray(np.array(out)[:, :, ::-1])


def main() -> int:
    import onnxruntime as ort
    from importlib.metadata import version
    from PIL import Image
    from rapidocr.ch_ppocr_det.utils import DBPostProcess
    from rapidocr.ch_ppocr_rec import TextRecInput
    from rapidocr.ch_ppocr_rec import TextRecognizer
    from rapidocr.utils.typings import EngineType

    if version("rapidocr") != "3.10.0":
        sys.exit("needs rapidocr==3.10.0")
    det_path = require(os.path.join(FOLDER, "detection", "model.onnx"))
    rec_path = require(os.path.join(FOLDER, "recognition", "model.onnx"))
    os.makedirs(OUT, exist_ok=True)
    rendered = os.path.join(OUT, "rendered.png")
    render(rendered)

    det_session = ort.InferenceSession(det_path, providers=["CPUExecutionProvider"])
    rec_session = ort.InferenceSession(rec_path, providers=["CPUExecutionProvider"])
    meta = rec_session.get_modelmeta().custom_metadata_map["character"]
    assert meta.splitlines() == meta.split("\n"), "dictionary splits differently on \\n"

    class Options(dict):  # RapidOCR reads these as attributes (Immich's OcrOptions does the same)
        engine_type, lang_type, font_path = EngineType.ONNXRUNTIME, None, None

    recognizer = TextRecognizer(Options(session=rec_session, rec_batch_num=BATCH, rec_img_shape=(3, 48, 320)))
    detector = DBPostProcess(thresh=0.3, box_thresh=BOX_MIN_SCORE, max_candidates=1000, unclip_ratio=1.6,
                             use_dilation=True, score_mode="fast")
    images = []
    for path in (os.path.join(TESTDATA, "images", "page.png"), rendered):
        image = Image.open(require(path)).convert("RGB")
        boxes, scores, det_size = detect(det_session, image, detector)
        lines = []
        if boxes:
            crops = [crop(image, b) for b in boxes]
            rec = recognizer(TextRecInput(img=crops))
            for b, s, c, t, ts in zip(boxes, scores, crops, rec.txts, rec.scores):
                lines.append({"box": [[int(v) for v in p] for p in b], "box_score": s, "text": t,
                              "text_score": float(ts), "crop_size": [int(c.shape[1]), int(c.shape[0])]})
        print(f"[immich-ocr] {rel(path)} ({image.width}x{image.height}, det {det_size[1]}x{det_size[0]}):")
        for line in lines:
            print(f"    {line['text']!r} text {line['text_score']:.4f} box {line['box_score']:.4f} {line['box']}")
        images.append({"image": rel(path), "image_sha256": sha256_file(path), "width": image.width,
                       "height": image.height, "det_input": [det_size[0], det_size[1]], "lines": lines})
    golden = {
        "generator": GENERATOR,
        "description": "Immich v3.1 OCR (RapidOCR 3.10.0 post-processing, Immich's resize/normalization/crops) "
                       "on PP-OCRv5 mobile; every detected line before the text-score filter, in Immich's order.",
        "detection_model": rel(det_path), "detection_sha256": sha256_file(det_path),
        "recognition_model": rel(rec_path), "recognition_sha256": sha256_file(rec_path),
        "max_resolution": MAX_RESOLUTION, "box_min_score": BOX_MIN_SCORE, "batch": BATCH,
        "rapidocr_version": version("rapidocr"), "pillow_version": version("pillow"),
        "opencv_version": version("opencv-python-headless"),
        **{f"{k}_version": v for k, v in versions().items()},
        "images": images,
    }
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        f.write(dumps(golden))
    print(f"[immich-ocr] wrote {rel(os.path.join(OUT, 'golden.json'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Text-line direction goldens: Immich's OCR pipeline with RapidOCR's direction classifier.

Immich's OCR (tools/goldens/make_immich_ocr_goldens.py rebuilds it) reads an upside-down
line as it is. RapidOCR puts a classifier between the crops and the recognizer: each crop
through ch_ppocr_mobile_v2.0_cls (PP-OCR's 0/180 degree text-line classifier) and turned
half a circle when it says "180" with a score above 0.9. This script runs Immich's pipeline
(detection, reading order and crops imported from the Immich script) with
rapidocr.ch_ppocr_cls.TextClassifier's own __call__ and resize_norm_img (RapidOCR 3.10.0,
its PP-OCRv4 configuration: input 3x48x192, batches of 6, threshold 0.9, labels 0/180;
its onnxruntime session replaced by one on the same file) before the recognizer.

Inputs: page.png and the Immich script's rendered.png, each turned half a circle
(PIL transpose ROTATE_180: every pixel moved, none resampled). Output
Tests/Goldens/ocr_direction/golden.json: per image every line (box, box score, the
classifier's label and score, text and text score with the classifier, and the text read
without it).

Needs the Immich script's dev venv (rapidocr==3.10.0 and friends) and scripts/setup.sh having
made .testdata/immich-models/PP-OCRv5_mobile and .testdata/models/ppocrv4/cls.onnx.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import GOLDENS, TESTDATA, dumps, rel, require, sha256_file, versions  # noqa: E402
import make_immich_ocr_goldens as immich  # noqa: E402

GENERATOR = "tools/goldens/make_ocr_direction_goldens.py"
OUT = os.path.join(GOLDENS, "ocr_direction")
CLS = os.path.join(TESTDATA, "models", "ppocrv4", "cls.onnx")
THRESHOLD = 0.9


def classifier(path: str):
    """RapidOCR's TextClassifier with its PP-OCRv4 settings on an onnxruntime session of `path`."""
    import onnxruntime as ort
    from rapidocr.ch_ppocr_cls import TextClassifier
    from rapidocr.ch_ppocr_cls.utils import ClsPostProcess

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    made = TextClassifier.__new__(TextClassifier)
    made.cls_image_shape = [3, 48, 192]
    made.cls_batch_num = immich.BATCH
    made.cls_thresh = THRESHOLD
    made.postprocess_op = ClsPostProcess(["0", "180"])
    made.session = lambda batch: session.run(None, {name: batch})[0]
    return made


def main() -> int:
    import onnxruntime as ort
    from importlib.metadata import version
    from PIL import Image
    from rapidocr.ch_ppocr_det.utils import DBPostProcess
    from rapidocr.ch_ppocr_rec import TextRecInput, TextRecognizer
    from rapidocr.utils.typings import EngineType

    if version("rapidocr") != "3.10.0":
        sys.exit("needs rapidocr==3.10.0")
    det_path = require(os.path.join(immich.FOLDER, "detection", "model.onnx"))
    rec_path = require(os.path.join(immich.FOLDER, "recognition", "model.onnx"))
    cls_path = require(CLS)
    det_session = ort.InferenceSession(det_path, providers=["CPUExecutionProvider"])
    rec_session = ort.InferenceSession(rec_path, providers=["CPUExecutionProvider"])

    class Options(dict):  # RapidOCR reads these as attributes (Immich's OcrOptions does the same)
        engine_type, lang_type, font_path = EngineType.ONNXRUNTIME, None, None

    recognizer = TextRecognizer(Options(session=rec_session, rec_batch_num=immich.BATCH,
                                        rec_img_shape=(3, 48, 320)))
    detector = DBPostProcess(thresh=0.3, box_thresh=immich.BOX_MIN_SCORE, max_candidates=1000, unclip_ratio=1.6,
                             use_dilation=True, score_mode="fast")
    directions = classifier(cls_path)
    os.makedirs(OUT, exist_ok=True)
    images = []
    for path in (os.path.join(TESTDATA, "images", "page.png"), os.path.join(immich.OUT, "rendered.png")):
        image = Image.open(require(path)).convert("RGB").transpose(Image.Transpose.ROTATE_180)
        boxes, scores, _ = immich.detect(det_session, image, detector)
        crops = [immich.crop(image, b) for b in boxes]
        lines = []
        if crops:
            plain = recognizer(TextRecInput(img=crops))
            classified = directions(crops)
            read = recognizer(TextRecInput(img=classified.img_list))
            for k, b in enumerate(boxes):
                label, score = classified.cls_res[k]
                lines.append({"box": [[int(v) for v in p] for p in b], "box_score": scores[k],
                              "direction": label, "direction_score": float(score), "text": read.txts[k],
                              "text_score": float(read.scores[k]), "text_without_classifier": plain.txts[k]})
        print(f"[ocr-direction] {rel(path)} turned 180 degrees ({image.width}x{image.height}):")
        for line in lines:
            print(f"    {line['direction']} {line['direction_score']:.3f} {line['text']!r} "
                  f"(without: {line['text_without_classifier']!r})")
        images.append({"image": rel(path), "image_sha256": sha256_file(path), "turn": 180, "lines": lines})
    golden = {
        "generator": GENERATOR,
        "description": "Immich's OCR on PP-OCRv5 mobile with RapidOCR 3.10.0's text-line direction classifier "
                       "(ch_ppocr_mobile_v2.0_cls, threshold 0.9) before recognition, on images turned 180 degrees.",
        "detection_sha256": sha256_file(det_path), "recognition_sha256": sha256_file(rec_path),
        "classifier_model": rel(cls_path), "classifier_sha256": sha256_file(cls_path), "threshold": THRESHOLD,
        "max_resolution": immich.MAX_RESOLUTION, "box_min_score": immich.BOX_MIN_SCORE, "batch": immich.BATCH,
        "rapidocr_version": version("rapidocr"), "pillow_version": version("pillow"),
        **{f"{k}_version": v for k, v in versions().items()},
        "images": images,
    }
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        f.write(dumps(golden))
    print(f"[ocr-direction] wrote {rel(os.path.join(OUT, 'golden.json'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

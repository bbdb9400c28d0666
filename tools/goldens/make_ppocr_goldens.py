#!/usr/bin/env python3
"""PP-OCRv4 goldens: RapidOCR 1.4.4 on skimage's page.png, model inputs/outputs captured.

Needs (dev venv): rapidocr-onnxruntime==1.4.4 (installed --no-deps), its
dependencies with opencv-python-headless, onnxruntime; and scripts/setup.sh
having run (.testdata/images/page.png, .testdata/models/ppocrv4/,
.testdata/demo/page_det_input.npy).

RapidOCR's OrtInferSession.__call__ is wrapped so that every det/cls/rec
session run is recorded (model, exact input tensor, outputs). Cases:

ppocrv4_det_page  det.onnx on the [1,3,736,1472] input RapidOCR builds from
                  page.png. The input is not committed (13 MB): it is
                  .testdata/demo/page_det_input.npy, which setup rebuilds with the
                  numpy port tools/goldens/rapidocr_det_input.py; this script
                  checks that port against the captured tensor bit for bit.
                  Output sigmoid_0.tmp_0 [1,1,736,1472] committed (4.3 MB).
                  golden.json also holds RapidOCR's final boxes.
ppocrv4_cls_page  cls.onnx on the 5 text-line crops [5,3,48,192] (batch order =
                  crops sorted by aspect ratio, as RapidOCR runs them).
ppocrv4_rec_page  rec.onnx on the same crops [5,3,48,1000] (each resized to
                  height 48, zero padded to the batch's widest ratio). The
                  output softmax_11.tmp_0 [5,125,6625] is 16.6 MB dense, so it is
                  stored sparse: every entry >= 1e-6 (flat C-order int64 indices
                  + float32 values); all other entries are < 1e-6 in the
                  reference. golden.json holds RapidOCR's strings per batch row
                  and the CTC decoding recipe; this script checks that recipe
                  reproduces RapidOCR's strings from the logits.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rapidocr_det_input  # noqa: E402
from goldenlib import TESTDATA, ort_run, rel, require, sha256_file, write_case  # noqa: E402

GENERATOR = "tools/goldens/make_ppocr_goldens.py"
TOL = 1e-4
SPARSE_FLOOR = 1e-6
EXPECTED_TEXTS = [  # test-materials section 3.1, reading order
    "Region-basedsegmentation",
    "Let us first determine markers of the coins and the",
    "background.These markers are pixels that we can label",
    "unambiguously as either object or background.Here,",
    "histogram ofgreyvalues:",
]


def main() -> int:
    import onnx
    import rapidocr_onnxruntime
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.utils import infer_engine
    import rapidocr_onnxruntime.ch_ppocr_rec.text_recognize as rec_mod

    if rapidocr_onnxruntime.__file__ is None or "1.4.4" not in _dist_version("rapidocr_onnxruntime"):
        sys.exit("needs rapidocr-onnxruntime==1.4.4")
    page = require(os.path.join(TESTDATA, "images", "page.png"))
    models = {k: os.path.join(".testdata", "models", "ppocrv4", f"{k}.onnx") for k in ("det", "cls", "rec")}
    for k, p in models.items():
        require(p)
    pkg_models = os.path.join(os.path.dirname(rapidocr_onnxruntime.__file__), "models")
    for k, fn in (("det", "ch_PP-OCRv4_det_infer.onnx"), ("rec", "ch_PP-OCRv4_rec_infer.onnx"),
                  ("cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx")):
        assert sha256_file(os.path.join(pkg_models, fn)) == sha256_file(models[k]), f"{k} model differs"

    captured = []
    orig_call = infer_engine.OrtInferSession.__call__

    def recording_call(self, x):
        out = orig_call(self, x)
        captured.append((os.path.basename(self.session._model_path), np.array(x, copy=True),
                         [np.array(o, copy=True) for o in out],
                         [o.name for o in self.session.get_outputs()],
                         self.session.get_inputs()[0].name))
        return out

    infer_engine.OrtInferSession.__call__ = recording_call
    rec_inputs = {}
    orig_rec_call = rec_mod.TextRecognizer.__call__

    def rec_call(self, img_list, return_word_box=False):
        rec_inputs["widths"] = [im.shape[1] / float(im.shape[0]) for im in img_list]
        return orig_rec_call(self, img_list, return_word_box)

    rec_mod.TextRecognizer.__call__ = rec_call

    engine = RapidOCR()
    result, _ = engine(page)
    texts = [r[1] for r in result]
    print("[ppocr] RapidOCR:", texts)
    assert texts == EXPECTED_TEXTS, texts
    by_model = {c[0]: c for c in captured}
    assert [c[0] for c in captured] == ["ch_PP-OCRv4_det_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx",
                                        "ch_PP-OCRv4_rec_infer.onnx"], [c[0] for c in captured]
    order = [int(i) for i in np.argsort(np.array(rec_inputs["widths"]))]  # batch row -> reading-order line

    # ---------------- det
    _, det_x, det_out, det_names, det_in = by_model["ch_PP-OCRv4_det_infer.onnx"]
    demo = require(os.path.join(TESTDATA, "demo", "page_det_input.npy"))
    port = rapidocr_det_input.det_normalize(rapidocr_det_input.det_resized(rapidocr_det_input.load_bgr(page)))
    assert np.array_equal(port, det_x), "numpy port of RapidOCR det preprocessing differs from cv2"
    assert np.array_equal(np.load(demo), det_x), ".testdata/demo/page_det_input.npy is stale: rerun setup"
    fresh = ort_run(models["det"], {det_in: det_x})
    assert np.array_equal(fresh[det_names[0]], det_out[0])
    boxes = [[[float(v) for v in pt] for pt in r[0]] for r in result]
    write_case(
        "ppocrv4_det_page",
        description="PP-OCRv4 text detection (DB) on skimage page.png (384x191 grey scan), input exactly as "
                    "RapidOCR 1.4.4 feeds it: BGR, resized (cv2 INTER_LINEAR) to 1472x736 (min side -> 736, "
                    "multiples of 32), (x/255-0.5)/0.5, NCHW. Input lives in .testdata (13 MB), made by setup.",
        model=models["det"], inputs={det_in: rel(demo)}, outputs={det_names[0]: det_out[0]},
        tolerance=TOL, generator=GENERATOR,
        model_origin="rapidocr-onnxruntime==1.4.4 wheel: rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx "
                     "(scripts/setup.sh)",
        extra={
            "input_recipe": "tools/goldens/rapidocr_det_input.py .testdata/images/page.png OUT.npy",
            "rapidocr_boxes": boxes,
            "rapidocr_postprocess": {"thresh": 0.3, "box_thresh": 0.5, "unclip_ratio": 1.6,
                                     "use_dilation": True, "score_mode": "fast", "max_candidates": 1000},
            "rapidocr_texts": texts,
        })

    # ---------------- cls
    _, cls_x, cls_out, cls_names, cls_in = by_model["ch_ppocr_mobile_v2.0_cls_infer.onnx"]
    fresh = ort_run(models["cls"], {cls_in: cls_x})
    assert np.array_equal(fresh[cls_names[0]], cls_out[0])
    labels = ["0", "180"]
    write_case(
        "ppocrv4_cls_page",
        description="PP-OCR mobile v2 direction classifier (0/180) on the 5 text-line crops RapidOCR 1.4.4 cuts "
                    "from page.png, batch rows sorted by crop aspect ratio; each crop resized to height 48 "
                    "(cv2 INTER_LINEAR), width <= 192, (x/255-0.5)/0.5, zero padded to 192.",
        model=models["cls"], inputs={cls_in: cls_x}, outputs={cls_names[0]: cls_out[0]},
        tolerance=TOL, generator=GENERATOR,
        model_origin="rapidocr-onnxruntime==1.4.4 wheel: rapidocr_onnxruntime/models/"
                     "ch_ppocr_mobile_v2.0_cls_infer.onnx (scripts/setup.sh)",
        extra={"batch_row_to_line": order, "labels": labels,
               "argmax_labels": [labels[int(i)] for i in cls_out[0].argmax(1)]})

    # ---------------- rec
    _, rec_x, rec_out, rec_names, rec_in = by_model["ch_PP-OCRv4_rec_infer.onnx"]
    probs = rec_out[0]
    fresh = ort_run(models["rec"], {rec_in: rec_x})
    assert np.array_equal(fresh[rec_names[0]], probs)
    meta = {p.key: p.value for p in onnx.load(require(models["rec"])).metadata_props}
    chars = ["blank"] + meta["character"].split("\n") + [" "]
    assert len(chars) == probs.shape[2], (len(chars), probs.shape)
    decoded, scores = [], []
    for row in range(probs.shape[0]):
        idx = probs[row].argmax(-1)
        keep = np.ones(len(idx), dtype=bool)
        keep[1:] = idx[1:] != idx[:-1]
        keep &= idx != 0
        decoded.append("".join(chars[i] for i in idx[keep]))
        scores.append(float(np.mean(probs[row].max(-1)[keep])) if keep.any() else 0.0)
    expected_rows = [EXPECTED_TEXTS[order[r]] for r in range(len(order))]
    assert decoded == expected_rows, (decoded, expected_rows)
    flat = probs.reshape(-1)
    nz = np.flatnonzero(flat >= SPARSE_FLOOR).astype(np.int64)
    argmax = probs.argmax(-1).astype(np.int64)
    write_case(
        "ppocrv4_rec_page",
        description="PP-OCRv4 recognition (SVTR-LCNet, CTC) on the 5 text-line crops RapidOCR 1.4.4 cuts from "
                    "page.png, one batch as RapidOCR runs it: rows sorted by aspect ratio, each resized to height 48 "
                    "(cv2 INTER_LINEAR), (x/255-0.5)/0.5, zero padded to width int(48*max ratio)=1000. Output "
                    "stored sparse (see sparse_outputs): compare listed entries within tolerance and require every "
                    "other entry to be below floor + tolerance.",
        model=models["rec"], inputs={rec_in: rec_x}, outputs={},
        tolerance=TOL, generator=GENERATOR,
        model_origin="rapidocr-onnxruntime==1.4.4 wheel: rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx "
                     "(scripts/setup.sh)",
        sparse_outputs={rec_names[0]: {
            "shape": list(probs.shape), "indices": nz, "values": flat[nz].astype(np.float32),
            "floor": SPARSE_FLOOR,
            "rule": "indices are flat C-order positions of every reference entry >= floor; every entry not listed "
                    "is < floor in the reference"}},
        derived={"argmax": (argmax, f"argmax over the last axis of {rec_names[0]}; not a model output")},
        extra={
            "batch_row_to_line": order,
            "texts": decoded,
            "text_scores": scores,
            "texts_reading_order": EXPECTED_TEXTS,
            "ctc_decode": "greedy: argmax per time step, drop repeats of the previous step's index, drop index 0 "
                          "(blank); dictionary = rec model metadata_props['character'] split on '\\n' "
                          "(6623 entries), with 'blank' inserted at index 0 and ' ' appended (6625 classes)",
        })
    print("[ppocr] rec decode reproduces RapidOCR:", decoded)
    return 0


def _dist_version(name: str) -> str:
    from importlib.metadata import version
    return version(name.replace("_", "-"))


if __name__ == "__main__":
    sys.exit(main())

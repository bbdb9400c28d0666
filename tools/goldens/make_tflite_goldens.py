#!/usr/bin/env python3
"""TFLite goldens: MediaPipe's float vision models run by LiteRT on a real photo.

Needs (dev venv, e.g. python3 -m venv .venv-tflite): ai-edge-litert, numpy,
pillow; scripts/setup.sh having run (.testdata/models/mediapipe/*.tflite from
the mediapipe==0.10.14 wheel, .testdata/images/astronaut.png from
scikit-image). Usage: .venv-tflite/bin/python tools/goldens/make_tflite_goldens.py

Each model gets the astronaut photo (skimage), cut to a square around the face
for the face landmark/iris models, resized with Pillow's bilinear filter to the model's
input size and scaled to [-1, 1] (MediaPipe's face, palm, pose detector and iris models) or
[0, 1] (the hand and pose landmark models), in the model's NHWC layout. LiteRT's
interpreter runs its builtin kernels with the XNNPACK delegate off
(OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES). Cases are tflite_<model>, with
tolerance 1e-4 of each output's magnitude (max_abs_scaled): the detectors'
regressors reach 1668, where one float32 ulp is already 1.2e-4 (5e-4 for the pose landmark
model, noted at its entry).
"""

from __future__ import annotations

import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import TESTDATA, require, write_case  # noqa: E402

GENERATOR = "tools/goldens/make_tflite_goldens.py"
TOL = 1e-4
ORIGIN = "mediapipe==0.10.14 wheel: mediapipe/modules/{}.tflite (scripts/setup.sh)"
# (model, crop box of astronaut.png as (left, top, right, bottom) or None, value range[, tolerance])
MODELS = [
    ("face_detection/face_detection_short_range", None, (-1.0, 1.0)),
    ("face_landmark/face_landmark", (150, 40, 290, 180), (-1.0, 1.0)),
    ("palm_detection/palm_detection_lite", None, (-1.0, 1.0)),
    ("iris_landmark/iris_landmark", (200, 80, 240, 120), (-1.0, 1.0)),
    ("hand_landmark/hand_landmark_lite", None, (0.0, 1.0)),
    ("palm_detection/palm_detection_full", None, (-1.0, 1.0)),
    ("hand_landmark/hand_landmark_full", None, (0.0, 1.0)),
    # Its segmentation logits reach 1721 after long sums: LiteRT's reference kernels differ from
    # the builtin kernels used here by 1.5e-4 of that (its XNNPACK delegate by 4.1e-4), Edgeflow's
    # compiled run by 3.7e-4 on an AVX2-only Zen 3 (oneDNN's avx2 kernels): 5e-4.
    ("pose_landmark/pose_landmark_full", None, (0.0, 1.0), 5e-4),
    # Sparse weights (float16 stored as TFLite's compressed blocks, DENSIFY before DEQUANTIZE).
    ("pose_detection/pose_detection", None, (-1.0, 1.0)),
    ("face_detection/face_detection_full_range_sparse", None, (-1.0, 1.0)),
    # STRIDED_SLICE (the channel padding of its residual blocks, sliced back).
    ("holistic_landmark/hand_recrop", None, (0.0, 1.0)),
    # MediaPipe's custom Convolution2DTransposeBias: LiteRT has no kernel for it, so the
    # reference runs a copy of the model with the op rewritten to TFLite's TRANSPOSE_CONV
    # (reference_model below); the case still names the original file.
    ("selfie_segmentation/selfie_segmentation", None, (0.0, 1.0)),
    ("selfie_segmentation/selfie_segmentation_landscape", None, (0.0, 1.0)),
]


def photo(size, box, value_range):
    from PIL import Image
    image = Image.open(require(os.path.join(TESTDATA, "images", "astronaut.png"))).convert("RGB")
    if box is not None:
        image = image.crop(box)
    height, width = size
    pixels = np.asarray(image.resize((width, height), Image.BILINEAR), dtype=np.float32) / 255.0
    low, high = value_range
    return (pixels * (high - low) + low)[None].astype(np.float32)


def reference_model(model_path, workdir):
    """The path LiteRT runs for `model_path`: the file itself, or a copy whose MediaPipe
    Convolution2DTransposeBias ops are rewritten to TRANSPOSE_CONV (tflitelib)."""
    import tflitelib
    model = tflitelib.load(model_path)
    if not tflitelib.transpose_conv_bias_as_builtin(model):
        return model_path
    path = os.path.join(workdir, os.path.basename(model_path))
    with open(path, "wb") as f:
        f.write(tflitelib.pack(model))
    return path


def run(model_path, feeds):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    interpreter = Interpreter(model_path=model_path,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], feeds[detail["name"]])
    interpreter.invoke()
    return {d["name"]: interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()}


def main():
    import ai_edge_litert
    from ai_edge_litert.interpreter import Interpreter
    versions = {"ai_edge_litert": ai_edge_litert.__version__, "numpy": np.__version__}
    for module, box, value_range, *tolerance in MODELS:
        name = os.path.basename(module)
        model = require(os.path.join(TESTDATA, "models", "mediapipe", f"{name}.tflite"))
        details = Interpreter(model_path=model).get_input_details()
        feeds = {d["name"]: photo(tuple(d["shape"][1:3]), box, value_range) for d in details}
        with tempfile.TemporaryDirectory() as workdir:
            outputs = run(reference_model(model, workdir), feeds)
        write_case(f"tflite_{name}",
                   description=f"MediaPipe {name} (float TFLite) on skimage's astronaut photo "
                               f"(crop {box}, Pillow bilinear, range {value_range}), run by LiteRT",
                   model=f".testdata/models/mediapipe/{name}.tflite", inputs=feeds, outputs=outputs,
                   tolerance=tolerance[0] if tolerance else TOL, generator=GENERATOR,
                   model_origin=ORIGIN.format(module), tool_versions=versions, tolerance_kind="max_abs_scaled")


if __name__ == "__main__":
    main()

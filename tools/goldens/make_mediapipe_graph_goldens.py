#!/usr/bin/env python3
"""Goldens for MediaPipe models whose custom ops LiteRT has no kernel for, made by MediaPipe itself.

MediaPipe's attention face mesh (face_landmark_with_attention.tflite) uses three custom ops of
MediaPipe's own (Landmarks2TransformMatrix, TransformTensorBilinear, TransformLandmarks), its hair
segmenter two more (MaxPoolingWithArgmax2D, MaxUnpooling2D). LiteRT cannot run them; MediaPipe's
framework can (mediapipelib.run_mediapipe: a small graph around its InferenceCalculator).

Needs a venv of its own (MediaPipe pins numpy < 2 and protobuf < 5):
  python3 -m venv /tmp/mpvenv
  /tmp/mpvenv/bin/pip install --no-deps .testdata/wheels/mediapipe-0.10.14-cp311-*.whl ai-edge-litert==2.3.0
  /tmp/mpvenv/bin/pip install "numpy<2" "protobuf<5" absl-py attrs flatbuffers matplotlib \\
      opencv-contrib-python-headless pillow
  /tmp/mpvenv/bin/python tools/goldens/make_mediapipe_graph_goldens.py

Cases: tflite_face_landmark_with_attention (skimage's astronaut, the face crop the
face_landmark case uses, Pillow bilinear to 192 × 192) and ..._random (uniform random pixels; the
model still finds a face-shaped mesh, so its crops stay inside the feature map). Tolerance 1e-4 of
each output's magnitude (max_abs_scaled), as the other MediaPipe cases.

And tflite_op_mediapipe_transforms, a generated model (Tests/Goldens/tflite_ops/
mediapipe_transforms.tflite, also a fuzz seed; its Landmarks2TransformMatrix options are the
flexbuffers seed landmarks_matrix.bin). Two variants Edgeflow refuses, without goldens:
mediapipe_version1.tflite (the ops registered as version 1, which computes otherwise) and
mediapipe_bad_index.tflite (a subset index past the 576 landmarks). on a 24 × 24 random image: its pixels, × 48 − 12,
are 576 landmarks [1, 576, 3] spread past the image, so Landmarks2TransformMatrix (seven subset
indices, an odd count; target rotation 0.3; an 8 × 6 output; scales 1.5 and 1.25) gives a crop
that reaches outside the image, which TransformTensorBilinear samples (pixels outside are 0 in
every channel); TransformLandmarks maps ten landmarks with two and with three coordinates. The
matrix is an output too. Tolerance 1e-4 of each output's magnitude (the mapped landmarks reach 262).
"""

from __future__ import annotations

import os
import shutil
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import REPO, TESTDATA, require, write_case  # noqa: E402
from mediapipelib import option_map, run_mediapipe  # noqa: E402

GENERATOR = "tools/goldens/make_mediapipe_graph_goldens.py"
MODEL = "face_landmark_with_attention"
ORIGIN = "mediapipe==0.10.14 wheel: mediapipe/modules/face_landmark/face_landmark_with_attention.tflite"
SIZE = 192
TOL = 1e-4


def model_interface(model_path: str):
    """(input name, [(output name, shape)]), read with the TFLite schema in the mediapipe wheel."""
    from mediapipe.tasks.metadata import schema_py_generated as schema
    with open(model_path, "rb") as f:
        graph = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(f.read(), 0)).subgraphs[0]
    name = lambda index: graph.tensors[index].name.decode()  # noqa: E731
    outputs = [(name(i), [int(d) for d in graph.tensors[i].shape]) for i in graph.outputs]
    return name(graph.inputs[0]), outputs


MATRIX_OPTIONS = option_map(subset_idxs=[3, 40, 77, 101, 150, 12, 188], left_rotation_idx=5, right_rotation_idx=90,
                            target_rotation_radians=0.3, output_width=8, output_height=6, scale_x=1.5, scale_y=1.25)


def transforms_model(version=2, matrix_options=None):
    """The generated model of tflite_op_mediapipe_transforms (see the module's doc); `version` and
    `matrix_options` make the refused variants."""
    import ai_edge_litert.schema_py_generated as S
    from make_tflite_op_goldens import OP, OPT, Model, options
    m = Model()
    image = m.tensor("image", [1, 24, 24, 3])
    flat = m.tensor("flat", [1, 576, 3])
    m.op(OP.RESHAPE, [image, m.const("flat_shape", [1, 576, 3], np.int32)], [flat], OPT.ReshapeOptions,
         options(S.ReshapeOptionsT, newShape=[1, 576, 3]))
    scaled, landmarks = m.tensor("scaled", [1, 576, 3]), m.tensor("landmarks", [1, 576, 3])
    m.op(OP.MUL, [flat, m.const("spread", np.float32(48))], [scaled], OPT.MulOptions, options(S.MulOptionsT))
    m.op(OP.SUB, [scaled, m.const("shift", np.float32(12))], [landmarks], OPT.SubOptions, options(S.SubOptionsT))
    matrix = m.tensor("matrix", [1, 4, 4])
    m.op(OP.CUSTOM, [landmarks], [matrix], custom=b"Landmarks2TransformMatrix", version=version,
         custom_options=matrix_options or MATRIX_OPTIONS)
    crop = m.tensor("crop", [1, 6, 8, 3])
    m.op(OP.CUSTOM, [image, matrix], [crop], custom=b"TransformTensorBilinear", version=2,
         custom_options=option_map(output_width=8, output_height=6))
    outputs = [matrix, crop]
    for dims in (3, 2):
        part, mapped = m.tensor(f"points{dims}", [1, 10, dims]), m.tensor(f"mapped{dims}", [1, 10, dims])
        m.op(OP.SLICE, [landmarks, m.const(f"begin{dims}", [0, 20, 0], np.int32),
                        m.const(f"size{dims}", [1, 10, dims], np.int32)], [part], OPT.SliceOptions,
             options(S.SliceOptionsT))
        m.op(OP.CUSTOM, [part, matrix], [mapped], custom=b"TransformLandmarks", version=2)
        outputs.append(mapped)
    return m, [image], outputs


def write_model(name: str, built, seed: bool = True) -> str:
    """Writes a generated (model, inputs, outputs) to Tests/Goldens/tflite_ops/<name>.tflite (and, with
    `seed`, to the tflite fuzz seeds); returns the path."""
    m, inputs, outputs = built
    path = os.path.join(REPO, "Tests", "Goldens", "tflite_ops", f"{name}.tflite")
    with open(path, "wb") as f:
        f.write(m.bytes(inputs, outputs))
    if seed:
        shutil.copy(path, os.path.join(REPO, "Fuzz", "seeds", "tflite", f"{name}.tflite"))
    return path


def op_case(case: str, built, path: str, image: np.ndarray, description: str, versions, **tolerance):
    """Runs the generated model at `path` in MediaPipe on `image` and writes golden case `case`."""
    m, _, outputs = built
    names = [m.tensors[i].name for i in outputs]
    size = image.shape[0]
    fed, flat = run_mediapipe(path, names, image, size)
    results = {n: v.reshape(m.tensors[i].shape) for n, i, v in zip(names, outputs, flat)}
    write_case(case, description=description, model=os.path.relpath(path, REPO),
               inputs={"image": fed.reshape(1, size, size, 3)}, outputs=results, tolerance=TOL, generator=GENERATOR,
               model_origin=f"{GENERATOR} (committed)", tool_versions=versions, **tolerance)
    return results


def transforms_case(versions):
    built = transforms_model()
    path = write_model("mediapipe_transforms", built)
    with open(os.path.join(REPO, "Fuzz", "seeds", "flexbuffers", "landmarks_matrix.bin"), "wb") as f:
        f.write(MATRIX_OPTIONS)
    write_model("mediapipe_version1", transforms_model(version=1), seed=False)
    write_model("mediapipe_bad_index", transforms_model(matrix_options=option_map(
        subset_idxs=[3, 576], left_rotation_idx=5, right_rotation_idx=90, output_width=8, output_height=6,
        scale_x=1.5, scale_y=1.25)), seed=False)
    image = np.random.default_rng(11).integers(0, 256, (24, 24, 3), dtype=np.uint8)
    results = op_case("tflite_op_mediapipe_transforms", built, path, image,
                      "generated TFLite model with MediaPipe's Landmarks2TransformMatrix, TransformTensorBilinear and "
                      "TransformLandmarks (version 2), run by MediaPipe", versions, tolerance_kind="max_abs_scaled")
    outside = int((results["crop"] == 0).all(axis=-1).sum())
    print(f"[mediapipe_transforms] crop pixels outside the image: {outside} of 48")


def pool_params(padding, stride, size, activation=0) -> bytes:
    """TfLitePoolParams as MediaPipe's pooling ops read their options: padding (1 SAME, 2 VALID),
    stride width and height, filter width and height, fused activation, computed padding."""
    return struct.pack("<10i", padding, stride, stride, size, size, activation, 0, 0, 0, 0)


def unpooling_model(options_bytes=40):
    """The generated model of tflite_op_mediapipe_unpooling (see the module's doc); with fewer
    `options_bytes`, the refused variant."""
    import ai_edge_litert.schema_py_generated as S
    from make_tflite_op_goldens import OP, OPT, Model, options
    m = Model()
    image = m.tensor("image", [1, 16, 16, 3])

    def binary(code, opt_type, opt_class, a, constant, name):
        out = m.tensor(name, [1, 16, 16, 3])
        m.op(code, [a, m.const(f"{name}_by", np.float32(constant))], [out], opt_type, options(opt_class))
        return out

    spread = binary(OP.SUB, OPT.SubOptions, S.SubOptionsT,
                    binary(OP.MUL, OPT.MulOptions, S.MulOptionsT, image, 4, "times4"), 2, "spread")
    steps = binary(OP.MUL, OPT.MulOptions, S.MulOptionsT, image, 3, "times3")
    floored = m.tensor("floored", [1, 16, 16, 3])
    m.op(OP.FLOOR, [steps], [floored])
    ties = binary(OP.SUB, OPT.SubOptions, S.SubOptionsT, floored, 1, "ties")
    outputs = []

    def pool(source, name, size, padding, out, activation=0):
        values, indices = m.tensor(f"{name}_values", [1, out, out, 3]), m.tensor(f"{name}_indices", [1, out, out, 3])
        m.op(OP.CUSTOM, [source], [values, indices], custom=b"MaxPoolingWithArgmax2D",
             custom_options=pool_params(padding, 2, size, activation)[:options_bytes])
        outputs.extend([values, indices])
        return values, indices

    def unpool(values, indices, name, size, out):
        result = m.tensor(name, [1, out, out, 3])
        m.op(OP.CUSTOM, [values, indices], [result], custom=b"MaxUnpooling2D", custom_options=pool_params(1, 2, size))
        outputs.append(result)

    unpool(*pool(spread, "pool2", 2, 1, 8), "unpooled2", 2, 16)
    unpool(*pool(ties, "pool3_relu", 3, 1, 8, activation=1), "unpooled3", 3, 24)
    pool(ties, "pool3_valid", 3, 2, 7)
    return m, [image], outputs


def unpooling_case(versions):
    built = unpooling_model()
    path = write_model("mediapipe_unpooling", built)
    write_model("mediapipe_short_options", unpooling_model(options_bytes=12), seed=False)
    image = np.random.default_rng(5).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    op_case("tflite_op_mediapipe_unpooling", built, path, image,
            "generated TFLite model with MediaPipe's MaxPoolingWithArgmax2D and MaxUnpooling2D, run by MediaPipe",
            versions)


def main():
    import mediapipe as mp
    from PIL import Image
    model_path = require(os.path.join(TESTDATA, "models", "mediapipe", f"{MODEL}.tflite"))
    input_name, outputs = model_interface(model_path)
    photo = Image.open(require(os.path.join(TESTDATA, "images", "astronaut.png"))).convert("RGB")
    images = {
        "": np.asarray(photo.crop((150, 40, 290, 180)).resize((SIZE, SIZE), Image.BILINEAR), dtype=np.uint8),
        "_random": np.random.default_rng(7).integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8),
    }
    versions = {"mediapipe": mp.__version__, "numpy": np.__version__}
    for suffix, image in images.items():
        fed, flat = run_mediapipe(model_path, [n for n, _ in outputs], np.ascontiguousarray(image), SIZE)
        results = {n: values.reshape(shape) for (n, shape), values in zip(outputs, flat)}
        what = "random pixels" if suffix else "skimage's astronaut, face crop (150, 40, 290, 180)"
        write_case(f"tflite_{MODEL}{suffix}",
                   description=f"MediaPipe's attention face mesh on {what} (192 × 192 uint8 → [0, 1] by "
                               "ImageToTensorCalculator), run by MediaPipe's InferenceCalculator with its "
                               "custom ops (Landmarks2TransformMatrix, TransformTensorBilinear, "
                               "TransformLandmarks)",
                   model=f".testdata/models/mediapipe/{MODEL}.tflite",
                   inputs={input_name: fed.reshape(1, SIZE, SIZE, 3)}, outputs=results, tolerance=TOL,
                   generator=GENERATOR, model_origin=ORIGIN, tool_versions=versions,
                   tolerance_kind="max_abs_scaled")
    transforms_case(versions)
    unpooling_case(versions)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build the tiny ONNX model the `edgeflow parse`/`infer` tests run, with onnxruntime goldens.

  /work/venv/bin/python tools/archive/make_cli_test_model.py   # -> Tests/Goldens/cli/

tiny.onnx: input `images` float32[batch, 3, 4, 4] (dynamic batch), seeded weights;
  scaled = images * w (per channel) + b      (Mul, Add)
  `scores`      = Relu(scaled)              (node `relu`)
  `feat/nhwc:0` = Transpose(scores, 0,2,3,1) (node `to_nhwc`)
  metadata_props: character = "ab中"
tiny_images.npy: a seeded float32[1, 3, 4, 4] input.
tiny_scores.npy, tiny_feat_nhwc_0.npy: onnxruntime's outputs for it (the independent reference).
Needs onnx, onnxruntime and numpy.
"""

import os

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "Tests", "Goldens", "cli")


def build() -> onnx.ModelProto:
    rng = np.random.default_rng(20240611)
    w = rng.standard_normal((1, 3, 1, 1)).astype(np.float32)
    b = rng.standard_normal((1, 3, 1, 1)).astype(np.float32)
    nodes = [
        helper.make_node("Mul", ["images", "w"], ["scaled0"], name="scale"),
        helper.make_node("Add", ["scaled0", "b"], ["scaled"], name="shift"),
        helper.make_node("Relu", ["scaled"], ["scores"], name="relu"),
        helper.make_node("Transpose", ["scores"], ["feat/nhwc:0"], name="to_nhwc", perm=[0, 2, 3, 1]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, 4, 4])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 3, 4, 4]),
         helper.make_tensor_value_info("feat/nhwc:0", TensorProto.FLOAT, ["batch", 4, 4, 3])],
        initializer=[numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="edgeflow-tests")
    model.ir_version = 8
    helper.set_model_props(model, {"character": "ab中"})
    onnx.checker.check_model(model)
    return model


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    model = build()
    path = os.path.join(OUT, "tiny.onnx")
    onnx.save(model, path)
    images = np.random.default_rng(7).standard_normal((1, 3, 4, 4)).astype(np.float32)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    scores, feat = session.run(["scores", "feat/nhwc:0"], {"images": images})
    np.save(os.path.join(OUT, "tiny_images.npy"), images)
    np.save(os.path.join(OUT, "tiny_scores.npy"), scores)
    np.save(os.path.join(OUT, "tiny_feat_nhwc_0.npy"), feat)
    print("wrote", OUT, "onnxruntime", onnxruntime.__version__)


if __name__ == "__main__":
    main()

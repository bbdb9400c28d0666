#!/usr/bin/env python3
"""Keras models converted to TFLite by TensorFlow, each checked against LiteRT with the edgeflow CLI.

Dev tool: needs `tensorflow-cpu` (for the converter; a separate venv is fine, e.g.
`python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu`) and the dev venv
with ai-edge-litert for tools/check/compare_with_litert.py. Random weights (nothing is
downloaded). Each model is converted as float, with dynamic-range quantization (int8 weights,
hybrid operators), with float16 weights, with full int8 (int8 input and output) and int8 with
float input and output, then parsed, inferred and compared:

    /tmp/tfvenv/bin/python tools/check/tf_converted_models.py .build/release/edgeflow \
        --python .venv/bin/python --out /tmp/tf-models

A line per model and mode: "ok", the comparison's mismatch, "convert failed" (TF's converter) or
"LiteRT cannot run it" (LiteRT 2.3.0 lacks a newer kernel version, or aborts in its reference
kernels; then LiteRT's default kernels are tried). EDGEFLOW_KERAS_APPLICATIONS=1 adds six Keras
applications at 64×64 (ResNet50, DenseNet121, MobileNetV2, EfficientNetB0, EfficientNetV2B0,
ConvNeXtTiny).
"""
import argparse, os, subprocess, sys

import numpy as np
import tensorflow as tf

L = tf.keras.layers
MODES = ["float", "dynamic", "fp16", "int8", "int8-float-io"]


def models():
    def build(shape, body):
        x = tf.keras.Input(shape, batch_size=1)
        return tf.keras.Model(x, body(x))
    yield "gru", build((12, 5), lambda x: L.Dense(3)(L.GRU(8)(x)))
    yield "stacked_gru", build((15, 4), lambda x: L.GRU(5, return_sequences=True)(L.GRU(6, return_sequences=True)(x)))
    yield "lstm", build((10, 4), lambda x: L.LSTM(6, return_sequences=True)(x))
    yield "bilstm", build((20, 8), lambda x: L.Dense(4, activation="softmax")(L.Bidirectional(L.LSTM(6))(x)))
    yield "cnn", build((32, 32, 3), lambda x: L.Dense(10)(L.GlobalAveragePooling2D()(L.SeparableConv2D(
        16, 3, padding="same", activation="relu")(L.BatchNormalization()(L.Conv2D(8, 3, strides=2,
                                                                                   activation="swish")(x))))))
    yield "unet", build((16, 16, 3), lambda x: L.Conv2DTranspose(4, 3, strides=2, padding="same")(
        L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)))
    yield "upsample", build((16, 16, 4), lambda x: L.Concatenate()([
        L.UpSampling2D(interpolation="bilinear")(L.Conv2D(8, 3, padding="same")(x)), L.UpSampling2D()(x)]))
    yield "conv1d", build((50, 6), lambda x: L.GlobalMaxPooling1D()(L.Conv1D(12, 5, activation="elu")(
        L.Conv1D(8, 3, padding="causal", dilation_rate=2)(x))))
    yield "transformer", build((16, 32), lambda x: L.LayerNormalization()(x + L.MultiHeadAttention(4, 8)(x, x)))
    yield "mobilenet_v3_small", tf.keras.applications.MobileNetV3Small(
        input_tensor=tf.keras.Input((64, 64, 3), batch_size=1), weights=None, include_top=False, pooling="avg")
    if os.environ.get("EDGEFLOW_KERAS_APPLICATIONS"):
        A = tf.keras.applications
        for name, make in [("resnet50", A.ResNet50), ("densenet121", A.DenseNet121),
                           ("mobilenet_v2", A.MobileNetV2), ("efficientnet_b0", A.EfficientNetB0),
                           ("efficientnet_v2_b0", A.EfficientNetV2B0), ("convnext_tiny", A.ConvNeXtTiny)]:
            yield name, make(input_tensor=tf.keras.Input((64, 64, 3), batch_size=1), weights=None,
                             include_top=False, pooling="avg")


def convert(model, mode):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    shape = [1] + list(model.input_shape[1:])
    if mode != "float":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "fp16":
        converter.target_spec.supported_types = [tf.float16]
    if mode.startswith("int8"):
        converter.representative_dataset = lambda: ([np.random.rand(*shape).astype(np.float32)] for _ in range(20))
    if mode == "int8":
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = converter.inference_output_type = tf.int8
    return converter.convert()


def convert_one(name: str, mode: str, path: str) -> None:
    """Converts one model in a process of its own (TF's converter aborts on some int8 models)."""
    tf.random.set_seed(0)
    model = dict(models())[name]
    data = convert(model, mode)
    if not data:
        raise SystemExit("the converter returned an empty model")
    with open(path, "wb") as f:
        f.write(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("edgeflow", nargs="?")
    parser.add_argument("--python", help="the dev venv's python (with ai-edge-litert)")
    parser.add_argument("--out", default="/tmp/tf-models")
    parser.add_argument("--convert", nargs=3, metavar=("NAME", "MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.convert:
        convert_one(*args.convert)
        return 0
    if not args.edgeflow or not args.python:
        parser.error("give the edgeflow binary and --python")
    os.makedirs(args.out, exist_ok=True)
    compare = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare_with_litert.py")
    failures = 0
    for name, _ in models():
        for mode in MODES:
            path = os.path.join(args.out, f"{name}_{mode}.tflite")
            made = subprocess.run([sys.executable, os.path.abspath(__file__), "--convert", name, mode, path],
                                  capture_output=True, text=True)
            if made.returncode or not os.path.exists(path):
                errors = [line for line in made.stderr.splitlines() if "Error:" in line]
                reason = (f"the converter crashed (signal {-made.returncode})" if made.returncode < 0
                          else errors[-1][:80] if errors else f"the converter exited with {made.returncode}")
                print(f"{name:20} {mode:14} convert failed: {reason}")
                continue
            outcome = None
            for kernels in ("ref", "builtin"):
                run = subprocess.run([args.python, compare, args.edgeflow, path, "--kernels", kernels],
                                     capture_output=True, text=True)
                lines = [l for l in run.stdout.splitlines() if l.strip()]
                if run.returncode in (0, 1) and lines:
                    outcome = "ok" if run.returncode == 0 else lines[-1]
                    break
            if outcome is None:
                outcome = "LiteRT cannot run it"
            failures += outcome not in ("ok", "LiteRT cannot run it")
            print(f"{name:20} {mode:14} {outcome}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

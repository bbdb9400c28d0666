#!/usr/bin/env python3
"""The Keras models of tf_converted_models.py exported to ONNX by tf2onnx, as float, with
onnxruntime's dynamic quantization (MatMulInteger/ConvInteger with DynamicQuantizeLinear) and
with its static QDQ quantization, each checked against onnxruntime with the edgeflow CLI.

Dev tool: needs `tensorflow-cpu tf2onnx onnxruntime` in one venv (tf2onnx and the quantizer run
there) and the dev venv for tools/check/compare_with_onnxruntime.py:

    /tmp/tfvenv/bin/python tools/check/tf_converted_onnx_models.py .build/release/edgeflow \
        --python .venv/bin/python --out /tmp/onnx-models

A QDQ model that differs is also compared with onnxruntime without graph optimizations: its
optimized session fuses DequantizeLinear → op → QuantizeLinear into QLinear kernels that round
differently from the ONNX operators, and the line says which of the two Edgeflow matches.
"""
import argparse, os, subprocess, sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tf_converted_models  # noqa: E402


def export(out):
    import onnxruntime as ort
    import tensorflow as tf
    import tf2onnx
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic,
                                          quantize_static)

    class Calibration(CalibrationDataReader):
        """Eight random inputs for onnxruntime's static quantizer."""

        def __init__(self, path):
            first = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).get_inputs()[0]
            shape = [d if isinstance(d, int) else 1 for d in first.shape]
            rng = np.random.default_rng(1)
            self.samples = iter([{first.name: rng.random(shape).astype(np.float32)} for _ in range(8)])

        def get_next(self):
            return next(self.samples, None)

    tf.random.set_seed(0)
    paths = []
    for name, model in tf_converted_models.models():
        path = os.path.join(out, f"{name}.onnx")
        spec = (tf.TensorSpec([1] + list(model.input_shape[1:]), tf.float32, name="input"),)
        tf2onnx.convert.from_keras(model, input_signature=spec, opset=17, output_path=path)
        dynamic, qdq = path.replace(".onnx", "_dynamic.onnx"), path.replace(".onnx", "_qdq.onnx")
        quantize_dynamic(path, dynamic, weight_type=QuantType.QInt8)
        quantize_static(path, qdq, Calibration(path), quant_format=QuantFormat.QDQ)
        paths += [path, dynamic, qdq]
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("edgeflow")
    parser.add_argument("--python", required=True, help="the dev venv's python (with onnxruntime)")
    parser.add_argument("--out", default="/tmp/onnx-models")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    compare = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare_with_onnxruntime.py")
    failures = 0
    for path in export(args.out):
        def check(*extra):
            run = subprocess.run([args.python, compare, args.edgeflow, path, *extra], capture_output=True, text=True)
            lines = [line for line in run.stdout.splitlines() if line.strip()]
            return run.returncode == 0, (lines[-1] if lines else run.stderr.strip()[-200:])
        ok, outcome = check()
        if ok:
            outcome = "ok"
        elif path.endswith("_qdq.onnx"):
            unfused, _ = check("--ort-optimizations", "none")
            outcome += "; onnxruntime without graph optimizations: " + ("matches" if unfused else "differs too")
            ok = unfused
        failures += not ok
        print(f"{os.path.basename(path):34} {outcome}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

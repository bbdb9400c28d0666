"""The peers' int8 models, made from the shared fixed-shape variant and the shared
calibration samples (samples.py), and cached beside the variant.

onnxruntime: `quantize_static` with QDQ, per-channel weights, u8 asymmetric activations,
s8 symmetric weights and MinMax calibration, in two variants:
  "int8"   every op type ORT quantizes by default (Add, Softmax, LayerNorm, ... included);
  "int8mm" only MatMul, Gemm and Conv (op_types_to_quantize), which avoids the CLIP text
           tower's causal-mask collapse (shared/reference/peer-baselines.md §6).
  The model first goes through `quant_pre_process` (ORT's recommended step: ONNX shape inference
  and graph optimization); an opset below 13 (PP-OCRv4) is converted to 17 first, since
  per-channel QDQ needs opset 13.
OpenVINO: `nncf.quantize(model, nncf.Dataset(samples), subset_size=len(samples),
  model_type=TRANSFORMER for the transformers)`, NNCF's defaults otherwise (mixed preset for
  transformers, performance otherwise; fast bias correction), saved as OpenVINO IR without
  fp16 weight compression.
"""

from __future__ import annotations

import json
import os
import time
from typing import Iterator, List

import numpy as np

from models import Variant

TRANSFORMERS = {"clip-image", "tinyclip-image", "clip-text", "minilm"}
MATMUL_CONV = ["MatMul", "Gemm", "Conv"]
FORMAT = 1  # bump when the recipes below change


def _fresh(path: str, *sources: str) -> bool:
    return os.path.exists(path) and all(os.path.getmtime(path) >= os.path.getmtime(s) for s in sources)


def _batches(calib_npy: str) -> List[np.ndarray]:
    return list(np.load(calib_npy))  # [N / batch] arrays of [batch, ...]


def _opset13(src: str, dst: str) -> str:
    import onnx
    from onnx import version_converter
    model = onnx.load(src)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset >= 13:
        return src
    onnx.save(version_converter.convert_version(model, 17), dst)
    return dst


def onnxruntime_int8(variant: Variant, calib_npy: str, matmul_conv_only: bool) -> str:
    """Path of the QDQ int8 model (cached). Takes seconds to a minute per model."""
    from onnxruntime.quantization import CalibrationDataReader
    from onnxruntime.quantization.shape_inference import quant_pre_process
    base = variant.onnx_path[:-len(".onnx")]
    out = f"{base}.ort-{'int8mm' if matmul_conv_only else 'int8'}.onnx"
    if _fresh(out, variant.onnx_path, calib_npy, __file__):
        return out
    prep = base + ".ort-prep.onnx"
    if not _fresh(prep, variant.onnx_path, __file__):
        src = _opset13(variant.onnx_path, base + ".opset17.onnx")
        quant_pre_process(src, prep + ".part", skip_symbolic_shape=True)  # ONNX shape inference suffices: fixed shapes
        os.replace(prep + ".part", prep)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self._it: Iterator = iter({variant.input_name: b} for b in _batches(calib_npy))

        def get_next(self):
            return next(self._it, None)

    t0 = time.perf_counter()
    ort_static_qdq(prep, out + ".part", Reader(), matmul_conv_only)
    os.replace(out + ".part", out)
    _note(out, {"seconds": round(time.perf_counter() - t0, 1), "calibration": calib_npy})
    return out


def ort_static_qdq(source: str, out: str, reader, matmul_conv_only: bool) -> None:
    """The harness's onnxruntime int8 recipe: static QDQ, per-channel symmetric s8 weights, u8
    asymmetric activations, MinMax ranges over `reader`'s samples; every op type ORT quantizes by
    default, or MatMul/Gemm/Conv only."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    quantize_static(source, out, reader, quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax,
                    op_types_to_quantize=MATMUL_CONV if matmul_conv_only else None,
                    extra_options={"ActivationSymmetric": False, "WeightSymmetric": True})


def openvino_int8(variant: Variant, calib_npy: str) -> str:
    """Path of the NNCF-quantized OpenVINO IR (.xml, cached)."""
    base = variant.onnx_path[:-len(".onnx")]
    out = base + ".ov-int8.xml"
    if _fresh(out, variant.onnx_path, calib_npy, __file__):
        return out
    import nncf
    import openvino as ov
    model = ov.Core().read_model(variant.onnx_path)
    batches = _batches(calib_npy)
    t0 = time.perf_counter()
    kwargs = {"model_type": nncf.ModelType.TRANSFORMER} if variant.spec.key in TRANSFORMERS else {}
    quantized = nncf.quantize(model, nncf.Dataset(batches), subset_size=len(batches), **kwargs)
    ov.save_model(quantized, out + ".part.xml", compress_to_fp16=False)
    os.replace(out + ".part.bin", out[:-4] + ".bin")
    os.replace(out + ".part.xml", out)
    _note(out, {"seconds": round(time.perf_counter() - t0, 1), "calibration": calib_npy,
                "model_type": "TRANSFORMER" if kwargs else "default"})
    return out


def _note(path: str, info: dict) -> None:
    with open(path + ".json", "w") as f:
        json.dump(info, f, indent=1)

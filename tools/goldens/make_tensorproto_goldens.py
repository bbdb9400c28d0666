#!/usr/bin/env python3
"""Golden TensorProto files for Tests/EFONNXTests/TensorProtoGoldenTests.swift.

For every element type Edgeflow reads, writes NAME.pb (a serialized TensorProto) and NAME.npy
(its values as decoded by onnx.numpy_helper, the independent reference; bfloat16 is stored as
its uint16 bit patterns since numpy has no bfloat16; the small types as Edgeflow holds them in
memory, one byte per element: float8/float4e2m1 codes as uint8, int4/int2 as int8 values,
uint4/uint2 as uint8 values), plus index.tsv listing
`name<TAB>onnx type<TAB>expect` where expect is `values` or `unsupported`.

Two sources:
  * raw_data files copied from the ONNX backend suite (onnx 1.22.0), as exporters write them;
  * typed-field files (float_data, int32_data, int64_data, double_data, uint64_data) made with
    onnx.helper.make_tensor(..., raw=False) from fixed values including edge cases.

Usage: /work/venv/bin/python tools/goldens/make_tensorproto_goldens.py SUITE_DIR
  SUITE_DIR is the unpacked onnx/backend/test/data directory (with node/).
"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Goldens", "tensorproto")

# name -> suite file (raw_data unless noted)
SUITE_FILES = {
    "raw_float": "node/test_abs/test_data_set_0/input_0.pb",
    "raw_uint8": "node/test_add_uint8/test_data_set_0/input_0.pb",
    "raw_int8": "node/test_add_int8/test_data_set_0/input_0.pb",
    "raw_uint16": "node/test_add_uint16/test_data_set_0/input_0.pb",
    "raw_int16": "node/test_add_int16/test_data_set_0/input_0.pb",
    "raw_int32": "node/test_bitcast_2d_float32_to_int32/test_data_set_0/output_0.pb",
    "raw_int64_scalar": "node/test_adagrad/test_data_set_0/input_1.pb",
    "raw_bool": "node/test_and2d/test_data_set_0/input_0.pb",
    "raw_float16": "node/test_attention_4d_fp16/test_data_set_0/input_0.pb",
    "raw_double": "node/test_ai_onnx_ml_tree_ensemble_single_tree/test_data_set_0/input_0.pb",
    "raw_uint32": "node/test_add_uint32/test_data_set_0/input_0.pb",
    "raw_uint64": "node/test_bitshift_left_uint64/test_data_set_0/input_0.pb",
    "raw_bfloat16": "node/test_cast_BFLOAT16_to_FLOAT/test_data_set_0/input_0.pb",
    "int32data_int16": "node/test_quantizelinear_blocked_symmetric/test_data_set_0/output_0.pb",
    "empty_int64": "node/test_reduce_l1_default_axes_keepdims_example/test_data_set_0/input_1.pb",
    "unsupported_string": "node/test_ai_onnx_ml_label_encoder_string_int/test_data_set_0/input_0.pb",
    "raw_float8e4m3fn": "node/test_cast_FLOAT16_to_FLOAT8E4M3FN/test_data_set_0/output_0.pb",
    "raw_float8e4m3fnuz": "node/test_cast_FLOAT_to_FLOAT8E4M3FNUZ/test_data_set_0/output_0.pb",
    "raw_float8e5m2": "node/test_cast_FLOAT_to_FLOAT8E5M2/test_data_set_0/output_0.pb",
    "raw_float8e5m2fnuz": "node/test_cast_FLOAT_to_FLOAT8E5M2FNUZ/test_data_set_0/output_0.pb",
    "raw_float8e8m0": "node/test_cast_e8m0_FLOAT_to_FLOAT8E8M0/test_data_set_0/output_0.pb",
    "raw_float4e2m1": "node/test_cast_FLOAT_to_FLOAT4E2M1/test_data_set_0/output_0.pb",
    "raw_int4": "node/test_cast_FLOAT16_to_INT4/test_data_set_0/output_0.pb",
    "raw_uint4": "node/test_cast_FLOAT_to_UINT4/test_data_set_0/output_0.pb",
    "raw_int2": "node/test_cast_FLOAT_to_INT2/test_data_set_0/output_0.pb",
    "raw_uint2": "node/test_cast_FLOAT_to_UINT2/test_data_set_0/output_0.pb",
}

# name -> (onnx type, dims, values) written to the typed repeated fields
TYPED = {
    "typed_float": (TensorProto.FLOAT, [2, 3], [0.0, -0.0, 1.5, -2.25, float("inf"), float("nan")]),
    "typed_double": (TensorProto.DOUBLE, [4], [1e300, -1e-300, 3.141592653589793, float("-inf")]),
    "typed_int64": (TensorProto.INT64, [3], [-(2**63), 2**63 - 1, -1]),
    "typed_int32": (TensorProto.INT32, [2, 2], [-(2**31), 2**31 - 1, -7, 0]),
    "typed_int16": (TensorProto.INT16, [3], [-32768, 32767, -1]),
    "typed_uint16": (TensorProto.UINT16, [3], [0, 65535, 1234]),
    "typed_int8": (TensorProto.INT8, [4], [-128, 127, -1, 0]),
    "typed_uint8": (TensorProto.UINT8, [3], [0, 255, 17]),
    "typed_bool": (TensorProto.BOOL, [5], [True, False, True, True, False]),
    "typed_uint32": (TensorProto.UINT32, [2], [0, 2**32 - 1]),
    "typed_uint64": (TensorProto.UINT64, [2], [2**64 - 1, 5]),
    "typed_float16": (TensorProto.FLOAT16, [4], [1.0, -65504.0, 6.1e-05, float("nan")]),
    "typed_bfloat16": (TensorProto.BFLOAT16, [3], [1.0, -3.140625, 1e38]),
    "typed_scalar_float": (TensorProto.FLOAT, [], [42.5]),
    "typed_int4": (TensorProto.INT4, [5], [7, -8, -1, 3, 5]),
    "typed_uint2": (TensorProto.UINT2, [3, 3], [0, 1, 2, 3, 3, 2, 1, 0, 1]),
    "typed_float8e4m3fn": (TensorProto.FLOAT8E4M3FN, [4], [1.0, -2.0, 448.0, 0.001953125]),
}

SMALL_FLOATS = {"float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu",
                "float4_e2m1fn"}


def as_saveable(array):
    """numpy array for np.save; bfloat16 (ml_dtypes) becomes its uint16 bit patterns."""
    if array.dtype.name == "bfloat16":
        return array.view(np.uint16)
    if array.dtype.name in SMALL_FLOATS:
        return array.view(np.uint8)
    if array.dtype.name in ("int4", "int2"):
        return array.astype(np.int8)
    if array.dtype.name in ("uint4", "uint2"):
        return array.astype(np.uint8)
    return np.array(array, order="C")  # (np.ascontiguousarray would turn 0-d into 1-d)


def main():
    suite = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    index = []
    for name, relative in SUITE_FILES.items():
        source = os.path.join(suite, relative)
        shutil.copyfile(source, os.path.join(OUT, name + ".pb"))
        tensor = TensorProto()
        tensor.ParseFromString(open(source, "rb").read())
        type_name = TensorProto.DataType.Name(tensor.data_type).lower()
        if name.startswith("unsupported_"):
            index.append((name, type_name, "unsupported"))
            continue
        np.save(os.path.join(OUT, name + ".npy"), as_saveable(numpy_helper.to_array(tensor)))
        index.append((name, type_name, "values"))
    for name, (data_type, dims, values) in TYPED.items():
        tensor = helper.make_tensor(name, data_type, dims, values, raw=False)
        assert not tensor.raw_data, name
        with open(os.path.join(OUT, name + ".pb"), "wb") as f:
            f.write(tensor.SerializeToString())
        np.save(os.path.join(OUT, name + ".npy"), as_saveable(numpy_helper.to_array(tensor)))
        index.append((name, TensorProto.DataType.Name(data_type).lower(), "values"))
    with open(os.path.join(OUT, "index.tsv"), "w") as f:
        f.write("# name\tonnx type\texpect (made by tools/goldens/make_tensorproto_goldens.py, onnx %s)\n" % onnx.__version__)
        for row in index:
            f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()

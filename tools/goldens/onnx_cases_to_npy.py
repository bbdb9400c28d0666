#!/usr/bin/env python3
"""Convert single-node ONNX backend test cases into goldens the Swift tests read without protobuf.

For each chosen case of the ONNX test suite (onnx 1.22.0, unpacked under --onnx-data: node/ and
pytorch-converted/), writes
Tests/Goldens/kernels/<case>/ with
  node.json      op type, opset, attributes (typed), node inputs/outputs mapped to file names
  input_<i>.npy  the case's test_data_set_0 inputs (graph input order)
  constant_<i>.npy  initializers the node reads (weights), which the Swift test makes constants
  output_<j>.npy the expected outputs (the suite's own reference results)

Cases whose tensors use types numpy/Edgeflow cannot hold (float8, int4, ...) or that exceed the
size budget are skipped with the reason printed. Usage:
  /work/venv/bin/python tools/goldens/onnx_cases_to_npy.py [--onnx-data /work/onnx-data]
"""

import argparse
import fnmatch
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

PATTERNS = [
    "test_resize_*", "test_upsample_nearest",
    "test_basic_conv_*", "test_conv_with_*", "test_convtranspose*",
    "test_maxpool_*", "test_averagepool_*", "test_lppool_*",
    "test_matmul_*", "test_gemm_*",
    "test_quantizelinear*", "test_dequantizelinear*", "test_dynamicquantizelinear",
    "test_dynamicquantizelinear_max_adjusted", "test_dynamicquantizelinear_min_adjusted",
    "test_qlinearconv", "test_qlinearmatmul_*", "test_convinteger_*", "test_matmulinteger",
]
PYTORCH_PATTERNS = ["test_*Pool*", "test_Conv*", "test_Linear*"]
SUPPORTED_DTYPES = {np.float32, np.float64, np.float16, np.int8, np.uint8, np.int16, np.uint16,
                    np.int32, np.int64, np.uint32, np.uint64, np.bool_}
CASE_BUDGET = 140_000      # bytes of .npy per case
TOTAL_BUDGET = 1_800_000   # bytes for all cases


def attribute_json(attribute):
    value = helper.get_attribute_value(attribute)
    kind = attribute.type
    A = onnx.AttributeProto
    if kind == A.INT:
        return {"type": "int", "value": int(value)}
    if kind == A.FLOAT:
        return {"type": "float", "value": float(value)}
    if kind == A.STRING:
        return {"type": "string", "value": value.decode("utf-8")}
    if kind == A.INTS:
        return {"type": "ints", "value": [int(v) for v in value]}
    if kind == A.FLOATS:
        return {"type": "floats", "value": [float(v) for v in value]}
    if kind == A.STRINGS:
        return {"type": "strings", "value": [v.decode("utf-8") for v in value]}
    raise ValueError(f"attribute {attribute.name} has unsupported type {kind}")


def load_tensor(path):
    return numpy_helper.to_array(onnx.load_tensor(path))


def convert(case_dir, out_dir):
    """Returns (bytes written, None) or (0, reason for skipping)."""
    model = onnx.load(os.path.join(case_dir, "model.onnx"))
    graph = model.graph
    if len(graph.node) != 1:
        return 0, f"{len(graph.node)} nodes (only single-node cases are converted)"
    node = graph.node[0]
    if node.domain not in ("", "ai.onnx"):
        return 0, f"domain {node.domain}"
    data_dir = os.path.join(case_dir, "test_data_set_0")
    initializers = {t.name for t in graph.initializer}
    graph_inputs = [i.name for i in graph.input if i.name not in initializers]
    inputs = [load_tensor(os.path.join(data_dir, f"input_{i}.pb")) for i in range(len(graph_inputs))]
    outputs = [load_tensor(os.path.join(data_dir, f"output_{j}.pb")) for j in range(len(graph.output))]
    for array in inputs + outputs:
        if array.dtype.type not in SUPPORTED_DTYPES:
            return 0, f"tensor dtype {array.dtype}"
    size = sum(a.nbytes for a in inputs + outputs)
    if size > CASE_BUDGET:
        return 0, f"{size} bytes of tensors (budget {CASE_BUDGET})"
    # Initializers (weights in the pytorch-converted cases) become constant inputs.
    constants = [numpy_helper.to_array(t) for t in graph.initializer if t.name in node.input]
    constant_names = [t.name for t in graph.initializer if t.name in node.input]
    size += sum(a.nbytes for a in constants)
    if size > CASE_BUDGET:
        return 0, f"{size} bytes of tensors (budget {CASE_BUDGET})"
    file_of_input = {name: f"input_{i}.npy" for i, name in enumerate(graph_inputs)}
    file_of_input.update({name: f"constant_{i}.npy" for i, name in enumerate(constant_names)})
    file_of_output = {o.name: f"output_{j}.npy" for j, o in enumerate(graph.output)}
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    description = {
        "op_type": node.op_type,
        "opset": opset,
        "attributes": {a.name: attribute_json(a) for a in node.attribute},
        "inputs": [file_of_input[name] if name else "" for name in node.input],
        "outputs": [file_of_output.get(name, "") for name in node.output],
    }
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "node.json"), "w") as f:
        json.dump(description, f, indent=1, sort_keys=True)
        f.write("\n")
    for i, array in enumerate(inputs):
        np.save(os.path.join(out_dir, f"input_{i}.npy"), np.ascontiguousarray(array))
    for i, array in enumerate(constants):
        np.save(os.path.join(out_dir, f"constant_{i}.npy"), np.ascontiguousarray(array))
    for j, array in enumerate(outputs):
        np.save(os.path.join(out_dir, f"output_{j}.npy"), np.ascontiguousarray(array))
    return size, None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--onnx-data", default="/work/onnx-data",
                        help="the unpacked suite, holding node/ and pytorch-converted/")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--out", default=os.path.join(root, "Tests", "Goldens", "kernels"))
    parser.add_argument("--patterns", nargs="*", help="case name globs for every suite (default: the committed set)")
    args = parser.parse_args()

    sources = {"node": PATTERNS, "pytorch-converted": PYTORCH_PATTERNS}
    cases = []
    for suite, patterns in sources.items():
        directory = os.path.join(args.onnx_data, suite)
        names = sorted(c for c in os.listdir(directory) if any(fnmatch.fnmatch(c, p) for p in args.patterns or patterns))
        cases += [os.path.join(directory, c) for c in names if not c.endswith("_expanded")]
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    total, written = 0, 0
    for path in cases:
        case = os.path.basename(path)
        size, reason = convert(path, os.path.join(args.out, case))
        if reason is None and total + size > TOTAL_BUDGET:
            shutil.rmtree(os.path.join(args.out, case))
            reason = "total size budget reached"
        if reason:
            print(f"skip {case}: {reason}")
            continue
        total += size
        written += 1
    print(f"wrote {written} cases, {total} bytes of tensors, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

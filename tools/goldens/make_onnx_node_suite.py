#!/usr/bin/env python3
"""Writes the ONNX backend suite's node cases from an onnx release whose wheel ships no data.

onnx 1.23's wheels carry the node case *generators* (onnx/backend/test/case/node/*.py: each
builds a model and computes its expected outputs with numpy or onnx's reference evaluator) but
not the generated `node/` folders that 1.22.0's wheel still shipped. This script runs those
generators and writes every case in the suite's layout (OUT/node/<case>/model.onnx and
test_data_set_N/{input,output}_K.pb), the same files `backend-test-tools generate-data` writes
for the model cases. Expected outputs come from onnx's own reference code, not from Edgeflow.

    PYTHONPATH=.testdata/onnx-1.23-py .venv/bin/python tools/goldens/make_onnx_node_suite.py OUT

scripts/setup.sh runs it into .testdata/onnx-backend-1.23/.
"""
import argparse
import os
import shutil
import sys
import warnings

import onnx
import onnx.backend.test.case.node as node_cases
from onnx import numpy_helper


def serialized(value, value_info) -> bytes:
    """One input or output as TensorProto/SequenceProto/OptionalProto bytes, as the suite stores it."""
    kind = value_info.type.WhichOneof("value")
    if kind == "sequence_type":
        return numpy_helper.from_list(value, value_info.name).SerializeToString()
    if kind == "optional_type":
        return numpy_helper.from_optional(value, value_info.name).SerializeToString()
    if kind == "map_type":
        return numpy_helper.from_dict(value, value_info.name).SerializeToString()
    if isinstance(value, onnx.TensorProto):
        return value.SerializeToString()
    return numpy_helper.from_array(value, value_info.name).SerializeToString()


def write_case(case, out_dir: str) -> None:
    case_dir = os.path.join(out_dir, case.kind, case.name)
    shutil.rmtree(case_dir, ignore_errors=True)
    os.makedirs(case_dir)
    with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for index, (inputs, outputs) in enumerate(case.data_sets):
        set_dir = os.path.join(case_dir, f"test_data_set_{index}")
        os.makedirs(set_dir)
        for j, value in enumerate(inputs):
            with open(os.path.join(set_dir, f"input_{j}.pb"), "wb") as f:
                f.write(serialized(value, graph.input[j]))
        for j, value in enumerate(outputs):
            with open(os.path.join(set_dir, f"output_{j}.pb"), "wb") as f:
                f.write(serialized(value, graph.output[j]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="output folder (gets node/<case>/...)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # the generators divide by zero on purpose (inf/nan cases)
    tmp = args.out + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    cases = node_cases.collect_testcases(None)
    for case in cases:
        write_case(case, tmp)
    shutil.rmtree(args.out, ignore_errors=True)
    os.rename(tmp, args.out)
    print(f"onnx {onnx.__version__}: wrote {len(cases)} node cases to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Plays ONNX backend node cases with onnxruntime, judged as Edgeflow's ConformanceTests judge them.

The peer side of the "cases new in onnx 1.23" figure: runs every case of SUITE/node whose name the
older manifest (Tests/ConformanceTests/manifest.tsv, onnx 1.22.0) lacks, or every case with --all,
and counts passes. A case passes when onnxruntime loads the model, runs test_data_set_0 and every
output matches: same dtype and shape; floats within atol 1e-7 + rtol 1e-3 * |expected| with NaN at
the same places; other types exactly (Tests/ConformanceTests/OutputComparison.swift).

    python -m venv /tmp/ort && /tmp/ort/bin/pip install onnxruntime==1.31.0 numpy ml_dtypes protobuf
    PYTHONPATH=.testdata/onnx-1.23-py /tmp/ort/bin/python benchmarks/conformance/ort_backend_cases.py \
        .testdata/onnx-backend-1.23 [--all] [--json OUT.json]
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_value(path: str):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def problem(actual, expected) -> str | None:
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.dtype != expected.dtype:
        return f"dtype {actual.dtype}, expected {expected.dtype}"
    if actual.shape != expected.shape:
        return f"shape {actual.shape}, expected {expected.shape}"
    if expected.dtype.kind != "f" or expected.dtype.itemsize == 1:
        same = actual.tobytes() == expected.tobytes()
        return None if same else "values differ"
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    nan = np.isnan(a) | np.isnan(e)
    if (np.isnan(a) != np.isnan(e)).any():
        return "NaN positions differ"
    ok = nan | (a == e) | (np.abs(a - e) <= 1e-7 + 1e-3 * np.abs(e))
    return None if ok.all() else f"{int((~ok).sum())} of {a.size} elements out of tolerance"


def run_case(case_dir: str) -> str | None:
    """None when onnxruntime passes the case, else why not."""
    try:
        session = ort.InferenceSession(os.path.join(case_dir, "model.onnx"), providers=["CPUExecutionProvider"])
    except Exception as error:  # noqa: BLE001 - any load failure is the case's outcome
        return "load: " + str(error).splitlines()[0][:120]
    data = os.path.join(case_dir, "test_data_set_0")
    inputs = {}
    for index, meta in enumerate(session.get_inputs()):
        path = os.path.join(data, f"input_{index}.pb")
        if os.path.exists(path):
            inputs[meta.name] = load_value(path)
    try:
        outputs = session.run(None, inputs)
    except Exception as error:  # noqa: BLE001
        return "run: " + str(error).splitlines()[0][:120]
    expected = sorted(glob.glob(os.path.join(data, "output_*.pb")), key=lambda p: int(p.split("_")[-1][:-3]))
    for index, path in enumerate(expected):
        why = problem(outputs[index], load_value(path))
        if why:
            return f"output {index}: {why}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", help="folder holding node/<case>/")
    parser.add_argument("--all", action="store_true", help="every case, not only those new since 1.22.0")
    parser.add_argument("--json", help="write {case: null | reason} here")
    args = parser.parse_args()
    older = set()
    with open(os.path.join(ROOT, "Tests/ConformanceTests/manifest.tsv")) as f:
        older = {line.split("\t")[0] for line in f if line.startswith("node/")}
    names = sorted(os.listdir(os.path.join(args.suite, "node")))
    chosen = [n for n in names if args.all or f"node/{n}" not in older]
    results = {n: run_case(os.path.join(args.suite, "node", n)) for n in chosen}
    for name, why in results.items():
        print(f"node/{name}\t{'pass' if why is None else 'fail: ' + why}")
    passed = sum(why is None for why in results.values())
    print(f"onnxruntime {ort.__version__}, onnx {onnx.__version__}: {passed} of {len(results)} cases pass")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

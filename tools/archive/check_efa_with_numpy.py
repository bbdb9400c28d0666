#!/usr/bin/env python3
"""Check that standard Python tools open an Edgeflow archive (.efa) and agree with it.

  /work/venv/bin/python tools/archive/check_efa_with_numpy.py model.efa [more.efa ...]

For each archive: Python's zipfile verifies every member's CRC; metadata.json and graph.json
are parsed and their format, version and cross-references checked; weights.npz is opened
with numpy.load, both straight from the archive and after extracting it to disk, and every
weight graph.json lists must be there with its dtype and shape (bfloat16 is stored as
uint16 bit patterns). Exit status 0 when every archive passes. Needs only numpy.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import zipfile

import numpy as np

NUMPY_DTYPES = {
    "float32": "float32", "float64": "float64", "float16": "float16", "bfloat16": "uint16",
    "int8": "int8", "uint8": "uint8", "int16": "int16", "uint16": "uint16", "int32": "int32",
    "uint32": "uint32", "int64": "int64", "uint64": "uint64", "bool": "bool",
}


def check(path: str) -> list[str]:
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
        if bad is not None:
            problems.append(f"CRC check fails for member {bad}")
        names = archive.namelist()
        if names[:3] != ["metadata.json", "graph.json", "weights.npz"]:
            problems.append(f"unexpected members {names}")
        metadata = json.loads(archive.read("metadata.json"))
        graph = json.loads(archive.read("graph.json"))
        npz_bytes = archive.read("weights.npz")
        with tempfile.TemporaryDirectory() as scratch:
            archive.extractall(scratch)
            on_disk = dict(np.load(os.path.join(scratch, "weights.npz")))
    if metadata.get("format") != "edgeflow-archive" or metadata.get("formatVersion") != 1:
        problems.append(f"metadata.json format {metadata.get('format')} version {metadata.get('formatVersion')}")
    values = graph["values"]
    for entry in metadata["inputs"] + metadata["outputs"]:
        value = values.get(entry["name"])
        if value is None or value["dtype"] != entry["dtype"] or value["shape"] != entry["shape"]:
            problems.append(f"metadata lists {entry['name']} as {entry['dtype']}{entry['shape']}, graph.json as {value}")
        elif entry["byteCount"] != int(np.prod(entry["shape"], dtype=np.int64)) * np.dtype(NUMPY_DTYPES[entry["dtype"]]).itemsize:
            problems.append(f"byteCount of {entry['name']} is {entry['byteCount']}")
    for layer in graph["layers"]:
        for value, shape, dtype in zip(layer["outputs"], layer["outputShapes"], layer["outputDTypes"]):
            if values[value] != {"dtype": dtype, "shape": shape}:
                problems.append(f"layer {layer['name']} output {value} disagrees with values")
    weights = np.load(io.BytesIO(npz_bytes))
    listed = {w["npzKey"] for w in graph["weights"]}
    if set(weights.files) != listed or set(on_disk) != listed:
        problems.append(f"weights.npz keys {sorted(weights.files)} differ from graph.json's {sorted(listed)}")
    total = 0
    for weight in graph["weights"]:
        array = weights[weight["npzKey"]]
        expected = values[weight["name"]]
        total += array.nbytes
        if array.dtype != np.dtype(NUMPY_DTYPES[expected["dtype"]]) or list(array.shape) != expected["shape"]:
            problems.append(f"weight {weight['name']} is {array.dtype}{list(array.shape)}, graph.json says {expected}")
        elif not np.array_equal(array.view(np.uint8), on_disk[weight["npzKey"]].view(np.uint8)):
            problems.append(f"weight {weight['name']} differs between the in-archive and extracted npz")
    print(f"{path}: {len(graph['layers'])} layers, {len(graph['weights'])} weights ({total} bytes), "
          f"inputs {[(i['name'], i['dtype'], i['shape']) for i in metadata['inputs']]}: "
          + ("OK" if not problems else f"{len(problems)} problem(s)"))
    return problems


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    failed = False
    for path in sys.argv[1:]:
        for problem in check(path):
            print("  problem:", problem)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared helpers for the golden generators (dev only: needs onnxruntime).

A golden case is a folder Tests/Goldens/<case>/ with .npy files and a
golden.json; see Tests/Goldens/README.md for the format. Every path in a
golden.json is relative to the repository root (".testdata/..." paths are made
by scripts/setup.sh and are not committed).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import sys
from typing import Dict, Optional, Union

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDENS = os.path.join(REPO, "Tests", "Goldens")
TESTDATA = os.path.join(REPO, ".testdata")
FORMAT_VERSION = 1


def rel(path: str) -> str:
    return os.path.relpath(os.path.abspath(path), REPO)


def absolute(path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(REPO, path)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(absolute(path), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def require(path: str, hint: str = "run scripts/setup.sh first") -> str:
    p = absolute(path)
    if not os.path.exists(p):
        sys.exit(f"missing {rel(p)}: {hint}")
    return p


def versions() -> Dict[str, str]:
    import onnx
    import onnxruntime
    return {"onnxruntime": onnxruntime.__version__, "onnx": onnx.__version__, "numpy": np.__version__}


def ort_session(model_path: str, optimize: bool = True):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimize
                                   else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    so.log_severity_level = 3
    return ort.InferenceSession(absolute(model_path), sess_options=so, providers=["CPUExecutionProvider"])


def ort_run(model_path: str, feeds: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    s = ort_session(model_path)
    names = [o.name for o in s.get_outputs()]
    return dict(zip(names, s.run(names, feeds)))


def spec(a: np.ndarray) -> dict:
    return {"dtype": str(a.dtype), "shape": list(a.shape)}


def save_npy(path: str, a: np.ndarray) -> str:
    os.makedirs(os.path.dirname(absolute(path)), exist_ok=True)
    np.save(absolute(path), np.asarray(a, order="C"), allow_pickle=False)  # keeps 0-d arrays 0-d
    return rel(path)


def write_case(case: str, *, description: str, model: str, inputs: Dict[str, Union[np.ndarray, str]],
               outputs: Dict[str, np.ndarray], tolerance: float, generator: str,
               model_origin: str, extra: Optional[dict] = None,
               sparse_outputs: Optional[Dict[str, dict]] = None,
               derived: Optional[Dict[str, tuple]] = None,
               tool_versions: Optional[Dict[str, str]] = None,
               tolerance_kind: str = "max_abs") -> dict:
    """Write Tests/Goldens/<case>/: inputs given as arrays are saved in the case
    folder; inputs given as a path (e.g. a .testdata file) are referenced with
    their sha256. Outputs are always saved in the case folder. `derived` maps a
    name to (array, meaning): helper arrays that are not model outputs.
    `tolerance_kind` is max_abs or max_abs_scaled (Tests/Goldens/README.md).
    `tool_versions` replaces the onnxruntime/onnx/numpy versions recorded (for
    goldens made by another runtime, e.g. LiteRT)."""
    d = os.path.join(GOLDENS, case)
    os.makedirs(d, exist_ok=True)
    for old in glob.glob(os.path.join(d, "*.npy")):
        os.remove(old)
    j_inputs, j_outputs, tensors, files = {}, {}, {}, {}
    for name, v in inputs.items():
        if isinstance(v, str):
            p = rel(absolute(v))
            arr = np.load(absolute(v), mmap_mode="r")
        else:
            p = save_npy(os.path.join(d, f"in_{safe(name)}.npy"), v)
            arr = v
        j_inputs[name] = p
        tensors[name] = spec(arr)
        files[p] = sha256_file(p)
    for name, v in outputs.items():
        p = save_npy(os.path.join(d, f"out_{safe(name)}.npy"), v)
        j_outputs[name] = p
        tensors[name] = spec(v)
        files[p] = sha256_file(p)
    j_sparse = {}
    for name, sp in (sparse_outputs or {}).items():
        ip = save_npy(os.path.join(d, f"out_{safe(name)}.indices.npy"), sp["indices"])
        vp = save_npy(os.path.join(d, f"out_{safe(name)}.values.npy"), sp["values"])
        files[ip] = sha256_file(ip)
        files[vp] = sha256_file(vp)
        j_sparse[name] = {"shape": list(sp["shape"]), "dtype": "float32", "indices": ip, "values": vp,
                          "floor": sp["floor"], "rule": sp["rule"]}
        tensors[name] = {"dtype": "float32", "shape": list(sp["shape"])}
    j_derived = {}
    for name, (arr, meaning) in (derived or {}).items():
        p = save_npy(os.path.join(d, f"derived_{safe(name)}.npy"), arr)
        files[p] = sha256_file(p)
        j_derived[name] = {"file": p, "dtype": str(arr.dtype), "shape": list(arr.shape), "meaning": meaning}
    needs_setup = model.startswith(".testdata") or any(p.startswith(".testdata") for p in j_inputs.values())
    g = {
        "format": FORMAT_VERSION,
        "case": case,
        "description": description,
        "model": model,
        "model_sha256": sha256_file(model),
        "model_origin": model_origin,
        "needs_setup": needs_setup,
        "inputs": j_inputs,
        "outputs": j_outputs,
        "tensors": tensors,
        "tolerance": tolerance,
        "tolerance_kind": tolerance_kind,
        "generator": generator,
        **{f"{k}_version": v for k, v in (tool_versions or versions()).items()},
        "file_sha256": files,
    }
    if j_sparse:
        g["sparse_outputs"] = j_sparse
    if j_derived:
        g["derived"] = j_derived
    if extra:
        g.update(extra)
    with open(os.path.join(d, "golden.json"), "w") as f:
        f.write(dumps(g))
    write_index()
    size = sum(os.path.getsize(os.path.join(d, x)) for x in os.listdir(d))
    print(f"[goldens] {case}: {len(j_inputs)} inputs, {len(j_outputs) + len(j_sparse)} outputs, "
          f"{size / 1e6:.2f} MB in Tests/Goldens/{case}")
    return g


def dumps(obj) -> str:
    """JSON with 2-space indent but short lists of numbers (shapes, boxes) on one line."""
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    text = re.sub(r"\[\s*((?:-?[0-9.e+-]+,\s*)*-?[0-9.e+-]+)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    return text + "\n"


def write_index() -> None:
    cases = []
    for p in sorted(glob.glob(os.path.join(GOLDENS, "*", "golden.json"))):
        with open(p) as f:
            g = json.load(f)
        if "case" not in g:  # a golden of another layout (e.g. faces/, read by its own test)
            continue
        cases.append({"case": g["case"], "golden": rel(p), "model": g["model"], "needs_setup": g["needs_setup"]})
    with open(os.path.join(GOLDENS, "index.json"), "w") as f:
        f.write(dumps({"format": FORMAT_VERSION, "cases": cases}))


def reference_f64(model_path: str, feeds: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """Run a float32 model in float64 with onnx.reference (slow; a yardstick for
    how far float32 results may legitimately drift). Only for the generated
    (opset 17) models: onnx 1.22's reference BatchNormalization for opset < 14
    (as in the PP-OCR opset-11/12 models) disagrees with the operator's formula
    and with onnxruntime by up to 0.26 on the first BN of the cls model."""
    import onnx
    from onnx import TensorProto, numpy_helper
    from onnx.reference import ReferenceEvaluator
    m = onnx.load(absolute(model_path))
    g = m.graph
    for i, t in enumerate(g.initializer):
        if t.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float64), t.name))
    for n in g.node:
        for at in n.attribute:
            if at.name == "value" and at.t.data_type == TensorProto.FLOAT:
                at.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(at.t).astype(np.float64), ""))
            if n.op_type == "Cast" and at.name == "to" and at.i == TensorProto.FLOAT:
                at.i = TensorProto.DOUBLE
    for v in list(g.input) + list(g.output):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.DOUBLE
    f64 = {k: (v.astype(np.float64) if v.dtype == np.float32 else v) for k, v in feeds.items()}
    names = [o.name for o in g.output]
    return dict(zip(names, ReferenceEvaluator(m).run(None, f64)))

#!/usr/bin/env python3
"""Check every golden case against onnxruntime (dev only).

  check_goldens.py [--no-graph-opt] [CASE ...]

For each Tests/Goldens/<case>/golden.json: the model exists (else the case is
skipped: run scripts/setup.sh) and has the recorded sha256, every referenced
file has its recorded sha256 and the recorded dtype/shape, the input/output
names exist in the model, and onnxruntime reproduces every output (dense and
sparse) within the case's tolerance. --no-graph-opt runs onnxruntime with graph
optimisations off (different fusions and summation orders: a stand-in for
another correct implementation, to see the margin the tolerance leaves). Prints one line per case, then
'N passed, N failed, N skipped'; exits 1 on any failure.
"""

from __future__ import annotations

import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import GOLDENS, REPO, absolute, ort_session, sha256_file  # noqa: E402


GRAPH_OPT = True


def check(path: str):
    with open(path) as f:
        g = json.load(f)
    if not os.path.exists(absolute(g["model"])):
        return "skip", f"model {g['model']} missing (run scripts/setup.sh)"
    if sha256_file(g["model"]) != g["model_sha256"]:
        return "fail", f"model {g['model']} sha256 differs from golden: regenerate the model or the goldens"
    for p, sha in g["file_sha256"].items():
        if not os.path.exists(absolute(p)):
            return ("skip" if p.startswith(".testdata") else "fail"), f"{p} missing"
        if sha256_file(p) != sha:
            return "fail", f"{p} sha256 differs"
    sess = ort_session(g["model"], optimize=GRAPH_OPT)
    in_names = {i.name for i in sess.get_inputs()}
    out_names = [o.name for o in sess.get_outputs()]
    feeds = {}
    for name, p in g["inputs"].items():
        if name not in in_names:
            return "fail", f"input {name} not in model"
        a = np.load(absolute(p))
        t = g["tensors"][name]
        if str(a.dtype) != t["dtype"] or list(a.shape) != t["shape"]:
            return "fail", f"{p}: {a.dtype}{list(a.shape)} but golden.json says {t}"
        feeds[name] = a
    got = dict(zip(out_names, sess.run(out_names, feeds)))
    tol = g["tolerance"]
    worst = 0.0
    for name, p in g["outputs"].items():
        if name not in got:
            return "fail", f"output {name} not in model"
        want = np.load(absolute(p))
        if got[name].shape != want.shape or got[name].dtype != want.dtype:
            return "fail", f"output {name}: {got[name].dtype}{got[name].shape} vs golden {want.dtype}{want.shape}"
        d = float(np.abs(got[name].astype(np.float64) - want).max()) if want.size else 0.0
        worst = max(worst, d)
        if not d <= tol:
            return "fail", f"output {name}: max abs diff {d:.3g} > {tol}"
    for name, sp in g.get("sparse_outputs", {}).items():
        a = got[name]
        if list(a.shape) != sp["shape"]:
            return "fail", f"sparse output {name}: shape {list(a.shape)} vs {sp['shape']}"
        flat = a.reshape(-1).astype(np.float64)
        idx = np.load(absolute(sp["indices"]))
        vals = np.load(absolute(sp["values"]))
        d = float(np.abs(flat[idx] - vals).max())
        rest = np.ones(flat.size, dtype=bool)
        rest[idx] = False
        r = float(flat[rest].max()) if rest.any() else 0.0
        worst = max(worst, d)
        if not d <= tol:
            return "fail", f"sparse output {name}: listed entries differ by {d:.3g} > {tol}"
        if not r < sp["floor"] + tol:
            return "fail", f"sparse output {name}: an unlisted entry is {r:.3g} >= floor + tol"
    size = sum(os.path.getsize(x) for x in glob.glob(os.path.join(os.path.dirname(path), "*")))
    return "pass", f"max abs diff {worst:.2e} (tol {tol:g}), {size / 1e6:.2f} MB"


def main(argv=None) -> int:
    global GRAPH_OPT
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--no-graph-opt" in argv:
        argv.remove("--no-graph-opt")
        GRAPH_OPT = False
    paths = sorted(glob.glob(os.path.join(GOLDENS, "*", "golden.json")))
    if argv:
        paths = [p for p in paths if os.path.basename(os.path.dirname(p)) in argv]
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for p in paths:
        case = os.path.basename(os.path.dirname(p))
        try:
            status, msg = check(p)
        except Exception as e:  # report, keep going
            status, msg = "fail", f"{type(e).__name__}: {e}"
        counts[status] += 1
        print(f"{status.upper():4} {case:34} {msg}")
    total = sum(os.path.getsize(x) for x in glob.glob(os.path.join(GOLDENS, "**", "*"), recursive=True)
                if os.path.isfile(x))
    print(f"Tests/Goldens: {total / 1e6:.2f} MB committed ({os.path.relpath(GOLDENS, REPO)})")
    print(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())

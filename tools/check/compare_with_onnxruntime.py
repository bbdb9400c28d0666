#!/usr/bin/env python3
"""Parse + infer any ONNX model with the `edgeflow` CLI and compare with onnxruntime.

Dev tool (needs onnxruntime and numpy, e.g. /work/venv or tools/requirements-dev.txt).
Random inputs (seeded) are made for every model input; dynamic dims take --dim values in order
(default 1). Prints the max abs difference per output and exits 1 when one exceeds --tolerance.

    python tools/check/compare_with_onnxruntime.py .build/release/edgeflow model.onnx --dims 1,3,320,320
"""
import argparse, os, sys, tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edgeflow_cli import parse_and_infer  # noqa: E402
import onnxruntime as ort


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("edgeflow", help="path to the edgeflow binary")
    parser.add_argument("models", nargs="+")
    parser.add_argument("--dims", default="", help="comma-separated values for dynamic dims, in order")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--scaled", action="store_true",
                        help="the tolerance is of each output's magnitude: × max(1, max |reference|)")
    parser.add_argument("--ort-optimizations", choices=["all", "none"], default="all",
                        help="onnxruntime's graph optimizations: 'none' runs the ONNX operators as written "
                             "(no fused QLinear kernels for QDQ models)")
    args = parser.parse_args()
    fill = [int(v) for v in args.dims.split(",") if v]
    worst_ok = True
    for model in args.models:
        work = tempfile.mkdtemp(prefix="ef-compare-")
        options = ort.SessionOptions()
        if args.ort_optimizations == "none":
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(0)
        feeds, cli_shapes, cli_inputs = {}, [], []
        for index, info in enumerate(session.get_inputs()):
            dims = list(fill)
            shape = [d if isinstance(d, int) else (dims.pop(0) if dims else 1) for d in info.shape]
            if "int" in info.type:
                value = rng.integers(0, 10, shape).astype(np.int64 if "int64" in info.type else np.int32)
            else:
                value = rng.random(shape).astype(np.float32)
            path = os.path.join(work, f"input{index}.npy")
            np.save(path, value)
            feeds[info.name] = value
            cli_shapes += ["--input-shape", f"{info.name}={','.join(map(str, shape))}"]
            cli_inputs += ["--input", f"{info.name}={path}"]
        reference = session.run(None, feeds)
        files = parse_and_infer(args.edgeflow, model, work, cli_shapes, cli_inputs)
        if isinstance(files, str):
            print(files)
            worst_ok = False
            continue
        for info, expected in zip(session.get_outputs(), reference):
            ours = np.load(files[info.name])
            diff = float(np.abs(ours.astype(np.float64) - expected).max()) if ours.size else 0.0
            scale = max(1.0, float(np.abs(expected).max())) if args.scaled and expected.size else 1.0
            ok = ours.shape == expected.shape and diff <= args.tolerance * scale
            worst_ok &= ok
            print(f"{os.path.basename(model)}  {info.name}  {list(ours.shape)}  max abs diff {diff:.3g}"
                  f"{f' (of {scale:.3g})' if scale > 1 else ''}  {'ok' if ok else 'MISMATCH'}")
    return 0 if worst_ok else 1


if __name__ == "__main__":
    sys.exit(main())

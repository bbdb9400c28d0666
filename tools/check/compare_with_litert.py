#!/usr/bin/env python3
"""Parse + infer any TFLite model with the `edgeflow` CLI and compare with LiteRT.

Dev tool (needs ai-edge-litert and numpy in the dev venv). Random inputs (seeded) are made for
every model input: floats in [0, 1), integers over the input type's range. LiteRT runs with its
reference kernels (the ones Edgeflow's integer translations follow bit for bit; `--kernels builtin`
for its default ones). Prints the max
abs difference per output and exits 1 when a float output exceeds --tolerance or an integer
output differs at all.

    python tools/check/compare_with_litert.py .build/release/edgeflow model.tflite
"""
import argparse, os, sys, tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edgeflow_cli import parse_and_infer  # noqa: E402
from ai_edge_litert import interpreter as litert


def litert_outputs(model: str, feeds: list, kernels: str) -> list:
    resolver = {"ref": litert.OpResolverType.BUILTIN_REF, "builtin": litert.OpResolverType.BUILTIN}[kernels]
    runner = litert.Interpreter(model_path=model, experimental_op_resolver_type=resolver)
    runner.allocate_tensors()
    for detail, value in zip(runner.get_input_details(), feeds):
        runner.set_tensor(detail["index"], value)
    runner.invoke()
    return [(d["name"], runner.get_tensor(d["index"])) for d in runner.get_output_details()]


def random_input(rng, detail) -> np.ndarray:
    dtype = np.dtype(detail["dtype"])
    shape = list(detail["shape"])
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        low, high = max(info.min, -128), min(info.max, 255)
        return rng.integers(low, high + 1, shape).astype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    return rng.random(shape).astype(dtype)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("edgeflow", help="path to the edgeflow binary")
    parser.add_argument("models", nargs="+")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--scaled", action="store_true",
                        help="a float tolerance is of each output's magnitude: × max(1, max |reference|)")
    parser.add_argument("--kernels", choices=["ref", "builtin"], default="ref",
                        help="LiteRT's reference kernels (default) or its default ones (XNNPACK); some int8 "
                             "models abort LiteRT 2.3.0's reference kernels")
    args = parser.parse_args()
    all_ok = True
    for model in args.models:
        work = tempfile.mkdtemp(prefix="ef-litert-")
        probe = litert.Interpreter(model_path=model)
        rng = np.random.default_rng(0)
        feeds, cli_inputs = [], []
        for index, detail in enumerate(probe.get_input_details()):
            value = random_input(rng, detail)
            path = os.path.join(work, f"input{index}.npy")
            np.save(path, value)
            feeds.append(value)
            cli_inputs += ["--input", f"{detail['name']}={path}"]
        reference = litert_outputs(model, feeds, args.kernels)
        files = parse_and_infer(args.edgeflow, model, work, [], cli_inputs)
        if isinstance(files, str):
            print(files)
            all_ok = False
            continue
        for name, expected in reference:
            if name not in files:
                print(f"{os.path.basename(model)}  {name}  missing from Edgeflow's outputs {sorted(files)}")
                all_ok = False
                continue
            ours = np.load(files[name])
            diff = float(np.abs(ours.astype(np.float64) - expected.astype(np.float64)).max()) if ours.size else 0.0
            integer = np.issubdtype(expected.dtype, np.integer)
            scale = max(1.0, float(np.abs(expected).max())) if args.scaled and expected.size and not integer else 1.0
            limit = 0.0 if integer else args.tolerance * scale
            ok = ours.shape == expected.shape and diff <= limit
            all_ok &= ok
            print(f"{os.path.basename(model)}  {name}  {list(ours.shape)}  max abs diff {diff:.3g}"
                  f"{f' (of {scale:.3g})' if scale > 1 else ''}  {'ok' if ok else 'MISMATCH'}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())

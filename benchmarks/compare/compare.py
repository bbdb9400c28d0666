#!/usr/bin/env python3
"""Side-by-side throughput of Edgeflow, onnxruntime and OpenVINO on the same models, in one run.

  benchmarks/compare/setup.sh                                  # once: benchmarks/.venv with the peers
  swift build -c release                                       # the edgeflow binary
  benchmarks/.venv/bin/python benchmarks/compare/compare.py --quick        # smoke run
  benchmarks/.venv/bin/python benchmarks/compare/compare.py                # full matrix

For every model and batch the harness makes ONE fixed-shape ONNX file (see
models.py) that all three runtimes load; Edgeflow gets it as an archive
(`edgeflow parse`). For every (model, batch, threads) it then measures
Edgeflow (`edgeflow benchmark --json`, a subprocess), onnxruntime and
OpenVINO fp32 (in process) back to back with the same warm-up and iteration
counts, and prints a table of samples/s and the ratios Edgeflow ÷ peer.
Results go to benchmarks/compare/results/NAME.{json,md}.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
try:
    import numpy  # noqa: F401
    import onnx  # noqa: F401
except ImportError as missing:
    raise SystemExit(f"error: {missing.name} is not installed for {sys.executable}; run benchmarks/compare/setup.sh "
                     "and start the harness with benchmarks/.venv/bin/python") from None

import machine  # noqa: E402
import models  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
from edgeflow_side import Edgeflow, EdgeflowFailed  # noqa: E402


def int_list(text: str):
    try:
        values = [int(v) for v in text.split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got '{text}'") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got '{text}'")
    return values


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(models.MODELS),
                    help="comma-separated, from: " + ", ".join(models.MODELS) + " (default: all)")
    ap.add_argument("--threads", type=int_list, default=[1, 2], help="default 1,2")
    ap.add_argument("--batch", type=int_list, default=[1, 8], help="default 1,8")
    ap.add_argument("--iterations", type=int, default=20, help="timed iterations per measurement (default 20)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed iterations first (default 3)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="repeat each configuration, alternating the runtime order; keep each runtime's "
                         "fastest median (default 1)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 warm-up, 3 iterations, 1 round")
    ap.add_argument("--edgeflow", default=os.path.join(REPO, ".build", "release", "edgeflow"),
                    help="the edgeflow binary (default: .build/release/edgeflow)")
    ap.add_argument("--skip-edgeflow", action="store_true", help="measure the peers only")
    ap.add_argument("--skip-peers", action="store_true", help="measure Edgeflow only")
    ap.add_argument("--ov-bf16", action="store_true",
                    help="add an OpenVINO row with the bf16 precision hint (context only; f32 where the CPU lacks bf16)")
    ap.add_argument("--testdata", default=os.path.join(REPO, ".testdata"), help="default: .testdata")
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"), help="prepared variants and archives")
    ap.add_argument("--results", default=os.path.join(HERE, "results"), help="where NAME.json/.md go")
    ap.add_argument("--name", help="results file name (default: date-time, '-quick' for smoke runs)")
    a = ap.parse_args(argv)
    if a.quick:
        a.warmup, a.iterations, a.rounds = 1, 3, 1
    if a.iterations < 1 or a.warmup < 0 or a.rounds < 1:
        ap.error("--iterations and --rounds must be >= 1, --warmup >= 0")
    a.models = [m for m in a.models.split(",") if m]
    unknown = [m for m in a.models if m not in models.MODELS]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(models.MODELS)}")
    if a.skip_edgeflow and a.skip_peers:
        ap.error("--skip-edgeflow and --skip-peers leave nothing to measure")
    return a


def measure_config(a, edgeflow, variant, efa, x, threads, errors):
    """One (model, batch, threads): every runtime, `rounds` times, order alternating; the fastest median wins.
    An Edgeflow failure is recorded in `errors` and leaves the peers' measurements standing."""
    runners = []
    if edgeflow and "edgeflow" not in errors:
        runners.append(("edgeflow", lambda: edgeflow.measure(variant, efa, x, threads, a.warmup, a.iterations)))
    if not a.skip_peers:
        runners.append(("onnxruntime", lambda: peers.measure_onnxruntime(
            variant.onnx_path, variant.input_name, x, threads, a.warmup, a.iterations)))
        runners.append(("openvino", lambda: peers.measure_openvino(
            variant.onnx_path, x, threads, a.warmup, a.iterations)))
        if a.ov_bf16:
            runners.append(("openvino-bf16", lambda: peers.measure_openvino(
                variant.onnx_path, x, threads, a.warmup, a.iterations, precision="bf16")))
    runs = {column: [] for column, _ in runners}
    for r in range(a.rounds):
        for column, run in (runners if r % 2 == 0 else runners[::-1]):
            if column in errors:
                continue
            try:
                m = run()
                m.extra["finished_at"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
                runs[column].append(m)
            except EdgeflowFailed as e:
                errors[column] = str(e)
                print(f"[compare] edgeflow failed: {e}", flush=True)
    best = {}
    for column, measured in runs.items():
        if not measured:
            continue
        best[column] = min(measured, key=lambda m: m.latency_ms["p50"])
        best[column].extra["round_p50_ms"] = [round(m.latency_ms["p50"], 2) for m in measured]
    return best


def main(argv=None) -> int:
    a = parse_args(argv)
    edgeflow = None if a.skip_edgeflow else Edgeflow(a.edgeflow, a.cache)
    meta = machine.describe(REPO)
    meta["edgeflow"] = edgeflow.version if edgeflow else None
    meta["settings"] = (f"warm-up {a.warmup}, iterations {a.iterations}, rounds {a.rounds}, "
                        f"threads {a.threads}, batch {a.batch}" + (" (--quick)" if a.quick else ""))
    print(report.machine_block(meta), flush=True)
    specs = [models.MODELS[k] for k in a.models]
    for spec in specs:  # fail before preparing anything when a model is missing
        models.source_path(spec, a.testdata)
    # prepare every variant and archive first, so no measurement shares the machine with that work
    prepared = []
    for spec in specs:
        for batch in a.batch:
            variant = models.prepare(spec, batch, a.testdata, a.cache)
            efa, errors = None, {}
            try:
                efa = edgeflow.archive(variant) if edgeflow else None
            except EdgeflowFailed as e:
                errors["edgeflow"] = str(e)
                print(f"[compare] edgeflow failed: {e}", flush=True)
            prepared.append((variant, efa, errors))
    name = a.name or time.strftime("%Y%m%d-%H%M%S") + ("-quick" if a.quick else "")
    rows, path = [], None
    for variant, efa, parse_errors in prepared:
        x = models.make_inputs(variant.spec, variant.batch)
        for threads in a.threads:
            errors = dict(parse_errors)
            row = report.Row(variant.spec.key, variant.spec.title, threads, variant.batch, variant.macs_per_sample,
                             measure_config(a, edgeflow, variant, efa, x, threads, errors), errors)
            rows.append(row)
            print(f"[compare] {row.title:28s} threads {threads} batch {row.batch}: "
                  + ", ".join([f"{c} {m.throughput:.1f}/s" for c, m in row.results.items()]
                              + [f"{c} failed" for c in row.errors])
                  + f" (other load {row.foreign_cores():.2f} cores)", flush=True)
            path = report.write(a.results, name, meta, rows)  # rewritten after every row: a crash keeps the rest
    print()
    print(report.summary_table(rows))
    print()
    print(report.scaling_table(rows))
    print(f"\n[compare] wrote {os.path.relpath(path, REPO)} and {os.path.relpath(path[:-3] + '.json', REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

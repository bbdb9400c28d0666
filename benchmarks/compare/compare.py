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

With --int8 every configuration also gets int8 columns, all quantized from the same
calibration samples (samples.py): Edgeflow (`edgeflow optimize --calib-set`, `compile`,
`benchmark` of the executable), onnxruntime static QDQ (all op types, and MatMul/Gemm/Conv
only) and OpenVINO with NNCF (quantize.py); and an accuracy table: each model's outputs on
held-out samples against onnxruntime fp32 (accuracy.py).
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

import accuracy  # noqa: E402
import machine  # noqa: E402
import models  # noqa: E402
import peers  # noqa: E402
import quantize  # noqa: E402
import report  # noqa: E402
import samples  # noqa: E402
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
    ap.add_argument("--int8", action="store_true",
                    help="add the int8 columns (Edgeflow, onnxruntime QDQ x2, OpenVINO NNCF) and the accuracy table")
    ap.add_argument("--tuned-bf16", action="store_true",
                    help="with --int8: one more Edgeflow column, the tuned options with --promote-to bf16,float "
                         "(sensitive layers to bf16 instead of a16_w8; needs a CPU with bf16 kernels)")
    ap.add_argument("--skip-accuracy", action="store_true",
                    help="with --int8: time only (the accuracy table takes minutes and does not change between runs)")
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


def prepare_int8(a, edgeflow, variant, efa, errors):
    """The int8 models of one (model, batch), all from the same calibration samples: {column: path}.
    A tool that fails is recorded in `errors` under its column and the others go on."""
    calib = samples.calibration(variant.spec, variant.batch, a.testdata, a.cache)
    makers = {"onnxruntime-int8mm": lambda: quantize.onnxruntime_int8(variant, calib, matmul_conv_only=True),
              "onnxruntime-int8": lambda: quantize.onnxruntime_int8(variant, calib, matmul_conv_only=False),
              "openvino-int8": lambda: quantize.openvino_int8(variant, calib)}
    if a.skip_peers:
        makers = {}
    if edgeflow and efa:
        tuned = tuple(os.path.join(REPO, o) if o.endswith(".alls") else o for o in variant.spec.edgeflow_tuned)
        makers = {"edgeflow-int8": lambda: edgeflow.quantized(efa, calib),
                  **({"edgeflow-int8-tuned": lambda: edgeflow.quantized(efa, calib, tuned, "qt")} if tuned else {}),
                  **({"edgeflow-int8-tuned-bf16": lambda: edgeflow.quantized(
                      efa, calib, tuned + ("--promote-to", "bf16,float"), "qtb")}
                     if a.tuned_bf16 and "--target-cosine" in tuned else {}),
                  **makers}
    paths = {}
    for column, make in makers.items():
        try:
            paths[column] = make()
        except Exception as e:  # noqa: BLE001 - one tool's failure must not stop the others
            errors[column] = f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"
            print(f"[compare] {column} quantization of {variant.spec.key} batch {variant.batch} failed: "
                  f"{errors[column]}", flush=True)
    return paths


def int8_runners(a, edgeflow, variant, int8, x, threads):
    runs = {
        "edgeflow-int8": lambda p: edgeflow.measure(variant, p, x, threads, a.warmup, a.iterations,
                                                    column="edgeflow-int8"),
        "edgeflow-int8-tuned": lambda p: edgeflow.measure(variant, p, x, threads, a.warmup, a.iterations,
                                                          column="edgeflow-int8-tuned"),
        "edgeflow-int8-tuned-bf16": lambda p: edgeflow.measure(variant, p, x, threads, a.warmup, a.iterations,
                                                               column="edgeflow-int8-tuned-bf16"),
        "onnxruntime-int8mm": lambda p: peers.measure_onnxruntime(
            p, variant.input_name, x, threads, a.warmup, a.iterations, "onnxruntime-int8mm",
            "int8 QDQ MatMul/Gemm/Conv"),
        "onnxruntime-int8": lambda p: peers.measure_onnxruntime(
            p, variant.input_name, x, threads, a.warmup, a.iterations, "onnxruntime-int8", "int8 QDQ all ops"),
        "openvino-int8": lambda p: peers.measure_openvino(p, x, threads, a.warmup, a.iterations,
                                                          column="openvino-int8"),
    }
    return [(column, (lambda run=runs[column], path=path: run(path))) for column, path in int8.items()]


def measure_accuracy(a, edgeflow, spec, efa, int8, errors) -> dict:
    """Outputs of every column on the held-out samples against onnxruntime fp32 (batch-1 variant)."""
    variant = models.prepare(spec, 1, a.testdata, a.cache)
    xs, labels = samples.held_out(spec, a.testdata, a.cache)
    chars = accuracy.rec_characters(variant.onnx_path) if spec.key == "ppocr-rec" else None
    reference = peers.onnxruntime_outputs(variant.onnx_path, variant.input_name, xs)
    workdir = os.path.join(a.cache, "accuracy-run")
    getters = {"openvino": lambda: peers.openvino_outputs(variant.onnx_path, xs)}
    if edgeflow and efa:
        getters["edgeflow"] = lambda: [edgeflow.run_outputs(edgeflow.compiled(efa), variant.input_name, x,
                                                            workdir)[0] for x in xs]
    for column, path in int8.items():
        if column.startswith("edgeflow-int8"):
            getters[column] = lambda p=path: [edgeflow.run_outputs(p, variant.input_name, x, workdir)[0] for x in xs]
        elif column.startswith("onnxruntime"):
            getters[column] = lambda p=path: peers.onnxruntime_outputs(p, variant.input_name, xs)
        else:
            getters[column] = lambda p=path: peers.openvino_outputs(p, xs)
    columns = {"onnxruntime": accuracy.summarize(spec.key, reference, reference, labels, chars, is_reference=True)}
    for column, get in getters.items():
        try:
            columns[column] = accuracy.summarize(spec.key, reference, get(), labels, chars)
        except Exception as e:  # noqa: BLE001
            columns[column] = {"error": f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"}
    for column, why in errors.items():
        columns.setdefault(column, {"error": why})
    print(f"[accuracy] {spec.key}: " + ", ".join(
        f"{c} cos {v['cos_mean']:.5f} {accuracy.task_cell(spec.key, v)}".rstrip()
        if "error" not in v else f"{c} failed" for c, v in columns.items()), flush=True)
    return {"title": spec.title, "samples": int(xs.shape[0]), "columns": columns}


def measure_config(a, edgeflow, variant, efa, x, threads, errors, int8=None):
    """One (model, batch, threads): every runtime, `rounds` times, order alternating; the fastest median wins.
    An Edgeflow or int8 failure is recorded in `errors` and leaves the other measurements standing."""
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
    runners += int8_runners(a, edgeflow, variant, int8 or {}, x, threads)
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
                print(f"[compare] {column} failed: {e}", flush=True)
            except Exception as e:  # noqa: BLE001 - an int8 peer that cannot run its model
                if column not in report.INT8_COLUMNS:
                    raise
                errors[column] = f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"
                print(f"[compare] {column} failed: {errors[column]}", flush=True)
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
            int8 = prepare_int8(a, edgeflow, variant, efa, errors) if a.int8 else {}
            prepared.append((variant, efa, errors, int8))
    results_accuracy = {}
    if a.int8 and not a.skip_accuracy:  # before any timing, so no measurement shares the machine with this work
        for variant, efa, errors, int8 in prepared:
            if variant.batch == 1:
                results_accuracy[variant.spec.key] = measure_accuracy(a, edgeflow, variant.spec, efa, int8, errors)
        if 1 not in a.batch:
            print("[compare] no accuracy table: it is measured on the batch-1 models (add 1 to --batch)", flush=True)
    name = a.name or time.strftime("%Y%m%d-%H%M%S") + ("-quick" if a.quick else "")
    rows, path = [], None
    for variant, efa, parse_errors, int8 in prepared:
        x = models.make_inputs(variant.spec, variant.batch)
        for threads in a.threads:
            errors = dict(parse_errors)
            row = report.Row(variant.spec.key, variant.spec.title, threads, variant.batch, variant.macs_per_sample,
                             measure_config(a, edgeflow, variant, efa, x, threads, errors, int8), errors)
            rows.append(row)
            print(f"[compare] {row.title:28s} threads {threads} batch {row.batch}: "
                  + ", ".join([f"{c} {m.throughput:.1f}/s" for c, m in row.results.items()]
                              + [f"{c} failed" for c in row.errors])
                  + f" (other load {row.foreign_cores():.2f} cores)", flush=True)
            path = report.write(a.results, name, meta, rows, results_accuracy)  # after every row: a crash keeps the rest
    print()
    print(report.summary_table(rows))
    if a.int8:
        print()
        print(report.int8_table(rows))
        if results_accuracy:
            print()
            print(report.accuracy_table(results_accuracy))
    print()
    print(report.scaling_table(rows))
    print(f"\n[compare] wrote {os.path.relpath(path, REPO)} and {os.path.relpath(path[:-3] + '.json', REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

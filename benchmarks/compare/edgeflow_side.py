"""The Edgeflow side of a comparison: archives from the shared ONNX variants, and
`edgeflow benchmark ARCHIVE --threads N --iterations K --warmup W --json` runs.

The archive for a variant is made by `edgeflow parse VARIANT.onnx -o X.efa
--input-shape NAME=DIMS` and cached beside it; it is rebuilt when the ONNX
variant or the edgeflow binary is newer. The benchmark verb's JSON (one object
on stdout) is checked against the schema the harness relies on, so a changed
verb fails loudly instead of filling the table with wrong numbers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from typing import List, Optional, Tuple

import numpy as np

from machine import LoadProbe
from models import Variant
from peers import Measurement

# field -> type(s) the harness needs from `edgeflow benchmark --json`
SCHEMA = {
    "archive": str, "graph": str, "engine": str, "threads": int, "batch": int, "iterations": int,
    "warmup": int, "latencyMs": dict, "throughputPerSecond": (int, float), "macsPerSample": int,
    "achievedGflops": (int, float), "peakGflops": (int, float), "peakFraction": (int, float),
    "isa": str, "slowestLayers": list,
}
LATENCY_KEYS = ("p50", "p90", "mean", "min")


class EdgeflowFailed(Exception):
    """An edgeflow command failed for one model or configuration; the run goes on without it."""


class Edgeflow:
    def __init__(self, binary: str, cache: str):
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            raise SystemExit(f"error: no edgeflow binary at {binary}; build it with `swift build -c release` "
                             "(or pass --edgeflow PATH, or --skip-edgeflow to measure the peers only)")
        # run a private copy (mtime kept) so a rebuild during the run cannot mix two binaries in one table
        os.makedirs(cache, exist_ok=True)
        self.binary = os.path.join(cache, "edgeflow")
        shutil.copy2(binary, self.binary)
        built = time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(os.path.getmtime(binary)))
        try:
            self.version = f"{self._run(['--version']).stdout.strip()} ({binary}, built {built})"
        except EdgeflowFailed as e:
            raise SystemExit(f"error: {e}") from None
        done = self._run(["benchmark", "--help"], check=False)
        help_text = done.stdout + done.stderr
        if "--iterations" not in help_text:
            raise SystemExit(f"error: {binary} has no `benchmark` verb (it prints no --iterations option); "
                             "rebuild from a main that has it, or run with --skip-edgeflow")
        self.takes_input = re.search(r"--input(?![-\w])", help_text) is not None  # not --input-shape

    def _run(self, args: List[str], check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run([self.binary, *args], capture_output=True, text=True)
        if check and p.returncode != 0:
            raise EdgeflowFailed(f"`{os.path.basename(self.binary)} {' '.join(args)}` failed "
                                 f"(exit {p.returncode}): {' '.join((p.stderr or p.stdout).split())}")
        return p

    def archive(self, variant: Variant) -> str:
        efa = variant.onnx_path[:-len(".onnx")] + ".efa"
        newest_source = max(os.path.getmtime(variant.onnx_path), os.path.getmtime(self.binary))
        if not os.path.exists(efa) or os.path.getmtime(efa) < newest_source:
            dims = ",".join(str(d) for d in (variant.batch, *variant.spec.sample_shape))
            print(f"[edgeflow] parse {os.path.basename(variant.onnx_path)} --input-shape "
                  f"{variant.input_name}={dims}", flush=True)
            self._run(["parse", variant.onnx_path, "-o", efa, "--input-shape", f"{variant.input_name}={dims}"])
        return efa

    def compiled(self, efa: str) -> str:
        """`edgeflow compile EFA -o X.efx` (fp32, cached) for the accuracy runs."""
        efx = efa[:-len(".efa")] + ".efx"
        if not os.path.exists(efx) or os.path.getmtime(efx) < max(os.path.getmtime(efa), os.path.getmtime(self.binary)):
            self._run(["compile", efa, "-o", efx])
        return efx

    def quantized(self, efa: str, calib_npy: str, options: Tuple[str, ...] = (), tag: str = "q") -> str:
        """`edgeflow optimize EFA --calib-set CALIB.npy --calib-size N [OPTIONS] -o TAG.efa`, then `edgeflow
        compile TAG.efa -o TAG.efx`; returns the executable (cached; remade when the archive, samples, binary or a
        file named in the options change). The optimize report (--json) is kept beside it as TAG.efx.optimize.json."""
        base = efa[:-len(".efa")]
        qefa, qefx = f"{base}.{tag}.efa", f"{base}.{tag}.efx"
        sources = (efa, calib_npy, self.binary, *[o for o in options if os.path.isfile(o)])
        if os.path.exists(qefx) and all(os.path.getmtime(qefx) >= os.path.getmtime(s) for s in sources):
            return qefx
        samples = int(np.load(calib_npy, mmap_mode="r").shape[0])
        print(f"[edgeflow] optimize {os.path.basename(efa)} --calib-set {os.path.basename(calib_npy)} "
              f"--calib-size {samples} {' '.join(options)}".rstrip(), flush=True)
        t0 = time.perf_counter()
        out = self._run(["optimize", efa, "--calib-set", calib_npy, "--calib-size", str(samples), *options,
                         "-o", qefa, "--json"]).stdout
        seconds = time.perf_counter() - t0
        self._run(["compile", qefa, "-o", qefx])
        with open(qefx + ".optimize.json", "w") as f:
            f.write(json.dumps({"seconds": round(seconds, 1), "options": list(options),
                                "report": _json_or_text(out)}, indent=1))
        return qefx

    def run_outputs(self, executable: str, input_name: str, x: np.ndarray, workdir: str) -> List[np.ndarray]:
        """`edgeflow run EXECUTABLE --input NAME=x.npy --output-dir DIR`: the outputs, in file-name order."""
        shutil.rmtree(workdir, ignore_errors=True)
        os.makedirs(workdir)
        npy = os.path.join(workdir, "input.npy")
        np.save(npy, x)
        out = os.path.join(workdir, "out")
        self._run(["run", executable, "--input", f"{input_name}={npy}", "--output-dir", out, "--threads", "2"])
        return [np.load(os.path.join(out, f)) for f in sorted(os.listdir(out))]

    def measure(self, variant: Variant, efa: str, x: np.ndarray, threads: int, warmup: int,
                iterations: int, column: str = "edgeflow") -> Measurement:
        args = ["benchmark", efa, "--threads", str(threads), "--iterations", str(iterations),
                "--warmup", str(warmup), "--json"]
        if self.takes_input:
            npy = variant.onnx_path[:-len(".onnx")] + ".input.npy"
            np.save(npy, x)
            args += ["--input", f"{variant.input_name}={npy}"]
        with LoadProbe() as probe:  # includes archive load and warm-up: an upper bound on foreign load
            out = self._run(args).stdout
        report = parse_report(out, f"edgeflow benchmark {os.path.basename(efa)}")
        if report["batch"] != variant.batch or report["threads"] != threads:
            raise SystemExit(f"error: edgeflow benchmark ran batch {report['batch']} / {report['threads']} threads, "
                             f"asked batch {variant.batch} / {threads} threads")
        if abs(report["macsPerSample"] - variant.macs_per_sample) > 0.02 * variant.macs_per_sample:
            print(f"[edgeflow] warning: edgeflow counts {report['macsPerSample']:,} MACs per sample for "
                  f"{variant.spec.key}, the harness {variant.macs_per_sample:,}; the table uses the harness's",
                  flush=True)
        extra = {k: report[k] for k in ("engine", "isa", "macsPerSample", "achievedGflops", "peakGflops",
                                        "peakFraction", "throughputPerSecond")}
        extra["slowestLayers"] = report["slowestLayers"][:10]
        extra["same_input_as_peers"] = self.takes_input
        return Measurement(column, "f32" if column == "edgeflow" else "int8", threads, variant.batch, warmup,
                           iterations,
                           {k: float(report["latencyMs"][k]) for k in LATENCY_KEYS},
                           probe.foreign_cores, probe.steal_cores, extra)


def _json_or_text(text: str):
    try:
        return json.loads(text[text.find("{"):text.rfind("}") + 1])
    except (json.JSONDecodeError, ValueError):
        return text


def parse_report(text: str, what: str) -> dict:
    """The one JSON object `edgeflow benchmark --json` prints, checked against SCHEMA."""
    start = text.find("{")
    try:
        report = json.loads(text[start:text.rfind("}") + 1]) if start >= 0 else None
    except json.JSONDecodeError as e:
        raise SystemExit(f"error: {what} printed invalid JSON ({e})") from None
    if not isinstance(report, dict):
        raise SystemExit(f"error: {what} printed no JSON object:\n{text[:500]}")
    problems: List[Optional[str]] = [
        f"{k} missing" if k not in report else
        (f"{k} is {type(report[k]).__name__}" if not isinstance(report[k], t) else None)
        for k, t in SCHEMA.items()]
    latency = report.get("latencyMs", {})
    problems += [f"latencyMs.{k} missing" for k in LATENCY_KEYS if isinstance(latency, dict) and k not in latency]
    problems = [p for p in problems if p]
    if problems:
        raise SystemExit(f"error: {what}: JSON does not match the schema the harness expects: "
                         + ", ".join(problems))
    return report

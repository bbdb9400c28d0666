"""Tables and result files of a comparison run.

A row is one (model, threads, batch) configuration with one Measurement per
runtime column ("edgeflow", "onnxruntime", "openvino", optionally
"openvino-bf16"). Throughput is samples/s from the median latency for every
runtime; ratio = Edgeflow throughput / peer throughput (> 1: Edgeflow faster).
GFLOP/s = 2 x the harness's MAC count x samples/s for every runtime; Edgeflow's
"% of peak" divides that by the peakGflops its benchmark JSON reports.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from peers import Measurement


INT8_COLUMNS = ("edgeflow-int8", "edgeflow-int8-tuned", "edgeflow-int8-tuned-bf16", "onnxruntime-int8mm",
                "onnxruntime-int8", "openvino-int8")
ACCURACY_COLUMNS = ("onnxruntime", "edgeflow", "openvino") + INT8_COLUMNS
ACCURACY_TITLES = {"onnxruntime": "ORT fp32 (reference)", "edgeflow": "Edgeflow fp32", "openvino": "OV fp32",
                   "edgeflow-int8": "Edgeflow int8", "edgeflow-int8-tuned": "Edgeflow int8, tuned (model options)",
                   "edgeflow-int8-tuned-bf16": "Edgeflow int8, tuned, bf16 promotions",
                   "onnxruntime-int8mm": "ORT int8 MatMul/Gemm/Conv",
                   "onnxruntime-int8": "ORT int8 all ops", "openvino-int8": "OV int8 (NNCF)"}


@dataclass
class Row:
    model: str
    title: str
    threads: int
    batch: int
    macs_per_sample: int
    results: Dict[str, Measurement]
    errors: Dict[str, str] = field(default_factory=dict)  # runtime column -> why it has no result

    def gflops(self, column: str) -> Optional[float]:
        m = self.results.get(column)
        return m.throughput * 2.0 * self.macs_per_sample / 1e9 if m else None

    def ratio(self, peer: str, own: str = "edgeflow") -> Optional[float]:
        e, p = self.results.get(own), self.results.get(peer)
        return e.throughput / p.throughput if e and p else None

    def int8_row(self) -> bool:
        return any(c in self.results or c in self.errors for c in INT8_COLUMNS)

    def foreign_cores(self) -> float:
        return max((m.foreign_cores for m in self.results.values()), default=0.0)


def _f(value: Optional[float], fmt: str = "{:.1f}") -> str:
    return "–" if value is None else fmt.format(value)


def _tput(row: Row, column: str) -> str:
    m = row.results.get(column)
    return "failed" if column in row.errors else _f(m.throughput if m else None)


def summary_table(rows: List[Row]) -> str:
    bf16 = any("openvino-bf16" in r.results for r in rows)
    head = ["model", "thr", "batch", "edgeflow img/s", "ORT img/s", "OV img/s", "ratio vs ORT", "ratio vs OV",
            "edgeflow GFLOP/s (% of peak)", "ORT GFLOP/s", "OV GFLOP/s", "other load (cores)"]
    if bf16:
        head.insert(6, "OV bf16-hint img/s (context)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        e = r.results.get("edgeflow")
        eg = "–" if not e else f"{r.gflops('edgeflow'):.0f} ({100 * r.gflops('edgeflow') / e.extra['peakGflops']:.0f} %)"
        cells = [r.title, str(r.threads), str(r.batch), _tput(r, "edgeflow"), _tput(r, "onnxruntime"),
                 _tput(r, "openvino"), _f(r.ratio("onnxruntime"), "{:.2f}×"), _f(r.ratio("openvino"), "{:.2f}×"),
                 eg, _f(r.gflops("onnxruntime"), "{:.0f}"), _f(r.gflops("openvino"), "{:.0f}"),
                 f"{r.foreign_cores():.2f}"]
        if bf16:
            cells.insert(6, _tput(r, "openvino-bf16"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def int8_table(rows: List[Row]) -> str:
    """Samples/s of the int8 columns beside Edgeflow fp32, and Edgeflow int8 ÷ each peer's int8."""
    head = ["model", "thr", "batch", "EF fp32", "EF int8", "ORT int8 MatMul/Conv", "ORT int8 all ops", "OV int8",
            "EF int8 ÷ OV int8", "EF int8 ÷ ORT int8 MatMul/Conv", "EF int8 ÷ ORT int8 all", "EF int8 ÷ EF fp32",
            "ORT int8 MatMul/Conv ÷ ORT fp32", "OV int8 ÷ OV fp32", "other load (cores)"]
    tuned = [c for c in ("edgeflow-int8-tuned", "edgeflow-int8-tuned-bf16") if any(c in r.results for r in rows)]
    head[5:5] = [ACCURACY_TITLES[c].replace("Edgeflow", "EF") for c in tuned]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if not r.int8_row():
            continue
        x = "{:.2f}×"
        cells = [r.title, str(r.threads), str(r.batch), _tput(r, "edgeflow"), _tput(r, "edgeflow-int8"),
                 _tput(r, "onnxruntime-int8mm"), _tput(r, "onnxruntime-int8"), _tput(r, "openvino-int8"),
                 _f(r.ratio("openvino-int8", "edgeflow-int8"), x), _f(r.ratio("onnxruntime-int8mm", "edgeflow-int8"), x),
                 _f(r.ratio("onnxruntime-int8", "edgeflow-int8"), x), _f(r.ratio("edgeflow", "edgeflow-int8"), x),
                 _f(r.ratio("onnxruntime", "onnxruntime-int8mm"), x), _f(r.ratio("openvino", "openvino-int8"), x),
                 f"{r.foreign_cores():.2f}"]
        cells[5:5] = [_tput(r, c) for c in tuned]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) if len(lines) > 2 else ""


def accuracy_table(accuracy: Dict[str, dict]) -> str:
    """accuracy[model key] = {"title", "samples", "columns": {column: fields or {"error"}}}."""
    import accuracy as acc_mod
    head = ["model", "held-out samples", "runtime", "cosine mean", "cosine min", "task check"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, model in accuracy.items():
        for column in ACCURACY_COLUMNS:
            a = model["columns"].get(column)
            if a is None:
                continue
            if "error" in a:
                cells = ["failed: " + a["error"][:120].replace("|", "/"), "", ""]
            else:
                task = acc_mod.task_cell(key, a)
                if key == "ppocr-rec":
                    task += f" (vs {a['versus']})"
                cells = [f"{a['cos_mean']:.5f}", f"{a['cos_min']:.5f}", task]
            lines.append("| " + " | ".join([model["title"], str(model["samples"]), ACCURACY_TITLES[column]] + cells)
                         + " |")
    return "\n".join(lines)


def scaling_table(rows: List[Row]) -> str:
    """Throughput with the most threads ÷ with the fewest, per model, batch and runtime
    (issue 3: 2 threads must beat 1 at batch 8 on every model). Empty with one thread count."""
    threads = sorted({r.threads for r in rows})
    if len(threads) < 2:
        return ""
    lo, hi = threads[0], threads[-1]
    columns = [c for c in ("edgeflow", "onnxruntime", "openvino") + INT8_COLUMNS if any(c in r.results for r in rows)]
    lines = ["| model | batch | " + " | ".join(f"{c} {hi}T ÷ {lo}T" for c in columns) + " |",
             "|" + "---|" * (2 + len(columns))]
    by_key = {(r.model, r.batch, r.threads): r for r in rows}
    for r in rows:
        if r.threads != lo or (r.model, r.batch, hi) not in by_key:
            continue
        other = by_key[(r.model, r.batch, hi)]
        cells = [_f(other.results[c].throughput / r.results[c].throughput if c in r.results and c in other.results
                    else None, "{:.2f}×") for c in columns]
        lines.append(f"| {r.title} | {r.batch} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def detail_table(rows: List[Row]) -> str:
    head = ["model", "runtime", "precision", "thr", "batch", "p50 ms", "p90 ms", "mean ms", "min ms",
            "img/s (batch/p50)", "GFLOP/s", "warm-up", "iterations", "other load", "steal"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        for column, m in r.results.items():
            lat = m.latency_ms
            lines.append("| " + " | ".join([
                r.title, column, m.precision, str(m.threads), str(m.batch), f"{lat['p50']:.1f}", f"{lat['p90']:.1f}",
                f"{lat['mean']:.1f}", f"{lat['min']:.1f}", f"{m.throughput:.1f}", f"{r.gflops(column):.0f}",
                str(m.warmup), str(m.iterations), f"{m.foreign_cores:.2f}", f"{m.steal_cores:.2f}"]) + " |")
    return "\n".join(lines)


def machine_block(meta: dict) -> str:
    flags = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in meta["flags"].items())
    v = meta["versions"]
    return "\n".join([
        f"- CPU: {meta['cpu']} ({meta['vendor']}), {meta['cpus']} CPUs, hypervisor {meta['hypervisor']}, "
        f"L2 {meta['l2']}, L3 {meta['l3']}, kernel {meta['kernel']}",
        f"- flags: {flags}",
        f"- edgeflow: {meta.get('edgeflow') or 'not run'}; repository commit {meta['git_commit']}",
        f"- onnxruntime {v['onnxruntime']}, openvino {v['openvino']}, nncf {v.get('nncf')}, onnx {v['onnx']}, numpy {v['numpy']}, "
        f"python {v['python']}",
        f"- date {meta['date']}; load average at start {', '.join(f'{x:.2f}' for x in meta['loadavg_at_start'])}",
        f"- settings: {meta['settings']}",
    ])


def markdown(meta: dict, rows: List[Row], accuracy: Optional[Dict[str, dict]] = None) -> str:
    int8 = int8_table(rows)
    return "\n\n".join([
        f"# Edgeflow vs onnxruntime / OpenVINO ({meta['date']})", machine_block(meta),
        "## Throughput (samples/s from the median latency; ratio = Edgeflow ÷ peer)", summary_table(rows)]
        + (["## int8 (samples/s from the median latency; ratio = Edgeflow int8 ÷ the other column)", int8]
           if int8 else [])
        + (["## int8 accuracy (held-out samples, batch 1, against onnxruntime fp32)", accuracy_table(accuracy)]
           if accuracy else []) + [
        "## Thread scaling", scaling_table(rows) or "(one thread count only)",
        "## Every measurement", detail_table(rows),
        "## Failures", "\n".join(f"- {r.title}, {r.threads} threads, batch {r.batch}, {c}: {e}"
                                  for r in rows for c, e in r.errors.items()) or "none",
        "Other load: cores kept busy by other processes during the timed loop (from /proc/stat); "
        "steal: the hypervisor's steal time. Rows with other load above ~0.1 are noisy.",
    ]) + "\n"


def write(outdir: str, name: str, meta: dict, rows: List[Row], accuracy: Optional[Dict[str, dict]] = None) -> str:
    """Writes NAME.json (everything) and NAME.md (the tables); returns the Markdown path."""
    os.makedirs(outdir, exist_ok=True)
    data = {"machine": meta, "rows": [{**{k: v for k, v in dataclasses.asdict(r).items() if k != "results"},
                                       "results": {c: {**dataclasses.asdict(m), "throughput": m.throughput}
                                                   for c, m in r.results.items()}} for r in rows],
            "accuracy": accuracy or {}}
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        json.dump(data, f, indent=1)
    path = os.path.join(outdir, name + ".md")
    with open(path, "w") as f:
        f.write(markdown(meta, rows, accuracy))
    return path

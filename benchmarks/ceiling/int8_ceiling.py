#!/usr/bin/env python3
"""How fast could any int8 runtime be on this CPU? The arithmetic ceiling beside OpenVINO int8, in one run.

  benchmarks/compare/setup.sh && swift build -c release --product edgeflow    # once
  benchmarks/.venv/bin/python benchmarks/ceiling/int8_ceiling.py [--models resnet50,tinyclip-image,...] \
      [--threads 1,2] [--batch 1] [--iterations 20] [--name NAME]

For each thread count it measures the core's peak rates with int8_peak.c (one copy per thread,
run at once): u8·s8 multiply-adds per second of vpdpbusd, its 16-bit form, and the bf16 (or
fp32) dot-product rate. For each model it splits the multiply-adds (models.count_macs's rules)
into products with a constant weight (int8 in every runtime), activation × activation products
(float in every runtime) and, among the former, the 3×3 stride-1 convs a Winograd transform
could do with fewer products. The least time any runtime can take is then

    t_min = weight MACs / int8 peak + activation MACs / float peak            ("direct")

with everything else (softmax, LayerNorm, GELU, quantization, memory traffic) free and every
product at the peak rate: optimistic for the runtime. A second count ("best") also runs the
activation products in int8 and the 3×3 convs by Winograd (add_bound says how). OpenVINO int8
(the NNCF model of benchmarks/compare, the same 32 calibration samples) and Edgeflow int8 (the
compare cache's .q.efx, when present) are timed in the same run, --rounds times in alternating
order, each keeping its fastest median. "max ÷ OV" = t_OV / t_min is the largest speed ratio
over OpenVINO int8 that any implementation could reach; where it is below 1.5, the issue's
"≥ 1.5× OpenVINO int8" cannot be met on this CPU.

Results: benchmarks/ceiling/results/NAME.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "benchmarks", "compare"))

import machine  # noqa: E402
import models  # noqa: E402
import peers  # noqa: E402
import quantize  # noqa: E402
import samples  # noqa: E402
from edgeflow_side import Edgeflow  # noqa: E402
from mac_split import split_macs  # noqa: E402


def peak_rates(binary: str, copies: int, seconds: float) -> dict:
    """The summed rates of `copies` simultaneous int8_peak processes (one per thread)."""
    procs = [subprocess.Popen([binary, str(seconds)], stdout=subprocess.PIPE, text=True) for _ in range(copies)]
    results = [json.loads(p.communicate()[0]) for p in procs]
    total = {k: sum(r.get(k, 0.0) for r in results) for k in results[0] if k != "clock_ghz"}
    total["clock_ghz"] = min(r["clock_ghz"] for r in results)
    return total


def build_peak(cache: str) -> str:
    binary = os.path.join(cache, "int8_peak")
    source = os.path.join(HERE, "int8_peak.c")
    if not os.path.exists(binary) or os.path.getmtime(binary) < os.path.getmtime(source):
        os.makedirs(cache, exist_ok=True)
        subprocess.run(["cc", "-O2", source, "-o", binary], check=True)
    return binary


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="resnet50,tinyclip-image,clip-text,ppocr-det")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batch", default="1")
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds; the fastest median of each is kept")
    ap.add_argument("--peak-seconds", type=float, default=0.3)
    ap.add_argument("--edgeflow", default=os.path.join(REPO, ".build", "release", "edgeflow"))
    ap.add_argument("--testdata", default=os.path.join(REPO, ".testdata"))
    ap.add_argument("--cache", default=os.path.join(REPO, "benchmarks", "compare", "cache"))
    ap.add_argument("--name", default=time.strftime("%Y-%m-%d-%H%M-ceiling"))
    a = ap.parse_args()
    a.models = [m for m in a.models.split(",") if m]
    unknown = [m for m in a.models if m not in models.MODELS]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(models.MODELS)}")
    a.threads = [int(t) for t in a.threads.split(",")]
    a.batch = [int(b) for b in a.batch.split(",")]
    return a


def measure_row(a, edgeflow, variant, threads) -> dict:
    """OpenVINO int8 (and Edgeflow int8 when its executable is cached) timed on the variant, --rounds
    times in alternating order: every round's median latency is kept."""
    calib = samples.calibration(variant.spec, variant.batch, a.testdata, a.cache)
    ov_model = quantize.openvino_int8(variant, calib)
    x = models.make_inputs(variant.spec, variant.batch)
    qefx = variant.onnx_path[:-len(".onnx")] + ".q.efx"
    row = {"model": variant.spec.key, "title": variant.spec.title, "threads": threads, "batch": variant.batch,
           "macs": split_macs(variant.onnx_path), "openvino_int8": {"p50_ms": [], "foreign_cores": []}}
    columns = {"openvino_int8": lambda: peers.measure_openvino(ov_model, x, threads, a.warmup, a.iterations,
                                                                column="openvino-int8")}
    if edgeflow and os.path.exists(qefx):
        row["edgeflow_int8"] = {"p50_ms": [], "foreign_cores": []}
        columns["edgeflow_int8"] = lambda: edgeflow.measure(variant, qefx, x, threads, a.warmup, a.iterations,
                                                            column="edgeflow-int8")
    for round_index in range(a.rounds):
        order = list(columns) if round_index % 2 == 0 else list(reversed(columns))
        for column in order:
            m = columns[column]()
            row[column]["p50_ms"].append(m.latency_ms["p50"])
            row[column]["foreign_cores"].append(round(m.foreign_cores, 3))
    return row


def int8_rate(peak: dict) -> float:
    """u8·s8 GMAC/s: the 512-bit VNNI rate, else AVX-VNNI's 256-bit one."""
    return peak.get("vnni512_gmacs") or peak.get("vnni256_gmacs", 0.0)


def add_bound(row: dict, peak: dict) -> None:
    """The least time of the row's products at the peak rates, and what that allows against OpenVINO.
    "direct": weight products at the u8·s8 rate, activation products at the bf16 (else fp32) rate, as
    Edgeflow's design and OpenVINO's run them. "best": also the activation products at the u8·s8 rate
    and the 3×3 stride-1 convs by Winograd F(4×4, 3×3) (36 products per 16 outputs instead of 144) at
    the 16-bit rate its transformed operands need: the most optimistic count of any implementation."""
    split = row["macs"]
    int8 = int8_rate(peak)
    int16 = peak.get("vnni16x512_gmacs") or int8 / 2
    floats = peak.get("bf16dot512_gmacs") or peak["fma512_gflops"] / 2
    direct_ms = (split["weight"] / int8 + split["activation"] / floats) / 1e6
    plain = split["weight"] - split["winograd3x3"] + split["activation"]
    best_ms = (plain / int8 + split["winograd3x3"] / 4 / int16) / 1e6
    ov_ms = min(row["openvino_int8"]["p50_ms"])
    row["bound"] = {"int8_gmacs": int8, "int16_gmacs": int16, "float_gmacs": floats,
                    "t_min_direct_ms": direct_ms, "t_min_best_ms": best_ms, "ov_share_of_ceiling": direct_ms / ov_ms,
                    "max_ratio_over_ov_direct": ov_ms / direct_ms, "max_ratio_over_ov_best": ov_ms / best_ms}


def markdown(result: dict) -> str:
    def peaks(p: dict) -> str:
        return (f"u8·s8 {int8_rate(p):.0f}, s16 {p.get('vnni16x512_gmacs', 0):.0f}, "
                f"bf16 {p.get('bf16dot512_gmacs', 0):.0f}, fp32 {p['fma512_gflops'] / 2:.0f} GMAC/s, "
                f"clock ≥ {p['clock_ghz']:.2f} GHz")
    lines = [f"# int8 ceiling against OpenVINO int8: {result['name']}", "",
             f"CPU: {result['machine'].get('cpu')}. Peak rates measured by int8_peak.c: "
             + "; ".join(f"{t} thread(s): {peaks(p)}" for t, p in result["peaks"].items()) + ".", "",
             "Samples/s from the fastest round's median. OV share = t_min(direct) ÷ OpenVINO's time. "
             "max ÷ OV = OpenVINO's time ÷ t_min: the largest speed-up over OpenVINO int8 any implementation "
             "could reach with every non-product step free (direct: weight products u8·s8, attention bf16; "
             "best: every product u8·s8 and the 3×3 stride-1 convs by Winograd F(4×4) at the s16 rate).", "",
             "| model | thr | batch | GMAC (weight / act×act / 3×3 s1) | OV int8 /s | OV share "
             "| **max ÷ OV (direct)** | max ÷ OV (best) | EF int8 /s | EF ÷ OV |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        m, bd, b = r["macs"], r["bound"], r["batch"]
        ov_ms = min(r["openvino_int8"]["p50_ms"])
        ef = r.get("edgeflow_int8")
        ef_cells = f"{b * 1000 / min(ef['p50_ms']):.1f} | {ov_ms / min(ef['p50_ms']):.2f}×" if ef else "– | –"
        lines.append(f"| {r['title']} | {r['threads']} | {b} | {m['weight'] / 1e9:.2f} / {m['activation'] / 1e9:.2f} "
                     f"/ {m['winograd3x3'] / 1e9:.2f} | {b * 1000 / ov_ms:.1f} | {bd['ov_share_of_ceiling']:.0%} "
                     f"| **{bd['max_ratio_over_ov_direct']:.2f}×** | {bd['max_ratio_over_ov_best']:.2f}× "
                     f"| {ef_cells} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    a = parse_args()
    peak_binary = build_peak(a.cache)
    if "vnni" not in subprocess.run([peak_binary, "0.01"], capture_output=True, text=True).stdout:
        raise SystemExit("error: this CPU has no VNNI dot-product instruction; the ceiling model here assumes one")
    edgeflow = Edgeflow(a.edgeflow, a.cache) if os.path.exists(a.edgeflow) else None
    result = {"name": a.name, "machine": machine.describe(REPO), "peaks": {}, "rows": []}
    for threads in a.threads:
        result["peaks"][threads] = peak_rates(peak_binary, threads, a.peak_seconds)
        print(f"[ceiling] {threads} thread(s): {json.dumps(result['peaks'][threads])}", flush=True)
    for key in a.models:
        for batch in a.batch:
            variant = models.prepare(models.MODELS[key], batch, a.testdata, a.cache)
            for threads in a.threads:
                row = measure_row(a, edgeflow, variant, threads)
                print(f"[ceiling] {key} b{batch} t{threads}: OV int8 {row['openvino_int8']['p50_ms']} ms, "
                      f"EF int8 {row.get('edgeflow_int8', {}).get('p50_ms')} ms", flush=True)
                result["rows"].append(row)
    for threads in a.threads:  # again at the end: keep the higher rate (the more optimistic ceiling)
        again = peak_rates(peak_binary, threads, a.peak_seconds)
        result["peaks"][threads] = {k: max(v, again.get(k, v)) for k, v in result["peaks"][threads].items()}
    for row in result["rows"]:
        add_bound(row, result["peaks"][row["threads"]])
    out = os.path.join(HERE, "results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, a.name + ".json"), "w") as f:
        json.dump(result, f, indent=1)
    text = markdown(result)
    with open(os.path.join(out, a.name + ".md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()

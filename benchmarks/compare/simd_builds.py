#!/usr/bin/env python3
"""Time compiled executables under each build of Edgeflow's streaming SIMD kernels.

The activations, int8 epilogues, quantize, softmax and LayerNorm exist in a baseline x86-64,
an AVX2 and an AVX-512 build (docs/numerics.md); the runtime takes the widest the CPU runs and
EDGEFLOW_SIMD caps it. This runs `edgeflow benchmark EFX --threads T --json` under every build
this CPU runs, in alternating order for --rounds rounds, keeps each build's fastest median
latency and prints the speed-up over the baseline build, one executable per row. All builds
give the same bytes, so only the time differs.

Usage: simd_builds.py [--edgeflow PATH] [--threads 1] [--rounds 3] [--iterations 10] EFX...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NEEDS = {"avx2": {"avx2", "fma", "bmi2"}, "avx512": {"avx2", "fma", "bmi2", "avx512f", "avx512bw", "avx512dq",
                                                      "avx512vl", "avx512cd"}}


def cpu_flags() -> set:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def median_ms(edgeflow: str, efx: str, build: str, args) -> float:
    env = dict(os.environ, EDGEFLOW_SIMD=build)
    out = subprocess.run([edgeflow, "benchmark", efx, "--threads", str(args.threads), "--iterations",
                          str(args.iterations), "--warmup", str(args.warmup), "--json"],
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["latencyMs"]["p50"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("efx", nargs="+", help="compiled executables (.efx)")
    ap.add_argument("--edgeflow", default=os.path.join(REPO, ".build", "release", "edgeflow"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()
    flags = cpu_flags()
    builds = ["baseline"] + [b for b in ("avx2", "avx512") if NEEDS[b] <= flags]
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 "?")
    print(f"CPU: {model}; builds: {', '.join(builds)}; threads {args.threads}; best of {args.rounds} rounds "
          f"(alternating order) of the median of {args.iterations}; load average {os.getloadavg()[0]:.2f}")
    print("| executable | " + " | ".join(f"{b} ms" for b in builds) + " | "
          + " | ".join(f"{b} ÷ baseline speed" for b in builds[1:]) + " |")
    print("|---" * (1 + 2 * len(builds) - 1) + "|")
    for efx in args.efx:
        best = {b: float("inf") for b in builds}
        for round_index in range(args.rounds):
            order = builds if round_index % 2 == 0 else builds[::-1]
            for build in order:
                best[build] = min(best[build], median_ms(args.edgeflow, efx, build, args))
        ratios = [best["baseline"] / best[b] for b in builds[1:]]
        print(f"| {os.path.basename(efx)} | " + " | ".join(f"{best[b]:.2f}" for b in builds) + " | "
              + " | ".join(f"{r:.2f}×" for r in ratios) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

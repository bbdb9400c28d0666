#!/usr/bin/env python3
"""Where an Edgeflow int8 executable spends its time: `edgeflow profile --json` grouped by step kind.

  benchmarks/.venv/bin/python benchmarks/compare/int8_breakdown.py [--threads 1] [--runs 10] \
      benchmarks/compare/cache/tinyclip-image-b1.q.efx [...]

For each executable it runs `edgeflow profile EFX -o /dev/null-like.html --json --runs R
--threads T` and prints the share of the summed step medians per (op, kernel, precision),
largest first, plus the share of the quantize/dequantize boundary steps and of the int8
products. The compare.py cache holds the executables after a `compare.py --int8` run
(MODEL-bB.q.efx; the fp32 archives are MODEL-bB.efa). Writes nothing into the repository.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def profile(binary: str, efx: str, threads: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([binary, "profile", efx, "-o", os.path.join(tmp, "r.html"), "--json", "--runs", str(runs),
                            "--warmup", "2", "--threads", str(threads)], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"error: edgeflow profile {efx} failed (exit {p.returncode}): {p.stderr.strip()[:400]}")
    return json.loads(p.stdout[p.stdout.find("{"):p.stdout.rfind("}") + 1])


def kind(step: dict) -> str:
    op = step["op"].lower()
    if "quantizelinear" in op and "de" not in op:
        return "boundary: quantize (f32 -> u8)"
    if "dequantize" in op:
        return "boundary: dequantize (u8 -> f32)"
    if step["precision"].lower() in ("int8", "u8", "s8", "uint8") or op.startswith("quantized"):
        return "int8 products"
    if step["macs"] > 0:
        return "float products"
    return "other float steps"


def breakdown(report: dict, top: int) -> str:
    total = sum(s["medianNanoseconds"] for s in report["steps"]) or 1
    groups = collections.Counter()
    counts = collections.Counter()
    kinds = collections.Counter()
    for s in report["steps"]:
        key = (s["op"], s["kernel"], s["precision"])
        groups[key] += s["medianNanoseconds"]
        counts[key] += 1
        kinds[kind(s)] += s["medianNanoseconds"]
    lines = [f"{report['model']}: {report['threads']} thread(s), whole run median "
             f"{report['totalMedianNanoseconds'] / 1e6:.1f} ms, steps sum {total / 1e6:.1f} ms",
             "  by kind: " + ", ".join(f"{k} {100 * v / total:.0f} %" for k, v in kinds.most_common()),
             "  | op | kernel | precision | steps | ms | share |", "  |---|---|---|---|---|---|"]
    for (op, kernel, precision), ns in groups.most_common(top):
        lines.append(f"  | {op} | {kernel} | {precision} | {counts[(op, kernel, precision)]} | {ns / 1e6:.2f} | "
                     f"{100 * ns / total:.1f} % |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("executables", nargs="+")
    ap.add_argument("--edgeflow", default=os.path.join(REPO, ".build", "release", "edgeflow"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--top", type=int, default=12, help="groups listed per executable (default 12)")
    a = ap.parse_args(argv)
    for efx in a.executables:
        print(breakdown(profile(a.edgeflow, efx, a.threads, a.runs), a.top), flush=True)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

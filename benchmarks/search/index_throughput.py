#!/usr/bin/env python3
"""Indexing throughput against the model's own: is the photo pipeline the bottleneck?

Runs, in one script and alternating rounds, `edgeflow benchmark MODEL/visual/model.efx` and
`edgeflow photos index PHOTOS` into a fresh library with the same model and thread count, and
prints photos/s of the indexing phase (reading, hashing, reduced decoding, thumbnails and CLIP
preprocessing on --preparers threads beside the model) divided by the benchmark's samples/s.
The issue's target is a ratio of at least 0.90.

  python3 benchmarks/search/index_throughput.py --model .testdata/immich-models/ViT-B-32__openai \
      --photos .testdata/photos/library-200 --threads 2 --rounds 3

Needs a release build (`swift build -c release --product edgeflow`); the model folder is copied
to a scratch folder first, so its towers are compiled there and not beside the original.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def run_json(command):
    """The command's JSON output: one document, or JSON lines (a list either way)."""
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    try:
        return [json.loads(out)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="CLIP folder in Immich's layout")
    parser.add_argument("--photos", required=True, help="photo folder to index")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--preparers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--edgeflow", default=".build/release/edgeflow")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="index-throughput-")
    try:
        model = os.path.join(scratch, os.path.basename(args.model.rstrip("/")))
        shutil.copytree(args.model, model)
        # The first index run compiles both towers; it also warms the page cache for the photos.
        run_json([args.edgeflow, "photos", "index", args.photos, "--library", os.path.join(scratch, "warm.sqlite"),
                  "--model", model, "--threads", str(args.threads), "--json"])
        bench_rates, index_rates = [], []
        for round_index in range(args.rounds):
            bench = run_json([args.edgeflow, "benchmark", os.path.join(model, "visual/model.efx"), "--threads",
                              str(args.threads), "--iterations", "20", "--warmup", "3", "--json"])[-1]
            bench_rates.append(bench["throughputPerSecond"])
            library = os.path.join(scratch, f"round{round_index}.sqlite")
            done = run_json([args.edgeflow, "photos", "index", args.photos, "--library", library, "--model", model,
                             "--threads", str(args.threads), "--preparers", str(args.preparers), "--json"])[-1]
            index_rates.append(done["embedded"] / done["embeddingSeconds"])
            print(f"round {round_index + 1}: benchmark {bench_rates[-1]:.2f} samples/s, "
                  f"index {index_rates[-1]:.2f} photos/s ({done['embedded']} photos)")
        bench, index = statistics.median(bench_rates), statistics.median(index_rates)
        print(f"\n{cpu_name()}, {os.cpu_count()} cores, {args.threads} threads, {args.preparers} preparer(s)")
        print(f"median benchmark {bench:.2f} samples/s, median indexing {index:.2f} photos/s, "
              f"ratio {index / bench:.2f} (target >= 0.90)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

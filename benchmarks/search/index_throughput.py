#!/usr/bin/env python3
"""Indexing throughput against the model's own: is the photo pipeline the bottleneck?

Runs, in one script and alternating rounds, `edgeflow benchmark MODEL/visual/model.efx` and
`edgeflow photos index PHOTOS` into a fresh library with the same model and thread count, and
prints photos/s of the indexing phase (reading, hashing, reduced decoding, thumbnails and CLIP
preprocessing on the preparer threads, beside the model or in turns with it as each --schedule
says) divided by the benchmark's samples/s. The issue's target is a ratio of at least 0.90.

  python3 benchmarks/search/index_throughput.py --model .testdata/immich-models/ViT-B-32__openai \
      --photos .testdata/photos/library-200 --threads 2 --rounds 3 --schedules overlapped,alternating

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
    parser.add_argument("--preparers", type=int, help="default: edgeflow's (by the schedule)")
    parser.add_argument("--schedules", default="auto",
                        help="comma-separated --schedule values, each run in every round "
                             "(auto, overlapped, alternating)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", help="a smaller folder for the first (compiling) run; the photos are then only read")
    parser.add_argument("--edgeflow", default=".build/release/edgeflow")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="index-throughput-")
    try:
        model = os.path.join(scratch, os.path.basename(args.model.rstrip("/")))
        shutil.copytree(args.model, model)
        # The first index run compiles both towers; it also warms the page cache for the photos.
        run_json([args.edgeflow, "photos", "index", args.warm or args.photos, "--library",
                  os.path.join(scratch, "warm.sqlite"), "--model", model, "--threads", str(args.threads), "--json"])
        if args.warm:  # read the photos once, so every round finds them in the page cache
            for root, _, files in os.walk(args.photos):
                for name in files:
                    with open(os.path.join(root, name), "rb") as f:
                        while f.read(1 << 20):
                            pass
        schedules = args.schedules.split(",")
        bench_rates, index_rates = [], {schedule: [] for schedule in schedules}
        for round_index in range(args.rounds):
            bench = run_json([args.edgeflow, "benchmark", os.path.join(model, "visual/model.efx"), "--threads",
                              str(args.threads), "--iterations", "20", "--warmup", "3", "--json"])[-1]
            bench_rates.append(bench["throughputPerSecond"])
            line = f"round {round_index + 1}: benchmark {bench_rates[-1]:.2f} samples/s"
            for schedule in schedules:
                library = os.path.join(scratch, f"round{round_index}-{schedule}.sqlite")
                command = [args.edgeflow, "photos", "index", args.photos, "--library", library, "--model", model,
                           "--threads", str(args.threads), "--schedule", schedule, "--json"]
                if args.preparers:
                    command += ["--preparers", str(args.preparers)]
                done = run_json(command)[-1]
                index_rates[schedule].append(done["embedded"] / done["embeddingSeconds"])
                line += f", index ({schedule}) {index_rates[schedule][-1]:.2f} photos/s ({done['embedded']} photos)"
            print(line, flush=True)
        bench = statistics.median(bench_rates)
        preparers = args.preparers or "default"
        print(f"\n{cpu_name()}, {os.cpu_count()} cores, {args.threads} threads, preparers: {preparers}")
        print(f"median benchmark {bench:.2f} samples/s")
        for schedule in schedules:
            index = statistics.median(index_rates[schedule])
            print(f"  --schedule {schedule}: median indexing {index:.2f} photos/s, ratio {index / bench:.2f} "
                  f"(target >= 0.90)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Indexing throughput against the model's own: is the photo pipeline the bottleneck?

Runs, in one script and alternating rounds, `edgeflow benchmark MODEL/visual/model.efx` and
`edgeflow photos index PHOTOS` into a fresh library with the same model and thread count, and
prints photos/s of the indexing phase (reading, hashing, reduced decoding, thumbnails and CLIP
preprocessing on the preparer threads, beside the model or in turns with it as each --schedule
says) divided by the benchmark's samples/s. The issue's target is a ratio of at least 0.90.
Both use the same batch: `--batch B` goes to `photos index`, and the fp32 benchmark times the
tower compiled for that batch (visual/model-bB.efx; the int8 tower runs one photo at a time).

With --int8-calib PHOTOS a second copy of the folder gets an int8 image tower
(`edgeflow models quantize --tower visual --calib-set PHOTOS`) and every round measures it too
(its benchmark runs visual/model.int8.efx). --visual ONNX puts another image tower in the
copies (e.g. the generated TinyCLIP ViT-39M/16 tower, whose [1, 3, 224, 224] -> [1, 512] shapes
fit the ViT-B/32 folder); photo indexing uses only the image tower.

  python3 benchmarks/search/index_throughput.py --model .testdata/immich-models/ViT-B-32__openai \
      --photos .testdata/photos/library-200 --threads 2 --rounds 3 --schedules overlapped,alternating
  python3 benchmarks/search/index_throughput.py --model .testdata/immich-models/ViT-B-32__openai \
      --visual .testdata/models/generated/tinyclip-vit-39m16-vision.onnx \
      --photos .testdata/photos/library-200 --int8-calib .testdata/calibration/photos

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
    parser.add_argument("--batch", type=int, default=2, help="photos per run of the image tower (photos index --batch)")
    parser.add_argument("--warm", help="a smaller folder for the first (compiling) run; the photos are then only read")
    parser.add_argument("--visual", help="an image tower ONNX to use instead of the folder's")
    parser.add_argument("--int8-calib", help="photos to calibrate an int8 image tower on; measured beside fp32")
    parser.add_argument("--skip-fp32", action="store_true", help="measure only the int8 tower (with --int8-calib)")
    parser.add_argument("--bench-iterations", type=int, default=100,
                        help="timed runs of each benchmark (few runs on a noisy machine swing the ratio)")
    parser.add_argument("--edgeflow", default=".build/release/edgeflow")
    args = parser.parse_args()
    if args.skip_fp32 and not args.int8_calib:
        parser.error("--skip-fp32 leaves nothing to measure without --int8-calib")

    scratch = tempfile.mkdtemp(prefix="index-throughput-")
    try:
        fp32 = f"visual/model-b{args.batch}.efx" if args.batch > 1 else "visual/model.efx"
        variants = [] if args.skip_fp32 else [("fp32", prepare_model(args, scratch, "fp32"), fp32)]
        if args.int8_calib:
            model = prepare_model(args, scratch, "int8")
            report = run_json([args.edgeflow, "models", "quantize", model, "--tower", "visual", "--calib-set",
                               args.int8_calib, "--json"])[-1]
            print(f"int8 image tower: {report['int8Layers']} layers int8, held-out cosine with fp32 min "
                  f"{report['cosineMin']:.5f}, mean {report['cosineMean']:.5f} ({report['heldOutSamples']} photos)")
            variants.append(("int8", model, "visual/model.int8.efx"))
        warm(args, scratch, variants)
        for name, model, executable in variants:
            if not os.path.exists(os.path.join(model, executable)):
                raise SystemExit(f"{name}: photos index made no {executable} (the tower does not run in batches "
                                 f"of {args.batch}?)")
        schedules = args.schedules.split(",")
        bench_rates = {name: [] for name, _, _ in variants}
        index_rates = {(name, schedule): [] for name, _, _ in variants for schedule in schedules}
        for round_index in range(args.rounds):
            parts = []
            for name, model, executable in variants:
                bench = run_json([args.edgeflow, "benchmark", os.path.join(model, executable), "--threads",
                                  str(args.threads), "--iterations", str(args.bench_iterations), "--warmup", "3",
                                  "--json"])[-1]
                bench_rates[name].append(bench["throughputPerSecond"])
                part = f"{name} benchmark {bench_rates[name][-1]:.2f} samples/s"
                for schedule in schedules:
                    library = os.path.join(scratch, f"round{round_index}-{name}-{schedule}.sqlite")
                    command = [args.edgeflow, "photos", "index", args.photos, "--library", library, "--model",
                               model, "--threads", str(args.threads), "--schedule", schedule, "--batch",
                               str(args.batch), "--json"]
                    if args.preparers:
                        command += ["--preparers", str(args.preparers)]
                    done = run_json(command)[-1]
                    rate = done["embedded"] / done["embeddingSeconds"]
                    index_rates[(name, schedule)].append(rate)
                    part += f", index ({schedule}) {rate:.2f} photos/s ({done['embedded']} photos)"
                parts.append(part)
            print(f"round {round_index + 1}: " + "; ".join(parts), flush=True)
        preparers = args.preparers or "default"
        tower = os.path.basename(args.visual) if args.visual else "the folder's image tower"
        print(f"\n{cpu_name()}, {os.cpu_count()} cores, {args.threads} threads, batch {args.batch}, "
              f"preparers: {preparers}, {tower}")
        for name, _, _ in variants:
            bench = statistics.median(bench_rates[name])
            print(f"{name}: median benchmark {bench:.2f} samples/s")
            for schedule in schedules:
                index = statistics.median(index_rates[(name, schedule)])
                added = 1000 * (1 / index - 1 / bench)
                print(f"  --schedule {schedule}: median indexing {index:.2f} photos/s, ratio {index / bench:.2f} "
                      f"(target >= 0.90); preparing adds {added:.1f} ms per photo to the model's "
                      f"{1000 / bench:.1f} ms")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def prepare_model(args, scratch, name):
    """A scratch copy of the model folder (with --visual's tower in place of its own)."""
    model = os.path.join(scratch, name, os.path.basename(args.model.rstrip("/")))
    shutil.copytree(args.model, model)
    if args.visual:
        shutil.copyfile(args.visual, os.path.join(model, "visual", "model.onnx"))
        for stale in ("model.efx", "model.int8.efx"):
            if os.path.exists(os.path.join(model, "visual", stale)):
                os.remove(os.path.join(model, "visual", stale))
    return model


def warm(args, scratch, variants):
    """The first index run per copy compiles its towers; the photos end up in the page cache."""
    for name, model, _ in variants:
        run_json([args.edgeflow, "photos", "index", args.warm or args.photos, "--library",
                  os.path.join(scratch, f"warm-{name}.sqlite"), "--model", model, "--threads", str(args.threads),
                  "--batch", str(args.batch), "--json"])
    if args.warm:  # read the photos once, so every round finds them in the page cache
        for root, _, files in os.walk(args.photos):
            for file in files:
                with open(os.path.join(root, file), "rb") as f:
                    while f.read(1 << 20):
                        pass


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Load cost of the deploy path against the build path, side by side on one machine:
# `edgeflow infer MODEL.efa` (read the archive, fp-optimize, compile, pack, run once) against
# `edgeflow run MODEL.efx` (map the executable, pack, run once), each under /usr/bin/time -v.
# Prints wall time, the time before the first inference (wall − the inference time the verb
# reports) and peak RSS for both, and the ratios. Needs a release build and a parsed archive:
#   swift build -c release && .build/release/edgeflow parse M.onnx -o M.efa
#   benchmarks/load/compare_load.sh M.efa input=x.npy [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
ARCHIVE=${1:?usage: compare_load.sh MODEL.efa NAME=INPUT.npy [runs]}
INPUT=${2:?usage: compare_load.sh MODEL.efa NAME=INPUT.npy [runs]}
RUNS=${3:-3}
EDGEFLOW=${EDGEFLOW:-.build/release/edgeflow}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$EDGEFLOW" compile "$ARCHIVE" -o "$WORK/model.efx" > /dev/null
grep -m1 "model name" /proc/cpuinfo
echo "threads: ${OMP_NUM_THREADS:-all cores ($(nproc))}; $RUNS runs each, medians"

measure() {  # verb model → "wall_s inference_s peak_kib"
    local verb=$1 model=$2
    /usr/bin/time -v "$EDGEFLOW" "$verb" "$model" --input "$INPUT" --output-dir "$WORK/out-$verb" --json \
        > "$WORK/report.json" 2> "$WORK/time.txt"
    python3 - "$WORK/report.json" "$WORK/time.txt" <<'PY'
import json, re, sys
seconds = json.load(open(sys.argv[1]))["seconds"]
text = open(sys.argv[2]).read()
h, m, s = ([0, 0] + [float(x) for x in re.search(r"Elapsed \(wall clock\) time.*: ([\d:.]+)", text).group(1).split(":")])[-3:]
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
print(h * 3600 + m * 60 + s, seconds, rss)
PY
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for verb in infer run; do
    model=$ARCHIVE; [ "$verb" = run ] && model="$WORK/model.efx"
    : > "$WORK/$verb.txt"
    for _ in $(seq "$RUNS"); do measure "$verb" "$model" >> "$WORK/$verb.txt"; done
done
python3 - "$WORK/infer.txt" "$WORK/run.txt" <<'PY'
import statistics, sys
def load(path):
    rows = [list(map(float, line.split())) for line in open(path)]
    wall = statistics.median(r[0] for r in rows); inference = statistics.median(r[1] for r in rows)
    before = statistics.median(r[0] - r[1] for r in rows); rss = statistics.median(r[2] for r in rows)
    return wall, inference, before, rss
iw, ii, ib, ir = load(sys.argv[1]); rw, ri, rb, rr = load(sys.argv[2])
print(f"{'':28}{'infer .efa':>14}{'run .efx':>14}{'ratio':>10}")
print(f"{'process wall time (s)':28}{iw:14.3f}{rw:14.3f}{rw / iw:10.3f}")
print(f"{'before first inference (s)':28}{ib:14.3f}{rb:14.3f}{rb / ib:10.3f}")
print(f"{'first inference (s)':28}{ii:14.3f}{ri:14.3f}{ri / ii:10.3f}")
print(f"{'peak RSS (MiB)':28}{ir / 1024:14.1f}{rr / 1024:14.1f}{rr / ir:10.3f}")
print(f"run's whole process / infer's time before its first inference: {rw / ib:.3f} (target < 0.2)")
PY

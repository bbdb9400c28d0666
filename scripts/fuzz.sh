#!/usr/bin/env bash
# Coverage-guided fuzzing of Edgeflow's readers with libFuzzer (+ AddressSanitizer).
#
#   scripts/fuzz.sh TARGET SECONDS    fuzz one target for SECONDS
#   scripts/fuzz.sh all SECONDS       fuzz every target for SECONDS each, in turn
#   scripts/fuzz.sh --list            the targets and what each reads
#   scripts/fuzz.sh --replay TARGET FILE...   run saved inputs once (e.g. a crash file)
#
# Builds Fuzz/ (the libFuzzer driver of Sources/EFFuzzTargets) in .build-fuzz with
# -sanitize=fuzzer,address. Seeds come from Fuzz/seeds/TARGET (committed) and the corpus grows
# in .fuzz/corpus/TARGET (not committed). An input that crashes, trips the sanitizer, exceeds
# the memory limit (-rss_limit_mb, -malloc_limit_mb) or the time limit, or that a reader reports
# as an internal error is saved in .fuzz/findings/TARGET/: copy it to Fuzz/regressions/TARGET/
# and the test suite (FuzzRegressionTests) replays it from then on.
# Extra libFuzzer flags: FUZZ_FLAGS="-jobs=2". FUZZ_NO_BUILD=1 uses the binary as built.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCRATCH="$ROOT/.build-fuzz"
BIN="$SCRATCH/release/edgeflow-fuzz"
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"

usage() { sed -n '2,17p' "$0"; exit "${1:-0}"; }
build() {
  [ -n "${FUZZ_NO_BUILD:-}" ] && [ -x "$BIN" ] && return 0
  # SwiftPM does not always notice a file added to the path dependency (..): plan again then.
  if [ -f "$SCRATCH/release.yaml" ] && [ -n "$(find Sources Fuzz/Sources Package.swift -newer \
       "$SCRATCH/release.yaml" \( -name '*.swift' -o -type d \) 2>/dev/null | head -1)" ]; then
    rm -f "$SCRATCH/release.yaml"
  fi
  swift build -c release --package-path Fuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | grep -v -e "Cannot export local symbol" -e "^\[" >&2 || true
  [ -x "$BIN" ] || { echo "fuzz.sh: the fuzz build failed" >&2; exit 1; }
}
targets() { EDGEFLOW_FUZZ_LIST=1 "$BIN" 2>/dev/null | sed -n 's/^fuzz-target: //p' | cut -f1; }

fuzz_one() {  # target seconds -> prints a summary line; returns 1 on a finding
  local target="$1" seconds="$2" corpus=".fuzz/corpus/$1" findings=".fuzz/findings/$1" log
  mkdir -p "$corpus" "$findings"
  log="$(mktemp)"
  local seeds=()
  [ -d "Fuzz/seeds/$target" ] && seeds+=("Fuzz/seeds/$target")
  [ -d "Fuzz/regressions/$target" ] && seeds+=("Fuzz/regressions/$target")
  local status=0
  EDGEFLOW_FUZZ_TARGET="$target" "$BIN" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=4096 -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" \
    ${FUZZ_FLAGS:-} >"$log" 2>&1 || status=$?
  local runs speed cov
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)"
  if [ "$status" -eq 0 ]; then
    printf '%-16s ok     %6ss  %10s runs  %6s exec/s  %s  corpus %s\n' \
      "$target" "$seconds" "${runs:-?}" "${speed:-?}" "${cov:-}" "$(ls "$corpus" | wc -l)"
    rm -f "$log"
  elif grep -q "libFuzzer: timeout" "$log" && replay_timeout "$target" "$findings"; then
    printf '%-16s ok     %6ss  %10s runs  one input passed the time limit once but not on replay: %s\n' \
      "$target" "$seconds" "${runs:-?}" "$REPLAYED"
    rm -f "$log"
  else
    printf '%-16s FOUND  exit %s; log %s; inputs in %s\n' "$target" "$status" "$log" "$findings"
    grep -E "edgeflow-fuzz \[|ERROR: |Fatal error|SUMMARY|^ *#[0-9] " "$log" | head -14 | sed 's/^/    /'
    return 1
  fi
}

# A timeout is a finding only if the input is slow again on its own: a 2-core CI machine can
# stall one run (see docs/security.md). Replays the newest timeout-* input with a 60 s limit;
# succeeds (REPLAYED = "FILE took S s") when it finishes within the 10 s fuzzing limit.
replay_timeout() {
  local target="$1" findings="$2" input start elapsed
  input="$(ls -t "$findings"/timeout-* 2>/dev/null | head -1)"
  [ -n "$input" ] || return 1
  start="$(date +%s%N)"
  EDGEFLOW_FUZZ_TARGET="$target" "$BIN" -timeout=60 -rss_limit_mb=4096 -malloc_limit_mb=2048 "$input" \
    >/dev/null 2>&1 || return 1
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  REPLAYED="$input took $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000))) s"
  [ "$elapsed" -lt 10000 ]
}

case "${1:-}" in
  ""|-h|--help) usage 0 ;;
  --list) build; EDGEFLOW_FUZZ_LIST=1 "$BIN" 2>/dev/null | sed -n 's/^fuzz-target: //p' | column -t -s "$(printf '\t')"; exit 0 ;;
  --replay)
    [ $# -ge 3 ] || usage 2
    build; target="$2"; shift 2
    EDGEFLOW_FUZZ_TARGET="$target" "$BIN" -runs=1 "$@"; exit $? ;;
esac
[ $# -eq 2 ] || usage 2
[[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] || { echo "fuzz.sh: SECONDS must be a positive integer" >&2; exit 2; }
build
if [ "$1" = all ]; then list="$(targets)"; else list="$1"; fi
echo "libFuzzer + AddressSanitizer; CPU: $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
passed=0; failed=0
for target in $list; do
  if fuzz_one "$target" "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

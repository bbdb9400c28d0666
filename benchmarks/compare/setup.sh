#!/usr/bin/env bash
# Makes benchmarks/.venv with the pinned peers (onnxruntime, OpenVINO) and onnx/numpy
# for the comparison harness benchmarks/compare/compare.py. Safe to rerun: when the
# venv already holds exactly benchmarks/compare/requirements.txt nothing is done.
# Python is a benchmark tool here only; nothing in `swift test` uses this venv.
#
#   benchmarks/compare/setup.sh          # then: benchmarks/.venv/bin/python benchmarks/compare/compare.py --quick
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$(cd "$HERE/.." && pwd)/.venv"
REQ="$HERE/requirements.txt"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)" || { echo "setup: python3 not found (apt-get install python3 python3-venv)" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  echo "[compare-setup] creating $VENV with $("$PY" --version)"
  "$PY" -m venv "$VENV"
fi
if cmp -s "$REQ" "$VENV/.compare-requirements"; then
  echo "[compare-setup] $VENV is up to date"
else
  echo "[compare-setup] pip install -r benchmarks/compare/requirements.txt"
  "$VENV/bin/python" -m pip install -q -r "$REQ"
  cp "$REQ" "$VENV/.compare-requirements"
fi
"$VENV/bin/python" - <<'PY'
import nncf, numpy, onnx, onnxruntime, openvino, PIL
print(f"[compare-setup] onnxruntime {onnxruntime.__version__}, openvino {openvino.__version__}, "
      f"nncf {nncf.__version__}, onnx {onnx.__version__}, numpy {numpy.__version__}, pillow {PIL.__version__}")
PY

#!/usr/bin/env bash
# Runs every test tier in one optimized build: unit tests, the ONNX conformance suite (against
# its committed manifest) and the real-model tests (against committed onnxruntime goldens).
# Model-sized tests need an optimized build, so everything runs with `-c release`.
# Needs the material fetched by scripts/setup.sh (and chromium, which it installs); runs
# setup first when it has not run, or is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-setup.sh
ensure_setup .testdata/onnx-backend .testdata/models/ppocrv4/det.onnx command:chromium
swift build -c release --build-tests
swift test -c release --skip-build "$@"

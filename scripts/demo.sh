#!/usr/bin/env bash
# The main job: prepare skimage's scanned page the way RapidOCR does, parse PP-OCRv4 text
# detection (fetched by scripts/setup.sh, which runs first when needed) into an Edgeflow
# archive, compile it into an executable, run that with the deploy-only runtime on the page,
# and count the text regions it found.
set -euo pipefail
cd "$(dirname "$0")/.."
model=.testdata/models/ppocrv4/det.onnx
image=.testdata/images/page.png
input=out/page_det_input.npy
source scripts/ensure-setup.sh
ensure_setup "$model" "$image"
swift build -c release --product edgeflow >/dev/null
edgeflow=$(swift build -c release --show-bin-path)/edgeflow
mkdir -p out
echo "== preprocess: $image (RapidOCR's detection recipe; out/page_det_input.png shows the result)"
"$edgeflow" preprocess "$image" --recipe ocr-det -o "$input" --png out/page_det_input.png
# The input shape, read from the .npy header, e.g. "1,3,736,1472".
shape=$(head -c 256 "$input" | grep -ao "'shape': ([0-9, ]*)" | tr -dc '0-9,')
echo "== parse: $model (input x = $shape)"
"$edgeflow" parse "$model" -o out/ppocr-det.efa --input-shape "x=$shape"
echo "== compile: out/ppocr-det.efa → out/ppocr-det.efx"
"$edgeflow" compile out/ppocr-det.efa -o out/ppocr-det.efx
echo "== run: $input"
"$edgeflow" run out/ppocr-det.efx --input "x=$input" --output-dir out/ppocr-det
echo "== text regions"
"$edgeflow" regions out/ppocr-det/sigmoid_0.tmp_0.npy

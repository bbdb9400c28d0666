#!/usr/bin/env bash
# The main job: prepare skimage's scanned page the way RapidOCR does, parse PP-OCRv4 text
# detection (fetched by scripts/setup.sh, which runs first when needed) into an Edgeflow
# archive, compile it into an executable, run that with the deploy-only runtime on the page,
# and count the text regions it found. Then photo search: compile a CLIP model folder (Immich's
# layout; setup generates one with random weights) and PP-OCRv4 as a text reader, index the
# generated sample photos with them and search them by example, text, date and printed words.
set -euo pipefail
cd "$(dirname "$0")/.."
model=.testdata/models/ppocrv4/det.onnx
image=.testdata/images/page.png
input=out/page_det_input.npy
source scripts/ensure-setup.sh
photos=.testdata/photos/library-200
clip=.testdata/immich-models/ViT-B-32__openai
[ -d "$clip" ] || clip=.testdata/models/clip-folder-small/ViT-B-32__openai  # setup --no-full-models
ensure_setup "$model" "$image" "$photos" "$clip"
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

echo
echo "== photo search: index $photos with the CLIP folder $clip"
echo "   (its weights are random: search by example is meaningful, text search is not; a real folder,"
echo "   e.g. Immich's ViT-B-32__openai from Hugging Face, works the same way)"
mkdir -p out/models
[ -d out/models/ViT-B-32__openai ] || cp -r "$clip" out/models/ViT-B-32__openai
clip=out/models/ViT-B-32__openai
# The text reader: PP-OCRv4 (real weights, from the rapidocr wheel) in Immich's OCR folder layout,
# with PP-OCR's text-line direction classifier (upside-down lines are turned before reading).
ocr=out/models/PP-OCRv4
mkdir -p "$ocr/detection" "$ocr/recognition" "$ocr/classification"
ln -sf "$PWD/.testdata/models/ppocrv4/det.onnx" "$ocr/detection/model.onnx"
ln -sf "$PWD/.testdata/models/ppocrv4/rec.onnx" "$ocr/recognition/model.onnx"
ln -sf "$PWD/.testdata/models/ppocrv4/cls.onnx" "$ocr/classification/model.onnx"
"$edgeflow" photos index "$photos" --library out/photos.sqlite --model "$clip" --ocr "$ocr"
example="$photos/2016/2016-04-01 Zoo/DSC00010.jpg"
echo "== search by example: $example (the photo itself comes first, score 1)"
"$edgeflow" photos search --like "$example" --library out/photos.sqlite --model "$clip" --limit 5
echo "== search by text with a negative prompt"
"$edgeflow" photos search "a dog on a beach" --not "people" --library out/photos.sqlite --model "$clip" --limit 5
echo "== photos taken in 2019, newest first"
"$edgeflow" photos search --after 2019-01-01 --before 2020-01-01 --library out/photos.sqlite --limit 5
echo "== photos showing the words \"gate 12\" (read by PP-OCRv4 while indexing; the generator printed"
echo "   them on one photo)"
"$edgeflow" photos search --text-in-photo "gate 12" --library out/photos.sqlite --limit 5

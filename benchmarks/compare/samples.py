"""Calibration and held-out samples for the int8 comparison (compare.py --int8).

Every tool quantizes with the SAME calibration samples (32 by default) and every int8
model is checked on the SAME held-out samples, which are never calibration samples:

- image towers and ResNet-50 (224x224): photos prepared the way CLIP prepares them
  (bicubic resize of the short side to 224, centre crop, CLIP mean/std). Calibration:
  the first 16 photos of .testdata/calibration/photos and their mirror images; held out:
  the other photos of that folder and of .testdata/images and .testdata/clip, and their
  mirror images. The generated models have random weights, so only the input statistics
  matter here.
- CLIP text: SOT, random token ids, EOT, zero padding (calibration seed 1000, held out 777).
- PP-OCRv4 det: 640x640 synthetic pages (light paper, 4-14 random strings in Pillow's
  default font at 14-48 px), RapidOCR's normalization (x/255 - 0.5) / 0.5.
- PP-OCRv4 rec: 48x320 synthetic text lines (random words, 28-40 px), resized to height 48
  and right-padded with 0 as RapidOCR does; the rendered text is kept for the task check.
- all-MiniLM-L6-v2: the committed sentences of sentences/minilm-calibration.txt (32) and
  sentences/minilm-heldout.txt (blocks of one or two: two are a paraphrase pair), tokenized with
  BERT's uncased WordPiece (tools/models/wordpiece.py) and the vocabulary stored in the model,
  [CLS] ... [SEP] padded with 0 to the model's length; the label of a held-out sentence is the
  index of its paraphrase partner, or -1.

Samples are cached as .npy under the cache folder: `calibration(spec, batch)` gives an
array [N / batch, batch, ...] (the layout `edgeflow optimize --calib-set` takes as
N samples of a batch-`batch` input), `held_out(spec)` gives [M, 1, ...].
"""

from __future__ import annotations

import hashlib
import os
import string
import sys
from typing import List, Tuple

import numpy as np

from models import REPO, ModelSpec, make_inputs, source_path

CALIBRATION_COUNT = 32
HELD_OUT_COUNT = 16
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg")
FORMAT = 1  # bump when the samples change
SENTENCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sentences")


def _clip_preprocess(path: str, size: int = 224) -> np.ndarray:
    from PIL import Image
    img = Image.open(path).convert("RGB")
    w, h = img.size
    scale = size / min(w, h)
    img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BICUBIC)
    w, h = img.size
    left, top = (w - size) // 2, (h - size) // 2
    img = img.crop((left, top, left + size, top + size))
    x = (np.asarray(img, dtype=np.float32) / 255.0 - CLIP_MEAN) / CLIP_STD
    return x.transpose(2, 0, 1)[None].astype(np.float32)  # [1, 3, size, size]


def _photos(testdata: str) -> Tuple[List[str], List[str]]:
    """(calibration photos, held-out photos), sorted by name."""
    def listing(folder: str) -> List[str]:
        d = os.path.join(testdata, folder)
        return sorted(os.path.join(d, f) for f in os.listdir(d) if f.lower().endswith(PHOTO_SUFFIXES)) \
            if os.path.isdir(d) else []
    photos = listing("calibration/photos")
    half = CALIBRATION_COUNT // 2
    if len(photos) < half:
        raise SystemExit(f"error: {testdata}/calibration/photos has {len(photos)} photos, the int8 run needs "
                         f"{half}; run scripts/setup.sh")
    return photos[:half], photos[half:] + listing("images") + listing("clip")


def _with_mirrors(xs: List[np.ndarray]) -> np.ndarray:
    return np.stack(xs + [x[..., ::-1].copy() for x in xs])


def _font(size: int):
    from PIL import ImageFont
    return ImageFont.load_default(size=size)


WORD_CHARS = string.ascii_letters + string.digits


def _words(rng: np.random.Generator, n: int) -> str:
    return " ".join("".join(rng.choice(list(WORD_CHARS), size=int(rng.integers(2, 9)))) for _ in range(n))


def _ocr_normalize(rgb: np.ndarray) -> np.ndarray:
    return ((rgb.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None].astype(np.float32)


def _page(rng: np.random.Generator, size: int = 640) -> np.ndarray:
    from PIL import Image, ImageDraw
    paper = tuple(int(v) for v in rng.integers(215, 256, size=3))
    img = Image.new("RGB", (size, size), paper)
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(4, 15))):
        px = int(rng.integers(14, 49))
        ink = tuple(int(v) for v in rng.integers(0, 90, size=3))
        xy = (int(rng.integers(0, size // 2)), int(rng.integers(0, size - px)))
        draw.text(xy, _words(rng, int(rng.integers(1, 5))), fill=ink, font=_font(px))
    return _ocr_normalize(np.asarray(img))


def text_line(rng: np.random.Generator, height: int = 48, width: int = 320) -> Tuple[np.ndarray, str]:
    """One rec input [1, 3, 48, 320] and the text rendered into it."""
    from PIL import Image, ImageDraw
    text = _words(rng, int(rng.integers(1, 4)))
    px = int(rng.integers(28, 41))
    font = _font(px)
    left, top, right, bottom = font.getbbox(text)
    paper = tuple(int(v) for v in rng.integers(200, 256, size=3))
    img = Image.new("RGB", (right - left + 16, max(bottom - top, px) + 12), paper)
    ImageDraw.Draw(img).text((8 - left, 6 - top), text, fill=tuple(int(v) for v in rng.integers(0, 80, size=3)),
                             font=font)
    w = min(width, max(1, round(img.width * height / img.height)))
    img = img.resize((w, height), Image.BILINEAR)
    x = np.zeros((1, 3, height, width), dtype=np.float32)
    x[..., :w] = _ocr_normalize(np.asarray(img))
    return x, text


def sentence_blocks(path: str) -> List[List[str]]:
    """Blocks of consecutive lines, split at blank lines; lines starting with '#' are comments."""
    blocks: List[List[str]] = [[]]
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            if line.strip():
                blocks[-1].append(line.strip())
            elif blocks[-1]:
                blocks.append([])
    return [b for b in blocks if b]


def _sentence_file(spec: ModelSpec, held_out: bool) -> str:
    return os.path.join(SENTENCES, f"{spec.key}-{'heldout' if held_out else 'calibration'}.txt")


def _sentences(spec: ModelSpec, testdata: str, held_out: bool) -> Tuple[np.ndarray, List[str]]:
    """Token ids [N, 1, length] and, held out, each sentence's partner index (as text; -1: none)."""
    import onnx
    sys.path.insert(0, os.path.join(REPO, "tools", "models"))
    from wordpiece import WordPiece
    model = onnx.load(source_path(spec, testdata), load_external_data=False)
    vocab = next((p.value for p in model.metadata_props if p.key == "vocab"), None)
    if vocab is None:
        raise SystemExit(f"error: {spec.path} stores no vocabulary; {spec.setup_hint}")
    tok = WordPiece.from_text(vocab)
    blocks = sentence_blocks(_sentence_file(spec, held_out))
    if held_out and any(len(b) > 2 for b in blocks):
        raise SystemExit(f"error: {_sentence_file(spec, held_out)}: a block has more than two sentences")
    texts, partners = [], []
    for b in blocks:
        first = len(texts)
        texts += b
        partners += [first + 1, first] if len(b) == 2 else [-1] * len(b)
    xs = np.stack([tok.encode(t, spec.sample_shape[0]) for t in texts])[:, None]
    return xs, [str(p) for p in partners] if held_out else []


def _version(spec: ModelSpec) -> str:
    """The cache tag: FORMAT, and for sentences a digest of the two sentence files."""
    if spec.kind != "sentences":
        return f"v{FORMAT}"
    digest = hashlib.sha256()
    for held_out in (False, True):
        with open(_sentence_file(spec, held_out), "rb") as f:
            digest.update(f.read())
    return f"v{FORMAT}-{digest.hexdigest()[:8]}"


def _make(spec: ModelSpec, testdata: str, held_out: bool) -> Tuple[np.ndarray, List[str]]:
    count = HELD_OUT_COUNT if held_out else CALIBRATION_COUNT
    seed = 777 if held_out else 1000
    rng = np.random.default_rng(seed)
    labels: List[str] = []
    if spec.kind == "sentences":
        xs, labels = _sentences(spec, testdata, held_out)
    elif spec.kind == "tokens":
        xs = make_inputs(spec, count, seed=seed)[:, None]
    elif spec.key == "ppocr-det":
        xs = np.stack([_page(rng) for _ in range(count)])
    elif spec.key == "ppocr-rec":
        lines = [text_line(rng) for _ in range(count)]
        xs, labels = np.stack([x for x, _ in lines]), [t for _, t in lines]
    else:
        calib, other = _photos(testdata)
        xs = _with_mirrors([_clip_preprocess(p) for p in (other if held_out else calib)])[:count]
    return np.ascontiguousarray(xs, dtype=xs.dtype), labels


def _cached(spec: ModelSpec, testdata: str, cache: str, held_out: bool) -> Tuple[np.ndarray, List[str]]:
    base = os.path.join(cache, f"{spec.key}-{'heldout' if held_out else 'calib'}-{_version(spec)}")
    if os.path.exists(base + ".npy"):
        labels = open(base + ".txt").read().split("\n")[:-1] if os.path.exists(base + ".txt") else []
        return np.load(base + ".npy"), labels
    os.makedirs(cache, exist_ok=True)
    xs, labels = _make(spec, testdata, held_out)
    np.save(base + ".part.npy", xs)
    os.replace(base + ".part.npy", base + ".npy")
    if labels:
        with open(base + ".txt", "w") as f:
            f.write("".join(t + "\n" for t in labels))
    print(f"[samples] {spec.key}: {xs.shape[0]} {'held-out' if held_out else 'calibration'} samples", flush=True)
    return xs, labels


def calibration(spec: ModelSpec, batch: int, testdata: str, cache: str) -> str:
    """Path of an .npy [N / batch, batch, ...] of the calibration samples, made once."""
    path = os.path.join(cache, f"{spec.key}-calib-{_version(spec)}-b{batch}.npy")
    if not os.path.exists(path):
        xs, _ = _cached(spec, testdata, cache, held_out=False)
        if xs.shape[0] % batch:
            raise SystemExit(f"error: {xs.shape[0]} calibration samples do not split into batches of {batch}")
        np.save(path + ".part.npy", xs.reshape(xs.shape[0] // batch, batch, *xs.shape[2:]))
        os.replace(path + ".part.npy", path)
    return path


def held_out(spec: ModelSpec, testdata: str, cache: str) -> Tuple[np.ndarray, List[str]]:
    """[M, 1, ...] held-out samples (never calibration samples) and, for rec, their text (for
    sentences, each one's paraphrase partner)."""
    return _cached(spec, testdata, cache, held_out=True)

#!/usr/bin/env python3
"""Write the camera-RAW decoding fixtures and their rawpy goldens (dev only).

  python3 -m venv /tmp/rawvenv && /tmp/rawvenv/bin/pip install rawpy pidng tifffile imagecodecs pillow
  /tmp/rawvenv/bin/python tools/goldens/make_raw_goldens.py

No camera RAW file can be downloaded here, so the fixtures are DNGs written by two independent
writers from a 128×96 crop of .testdata/images/astronaut.png, mosaicked into an RGGB Bayer
pattern (linear light, black level 64, white level 4095):
- PiDNG writes the sensor data alone (IFD0 is the raw image), once upright and once with
  Orientation 6 (the camera held upright: LibRaw's flip 6);
- tifffile writes the layout cameras use: IFD0 a JPEG preview (NewSubfileType 1), the sensor data
  in a sub-IFD.
The goldens come from rawpy (its own LibRaw build): `postprocess(use_camera_wb=True,
output_bps=8, half_size=...)` for a demosaic, `extract_thumb()` decoded by Pillow for a preview.

Writes Tests/Goldens/media-decode/raw_*.{dng,npy} and raw-cases.json, in the format of
cases.json (make_media_decode_goldens.py), which DecodeGoldenTests reads with it.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile

import numpy as np
import rawpy
import tifffile
from PIL import Image
from pidng.core import RAW2DNG, DNGTags, Tag
from pidng.defs import CalibrationIlluminant, CFAPattern, DNGVersion, PhotometricInterpretation

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "Tests", "Goldens", "media-decode")
SOURCE = os.path.join(REPO, ".testdata", "images", "astronaut.png")
BLACK, WHITE, SCALE = 64, 4095, 4000

# LibRaw 0.20 (Debian, what Edgeflow links) against rawpy's newer LibRaw, measured when the
# goldens were made: the demosaics differ by at most 1 in a few samples.
DEMOSAIC_TOLERANCE = 1


def photo() -> Image.Image:
    return Image.open(SOURCE).convert("RGB").crop((100, 40, 228, 136))


def mosaic(rgb: Image.Image) -> np.ndarray:
    """The RGGB Bayer samples of an sRGB photo, in linear light (γ 2.2) between black and white."""
    linear = (np.asarray(rgb, dtype=np.float64) / 255.0) ** 2.2
    raw = np.zeros(linear.shape[:2], np.uint16)
    for (y, x), channel in {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 2}.items():
        raw[y::2, x::2] = np.round(linear[y::2, x::2, channel] * SCALE) + BLACK
    return raw


def pidng_file(raw: np.ndarray, orientation: int) -> bytes:
    h, w = raw.shape
    t = DNGTags()
    t.set(Tag.ImageWidth, w)
    t.set(Tag.ImageLength, h)
    t.set(Tag.TileWidth, w)
    t.set(Tag.TileLength, h)
    t.set(Tag.Orientation, orientation)
    t.set(Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array)
    t.set(Tag.SamplesPerPixel, 1)
    t.set(Tag.BitsPerSample, 16)
    t.set(Tag.CFARepeatPatternDim, [2, 2])
    t.set(Tag.CFAPattern, CFAPattern.RGGB)
    t.set(Tag.BlackLevel, BLACK)
    t.set(Tag.WhiteLevel, WHITE)
    identity = [[10000, 10000] if i % 4 == 0 else [0, 10000] for i in range(9)]
    t.set(Tag.ColorMatrix1, identity)
    t.set(Tag.CalibrationIlluminant1, CalibrationIlluminant.D65)
    t.set(Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]])
    t.set(Tag.Make, "Edgeflow")
    t.set(Tag.Model, "Generated")
    with tempfile.TemporaryDirectory() as d:
        writer = RAW2DNG()
        writer.options(t, path=d, compress=False)
        path = writer.convert(raw, filename="raw")
        with open(path, "rb") as f:
            return f.read()


def tifffile_with_preview(raw: np.ndarray, preview: Image.Image) -> bytes:
    identity = []
    for i in range(9):
        identity += [10000 if i % 4 == 0 else 0, 10000]
    ifd0 = [(50706, "B", 4, (1, 4, 0, 0), True), (50707, "B", 4, (1, 1, 0, 0), True),
            (271, "s", 0, "Edgeflow", True), (272, "s", 0, "Generated", True),
            (50721, "2i", 9, tuple(identity), True), (50778, "H", 1, (21,), True),
            (50728, "2I", 3, (1, 1, 1, 1, 1, 1), True)]
    sensor = [(33421, "H", 2, (2, 2), True), (33422, "B", 4, (0, 1, 1, 2), True),
              (50714, "H", 1, (BLACK,), True), (50717, "H", 1, (WHITE,), True)]
    buf = io.BytesIO()
    with tifffile.TiffWriter(buf) as t:
        t.write(np.asarray(preview), photometric="rgb", compression="jpeg", compressionargs={"level": 90},
                subfiletype=1, subifds=1, extratags=ifd0)
        t.write(raw, photometric=32803, subfiletype=0, extratags=sensor)
    return buf.getvalue()


cases: list[dict] = []


def add(case: str, file: str, data: bytes, golden: np.ndarray, stored, orientation: int, minimum, tolerance: int,
        note: str) -> None:
    with open(os.path.join(OUT, file), "wb") as f:
        f.write(data)
    np.save(os.path.join(OUT, f"{case}.npy"), np.ascontiguousarray(golden, dtype=np.uint8))
    cases.append({"case": case, "file": file, "format": "raw", "golden": f"{case}.npy", "stored": list(stored),
                  "orientation": orientation, "minimum": list(minimum) if minimum else None,
                  "tolerance": tolerance, "note": note})


def demosaic(data: bytes, half: bool) -> np.ndarray:
    with tempfile.NamedTemporaryFile(suffix=".dng") as f:
        f.write(data)
        f.flush()
        with rawpy.imread(f.name) as im:
            return im.postprocess(use_camera_wb=True, output_bps=8, half_size=half)


def preview(data: bytes) -> np.ndarray:
    with tempfile.NamedTemporaryFile(suffix=".dng") as f:
        f.write(data)
        f.flush()
        with rawpy.imread(f.name) as im:
            thumb = im.extract_thumb()
    assert thumb.format == rawpy.ThumbFormat.JPEG
    return np.asarray(Image.open(io.BytesIO(thumb.data)).convert("RGB"))


def main() -> None:
    if not os.path.exists(SOURCE):
        sys.exit("missing .testdata/images/astronaut.png: run scripts/setup.sh")
    rgb = photo()
    raw = mosaic(rgb)
    note = f"LibRaw 0.20 (Debian) vs rawpy {rawpy.__version__}'s LibRaw {'.'.join(map(str, rawpy.libraw_version))}"
    upright = pidng_file(raw, 1)
    add("raw_dng_full", "raw_dng.dng", upright, demosaic(upright, False), (128, 96), 1, None,
        DEMOSAIC_TOLERANCE, note + ", AHD demosaic")
    add("raw_dng_half", "raw_dng.dng", upright, demosaic(upright, True), (128, 96), 1, (48, 36),
        DEMOSAIC_TOLERANCE, note + ", half-size demosaic")
    turned = pidng_file(raw, 6)
    add("raw_dng_orientation_6", "raw_dng_orientation_6.dng", turned, demosaic(turned, True), (128, 96), 6,
        (36, 48), DEMOSAIC_TOLERANCE, note + ", half-size demosaic, flip 6")
    with_preview = tifffile_with_preview(raw, rgb)
    add("raw_dng_preview", "raw_dng_preview.dng", with_preview, preview(with_preview), (128, 96), 1, (100, 75), 0,
        "the embedded JPEG preview: TurboJPEG 2.1.5 vs Pillow's libjpeg-turbo")
    add("raw_dng_preview_too_small", "raw_dng_preview.dng", with_preview, demosaic(with_preview, False),
        (128, 96), 1, (200, 150), DEMOSAIC_TOLERANCE, note + ", preview smaller than asked: AHD demosaic")
    manifest = {"generator": "tools/goldens/make_raw_goldens.py", "rawpy": rawpy.__version__,
                "libraw": ".".join(map(str, rawpy.libraw_version)), "tifffile": tifffile.__version__,
                "cases": cases}
    with open(os.path.join(OUT, "raw-cases.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()

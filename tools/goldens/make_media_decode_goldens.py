#!/usr/bin/env python3
"""Write the image-decoding fixtures and their Pillow goldens (dev only).

  /work/venv/bin/python tools/goldens/make_media_decode_goldens.py

Makes small images (61×47 crops of .testdata/images/astronaut.png, so they look like
photos) in every variant EFMedia's ImageDecoder handles, and for each the RGB that Pillow
produces: Image.open → ImageOps.exif_transpose → convert("RGB"), saved as uint8 HWC .npy.
HEIC fixtures are made with Debian's `heif-enc` (libheif 1.15) and read back through
pillow-heif. Scaled-JPEG goldens come from Pillow's `draft("RGB", (w, h))`.

Writes Tests/Goldens/media-decode/{<case>.<ext>, <case>.npy, cases.json}.
cases.json lists {case, file, format, golden, stored: [w, h], orientation,
minimum: [w, h] | null, tolerance, note}. Tolerance is max |ours − Pillow| per channel.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from PIL import Image, ImageOps, features

import pillow_heif

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "Tests", "Goldens", "media-decode")
SOURCE = os.path.join(REPO, ".testdata", "images", "astronaut.png")

cases: list[dict] = []


def photo(w: int = 61, h: int = 47, box=(180, 60, 241, 107)) -> Image.Image:
    """A photo-like RGB crop of the astronaut, resized to w×h when the box differs."""
    im = Image.open(SOURCE).convert("RGB").crop(box)
    return im if im.size == (w, h) else im.resize((w, h), Image.Resampling.BICUBIC)


def pillow_rgb(path: str, draft=None) -> np.ndarray:
    im = Image.open(path)
    if draft is not None:
        im.draft("RGB", tuple(draft))
    im = ImageOps.exif_transpose(im)
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def add(case: str, ext: str, data: bytes, fmt: str, stored, orientation=1, minimum=None,
        tolerance=0, golden: np.ndarray | None = None, note: str = "", draft=None) -> None:
    """Writes one fixture and its golden; `draft` is the (stored-coordinate) size given to Pillow's draft."""
    name = f"{case}.{ext}"
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(data)
    expected = pillow_rgb(path, draft or minimum) if golden is None else golden
    np.save(os.path.join(OUT, f"{case}.npy"), np.ascontiguousarray(expected))
    cases.append({"case": case, "file": name, "format": fmt, "golden": f"{case}.npy",
                  "stored": list(stored), "orientation": orientation,
                  "minimum": list(minimum) if minimum else None,
                  "tolerance": tolerance, "note": note})


def save(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def exif_orientation(value: int, big_endian: bool) -> bytes:
    """A minimal EXIF block (TIFF header + IFD0 with one Orientation entry)."""
    e = ">" if big_endian else "<"
    tiff = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, 8)
    tiff += struct.pack(e + "H", 1) + struct.pack(e + "HHIHH", 0x0112, 3, 1, value, 0) + struct.pack(e + "I", 0)
    return b"Exif\x00\x00" + tiff


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png16(array: np.ndarray, color_type: int) -> bytes:
    """A 16-bit PNG written by hand (Pillow cannot write 16-bit RGB/RGBA)."""
    h, w = array.shape[:2]
    rows = array.astype(">u2").reshape(h, -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def heic(png: Image.Image, thumb: int | None) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.png"), os.path.join(d, "out.heic")
        png.save(src)
        cmd = ["heif-enc", "-q", "50", "-o", dst, src] + (["-t", str(thumb)] if thumb else [])
        subprocess.run(cmd, check=True, capture_output=True)
        with open(dst, "rb") as f:
            return f.read()


def main() -> None:
    if not os.path.exists(SOURCE):
        sys.exit("missing .testdata/images/astronaut.png: run scripts/setup.sh")
    os.makedirs(OUT, exist_ok=True)
    pillow_heif.register_heif_opener()
    rgb = photo()
    size = rgb.size
    alpha = Image.linear_gradient("L").resize(size).rotate(30)
    rgba = rgb.copy()
    rgba.putalpha(alpha)
    jpeg_tol, jpeg_note = 0, "TurboJPEG 2.1.5 vs Pillow's libjpeg-turbo"

    # JPEG variants.
    add("jpeg_420", "jpg", save(rgb, "JPEG", quality=85, subsampling=2), "jpeg", size, tolerance=jpeg_tol, note=jpeg_note)
    add("jpeg_444", "jpg", save(rgb, "JPEG", quality=90, subsampling=0), "jpeg", size, tolerance=jpeg_tol, note=jpeg_note)
    add("jpeg_422", "jpg", save(rgb, "JPEG", quality=90, subsampling=1), "jpeg", size, tolerance=jpeg_tol, note=jpeg_note)
    add("jpeg_progressive", "jpg", save(rgb, "JPEG", quality=80, progressive=True), "jpeg", size, tolerance=jpeg_tol, note=jpeg_note)
    add("jpeg_restart", "jpg", save(rgb, "JPEG", quality=80, restart_marker_blocks=2), "jpeg", size, tolerance=jpeg_tol, note=jpeg_note)
    add("jpeg_gray", "jpg", save(rgb.convert("L"), "JPEG", quality=85), "jpeg", size, tolerance=jpeg_tol, note=jpeg_note)
    add("jpeg_cmyk", "jpg", save(rgb.convert("CMYK"), "JPEG", quality=90), "jpeg", size, tolerance=jpeg_tol,
        note="Adobe CMYK, stored inverted; Pillow inverts every 4-component JPEG then converts CMYK to RGB")
    for sampling, label in ((2, "420"), (1, "422")):
        add(f"jpeg_cmyk_{label}", "jpg", save(rgb.convert("CMYK"), "JPEG", quality=85, subsampling=sampling), "jpeg",
            size, tolerance=jpeg_tol, note="CMYK with chroma subsampling as Pillow writes it (sampling factors "
            "TurboJPEG's API refuses; read by libjpeg itself), Pillow's inverted-CMYK conversion")
    for k in range(1, 9):
        data = save(rgb, "JPEG", quality=90, subsampling=0, exif=exif_orientation(k, big_endian=k % 2 == 1))
        add(f"jpeg_orientation_{k}", "jpg", data, "jpeg", size, orientation=k, tolerance=jpeg_tol,
            note="EXIF orientation, big-endian EXIF for odd values, little-endian for even")
    big = photo(800, 600, box=(0, 40, 512, 424))
    big_jpeg = save(big, "JPEG", quality=85)
    add("jpeg_draft_quarter", "jpg", big_jpeg, "jpeg", big.size, minimum=(200, 150), tolerance=jpeg_tol,
        note="Pillow draft('RGB', (200, 150)): DCT scale 1/4 → 200×150")
    add("jpeg_cmyk_420_draft", "jpg", save(big.convert("CMYK"), "JPEG", quality=85, subsampling=2), "jpeg",
        big.size, minimum=(200, 150), tolerance=jpeg_tol,
        note="subsampled CMYK through libjpeg with Pillow's draft('RGB', (200, 150)): DCT scale 1/4")
    add("jpeg_draft_eighth_rotated", "jpg", save(big, "JPEG", quality=85, exif=exif_orientation(6, False)), "jpeg",
        big.size, orientation=6, minimum=(75, 100), draft=(100, 75), tolerance=jpeg_tol,
        note="orientation 6: the minimum (75, 100) is in displayed coordinates; Pillow draft gets the stored (100, 75) → 1/8")

    # PNG variants.
    add("png_rgb8", "png", save(rgb, "PNG"), "png", size)
    add("png_rgba8", "png", save(rgba, "PNG"), "png", size, note="alpha dropped, no compositing")
    add("png_gray8", "png", save(rgb.convert("L"), "PNG"), "png", size)
    add("png_gray_alpha8", "png", save(rgba.convert("LA"), "PNG"), "png", size)
    pal = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    add("png_palette_trns", "png", save(pal, "PNG", transparency=3), "png", size, note="palette + tRNS; alpha dropped")
    add("png_gray1", "png", save(rgb.convert("1"), "PNG"), "png", size)
    wide = np.asarray(rgb, dtype=np.uint16) * 257 + np.arange(61, dtype=np.uint16)[None, :, None]
    add("png_rgb16", "png", png16(wide, 2), "png", size, note="16-bit: Pillow keeps the high byte")
    wide_a = np.concatenate([wide, (np.asarray(alpha, dtype=np.uint16) * 257)[..., None]], axis=2)
    add("png_rgba16", "png", png16(wide_a, 6), "png", size, tolerance=1,
        note="16-bit RGBA: libpng's simplified API returns premultiplied linear values; un-premultiplying can be 1 off")
    gray16 = (np.asarray(rgb.convert("L"), dtype=np.uint16) * 257 + 100).astype(np.uint16)
    add("png_gray16", "png", png16(gray16, 0), "png", size, golden=np.repeat((gray16 >> 8).astype(np.uint8)[..., None], 3, axis=2),
        note="16-bit gray: golden is Pillow's I;16 array >> 8 (high byte, as Pillow does for 16-bit RGB); "
             "Pillow's own convert('RGB') clips I;16 to 255 instead")
    with_exif = save(rgb, "PNG", exif=exif_orientation(6, False)[6:])
    add("png_exif_orientation_6", "png", with_exif, "png", size, orientation=6, note="eXIf chunk")
    add("png_gamma_chunk", "png", _png_with_gamma(save(rgb, "PNG")), "png", size, note="gAMA 1.0: Pillow ignores it, so do we")

    # WebP, GIF, TIFF.
    add("webp_lossy", "webp", save(rgb, "WEBP", quality=80), "webp", size)
    add("webp_lossless_alpha", "webp", save(rgba, "WEBP", lossless=True), "webp", size, note="alpha dropped")
    add("webp_orientation_3", "webp", save(rgb, "WEBP", quality=80, exif=exif_orientation(3, True)[6:]), "webp", size, orientation=3)
    add("gif", "gif", save(rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=128), "GIF"), "gif", size)
    add("tiff_rgb", "tif", save(rgb, "TIFF"), "tiff", size)
    add("tiff_lzw", "tif", save(rgb, "TIFF", compression="tiff_lzw"), "tiff", size)
    add("tiff_orientation_6", "tif", save(rgb, "TIFF", tiffinfo={274: 6}), "tiff", size, orientation=6)

    # HEIC (heif-enc = Debian libheif 1.15; golden decoded by pillow-heif's bundled libheif).
    heif_note = (f"pillow-heif {pillow_heif.__version__} (libheif {pillow_heif.libheif_version()}) vs Debian libheif 1.15: "
                 "the YCbCr→RGB conversion rounds differently, measured max 1 level on ~1% of samples")
    add("heic", "heic", heic(rgb, None), "heif", size, tolerance=1, note=heif_note)
    heic_thumb = heic(big, 200)
    add("heic_thumbnail", "heic", heic_thumb, "heif", big.size, minimum=(150, 100), tolerance=1,
        note="embedded 200-pixel thumbnail chosen for minimum 150×100 (pillow-heif's draft picks it too); " + heif_note)

    # 1×1 images of every format.
    dot = rgb.crop((10, 10, 11, 11))
    add("tiny_jpeg", "jpg", save(dot, "JPEG", quality=95), "jpeg", (1, 1), tolerance=jpeg_tol, note=jpeg_note)
    add("tiny_png", "png", save(dot, "PNG"), "png", (1, 1))
    add("tiny_webp", "webp", save(dot, "WEBP", lossless=True), "webp", (1, 1))
    add("tiny_gif", "gif", save(dot.convert("P"), "GIF"), "gif", (1, 1))
    add("tiny_tiff", "tif", save(dot, "TIFF"), "tiff", (1, 1))
    add("tiny_heic", "heic", heic(dot, None), "heif", (1, 1), tolerance=1, note=heif_note)

    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"generator": "tools/goldens/make_media_decode_goldens.py",
                   "pillow": Image.__version__, "libjpeg_turbo": features.version("libjpeg_turbo"),
                   "pillow_heif": pillow_heif.__version__, "cases": cases}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"{len(cases)} cases, {total / 1024:.0f} KiB in {OUT}")


def _png_with_gamma(png: bytes) -> bytes:
    """Insert gAMA = 1.0 (linear) after IHDR: libpng's simplified API would re-encode it, Pillow does not."""
    ihdr_end = 8 + 25
    return png[:ihdr_end] + png_chunk(b"gAMA", struct.pack(">I", 100000)) + png[ihdr_end:]


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate a deterministic photo library for indexing tests and throughput benchmarks.

For photo search (issue 12, `edgeflow photos index/search`) and the Immich-compatible ML server
(issue 13). Writes N images into nested folders (year / dated event folders, uploads, scans, a folder
with non-ASCII and space characters) plus DIR/manifest.json describing every file:

* sizes from 320x240 up to 12 MP (4000x3000, every 20th photo, so 5 %), landscape and portrait;
* formats: JPEG (most, some progressive, 4:4:4, grayscale, one CMYK), PNG (RGB, RGBA, palette), WebP
  (lossy, lossless), GIF (some animated), TIFF (LZW, deflate), HEIC when pillow-heif is importable
  (otherwise those photos are written as JPEG and the manifest says `"heic": false`);
* EXIF DateTimeOriginal on the JPEGs (2016-2024; a few scans have none) and EXIF orientation 2-8 on
  about 15 % of them (1 written explicitly on a few). Pixels are stored so that applying the orientation
  gives the upright picture: the manifest's width/height are the size AFTER orientation;
* content that is not noise: four-corner colour gradients, shapes, and on about one photo in six large
  printed words (Pillow's own scalable font, dark on a light sign) for OCR search; the manifest lists
  each word with its box (upright pixel coordinates) and has a word -> files index;
* file modification times set to the capture time (or a fixed date for files without one).

With --bad, DIR/bad/ also gets files that must fail cleanly, listed under "bad" in the manifest:
a zero-byte .jpg, a truncated JPEG, a text file named .png and a PNG decompression bomb (a few hundred
bytes declaring 100000x100000 RGB). Deterministic: the same arguments, Pillow (and pillow-heif) versions
give the same bytes. manifest.json lies inside DIR, so an indexer walking DIR must skip it.

Usage:
  .venv/bin/python tools/photos/make_library.py --count 200 -o .testdata/photos/library-200 --bad
  .venv/bin/python tools/photos/make_library.py --count 5000 --seed 7 -o /tmp/lib-5k [-j JOBS]  # benchmark size
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import random
import shutil
import struct
import sys
import time
import zlib

from PIL import Image, ImageDraw, ImageFont, ImageOps

try:
    import pillow_heif
except ImportError:  # optional: HEIC photos become JPEGs
    pillow_heif = None
else:
    pillow_heif.register_heif_opener()

MANIFEST_VERSION = 1
SIZES = [(320, 240), (640, 480), (800, 600), (1024, 768), (1280, 720), (1280, 960), (1600, 1200),
         (1920, 1080), (2048, 1536), (2560, 1920), (3000, 2000)]
SMALL_FORMAT_SIZES = SIZES[:9]          # PNG/GIF/TIFF/WebP/HEIC stay at most 2048x1536
BIG = (4000, 3000)                      # 12 MP, every 20th photo
FORMAT_WEIGHTS = [("JPEG", 72), ("PNG", 8), ("WEBP", 7), ("GIF", 3), ("TIFF", 4), ("HEIC", 6)]
ORIENTATIONS = [6, 6, 6, 8, 8, 3, 3, 2, 4, 5, 7]
# Pillow's ImageOps.exif_transpose applies these to the stored pixels; we store the inverse.
TO_STORED = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
             4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
             7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}
WORDS = ["SUNSET", "BEACH", "COFFEE", "BIRTHDAY", "GARDEN", "TICKET", "MUSEUM", "BAKERY", "HARBOR",
         "PIZZA", "STATION", "LIBRARY", "MOUNTAIN", "WEDDING", "RECEIPT", "PARKING", "HOTEL", "MARKET",
         "CONCERT", "BICYCLE", "EXIT", "GATE 12", "PLATFORM 9", "ROUTE 66"]
EVENTS = ["Holiday", "Birthday", "Weekend", "Garden", "Hiking trip", "Beach", "Ski week", "Wedding",
          "Christmas", "City break", "Zoo", "Concert"]
LOOSE_FOLDERS = ["Phone/Camera Uploads", "Phone/Camera Uploads/2023", "Scans/Old album", "Misc",
                 "Misc/Ürlaub & Café (copy)", "Shared/From Anna/Trip"]
NO_DATE_MTIME = dt.datetime(2025, 1, 1, 12, 0, 0)


# ------------------------------------------------------------------ content
def rand_color(rng: random.Random, lo=0, hi=255):
    return tuple(rng.randint(lo, hi) for _ in range(3))


def draw_scene(rng: random.Random, w: int, h: int, words: list) -> tuple:
    """Upright RGB picture: four-corner gradient, shapes, optional words on light signs."""
    corners = Image.new("RGB", (2, 2))
    corners.putdata([rand_color(rng) for _ in range(4)])
    img = corners.resize((w, h), Image.Resampling.BILINEAR)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(3, 12)):
        kind = rng.choice(["ellipse", "rectangle", "rounded", "triangle", "line"])
        x0, y0 = rng.randint(-w // 8, w - 1), rng.randint(-h // 8, h - 1)
        x1, y1 = x0 + rng.randint(w // 20, w // 2), y0 + rng.randint(h // 20, h // 2)
        fill = rand_color(rng)
        if kind == "ellipse":
            d.ellipse([x0, y0, x1, y1], fill=fill)
        elif kind == "rectangle":
            d.rectangle([x0, y0, x1, y1], fill=fill, outline=rand_color(rng), width=max(1, w // 400))
        elif kind == "rounded":
            d.rounded_rectangle([x0, y0, x1, y1], radius=max(2, (x1 - x0) // 6), fill=fill)
        elif kind == "triangle":
            d.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=fill)
        else:
            d.line([x0, y0, x1, y1], fill=fill, width=max(1, w // rng.randint(60, 200)))
    placed = []
    for word in words:
        size = max(24, int(min(w, h) * rng.uniform(0.10, 0.18)))
        font = ImageFont.load_default(size=size)
        left, top, right, bottom = font.getbbox(word)
        tw, th = right - left, bottom - top
        pad = size // 4
        if tw + 2 * pad >= w:
            continue
        for _ in range(20):  # find a place not overlapping an earlier sign
            x = rng.randint(pad, w - tw - pad)
            y = rng.randint(pad, h - th - pad)
            box = [x - pad, y - pad, x + tw + pad, y + th + pad]
            if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for _, b in placed):
                break
        else:
            continue
        d.rectangle(box, fill=(rng.randint(225, 250),) * 3)
        d.text((x - left, y - top), word, font=font, fill=(rng.randint(0, 40),) * 3)
        placed.append((word, [x, y, x + tw, y + th]))
    return img, placed


# ------------------------------------------------------------------ planning
def plan(count: int, seed: int, heic: bool) -> list:
    """One dict per photo: path, format, size, orientation, capture time, words, options."""
    rng = random.Random(seed)
    n_events = max(3, count // 15)
    events = []
    for e in range(n_events):
        day = dt.datetime(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 9 * 365 + 1))
        events.append((day.replace(hour=rng.randint(8, 15)), rng.choice(EVENTS)))
    events.sort()
    formats, weights = zip(*FORMAT_WEIGHTS)
    photos = []
    for i in range(count):
        n = i + 1
        big = i % 20 == 7
        fmt = "JPEG" if big else rng.choices(formats, weights)[0]
        w, h = BIG if big else rng.choice(SIZES if fmt == "JPEG" else SMALL_FORMAT_SIZES)
        if rng.random() < 0.25:
            w, h = h, w
        if rng.random() < 0.8:
            start, name = events[rng.randrange(n_events)]
            when = start + dt.timedelta(minutes=rng.randint(0, 600), seconds=rng.randint(0, 59))
            folder = f"{when.year}/{when:%Y-%m-%d} {name}"
        else:
            when = dt.datetime(2016, 1, 1) + dt.timedelta(seconds=rng.randint(0, 9 * 365 * 86400))
            folder = rng.choice(LOOSE_FOLDERS)
        p = dict(n=n, format=fmt, width=w, height=h, folder=folder, captured=when, orientation=None,
                 words=rng.sample(WORDS, rng.choice([1, 1, 2])) if rng.random() < 0.17 else [],
                 scene_seed=rng.getrandbits(32), written_as=None)
        r = rng.random()
        if fmt == "HEIC" and not heic:  # fixed JPEG options: the random stream must not depend on pillow-heif
            p.update(written_as="JPEG", quality=90, progressive=False, subsampling="4:2:0", mode="RGB")
        if fmt == "JPEG":
            p["quality"] = rng.choice([75, 82, 90, 95])
            p["progressive"] = rng.random() < 0.1
            p["subsampling"] = "4:4:4" if rng.random() < 0.15 else "4:2:0"
            p["mode"] = "L" if r < 0.03 else "RGB"
            if folder.startswith("Scans") or rng.random() < 0.03:
                p["captured"] = None  # scanned / stripped: no EXIF date
            elif rng.random() < 0.15:
                p["orientation"] = rng.choice(ORIENTATIONS)
            elif rng.random() < 0.05:
                p["orientation"] = 1
            stem = rng.choice(["IMG_{:04d}.JPG", "DSC{:05d}.jpg", "PXL_{:05d}.jpg", "photo_{:04d}.jpeg"])
        elif fmt == "PNG":
            p["mode"] = "RGBA" if r < 0.3 else "P" if r < 0.5 else "RGB"
            stem = "Screenshot {:04d}.png"
        elif fmt == "WEBP":
            p["lossless"] = r < 0.2
            stem = "image_{:04d}.webp"
        elif fmt == "GIF":
            p["frames"] = 3 if r < 0.35 else 1
            stem = "anim_{:04d}.gif"
        elif fmt == "TIFF":
            p["compression"] = "tiff_lzw" if r < 0.5 else "tiff_deflate"
            stem = rng.choice(["scan_{:04d}.tif", "scan_{:04d}.tiff"])
        else:
            stem = "IMG_{:04d}.HEIC" if heic else "IMG_{:04d}.JPG"
        p["path"] = f"{folder}/{stem.format(n)}"
        photos.append(p)
    # one CMYK JPEG (Adobe-style) when the library is big enough to have a spare plain JPEG
    plain = [p for p in photos if p["format"] == "JPEG" and p["mode"] == "RGB" and p["orientation"] is None
             and p["width"] * p["height"] <= 2_000_000]
    if count >= 50 and plain:
        plain[len(plain) // 2]["mode"] = "CMYK"
    return photos


# ------------------------------------------------------------------ writing
def exif_for(p: dict) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Edgeflow"                      # Make
    exif[0x0110] = "make_library synthetic"        # Model
    if p["orientation"] is not None:
        exif[0x0112] = p["orientation"]
    if p["captured"] is not None:
        stamp = p["captured"].strftime("%Y:%m:%d %H:%M:%S")
        exif[0x0132] = stamp                       # DateTime
        exif.get_ifd(0x8769)[0x9003] = stamp       # DateTimeOriginal (Exif IFD)
        exif.get_ifd(0x8769)[0x9004] = stamp       # DateTimeDigitized
    return exif


def encode(p: dict, img: Image.Image) -> bytes:
    fmt = p["written_as"] or p["format"]
    out = io.BytesIO()
    if fmt == "JPEG":
        if p["orientation"] not in (None, 1):
            img = img.transpose(TO_STORED[p["orientation"]])
        img = img.convert(p["mode"])
        kw = dict(quality=p["quality"], progressive=p["progressive"], exif=exif_for(p).tobytes())
        if p["mode"] != "L":
            kw["subsampling"] = p["subsampling"]
        img.save(out, "JPEG", **kw)
    elif fmt == "PNG":
        if p["mode"] == "RGBA":
            alpha = Image.linear_gradient("L").resize(img.size).point(lambda v: 96 + v * 159 // 255)
            img = img.copy()
            img.putalpha(alpha)
        elif p["mode"] == "P":
            img = img.quantize(colors=64)
        img.save(out, "PNG", optimize=False)
    elif fmt == "WEBP":
        img.save(out, "WEBP", lossless=p["lossless"], quality=80, method=4)
    elif fmt == "GIF":
        frames = [img]
        for k in range(1, p["frames"]):
            frames.append(ImageOps.mirror(img) if k % 2 else ImageOps.flip(img))
        frames = [f.quantize(colors=128) for f in frames]
        frames[0].save(out, "GIF", save_all=len(frames) > 1, append_images=frames[1:], duration=400, loop=0)
    elif fmt == "TIFF":
        img.save(out, "TIFF", compression=p["compression"])
    elif fmt == "HEIC":
        img.save(out, "HEIF", quality=80, enc_params={"preset": "ultrafast"})  # x265 default is 4x slower
    else:
        raise AssertionError(fmt)
    return out.getvalue()


def epoch(t: dt.datetime) -> int:
    return calendar.timegm(t.timetuple())  # capture times are written as UTC file times


def write_photo(job: tuple) -> dict:
    root, p = job
    rng = random.Random(p["scene_seed"])
    img, placed = draw_scene(rng, p["width"], p["height"], p["words"])
    data = encode(p, img)
    path = os.path.join(root, p["path"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    mtime = epoch(p["captured"] or NO_DATE_MTIME)
    os.utime(path, (mtime, mtime))
    fmt = p["written_as"] or p["format"]
    entry = dict(path=p["path"], format=fmt, width=p["width"], height=p["height"],
                 stored_width=p["height"] if (p["orientation"] or 1) >= 5 else p["width"],
                 stored_height=p["width"] if (p["orientation"] or 1) >= 5 else p["height"],
                 orientation=p["orientation"],
                 captured=(p["captured"].isoformat() if p["captured"] and fmt == "JPEG" else None),
                 mtime=dt.datetime.fromtimestamp(mtime, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 mode=p.get("mode", "RGB"), bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                 words=[dict(text=t, box=b) for t, b in placed], expect="ok")
    if fmt == "JPEG":
        entry.update(progressive=p["progressive"], quality=p["quality"])
    if fmt == "GIF":
        entry["frames"] = p["frames"]
    if p["written_as"]:
        entry["planned_format"] = p["format"]
    return entry


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def write_bad(root: str) -> list:
    bad = os.path.join(root, "bad")
    os.makedirs(bad, exist_ok=True)
    rng = random.Random(99)
    img, _ = draw_scene(rng, 1024, 768, ["TRUNCATED"])
    full = io.BytesIO()
    img.save(full, "JPEG", quality=90)
    cut = full.getvalue()[: len(full.getvalue()) * 2 // 5]
    side = 100_000
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)  # 8-bit RGB, 30 GB when decoded
    row = zlib.compress(b"\x00" * (1 + 3 * side), 9)            # only the first row of pixels
    bomb = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", row) + png_chunk(b"IEND", b"")
    files = [
        ("bad/empty.jpg", b"", "zero-byte file"),
        ("bad/truncated.jpg", cut, f"JPEG cut after {len(cut)} of {len(full.getvalue())} bytes (no EOI)"),
        ("bad/not-an-image.png", b"This is a text file, not a PNG.\n", "text file with a .png name"),
        ("bad/bomb.png", bomb, f"PNG declaring {side}x{side} RGB (3e10 bytes decoded) in {len(bomb)} bytes; "
                               "decompression bomb, must be refused before allocating"),
    ]
    out = []
    for rel, data, why in files:
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)
        t = epoch(NO_DATE_MTIME)
        os.utime(os.path.join(root, rel), (t, t))
        out.append(dict(path=rel, bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), expect="error",
                        reason=why))
    return out


# ------------------------------------------------------------------ checking
def verify(root: str, manifest: dict) -> None:
    """Reopens every file with Pillow: upright sizes as listed, bad files refused."""
    for e in manifest["files"]:
        with Image.open(os.path.join(root, e["path"])) as im:
            assert im.size == (e["stored_width"], e["stored_height"]), (e["path"], im.size)
            o = im.getexif().get(0x0112)
            assert o == e["orientation"], (e["path"], o)
            up = ImageOps.exif_transpose(im) if o else im
            assert up.size == (e["width"], e["height"]), (e["path"], up.size)
    for e in manifest["bad"]:
        try:
            with Image.open(os.path.join(root, e["path"])) as im:
                im.load()
        except (OSError, Image.DecompressionBombError, SyntaxError, ValueError):
            continue
        raise AssertionError(f"{e['path']} decoded although it should fail")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, required=True, help="number of photos (bad files not included)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bad", action="store_true", help="also write bad/ with files that must fail")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    if a.count < 1:
        ap.error("--count must be at least 1")
    t0 = time.time()
    out = a.output.rstrip("/")
    tmp = out + ".part"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    heic = pillow_heif is not None
    if not heic:
        print("  note: pillow-heif is not installed: the planned HEIC photos are written as JPEG")
    photos = plan(a.count, a.seed, heic)
    jobs = [(tmp, p) for p in photos]
    if a.jobs > 1:  # every photo has its own seed, so the output does not depend on the worker count
        with multiprocessing.Pool(a.jobs) as pool:
            files = pool.map(write_photo, jobs, chunksize=1)
    else:
        files = [write_photo(j) for j in jobs]
    files.sort(key=lambda e: e["path"])
    bad = write_bad(tmp) if a.bad else []
    index = {}
    for e in files:
        for wd in e["words"]:
            index.setdefault(wd["text"], []).append(e["path"])
    formats = {}
    for e in files:
        formats[e["format"]] = formats.get(e["format"], 0) + 1
    manifest = dict(
        generator="tools/photos/make_library.py", version=MANIFEST_VERSION, seed=a.seed, count=a.count,
        heic=heic, pillow=Image.__version__,
        pillow_heif=getattr(pillow_heif, "__version__", None),
        notes=["width/height: size after applying EXIF orientation; stored_width/stored_height: as encoded",
               "captured: EXIF DateTimeOriginal (JPEG only, local time without zone); null when absent",
               "mtime: file modification time set by the generator (UTC)",
               "words: text drawn upright, box [x0, y0, x1, y1] in upright pixels (ink, not the sign)",
               "bad: files that must be reported as failures, not crash or allocate the declared size"],
        formats=dict(sorted(formats.items())), words=dict(sorted(index.items())), files=files, bad=bad)
    with open(os.path.join(tmp, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    verify(tmp, manifest)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    total = sum(e["bytes"] for e in files)
    big = sum(1 for e in files if e["width"] * e["height"] >= 12_000_000)
    print(f"  {len(files)} photos ({', '.join(f'{k} {v}' for k, v in manifest['formats'].items())}; {big} at 12 MP; "
          f"{sum(1 for e in files if e['orientation'] not in (None, 1))} rotated/mirrored; "
          f"{sum(1 for e in files if e['words'])} with words), {len(bad)} bad files, {total / 1e6:.1f} MB")
    print(f"wrote {out} in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    sys.exit(main())

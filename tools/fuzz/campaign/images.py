"""Image mutators: header dimension fields of PNG, JPEG, GIF, WebP, TIFF and HEIF (checksums
fixed where the format has them), PNG scanlines re-compressed, and EXIF orientation.
"""

import os
import re
import struct
import zlib

from .mutate_bytes import mutate_bytes, pick_boundary


def png_chunks(data):
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    chunks, pos = [], 8
    while pos + 12 <= len(data):
        length = struct.unpack_from(">I", data, pos)[0]
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        chunks.append([kind, body])
        pos += 12 + length
    return chunks


def build_png(chunks):
    out = bytearray(b"\x89PNG\r\n\x1a\n")
    for kind, body in chunks:
        out += struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return bytes(out)


def mutate_png(rng, data):
    chunks = png_chunks(data)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return mutate_bytes(rng, data)
    kind = rng.choice(["dims", "dims", "format", "chunk", "idat", "order"])
    ihdr = bytearray(chunks[0][1])
    if kind == "dims":
        width, height = (rng.choice([0, 1, 13000, 65535, 2**31 - 1, 2**31, 2**32 - 1, 100_000_000])
                         for _ in range(2))
        struct.pack_into(">II", ihdr, 0, width, height)
        note = f"PNG IHDR {width}x{height}"
    elif kind == "format":
        ihdr[8] = rng.choice([0, 1, 2, 4, 8, 16, 255])
        ihdr[9] = rng.choice([0, 2, 3, 4, 6, 7])
        ihdr[12] = rng.choice([0, 1, 2])
        note = f"PNG IHDR depth {ihdr[8]} color {ihdr[9]} interlace {ihdr[12]}"
    elif kind == "chunk":
        index = rng.randrange(len(chunks))
        chunks[index][1], note = mutate_bytes(rng, chunks[index][1])
        note = f"PNG {chunks[index][0].decode('latin-1')} body: {note}"
    elif kind == "idat":
        return mutate_png_pixels(rng, chunks)
    else:
        index = rng.randrange(len(chunks))
        extra = list(chunks[index]) if rng.random() < 0.5 else [b"IHDR", bytes(ihdr)]
        chunks.insert(rng.randrange(len(chunks) + 1), extra)
        note = "PNG duplicated chunk"
    if kind != "chunk":
        chunks[0][1] = bytes(ihdr)
    return build_png(chunks), note + " (crc fixed)"


def mutate_png_pixels(rng, chunks):
    """Decompresses the pixel data, mutates the filtered scanlines, and compresses them again."""
    idat = b"".join(body for kind, body in chunks if kind == b"IDAT")
    try:
        raw = zlib.decompress(idat)
    except zlib.error:
        return build_png(chunks), "PNG IDAT undecodable"
    raw, note = mutate_bytes(rng, raw)
    rest = [c for c in chunks if c[0] != b"IDAT"]
    rest.insert(len(rest) - 1, [b"IDAT", zlib.compress(raw)])
    return build_png(rest), f"PNG scanlines: {note} (recompressed)"


JPEG_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def jpeg_segments(data):
    """(marker, offset of the segment length) of each segment before the scan."""
    segments, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        segments.append((marker, pos + 2))
        if marker == 0xDA:
            break
        pos += 2 + struct.unpack_from(">H", data, pos + 2)[0]
    return segments


def mutate_jpeg(rng, data):
    segments = jpeg_segments(data)
    sof = [offset for marker, offset in segments if marker in JPEG_SOF]
    kind = rng.choice(["sof", "sof", "sof", "length", "segment"])
    out = bytearray(data)
    if kind == "sof" and sof:
        at = sof[0]
        field = rng.choice(["dims", "dims", "precision", "components", "sampling"])
        if field == "dims":
            struct.pack_into(">HH", out, at + 3, *(rng.choice([0, 1, 8, 65500, 65535]) for _ in range(2)))
        elif field == "precision":
            out[at + 2] = rng.choice([0, 1, 12, 16, 255])
        elif field == "components":
            out[at + 7] = rng.choice([0, 2, 4, 5, 255])
        else:
            component = rng.randrange(min(max(out[at + 7], 1), 4))
            out[at + 9 + 3 * component] = rng.choice([0, 0xFF, 0x44, 0x41, 0x14])
        return bytes(out), f"JPEG SOF {field}: {struct.unpack_from('>HH', out, at + 3)}"
    if kind == "length" and segments:
        marker, at = rng.choice(segments)
        struct.pack_into(">H", out, at, rng.choice([0, 1, 2, 65535, struct.unpack_from(">H", out, at)[0] + 1]))
        return bytes(out), f"JPEG segment {marker:#x} length"
    return mutate_bytes(rng, data)


def gif_descriptor(data):
    """Offset of the first image descriptor (0x2C), or None."""
    pos = 13 + ((3 << ((data[10] & 7) + 1)) if data[10] & 0x80 else 0)
    while pos < len(data):
        if data[pos] == 0x2C:
            return pos
        if data[pos] != 0x21 or pos + 2 >= len(data):
            return None
        pos += 2
        while pos < len(data) and data[pos]:
            pos += data[pos] + 1
        pos += 1
    return None


def mutate_gif(rng, data):
    if len(data) < 13 or not data.startswith(b"GIF"):
        return mutate_bytes(rng, data)
    out = bytearray(data)
    kind = rng.choice(["screen", "image", "image", "lzw", "bytes"])
    values = [0, 1, 32768, 65535]
    if kind == "screen":
        struct.pack_into("<HH", out, 6, rng.choice(values), rng.choice(values))
        return bytes(out), f"GIF logical screen {struct.unpack_from('<HH', out, 6)}"
    at = gif_descriptor(data)
    if at is None or kind == "bytes" or at + 10 > len(out):
        return mutate_bytes(rng, data)
    if kind == "image":
        struct.pack_into("<HHHH", out, at + 1, *(rng.choice(values) for _ in range(4)))
        return bytes(out), f"GIF image descriptor {struct.unpack_from('<HHHH', out, at + 1)}"
    lzw_at = at + 10 + ((3 << ((out[at + 9] & 7) + 1)) if out[at + 9] & 0x80 else 0)
    if lzw_at < len(out):
        out[lzw_at] = rng.choice([0, 1, 12, 13, 255])
    return bytes(out), "GIF LZW minimum code size"


def riff_chunks(data):
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        size = struct.unpack_from("<I", data, pos + 4)[0]
        chunks.append((data[pos:pos + 4], pos))
        pos += 8 + size + (size & 1)
    return chunks


def mutate_webp(rng, data):
    if not data.startswith(b"RIFF"):
        return mutate_bytes(rng, data)
    out = bytearray(data)
    chunks = dict(riff_chunks(data))
    kind = rng.choice(["riff size", "chunk size", "dims", "dims", "bytes"])
    if kind == "riff size":
        struct.pack_into("<I", out, 4, pick_boundary(rng) % 2**32)
    elif kind == "chunk size" and chunks:
        at = rng.choice(sorted(chunks.values()))
        struct.pack_into("<I", out, at + 4, pick_boundary(rng) % 2**32)
    elif kind == "dims" and b"VP8X" in chunks and rng.random() < 0.5:
        at = chunks[b"VP8X"] + 12
        out[at:at + 6] = bytes(rng.choice([0, 0xFF]) for _ in range(6))
        kind = "VP8X canvas"
    elif kind == "dims" and b"VP8L" in chunks:
        at = chunks[b"VP8L"] + 9
        header = struct.unpack_from("<I", out, at)[0] & 0xF0000000  # alpha and version bits kept
        struct.pack_into("<I", out, at, header | rng.choice([0x0FFFFFFF, 0, 0x3FFF]))
        kind = "VP8L dims"
    elif kind == "dims" and b"VP8 " in chunks:
        at = chunks[b"VP8 "] + 8 + 6
        struct.pack_into("<HH", out, at, rng.choice([0, 0x3FFF, 0xFFFF]), rng.choice([0, 0x3FFF, 0xFFFF]))
        kind = "VP8 dims"
    else:
        return mutate_bytes(rng, data)
    return bytes(out), f"WebP {kind}"


TIFF_TAGS = {256: "ImageWidth", 257: "ImageLength", 258: "BitsPerSample", 259: "Compression",
             262: "Photometric", 273: "StripOffsets", 274: "Orientation", 277: "SamplesPerPixel",
             278: "RowsPerStrip", 279: "StripByteCounts", 284: "PlanarConfig", 317: "Predictor",
             320: "ColorMap", 322: "TileWidth", 323: "TileLength", 338: "ExtraSamples", 339: "SampleFormat"}


def mutate_tiff(rng, data):
    if data[:4] not in (b"II*\x00", b"MM\x00*"):
        return mutate_bytes(rng, data)
    order = "<" if data[:2] == b"II" else ">"
    out = bytearray(data)
    ifd = struct.unpack_from(order + "I", data, 4)[0]
    if ifd + 2 > len(data) or rng.random() < 0.1:
        struct.pack_into(order + "I", out, 4, pick_boundary(rng) % 2**32)
        return bytes(out), "TIFF IFD offset"
    count = struct.unpack_from(order + "H", data, ifd)[0]
    entries = [ifd + 2 + 12 * i for i in range(count) if ifd + 14 + 12 * i <= len(data)]
    if not entries:
        return mutate_bytes(rng, data)
    at = rng.choice(entries)
    tag, kind = struct.unpack_from(order + "HH", data, at)
    field = rng.choice(["value", "value", "count", "type"])
    if field == "value" and kind == 3:
        struct.pack_into(order + "H", out, at + 8, pick_boundary(rng) % 2**16)
    elif field == "value":
        struct.pack_into(order + "I", out, at + 8, pick_boundary(rng) % 2**32)
    elif field == "count":
        struct.pack_into(order + "I", out, at + 4, pick_boundary(rng) % 2**32)
    else:
        struct.pack_into(order + "H", out, at + 2, rng.randint(0, 20))
    return bytes(out), f"TIFF {TIFF_TAGS.get(tag, tag)} {field}"


HEIF_BOXES = [b"ftyp", b"meta", b"hdlr", b"pitm", b"iloc", b"iinf", b"infe", b"iref", b"iprp", b"ipco", b"ispe",
              b"hvcC", b"av1C", b"colr", b"pixi", b"ipma", b"irot", b"imir", b"clap", b"idat", b"mdat", b"thmb"]


def mutate_heif(rng, data):
    boxes = [(m.start() - 4, m.group()) for m in re.finditer(b"|".join(HEIF_BOXES), data) if m.start() >= 4]
    if not boxes or rng.random() < 0.2:
        return mutate_bytes(rng, data)
    out = bytearray(data)
    at, kind = rng.choice(boxes)
    ispe = [a for a, k in boxes if k == b"ispe"]
    if ispe and rng.random() < 0.35:
        at = rng.choice(ispe)
        struct.pack_into(">II", out, at + 12, *(pick_boundary(rng) % 2**32 for _ in range(2)))
        return bytes(out), f"HEIF ispe {struct.unpack_from('>II', out, at + 12)}"
    if rng.random() < 0.5:
        struct.pack_into(">I", out, at, pick_boundary(rng, struct.unpack_from(">I", out, at)[0]) % 2**32)
        return bytes(out), f"HEIF {kind.decode()} box size"
    size = struct.unpack_from(">I", data, at)[0]
    word = at + 8 + 4 * rng.randrange(max(1, min(size, len(data) - at) // 4 - 2))
    if word + 4 <= len(out):
        struct.pack_into(">I", out, word, pick_boundary(rng) % 2**32)
    return bytes(out), f"HEIF {kind.decode()} body word"


def mutate_exif_orientation(rng, data):
    """Sets every EXIF Orientation (tag 0x0112, SHORT) to a hostile value."""
    value = rng.choice([0, 9, 255, 65535, 5, 8])
    out = bytearray(data)
    hits = 0
    for pattern, order in ((b"\x01\x12\x00\x03", ">H"), (b"\x12\x01\x03\x00", "<H")):
        for match in re.finditer(re.escape(pattern), data):
            if match.start() + 10 <= len(out):
                struct.pack_into(order, out, match.start() + 8, value)
                hits += 1
    if not hits:
        return mutate_bytes(rng, data)
    return bytes(out), f"EXIF orientation {value}"


IMAGE_MUTATORS = {".png": mutate_png, ".jpg": mutate_jpeg, ".gif": mutate_gif, ".webp": mutate_webp,
                  ".tif": mutate_tiff, ".heic": mutate_heif}


def mutate_image(rng, name, data):
    roll = rng.random()
    if roll < 0.1:
        return mutate_exif_orientation(rng, data)
    if roll < 0.45:
        return mutate_bytes(rng, data)
    data, note = IMAGE_MUTATORS[os.path.splitext(name)[1]](rng, data)
    if roll > 0.9:
        data, more = mutate_bytes(rng, data, 1)
        note += "; " + more
    return data, note

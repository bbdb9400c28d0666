"""Crafted inputs: bombs that are small on disk and huge when decoded (PNG, gzip), images whose
headers alone are over the limits, and a valid probability map for `regions`.
"""

import struct
import zlib

from .images import build_png
from .npy import npy_bytes


def repeated_deflate(chunk, count):
    """A raw deflate stream of `chunk` repeated `count` times, compressing the chunk only once."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    return segment * count + compressor.flush(zlib.Z_FINISH)


def png_bomb(width, height, channels=3, rows_per_chunk=64):
    """A PNG of zero pixels whose IDAT is tiny for its size (filter 0 scanlines)."""
    row = bytes(1 + width * channels)
    chunk_rows = max(d for d in range(1, min(rows_per_chunk, height) + 1) if height % d == 0)
    count = height // chunk_rows
    body = repeated_deflate(row * chunk_rows, count)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(row * chunk_rows, checksum)
    idat = b"\x78\xda" + body + struct.pack(">I", checksum)
    color = {1: 0, 3: 2}[channels]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    return build_png([[b"IHDR", ihdr], [b"IDAT", idat], [b"IEND", b""]])


def gzip_bomb(line, total_bytes):
    chunk = line * ((1 << 20) // len(line))
    count = total_bytes // len(chunk)
    checksum = 0
    for _ in range(count):
        checksum = zlib.crc32(chunk, checksum)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", checksum, (len(chunk) * count) & 0xFFFFFFFF)
    return header + repeated_deflate(chunk, count) + trailer


def png_header_only(width, height):
    """IHDR and IEND, no pixel data."""
    return build_png([[b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)], [b"IEND", b""]])


def jpeg_header_only(width, height):
    """SOI + a baseline SOF0 of the given size + EOI: no tables, no scan."""
    sof = struct.pack(">BBHBHHB", 0xFF, 0xC0, 17, 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    return b"\xff\xd8" + sof + b"\xff\xd9"


def gif_screen(width, height):
    """A 1×1 GIF frame on a huge logical screen."""
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00\x3b")


def probability_map():
    """float32 [1, 1, 32, 32] with one bright square: a valid `regions` input."""
    values = [0.9 if 8 <= y < 20 and 4 <= x < 28 else 0.05 for y in range(32) for x in range(32)]
    return npy_bytes("<f4", (1, 1, 32, 32), struct.pack("<1024f", *values))

"""Renders a calibration set for the OCR models: text lines and text pages drawn with Pillow's
default scalable font (Aileron, shipped inside Pillow), dark text on light paper with small
variations of ink, paper, size and position. Nothing here is measured on: the tests score the
OCR models on skimage's page.png, which is not among these images.

Usage: make_text_calibration.py OUT_DIR   (writes OUT_DIR/lines/*.png and OUT_DIR/pages/*.png)
Deterministic for a given Pillow version (seeded random, no system fonts).
"""
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WORDS = """the of and to in is that for it as with was on be by this are or from at an which have not
but they more one all has their can were been its there also these other new some would when may into
than only two time first about what any such then out them many most over after between each used
image pixel value region object background marker label segmentation threshold filter edge noise
contrast histogram gradient feature sample model layer scale channel signal frequency measure detect
count coins cells text page line word letter number table figure result method data set test train
quantum energy light water stone paper river mountain city garden window morning evening winter
summer north south east west green blue red black white grey yellow orange purple brown silver
Let Here These When However Because Although First Second Finally Note See Table Figure Section
1 2 3 4 5 10 12 25 50 100 2024 3.14 0.5 42 7 8 9 ( ) , . : ; - % = + /""".split()


def sentence(rng, words):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    if rng.random() < 0.5:
        text = text[0].upper() + text[1:]
    return text + rng.choice(["", ".", ",", ":", ";"])


def paper_and_ink(rng):
    paper = rng.randint(215, 255)
    ink = rng.randint(0, 70)
    return paper, ink


def text_line(rng, index):
    size = rng.randint(26, 38)
    font = ImageFont.load_default(size=size)
    text = sentence(rng, rng.randint(2, 9))
    paper, ink = paper_and_ink(rng)
    left, top, right, bottom = font.getbbox(text)
    width, height = right - left + 2 * rng.randint(2, 10), 48
    image = Image.new("RGB", (width, height), (paper,) * 3)
    ImageDraw.Draw(image).text((rng.randint(2, 10) - left, (height - (bottom - top)) // 2 - top), text,
                               font=font, fill=(ink,) * 3)
    return image


def text_page(rng, index):
    width, height = rng.choice([(800, 400), (900, 600), (1000, 500), (700, 700)])
    paper, ink = paper_and_ink(rng)
    image = Image.new("RGB", (width, height), (paper,) * 3)
    draw = ImageDraw.Draw(image)
    y = rng.randint(5, 30)
    while y < height - 40:
        size = rng.randint(14, 30)
        font = ImageFont.load_default(size=size)
        draw.text((rng.randint(5, 40), y), sentence(rng, rng.randint(3, 10)), font=font, fill=(ink,) * 3)
        y += int(size * rng.uniform(1.3, 2.2))
    return image


def main():
    out = Path(sys.argv[1])
    rng = random.Random(20261202)
    for kind, count, make in (("lines", 32, text_line), ("pages", 8, text_page)):
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(count):
            make(rng, index).save(folder / f"{kind[:-1]}-{index:02d}.png")
    print(f"wrote {out}/lines (32 text lines, 48 px high) and {out}/pages (8 pages)")


if __name__ == "__main__":
    main()

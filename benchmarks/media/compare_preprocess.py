"""Photo → CLIP input: Edgeflow against Pillow's fastest path, on the same files, in one run.

Makes (once, into benchmarks/media/cache/) 12-megapixel JPEGs like phone photos: 4000×3000,
4:2:0, a noisy q90, a q95 and a smooth q90 one. Then, one core each, best and median of
--iterations runs per file:

  Pillow    Image.open → draft("RGB", (224, 224)) (libjpeg's scaled IDCT) → convert("RGB")
            → resize shorter side to 224 (BICUBIC) → center crop → float32 NCHW, CLIP mean/std
  Edgeflow  edgeflow-media-bench: the same steps through EFMedia (TurboJPEG scaled decode,
            Pillow-exact bicubic, the clip recipe, tensor packing)

and prints the ratio Pillow time / Edgeflow time (> 1: Edgeflow is faster), plus the largest
difference between the two tensors (both use libjpeg-turbo's scaled IDCT; Pillow's wheel
bundles its own libjpeg-turbo, Edgeflow uses Debian's).

    swift build -c release --product edgeflow-media-bench
    .venv/bin/python benchmarks/media/compare_preprocess.py [--iterations 10] [--files a.jpg ...]

Needs numpy and Pillow (the .venv of scripts/setup.sh has both).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
import PIL
import PIL.features

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(__file__).resolve().parent / "cache"
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def make_photos() -> list[Path]:
    """Three deterministic 12 MP JPEGs (made once): smooth gradients plus sensor-like noise."""
    CACHE.mkdir(parents=True, exist_ok=True)
    specs = [("noisy-q90.jpg", 6.0, 90), ("q95.jpg", 6.0, 95), ("smooth-q90.jpg", 1.5, 90)]
    paths = []
    rng = np.random.default_rng(4)
    height, width = 3000, 4000
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    base = np.stack([200 * x + 30 * np.sin(9 * y), 160 * y + 60 * np.cos(7 * x * y),
                     120 + 80 * np.sin(5 * x + 3 * y)], axis=-1)
    for name, noise, quality in specs:
        path = CACHE / name
        paths.append(path)
        if path.exists():
            continue
        pixels = base + rng.normal(0, noise, size=base.shape).astype(np.float32)
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
        image.save(path, quality=quality, subsampling="4:2:0")
        print(f"made {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB)")
    return paths


def pillow_clip(path: Path, size: int) -> np.ndarray:
    """Pillow's fastest CLIP preprocessing: draft decode, bicubic shorter side, crop, normalize."""
    image = Image.open(path)
    image.draft("RGB", (size, size))
    image = image.convert("RGB")
    width, height = image.size
    if width <= height:
        new_size = (size, int(size * height / width))
    else:
        new_size = (int(size * width / height), size)
    image = image.resize(new_size, Image.Resampling.BICUBIC)
    left = int(round((new_size[0] - size) / 2.0))
    top = int(round((new_size[1] - size) / 2.0))
    image = image.crop((left, top, left + size, top + size))
    pixels = np.asarray(image, dtype=np.float32) / np.float32(255)
    return ((pixels - MEAN) / STD).transpose(2, 0, 1)[None]


def time_pillow(path: Path, size: int, iterations: int) -> tuple[float, float, np.ndarray]:
    result = pillow_clip(path, size)  # warm-up
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        pillow_clip(path, size)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[0], times[len(times) // 2], result


def run_edgeflow(files: list[Path], size: int, iterations: int, save_dir: Path) -> dict:
    binary = ROOT / ".build" / "release" / "edgeflow-media-bench"
    if not binary.exists():
        sys.exit(f"{binary} is missing: run `swift build -c release --product edgeflow-media-bench` first")
    command = [str(binary), "--recipe", "clip", "--size", str(size), "--iterations", str(iterations),
               "--save-dir", str(save_dir), "--json", *map(str, files)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"edgeflow-media-bench failed ({out.returncode}):\n{out.stderr}")
    return {entry["file"]: entry for entry in json.loads(out.stdout)["files"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--files", nargs="*", type=Path, help="JPEGs to use instead of the generated 12 MP ones")
    args = parser.parse_args()
    files = [path.resolve() for path in args.files] if args.files else make_photos()

    print(f"Pillow {PIL.__version__} (libjpeg-turbo {PIL.features.version('libjpeg_turbo')}), numpy {np.__version__}; "
          f"one core each, best/median of {args.iterations}")
    with tempfile.TemporaryDirectory() as save_dir:
        ours = run_edgeflow(files, args.size, args.iterations, Path(save_dir))
        print(f"{'file':<16} {'pixels':>11} {'Pillow ms':>16} {'Edgeflow ms':>16} {'decode ms':>10} "
              f"{'ratio':>6}  max |diff|  decoded at")
        ratios = []
        for path in files:
            best, median, reference = time_pillow(path, args.size, args.iterations)
            entry = ours[str(path)]
            mine = np.load(entry["tensor"])
            difference = float(np.abs(mine - reference).max())
            ratio = best / (entry["totalMs"]["best"] / 1e3)
            ratios.append(ratio)
            with Image.open(path) as image:
                pixels = f"{image.size[0]}×{image.size[1]}"
            print(f"{path.name:<16} {pixels:>11} {best * 1e3:7.1f} / {median * 1e3:6.1f} "
                  f"{entry['totalMs']['best']:7.1f} / {entry['totalMs']['median']:6.1f} "
                  f"{entry['decodeMs']['best']:10.1f} {ratio:5.2f}×  {difference:9.2e}  {entry['reduction']}")
    geometric = float(np.exp(np.mean(np.log(ratios))))
    print(f"geometric mean: Edgeflow is {geometric:.2f}× Pillow's speed (> 1 is faster)")


if __name__ == "__main__":
    main()

"""Seeds: the models, archives (parsed by the binary), .npy files, photos, vocabulary and crafted
bombs that every case is made from, loaded or generated once into OUT/seeds.
"""

import glob
import gzip
import os
import time

from .archive import normalize_archive
from .bombs import gif_screen, gzip_bomb, jpeg_header_only, png_bomb, png_header_only, probability_map
from .common import GOLDENS, SEED_PARSE_ARGS, VOCAB_GZ, read, write
from .images import IMAGE_MUTATORS
from .protobuf import onnx_input_names, tensor_proto_to_npy


class Seeds:
    """Everything cases are made from, loaded or generated once into OUT/seeds."""

    def __init__(self, runner, directory, log):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.models = self.load_models()
        self.archives = self.make_archives(runner, log)
        self.npys = self.load_npys()
        self.images = self.load_images()
        self.regions_map = probability_map()
        with gzip.open(VOCAB_GZ, "rb") as vocab:
            self.vocab_text = vocab.read()
        self.crafted = self.make_crafted(log)

    @staticmethod
    def load_models():
        """[(name, model bytes, [(input name, .npy bytes)])] for tiny.onnx and the small op cases."""
        tiny = os.path.join(GOLDENS, "cli", "tiny.onnx")
        models = [("tiny", read(tiny), [("images", read(os.path.join(GOLDENS, "cli", "tiny_images.npy")))])]
        for path in sorted(glob.glob(os.path.join(GOLDENS, "ort-op-cases", "*", "model.onnx"))):
            if os.path.getsize(path) > 64 << 10:
                continue
            data = read(path)
            names = onnx_input_names(data)
            inputs = []
            for index, name in enumerate(names):
                pb = os.path.join(os.path.dirname(path), "test_data_set_0", f"input_{index}.pb")
                converted = tensor_proto_to_npy(read(pb)) if os.path.exists(pb) else None
                if converted:
                    inputs.append((name, converted[1]))
            models.append((os.path.basename(os.path.dirname(path)), data, inputs))
        return models

    def make_archives(self, runner, log):
        """Each seed model parsed by the binary, then rewritten with fixed dates (deterministic bytes)."""
        archives = []
        folder = os.path.join(self.directory, "archives")
        os.makedirs(folder, exist_ok=True)
        for name, data, inputs in self.models:
            model_path = os.path.join(folder, name + ".onnx")
            write(model_path, data)
            result = runner.run(["parse", name + ".onnx", "-o", name + ".efa"] + SEED_PARSE_ARGS.get(name, []), folder)
            if result.code != 0:
                log(f"seed {name}: parse exit {result.code}, skipped as an archive seed")
                continue
            archives.append((name, normalize_archive(read(os.path.join(folder, name + ".efa"))), inputs))
        log(f"seeds: {len(self.models)} models, {len(archives)} archives")
        return archives

    def load_npys(self):
        paths = [p for p in sorted(glob.glob(os.path.join(GOLDENS, "**", "*.npy"), recursive=True))
                 if os.path.getsize(p) <= 16 << 10]
        npys = [(os.path.relpath(p, GOLDENS), read(p)) for p in paths]
        for name, _, inputs in self.models:
            npys += [(f"{name}:{input_name}", body) for input_name, body in inputs]
        return npys

    @staticmethod
    def load_images():
        names = sorted(os.listdir(os.path.join(GOLDENS, "media-decode")))
        return [(n, read(os.path.join(GOLDENS, "media-decode", n))) for n in names
                if os.path.splitext(n)[1] in IMAGE_MUTATORS]

    def make_crafted(self, log):
        """Bombs, cached in the seeds directory (they take a few seconds to make)."""
        started = time.monotonic()
        recipes = {
            "png_13000x13000.png": lambda: png_bomb(13000, 13000),
            "png_1x100000000.png": lambda: png_bomb(1, 100_000_000, 1, rows_per_chunk=100_000),
            "png_100000000x1.png": lambda: png_bomb(100_000_000, 1, 1, rows_per_chunk=1),
            "png_20000x20000_header.png": lambda: png_header_only(20000, 20000),
            "jpeg_65500x65500_header.jpg": lambda: jpeg_header_only(65500, 65500),
            "gif_65535x65535_screen.gif": lambda: gif_screen(65535, 65535),
            "vocab_bomb_lines.txt.gz": lambda: gzip_bomb(b"a b\n", 6 << 30),
            "vocab_bomb_one_line.txt.gz": lambda: gzip_bomb(b"a", 6 << 30),
        }
        paths = {}
        for name, make in recipes.items():
            path = os.path.join(self.directory, name)
            if not os.path.exists(path):
                write(path, make())
            paths[name] = path
        log(f"crafted inputs ready in {time.monotonic() - started:.1f} s")
        return paths

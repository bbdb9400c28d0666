"""Cases: files written into a fresh directory and the commands run there, and the builders of
the models, archives, npy and images categories (random and fixed cases).
"""

import os
import random

from .archive import mutate_archive
from .common import SEED_PARSE_ARGS
from .images import IMAGE_MUTATORS, mutate_image
from .mutate_bytes import mutate_bytes
from .npy import mutate_npy, shape_text
from .protobuf import mutate_protobuf, onnx_node_names


class Step:
    def __init__(self, verb, args, gated):
        self.verb, self.args, self.gated = verb, args, gated


class Case:
    def __init__(self, category, index, seed):
        self.category, self.index = category, index
        self.rng = random.Random(f"{seed}/{category}/{index}")
        self.files, self.links, self.steps, self.notes = {}, {}, [], []

    def add_file(self, name, data):
        self.files[name] = data
        return name

    def add_copy(self, name, path):
        """A seed file used unchanged (copied into the case so a finding is self-contained)."""
        self.links[name] = path
        return name

    def add_step(self, verb, *args, gated=False):
        """gated: run only when the previous step succeeded (exit 0)."""
        self.steps.append(Step(verb, [verb] + list(args), gated))


def infer_args(case, inputs, reference=None):
    args = []
    for position, (name, body) in enumerate(inputs):
        args += ["--input", f"{name}={case.add_file(f'input{position}.npy', body)}"]
    args += ["--output-dir", "out"]
    if case.rng.random() < 0.3 if reference is None else reference:
        args.append("--reference")
    return args


def build_models_case(case, seeds):
    rng = case.rng
    name, data, inputs = rng.choice(seeds.models)
    mutate = mutate_protobuf if rng.random() < 0.65 else mutate_bytes
    model, note = mutate(rng, data)
    case.notes.append(f"seed {name}: {note}")
    args = [case.add_file("model.onnx", model), "-o", "model.efa"]
    if rng.random() < 0.15:
        names = onnx_node_names(data) or ["relu"]
        args += [rng.choice(["--end-node-names", "--start-node-names"]), rng.choice(names)]
    if rng.random() < 0.1:
        first_input = (inputs or [("images", b"")])[0][0]
        args += ["--input-shape", f"{first_input}={rng.choice(['1,3,4,4', '2', '0,0', '1,1,1,1,1'])}"]
    else:
        args += SEED_PARSE_ARGS.get(name, [])
    case.add_step("parse", *args)
    case.add_step("inspect", "model.efa", "--graph", gated=True)
    case.add_step("infer", "model.efa", *infer_args(case, inputs), gated=True)


def build_archives_case(case, seeds):
    rng = case.rng
    name, data, inputs = rng.choice(seeds.archives)
    archive, note = mutate_archive(rng, data)
    case.notes.append(f"seed {name}.efa: {note}")
    case.add_file("model.efa", archive)
    case.add_step("inspect", "model.efa", "--graph", *(["--json"] if rng.random() < 0.5 else []))
    case.add_step("infer", "model.efa", *infer_args(case, inputs))
    if rng.random() < 0.15:
        case.add_step("benchmark", "model.efa", "--iterations", "1", "--warmup", "0", "--threads", "1")


def build_npy_case(case, seeds):
    rng = case.rng
    if rng.random() < 0.6:
        name, archive, inputs = rng.choice([a for a in seeds.archives if a[2]])
        inputs = list(inputs)
        position = rng.randrange(len(inputs))
        body, note = mutate_npy(rng, inputs[position][1])
        inputs[position] = (inputs[position][0], body)
        case.notes.append(f"archive {name}, input {inputs[position][0]}: {note}")
        case.add_file("model.efa", archive)
        case.add_step("infer", "model.efa", *infer_args(case, inputs))
        return
    name, body = rng.choice(seeds.npys + [("regions map", seeds.regions_map)] * 8)
    body, note = mutate_npy(rng, body)
    case.notes.append(f"regions on {name}: {note}")
    case.add_step("regions", case.add_file("map.npy", body), *(["--json"] if rng.random() < 0.3 else []))


RECIPES = ["clip", "siglip", "scrfd", "ocr-det", "ocr-rec"]


def preprocess_args(rng):
    args = ["--recipe", rng.choice(RECIPES), "-o", "out.npy"]
    if rng.random() < 0.3:
        args += ["--layout", "nhwc-u8"]
    if rng.random() < 0.3:
        args.append("--fast")
    if rng.random() < 0.3:
        args += ["--png", "out.png"]
    if rng.random() < 0.15:
        args += ["--size", rng.choice(["1", "2", "7", "64", "224", "960"])]
    return args


def build_images_case(case, seeds):
    rng = case.rng
    extension = rng.choice(sorted(IMAGE_MUTATORS))  # every format equally often, whatever the seed counts
    name, data = rng.choice([image for image in seeds.images if image[0].endswith(extension)])
    data, note = mutate_image(rng, name, data)
    case.notes.append(f"seed {name}: {note}")
    image = case.add_file("image" + os.path.splitext(name)[1], data)
    case.add_step("preprocess", image, *preprocess_args(rng))


def fixed_image_cases(seeds):
    crafted = seeds.crafted
    big = crafted["png_13000x13000.png"]
    return [
        ("13000x13000 PNG (0.5 MB) with the OCR detection recipe", big, ["--recipe", "ocr-det"]),
        ("13000x13000 PNG (0.5 MB) with the OCR recognition recipe", big, ["--recipe", "ocr-rec"]),
        ("13000x13000 PNG (0.5 MB) with the CLIP recipe", big, ["--recipe", "clip"]),
        ("1x100000000 PNG, OCR recognition", crafted["png_1x100000000.png"], ["--recipe", "ocr-rec"]),
        ("1x100000000 PNG, CLIP", crafted["png_1x100000000.png"], ["--recipe", "clip"]),
        ("100000000x1 PNG, OCR detection", crafted["png_100000000x1.png"], ["--recipe", "ocr-det"]),
        ("100000000x1 PNG, SCRFD", crafted["png_100000000x1.png"], ["--recipe", "scrfd"]),
        ("20000x20000 PNG header over the pixel limit", crafted["png_20000x20000_header.png"], ["--recipe", "clip"]),
        ("65500x65500 JPEG header, --max-pixels Int.max", crafted["jpeg_65500x65500_header.jpg"],
         ["--max-pixels", "9223372036854775807"]),
        ("65535x65535 GIF screen with a 1x1 frame", crafted["gif_65535x65535_screen.gif"], ["--recipe", "clip"]),
    ]


def fixed_npy_cases():
    return [(f"shape {shape_text(shape)[:60]}", shape) for shape in
            [(2**62, 3, 4, 4), (2**63 - 1,), (2,) * 64, (2**32, 2**32), (-1, 3, 4, 4), (1, 3, 4, 2**61)]]

"""The options category: every numeric option of every verb on an otherwise valid command, with
hostile values, then random combinations.
"""

from .cases import RECIPES, infer_args
from .common import VOCAB_GZ
from .tokenizer_cases import random_text


OPTION_VALUES = ["0", "-1", "1", "2", "0.5", "-0", "1e308", "-1e308", "1e-45", "nan", "inf", "-inf",
                 "2147483647", "2147483648", "4294967296", "1000000", "4611686018427387904",
                 "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                 "9999999999999999999999", "0x10", ""]


def option_specs():
    """[(label, function(case, seeds, value) -> adds the step)] for each numeric option."""
    specs = []
    for verb, option in [("infer", "--threads"), ("benchmark", "--threads"), ("benchmark", "--iterations"),
                         ("benchmark", "--warmup"), ("benchmark", "--batch")]:
        specs.append((f"{verb} {option}", lambda case, seeds, v, verb=verb, option=option:
                      run_on_tiny(case, seeds, verb, [option, v])))
    for recipe in RECIPES:
        specs.append((f"preprocess --recipe {recipe} --size", lambda case, seeds, v, recipe=recipe:
                      preprocess_with(case, seeds, "tiny_png.png", ["--recipe", recipe, "--size", v])))
    specs += [
        ("preprocess --max-pixels (tiny PNG)",
         lambda c, s, v: preprocess_with(c, s, "tiny_png.png", ["--max-pixels", v])),
        ("preprocess --max-pixels (65500x65500 JPEG header)", lambda c, s, v: preprocess_crafted(
            c, s, "jpeg_65500x65500_header.jpg", ["--max-pixels", v])),
        ("preprocess --max-pixels (13000x13000 PNG, ocr-det)", lambda c, s, v: preprocess_crafted(
            c, s, "png_13000x13000.png", ["--recipe", "ocr-det", "--max-pixels", v])),
        ("preprocess --mean", lambda c, s, v: preprocess_with(c, s, "tiny_jpeg.jpg", ["--mean", f"{v},{v},{v}"])),
        ("preprocess --std", lambda c, s, v: preprocess_with(c, s, "tiny_jpeg.jpg", ["--std", f"0.5,{v},0.5"])),
        ("tokenize --context-length", lambda c, s, v: c.add_step("tokenize", "a photo of a cat", "--vocab", VOCAB_GZ,
                                                                 "--context-length", v, "-o", "ids.npy")),
        ("tokenize --context-length --no-truncate", lambda c, s, v: c.add_step(
            "tokenize", "a photo of a cat", "--vocab", VOCAB_GZ, "--context-length", v, "--no-truncate")),
        ("regions --threshold", lambda c, s, v: regions_with(c, s, ["--threshold", v])),
        ("regions --min-score", lambda c, s, v: regions_with(c, s, ["--min-score", v])),
        ("parse --input-shape images=V,3,4,4", lambda c, s, v: parse_tiny(c, s, f"images={v},3,4,4")),
        ("parse --input-shape images=1,3,V,V", lambda c, s, v: parse_tiny(c, s, f"images=1,3,{v},{v}")),
    ]
    return specs


def tiny_archive(seeds):
    return next(a for a in seeds.archives if a[0] == "tiny")


def run_on_tiny(case, seeds, verb, options):
    _, archive, inputs = tiny_archive(seeds)
    case.add_file("model.efa", archive)
    if verb == "infer":
        case.add_step("infer", "model.efa", *infer_args(case, inputs, reference=False), *options)
    else:
        defaults = {"--iterations": "1", "--warmup": "0"}
        for option, _ in zip(options[::2], options[1::2]):
            defaults.pop(option, None)
        case.add_step("benchmark", "model.efa", *[x for pair in defaults.items() for x in pair], *options)


def preprocess_with(case, seeds, image, options):
    data = dict(seeds.images)[image]
    case.add_step("preprocess", case.add_file(image, data), "-o", "out.npy", *options)


def preprocess_crafted(case, seeds, name, options):
    case.add_step("preprocess", case.add_copy(name, seeds.crafted[name]), "-o", "out.npy", *options)


def regions_with(case, seeds, options):
    case.add_step("regions", case.add_file("map.npy", seeds.regions_map), *options)


def parse_tiny(case, seeds, shape):
    case.add_step("parse", case.add_file("tiny.onnx", seeds.models[0][1]), "-o", "tiny.efa", "--input-shape", shape)


def random_option_case(case, seeds, specs):
    """Two or three hostile values at once on one verb, or a shape with many dimensions."""
    rng = case.rng
    if rng.random() < 0.25:
        dims = ",".join(rng.choice(["65536", "2", "4294967296", "1"]) for _ in range(rng.choice([5, 9, 40, 200])))
        case.notes.append("input shape with many dims")
        return parse_tiny(case, seeds, "images=" + dims)
    values = [rng.choice(OPTION_VALUES) for _ in range(3)]
    verb = rng.choice(["benchmark", "preprocess", "tokenize"])
    case.notes.append(f"{verb} with {values}")
    if verb == "benchmark":
        options = ["--iterations", values[0], "--warmup", values[1], "--threads", values[2]]
        return run_on_tiny(case, seeds, "benchmark", options)
    if verb == "preprocess":
        return preprocess_with(case, seeds, "tiny_png.png", ["--recipe", rng.choice(RECIPES), "--size", values[0],
                                                             "--max-pixels", values[1], "--std", f"{values[2]},1,1"])
    return case.add_step("tokenize", random_text(rng), "--vocab", VOCAB_GZ, "--context-length", values[0])

#!/usr/bin/env python3
"""Goldens for the generated models (tools/models): onnxruntime outputs on fixed inputs.

  make_generated_goldens.py [--set small|full|all] [--no-f64]

small: regenerates the committed models in Tests/Goldens/models/ (they must
       come out byte-identical; a change is reported) and their goldens.
full:  uses .testdata/models/generated/ (scripts/setup.sh makes them; missing or
       stale ones are regenerated here) and records each model's sha256, so a
       Swift test can tell "regenerate" from "wrong".

Inputs (committed):
  Tests/Goldens/inputs/astronaut_224.npy  [1,3,224,224] f32: skimage astronaut.png,
      Pillow BICUBIC resize 512->224, /255, CLIP mean/std normalisation (shared
      by the full-size CLIP/TinyCLIP vision towers and ResNet-50)
  Tests/Goldens/inputs/clip_tokens_77.npy [1,77] i64: "A dog playing in the SNOW!"
      (CLIP BPE: SOT 49406 ... EOT 49407 at position 8, zero padded)
  small cases keep their (smaller) inputs in their own folders.

Tolerance 1e-4 max abs for every output: the outputs are O(1) by construction
(LayerNorm before the projections, scaled ResNet head, BERT post-LN and tanh);
onnxruntime float32 lies within a few 1e-6 of a float64 evaluation (recorded
per case as float64_reference_max_abs_diff unless --no-f64).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models"))
import generate_all  # noqa: E402
from goldenlib import (GOLDENS, TESTDATA, absolute, ort_run, reference_f64, rel, require,  # noqa: E402
                       save_npy, sha256_file, write_case)

GENERATOR = "tools/goldens/make_generated_goldens.py"
TOLERANCE = 1e-4
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
SNOW_TOKENS = [49406, 320, 1929, 1629, 530, 518, 2583, 256, 49407]  # "A dog playing in the SNOW!"


def astronaut(size: int) -> np.ndarray:
    from PIL import Image
    im = Image.open(require(os.path.join(TESTDATA, "images", "astronaut.png"))).convert("RGB")
    im = im.resize((size, size), Image.BICUBIC)
    x = np.asarray(im, dtype=np.uint8).astype(np.float32) / np.float32(255.0)
    x = (x - CLIP_MEAN) / CLIP_STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]).astype(np.float32)


def tokens(ids, context=77) -> np.ndarray:
    a = np.zeros((1, context), dtype=np.int64)
    a[0, :len(ids)] = ids
    return a


def bert_inputs():
    ids = np.array([[2, 45, 318, 77, 901, 12, 3, 64, 129, 3, 0, 0, 0, 0, 0, 0]], dtype=np.int64)
    mask = np.zeros_like(ids)
    mask[0, :10] = 1
    tt = np.zeros_like(ids)
    tt[0, 7:10] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": tt}


def model_entry(set_name: str, case: str):
    for name, script, args, c in generate_all.MODELS[set_name]:
        if c == case:
            return name, script, args
    raise KeyError(case)


def run_case(set_name: str, case: str, model: str, feeds: dict, description: str, f64: bool,
             shared_inputs: dict = None):
    name, script, args = model_entry(set_name, case)
    origin = (f"generated: python tools/models/{script} {' '.join(args)} -o {model}  "
              f"(tools/models/generate_all.py --set {set_name}"
              + ("; scripts/setup.sh)" if set_name == "full" else ")"))
    outs = ort_run(model, feeds)
    extra = {"output_abs_max": {k: float(np.abs(v).max()) for k, v in outs.items()}}
    if f64:
        ref = reference_f64(model, feeds)
        extra["float64_reference_max_abs_diff"] = {k: float(np.abs(outs[k].astype(np.float64) - ref[k]).max())
                                                   for k in outs}
    inputs = dict(feeds)
    inputs.update(shared_inputs or {})
    write_case(case, description=description, model=rel(absolute(model)), inputs=inputs, outputs=outs,
               tolerance=TOLERANCE, generator=GENERATOR, model_origin=origin, extra=extra)
    for k, v in outs.items():
        msg = f"    {k} {list(v.shape)} |max| {np.abs(v).max():.4f}"
        if f64:
            msg += f", vs float64 {extra['float64_reference_max_abs_diff'][k]:.2e}"
        print(msg)


def small(f64: bool):
    before = {}
    mdir = os.path.join(GOLDENS, "models")
    for name, *_ in generate_all.MODELS["small"]:
        p = os.path.join(mdir, name)
        before[name] = sha256_file(p) if os.path.exists(p) else None
    generate_all.main(["--set", "small", "--outdir", mdir])
    for name, sha in before.items():
        now = sha256_file(os.path.join(mdir, name))
        if sha is not None and sha != now:
            print(f"[goldens] NOTE: committed model {name} changed ({sha[:12]} -> {now[:12]})")
    M = lambda n: os.path.join("Tests", "Goldens", "models", n)  # noqa: E731
    run_case("small", "clip_vitb32_vision_small", M("clip-vit-b32-vision-small.onnx"),
             {"pixel_values": astronaut(32)},
             "CLIP ViT-B/32-style image tower, small config (32x32, patch 8, width 64, 2 layers), random "
             "weights; input: astronaut.png resized to 32x32 (Pillow bicubic), CLIP-normalised", f64)
    run_case("small", "clip_vitb32_text_small", M("clip-vit-b32-text-small.onnx"),
             {"input_ids": tokens([1022, 17, 345, 99, 512, 7, 1023])},
             "CLIP text tower, small config (vocab 1024, context 77, width 64, 2 layers), random weights; "
             "decomposed LayerNorm, causal mask, EOT (max id 1023, position 6) ArgMax/GatherND pooling", f64)
    run_case("small", "tinyclip_vit39m16_vision_small", M("tinyclip-vit-39m16-vision-small.onnx"),
             {"pixel_values": astronaut(64)},
             "TinyCLIP ViT-39M/16-style image tower, small config (64x64, patch 16, width 64, 2 layers, "
             "4 heads), random weights; input: astronaut.png at 64x64, CLIP-normalised", f64)
    run_case("small", "resnet50_small", M("resnet50-small.onnx"), {"input": astronaut(64)},
             "ResNet-50 layout, small config (width 8, one bottleneck per stage, 64x64, 10 classes), "
             "random weights incl. BatchNormalization statistics; input: astronaut.png at 64x64", f64)
    run_case("small", "bert_small", M("bert-small.onnx"), bert_inputs(),
             "BERT encoder, small config (vocab 1000, hidden 64, 2 layers, 2 heads), random weights; "
             "sequence 16 with 6 padded positions (attention_mask 0) and two token types", f64)


def full(f64: bool):
    gdir = os.path.join(TESTDATA, "models", "generated")
    generate_all.main(["--set", "full", "--outdir", gdir])
    img = os.path.join(GOLDENS, "inputs", "astronaut_224.npy")
    tok = os.path.join(GOLDENS, "inputs", "clip_tokens_77.npy")
    save_npy(img, astronaut(224))
    save_npy(tok, tokens(SNOW_TOKENS))
    x = np.load(img)
    t = np.load(tok)
    G = lambda n: os.path.join(".testdata", "models", "generated", n)  # noqa: E731

    def case(c, model, name, value, path, desc):
        # the shared committed input file is referenced from golden.json, not copied
        run_case("full", c, model, {name: value}, desc, f64, shared_inputs={name: rel(path)})

    case("clip_vitb32_vision", G("clip-vit-b32-vision.onnx"), "pixel_values", x, img,
         "CLIP ViT-B/32 image tower (open_clip layout, 87.8 M params, 4.4 GMAC), random weights; "
         "input: astronaut.png, 224x224, CLIP-normalised (Tests/Goldens/inputs/astronaut_224.npy)")
    case("clip_vitb32_text", G("clip-vit-b32-text.onnx"), "input_ids", t, tok,
         "CLIP ViT-B/32 text tower (width 512, 12 layers, 8 heads, 63.4 M params), random weights; "
         "input: tokens of 'A dog playing in the SNOW!' (EOT 49407 at position 8)")
    case("tinyclip_vit39m16_vision", G("tinyclip-vit-39m16-vision.onnx"), "pixel_values", x, img,
         "TinyCLIP ViT-39M/16 image tower (patch 16, width 512, 12 layers, 8 heads, 38.6 M params, "
         "8.0 GMAC), random weights; input: astronaut_224.npy")
    case("resnet50", G("resnet50.onnx"), "input", x, img,
         "ResNet-50 (torchvision layout with BatchNormalization, 25.6 M params, 4.1 GMAC), random "
         "weights; input: astronaut_224.npy (CLIP normalisation, fine for a numerics test)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=["small", "full", "all"], default="all")
    ap.add_argument("--no-f64", action="store_true", help="skip the float64 onnx.reference comparison")
    a = ap.parse_args(argv)
    if a.set in ("small", "all"):
        small(not a.no_f64)
    if a.set in ("full", "all"):
        full(not a.no_f64)
    return 0


if __name__ == "__main__":
    sys.exit(main())

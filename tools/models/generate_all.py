#!/usr/bin/env python3
"""Generate every model of one set, skipping files that are already up to date.

  generate_all.py --set small   # -> Tests/Goldens/models/ (committed, <= ~1 MB each)
  generate_all.py --set full    # -> .testdata/models/generated/ (never committed; run by scripts/setup.sh)

Small models are always rewritten (a second each). A full model is
regenerated when it is missing or when its stamp file (<model>.stamp: hash of
the generator sources, arguments and onnx/numpy versions) no longer matches. After writing, the file's sha256 is compared with
the one recorded in the model's golden case (Tests/Goldens/<case>/golden.json);
a mismatch is reported, since the goldens were computed on the recorded file.
Needs only onnx and numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# name -> (script, args, golden case[:key of the sha256 in its golden.json, default model_sha256])
MODELS = {
    "small": [
        ("clip-vit-b32-vision-small.onnx", "make_clip.py", ["--arch", "vitb32", "--tower", "vision", "--config", "small"], "clip_vitb32_vision_small"),
        ("clip-vit-b32-text-small.onnx", "make_clip.py", ["--arch", "vitb32", "--tower", "text", "--config", "small"], "clip_vitb32_text_small"),
        ("tinyclip-vit-39m16-vision-small.onnx", "make_clip.py", ["--arch", "tinyclip39m", "--tower", "vision", "--config", "small"], "tinyclip_vit39m16_vision_small"),
        ("resnet50-small.onnx", "make_resnet.py", ["--config", "small"], "resnet50_small"),
        ("bert-small.onnx", "make_bert.py", ["--config", "small"], "bert_small"),
        ("clip-text-split-encoder.onnx", "make_text_tower.py", ["--part", "encoder"], "clip_text_split:encoder_model_sha256"),
    ],
    "full": [
        ("clip-vit-b32-vision.onnx", "make_clip.py", ["--arch", "vitb32", "--tower", "vision", "--config", "full"], "clip_vitb32_vision"),
        ("clip-vit-b32-text.onnx", "make_clip.py", ["--arch", "vitb32", "--tower", "text", "--config", "full"], "clip_vitb32_text"),
        ("tinyclip-vit-39m16-vision.onnx", "make_clip.py", ["--arch", "tinyclip39m", "--tower", "vision", "--config", "full"], "tinyclip_vit39m16_vision"),
        ("resnet50.onnx", "make_resnet.py", ["--config", "full"], "resnet50"),
        ("clip-text-split-tower.onnx", "make_text_tower.py", ["--part", "whole"], "clip_text_split"),
    ],
}
DEFAULT_OUT = {"small": "Tests/Goldens/models", "full": ".testdata/models/generated"}


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stamp_for(script: str, args) -> str:
    import numpy
    import onnx
    h = hashlib.sha256()
    for src in (script, "onnxbuild.py"):
        with open(os.path.join(HERE, src), "rb") as f:
            h.update(f.read())
    h.update(json.dumps([args, onnx.__version__, numpy.__version__]).encode())
    return h.hexdigest()


def expected_sha(case: str):
    case, _, key = case.partition(":")
    p = os.path.join(REPO, "Tests", "Goldens", case, "golden.json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f).get(key or "model_sha256")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=sorted(MODELS), required=True)
    ap.add_argument("--outdir", help="default: " + ", ".join(f"{k}: {v}" for k, v in DEFAULT_OUT.items()))
    ap.add_argument("--force", action="store_true", help="regenerate even if the stamp matches")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a model differs from its golden's sha256")
    a = ap.parse_args(argv)
    outdir = a.outdir or os.path.join(REPO, DEFAULT_OUT[a.set])
    os.makedirs(outdir, exist_ok=True)
    mismatches = 0
    for name, script, args, case in MODELS[a.set]:
        out = os.path.join(outdir, name)
        stamp_path = out + ".stamp"
        stamp = stamp_for(script, args)
        use_stamp = a.set == "full"
        up_to_date = (use_stamp and not a.force and os.path.exists(out) and os.path.exists(stamp_path)
                      and open(stamp_path).read().strip() == stamp)
        if up_to_date:
            print(f"[models] {name}: up to date")
        else:
            t0 = time.time()
            cmd = [sys.executable, os.path.join(HERE, script), *args, "-o", out]
            print(f"[models] {name}: {' '.join(os.path.relpath(c, REPO) if c.startswith(REPO) else c for c in cmd[1:])}")
            subprocess.run(cmd, check=True)
            if use_stamp:
                with open(stamp_path, "w") as f:
                    f.write(stamp + "\n")
            print(f"[models] {name}: {time.time() - t0:.1f} s")
        want = expected_sha(case)
        if want is None:
            print(f"[models] {name}: no golden case {case} yet")
            continue
        got = sha256_file(out)
        if got == want:
            print(f"[models] {name}: sha256 matches golden {case}")
        else:
            mismatches += 1
            print(f"[models] WARNING {name}: sha256 {got} differs from golden {case} ({want}); "
                  f"the goldens must be regenerated (tools/goldens/make_generated_goldens.py)")
    return 1 if (mismatches and a.strict) else 0


if __name__ == "__main__":
    sys.exit(main())

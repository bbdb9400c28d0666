#!/usr/bin/env python3
"""Generate a BERT-style text encoder (Hugging Face BertModel layout) as ONNX.

Graph as the PyTorch legacy exporter writes transformers' BertModel at opset
17 with dynamic axes {batch, sequence}:

  inputs  input_ids, attention_mask, token_type_ids: [batch, sequence] int64
  embeddings: Gather(word_embeddings, input_ids)
              + Gather(token_type_embeddings, token_type_ids)
              + Gather(position_embeddings, Slice(position_ids buffer, 0, seq_len))
              (seq_len from Shape/Gather/Unsqueeze) -> LayerNormalization (eps 1e-12)
  extended attention mask: Unsqueeze(mask, [1, 2]) -> Cast(float) -> Sub(1, m)
              -> Mul(finfo(float32).min)
  N x layer: q/k/v MatMul+Add, heads via Shape/Gather/Unsqueeze/Concat -> Reshape,
             Transpose (k transposed twice, as exported), MatMul, Div sqrt(d),
             Add mask, Softmax, MatMul, Transpose, Reshape, dense MatMul+Add,
             Add residual, LayerNormalization; intermediate MatMul+Add, GELU (Erf
             form), output MatMul+Add, Add residual, LayerNormalization (post-LN)
  pooler: Gather(index 0, axis 1) -> Gemm (transB=1) -> Tanh
  outputs last_hidden_state [batch, sequence, hidden], pooler_output [batch, hidden]

Usage: make_bert.py --config small -o bert-small.onnx
       make_bert.py --config full  -o bert-base.onnx   (BERT-base: 12 x 768, 110 M params)
"""

from __future__ import annotations

import math
import os
import sys

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnxbuild import GraphBuilder, Weights, config_main  # noqa: E402

CONFIGS = {
    "full": dict(vocab=30522, hidden=768, layers=12, heads=12, intermediate=3072, max_positions=512,
                 type_vocab=2, seed=3001),
    "small": dict(vocab=1000, hidden=64, layers=2, heads=2, intermediate=256, max_positions=128,
                  type_vocab=2, seed=3011),
}
LN_EPS = 1e-12
FLOAT32_MIN = float(np.finfo(np.float32).min)


def ln_params(w: Weights, width: int):
    return w.between([width], 0.8, 1.2), w.symmetric([width], 0.1)


def embeddings(g: GraphBuilder, c: dict, w: Weights, ids: str, tt: str) -> str:
    """Word + token-type + position embeddings, then LayerNorm: [batch, sequence, hidden]."""
    V, Hd, P, TV = c["vocab"], c["hidden"], c["max_positions"], c["type_vocab"]
    emb_bound = 0.02 * math.sqrt(3.0)  # HF initializer_range 0.02 as a uniform
    with g.scope("embeddings"):
        shp = g.op("Shape", [ids])
        seq = g.op("Unsqueeze", [g.op("Gather", [shp, g.const(np.int64(1))], axis=0), g.const([0])])
        pos_ids = g.op("Slice", [g.param("embeddings.position_ids", np.arange(P, dtype=np.int64)[None, :]),
                                 g.const([0]), seq, g.const([1]), g.const([1])])
        with g.scope("word_embeddings"):
            x = g.op("Gather", [g.param("embeddings.word_embeddings.weight", w.symmetric([V, Hd], emb_bound)), ids])
        with g.scope("token_type_embeddings"):
            t = g.op("Gather", [g.param("embeddings.token_type_embeddings.weight",
                                        w.symmetric([TV, Hd], emb_bound)), tt])
        x = g.op("Add", [x, t])
        with g.scope("position_embeddings"):
            p = g.op("Gather", [g.param("embeddings.position_embeddings.weight",
                                        w.symmetric([P, Hd], emb_bound)), pos_ids])
        x = g.op("Add", [x, p])
        with g.scope("LayerNorm"):
            return g.layer_norm(x, "embeddings.LayerNorm", *ln_params(w, Hd), LN_EPS)


def extended_mask(g: GraphBuilder, mask: str) -> str:
    """(1 - mask) * finfo(float32).min as [batch, 1, 1, sequence], from an int64 [batch, sequence] mask."""
    m = g.op("Unsqueeze", [mask, g.const([1, 2])])
    m = g.op("Cast", [m], to=TensorProto.FLOAT)
    m = g.op("Sub", [g.const(np.float32(1.0)), m])
    return g.op("Mul", [m, g.const(np.float32(FLOAT32_MIN))])


def encoder_layers(g: GraphBuilder, c: dict, w: Weights, x: str, ext: str) -> str:
    """The post-LN encoder layers; returns the last hidden state."""
    Hd, L, NH, I = c["hidden"], c["layers"], c["heads"], c["intermediate"]
    D = Hd // NH
    for i in range(L):
        pre = f"encoder.layer.{i}"
        with g.scope(f"encoder/layer.{i}"):
            with g.scope("attention/self"):
                q = g.linear(x, pre + ".attention.self.query.weight_T", w.fan_in([Hd, Hd], Hd),
                             pre + ".attention.self.query.bias", w.symmetric([Hd], 0.05))
                k = g.linear(x, pre + ".attention.self.key.weight_T", w.fan_in([Hd, Hd], Hd),
                             pre + ".attention.self.key.bias", w.symmetric([Hd], 0.05))
                v = g.linear(x, pre + ".attention.self.value.weight_T", w.fan_in([Hd, Hd], Hd),
                             pre + ".attention.self.value.bias", w.symmetric([Hd], 0.05))

                def heads(t):
                    s = g.op("Shape", [t])
                    b = g.op("Unsqueeze", [g.op("Gather", [s, g.const(np.int64(0))], axis=0), g.const([0])])
                    n = g.op("Unsqueeze", [g.op("Gather", [s, g.const(np.int64(1))], axis=0), g.const([0])])
                    shape = g.op("Concat", [b, n, g.const([NH]), g.const([D])], axis=0)
                    return g.op("Transpose", [g.op("Reshape", [t, shape])], perm=[0, 2, 1, 3])

                k = g.op("Transpose", [heads(k)], perm=[0, 1, 3, 2])
                v = heads(v)
                q = heads(q)
                s = g.op("MatMul", [q, k])
                s = g.op("Div", [s, g.const(np.float32(math.sqrt(D)))])
                s = g.op("Add", [s, ext])
                pr = g.op("Softmax", [s], axis=-1)
                ctx = g.op("MatMul", [pr, v])
                ctx = g.op("Transpose", [ctx], perm=[0, 2, 1, 3])
                cs = g.op("Shape", [ctx])
                b = g.op("Unsqueeze", [g.op("Gather", [cs, g.const(np.int64(0))], axis=0), g.const([0])])
                n = g.op("Unsqueeze", [g.op("Gather", [cs, g.const(np.int64(1))], axis=0), g.const([0])])
                ctx = g.op("Reshape", [ctx, g.op("Concat", [b, n, g.const([Hd])], axis=0)])
            with g.scope("attention/output"):
                o = g.linear(ctx, pre + ".attention.output.dense.weight_T", w.fan_in([Hd, Hd], Hd),
                             pre + ".attention.output.dense.bias", w.symmetric([Hd], 0.05))
                o = g.op("Add", [o, x])
                with g.scope("LayerNorm"):
                    x = g.layer_norm(o, pre + ".attention.output.LayerNorm", *ln_params(w, Hd), LN_EPS)
            with g.scope("intermediate"):
                h = g.linear(x, pre + ".intermediate.dense.weight_T", w.fan_in([Hd, I], Hd),
                             pre + ".intermediate.dense.bias", w.symmetric([I], 0.05))
                with g.scope("intermediate_act_fn"):
                    h = g.gelu_erf(h)
            with g.scope("output"):
                o = g.linear(h, pre + ".output.dense.weight_T", w.fan_in([I, Hd], I),
                             pre + ".output.dense.bias", w.symmetric([Hd], 0.05))
                o = g.op("Add", [o, x])
                with g.scope("LayerNorm"):
                    x = g.layer_norm(o, pre + ".output.LayerNorm", *ln_params(w, Hd), LN_EPS)
    return x


def pooler(g: GraphBuilder, c: dict, w: Weights, x: str) -> None:
    """BertPooler: the first token through dense + tanh, as the output pooler_output."""
    Hd = c["hidden"]
    with g.scope("pooler"):
        first = g.op("Gather", [x, g.const(np.int64(0))], axis=1)
        with g.scope("dense"):
            pooled = g.op("Gemm", [first, g.param("pooler.dense.weight", w.fan_in([Hd, Hd], Hd)),
                                   g.param("pooler.dense.bias", w.symmetric([Hd], 0.05))],
                          alpha=1.0, beta=1.0, transB=1)
        with g.scope("activation"):
            g.op("Tanh", [pooled], output_names=["pooler_output"])


def build(config: str):
    c = CONFIGS[config]
    w = Weights(c["seed"])
    g = GraphBuilder(f"bert_{config}")
    ids = g.input("input_ids", TensorProto.INT64, ["batch", "sequence"])
    mask = g.input("attention_mask", TensorProto.INT64, ["batch", "sequence"])
    tt = g.input("token_type_ids", TensorProto.INT64, ["batch", "sequence"])
    x = embeddings(g, c, w, ids, tt)
    x = encoder_layers(g, c, w, x, extended_mask(g, mask))
    g.op("Identity", [x], output_names=["last_hidden_state"])
    pooler(g, c, w, x)
    g.output("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", c["hidden"]])
    g.output("pooler_output", TensorProto.FLOAT, ["batch", c["hidden"]])
    return g, dict(arch="bert", config=config, **c)


def main(argv=None):
    config_main(build, CONFIGS, "BERT encoder", "tools/models/make_bert.py", __doc__, argv)


if __name__ == "__main__":
    main()

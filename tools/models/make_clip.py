#!/usr/bin/env python3
"""Generate CLIP towers (ViT-B/32, TinyCLIP ViT-39M/16) as ONNX with seeded weights.

Architecture-exact, weights random (no real CLIP weights exist offline). The
graphs follow what the PyTorch legacy exporter (opset 17) writes for the
open_clip / Hugging Face towers that Immich serves:

vision (open_clip VisionTransformer, Immich "visual.onnx" layout)
  pixel_values [1,3,S,S] -> Conv patch embedding (stride = patch, no bias)
  -> Reshape/Transpose to tokens -> class token (Shape/Gather/Unsqueeze/Concat
  -> Expand) Concat -> + positional -> ln_pre (LayerNormalization)
  -> N x [LayerNormalization -> fused in_proj MatMul+Add -> Split q/k/v
          -> Reshape/Transpose heads -> MatMul -> Div sqrt(d) -> Softmax -> MatMul
          -> Transpose/Reshape -> out_proj MatMul+Add -> residual Add
          -> LayerNormalization -> MatMul+Add -> GELU (Erf form) -> MatMul+Add -> Add]
  -> ln_post -> Gather class token -> MatMul proj -> image_embeds [1,E]

text (Hugging Face CLIPTextModel-style attention, open_clip pooling)
  input_ids [1,77] int64 -> Gather token embedding -> + positional
  -> N x [decomposed LayerNorm (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add)
          -> q,k,v MatMul+Add, q Mul scale -> Shape/Gather/Unsqueeze/Concat/Reshape
          heads -> MatMul -> Add causal mask (-inf above diagonal) -> Softmax
          -> MatMul -> Transpose/Reshape -> out MatMul+Add -> residual
          -> decomposed LayerNorm -> MLP with GELU (Erf form) -> residual]
  -> ln_final -> EOT pooling: ArgMax(input_ids) + Range/Unsqueeze/Concat -> GatherND
  -> MatMul text_projection -> text_embeds [1,E]

Usage:
  make_clip.py --arch vitb32 --tower vision --config full -o clip-vit-b32-vision.onnx
  make_clip.py --arch tinyclip39m --tower vision --config small -o tiny.onnx
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnxbuild import GraphBuilder, Weights, count_macs, write_model  # noqa: E402

# Full configs are the published architectures; small ones keep every op and
# pattern but fit in well under 1 MB for the committed fast test tier.
VISION = {
    ("vitb32", "full"): dict(image=224, patch=32, width=768, layers=12, heads=12, mlp=3072, embed=512),
    ("vitb32", "small"): dict(image=32, patch=8, width=64, layers=2, heads=2, mlp=256, embed=64),
    ("tinyclip39m", "full"): dict(image=224, patch=16, width=512, layers=12, heads=8, mlp=2048, embed=512),
    ("tinyclip39m", "small"): dict(image=64, patch=16, width=64, layers=2, heads=4, mlp=256, embed=64),
}
TEXT = {
    ("vitb32", "full"): dict(vocab=49408, context=77, width=512, layers=12, heads=8, mlp=2048, embed=512),
    ("vitb32", "small"): dict(vocab=1024, context=77, width=64, layers=2, heads=2, mlp=256, embed=64),
}
SEEDS = {"vision": 1001, "text": 1002}
LN_EPS = 1e-5


def ln_params(w: Weights, width: int):
    return w.between([width], 0.8, 1.2), w.symmetric([width], 0.1)


def mlp(g: GraphBuilder, w: Weights, h: str, pre: str, W: int, M: int) -> str:
    """The transformer MLP: c_fc (W→M), GELU (erf form), c_proj (M→W)."""
    with g.scope("c_fc"):
        h = g.linear(h, pre + ".mlp.c_fc.weight_T", w.fan_in([W, M], W),
                     pre + ".mlp.c_fc.bias", w.symmetric([M], 0.05))
    with g.scope("gelu"):
        h = g.gelu_erf(h)
    with g.scope("c_proj"):
        h = g.linear(h, pre + ".mlp.c_proj.weight_T", w.fan_in([M, W], M),
                     pre + ".mlp.c_proj.bias", w.symmetric([W], 0.05))
    return h


def build_vision(arch: str, config: str):
    c = VISION[(arch, config)]
    S, P, W, L, H, M, E = (c[k] for k in ("image", "patch", "width", "layers", "heads", "mlp", "embed"))
    D = W // H
    G = S // P
    T = G * G + 1
    seed = SEEDS["vision"] + (100 if arch == "tinyclip39m" else 0) + (0 if config == "full" else 10)
    w = Weights(seed)
    g = GraphBuilder(f"{arch}_vision")
    x = g.input("pixel_values", TensorProto.FLOAT, [1, 3, S, S])

    # patch embedding
    with g.scope("conv1"):
        x = g.op("Conv", [x, g.param("conv1.weight", w.fan_in([W, 3, P, P], 3 * P * P))],
                 dilations=[1, 1], group=1, kernel_shape=[P, P], pads=[0, 0, 0, 0], strides=[P, P])
    x = g.op("Reshape", [x, g.const([1, W, G * G])])
    x = g.op("Transpose", [x], perm=[0, 2, 1])

    # class token expanded to the batch size (shape plumbing as exported)
    cls = g.param("class_embedding", w.symmetric([1, 1, W], math.sqrt(3.0 / W)))
    shp = g.op("Shape", [x])
    b = g.op("Gather", [shp, g.const(np.int64(0))], axis=0)
    bu = g.op("Unsqueeze", [b, g.const([0])])
    eshape = g.op("Concat", [bu, g.const([1]), g.const([W])], axis=0)
    cls = g.op("Expand", [cls, eshape])
    x = g.op("Concat", [cls, x], axis=1)
    x = g.op("Add", [x, g.param("positional_embedding", w.symmetric([T, W], 0.1))])
    with g.scope("ln_pre"):
        x = g.layer_norm(x, "ln_pre", *ln_params(w, W), LN_EPS)

    for i in range(L):
        pre = f"transformer.resblocks.{i}"
        with g.scope(f"transformer/resblocks.{i}"):
            with g.scope("ln_1"):
                h = g.layer_norm(x, pre + ".ln_1", *ln_params(w, W), LN_EPS)
            with g.scope("attn"):
                qkv = g.linear(h, pre + ".attn.in_proj_weight_T", w.fan_in([W, 3 * W], W),
                               pre + ".attn.in_proj_bias", w.symmetric([3 * W], 0.05))
                q, k, v = g.op("Split", [qkv, g.const([W, W, W])], n_out=3, axis=-1)
                hs = g.const([1, T, H, D])
                q = g.op("Transpose", [g.op("Reshape", [q, hs])], perm=[0, 2, 1, 3])
                k = g.op("Transpose", [g.op("Reshape", [k, hs])], perm=[0, 2, 3, 1])
                v = g.op("Transpose", [g.op("Reshape", [v, hs])], perm=[0, 2, 1, 3])
                s = g.op("MatMul", [q, k])
                s = g.op("Div", [s, g.const(np.float32(math.sqrt(D)))])
                p = g.op("Softmax", [s], axis=-1)
                o = g.op("MatMul", [p, v])
                o = g.op("Transpose", [o], perm=[0, 2, 1, 3])
                o = g.op("Reshape", [o, g.const([1, T, W])])
                o = g.linear(o, pre + ".attn.out_proj.weight_T", w.fan_in([W, W], W),
                             pre + ".attn.out_proj.bias", w.symmetric([W], 0.05))
            x = g.op("Add", [x, o])
            with g.scope("ln_2"):
                h = g.layer_norm(x, pre + ".ln_2", *ln_params(w, W), LN_EPS)
            with g.scope("mlp"):
                h = mlp(g, w, h, pre, W, M)
            x = g.op("Add", [x, h])

    with g.scope("ln_post"):
        x = g.layer_norm(x, "ln_post", *ln_params(w, W), LN_EPS)
    pooled = g.op("Gather", [x, g.const(np.int64(0))], axis=1)
    g.op("MatMul", [pooled, g.param("proj", w.fan_in([W, E], W))], output_names=["image_embeds"])
    g.output("image_embeds", TensorProto.FLOAT, [1, E])
    cfg = dict(arch=arch, tower="vision", config=config, seed=seed, **c)
    return g, cfg


def build_text(arch: str, config: str):
    if (arch, config) not in TEXT:
        raise SystemExit(f"no text tower for arch {arch}")
    c = TEXT[(arch, config)]
    V, C, W, L, H, M, E = (c[k] for k in ("vocab", "context", "width", "layers", "heads", "mlp", "embed"))
    D = W // H
    seed = SEEDS["text"] + (0 if config == "full" else 10)
    w = Weights(seed)
    g = GraphBuilder(f"{arch}_text")
    ids = g.input("input_ids", TensorProto.INT64, [1, C])

    with g.scope("token_embedding"):
        x = g.op("Gather", [g.param("token_embedding.weight", w.symmetric([V, W], 0.05)), ids])
    x = g.op("Add", [x, g.param("positional_embedding", w.symmetric([C, W], 0.02))])
    mask = np.triu(np.full((C, C), -np.inf, dtype=np.float32), 1)
    mask_name = g.param("attn_mask", mask)

    for i in range(L):
        pre = f"transformer.resblocks.{i}"
        with g.scope(f"transformer/resblocks.{i}"):
            with g.scope("ln_1"):
                h = g.layer_norm(x, pre + ".ln_1", *ln_params(w, W), LN_EPS, decomposed=True)
            with g.scope("attn"):
                shp = g.op("Shape", [h])
                bsz = g.op("Unsqueeze", [g.op("Gather", [shp, g.const(np.int64(0))], axis=0), g.const([0])])
                tgt = g.op("Unsqueeze", [g.op("Gather", [shp, g.const(np.int64(1))], axis=0), g.const([0])])
                head_shape = g.op("Concat", [bsz, tgt, g.const([H]), g.const([D])], axis=0)
                with g.scope("q_proj"):
                    q = g.linear(h, pre + ".attn.q_proj.weight_T", w.fan_in([W, W], W),
                                 pre + ".attn.q_proj.bias", w.symmetric([W], 0.05))
                q = g.op("Mul", [q, g.const(np.float32(D ** -0.5))])
                with g.scope("k_proj"):
                    k = g.linear(h, pre + ".attn.k_proj.weight_T", w.fan_in([W, W], W),
                                 pre + ".attn.k_proj.bias", w.symmetric([W], 0.05))
                with g.scope("v_proj"):
                    v = g.linear(h, pre + ".attn.v_proj.weight_T", w.fan_in([W, W], W),
                                 pre + ".attn.v_proj.bias", w.symmetric([W], 0.05))
                q = g.op("Transpose", [g.op("Reshape", [q, head_shape])], perm=[0, 2, 1, 3])
                k = g.op("Transpose", [g.op("Reshape", [k, head_shape])], perm=[0, 2, 3, 1])
                v = g.op("Transpose", [g.op("Reshape", [v, head_shape])], perm=[0, 2, 1, 3])
                s = g.op("MatMul", [q, k])
                s = g.op("Add", [s, mask_name])
                p = g.op("Softmax", [s], axis=-1)
                o = g.op("MatMul", [p, v])
                o = g.op("Transpose", [o], perm=[0, 2, 1, 3])
                out_shape = g.op("Concat", [bsz, tgt, g.const([W])], axis=0)
                o = g.op("Reshape", [o, out_shape])
                with g.scope("out_proj"):
                    o = g.linear(o, pre + ".attn.out_proj.weight_T", w.fan_in([W, W], W),
                                 pre + ".attn.out_proj.bias", w.symmetric([W], 0.05))
            x = g.op("Add", [x, o])
            with g.scope("ln_2"):
                h = g.layer_norm(x, pre + ".ln_2", *ln_params(w, W), LN_EPS, decomposed=True)
            with g.scope("mlp"):
                h = mlp(g, w, h, pre, W, M)
            x = g.op("Add", [x, h])

    with g.scope("ln_final"):
        x = g.layer_norm(x, "ln_final", *ln_params(w, W), LN_EPS, decomposed=True)
    # x[torch.arange(x.shape[0]), text.argmax(dim=-1)]
    eot = g.op("ArgMax", [ids], axis=-1, keepdims=0)
    shp = g.op("Shape", [ids])
    bsz = g.op("Gather", [shp, g.const(np.int64(0))], axis=0)
    rng = g.op("Range", [g.const(np.int64(0)), bsz, g.const(np.int64(1))])
    idx = g.op("Concat", [g.op("Unsqueeze", [rng, g.const([1])]),
                          g.op("Unsqueeze", [eot, g.const([1])])], axis=1)
    pooled = g.op("GatherND", [x, idx], batch_dims=0)
    g.op("MatMul", [pooled, g.param("text_projection", w.fan_in([W, E], W))], output_names=["text_embeds"])
    g.output("text_embeds", TensorProto.FLOAT, [1, E])
    cfg = dict(arch=arch, tower="text", config=config, seed=seed, **c)
    return g, cfg


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=["vitb32", "tinyclip39m"], default="vitb32")
    ap.add_argument("--tower", choices=["vision", "text"], default="vision")
    ap.add_argument("--config", choices=["small", "full"], default="small")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    g, cfg = (build_vision if a.tower == "vision" else build_text)(a.arch, a.config)
    doc = (f"Edgeflow test model: {a.arch} {a.tower} tower ({a.config}), random weights, "
           f"generated by tools/models/make_clip.py --arch {a.arch} --tower {a.tower} --config {a.config}")
    model = write_model(g, cfg, a.output, doc, "tools/models/make_clip.py")
    if a.arch == "tinyclip39m" and a.tower == "vision" and a.config == "full":
        print(f"  TinyCLIP ViT-39M/16 image tower MACs: {count_macs(model) / 1e9:.2f} GMAC (published: about 8.0)")


if __name__ == "__main__":
    main()

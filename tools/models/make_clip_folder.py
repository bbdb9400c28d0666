#!/usr/bin/env python3
"""Write a CLIP model folder in the layout of Immich's Hugging Face model repositories.

For photo search (issue 12) and the Immich-compatible ML server (issue 13). The towers are
tools/models/make_clip.py's architecture-exact graphs with seeded RANDOM weights (no real CLIP
weights can be downloaded here), so embeddings are deterministic but meaningless. Layout:

  ViT-B-32__openai/
    config.json                  open_clip model config (embed_dim, vision_cfg, text_cfg)
    README.txt                   says the weights are random and how the folder was made
    visual/model.onnx            image [1,3,S,S] float32 -> embedding [1,E] float32 (L2-normalised)
    visual/preprocess_cfg.json   size, mode, mean, std, interpolation "bicubic", resize_mode "shortest"
    textual/model.onnx           text [1,77] int32 -> embedding [1,E] float32 (L2-normalised)
    textual/tokenizer.json       Hugging Face tokenizers file of OpenAI's CLIP BPE
    textual/tokenizer_config.json, special_tokens_map.json, vocab.json, merges.txt

What Immich's files look like, and where that was read (immich-app/immich on GitHub):
* machine-learning/export/immich_model_exporter/exporters/onnx/models/openclip.py exports
  `model.encode_image(image, normalize=True)` with input_names=["image"], output_names=["embedding"],
  example input torch.randn(1, 3, S, S) (float32, NCHW, batch fixed at 1), and
  `model.encode_text(text, normalize=True)` with input_names=["text"], output_names=["embedding"],
  example input torch.ones(1, context_length, dtype=torch.int32). Both outputs are therefore L2-normalised
  inside the graph (F.normalize: ReduceL2 -> Clip(min 1e-12) -> Expand -> Div). It writes
  open_clip.get_model_preprocess_cfg(model) to visual/preprocess_cfg.json and open_clip's model config to
  config.json, and saves AutoTokenizer("openai/clip-vit-base-patch32") into textual/ (tokenizer.json,
  tokenizer_config.json, special_tokens_map.json, vocab.json, merges.txt).
* machine-learning/immich_ml/models/clip/textual.py (OpenClipTextualEncoder) loads textual/tokenizer.json
  with `tokenizers`, pads to text_cfg.context_length (default 77) with tokenizer_config.json's pad_token
  ("<|endoftext|>" = 49407, not 0 as open_clip pads), truncates to it, and feeds
  {"text": np.array([ids], dtype=np.int32)}. EOT pooling (argmax of the ids) still finds the first 49407.
* machine-learning/immich_ml/models/clip/visual.py (OpenClipVisualEncoder) reads preprocess_cfg.json's
  size (int or list, first element), interpolation, mean, std and resize_mode ("shortest" = resize the
  shorter side then centre-crop; "squash" also accepted) and feeds {"image": normalized NCHW float32}.
  Both take the first output ([0][0]).

What this script changes in make_clip.py's graphs: inputs pixel_values -> image, input_ids (int64) ->
text (int32; Gather and ArgMax accept int32 indices), and the projection output is followed by the
exporter's F.normalize pattern producing `embedding`. The small config's text tower keeps make_clip's
small sizes but gets the real vocabulary (49408 rows instead of 1024) so every id the real tokenizer
produces is valid.

Tokenizer files are built from OpenAI's BPE list (.testdata/clip/bpe_simple_vocab_16e6.txt) the way
Hugging Face's CLIPTokenizer defines them: 256 byte symbols (GPT-2 byte-to-unicode map), the same with
`</w>`, the 48894 merges joined, then <|startoftext|> 49406 and <|endoftext|> 49407; tokenizer.json has
the NFC / whitespace-collapse / lowercase normalizer, CLIP's split regex + ByteLevel pre-tokenizer
(as transformers' CLIPConverter makes it), RobertaProcessing (49406 ... 49407), merges as "a b" strings
(the format every `tokenizers` version reads). Checked: transformers 5.24 AutoTokenizer loads textual/
and saves an equal tokenizer.json (merges as pairs); its CLIPTokenizer gives the same ids.

Deterministic: same arguments, onnx/numpy versions and BPE file -> the same bytes.

Usage (from the repository root):
  .venv/bin/python tools/models/make_clip_folder.py --arch vitb32 --config small \\
      -o .testdata/models/clip-folder-small/ViT-B-32__openai [--bpe FILE] [--no-check]

Self-check (at the end; runs when onnxruntime is importable, else says it was skipped): both towers run,
the text tower on a tokenized string, outputs have norm 1; when `tokenizers` is importable the folder's
tokenizer.json is also compared with this script's own BPE encoder. Recorded with onnxruntime
1.31.1 and tokenizers 0.23.3: small and full configs pass; "a photo of a dog" -> 49406 320 1125 539 320
1929 49407 (49407 padding) from both tokenizers; embedding norms 1.0000. Against OpenAI's tokenizer
(Tests/Goldens/clip-tokens/tokens.json) tokenizer.json gives the same ids in 30 of 45 cases; the other 15
are Hugging Face's known differences (no ftfy repair, no HTML unescaping, other whitespace/special-token
handling) and Immich has them too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time

import numpy as np
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_clip  # noqa: E402
from onnxbuild import GraphBuilder, write_model  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_BPE = os.path.join(REPO, ".testdata/clip/bpe_simple_vocab_16e6.txt")
FOLDER_NAMES = {"vitb32": "ViT-B-32__openai"}
SOT, EOT = "<|startoftext|>", "<|endoftext|>"
VOCAB_SIZE = 49408
N_MERGES = VOCAB_SIZE - 256 - 256 - 2  # 48894
OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_STD = [0.26862954, 0.26130258, 0.27577711]
# CLIP's word split (letters, single digits, other non-space runs, English contractions)
SPLIT_REGEX = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""


# ------------------------------------------------------------------ towers
def rename_io(g: GraphBuilder, old: str, new: str) -> None:
    for n in g.nodes:
        for i, name in enumerate(n.input):
            if name == old:
                n.input[i] = new
        for i, name in enumerate(n.output):
            if name == old:
                n.output[i] = new


def normalize_output(g: GraphBuilder, old_out: str, embed: int) -> None:
    """Renames the projection's output to an exporter-style name and appends F.normalize(x, dim=-1)
    as torch.onnx (opset 17) writes it, ending in `embedding`."""
    producer = next(n for n in g.nodes if old_out in n.output)
    proj = producer.name + "_output_0"
    rename_io(g, old_out, proj)
    norm = g.op("ReduceL2", [proj], axes=[-1], keepdims=1)
    norm = g.op("Clip", [norm, g.const(np.float32(1e-12))])
    norm = g.op("Expand", [norm, g.op("Shape", [proj])])
    g.op("Div", [proj, norm], output_names=["embedding"])
    g.outputs = [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, embed])]


def build_visual(arch: str, config: str):
    g, cfg = make_clip.build_vision(arch, config)
    shape = [d.dim_value for d in g.inputs[0].type.tensor_type.shape.dim]
    rename_io(g, "pixel_values", "image")
    g.inputs = [helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)]
    normalize_output(g, "image_embeds", cfg["embed"])
    return g, dict(cfg, immich="visual", inputs="image", outputs="embedding", normalized=True)


def build_textual(arch: str, config: str):
    key = (arch, config)
    if config != "full":
        # Same small tower, but with the real vocabulary, registered under its own key.
        key = (arch, config + "-vocab49408")
        make_clip.TEXT[key] = dict(make_clip.TEXT[(arch, config)], vocab=VOCAB_SIZE)
    g, cfg = make_clip.build_text(*key)
    context = cfg["context"]
    rename_io(g, "input_ids", "text")
    g.inputs = [helper.make_tensor_value_info("text", TensorProto.INT32, [1, context])]
    normalize_output(g, "text_embeds", cfg["embed"])
    return g, dict(cfg, config=config, immich="textual", inputs="text", outputs="embedding", normalized=True)


def open_clip_config(vis: dict, txt: dict) -> dict:
    """open_clip's model config (the shape of open_clip/model_configs/ViT-B-32.json); keys open_clip
    defaults (head_width 64, mlp_ratio 4) are only written when they differ."""
    vision = dict(image_size=vis["image"], layers=vis["layers"], width=vis["width"], patch_size=vis["patch"])
    if vis["width"] // vis["heads"] != 64:
        vision["head_width"] = vis["width"] // vis["heads"]
    if vis["mlp"] != 4 * vis["width"]:
        vision["mlp_ratio"] = vis["mlp"] / vis["width"]
    text = dict(context_length=txt["context"], vocab_size=txt["vocab"], width=txt["width"],
                heads=txt["heads"], layers=txt["layers"])
    if txt["mlp"] != 4 * txt["width"]:
        text["mlp_ratio"] = txt["mlp"] / txt["width"]
    assert vis["embed"] == txt["embed"]
    return dict(embed_dim=vis["embed"], vision_cfg=vision, text_cfg=text)


def preprocess_cfg(size: int) -> dict:
    """open_clip.get_model_preprocess_cfg() of an OpenAI model."""
    return dict(size=[size, size], mode="RGB", mean=OPENAI_MEAN, std=OPENAI_STD,
                interpolation="bicubic", resize_mode="shortest", fill_color=0)


# ------------------------------------------------------------------ tokenizer files
def byte_symbols() -> list:
    """GPT-2's byte -> printable unicode map, as a list in vocabulary order: the printable Latin-1
    bytes keep their own character, the others get 256, 257, ... in byte order."""
    keep = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    rest = [b for b in range(256) if b not in keep]
    table = {b: chr(b) for b in keep}
    table.update({b: chr(256 + i) for i, b in enumerate(rest)})
    return [table[b] for b in keep + rest], table


def read_merges(bpe_path: str) -> list:
    with open(bpe_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    merges = [tuple(line.split()) for line in lines[1:1 + N_MERGES]]  # line 0 is a version header
    if len(merges) != N_MERGES or any(len(m) != 2 for m in merges):
        raise SystemExit(f"{bpe_path}: expected {N_MERGES} merge lines after the header")
    return merges


def build_vocab(merges: list) -> dict:
    symbols, _ = byte_symbols()
    tokens = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges] + [SOT, EOT]
    vocab = {t: i for i, t in enumerate(tokens)}
    assert len(vocab) == VOCAB_SIZE, len(vocab)
    return vocab


def added_token(i: int, content: str) -> dict:
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": True, "special": True}


def tokenizer_json(vocab: dict, merges: list) -> dict:
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(vocab[SOT], SOT), added_token(vocab[EOT], EOT)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFC"},
            {"type": "Replace", "pattern": {"Regex": r"\s+"}, "content": " "},
            {"type": "Lowercase"}]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": SPLIT_REGEX}, "behavior": "Removed", "invert": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]},
        "post_processor": {"type": "RobertaProcessing", "sep": [EOT, vocab[EOT]], "cls": [SOT, vocab[SOT]],
                           "trim_offsets": False, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": EOT, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }


def special_token(content: str) -> dict:
    return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}


def tokenizer_config(vocab: dict, context: int) -> dict:
    return {
        "add_prefix_space": False,
        "added_tokens_decoder": {str(vocab[t]): {k: v for k, v in added_token(vocab[t], t).items() if k != "id"}
                                 for t in (SOT, EOT)},
        "bos_token": SOT,
        "clean_up_tokenization_spaces": True,
        "do_lower_case": True,
        "eos_token": EOT,
        "errors": "replace",
        "model_max_length": context,
        "pad_token": EOT,
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": EOT,
    }


def special_tokens_map() -> dict:
    return {"bos_token": special_token(SOT), "eos_token": special_token(EOT), "pad_token": EOT,
            "unk_token": special_token(EOT)}


class ClipBPE:
    """A small reference encoder for the self-check (CLIP's BPE without ftfy; letters are
    approximated with Python's `re`, exact for ASCII text)."""

    def __init__(self, vocab: dict, merges: list):
        self.vocab = vocab
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.bytes = byte_symbols()[1]
        self.split = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d"
                                r"|[^\W\d_]+|\d|(?:[^\s\w]|_)+")

    def word(self, w: str) -> list:
        parts = [self.bytes[b] for b in w.encode("utf-8")]
        parts[-1] += "</w>"
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return [self.vocab[p] for p in parts]

    def encode(self, text: str, context: int) -> list:
        text = " ".join(text.split()).lower()
        ids = [self.vocab[SOT]] + [i for w in self.split.findall(text) for i in self.word(w)][:context - 2]
        ids.append(self.vocab[EOT])
        return ids + [self.vocab[EOT]] * (context - len(ids))  # Immich pads with pad_token = EOT


# ------------------------------------------------------------------ writing
def write_json(path: str, obj, indent=2, sort_keys=False) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(obj, indent=indent, sort_keys=sort_keys, ensure_ascii=False) + "\n")


def readme(arch: str, config: str, name: str, cfg: dict) -> str:
    return f"""{name} -- Edgeflow TEST folder in the layout of Immich's Hugging Face CLIP model repositories.

THE WEIGHTS ARE RANDOM. Both towers have the architecture of {arch} ({config} config: image
{cfg['vision_cfg']['image_size']} px, embed_dim {cfg['embed_dim']}) but seeded random weights, so the embeddings are
deterministic and meaningless: use this folder to test loading, preprocessing, tokenization, shapes,
dtypes and plumbing, never search quality. The tokenizer files are the real OpenAI CLIP BPE.

Made by tools/models/make_clip_folder.py --arch {arch} --config {config} (Edgeflow repository).
visual/model.onnx:  image [1,3,S,S] float32 (normalised NCHW) -> embedding [1,E] float32, L2-normalised
textual/model.onnx: text [1,{cfg['text_cfg']['context_length']}] int32 (CLIP BPE ids, padded with 49407)
                    -> embedding [1,E] float32, L2-normalised
"""


def make_folder(arch: str, config: str, out: str, bpe: str) -> None:
    tmp = out.rstrip("/") + ".part"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "visual"))
    os.makedirs(os.path.join(tmp, "textual"))
    gen = "tools/models/make_clip_folder.py"
    doc = ("Edgeflow test model: {} {} tower ({}), RANDOM weights, Immich layout; generated by "
           f"{gen} --arch {arch} --config {config}")
    g, vcfg = build_visual(arch, config)
    write_model(g, vcfg, os.path.join(tmp, "visual/model.onnx"), doc.format(arch, "visual", config), gen)
    g, tcfg = build_textual(arch, config)
    write_model(g, tcfg, os.path.join(tmp, "textual/model.onnx"), doc.format(arch, "textual", config), gen)

    cfg = open_clip_config(vcfg, tcfg)
    write_json(os.path.join(tmp, "config.json"), cfg)
    write_json(os.path.join(tmp, "visual/preprocess_cfg.json"), preprocess_cfg(vcfg["image"]))
    merges = read_merges(bpe)
    vocab = build_vocab(merges)
    t = os.path.join(tmp, "textual")
    write_json(os.path.join(t, "tokenizer.json"), tokenizer_json(vocab, merges))
    write_json(os.path.join(t, "tokenizer_config.json"), tokenizer_config(vocab, tcfg["context"]))
    write_json(os.path.join(t, "special_tokens_map.json"), special_tokens_map())
    write_json(os.path.join(t, "vocab.json"), vocab, sort_keys=True)  # CLIPTokenizer.save_vocabulary's form
    with open(os.path.join(t, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    with open(os.path.join(tmp, "README.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(readme(arch, config, os.path.basename(out.rstrip("/")), cfg))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)


# ------------------------------------------------------------------ self-check
def self_check(out: str, bpe: str) -> None:
    try:
        import onnxruntime as ort
    except ImportError:
        print("  self-check skipped: onnxruntime is not installed in this python")
        return
    cfg = json.load(open(os.path.join(out, "config.json")))
    pre = json.load(open(os.path.join(out, "visual/preprocess_cfg.json")))
    size, embed, context = pre["size"][0], cfg["embed_dim"], cfg["text_cfg"]["context_length"]

    vis = ort.InferenceSession(os.path.join(out, "visual/model.onnx"), providers=["CPUExecutionProvider"])
    io = [(v.name, v.type, v.shape) for v in vis.get_inputs() + vis.get_outputs()]
    assert io == [("image", "tensor(float)", [1, 3, size, size]), ("embedding", "tensor(float)", [1, embed])], io
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)
    rgb = np.stack([np.add.outer(ramp, ramp) / 2, np.add.outer(ramp, 1 - ramp) / 2, np.tile(ramp, (size, 1))])
    image = ((rgb - np.array(pre["mean"], np.float32)[:, None, None]) / np.array(pre["std"], np.float32)[:, None, None])
    v = vis.run(None, {"image": image[None].astype(np.float32)})[0]
    assert v.shape == (1, embed) and np.isfinite(v).all() and abs(np.linalg.norm(v) - 1) < 1e-4

    txt = ort.InferenceSession(os.path.join(out, "textual/model.onnx"), providers=["CPUExecutionProvider"])
    io = [(x.name, x.type, x.shape) for x in txt.get_inputs() + txt.get_outputs()]
    assert io == [("text", "tensor(int32)", [1, context]), ("embedding", "tensor(float)", [1, embed])], io
    merges = read_merges(bpe)
    ref = ClipBPE(build_vocab(merges), merges)
    text = "a photo of a dog"
    ids = ref.encode(text, context)
    how = "own BPE encoder"
    try:
        from tokenizers import Tokenizer
    except ImportError:
        how += " (tokenizers not installed: tokenizer.json not checked)"
    else:
        tok = Tokenizer.from_file(os.path.join(out, "textual/tokenizer.json"))
        pad = json.load(open(os.path.join(out, "textual/tokenizer_config.json")))["pad_token"]
        tok.enable_padding(length=context, pad_token=pad, pad_id=tok.token_to_id(pad))
        tok.enable_truncation(max_length=context)
        for s in (text, "A dog playing in the SNOW!", "Hello,   World 2024 -- it's fine", "x" * 300):
            got, want = tok.encode(s).ids, ref.encode(s, context)
            assert got == want, (s, got[:12], want[:12])
        how += " = tokenizers on textual/tokenizer.json, 4 strings"
    e = txt.run(None, {"text": np.array([ids], dtype=np.int32)})[0]
    assert e.shape == (1, embed) and np.isfinite(e).all() and abs(np.linalg.norm(e) - 1) < 1e-4
    print(f"  self-check ok (onnxruntime {ort.__version__}): visual {v.shape} norm {np.linalg.norm(v):.4f}; "
          f"textual {text!r} -> {' '.join(map(str, ids[:8]))} ... ({how}) -> {e.shape} norm {np.linalg.norm(e):.4f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", choices=sorted(FOLDER_NAMES), default="vitb32")
    ap.add_argument("--config", choices=["small", "full"], default="small")
    ap.add_argument("--bpe", default=DEFAULT_BPE, help="OpenAI's bpe_simple_vocab_16e6.txt (unzipped)")
    ap.add_argument("--no-check", action="store_true", help="skip the onnxruntime self-check")
    ap.add_argument("-o", "--output", required=True, help=f"the folder to write, e.g. DIR/{FOLDER_NAMES['vitb32']}")
    a = ap.parse_args(argv)
    if os.path.basename(a.output.rstrip("/")) != FOLDER_NAMES[a.arch]:
        print(f"note: Immich looks the model up by folder name {FOLDER_NAMES[a.arch]!r}")
    t0 = time.time()
    make_folder(a.arch, a.config, a.output, a.bpe)
    if not a.no_check:
        self_check(a.output, a.bpe)
    print(f"wrote {a.output} in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()

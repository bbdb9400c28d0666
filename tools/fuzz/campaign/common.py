"""Paths, categories and small file helpers shared by the campaign's modules.
"""

import os


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
GOLDENS = os.path.join(REPO, "Tests", "Goldens")
VOCAB_GZ = os.path.join(REPO, ".testdata", "clip", "bpe_simple_vocab_16e6.txt.gz")
SEED_PARSE_ARGS = {"tiny": ["--input-shape", "images=1,3,4,4"]}  # tiny.onnx has a dynamic batch

CATEGORIES = ("models", "archives", "npy", "images", "tokenizer", "options")
WEIGHTS = {"models": 0.2, "archives": 0.2, "npy": 0.12, "images": 0.2, "tokenizer": 0.08, "options": 0.2}
MAX_ARG_BYTES = 100_000        # below Linux's 128 KiB limit for one argv string


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def write(path, data):
    with open(path, "wb") as handle:
        handle.write(data)

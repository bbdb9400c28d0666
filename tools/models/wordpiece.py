"""BERT's uncased WordPiece tokenizer (what BertTokenizer does with do_lower_case=True), for dev tools.

Basic step: drop NUL, U+FFFD and control characters, map whitespace to spaces, put spaces around CJK
ideographs, split on whitespace, lowercase, strip accents (NFD, drop combining marks) and split off
every punctuation character. WordPiece step: greedy longest match against the vocabulary, continuation
pieces prefixed with '##'; a word with an unmatched rest, or longer than 100 characters, becomes [UNK].

  ids = WordPiece.from_file("vocab.txt").encode("Hello, world!", length=128)   # [CLS] ... [SEP] 0 0 ...
"""

from __future__ import annotations

import unicodedata
from typing import Dict, List

import numpy as np

MAX_WORD_CHARS = 100
CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
              (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_whitespace(ch: str) -> bool:
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch: str) -> bool:
    return ch not in "\t\n\r" and unicodedata.category(ch).startswith("C")


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True  # every non-alphanumeric ASCII character counts, as in BERT
    return unicodedata.category(ch).startswith("P")


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def basic_tokens(text: str) -> List[str]:
    """Lowercased, accent-stripped words and single punctuation characters."""
    cleaned = []
    for ch in text:
        if ord(ch) == 0 or ord(ch) == 0xFFFD or _is_control(ch):
            continue
        cleaned.append(" " if _is_whitespace(ch) else f" {ch} " if _is_cjk(ch) else ch)
    out: List[str] = []
    for word in "".join(cleaned).split():
        word = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
        current = ""
        for ch in word:
            if _is_punctuation(ch):
                if current:
                    out.append(current)
                out.append(ch)
                current = ""
            else:
                current += ch
        if current:
            out.append(current)
    return out


class WordPiece:
    def __init__(self, vocab: Dict[str, int]):
        self.vocab = vocab
        for special in ("[PAD]", "[UNK]", "[CLS]", "[SEP]"):
            if special not in vocab:
                raise ValueError(f"vocabulary has no {special}")
        self.pad, self.unk = vocab["[PAD]"], vocab["[UNK]"]
        self.cls, self.sep = vocab["[CLS]"], vocab["[SEP]"]

    @classmethod
    def from_text(cls, text: str) -> "WordPiece":
        """One token per line, the line number is the id (BERT's vocab.txt)."""
        return cls({line: i for i, line in enumerate(text.split("\n")) if line})

    @classmethod
    def from_file(cls, path: str) -> "WordPiece":
        with open(path, encoding="utf-8") as f:
            return cls.from_text(f.read())

    def word_ids(self, word: str) -> List[int]:
        if len(word) > MAX_WORD_CHARS:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = ("##" if start else "") + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            if end == start:
                return [self.unk]
            start = end
        return ids

    def tokenize(self, text: str) -> List[int]:
        return [i for word in basic_tokens(text) for i in self.word_ids(word)]

    def encode(self, text: str, length: int) -> np.ndarray:
        """[CLS] tokens [SEP] then [PAD] up to `length` (tokens truncated to length - 2): int64 [length]."""
        if length < 2:
            raise ValueError("length must leave room for [CLS] and [SEP]")
        body = self.tokenize(text)[:length - 2]
        ids = np.full(length, self.pad, dtype=np.int64)
        ids[:len(body) + 2] = [self.cls, *body, self.sep]
        return ids

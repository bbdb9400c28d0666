"""The tokenizer category: hostile texts, vocabularies mutated from the real one, and fixed cases
(endless or exploding vocabularies, odd vocabulary paths).
"""

import gzip

from .common import MAX_ARG_BYTES, VOCAB_GZ
from .mutate_bytes import mutate_bytes


WORDS = ["a", "photo", "of", "the", "cat", "dog", "playing", "snow", "naïve", "café", "日本語", "😀", "'s",
         "don't"]


def random_text(rng):
    kind = rng.choice(["words", "unicode", "entities", "long word", "long text", "mojibake", "bytes", "space"])
    if kind == "words":
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 40))).encode()
    if kind == "unicode":
        planes = [(1, 0x7F), (0x80, 0x7FF), (0x800, 0xD7FF), (0xE000, 0xFFFF), (0x10000, 0x10FFFF), (0x300, 0x36F)]
        chars = (chr(rng.randint(*rng.choice(planes))) for _ in range(rng.randint(1, 300)))
        return "".join(chars).encode("utf-8")
    if kind == "entities":
        parts = ["&amp;", "&lt;", "&#0;", "&#x110000;", "&#99999999999999999999;", "&#xD800;", "&nbsp", "&", "&#",
                 "&amp;amp;", "&#x;", "&#-1;", "&#9223372036854775808;"]
        return "".join(rng.choice(parts + WORDS) for _ in range(rng.randint(1, 60))).encode()
    if kind == "long word":
        alphabet = rng.choice(["a", "ab", "abcdefghijklmnopqrstuvwxyz", "é", "😀"])
        return "".join(rng.choice(alphabet) for _ in range(MAX_ARG_BYTES // 4)).encode()[:MAX_ARG_BYTES]
    if kind == "long text":
        return " ".join(rng.choice(WORDS) for _ in range(20000)).encode()[:MAX_ARG_BYTES]
    if kind == "mojibake":
        pieces = ["Ã©", "â€™", "Ã", "â€", "ï»¿", "\u00c2\u00a0", "cafÃ©"]
        return "".join(rng.choice(pieces) for _ in range(50)).encode()
    if kind == "bytes":
        return bytes(rng.randint(1, 255) for _ in range(rng.randint(1, 200)))
    spaces = ["\t", "\n", "\r", "\x0b", "\x0c", "\u3000", "\u200b", " ", "\u2028"]
    return "".join(rng.choice(spaces) for _ in range(50)).encode()


def mutate_vocab(rng, text):
    """A vocabulary made from the real one: lines dropped, repeated or replaced, or bytes mutated."""
    lines = text.split(b"\n")
    kind = rng.choice(["truncate", "no header", "duplicate", "garbage", "bytes"])
    if kind == "truncate":
        lines = lines[:rng.choice([0, 1, 2, 257, 1000, 48000, 49000])]
    elif kind == "no header":
        lines = lines[1:]
    elif kind == "duplicate":
        lines.insert(rng.randrange(len(lines)), rng.choice(lines))
    elif kind == "garbage":
        garbage = [b"", b"a", b"a b c", b"\xff\xfe b", b" ", b"a  b", b"\xc4\xa0 \xc4\xa0", b"x" * (1 << 20)]
        for _ in range(rng.randint(1, 20)):
            lines[rng.randrange(1, min(len(lines), 49000))] = rng.choice(garbage)
    else:
        return mutate_bytes(rng, text)[0], "vocab bytes mutated"
    return b"\n".join(lines), f"vocab {kind}"


def build_tokenizer_case(case, seeds):
    rng = case.rng
    texts = [random_text(rng) for _ in range(rng.randint(1, 3))]
    args = texts + ["--context-length", rng.choice(["2", "3", "77", "1000"])]
    if rng.random() < 0.3:
        vocab, note = mutate_vocab(rng, seeds.vocab_text)
        name = "vocab.txt"
        if rng.random() < 0.5:
            vocab, name = gzip.compress(vocab, 1, mtime=0), "vocab.txt.gz"
        if rng.random() < 0.2:
            vocab, more = mutate_bytes(rng, vocab)
            note += f"; file bytes: {more}"
        case.notes.append(note)
        args += ["--vocab", case.add_file(name, vocab)]
    else:
        args += ["--vocab", VOCAB_GZ]
    args += rng.choice([[], ["--no-truncate"], ["-o", "ids.npy"], ["--json"]])
    case.notes.append(f"texts of {[len(t) for t in texts]} bytes")
    case.add_step("tokenize", *args)


def fixed_tokenizer_cases(seeds):
    """Vocabularies that never end or expand without bound, and odd vocabulary paths."""
    base = [b"a photo of a cat"]
    return [
        ("endless vocabulary /dev/zero", base + [b"--vocab", b"/dev/zero"]),
        ("gzip bomb vocabulary (6 GiB of 'a b' lines)",
         base + [b"--vocab", seeds.crafted["vocab_bomb_lines.txt.gz"].encode()]),
        ("gzip bomb vocabulary (one 6 GiB line)",
         base + [b"--vocab", seeds.crafted["vocab_bomb_one_line.txt.gz"].encode()]),
        ("vocabulary is a directory", base + [b"--vocab", b"/tmp"]),
        ("vocabulary is /dev/urandom", base + [b"--vocab", b"/dev/urandom"]),
        ("empty vocabulary", base + [b"--vocab", b"/dev/null"]),
    ]

""".npy files: building, parsing, and mutating the header (shape, descr, fortran_order, header
length, version) or the body.
"""

import re

from .mutate_bytes import duplicate_chunk, mutate_bytes, pick_boundary, remove_chunk, truncate


def shape_text(shape):
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def npy_header(header_text, version=(1, 0)):
    length_size = 2 if version[0] == 1 else 4
    unpadded = 6 + 2 + length_size + len(header_text) + 1
    text = header_text + " " * (-unpadded % 64) + "\n"
    length = len(text).to_bytes(length_size, "little")
    return b"\x93NUMPY" + bytes(version) + length + text.encode("latin-1")


def npy_bytes(descr, shape, body, fortran=False):
    text = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text(shape)}, }}"
    return npy_header(text) + body


def parse_npy(data):
    """(version, header text, body) or None."""
    if not data.startswith(b"\x93NUMPY") or len(data) < 10:
        return None
    version = (data[6], data[7])
    size = 2 if version[0] == 1 else 4
    length = int.from_bytes(data[8:8 + size], "little")
    end = 8 + size + length
    if end > len(data):
        return None
    return version, data[8 + size:end].decode("latin-1"), data[end:]


def random_shape(rng):
    kind = rng.choice(["huge", "negative", "many", "zero", "scalar", "overflow", "mixed"])
    if kind == "huge":
        return tuple(rng.choice([2**31, 2**32, 2**62, 2**63 - 1, 10**30]) for _ in range(rng.randint(1, 4)))
    if kind == "negative":
        return (rng.choice([-1, -2**63, -4]),) + tuple(rng.choice([1, 3, 4]) for _ in range(rng.randint(0, 3)))
    if kind == "many":
        return tuple(rng.choice([1, 2]) for _ in range(rng.choice([33, 64, 100, 1000])))
    if kind == "zero":
        return tuple(rng.choice([0, 1, 3, 4]) for _ in range(rng.randint(1, 4)))
    if kind == "scalar":
        return ()
    if kind == "overflow":
        return (2**32, 2**32) if rng.random() < 0.5 else (2**21,) * 3
    return (1, 3, rng.choice([4, 2**40, 0]), rng.choice([4, 2**40, -1]))


NPY_DESCRS = ["<f4", ">f4", "<f8", "<f2", "<i8", "<i4", "|u1", "|i1", "|b1", "<u8", "<c8", "|O", "<U10",
              "|V4", "<M8[s]", "f4", "<f3", "", "<f99999999999999999999", "[('a', '<f4')]"]


def npy_edit_header(rng, version, text):
    kind = rng.choice(["shape", "shape", "shape", "descr", "fortran", "garbage", "number"])
    if kind == "shape":
        shape = random_shape(rng)
        text = re.sub(r"'shape': \([^)]*\)", "'shape': " + shape_text(shape), text)
        return text, f"shape {shape_text(shape)[:80]}"
    if kind == "descr":
        descr = rng.choice(NPY_DESCRS)
        return re.sub(r"'descr': '[^']*'", f"'descr': '{descr}'", text), f"descr {descr!r}"
    if kind == "fortran":
        value = rng.choice(["True", "1", "'x'", "None"])
        return text.replace("'fortran_order': False", f"'fortran_order': {value}"), f"fortran_order {value}"
    if kind == "number":
        token = rng.choice(["1e308", "nan", "-0", "1.5", "0x10", "99999999999999999999999", "True"])
        return re.sub(r"\d+", token, text, count=1), f"first number -> {token}"
    cut = rng.randrange(max(1, len(text)))
    return text[:cut] + rng.choice(["", "(", "{", "'", ")", ",,", "\x00"]) + text[cut + 1:], "header garbage"


def npy_edit_length(rng, data, version):
    size = 2 if version[0] == 1 else 4
    value = pick_boundary(rng, int.from_bytes(data[8:8 + size], "little")) % (1 << (8 * size))
    return data[:8] + value.to_bytes(size, "little") + data[8 + size:], f"header length field {value}"


def mutate_npy(rng, data):
    parsed = parse_npy(data)
    if parsed is None or rng.random() < 0.15:
        return mutate_bytes(rng, data)
    version, text, body = parsed
    kind = rng.choice(["header", "header", "header", "length", "version", "body"])
    if kind == "length":
        return npy_edit_length(rng, data, version)
    if kind == "version":
        new = rng.choice([(0, 0), (2, 0), (3, 0), (4, 0), (255, 255)])
        return npy_header(text.rstrip(), new) + body, f"version {new}"
    if kind == "body":
        body, note = rng.choice([truncate, duplicate_chunk, remove_chunk])(rng, body)
        return npy_header(text.rstrip(), version) + body, "body: " + note
    text, note = npy_edit_header(rng, version, text.rstrip())
    return npy_header(text, version) + body, note

#!/usr/bin/env python3
"""Attacker-style robustness campaign against the `edgeflow` command line (development tool).

Feeds the CLI mutated ONNX models, .efa archives, .npy inputs, photos, tokenizer texts and
vocabularies, and hostile option values, each run under a timeout and an address-space limit,
and reports every run that ends in a way a user must never see: a signal (trap, segfault,
abort), exit 70 (internal error) or any undocumented code, a timeout, "Fatal error" /
"Segmentation" on stderr, or an output file left behind by a failing command.

    python3 tools/fuzz/cli_campaign.py --edgeflow .build/release/edgeflow --cases 2000 --seed 1 \\
        --out /tmp/campaign [--only models,archives,npy,images,tokenizer,options] \\
        [--timeout 20] [--memory-mb 4096] [--max-minutes 25] [--no-backtraces]

Python standard library only; deterministic for a given --seed (and the same binary and seeds).
Each finding is saved under OUT/findings/ with its input files, command.txt (shell-quoted,
run from that directory), repro.sh, stderr.txt and, for crashes and hangs, backtrace.txt.
Findings are deduplicated by (verb, class, first telling line of stderr with paths, quoted
names and digits normalized, crash site). The exit status is 1 when anything was found.
See tools/README.md ("tools/fuzz/cli_campaign.py").
"""

import argparse
import copy
import glob
import gzip
import io
import json
import os
import random
import re
import resource
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDENS = os.path.join(REPO, "Tests", "Goldens")
VOCAB_GZ = os.path.join(REPO, ".testdata", "clip", "bpe_simple_vocab_16e6.txt.gz")
SEED_PARSE_ARGS = {"tiny": ["--input-shape", "images=1,3,4,4"]}  # tiny.onnx has a dynamic batch

OK_CODES = (0, 64, 65, 69, 74)
CATEGORIES = ("models", "archives", "npy", "images", "tokenizer", "options")
WEIGHTS = {"models": 0.2, "archives": 0.2, "npy": 0.12, "images": 0.2, "tokenizer": 0.08, "options": 0.2}
FSIZE_LIMIT = 2 << 30          # a runaway writer is stopped (SIGXFSZ) before it fills the disk
STDERR_KEEP = 64 << 10
BACKTRACE_SECONDS = 30         # for Swift's backtracer to symbolicate and print
HANG_SAMPLE_SECONDS = 5        # a hang is sampled this long after its start
MAX_ARG_BYTES = 100_000        # below Linux's 128 KiB limit for one argv string

BOUNDARY_INTS = [0, 1, -1, 2, 255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**53 + 1,
                 2**62, 2**63 - 1, 2**64 - 1, -2**31, -2**63, 2**70, 2**100]
OPTION_VALUES = ["0", "-1", "1", "2", "0.5", "-0", "1e308", "-1e308", "1e-45", "nan", "inf", "-inf",
                 "2147483647", "2147483648", "4294967296", "1000000", "4611686018427387904",
                 "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                 "9999999999999999999999", "0x10", ""]
JSON_TOKENS = ["0", "-1", "1.5", "-0", "1e308", "-1e308", "1e400", "NaN", "Infinity", "-Infinity",
               "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
               "18446744073709551616", "-9223372036854775809", "99999999999999999999999999",
               "null", "true", "\"\"", "\"x\"", "[]", "{}", "[[]]", "[-1]", "[9223372036854775807]"]


# ---------------------------------------------------------------------------------------------
# Generic byte mutators: each takes (rng, data) and returns (new data, description).

def pick_boundary(rng, original=None):
    """A boundary integer, sometimes a neighbour of the original value."""
    if original is not None and rng.random() < 0.25:
        return original + rng.choice([-1, 1, original, -2 * original - 1])
    return rng.choice(BOUNDARY_INTS)


def flip_bits(rng, data):
    out = bytearray(data)
    count = rng.randint(1, max(1, min(16, len(out) // 8)))
    for _ in range(count if out else 0):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out), f"flip {count} bits"


def random_bytes(rng, data):
    if not data:
        return data, "random bytes (empty)"
    start = rng.randrange(len(data))
    length = rng.randint(1, min(32, len(data) - start))
    chunk = bytes(rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)]) for _ in range(length))
    return data[:start] + chunk + data[start + length:], f"overwrite {length} bytes at {start}"


def truncate(rng, data):
    cut = rng.randint(0, max(0, len(data) - 1))
    return data[:cut], f"truncate to {cut} bytes"


def duplicate_chunk(rng, data):
    if not data:
        return data, "duplicate (empty)"
    start = rng.randrange(len(data))
    chunk = data[start:start + rng.randint(1, min(4096, len(data)))]
    at = rng.randint(0, len(data))
    return data[:at] + chunk * rng.choice([1, 2, 16]) + data[at:], f"duplicate {len(chunk)} bytes to {at}"


def remove_chunk(rng, data):
    if not data:
        return data, "remove (empty)"
    start = rng.randrange(len(data))
    length = rng.randint(1, max(1, min(4096, len(data) // 4)))
    return data[:start] + data[start + length:], f"remove {length} bytes at {start}"


def encode_varint(value):
    """Protobuf varint; negative numbers as 64-bit two's complement, >= 2**64 as over-long varints."""
    if value < 0:
        value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pack_integer(rng, value):
    """value as a little/big-endian integer of 1, 2, 4 or 8 bytes, or as a varint."""
    width = rng.choice([1, 2, 4, 8, 0])
    if width == 0:
        return encode_varint(value), "varint"
    order = rng.choice(["little", "big"])
    return (value % (1 << (8 * width))).to_bytes(width, order), f"{width}-byte {order}"


def insert_boundary(rng, data):
    value = pick_boundary(rng)
    packed, how = pack_integer(rng, value)
    at = rng.randint(0, len(data))
    if rng.random() < 0.5:
        return data[:at] + packed + data[at:], f"insert {value} ({how}) at {at}"
    return data[:at] + packed + data[at + len(packed):], f"overwrite {value} ({how}) at {at}"


BYTE_MUTATORS = [flip_bits, random_bytes, truncate, duplicate_chunk, remove_chunk, insert_boundary]


def mutate_bytes(rng, data, rounds=None):
    notes = []
    for _ in range(rounds or rng.randint(1, 3)):
        data, note = rng.choice(BYTE_MUTATORS)(rng, data)
        notes.append(note)
    return data, "; ".join(notes)


# ---------------------------------------------------------------------------------------------
# Protobuf (ONNX): a generic wire-format tree. A field is [number, wire type, value]; a
# length-delimited value that parses completely as a message is kept as a list of fields.

def read_varint(data, pos):
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("bad varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def parse_message(data, depth=0):
    fields, pos = [], 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("field 0")
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            if pos + size > len(data):
                raise ValueError("short fixed")
            value, pos = data[pos:pos + size], pos + size
        elif wire == 2:
            length, pos = read_varint(data, pos)
            if pos + length > len(data):
                raise ValueError("short bytes")
            value, pos = maybe_message(data[pos:pos + length], depth + 1), pos + length
        else:
            raise ValueError("group")
        fields.append([number, wire, value])
    return fields


def maybe_message(raw, depth):
    if depth > 12 or not raw:
        return raw
    try:
        return parse_message(raw, depth)
    except ValueError:
        return raw


def serialize_message(fields):
    out = bytearray()
    for number, wire, value in fields:
        out += encode_varint(number << 3 | wire)
        if wire == 0:
            out += encode_varint(value)
        elif wire == 2:
            body = serialize_message(value) if isinstance(value, list) else value
            out += encode_varint(len(body)) + body
        else:
            out += value
    return bytes(out)


def walk_fields(fields, path=()):
    """Yields (path of field numbers, field, containing list) for every field, depth first."""
    for field in fields:
        here = path + (field[0],)
        yield here, field, fields
        if isinstance(field[2], list):
            yield from walk_fields(field[2], here)


# ONNX paths (field numbers from ModelProto) whose integers are sizes, types or attributes.
ONNX_SIZE_PATHS = {
    (7, 11, 2, 1, 2, 1, 1): "graph input dim", (7, 12, 2, 1, 2, 1, 1): "graph output dim",
    (7, 13, 2, 1, 2, 1, 1): "value_info dim", (7, 5, 1): "initializer dims",
    (7, 5, 2): "initializer data_type", (7, 11, 2, 1, 1): "input elem_type",
    (7, 1, 5, 3): "attribute i", (7, 1, 5, 8): "attribute ints", (7, 1, 5, 20): "attribute type",
    (7, 1, 5, 5, 1): "attribute tensor dims", (1,): "ir_version", (8, 2): "opset version",
}
ONNX_REPEATED = {(7, 11): "graph input", (7, 12): "graph output", (7, 1): "node",
                 (7, 5): "initializer", (7, 13): "value_info", (7, 1, 1): "node input",
                 (7, 1, 5): "attribute", (7, 11, 2, 1, 2, 1): "input dim"}


def pb_set_varint(rng, tree, targeted):
    candidates = [(p, f) for p, f, _ in walk_fields(tree) if f[1] == 0 and (not targeted or p in ONNX_SIZE_PATHS)]
    if not candidates:
        return False, "no varint"
    path, field = rng.choice(candidates)
    old, field[2] = field[2], pick_boundary(rng, field[2])
    return True, f"{ONNX_SIZE_PATHS.get(path, path)}: {old} -> {field[2]}"


def pb_duplicate(rng, tree, targeted):
    candidates = [(p, f, c) for p, f, c in walk_fields(tree) if not targeted or p in ONNX_REPEATED]
    if not candidates:
        return False, "nothing to duplicate"
    path, field, container = rng.choice(candidates)
    container.insert(rng.randint(0, len(container)), copy.deepcopy(field))
    return True, f"duplicate {ONNX_REPEATED.get(path, path)}"


def pb_delete(rng, tree, targeted):
    candidates = [(p, f, c) for p, f, c in walk_fields(tree) if not targeted or p in ONNX_REPEATED]
    if not candidates:
        return False, "nothing to delete"
    path, field, container = rng.choice(candidates)
    container.remove(field)
    return True, f"delete {ONNX_REPEATED.get(path, path)}"


def pb_resize_bytes(rng, tree, targeted):
    candidates = [(p, f) for p, f, _ in walk_fields(tree) if f[1] == 2 and isinstance(f[2], bytes)]
    if not candidates:
        return False, "no bytes field"
    path, field = rng.choice(candidates)
    if rng.random() < 0.5 and field[2]:
        field[2] = field[2][:rng.randrange(len(field[2]))]
        return True, f"shorten bytes at {path}"
    field[2] = field[2] + bytes(rng.randrange(256) for _ in range(rng.choice([1, 3, 4, 64])))
    return True, f"lengthen bytes at {path}"


def pb_many_dims(rng, tree, targeted):
    shape_paths = ((7, 11, 2, 1, 2), (7, 13, 2, 1, 2))
    shapes = [f for p, f, _ in walk_fields(tree) if p in shape_paths and isinstance(f[2], list)]
    if not shapes:
        return False, "no shape"
    shape = rng.choice(shapes)
    count, value = rng.choice([(40, 2), (70, 2), (3, 2**31), (2, 2**62), (1000, 1), (5, 65536)])
    shape[2].extend([[1, 2, [[1, 0, value]]] for _ in range(count)])
    return True, f"add {count} dims of {value} to a shape"


def pb_renumber(rng, tree, targeted):
    candidates = [f for _, f, _ in walk_fields(tree)]
    if not candidates:
        return False, "empty"
    field = rng.choice(candidates)
    old, field[0] = field[0], rng.randint(1, 21)
    return True, f"field {old} renumbered {field[0]}"


PB_MUTATORS = [pb_set_varint, pb_set_varint, pb_duplicate, pb_delete, pb_resize_bytes, pb_many_dims, pb_renumber]


def mutate_protobuf(rng, data):
    try:
        tree = parse_message(data)
    except ValueError:
        return mutate_bytes(rng, data)
    notes = []
    for _ in range(rng.randint(1, 3)):
        done, note = rng.choice(PB_MUTATORS)(rng, tree, rng.random() < 0.7)
        if done:
            notes.append(note)
    return serialize_message(tree), "protobuf: " + ("; ".join(notes) or "unchanged")


def as_bytes(value):
    """A length-delimited value as bytes (undoing a parse of a string that happened to look like a message)."""
    return serialize_message(value) if isinstance(value, list) else value


def onnx_node_names(data):
    try:
        tree = parse_message(data)
    except ValueError:
        return []
    return [as_bytes(f[2]).decode("utf-8", "replace") for p, f, _ in walk_fields(tree) if p == (7, 1, 3)]


def onnx_input_names(data):
    """Graph inputs that are not initializers, in order."""
    tree = parse_message(data)
    inits = {as_bytes(f[2]) for p, f, _ in walk_fields(tree) if p == (7, 5, 8)}
    names = []
    for path, field, _ in walk_fields(tree):
        if path == (7, 11) and isinstance(field[2], list):
            name = next((as_bytes(f[2]) for f in field[2] if f[0] == 1 and f[1] == 2), b"")
            if name not in inits:
                names.append(name.decode())
    return names


ONNX_DESCR = {1: "<f4", 2: "|u1", 3: "|i1", 4: "<u2", 5: "<i2", 6: "<i4", 7: "<i8", 9: "|b1",
              10: "<f2", 11: "<f8", 12: "<u4", 13: "<u8"}


def tensor_proto_to_npy(data):
    """(name, .npy bytes) of a TensorProto with raw_data, or None."""
    fields = parse_message(data)
    dims = [f[2] for f in fields if f[0] == 1 and f[1] == 0]
    dtype = next((f[2] for f in fields if f[0] == 2 and f[1] == 0), None)
    name = next((as_bytes(f[2]).decode() for f in fields if f[0] == 8 and f[1] == 2), "")
    raw = next((as_bytes(f[2]) for f in fields if f[0] == 9 and f[1] == 2), None)
    if dtype not in ONNX_DESCR or raw is None:
        return None
    return name, npy_bytes(ONNX_DESCR[dtype], tuple(dims), raw)


# ---------------------------------------------------------------------------------------------
# .npy

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


# ---------------------------------------------------------------------------------------------
# Zip (.efa archives and the weights.npz inside them)

ZIP_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
LOCAL_FIELDS = {"version": (4, 2), "flags": (6, 2), "method": (8, 2), "crc": (14, 4), "compressed size": (18, 4),
                "size": (22, 4), "name length": (26, 2), "extra length": (28, 2)}
CENTRAL_FIELDS = {"method": (10, 2), "crc": (16, 4), "compressed size": (20, 4), "size": (24, 4),
                  "name length": (28, 2), "extra length": (30, 2), "comment length": (32, 2),
                  "disk": (34, 2), "local offset": (42, 4)}
EOCD_FIELDS = {"disk": (4, 2), "cd disk": (6, 2), "entries on disk": (8, 2), "entries": (10, 2),
               "cd size": (12, 4), "cd offset": (16, 4), "comment length": (20, 2)}


def zip_members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def build_stored_zip(members):
    """A zip of stored members with a fixed date (so the bytes depend only on the members)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, body in members:
            info = zipfile.ZipInfo(name, ZIP_FIXED_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, body)
    return buffer.getvalue()


def zip_records(data):
    """(kind, offset) of the end record, each central entry and each local header."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        return []
    records = [("end of central directory", end)]
    count, offset = struct.unpack_from("<HxxxxI", data, end + 10)
    for _ in range(count):
        if data[offset:offset + 4] != b"PK\x01\x02":
            break
        records.append(("central entry", offset))
        records.append(("local header", struct.unpack_from("<I", data, offset + 42)[0]))
        lengths = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + sum(lengths)
    return records


def mutate_zip_fields(rng, data):
    records = zip_records(data)
    if not records:
        return mutate_bytes(rng, data)
    kind, offset = rng.choice(records)
    table = {"end of central directory": EOCD_FIELDS, "central entry": CENTRAL_FIELDS}.get(kind, LOCAL_FIELDS)
    name = rng.choice(sorted(table))
    at, width = table[name]
    old = int.from_bytes(data[offset + at:offset + at + width], "little")
    value = pick_boundary(rng, old) % (1 << (8 * width))
    new = data[:offset + at] + value.to_bytes(width, "little") + data[offset + at + width:]
    return new, f"zip {kind} at {offset}: {name} {old} -> {value}"


def json_leaves(node, path=()):
    """(path, value) of every value in a JSON document, containers included."""
    yield path, node
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in items:
        yield from json_leaves(child, path + (key,))


def json_replace(document, path, value):
    if not path:
        return value
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document


SENTINEL = "\u0001edgeflow-campaign\u0001"


def mutate_json(rng, text):
    """Edits one value of a JSON document (numbers preferred); returns (text, description)."""
    try:
        document = json.loads(text)
    except ValueError:
        return text, "json unparsable"
    leaves = list(json_leaves(document))
    numbers = [(p, v) for p, v in leaves if isinstance(v, (int, float)) and not isinstance(v, bool)]
    path, old = rng.choice(numbers if numbers and rng.random() < 0.7 else leaves)
    kind = rng.choice(["token", "token", "token", "delete", "duplicate"])
    if kind == "delete" and path:
        parent = json_leaves_parent(document, path)
        del parent[path[-1]]
        return json.dumps(document), f"delete {path_text(path)}"
    if kind == "duplicate" and isinstance(old, list) and old:
        old.append(copy.deepcopy(rng.choice(old)))
        return json.dumps(document), f"duplicate an element of {path_text(path)}"
    token = rng.choice(JSON_TOKENS)
    document = json_replace(document, path, SENTINEL)
    return json.dumps(document).replace(json.dumps(SENTINEL), token), f"{path_text(path)}: {str(old)[:40]} -> {token}"


def json_leaves_parent(document, path):
    node = document
    for key in path[:-1]:
        node = node[key]
    return node


def path_text(path):
    return "/" + "/".join(str(p) for p in path)


def mutate_archive_member(rng, data, name):
    members = zip_members(data)
    index = next((i for i, (n, _) in enumerate(members) if n == name), None)
    if index is None:
        return mutate_bytes(rng, data)
    body = members[index][1]
    if name.endswith(".json"):
        text, note = mutate_json(rng, body.decode("utf-8"))
        body = text.encode("utf-8")
    else:
        body, note = mutate_npz(rng, body)
    members[index] = (name, body)
    return build_stored_zip(members), f"{name}: {note} (crc fixed)"


def mutate_npz(rng, data):
    try:
        members = zip_members(data)
    except (zipfile.BadZipFile, ValueError):
        return mutate_bytes(rng, data)
    if not members or rng.random() < 0.3:
        return mutate_zip_fields(rng, data)
    index = rng.randrange(len(members))
    name, body = members[index]
    body, note = mutate_npy(rng, body)
    members[index] = (name, body)
    return build_stored_zip(members), f"{name}: {note}"


def mutate_archive(rng, data):
    kind = rng.choice(["bytes", "zip", "zip", "graph", "graph", "graph", "graph", "metadata", "weights", "weights"])
    if kind == "bytes":
        return mutate_bytes(rng, data)
    if kind == "zip":
        return mutate_zip_fields(rng, data)
    member = {"graph": "graph.json", "metadata": "metadata.json", "weights": "weights.npz"}[kind]
    return mutate_archive_member(rng, data, member)


# ---------------------------------------------------------------------------------------------
# Images: header dimension fields of each format, with checksums fixed where the format has them.

def png_chunks(data):
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    chunks, pos = [], 8
    while pos + 12 <= len(data):
        length = struct.unpack_from(">I", data, pos)[0]
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        chunks.append([kind, body])
        pos += 12 + length
    return chunks


def build_png(chunks):
    out = bytearray(b"\x89PNG\r\n\x1a\n")
    for kind, body in chunks:
        out += struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return bytes(out)


def mutate_png(rng, data):
    chunks = png_chunks(data)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return mutate_bytes(rng, data)
    kind = rng.choice(["dims", "dims", "format", "chunk", "idat", "order"])
    ihdr = bytearray(chunks[0][1])
    if kind == "dims":
        width, height = (rng.choice([0, 1, 13000, 65535, 2**31 - 1, 2**31, 2**32 - 1, 100_000_000])
                         for _ in range(2))
        struct.pack_into(">II", ihdr, 0, width, height)
        note = f"PNG IHDR {width}x{height}"
    elif kind == "format":
        ihdr[8] = rng.choice([0, 1, 2, 4, 8, 16, 255])
        ihdr[9] = rng.choice([0, 2, 3, 4, 6, 7])
        ihdr[12] = rng.choice([0, 1, 2])
        note = f"PNG IHDR depth {ihdr[8]} color {ihdr[9]} interlace {ihdr[12]}"
    elif kind == "chunk":
        index = rng.randrange(len(chunks))
        chunks[index][1], note = mutate_bytes(rng, chunks[index][1])
        note = f"PNG {chunks[index][0].decode('latin-1')} body: {note}"
    elif kind == "idat":
        return mutate_png_pixels(rng, chunks)
    else:
        index = rng.randrange(len(chunks))
        extra = list(chunks[index]) if rng.random() < 0.5 else [b"IHDR", bytes(ihdr)]
        chunks.insert(rng.randrange(len(chunks) + 1), extra)
        note = "PNG duplicated chunk"
    if kind != "chunk":
        chunks[0][1] = bytes(ihdr)
    return build_png(chunks), note + " (crc fixed)"


def mutate_png_pixels(rng, chunks):
    """Decompresses the pixel data, mutates the filtered scanlines, and compresses them again."""
    idat = b"".join(body for kind, body in chunks if kind == b"IDAT")
    try:
        raw = zlib.decompress(idat)
    except zlib.error:
        return build_png(chunks), "PNG IDAT undecodable"
    raw, note = mutate_bytes(rng, raw)
    rest = [c for c in chunks if c[0] != b"IDAT"]
    rest.insert(len(rest) - 1, [b"IDAT", zlib.compress(raw)])
    return build_png(rest), f"PNG scanlines: {note} (recompressed)"


JPEG_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def jpeg_segments(data):
    """(marker, offset of the segment length) of each segment before the scan."""
    segments, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        segments.append((marker, pos + 2))
        if marker == 0xDA:
            break
        pos += 2 + struct.unpack_from(">H", data, pos + 2)[0]
    return segments


def mutate_jpeg(rng, data):
    segments = jpeg_segments(data)
    sof = [offset for marker, offset in segments if marker in JPEG_SOF]
    kind = rng.choice(["sof", "sof", "sof", "length", "segment"])
    out = bytearray(data)
    if kind == "sof" and sof:
        at = sof[0]
        field = rng.choice(["dims", "dims", "precision", "components", "sampling"])
        if field == "dims":
            struct.pack_into(">HH", out, at + 3, *(rng.choice([0, 1, 8, 65500, 65535]) for _ in range(2)))
        elif field == "precision":
            out[at + 2] = rng.choice([0, 1, 12, 16, 255])
        elif field == "components":
            out[at + 7] = rng.choice([0, 2, 4, 5, 255])
        else:
            component = rng.randrange(min(max(out[at + 7], 1), 4))
            out[at + 9 + 3 * component] = rng.choice([0, 0xFF, 0x44, 0x41, 0x14])
        return bytes(out), f"JPEG SOF {field}: {struct.unpack_from('>HH', out, at + 3)}"
    if kind == "length" and segments:
        marker, at = rng.choice(segments)
        struct.pack_into(">H", out, at, rng.choice([0, 1, 2, 65535, struct.unpack_from(">H", out, at)[0] + 1]))
        return bytes(out), f"JPEG segment {marker:#x} length"
    return mutate_bytes(rng, data)


def gif_descriptor(data):
    """Offset of the first image descriptor (0x2C), or None."""
    pos = 13 + ((3 << ((data[10] & 7) + 1)) if data[10] & 0x80 else 0)
    while pos < len(data):
        if data[pos] == 0x2C:
            return pos
        if data[pos] != 0x21 or pos + 2 >= len(data):
            return None
        pos += 2
        while pos < len(data) and data[pos]:
            pos += data[pos] + 1
        pos += 1
    return None


def mutate_gif(rng, data):
    if len(data) < 13 or not data.startswith(b"GIF"):
        return mutate_bytes(rng, data)
    out = bytearray(data)
    kind = rng.choice(["screen", "image", "image", "lzw", "bytes"])
    values = [0, 1, 32768, 65535]
    if kind == "screen":
        struct.pack_into("<HH", out, 6, rng.choice(values), rng.choice(values))
        return bytes(out), f"GIF logical screen {struct.unpack_from('<HH', out, 6)}"
    at = gif_descriptor(data)
    if at is None or kind == "bytes" or at + 10 > len(out):
        return mutate_bytes(rng, data)
    if kind == "image":
        struct.pack_into("<HHHH", out, at + 1, *(rng.choice(values) for _ in range(4)))
        return bytes(out), f"GIF image descriptor {struct.unpack_from('<HHHH', out, at + 1)}"
    lzw_at = at + 10 + ((3 << ((out[at + 9] & 7) + 1)) if out[at + 9] & 0x80 else 0)
    if lzw_at < len(out):
        out[lzw_at] = rng.choice([0, 1, 12, 13, 255])
    return bytes(out), "GIF LZW minimum code size"


def riff_chunks(data):
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        size = struct.unpack_from("<I", data, pos + 4)[0]
        chunks.append((data[pos:pos + 4], pos))
        pos += 8 + size + (size & 1)
    return chunks


def mutate_webp(rng, data):
    if not data.startswith(b"RIFF"):
        return mutate_bytes(rng, data)
    out = bytearray(data)
    chunks = dict(riff_chunks(data))
    kind = rng.choice(["riff size", "chunk size", "dims", "dims", "bytes"])
    if kind == "riff size":
        struct.pack_into("<I", out, 4, pick_boundary(rng) % 2**32)
    elif kind == "chunk size" and chunks:
        at = rng.choice(sorted(chunks.values()))
        struct.pack_into("<I", out, at + 4, pick_boundary(rng) % 2**32)
    elif kind == "dims" and b"VP8X" in chunks and rng.random() < 0.5:
        at = chunks[b"VP8X"] + 12
        out[at:at + 6] = bytes(rng.choice([0, 0xFF]) for _ in range(6))
        kind = "VP8X canvas"
    elif kind == "dims" and b"VP8L" in chunks:
        at = chunks[b"VP8L"] + 9
        header = struct.unpack_from("<I", out, at)[0] & 0xF0000000  # alpha and version bits kept
        struct.pack_into("<I", out, at, header | rng.choice([0x0FFFFFFF, 0, 0x3FFF]))
        kind = "VP8L dims"
    elif kind == "dims" and b"VP8 " in chunks:
        at = chunks[b"VP8 "] + 8 + 6
        struct.pack_into("<HH", out, at, rng.choice([0, 0x3FFF, 0xFFFF]), rng.choice([0, 0x3FFF, 0xFFFF]))
        kind = "VP8 dims"
    else:
        return mutate_bytes(rng, data)
    return bytes(out), f"WebP {kind}"


TIFF_TAGS = {256: "ImageWidth", 257: "ImageLength", 258: "BitsPerSample", 259: "Compression",
             262: "Photometric", 273: "StripOffsets", 274: "Orientation", 277: "SamplesPerPixel",
             278: "RowsPerStrip", 279: "StripByteCounts", 284: "PlanarConfig", 317: "Predictor",
             320: "ColorMap", 322: "TileWidth", 323: "TileLength", 338: "ExtraSamples", 339: "SampleFormat"}


def mutate_tiff(rng, data):
    if data[:4] not in (b"II*\x00", b"MM\x00*"):
        return mutate_bytes(rng, data)
    order = "<" if data[:2] == b"II" else ">"
    out = bytearray(data)
    ifd = struct.unpack_from(order + "I", data, 4)[0]
    if ifd + 2 > len(data) or rng.random() < 0.1:
        struct.pack_into(order + "I", out, 4, pick_boundary(rng) % 2**32)
        return bytes(out), "TIFF IFD offset"
    count = struct.unpack_from(order + "H", data, ifd)[0]
    entries = [ifd + 2 + 12 * i for i in range(count) if ifd + 14 + 12 * i <= len(data)]
    if not entries:
        return mutate_bytes(rng, data)
    at = rng.choice(entries)
    tag, kind = struct.unpack_from(order + "HH", data, at)
    field = rng.choice(["value", "value", "count", "type"])
    if field == "value" and kind == 3:
        struct.pack_into(order + "H", out, at + 8, pick_boundary(rng) % 2**16)
    elif field == "value":
        struct.pack_into(order + "I", out, at + 8, pick_boundary(rng) % 2**32)
    elif field == "count":
        struct.pack_into(order + "I", out, at + 4, pick_boundary(rng) % 2**32)
    else:
        struct.pack_into(order + "H", out, at + 2, rng.randint(0, 20))
    return bytes(out), f"TIFF {TIFF_TAGS.get(tag, tag)} {field}"


HEIF_BOXES = [b"ftyp", b"meta", b"hdlr", b"pitm", b"iloc", b"iinf", b"infe", b"iref", b"iprp", b"ipco", b"ispe",
              b"hvcC", b"av1C", b"colr", b"pixi", b"ipma", b"irot", b"imir", b"clap", b"idat", b"mdat", b"thmb"]


def mutate_heif(rng, data):
    boxes = [(m.start() - 4, m.group()) for m in re.finditer(b"|".join(HEIF_BOXES), data) if m.start() >= 4]
    if not boxes or rng.random() < 0.2:
        return mutate_bytes(rng, data)
    out = bytearray(data)
    at, kind = rng.choice(boxes)
    ispe = [a for a, k in boxes if k == b"ispe"]
    if ispe and rng.random() < 0.35:
        at = rng.choice(ispe)
        struct.pack_into(">II", out, at + 12, *(pick_boundary(rng) % 2**32 for _ in range(2)))
        return bytes(out), f"HEIF ispe {struct.unpack_from('>II', out, at + 12)}"
    if rng.random() < 0.5:
        struct.pack_into(">I", out, at, pick_boundary(rng, struct.unpack_from(">I", out, at)[0]) % 2**32)
        return bytes(out), f"HEIF {kind.decode()} box size"
    size = struct.unpack_from(">I", data, at)[0]
    word = at + 8 + 4 * rng.randrange(max(1, min(size, len(data) - at) // 4 - 2))
    if word + 4 <= len(out):
        struct.pack_into(">I", out, word, pick_boundary(rng) % 2**32)
    return bytes(out), f"HEIF {kind.decode()} body word"


def mutate_exif_orientation(rng, data):
    """Sets every EXIF Orientation (tag 0x0112, SHORT) to a hostile value."""
    value = rng.choice([0, 9, 255, 65535, 5, 8])
    out = bytearray(data)
    hits = 0
    for pattern, order in ((b"\x01\x12\x00\x03", ">H"), (b"\x12\x01\x03\x00", "<H")):
        for match in re.finditer(re.escape(pattern), data):
            if match.start() + 10 <= len(out):
                struct.pack_into(order, out, match.start() + 8, value)
                hits += 1
    if not hits:
        return mutate_bytes(rng, data)
    return bytes(out), f"EXIF orientation {value}"


IMAGE_MUTATORS = {".png": mutate_png, ".jpg": mutate_jpeg, ".gif": mutate_gif, ".webp": mutate_webp,
                  ".tif": mutate_tiff, ".heic": mutate_heif}


def mutate_image(rng, name, data):
    roll = rng.random()
    if roll < 0.1:
        return mutate_exif_orientation(rng, data)
    if roll < 0.45:
        return mutate_bytes(rng, data)
    data, note = IMAGE_MUTATORS[os.path.splitext(name)[1]](rng, data)
    if roll > 0.9:
        data, more = mutate_bytes(rng, data, 1)
        note += "; " + more
    return data, note


# ---------------------------------------------------------------------------------------------
# Crafted inputs: bombs that are small on disk and huge when decoded.

def repeated_deflate(chunk, count):
    """A raw deflate stream of `chunk` repeated `count` times, compressing the chunk only once."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    return segment * count + compressor.flush(zlib.Z_FINISH)


def png_bomb(width, height, channels=3, rows_per_chunk=64):
    """A PNG of zero pixels whose IDAT is tiny for its size (filter 0 scanlines)."""
    row = bytes(1 + width * channels)
    chunk_rows = max(d for d in range(1, min(rows_per_chunk, height) + 1) if height % d == 0)
    count = height // chunk_rows
    body = repeated_deflate(row * chunk_rows, count)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(row * chunk_rows, checksum)
    idat = b"\x78\xda" + body + struct.pack(">I", checksum)
    color = {1: 0, 3: 2}[channels]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    return build_png([[b"IHDR", ihdr], [b"IDAT", idat], [b"IEND", b""]])


def gzip_bomb(line, total_bytes):
    chunk = line * ((1 << 20) // len(line))
    count = total_bytes // len(chunk)
    checksum = 0
    for _ in range(count):
        checksum = zlib.crc32(chunk, checksum)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", checksum, (len(chunk) * count) & 0xFFFFFFFF)
    return header + repeated_deflate(chunk, count) + trailer


def png_header_only(width, height):
    """IHDR and IEND, no pixel data."""
    return build_png([[b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)], [b"IEND", b""]])


def jpeg_header_only(width, height):
    """SOI + a baseline SOF0 of the given size + EOI: no tables, no scan."""
    sof = struct.pack(">BBHBHHB", 0xFF, 0xC0, 17, 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    return b"\xff\xd8" + sof + b"\xff\xd9"


def gif_screen(width, height):
    """A 1×1 GIF frame on a huge logical screen."""
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00\x3b")


def probability_map():
    """float32 [1, 1, 32, 32] with one bright square: a valid `regions` input."""
    values = [0.9 if 8 <= y < 20 and 4 <= x < 28 else 0.05 for y in range(32) for x in range(32)]
    return npy_bytes("<f4", (1, 1, 32, 32), struct.pack("<1024f", *values))


# ---------------------------------------------------------------------------------------------
# Running the binary

class Result:
    def __init__(self, code, timed_out, stderr, seconds):
        self.code, self.timed_out, self.stderr, self.seconds = code, timed_out, stderr, seconds


def limits(address_space):
    def apply():
        # A shell's background job inherits SIGINT/SIGQUIT ignored; the backtracer needs SIGQUIT back.
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))
    return apply


def run_binary(binary, args, cwd, timeout, address_space, stderr_path, backtrace=False):
    """Runs one command. With backtrace, Swift's backtracer is on and a run still going at the
    timeout gets SIGQUIT (which the backtracer reports like a crash) before it is killed."""
    setting = "enable=yes,interactive=no,color=no" if backtrace else "enable=no"
    env = dict(os.environ, SWIFT_BACKTRACE=setting)
    started = time.monotonic()
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen([binary] + list(args), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
                                   preexec_fn=limits(address_space))
        try:
            code, timed_out = process.wait(timeout=timeout), False
        except subprocess.TimeoutExpired:
            code, timed_out = stop(process, backtrace and stderr_path), True
    with open(stderr_path, "rb") as stderr:
        text = stderr.read(STDERR_KEEP).decode("utf-8", "replace")
    return Result(code, timed_out, text, time.monotonic() - started)


def stop(process, backtrace_path):
    """Ends a run that timed out (its whole process group), after the backtrace a SIGQUIT makes
    Swift's backtracer write to backtrace_path, if given."""
    if backtrace_path:
        process.send_signal(signal.SIGQUIT)
        deadline = time.monotonic() + BACKTRACE_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            with open(backtrace_path, "rb") as report:
                if b"Backtrace took" in report.read():
                    break
            time.sleep(0.2)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return process.wait()


FRAME = re.compile(r"^\s*\d+\s+((?:\[[^\]]*\]\s*)*)0x[0-9a-f]+ (.*?)(?: \+ \d+)?(?: in (\S+))?(?: at (\S+))?$", re.M)


def crash_site(backtrace, module=""):
    """Where a crash happened: the first frame in Edgeflow's own sources (not inlined standard
    library code) whose path starts with `module`, else the top frame (a C library, the runtime).
    A hang is sampled at a random point of its loop, so for a hang pass module="EFCLI/": the
    command's line that made the endless call is stable where the innermost frame is not."""
    frames = []
    for flags, symbol, image, where in FRAME.findall(backtrace.split("\nRegisters:")[0]):
        symbol = symbol.replace("specialized ", "")[:100]
        source = where.split("/Sources/")[-1] if where and "/Sources/" in where else ""
        if source.startswith(module) and source and "[system]" not in flags:
            return f"{symbol} ({source.rsplit(':', 1)[0]})"
        frames.append(f"{symbol} ({image})")
    return frames[0] if frames else ""


def classify(result):
    """None when the run ended the way the documentation says, else the finding class."""
    if result.timed_out:
        return "timeout"
    if result.code < 0:
        return "signal-" + signal.Signals(-result.code).name
    if re.search(r"Fatal error|fatal error|Segmentation", result.stderr):
        return "fatal-error-text"
    if result.code == 70:
        return "exit-70"
    if result.code not in OK_CODES:
        return f"exit-{result.code}"
    return None


def snapshot(directory):
    state = {}
    for root, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            state[os.path.relpath(path, directory)] = (info.st_size, info.st_mtime_ns)
    return state


def telling_line(stderr):
    """The line that names the failure: a 'Fatal error' line if any, else the first non-empty one."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if re.search(r"Fatal error|fatal error|Segmentation", line)]
    return (fatal or lines or ["(no stderr)"])[0][:300]


def dedup_text(line, case_dir):
    """The line without what varies between instances of one bug: paths, quoted names, numbers."""
    line = line.replace(case_dir, "<case>")
    line = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", line)
    line = re.sub(r"0x[0-9a-fA-F]+", "0x#", line)
    return re.sub(r"\d+", "#", line)


# ---------------------------------------------------------------------------------------------
# Seeds

class Seeds:
    """Everything cases are made from, loaded or generated once into OUT/seeds."""

    def __init__(self, runner, directory, log):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.models = self.load_models()
        self.archives = self.make_archives(runner, log)
        self.npys = self.load_npys()
        self.images = self.load_images()
        self.regions_map = probability_map()
        with gzip.open(VOCAB_GZ, "rb") as vocab:
            self.vocab_text = vocab.read()
        self.crafted = self.make_crafted(log)

    @staticmethod
    def load_models():
        """[(name, model bytes, [(input name, .npy bytes)])] for tiny.onnx and the small op cases."""
        tiny = os.path.join(GOLDENS, "cli", "tiny.onnx")
        models = [("tiny", read(tiny), [("images", read(os.path.join(GOLDENS, "cli", "tiny_images.npy")))])]
        for path in sorted(glob.glob(os.path.join(GOLDENS, "ort-op-cases", "*", "model.onnx"))):
            if os.path.getsize(path) > 64 << 10:
                continue
            data = read(path)
            names = onnx_input_names(data)
            inputs = []
            for index, name in enumerate(names):
                pb = os.path.join(os.path.dirname(path), "test_data_set_0", f"input_{index}.pb")
                converted = tensor_proto_to_npy(read(pb)) if os.path.exists(pb) else None
                if converted:
                    inputs.append((name, converted[1]))
            models.append((os.path.basename(os.path.dirname(path)), data, inputs))
        return models

    def make_archives(self, runner, log):
        """Each seed model parsed by the binary, then rewritten with fixed dates (deterministic bytes)."""
        archives = []
        folder = os.path.join(self.directory, "archives")
        os.makedirs(folder, exist_ok=True)
        for name, data, inputs in self.models:
            model_path = os.path.join(folder, name + ".onnx")
            write(model_path, data)
            result = runner.run(["parse", name + ".onnx", "-o", name + ".efa"] + SEED_PARSE_ARGS.get(name, []), folder)
            if result.code != 0:
                log(f"seed {name}: parse exit {result.code}, skipped as an archive seed")
                continue
            archives.append((name, normalize_archive(read(os.path.join(folder, name + ".efa"))), inputs))
        log(f"seeds: {len(self.models)} models, {len(archives)} archives")
        return archives

    def load_npys(self):
        paths = [p for p in sorted(glob.glob(os.path.join(GOLDENS, "**", "*.npy"), recursive=True))
                 if os.path.getsize(p) <= 16 << 10]
        npys = [(os.path.relpath(p, GOLDENS), read(p)) for p in paths]
        for name, _, inputs in self.models:
            npys += [(f"{name}:{input_name}", body) for input_name, body in inputs]
        return npys

    @staticmethod
    def load_images():
        names = sorted(os.listdir(os.path.join(GOLDENS, "media-decode")))
        return [(n, read(os.path.join(GOLDENS, "media-decode", n))) for n in names
                if os.path.splitext(n)[1] in IMAGE_MUTATORS]

    def make_crafted(self, log):
        """Bombs, cached in the seeds directory (they take a few seconds to make)."""
        started = time.monotonic()
        recipes = {
            "png_13000x13000.png": lambda: png_bomb(13000, 13000),
            "png_1x100000000.png": lambda: png_bomb(1, 100_000_000, 1, rows_per_chunk=100_000),
            "png_100000000x1.png": lambda: png_bomb(100_000_000, 1, 1, rows_per_chunk=1),
            "png_20000x20000_header.png": lambda: png_header_only(20000, 20000),
            "jpeg_65500x65500_header.jpg": lambda: jpeg_header_only(65500, 65500),
            "gif_65535x65535_screen.gif": lambda: gif_screen(65535, 65535),
            "vocab_bomb_lines.txt.gz": lambda: gzip_bomb(b"a b\n", 6 << 30),
            "vocab_bomb_one_line.txt.gz": lambda: gzip_bomb(b"a", 6 << 30),
        }
        paths = {}
        for name, make in recipes.items():
            path = os.path.join(self.directory, name)
            if not os.path.exists(path):
                write(path, make())
            paths[name] = path
        log(f"crafted inputs ready in {time.monotonic() - started:.1f} s")
        return paths


def normalize_archive(data):
    """The archive with a fixed 'created' time and zip dates, also inside weights.npz."""
    members = []
    for name, body in zip_members(data):
        if name == "metadata.json":
            body = re.sub(rb'"created"\s*:\s*"[^"]*"', b'"created" : "2000-01-01T00:00:00Z"', body)
        elif name.endswith(".npz"):
            body = build_stored_zip(zip_members(body))
        members.append((name, body))
    return build_stored_zip(members)


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def write(path, data):
    with open(path, "wb") as handle:
        handle.write(data)


# ---------------------------------------------------------------------------------------------
# Cases: files written into a fresh directory and the commands run there.

class Step:
    def __init__(self, verb, args, gated):
        self.verb, self.args, self.gated = verb, args, gated


class Case:
    def __init__(self, category, index, seed):
        self.category, self.index = category, index
        self.rng = random.Random(f"{seed}/{category}/{index}")
        self.files, self.links, self.steps, self.notes = {}, {}, [], []

    def add_file(self, name, data):
        self.files[name] = data
        return name

    def add_copy(self, name, path):
        """A seed file used unchanged (copied into the case so a finding is self-contained)."""
        self.links[name] = path
        return name

    def add_step(self, verb, *args, gated=False):
        """gated: run only when the previous step succeeded (exit 0)."""
        self.steps.append(Step(verb, [verb] + list(args), gated))


def infer_args(case, inputs, reference=None):
    args = []
    for position, (name, body) in enumerate(inputs):
        args += ["--input", f"{name}={case.add_file(f'input{position}.npy', body)}"]
    args += ["--output-dir", "out"]
    if case.rng.random() < 0.3 if reference is None else reference:
        args.append("--reference")
    return args


def build_models_case(case, seeds):
    rng = case.rng
    name, data, inputs = rng.choice(seeds.models)
    mutate = mutate_protobuf if rng.random() < 0.65 else mutate_bytes
    model, note = mutate(rng, data)
    case.notes.append(f"seed {name}: {note}")
    args = [case.add_file("model.onnx", model), "-o", "model.efa"]
    if rng.random() < 0.15:
        names = onnx_node_names(data) or ["relu"]
        args += [rng.choice(["--end-node-names", "--start-node-names"]), rng.choice(names)]
    if rng.random() < 0.1:
        first_input = (inputs or [("images", b"")])[0][0]
        args += ["--input-shape", f"{first_input}={rng.choice(['1,3,4,4', '2', '0,0', '1,1,1,1,1'])}"]
    else:
        args += SEED_PARSE_ARGS.get(name, [])
    case.add_step("parse", *args)
    case.add_step("inspect", "model.efa", "--graph", gated=True)
    case.add_step("infer", "model.efa", *infer_args(case, inputs), gated=True)


def build_archives_case(case, seeds):
    rng = case.rng
    name, data, inputs = rng.choice(seeds.archives)
    archive, note = mutate_archive(rng, data)
    case.notes.append(f"seed {name}.efa: {note}")
    case.add_file("model.efa", archive)
    case.add_step("inspect", "model.efa", "--graph", *(["--json"] if rng.random() < 0.5 else []))
    case.add_step("infer", "model.efa", *infer_args(case, inputs))
    if rng.random() < 0.15:
        case.add_step("benchmark", "model.efa", "--iterations", "1", "--warmup", "0", "--threads", "1")


def build_npy_case(case, seeds):
    rng = case.rng
    if rng.random() < 0.6:
        name, archive, inputs = rng.choice([a for a in seeds.archives if a[2]])
        inputs = list(inputs)
        position = rng.randrange(len(inputs))
        body, note = mutate_npy(rng, inputs[position][1])
        inputs[position] = (inputs[position][0], body)
        case.notes.append(f"archive {name}, input {inputs[position][0]}: {note}")
        case.add_file("model.efa", archive)
        case.add_step("infer", "model.efa", *infer_args(case, inputs))
        return
    name, body = rng.choice(seeds.npys + [("regions map", seeds.regions_map)] * 8)
    body, note = mutate_npy(rng, body)
    case.notes.append(f"regions on {name}: {note}")
    case.add_step("regions", case.add_file("map.npy", body), *(["--json"] if rng.random() < 0.3 else []))


RECIPES = ["clip", "siglip", "scrfd", "ocr-det", "ocr-rec"]


def preprocess_args(rng):
    args = ["--recipe", rng.choice(RECIPES), "-o", "out.npy"]
    if rng.random() < 0.3:
        args += ["--layout", "nhwc-u8"]
    if rng.random() < 0.3:
        args.append("--fast")
    if rng.random() < 0.3:
        args += ["--png", "out.png"]
    if rng.random() < 0.15:
        args += ["--size", rng.choice(["1", "2", "7", "64", "224", "960"])]
    return args


def build_images_case(case, seeds):
    rng = case.rng
    extension = rng.choice(sorted(IMAGE_MUTATORS))  # every format equally often, whatever the seed counts
    name, data = rng.choice([image for image in seeds.images if image[0].endswith(extension)])
    data, note = mutate_image(rng, name, data)
    case.notes.append(f"seed {name}: {note}")
    image = case.add_file("image" + os.path.splitext(name)[1], data)
    case.add_step("preprocess", image, *preprocess_args(rng))


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


def fixed_image_cases(seeds):
    crafted = seeds.crafted
    big = crafted["png_13000x13000.png"]
    return [
        ("13000x13000 PNG (0.5 MB) with the OCR detection recipe", big, ["--recipe", "ocr-det"]),
        ("13000x13000 PNG (0.5 MB) with the OCR recognition recipe", big, ["--recipe", "ocr-rec"]),
        ("13000x13000 PNG (0.5 MB) with the CLIP recipe", big, ["--recipe", "clip"]),
        ("1x100000000 PNG, OCR recognition", crafted["png_1x100000000.png"], ["--recipe", "ocr-rec"]),
        ("1x100000000 PNG, CLIP", crafted["png_1x100000000.png"], ["--recipe", "clip"]),
        ("100000000x1 PNG, OCR detection", crafted["png_100000000x1.png"], ["--recipe", "ocr-det"]),
        ("100000000x1 PNG, SCRFD", crafted["png_100000000x1.png"], ["--recipe", "scrfd"]),
        ("20000x20000 PNG header over the pixel limit", crafted["png_20000x20000_header.png"], ["--recipe", "clip"]),
        ("65500x65500 JPEG header, --max-pixels Int.max", crafted["jpeg_65500x65500_header.jpg"],
         ["--max-pixels", "9223372036854775807"]),
        ("65535x65535 GIF screen with a 1x1 frame", crafted["gif_65535x65535_screen.gif"], ["--recipe", "clip"]),
    ]


def fixed_npy_cases():
    return [(f"shape {shape_text(shape)[:60]}", shape) for shape in
            [(2**62, 3, 4, 4), (2**63 - 1,), (2,) * 64, (2**32, 2**32), (-1, 3, 4, 4), (1, 3, 4, 2**61)]]


# Options: every numeric option of every verb on an otherwise valid command.

def option_specs():
    """[(label, function(case, seeds, value) -> adds the step)] for each numeric option."""
    specs = []
    for verb, option in [("infer", "--threads"), ("benchmark", "--threads"), ("benchmark", "--iterations"),
                         ("benchmark", "--warmup"), ("benchmark", "--batch")]:
        specs.append((f"{verb} {option}", lambda case, seeds, v, verb=verb, option=option:
                      run_on_tiny(case, seeds, verb, [option, v])))
    for recipe in RECIPES:
        specs.append((f"preprocess --recipe {recipe} --size", lambda case, seeds, v, recipe=recipe:
                      preprocess_with(case, seeds, "tiny_png.png", ["--recipe", recipe, "--size", v])))
    specs += [
        ("preprocess --max-pixels (tiny PNG)",
         lambda c, s, v: preprocess_with(c, s, "tiny_png.png", ["--max-pixels", v])),
        ("preprocess --max-pixels (65500x65500 JPEG header)", lambda c, s, v: preprocess_crafted(
            c, s, "jpeg_65500x65500_header.jpg", ["--max-pixels", v])),
        ("preprocess --max-pixels (13000x13000 PNG, ocr-det)", lambda c, s, v: preprocess_crafted(
            c, s, "png_13000x13000.png", ["--recipe", "ocr-det", "--max-pixels", v])),
        ("preprocess --mean", lambda c, s, v: preprocess_with(c, s, "tiny_jpeg.jpg", ["--mean", f"{v},{v},{v}"])),
        ("preprocess --std", lambda c, s, v: preprocess_with(c, s, "tiny_jpeg.jpg", ["--std", f"0.5,{v},0.5"])),
        ("tokenize --context-length", lambda c, s, v: c.add_step("tokenize", "a photo of a cat", "--vocab", VOCAB_GZ,
                                                                 "--context-length", v, "-o", "ids.npy")),
        ("tokenize --context-length --no-truncate", lambda c, s, v: c.add_step(
            "tokenize", "a photo of a cat", "--vocab", VOCAB_GZ, "--context-length", v, "--no-truncate")),
        ("regions --threshold", lambda c, s, v: regions_with(c, s, ["--threshold", v])),
        ("regions --min-score", lambda c, s, v: regions_with(c, s, ["--min-score", v])),
        ("parse --input-shape images=V,3,4,4", lambda c, s, v: parse_tiny(c, s, f"images={v},3,4,4")),
        ("parse --input-shape images=1,3,V,V", lambda c, s, v: parse_tiny(c, s, f"images=1,3,{v},{v}")),
    ]
    return specs


def tiny_archive(seeds):
    return next(a for a in seeds.archives if a[0] == "tiny")


def run_on_tiny(case, seeds, verb, options):
    _, archive, inputs = tiny_archive(seeds)
    case.add_file("model.efa", archive)
    if verb == "infer":
        case.add_step("infer", "model.efa", *infer_args(case, inputs, reference=False), *options)
    else:
        defaults = {"--iterations": "1", "--warmup": "0"}
        for option, _ in zip(options[::2], options[1::2]):
            defaults.pop(option, None)
        case.add_step("benchmark", "model.efa", *[x for pair in defaults.items() for x in pair], *options)


def preprocess_with(case, seeds, image, options):
    data = dict(seeds.images)[image]
    case.add_step("preprocess", case.add_file(image, data), "-o", "out.npy", *options)


def preprocess_crafted(case, seeds, name, options):
    case.add_step("preprocess", case.add_copy(name, seeds.crafted[name]), "-o", "out.npy", *options)


def regions_with(case, seeds, options):
    case.add_step("regions", case.add_file("map.npy", seeds.regions_map), *options)


def parse_tiny(case, seeds, shape):
    case.add_step("parse", case.add_file("tiny.onnx", seeds.models[0][1]), "-o", "tiny.efa", "--input-shape", shape)


def random_option_case(case, seeds, specs):
    """Two or three hostile values at once on one verb, or a shape with many dimensions."""
    rng = case.rng
    if rng.random() < 0.25:
        dims = ",".join(rng.choice(["65536", "2", "4294967296", "1"]) for _ in range(rng.choice([5, 9, 40, 200])))
        case.notes.append("input shape with many dims")
        return parse_tiny(case, seeds, "images=" + dims)
    values = [rng.choice(OPTION_VALUES) for _ in range(3)]
    verb = rng.choice(["benchmark", "preprocess", "tokenize"])
    case.notes.append(f"{verb} with {values}")
    if verb == "benchmark":
        options = ["--iterations", values[0], "--warmup", values[1], "--threads", values[2]]
        return run_on_tiny(case, seeds, "benchmark", options)
    if verb == "preprocess":
        return preprocess_with(case, seeds, "tiny_png.png", ["--recipe", rng.choice(RECIPES), "--size", values[0],
                                                             "--max-pixels", values[1], "--std", f"{values[2]},1,1"])
    return case.add_step("tokenize", random_text(rng), "--vocab", VOCAB_GZ, "--context-length", values[0])


# ---------------------------------------------------------------------------------------------
# The campaign

class Runner:
    """Runs the binary under the limits and counts commands."""

    def __init__(self, binary, timeout, address_space, scratch):
        self.binary, self.timeout, self.address_space = binary, timeout, address_space
        self.stderr_path = os.path.join(scratch, "stderr.txt")
        os.makedirs(scratch, exist_ok=True)

    def run(self, args, cwd, address_space=None):
        return run_binary(self.binary, args, cwd, self.timeout, address_space or self.address_space, self.stderr_path)

    def backtrace(self, args, cwd, timed_out):
        """The run again with Swift's backtracer on; a hang is sampled with SIGQUIT after a few seconds."""
        timeout = min(self.timeout / 2, HANG_SAMPLE_SECONDS) if timed_out else self.timeout + BACKTRACE_SECONDS
        return run_binary(self.binary, args, cwd, timeout, self.address_space, self.stderr_path, backtrace=True).stderr


def measure_baseline(binary, seeds_dir, timeout):
    """The smallest address space (bytes) in which tiny valid runs of infer, preprocess and tokenize
    succeed, found by bisection to 4 MiB; each verb's value is returned for the report."""
    folder = os.path.join(seeds_dir, "baseline")
    os.makedirs(folder, exist_ok=True)
    tiny = os.path.join(GOLDENS, "cli")
    write(os.path.join(folder, "tiny_png.png"), read(os.path.join(GOLDENS, "media-decode", "tiny_png.png")))
    commands = {
        "infer": ["parse", os.path.join(tiny, "tiny.onnx"), "-o", "tiny.efa"] + SEED_PARSE_ARGS["tiny"],
        "preprocess": ["preprocess", "tiny_png.png", "-o", "out.npy"],
        "tokenize": ["tokenize", "a photo of a cat", "--vocab", VOCAB_GZ],
    }
    runner = Runner(binary, timeout, 64 << 30, folder)
    if runner.run(commands["infer"], folder).code != 0:
        raise SystemExit("the baseline `edgeflow parse` of tiny.onnx failed; is --edgeflow a working binary?")
    commands["infer"] = ["infer", "tiny.efa", "--input", "images=" + os.path.join(tiny, "tiny_images.npy"),
                         "--output-dir", "out"]
    needs = {}
    for verb, args in commands.items():
        low, high = 16 << 20, 64 << 30
        if runner.run(args, folder, high).code != 0:
            raise SystemExit(f"the baseline {verb} run failed even without a memory limit")
        while high - low > 4 << 20:
            middle = (low + high) // 2
            low, high = (low, middle) if runner.run(args, folder, middle).code == 0 else (middle, high)
        needs[verb] = high
    return needs


def plan_counts(total, categories):
    weights = [WEIGHTS[c] for c in categories]
    counts = [int(total * w / sum(weights)) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return dict(zip(categories, counts))


def interleave(counts):
    """(category, index) in an order that spreads every category over the whole run."""
    order = [((i + 0.5) / n, c, i) for c, n in counts.items() for i in range(n)]
    return [(c, i) for _, c, i in sorted(order, key=lambda item: (item[0], CATEGORIES.index(item[1])))]


class Campaign:
    def __init__(self, options, seeds, runner):
        self.options, self.seeds, self.runner = options, seeds, runner
        self.work = os.path.join(options.out, "work")
        self.findings_dir = os.path.join(options.out, "findings")
        self.specs = option_specs()
        order = random.Random(f"{options.seed}/options").sample(range(len(self.specs) * len(OPTION_VALUES)),
                                                                len(self.specs) * len(OPTION_VALUES))
        self.option_grid = [(self.specs[k // len(OPTION_VALUES)], OPTION_VALUES[k % len(OPTION_VALUES)]) for k in order]
        self.stats = {c: {"cases": 0, "commands": 0, "findings": 0} for c in CATEGORIES}
        self.classes = {}
        self.distinct = {}

    def build(self, category, index):
        case = Case(category, index, self.options.seed)
        fixed = {"images": fixed_image_cases(self.seeds), "tokenizer": fixed_tokenizer_cases(self.seeds),
                 "npy": fixed_npy_cases()}.get(category, [])
        if index < len(fixed):
            return self.build_fixed(case, fixed[index])
        if category == "options":
            if index < len(self.option_grid):
                (label, make), value = self.option_grid[index]
                case.notes.append(f"{label} {value!r}")
                make(case, self.seeds, value)
            else:
                random_option_case(case, self.seeds, self.specs)
            return case
        builders = {"models": build_models_case, "archives": build_archives_case, "npy": build_npy_case,
                    "images": build_images_case, "tokenizer": build_tokenizer_case}
        builders[category](case, self.seeds)
        return case

    def build_fixed(self, case, fixed):
        if case.category == "images":
            note, path, options = fixed
            case.notes.append(note)
            image = case.add_copy(os.path.basename(path), path)
            case.add_step("preprocess", image, "-o", "out.npy", *options)
        elif case.category == "tokenizer":
            note, args = fixed
            case.notes.append(note)
            case.add_step("tokenize", *args)
        else:
            note, shape = fixed
            case.notes.append(note)
            _, archive, inputs = tiny_archive(self.seeds)
            case.add_file("model.efa", archive)
            body = npy_bytes("<f4", shape, parse_npy(inputs[0][1])[2])
            case.add_step("infer", "model.efa", *infer_args(case, [("images", body)], reference=False))
        return case

    def run_case(self, case):
        directory = os.path.join(self.work, f"{case.category}-{case.index:05d}")
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for name, data in case.files.items():
            write(os.path.join(directory, name), data)
        for name, path in case.links.items():
            os.symlink(path, os.path.join(directory, name))
        self.stats[case.category]["cases"] += 1
        previous = 0
        for step in case.steps:
            if step.gated and previous != 0:
                break
            before = snapshot(directory)
            result = self.runner.run(step.args, directory)
            self.stats[case.category]["commands"] += 1
            finding = classify(result) or self.partial_output(result, before, directory)
            if finding:
                self.record(case, step, result, finding, directory)
                break
            previous = result.code
        shutil.rmtree(directory, ignore_errors=True)

    @staticmethod
    def partial_output(result, before, directory):
        if result.code == 0:
            return None
        after = snapshot(directory)
        left = sorted(path for path, state in after.items() if before.get(path) != state)
        return "partial-output" if left else None

    def record(self, case, step, result, finding, directory):
        self.stats[case.category]["findings"] += 1
        self.classes[finding] = self.classes.get(finding, 0) + 1
        line = telling_line(result.stderr)
        backtrace = ""
        if self.options.backtraces and (finding.startswith("signal") or finding == "timeout"):
            backtrace = self.runner.backtrace(step.args, directory, result.timed_out)
        site = crash_site(backtrace, "EFCLI/" if result.timed_out else "")
        key = (step.verb, finding, dedup_text(line, directory), site)
        if key in self.distinct:
            self.distinct[key]["count"] += 1
            return
        target = os.path.join(self.findings_dir, f"F{len(self.distinct) + 1:03d}-{step.verb}-{finding}")
        self.distinct[key] = {"count": 1, "line": line, "site": site, "path": target,
                              "case": f"{case.category}-{case.index}",
                              "command": self.save(case, step, result, finding, directory, target),
                              "notes": case.notes, "code": result.code, "seconds": round(result.seconds, 2)}
        if backtrace:
            write(os.path.join(target, "backtrace.txt"), backtrace.encode())

    def save(self, case, step, result, finding, directory, target):
        """Copies the case directory (inputs, and whatever the commands left) and writes the command."""
        shutil.copytree(directory, target, symlinks=False)
        argv = [self.runner.binary] + [a if isinstance(a, str) else os.fsdecode(a) for a in step.args]
        command = shlex.join(argv)
        limit_kb = self.runner.address_space // 1024
        write(os.path.join(target, "command.txt"), (command + "\n").encode("utf-8", "surrogateescape"))
        notes = "; ".join(case.notes).replace("\n", " ")
        repro = (f"#!/bin/sh\n# {finding}: {notes}\n"
                 + f"cd \"$(dirname \"$0\")\" && ulimit -v {limit_kb} && SWIFT_BACKTRACE=enable=no exec {command}\n")
        write(os.path.join(target, "repro.sh"), repro.encode("utf-8", "surrogateescape"))
        os.chmod(os.path.join(target, "repro.sh"), 0o755)
        write(os.path.join(target, "stderr.txt"), result.stderr.encode())
        info = {"class": finding, "verb": step.verb, "exit": result.code, "timed_out": result.timed_out,
                "seconds": round(result.seconds, 2), "case": f"{case.category}-{case.index}",
                "seed": self.options.seed, "notes": case.notes}
        write(os.path.join(target, "info.json"), json.dumps(info, indent=2, ensure_ascii=False).encode())
        return command


def summary_text(campaign, elapsed, needs, address_space):
    lines = [f"cases and commands per category ({elapsed / 60:.1f} min):",
             f"  {'category':<10} {'cases':>6} {'commands':>9} {'findings':>9}"]
    for category, stats in campaign.stats.items():
        if stats["cases"]:
            lines.append(f"  {category:<10} {stats['cases']:>6} {stats['commands']:>9} {stats['findings']:>9}")
    total = {k: sum(s[k] for s in campaign.stats.values()) for k in ("cases", "commands", "findings")}
    lines.append(f"  {'total':<10} {total['cases']:>6} {total['commands']:>9} {total['findings']:>9}")
    lines.append("baseline address space: " + ", ".join(f"{v} {n >> 20} MiB" for v, n in needs.items())
                 + f"; limit per run {address_space >> 20} MiB")
    lines.append("findings per class:")
    for finding, count in sorted(campaign.classes.items()):
        distinct = sum(1 for key in campaign.distinct if key[1] == finding)
        lines.append(f"  {finding:<22} {count:>5} runs, {distinct} distinct")
    lines.append(f"distinct findings ({len(campaign.distinct)}):")
    for (verb, finding, _, site), entry in campaign.distinct.items():
        name = os.path.basename(entry["path"])
        lines.append(f"  {name}  x{entry['count']}  [{verb}] {finding}: {entry['line'][:150]}")
        if site:
            lines.append(f"      at {site[:200]}")
        lines.append(f"      {'; '.join(entry['notes'])[:200]}")
    return "\n".join(lines)


def prepare_out(out):
    marker = os.path.join(out, ".cli-campaign")
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(marker):
        raise SystemExit(f"{out} is not empty and not a campaign directory; choose another --out")
    for name in ("work", "findings"):
        shutil.rmtree(os.path.join(out, name), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    write(marker, b"")


def parse_options(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edgeflow", required=True, help="the binary to test")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="findings, seeds and summary go here")
    parser.add_argument("--only", default=",".join(CATEGORIES),
                        help="comma-separated categories: " + ",".join(CATEGORIES))
    parser.add_argument("--timeout", type=float, default=20, help="seconds per command")
    parser.add_argument("--memory-mb", type=int, default=4096, help="address space on top of the measured baseline")
    parser.add_argument("--max-minutes", type=float, help="stop starting new cases after this long")
    parser.add_argument("--no-backtraces", dest="backtraces", action="store_false",
                        help="do not rerun crashes and hangs with Swift's backtracer (their crash site refines dedup)")
    options = parser.parse_args(argv)
    options.only = [c for c in options.only.split(",") if c]
    unknown = set(options.only) - set(CATEGORIES)
    if unknown:
        parser.error(f"unknown categories {sorted(unknown)}")
    options.edgeflow = os.path.abspath(options.edgeflow)
    options.out = os.path.abspath(options.out)
    return options


def main(argv):
    options = parse_options(argv)
    prepare_out(options.out)
    log = lambda message: print(message, flush=True)
    started = time.monotonic()
    needs = measure_baseline(options.edgeflow, os.path.join(options.out, "seeds"), options.timeout)
    address_space = max(needs.values()) + (options.memory_mb << 20)
    log("baseline address space: " + ", ".join(f"{v} {n >> 20} MiB" for v, n in needs.items())
        + f" -> limit {address_space >> 20} MiB per run")
    runner = Runner(options.edgeflow, options.timeout, address_space, os.path.join(options.out, "work"))
    seeds = Seeds(runner, os.path.join(options.out, "seeds"), log)
    campaign = Campaign(options, seeds, runner)
    plan = interleave(plan_counts(options.cases, options.only))
    try:
        for number, (category, index) in enumerate(plan, 1):
            if options.max_minutes and time.monotonic() - started > options.max_minutes * 60:
                log(f"--max-minutes reached after {number - 1} cases")
                break
            campaign.run_case(campaign.build(category, index))
            if number % 100 == 0:
                log(f"{number}/{len(plan)} cases, {time.monotonic() - started:.0f} s, "
                    f"{len(campaign.distinct)} distinct findings")
    except KeyboardInterrupt:
        log("interrupted")
    text = summary_text(campaign, time.monotonic() - started, needs, address_space)
    print(text)
    write(os.path.join(options.out, "summary.txt"), (text + "\n").encode())
    report = {"seed": options.seed, "cases": options.cases, "stats": campaign.stats, "classes": campaign.classes,
              "baseline_bytes": needs, "address_space_limit": address_space,
              "findings": [dict(entry, verb=k[0], cls=k[1], key=k[2]) for k, entry in campaign.distinct.items()]}
    write(os.path.join(options.out, "summary.json"), json.dumps(report, indent=2, ensure_ascii=False).encode())
    return 1 if campaign.distinct else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

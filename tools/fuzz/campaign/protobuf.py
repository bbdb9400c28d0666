"""Protobuf (ONNX) without a schema: a generic wire-format tree, mutators that edit it (sizes,
types and attributes at known ONNX paths; repeated fields duplicated or deleted), and the few
ONNX look-ups the campaign needs (node names, graph inputs, TensorProto to .npy). A field is
[number, wire type, value]; a length-delimited value that parses completely as a message is
kept as a list of fields.
"""

import copy

from .mutate_bytes import encode_varint, mutate_bytes, pick_boundary
from .npy import npy_bytes


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


def pick_field(rng, tree, targeted):
    """A random (path, field, container), among the ONNX repeated fields when targeted; None if none."""
    candidates = [(p, f, c) for p, f, c in walk_fields(tree) if not targeted or p in ONNX_REPEATED]
    return rng.choice(candidates) if candidates else None


def pb_duplicate(rng, tree, targeted):
    picked = pick_field(rng, tree, targeted)
    if not picked:
        return False, "nothing to duplicate"
    path, field, container = picked
    container.insert(rng.randint(0, len(container)), copy.deepcopy(field))
    return True, f"duplicate {ONNX_REPEATED.get(path, path)}"


def pb_delete(rng, tree, targeted):
    picked = pick_field(rng, tree, targeted)
    if not picked:
        return False, "nothing to delete"
    path, field, container = picked
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

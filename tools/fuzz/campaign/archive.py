""".efa archives: zip record fields, a value of graph.json / metadata.json, or a .npy inside
weights.npz mutated, with the zip rebuilt (CRCs recomputed) so the edit reaches the parser.
"""

import copy
import io
import json
import re
import struct
import zipfile

from .mutate_bytes import mutate_bytes, pick_boundary
from .npy import mutate_npy


JSON_TOKENS = ["0", "-1", "1.5", "-0", "1e308", "-1e308", "1e400", "NaN", "Infinity", "-Infinity",
               "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
               "18446744073709551616", "-9223372036854775809", "99999999999999999999999999",
               "null", "true", "\"\"", "\"x\"", "[]", "{}", "[[]]", "[-1]", "[9223372036854775807]"]


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

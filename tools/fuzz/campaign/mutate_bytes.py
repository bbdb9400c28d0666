"""Generic byte mutators, each taking (rng, data) and returning (new data, description), and the
boundary integers and integer encodings they (and the format-aware mutators) insert.
"""

BOUNDARY_INTS = [0, 1, -1, 2, 255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**53 + 1,
                 2**62, 2**63 - 1, 2**64 - 1, -2**31, -2**63, 2**70, 2**100]


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

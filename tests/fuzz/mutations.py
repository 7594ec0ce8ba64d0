"""Mutations of one input file: byte-level ones for any format, numeric edge values for text,
header fields for IDX and .npy, varint fields for ONNX's protobuf. Every function takes a
random.Random, so a case is a pure function of (seed, case index)."""

import io
import re
import zipfile

# Values that sit on a boundary of some parser: zero, sign, int32/int64 overflow, float
# overflow and underflow, NaN, hex and octal spellings, empty.
EDGE_TEXT = [
    "0", "-1", "1", "-0", "2147483647", "2147483648", "-2147483649", "4294967296",
    "9223372036854775808", "99999999999999999999", "1e400", "-1e400", "1e-400", "1e39",
    "nan", ".nan", "inf", "-.inf", "0x40b", "01035", "", "1.5", "16777216", "268435457",
]
EDGE_INTS = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 24, (1 << 28) + 1, 65535]
# Tokens that change a YAML or JSON document's structure.
TOKENS = [b"---\n", b"&a ", b"*a", b"!!binary ", b"{", b"}", b"[", b"]", b": ", b",", b'"', b"\n",
          b"\t", b"<<: *a\n", b"? ", b"null", b"~", b"\x00", b"\xff\xfe", b"%YAML 1.2\n"]

NUMBER = re.compile(rb"(?<![A-Za-z_])-?\d+(\.\d+)?([eE][-+]?\d+)?")


def flip(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def truncate(rng, data):
    return data[:rng.randrange(len(data) + 1)]


def insert(rng, data):
    pos = rng.randrange(len(data) + 1)
    if rng.random() < 0.5:
        extra = rng.choice(TOKENS)
    else:
        extra = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return data[:pos] + extra + data[pos:]


def delete(rng, data):
    if not data:
        return data
    a = rng.randrange(len(data))
    return data[:a] + data[a + rng.randint(1, 64):]


def duplicate(rng, data):
    if not data:
        return data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 256))
    return data[:b] + data[a:b] + data[b:]


def numeric(rng, data):
    """Replaces one number of a text file by an edge value."""
    found = list(NUMBER.finditer(data))
    if not found:
        return insert(rng, data)
    m = rng.choice(found)
    return data[:m.start()] + rng.choice(EDGE_TEXT).encode() + data[m.end():]


def put_int(rng, data, offsets, byteorder):
    """Overwrites a 4-byte integer at one of `offsets` with an edge value."""
    if not data:
        return data
    off = min(rng.choice(offsets), max(0, len(data) - 4))
    value = rng.choice(EDGE_INTS).to_bytes(4, byteorder)
    return data[:off] + value + data[off + 4:]


BYTE_MUTATIONS = [flip, truncate, insert, delete, duplicate]


def text(rng, data):
    fn = rng.choice(BYTE_MUTATIONS + [numeric, numeric, numeric])
    return fn.__name__, fn(rng, data)


def idx(rng, data):
    """An IDX file: mostly its header (magic, dimensions), sometimes anywhere."""
    if rng.random() < 0.6:
        return "header", put_int(rng, data, [0, 4, 8, 12], "big")
    fn = rng.choice(BYTE_MUTATIONS)
    return fn.__name__, fn(rng, data)


def raw_records(rng, data):
    fn = rng.choice(BYTE_MUTATIONS)
    return fn.__name__, fn(rng, data)


def npz(rng, data):
    """An .npz file: one member mutated (header text or bytes) and the archive rebuilt, so the
    zip's CRCs still hold; sometimes the archive's own bytes."""
    members = None
    if rng.random() >= 0.2:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                members = [(i, z.read(i)) for i in z.infolist()]
        except (zipfile.BadZipFile, ValueError, EOFError):
            pass  # an archive already broken by a first mutation
    if not members:
        fn = rng.choice(BYTE_MUTATIONS)
        return "zip-" + fn.__name__, fn(rng, data)
    k = rng.randrange(len(members))
    info, member = members[k]
    header_end = member.find(b"\n", 10) + 1
    if rng.random() < 0.6 and header_end > 0:
        header = numeric(rng, member[:header_end]) if rng.random() < 0.7 else flip(
            rng, member[:header_end])
        member, how = header + member[header_end:], "npy-header"
    else:
        fn = rng.choice(BYTE_MUTATIONS)
        member, how = fn(rng, member), "npy-" + fn.__name__
    members[k] = (info, member)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for i, m in members:
            z.writestr(i.filename, m)
    return f"{info.filename}:{how}", out.getvalue()


# --- ONNX: the protobuf wire format, without its schema ---------------------------------------


def _varint(data, pos):
    value, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError
        b = data[pos]
        value |= (b & 0x7F) << shift
        pos += 1
        shift += 7
        if not b & 0x80:
            return value, pos


def _put_varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        out.append(b | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _parse(data, depth):
    """[field, wire type, value]: value is an int, bytes, or a parsed sub-message (a list)."""
    fields, pos = [], 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        num, wire = key >> 3, key & 7
        if num == 0:
            raise ValueError
        if wire == 0:
            v, pos = _varint(data, pos)
        elif wire == 1:
            v, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            v, pos = data[pos:pos + 4], pos + 4
        elif wire == 2:
            n, pos = _varint(data, pos)
            if pos + n > len(data):
                raise ValueError
            v, pos = data[pos:pos + n], pos + n
            # A payload that parses is taken for a sub-message (a name may be taken for one
            # too, harmlessly); raw weight data seldom parses and stays bytes.
            if depth < 8:
                try:
                    v = _parse(v, depth + 1)
                except ValueError:
                    pass
        else:
            raise ValueError
        if pos > len(data):
            raise ValueError
        fields.append([num, wire, v])
    return fields


def _serialize(fields):
    out = bytearray()
    for num, wire, v in fields:
        out += _put_varint(num << 3 | wire)
        if wire == 0:
            out += _put_varint(v)
        elif wire == 2:
            payload = _serialize(v) if isinstance(v, list) else v
            out += _put_varint(len(payload)) + payload
        else:
            out += v
    return bytes(out)


def _varints(fields, found):
    for f in fields:
        if f[1] == 0:
            found.append(f)
        elif isinstance(f[2], list):
            _varints(f[2], found)
    return found


ONNX_EDGE = [0, 1, 2, (1 << 64) - 1, (1 << 31), (1 << 31) - 1, 1 << 24, 1 << 40, 65536, 17]


def onnx(rng, data):
    """Sets one varint field of the model (a dimension, an attribute, a data type, an opset) to
    an edge value, re-encoding the lengths around it; or mutates bytes."""
    if rng.random() < 0.7:
        try:
            fields = _parse(data, 0)
        except ValueError:
            fields = None
        found = _varints(fields, []) if fields else []
        if found:
            f = rng.choice(found)
            old = f[2]
            f[2] = rng.choice(ONNX_EDGE)
            return f"varint field {f[0]}: {old} -> {f[2]}", _serialize(fields)
    fn = rng.choice(BYTE_MUTATIONS)
    return fn.__name__, fn(rng, data)

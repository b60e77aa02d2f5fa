"""The per-file facts of a cache, as one pack file per tree.

One file per entry made the first cached run of 50,000 files three times
slower than `--no-cache` (a file creation and a rename each) and a one-file
edit slower too (50,000 opens). A pack is read once (one `read`, bounded,
never through a link, never a FIFO), indexed by key, and written once per run
that changed something: this run's entries, old and new, by an atomic
replace. Opening the pack costs one read; each entry is checked and decoded
where the file is analyzed (in the workers, like the parses it saves).

Layout: a header line, then records, each `<length>\\n<body>`; a body is an
entry as the other cache levels write it: its key, a checksum of key and
JSON, a newline each, then the JSON compressed with zlib (JSON of facts
compresses about sixfold: the pack, read whole, stays small). The checksum
is over the JSON, checked after a decompression bounded in size. A record
that does not parse ends the index (the ones before it stand: each is
checked on its own); a body whose key, checksum or JSON is wrong is
discarded and the file parsed again (cache.py says who may forge one).
"""

from __future__ import annotations

import json
import zlib

HEADER = b"batchlint facts pack 1\n"
PACK_NAME = "facts.pack"
MAX_PACK_BYTES = 1 << 30  # a larger pack is not read (every file is parsed again)
_MAX_DIGITS = 10


def index(data: bytes) -> dict[str, tuple[int, int]]:
    """key -> (start, end) of its body in `data`, for the records that parse."""
    out: dict[str, tuple[int, int]] = {}
    if not data.startswith(HEADER):
        return out
    pos, size = len(HEADER), len(data)
    while pos < size:
        newline = data.find(b"\n", pos, pos + _MAX_DIGITS + 1)
        digits = data[pos:newline] if newline > pos else b""
        if not digits.isdigit() or not digits.isascii():
            break
        start, end = newline + 1, newline + 1 + int(digits)
        if end > size:
            break
        key_end = data.find(b"\n", start, min(end, start + 129))
        if key_end < 0:
            break
        try:
            key = data[start:key_end].decode("ascii")
        except UnicodeDecodeError:
            break
        out.setdefault(key, (start, end))
        pos = end
    return out


def body(key: str, payload: bytes, checksum) -> bytes:
    """A record's body: key, checksum of the JSON `payload`, compressed JSON."""
    return b"\n".join((key.encode(), checksum(key.encode(), payload), compressed(payload)))


def compressed(payload: bytes) -> bytes:
    """`payload` deflated at level 1, with a window no larger than it needs:
    zlib's default 32 KiB window costs its state's allocation on every call,
    which made compressing a file's facts (about 2 KB) cost as much as
    encoding them as JSON; fitted, it is four times cheaper, and the output
    the same (a zlib stream names its window: decompressing needs nothing else)."""
    window_bits = min(15, max(9, (len(payload) - 1).bit_length()))
    deflate = zlib.compressobj(1, zlib.DEFLATED, window_bits)
    return deflate.compress(payload) + deflate.flush()


def payload(key: str, data: bytes, checksum, max_bytes: int):
    """The JSON value a body holds, if its key is `key` and its checksum holds; else None."""
    head, sep, rest = data.partition(b"\n")
    stored, sep2, packed = rest.partition(b"\n")
    if not sep or not sep2 or head != key.encode():
        return None
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(packed, max_bytes)
        if inflate.unconsumed_tail or not inflate.eof:
            return None  # larger than max_bytes, or cut short
    except zlib.error:
        return None
    if stored != checksum(head, raw):
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the interpreter's stack
        return None


def pack(bodies, header: bytes = HEADER) -> bytes:
    """A pack's bytes from record bodies (`header=b""`: the records alone, to append)."""
    return b"".join(parts(bodies, header))


def parts(bodies, header: bytes = HEADER) -> list:
    """A pack as the pieces to write one after the other (bodies may be memoryviews: nothing is copied)."""
    out = [header]
    for data in bodies:
        out.append(b"%d\n" % len(data))
        out.append(data)
    return out

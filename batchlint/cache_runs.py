"""The run-level cache entry's payload, in segments a view can pick from.

A whole result as one JSON document made a one-file check of a warm 8,000-file
project parse the project's 10.8 MB of findings (0.29 s) to show one file's.
The payload is lines instead: first the result without its findings and
suppressed findings, then one line per run of consecutive findings (`F`) or
suppressed findings (`S`) in one file: the kind, the file's path as a JSON
string, a tab, the JSON list. A reader parses the lines of the paths it
reports only, and concatenates them in order, which is the result's order.
JSON text holds no raw newline or tab (json.dumps escapes them), so neither
can be forged into a path. The entry's checksum covers the whole payload,
and every value is checked by the codec as before (cache.py).
"""

from __future__ import annotations

import dataclasses
import itertools
import json

from . import model as _model

_FINDINGS = 1 + [f.name for f in dataclasses.fields(_model.CheckResult)].index("findings")  # after the tag
_SUPPRESSED = 1 + [f.name for f in dataclasses.fields(_model.CheckResult)].index("suppressed_findings")


def lines(codec, result: _model.CheckResult):
    """`result` as the payload's lines, without their newlines, made one at a
    time (ValueError for a value JSON cannot hold)."""
    yield codec.dumps(dataclasses.replace(result, findings=(), suppressed_findings=())).encode()
    with codec.remembering(_model.Estimate):  # shared by many findings: each made into JSON values once
        for kind, items, path_of in (("F", result.findings, lambda f: f.path),
                                     ("S", result.suppressed_findings, lambda pair: pair[0].path)):
            for path, group in itertools.groupby(items, key=path_of):
                yield f"{kind}{json.dumps(path)}\t{codec.dumps(tuple(group))}".encode()


def payload(codec, result: _model.CheckResult) -> bytes:
    """`result` as the payload (see lines)."""
    return b"\n".join(lines(codec, result))


_FINDINGS_TYPE = tuple[_model.Finding, ...]
_SUPPRESSED_TYPE = tuple[tuple[_model.Finding, str], ...]


def decoded(codec, data: bytes, reports=None, start: int = 0):
    """The CheckResult `data` holds, with only the findings whose line's path
    `reports` accepts (all without it), or None. Each line is decoded as it
    is parsed: the JSON of one file's findings is held at a time, not the
    project's (50,000 findings' JSON lists took more memory than the run).
    Equal paths, assumptions and estimates are decoded as one object each
    (Codec.sharing). `start`: where the payload starts in `data` (not copied out of it)."""
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    found: dict[bytes, list] = {b"F": [], b"S": []}
    try:
        raw = json.loads(data[start:end])
        if type(raw) is not list or len(raw) <= max(_FINDINGS, _SUPPRESSED) or raw[_FINDINGS] or raw[_SUPPRESSED]:
            return None  # findings in the first line are not where this format keeps them
        result = codec.decoded(raw, _model.CheckResult)
        if result is None:
            return None
        del raw
        with codec.sharing():
            while end < len(data):
                start, end = end + 1, data.find(b"\n", end + 1)
                end = len(data) if end < 0 else end
                path, kind, body = _line(data[start:end])
                if reports is None or reports(path):
                    items = codec.decoded(json.loads(body), _FINDINGS_TYPE if kind == b"F" else _SUPPRESSED_TYPE)
                    if items is None:
                        return None
                    found[kind] += items
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the interpreter's stack
        return None
    return dataclasses.replace(result, findings=tuple(found[b"F"]), suppressed_findings=tuple(found[b"S"]))


def _line(line: bytes) -> tuple[str, bytes, bytes]:
    """A line's path, kind and JSON text; ValueError if it is not one."""
    kind, (quoted, tab, body) = line[:1], line[1:].partition(b"\t")
    if kind not in (b"F", b"S") or not tab:
        raise ValueError("not a line of findings")
    if quoted[:1] == quoted[-1:] == b'"' and len(quoted) > 1 and b"\\" not in quoted and b'"' not in quoted[1:-1]:
        return quoted[1:-1].decode("ascii"), kind, body  # no escapes: the text itself (json.dumps writes ASCII only)
    path = json.loads(quoted)
    if type(path) is not str:
        raise ValueError("a path that is not a string")
    return path, kind, body


def raw_result(data: bytes, reports=None):
    """The JSON value of the result `data` holds (as one document: for tests
    and tools), with only the findings whose line's path `reports` accepts
    (all without it); None if it is not lines of this shape."""
    header, *segments = data.split(b"\n")
    try:
        raw = json.loads(header)
        if type(raw) is not list or len(raw) <= max(_FINDINGS, _SUPPRESSED) or raw[_FINDINGS] or raw[_SUPPRESSED]:
            return None  # findings in the first line are not where this format keeps them
        found: dict[bytes, list] = {b"F": [], b"S": []}
        for line in segments:
            path, kind, body = _line(line)
            if reports is None or reports(path):
                items = json.loads(body)
                if type(items) is not list:
                    return None
                found[kind] += items
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the interpreter's stack
        return None
    raw[_FINDINGS], raw[_SUPPRESSED] = found[b"F"], found[b"S"]
    return raw

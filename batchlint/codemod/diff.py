"""`batchlint fix --diff`: a unified diff that is safe to print and to apply.

The header names each file as git does: a name with a control character, a
quote, a backslash or a byte outside ASCII is C-quoted (`"a/new\\nline.py"`),
so a newline in a name cannot split the header and `git apply` reads it back.
Lines end only at `\\n` (a form feed or U+2028 inside a line does not end it).
A changed or context line holding an escape sequence, a bare CR, another
control or a bidi character is shown escaped (`\\x1b`); that diff would no
longer apply, so it starts with a comment line that says so (git apply and
patch skip text before the first `---`).
"""

from __future__ import annotations

import difflib
import os
import re

from ..output.escape import clean

_GIT_ESCAPES = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\"}
_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def quote_path(path: str) -> str:
    """git's quote_c_style: the name as is, or in quotes with C escapes and octal bytes."""
    raw = os.fsencode(path)  # a name that is not UTF-8 gets its own bytes back
    if all(0x20 <= b < 0x7F and b not in (34, 92) for b in raw):
        return path
    out = "".join(_GIT_ESCAPES.get(b) or (chr(b) if 0x20 <= b < 0x7F else f"\\{b:03o}") for b in raw)
    return f'"{out}"'


def unified_diff(path: str, old: str, new: str) -> str:
    name = path.replace(os.sep, "/")
    lines = difflib.unified_diff(_LINE.findall(old), _LINE.findall(new),
                                 fromfile=quote_path(f"a/{name}"), tofile=quote_path(f"b/{name}"))
    out, escaped = [], False
    for line in lines:
        body, end = _split_end(line)
        shown = clean(body, keep="\t")
        escaped = escaped or shown != body
        out.append(shown + (end or "\n\\ No newline at end of file\n"))
    if escaped:
        out.insert(0, f"# batchlint: {clean(name)} holds control or bidi characters, shown escaped below; "
                      "this diff does not apply as is (`batchlint fix` without --diff writes the real bytes)\n")
    return "".join(out)


def _split_end(line: str) -> tuple[str, str]:
    for end in ("\r\n", "\n"):
        if line.endswith(end):
            return line[: -len(end)], end
    return line, ""

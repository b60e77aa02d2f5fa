"""Keep what analyzed files control (paths, source text, job names) from forging output.

One rule for every format: a character that is invisible or moves the cursor
(C0/C1 controls, DEL, ESC and so CSI, Unicode format characters such as the
bidi overrides U+202A-E and isolates U+2066-9, line/paragraph separators) is
shown as an escape (`\\x1b`, `\\u202e`), and a byte of a file name that is not
UTF-8 (kept by Python as a lone surrogate, PEP 383) is shown as `\\xff`; no
format can then fail to encode a name or let it move text around. Each
format adds its own rules on top (markdown.py, github.py, the diff header).
"""

from __future__ import annotations

import json
import re

# Unicode categories Cc, Cf, Zl, Zp and Cs (surrogates), spelled out: computing
# them from unicodedata at import would cost the CLI's start-up time.
_C0 = "\x00-\x1f"
_INVISIBLE_BUT_C0 = (
    "\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE = _C0 + _INVISIBLE_BUT_C0
_CONTROL = re.compile(f"[{_INVISIBLE}\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_SHOWN_IN_JSON = re.compile(f"[{_INVISIBLE_BUT_C0}]")  # json.dumps escapes C0 itself
# GitHub Actions reads workflow commands (`::warning ...`, and the older
# `##[warning]`) at the start of any line of a step's output, after spaces.
_LINE_START = re.compile(r"[\s:#]")


def escape_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def clean(text: str, keep: str = "") -> str:
    """Every invisible or cursor-moving character (but those in `keep`) shown as an escape."""
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else escape_char(m.group()), text)


def line_start(path: str) -> str:
    """A cleaned path safe at the start of an output line: one that starts with
    `::`, `##` or a space (read by GitHub Actions as a workflow command) gets
    `./` in front, which names the same file."""
    path = clean(path)
    return "./" + path if _LINE_START.match(path) else path


def dumps(data, indent: int | None = 2) -> str:
    """JSON text, always valid UTF-8 for any consumer: a file-name byte that is
    not UTF-8 becomes the text `\\xff` (a lone surrogate would be rejected by
    strict parsers), and invisible characters are written as JSON escapes
    (`\\u202e`), which decode to the very same string."""
    separators = None if indent is not None else (",", ":")
    text = json.dumps(data, indent=indent, separators=separators, ensure_ascii=False, allow_nan=False)  # numbers are bounded (boundary.py)
    text = _SURROGATE.sub(lambda m: json.dumps(escape_char(m.group()))[1:-1], text)
    return _NOT_SHOWN_IN_JSON.sub(lambda m: json.dumps(m.group())[1:-1], text)


# ------------------------------------------------------------------ markdown
_MD_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?\[\\\]^_`{|}~])")
_TICKS = re.compile(r"`+")
_BACKTICKED = re.compile(r"`([^`\n]*)`")


def code_span(text: str, in_table: bool = True) -> str:
    """`text` as one Markdown code span that nothing in it can close: the
    fence is longer than any run of backticks inside. No HTML, emphasis,
    entity, link or @mention is read inside a code span (GitHub does not
    ping from code). In a table a `|` would still end the cell: escaped."""
    text = clean(text)
    fence = "`" * (max((len(run) for run in _TICKS.findall(text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def md_text(text: str, in_table: bool = True) -> str:
    """A message batchlint wrote around values it quotes in backticks (source
    snippets, names): each backticked part becomes a safe code span, every
    other character of Markdown meaning is backslash-escaped, and an `@` or
    `#` is put in a code span of its own (a backslash does not stop a mention
    or an issue reference)."""
    out, end = [], 0
    for match in _BACKTICKED.finditer(text):
        out.append(_md_plain(text[end:match.start()]))
        out.append(code_span(match.group(1), in_table))
        end = match.end()
    out.append(_md_plain(text[end:]))
    return "".join(out)


def _md_plain(text: str) -> str:
    # `@name` pings and `#123` cross-references an issue even when escaped: code spans
    text = clean(text).replace("@", "\0").replace("#", "\1")
    return _MD_PUNCT.sub(r"\\\1", text).replace("\0", "`@`").replace("\1", "`#`")

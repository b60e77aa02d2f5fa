"""The source lines around a finding, as ruff's `full` output shows them.

The file is read again when the output is written (a cached run keeps no
source text); one that cannot be read any more simply gets no snippet."""

from __future__ import annotations

from ..discovery import MAX_FILE_BYTES, decode_source, read_regular_file
from .escape import clean

CONTEXT_LINES = 2  # above and below the reported line, as ruff shows


class SourceLines:
    """Each file's lines, read once per output."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._files:
            try:
                self._files[path] = decode_source(read_regular_file(path, MAX_FILE_BYTES)).splitlines()
            except (OSError, ValueError):
                self._files[path] = None
        return self._files[path]


def snippet(lines: list[str] | None, line: int, column: int, label: str) -> list[str]:
    """`  12 | code` lines with a caret under the reported column, or [] when
    the line is not in the file (edited since the cached run)."""
    if not lines or not 1 <= line <= len(lines):
        return []
    first, last = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
    width = len(str(last))
    out = [f"{' ' * width} |"]
    for number in range(first, last + 1):
        text = clean(lines[number - 1].expandtabs(4)).rstrip()
        out.append(f"{number:>{width}} | {text}".rstrip())
        if number == line:
            prefix = clean(lines[number - 1][: max(column - 1, 0)].expandtabs(4))
            out.append(f"{' ' * width} | {' ' * len(prefix)}^ {label}")
    out.append(f"{' ' * width} |")
    return out

"""Spans and source text of `ast` nodes, in the columns findings report.

`ast` columns count UTF-8 bytes; batchlint reports characters, 1-based (as
LibCST, ruff and flake8 users expect), and names a def or class by its name.
"""

from __future__ import annotations

import ast
import re

from .facts import Span

_NEWLINE = re.compile(r"\r\n|\r|\n")
_DEF_KEYWORD = re.compile(r"(?:async\s+)?def\s+|class\s+")


class SourceText:
    """One file's text, for turning ast positions into spans and snippets."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._ascii = source.isascii()  # then a byte column is the character column
        self._lines: list[str] | None = None
        self._bytes: bytes | None = None
        self._line_starts: list[int] | None = None

    def span(self, node: ast.AST) -> Span:
        line, col = node.lineno, node.col_offset
        end_line, end_col = node.end_lineno or line, node.end_col_offset or col
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # report the name: `def ask(` -> the `ask`
            text = self.line(line)
            start = self._char_col(line, col)
            keyword = _DEF_KEYWORD.match(text, start)
            column = keyword.end() if keyword and text.startswith(node.name, keyword.end()) else start
            return Span(line, column + 1, line, column + len(node.name) + 1)
        return Span(line, self._char_col(line, col) + 1, end_line, self._char_col(end_line, end_col) + 1)

    def span_between(self, first: ast.AST, last: ast.AST) -> Span:
        """From the start of `first` to the end of `last` (a dict entry's key and value)."""
        start, end = self.span(first), self.span(last)
        return Span(start.line, start.column, end.end_line, end.end_column)

    @staticmethod
    def header_line(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
        """First line of a definition, its decorators included."""
        return min([d.lineno for d in node.decorator_list] + [node.lineno])

    def text(self, node: ast.AST) -> str:
        """The node's source text, as written."""
        if self._bytes is None:
            self._bytes = self._source.encode("utf-8", "surrogatepass")
            self._line_starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", self._bytes)]
        starts = self._line_starts
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or node.col_offset)
        return self._bytes[start:end].decode("utf-8", "replace")

    def line(self, number: int) -> str:
        if self._lines is None:
            self._lines = _NEWLINE.split(self._source)
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def _char_col(self, line: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col
        text = self.line(line)
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

"""A file in newer syntax than the running Python, rewritten so it parses.

`check` analyzes CPython's `ast`, whose grammar is the running Python's. A
project on Python 3.12 writes f-strings that reuse their quotes
(`f"{row["name"]}"`), `type` aliases and generic `def f[T]()`: under 3.11
`ast.parse` rejects the whole file. LibCST knows those grammars, so after
a SyntaxError the file is parsed with it and each construct is rewritten
into a 3.11 form that means the same to the analysis:

- an f-string 3.11 cannot read: `"".join(("text", str(expr), ...))` of its
  text and expressions (format specs dropped);
- `type Alias[T] = value`: `Alias = value`;
- `def f[T](...)` / `class C[T](...)`: the type parameters dropped.

The rewrite keeps every line where it was: a result with another line count
is not used (positions would point at the wrong lines). Columns after a
rewritten f-string on the same line may shift. Only for files that failed to
parse: parsing.py imports this module (and so LibCST) only then.
"""

from __future__ import annotations

import ast
import warnings
from typing import NamedTuple

import libcst


class Older(NamedTuple):
    tree: ast.Module | None  # of `text`; None when there is no rewrite
    text: str | None  # the rewrite in the running Python's syntax
    newer: bool  # LibCST read the file: newer syntax, not a syntax error


def read_older(text: str) -> Older:
    """`text` rewritten into syntax the running Python parses, and its tree;
    no rewrite when LibCST cannot parse it either or the rewrite would move lines."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = libcst.parse_module(text)
    except Exception:  # noqa: BLE001 - not newer syntax: the SyntaxError stands
        return Older(None, None, False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = module.visit(_Downgrade(module)).code
            if code.count("\n") != text.count("\n"):
                return Older(None, None, True)
            return Older(ast.parse(code), code, True)
    except Exception:  # noqa: BLE001 - newer syntax this rewrite does not cover
        return Older(None, None, True)


def downgrade(text: str) -> str | None:
    """`text` rewritten into syntax the running Python parses, or None."""
    return read_older(text).text


class _Downgrade(libcst.CSTTransformer):
    def __init__(self, module) -> None:
        super().__init__()
        self.module = module

    def leave_FormattedString(self, original, updated):
        code = self.module.code_for_node(updated)
        if _parses(code):
            return updated  # 3.11 reads it as it is
        quote = updated.end
        prefix = updated.start[: -len(quote)].replace("f", "").replace("F", "")
        items = []
        for part in updated.parts:
            if isinstance(part, libcst.FormattedStringText):
                items.append(f"{prefix}{quote}{part.value}{quote}")
            else:
                # the whitespace around the expression keeps its newlines and comments
                inner = "".join(self.module.code_for_node(node) for node in (
                    part.whitespace_before_expression, part.expression, part.whitespace_after_expression))
                items.append(f"str({inner})")
        return libcst.parse_expression(f'"".join(({", ".join(items)},))' if items else '""')

    def leave_TypeAlias(self, original, updated):
        return libcst.Assign(targets=[libcst.AssignTarget(updated.name)], value=updated.value)

    def leave_FunctionDef(self, original, updated):
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_ClassDef(self, original, updated):
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated


def _parses(expression: str) -> bool:
    try:
        ast.parse(f"({expression})", mode="eval")
    except SyntaxError:
        return False
    return True


def parse(text: str) -> ast.Module:
    """`ast.parse(text)`, or of its 3.11 equivalent when the running Python
    is older than the file's syntax; the original SyntaxError otherwise."""
    try:
        return ast.parse(text)
    except SyntaxError:
        older = read_older(text).tree
        if older is None:
            raise
        return older

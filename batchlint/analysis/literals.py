"""Literal values in the symbolic language of facts.py.

The indexer writes a string or integer literal it meets where a request's
values come from (a module constant, a class attribute, `self.x = ...`, a
parameter default, an argument) as a token the project evaluator never
follows (`Project.value` gives None for it), so client resolution is
unchanged, and request_values.py reads it back. A token holds no `.` or `(`:
the evaluator splits symbolic strings on them.

    !=s/<hex>   a short string (a model id), its UTF-8 bytes in hex
    !=n/<n>     a longer literal text of n characters (a system prompt)
    !=t/<n>     text with n literal characters around computed parts
    !=i/<n>     an integer
"""

from __future__ import annotations

import ast

LITERAL = "!="
_SHORT = 100  # longer strings are kept by size only: a prompt's size is what an estimate needs


def literal_token(node: ast.AST | None, text_size=None) -> str:
    """The token of a literal expression, or "" when it is not one.
    `text_size(node) -> (chars, computed)` measures text built from literals."""
    if isinstance(node, ast.Constant):
        value = node.value
        if type(value) is int:
            return f"{LITERAL}i/{value}" if 0 <= value < 2**53 else ""
        if type(value) is str:
            if len(value) <= _SHORT:
                return f"{LITERAL}s/{value.encode('utf-8', 'surrogatepass').hex()}"
            return f"{LITERAL}n/{len(value)}"
        return ""
    if text_size is not None and isinstance(node, (ast.BinOp, ast.JoinedStr)):
        chars, computed = text_size(node)
        if chars:
            return f"{LITERAL}{'t' if computed else 'n'}/{chars}"
    return ""


def decode(token: str) -> tuple[str, object] | None:
    """("str", "claude-haiku-4-5"), ("int", 256), ("text", (chars, computed)), or None."""
    if not token.startswith(LITERAL):
        return None
    kind, _, body = token[len(LITERAL):].partition("/")
    try:
        if kind == "s":
            return "str", bytes.fromhex(body).decode("utf-8", "surrogatepass")
        if kind == "i":
            return "int", int(body)
        if kind in ("n", "t"):
            return "text", (int(body), kind == "t")
    except ValueError:  # a hand-made cache entry: not a literal
        return None
    return None

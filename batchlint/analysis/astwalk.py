"""A read-only walk over `ast` trees, children in the order they are written.

The check's analysis runs on CPython's own `ast` tree: its parser (in C) is
several times faster than LibCST's, and analysis needs no whitespace or
comments (comments are scanned from the text). LibCST is kept for the
codemod, which must reproduce the file byte for byte.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import NamedTuple

# Fields that hold operators or contexts (ast.Load, ast.Add): never code.
_SKIPPED = frozenset({"ctx", "op", "ops", "type_comment", "type_ignores"})

# ast's field order differs from source order for these; leaves have no children.
_SOURCE_ORDER: dict[type, tuple[str, ...]] = {
    ast.FunctionDef: ("decorator_list", "type_params", "args", "returns", "body"),
    ast.AsyncFunctionDef: ("decorator_list", "type_params", "args", "returns", "body"),
    ast.ClassDef: ("decorator_list", "type_params", "bases", "keywords", "body"),
    ast.IfExp: ("body", "test", "orelse"),
    ast.Name: (),
    ast.Constant: (),
    ast.alias: (),
    ast.Pass: (),
    ast.Break: (),
    ast.Continue: (),
    ast.Global: (),
    ast.Nonlocal: (),
}
# Nodes never worth a visit of their own: most of a tree, so walks skip the call.
LEAVES = frozenset({ast.Name, ast.Constant})

COMPOUND = (
    ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try,
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
) + tuple(getattr(ast, name) for name in ("TryStar", "Match") if hasattr(ast, name))
FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
LOOPS = (ast.For, ast.AsyncFor, ast.While)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
TRY = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)

_fields_cache: dict[type, tuple[str, ...]] = {}


def fields(tp: type) -> tuple[str, ...]:
    """Names of the fields of an ast node type that can hold code, in source order."""
    names = _fields_cache.get(tp)
    if names is None:
        names = _SOURCE_ORDER.get(tp)
        if names is None:
            names = tuple(f for f in tp._fields if f not in _SKIPPED)
        _fields_cache[tp] = names
    return names


def children(node: ast.AST) -> Iterator[ast.AST]:
    """The node's code-bearing children, in the order they are written."""
    for name in fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            yield value
        elif type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    yield item


_reversed_fields: dict[type, tuple[str, ...]] = {}


def walk(node: ast.AST | list, visit: Callable[[ast.AST], bool | None]) -> None:
    """Pre-order walk of a node (or a list of statements); `visit` returning
    False skips the node's children."""
    stack = list(reversed(node)) if type(node) is list else [node]
    push, pop = stack.append, stack.pop
    backwards = _reversed_fields
    node_type = ast.AST
    while stack:
        current = pop()
        if visit(current) is False:
            continue
        tp = type(current)
        names = backwards.get(tp)
        if names is None:
            names = backwards[tp] = fields(tp)[::-1]
        # children pushed last-first, so the first written is popped first
        for name in names:
            value = getattr(current, name, None)
            if type(value) is list:
                for item in reversed(value):
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)


def find_all(node: ast.AST | list, kind: type | tuple[type, ...]) -> list:
    """Every node of `kind` in the subtree (the node itself included)."""
    found = []

    def visit(current):
        if isinstance(current, kind):
            found.append(current)

    walk(node, visit)
    return found


def own_nodes(body: list[ast.stmt]) -> list[ast.AST]:
    """Every node of these statements that runs with them: nested defs,
    classes and lambdas (and all inside them) aside."""
    out = []
    pending = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (*FUNCTION_DEFS, ast.ClassDef, ast.Lambda)):
            continue
        out.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return out


def dotted_name(node: ast.AST | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class Arg(NamedTuple):
    """One argument of a call as written: `keyword=value`, `*value`, `**value`."""

    keyword: str | None
    star: str  # "", "*" or "**"
    value: ast.expr


def call_args(call: ast.Call) -> list[Arg]:
    """Positional and keyword arguments in source order (ast keeps them apart)."""
    out = [Arg(None, "*", a.value) if isinstance(a, ast.Starred) else Arg(None, "", a) for a in call.args]
    keywords = [Arg(k.arg, "**" if k.arg is None else "", k.value) for k in call.keywords]
    if not keywords:
        return out
    if out and (out[-1].value.lineno, out[-1].value.col_offset) > (keywords[0].value.lineno, keywords[0].value.col_offset):
        # `f(a=1, *rest)`: a star-arg written after a keyword
        return sorted(out + keywords, key=lambda a: (a.value.lineno, a.value.col_offset))
    return out + keywords


def int_value(node: ast.AST) -> int | None:
    """The value of an integer literal (not a bool), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def str_value(node: ast.AST) -> str | None:
    """The value of a string literal (implicit concatenation included), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is str:
        return node.value
    return None


def argument_nodes(call: ast.Call) -> list[ast.expr]:
    """The expressions a call passes, positional and keyword."""
    return [*call.args, *(k.value for k in call.keywords)]


def is_partial(node: ast.AST) -> bool:
    """`functools.partial(f, ...)` (or `partial(...)` imported bare)."""
    return isinstance(node, ast.Call) and (dotted_name(node.func) or "").rpartition(".")[2] == "partial"

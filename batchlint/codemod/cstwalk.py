"""A fast, read-only walk over the codemod's LibCST trees, children in source order.

LibCST's visitor machinery rebuilds every node it passes (even for a read-only
CSTVisitor), which costs about as much as parsing. Reading the dataclass
fields directly is ~15x cheaper. Whitespace, parentheses and punctuation fields
never hold code, so they are skipped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import libcst as cst

_SKIPPED_PREFIXES = (
    "whitespace", "lpar", "rpar", "lbrace", "rbrace", "lbracket", "rbracket", "comma", "semicolon",
    "leading_lines", "lines_after_decorators", "header", "footer", "newline", "equal", "colon",
    "first_colon", "second_colon", "trailing_whitespace", "leading_whitespace", "indent", "encoding",
    "default_indent", "default_newline", "has_trailing_newline", "asynchronous", "operator", "dot",
    "star", "posonly_ind", "relative", "conversion", "trailing_comma",
)
_SKIPPED_EXACT = frozenset({"dot", "operator", "star", "asynchronous", "start", "end", "conversion"})

# Field order differs from source order for these: list them as they are written.
_SOURCE_ORDER = {
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
    cst.MatchCase: ("pattern", "guard", "body"),
    cst.Parameters: ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    cst.FormattedStringExpression: ("expression", "format_spec"),
    cst.Arg: ("keyword", "value"),
}
if hasattr(cst, "TemplatedStringExpression"):
    _SOURCE_ORDER[cst.TemplatedStringExpression] = ("expression", "format_spec")

def _concrete(base: type) -> frozenset[type]:
    out, todo = set(), [base]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        out.add(cls)
    return frozenset(out)


# isinstance() against LibCST's abstract bases is slow; set membership is not.
NODE_TYPES = _concrete(cst.CSTNode)

_fields_cache: dict[type, tuple[str, ...]] = {}


def _fields(tp: type) -> tuple[str, ...]:
    names = _fields_cache.get(tp)
    if names is None:
        names = _SOURCE_ORDER.get(tp) or tuple(
            f.name for f in dataclasses.fields(tp)
            if f.name not in _SKIPPED_EXACT and not f.name.startswith(_SKIPPED_PREFIXES)
        )
        _fields_cache[tp] = names
    return names


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node's code-bearing children, in the order they are written."""
    for name in _fields(type(node)):
        value = getattr(node, name, None)
        kind = type(value)
        if kind in NODE_TYPES:
            yield value
        elif kind is tuple or kind is list:
            for item in value:
                if type(item) in NODE_TYPES:
                    yield item


def walk(node: cst.CSTNode, visit: Callable[[cst.CSTNode], bool | None]) -> None:
    """Pre-order walk; `visit` returning False skips the node's children."""
    stack = [node]
    while stack:
        current = stack.pop()
        if visit(current) is False:
            continue
        stack.extend(reversed(list(children(current))))


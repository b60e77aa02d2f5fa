"""Source positions for the codemod's LibCST nodes, without PositionProvider.

PositionProvider re-generates the whole module's code to measure it, which
costs about twice the parse. The check's findings carry positions from
CPython's `ast` (analysis/spans.py); the codemod finds their nodes by the same
positions. Within each kind of node, the k-th node
in a source-order walk of the LibCST tree is the k-th in the ast tree sorted
by start position, so the two are matched by order. The match is checked —
same count per kind, same callee or def name pair by pair — and any doubt
falls back to PositionProvider for that file.
"""

from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .cstwalk import NODE_TYPES, _fields
from ..analysis.astwalk import walk
from ..analysis.facts import Span
from ..analysis.spans import SourceText

# LibCST node type -> (kind, ast node types of the same kind)
_KINDS: dict[type, tuple[str, tuple[type, ...]]] = {
    cst.Call: ("call", (ast.Call,)),
    cst.FunctionDef: ("def", (ast.FunctionDef, ast.AsyncFunctionDef)),
    cst.ClassDef: ("class", (ast.ClassDef,)),
    cst.For: ("for", (ast.For, ast.AsyncFor)),
    cst.While: ("while", (ast.While,)),
    cst.If: ("if", (ast.If,)),
    cst.ListComp: ("listcomp", (ast.ListComp,)),
    cst.SetComp: ("setcomp", (ast.SetComp,)),
    cst.DictComp: ("dictcomp", (ast.DictComp,)),
    cst.GeneratorExp: ("genexp", (ast.GeneratorExp,)),
    cst.Lambda: ("lambda", (ast.Lambda,)),
}
_AST_KIND = {ast_type: kind for kind, ast_types in _KINDS.values() for ast_type in ast_types}


def _cst_name(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Name):
            return func.value
        if isinstance(func, cst.Attribute):
            return func.attr.value
        return None
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return node.name.value
    return None


def _ast_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
        return None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    return None


def _collect_cst(node: cst.CSTNode, out: dict[str, list]) -> None:
    """Nodes of the matched kinds, in source order (a pre-order walk)."""
    entry = _KINDS.get(type(node))
    if entry is not None:
        out.setdefault(entry[0], []).append(node)
    for name in _fields(type(node)):
        value = getattr(node, name, None)
        kind = type(value)
        if kind in NODE_TYPES:
            _collect_cst(value, out)
        elif kind is tuple or kind is list:
            for item in value:
                if type(item) in NODE_TYPES:
                    _collect_cst(item, out)


def _collect_ast(tree: ast.AST, out: dict[str, list]) -> None:
    """Nodes of the matched kinds (in any order: they are sorted later)."""

    def visit(node: ast.AST) -> None:
        kind = _AST_KIND.get(type(node))
        if kind is not None:
            out.setdefault(kind, []).append(node)

    walk(tree, visit)


class Positions:
    """Spans by LibCST node identity for one module."""

    def __init__(self, module: cst.Module, tree: ast.Module | None, source: str | None = None) -> None:
        self._module = module
        self._text = SourceText(source if source is not None else module.code)
        self._provider = None
        self._spans = self._match(tree) if tree is not None else None

    def span(self, node: cst.CSTNode) -> Span:
        if self._spans is not None:
            found = self._spans.get(id(node))
            if found is not None:
                return found
        return self._from_provider(node)

    def used_fallback(self) -> bool:
        return self._provider is not None

    # ------------------------------------------------------------ matching
    def _match(self, tree: ast.Module) -> dict[int, Span] | None:
        by_kind_cst: dict[str, list[cst.CSTNode]] = {}
        _collect_cst(self._module, by_kind_cst)
        by_kind_ast: dict[str, list[ast.AST]] = {}
        _collect_ast(tree, by_kind_ast)
        spans: dict[int, Span] = {}
        for kind, cst_nodes in by_kind_cst.items():
            ast_nodes = by_kind_ast.get(kind, [])
            if len(ast_nodes) != len(cst_nodes):
                return None
            ast_nodes.sort(key=lambda n: (n.lineno, n.col_offset, -(n.end_lineno or 0), -(n.end_col_offset or 0)))
            for cst_node, ast_node in zip(cst_nodes, ast_nodes):
                if _cst_name(cst_node) != _ast_name(ast_node):
                    return None
                spans[id(cst_node)] = self._text.span(ast_node)
        if any(kind not in by_kind_cst for kind in by_kind_ast):
            return None
        return spans

    # ------------------------------------------------------------ fallback
    def _from_provider(self, node: cst.CSTNode) -> Span:
        if self._provider is None:
            self._provider = MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(PositionProvider)
        pos = self._provider.get(node)
        if pos is None:  # a node of a copied tree; should not happen
            return Span(1, 1, 1, 1)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            pos = self._provider[node.name]
        return Span(pos.start.line, pos.start.column + 1, pos.end.line, pos.end.column + 1)

"""Source positions for LibCST nodes, without LibCST's PositionProvider.

PositionProvider re-generates the whole module's code to measure it, which
costs about twice the parse. CPython's `ast` already knows where every call,
def and loop is, and the file has been through `ast.parse` anyway (it guards
LibCST against pathological input). Within each kind of node, the k-th node
in a source-order walk of the LibCST tree is the k-th in the ast tree sorted
by start position, so the two are matched by order. The match is checked —
same count per kind, same callee or def name pair by pair — and any doubt
falls back to PositionProvider for that file.
"""

from __future__ import annotations

import ast
import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .cstwalk import NODE_TYPES, _fields
from .facts import Span

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
_NEWLINE = re.compile(r"\r\n|\r|\n")
_DEF_KEYWORD = re.compile(r"(?:async\s+)?def\s+|class\s+")


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


_AST_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _collect_ast(tree: ast.AST, out: dict[str, list]) -> None:
    stack = [tree]
    while stack:
        node = stack.pop()
        tp = type(node)
        kind = _AST_KIND.get(tp)
        if kind is not None:
            out.setdefault(kind, []).append(node)  # order does not matter: sorted later
        fields = _AST_CHILD_FIELDS.get(tp)
        if fields is None:
            fields = tuple(f for f in tp._fields if f not in ("ctx", "type_comment"))
            _AST_CHILD_FIELDS[tp] = fields
        for name in fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                stack.append(value)
            elif type(value) is list:
                stack.extend(v for v in value if isinstance(v, ast.AST))


class Positions:
    """Spans by LibCST node identity for one module."""

    def __init__(self, module: cst.Module, tree: ast.Module | None, source: str | None = None) -> None:
        self._module = module
        self._source = source if source is not None else module.code
        self._lines: list[str] | None = None
        self._spans: dict[int, Span] | None = None
        self._provider = None
        self._ast_of: dict[int, ast.AST] = {}  # LibCST expression -> the same expression in ast
        self._headers: dict[int, int] = {}  # def/class -> line of its first decorator
        self._bytes: bytes | None = None
        self._line_starts: list[int] | None = None
        if tree is not None:
            self._spans = self._match(tree)
            if self._spans is None:
                self._ast_of = {}

    def header_line(self, node: cst.FunctionDef | cst.ClassDef) -> int:
        """First line of a definition, its decorators included."""
        if id(node) in self._headers:
            return self._headers[id(node)]
        if self._spans is None and node.decorators:
            return self._from_provider_line(node.decorators[0])
        return self.span(node).line

    def _from_provider_line(self, node: cst.CSTNode) -> int:
        if self._provider is None:
            self._provider = MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._provider[node].start.line

    def text(self, node: cst.CSTNode) -> str:
        """Source text of an expression: a slice of the file when the ast match
        knows it, else LibCST's code generation (much slower on big literals)."""
        found = self._ast_of.get(id(node))
        if found is not None:
            return self._segment(found)
        return self._module.code_for_node(node)

    def _segment(self, node: ast.AST) -> str:
        if self._bytes is None:
            self._bytes = self._source.encode("utf-8", "surrogatepass")
            self._line_starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", self._bytes)]
        starts = self._line_starts
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or node.col_offset)
        return self._bytes[start:end].decode("utf-8", "replace")

    def _pair_children(self, cst_node: cst.CSTNode, ast_node: ast.AST) -> None:
        """Remember the expressions whose text the indexer asks for."""
        pairs = self._ast_of
        if isinstance(cst_node, cst.Call) and isinstance(ast_node, ast.Call):
            positional = iter(ast_node.args)
            keywords = iter(ast_node.keywords)
            for arg in cst_node.args:
                target = next(keywords, None) if (arg.keyword is not None or arg.star == "**") else next(positional, None)
                if target is None:
                    return
                pairs[id(arg.value)] = target.value if isinstance(target, (ast.keyword, ast.Starred)) else target
        elif isinstance(cst_node, cst.For) and isinstance(ast_node, (ast.For, ast.AsyncFor)):
            pairs[id(cst_node.iter)] = ast_node.iter
        elif isinstance(cst_node, cst.While) and isinstance(ast_node, ast.While):
            pairs[id(cst_node.test)] = ast_node.test
        elif isinstance(cst_node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            pairs[id(cst_node.for_in.iter)] = ast_node.generators[0].iter

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
                spans[id(cst_node)] = self._span_of(ast_node)
                self._pair_children(cst_node, ast_node)
                if kind in ("def", "class") and ast_node.decorator_list:
                    self._headers[id(cst_node)] = min(d.lineno for d in ast_node.decorator_list)
        if any(kind not in by_kind_cst for kind in by_kind_ast):
            return None
        return spans

    def _span_of(self, node: ast.AST) -> Span:
        line, col = node.lineno, node.col_offset
        end_line, end_col = node.end_lineno or line, node.end_col_offset or col
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # report the name, as LibCST users expect: `def ask(` -> the `ask`
            text = self._line(line)
            start = self._char_col(line, col)
            keyword = _DEF_KEYWORD.match(text, start)
            column = keyword.end() if keyword and text.startswith(node.name, keyword.end()) else start
            return Span(line, column + 1, line, column + len(node.name) + 1)
        return Span(line, self._char_col(line, col) + 1, end_line, self._char_col(end_line, end_col) + 1)

    def _line(self, number: int) -> str:
        if self._lines is None:
            self._lines = _NEWLINE.split(self._source)
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def _char_col(self, line: int, byte_col: int) -> int:
        """ast columns count UTF-8 bytes; LibCST's count characters."""
        text = self._line(line)
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

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

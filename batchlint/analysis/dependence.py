"""Loop-carried dependence: does a call's result feed a later iteration's call?

A conversation loop appends each reply to `history` and sends `history` again;
an agent loop keeps going while `resp.stop_reason == "tool_use"`; a running
summary folds each answer into the next prompt. None of these can be batched,
because request N+1 is not known until response N arrives.

The test is a small, flow-insensitive taint analysis over one loop body:
names assigned (or mutated with `.append` & co.) from the call's result are
tainted, taint flows through further assignments, and the loop is dependent on
the call when the call's own arguments, or the `while` test, read a tainted name.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .cstwalk import children, find_all, walk

# Methods that put their arguments into the receiver.
MUTATORS = frozenset(
    {"append", "extend", "insert", "add", "update", "put", "put_nowait", "appendleft", "setdefault"}
)


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def _names_into(node: cst.CSTNode, names: set[str]) -> None:
    def visit(current: cst.CSTNode) -> bool:
        if isinstance(current, cst.Arg):
            _names_into(current.value, names)  # `f(result=x)` reads x, not `result`
            return False
        if isinstance(current, _COMPREHENSIONS):
            # `[g(conv) for conv in batch]` reads `batch`, not an outer `conv`
            inner: set[str] = set()
            for child in children(current):
                _names_into(child, inner)
            bound: set[str] = set()
            comp = current.for_in
            while comp is not None:
                bound |= _target_names(comp.target)
                comp = comp.inner_for_in
            names.update(n for n in inner if n.partition(".")[0] not in bound)
            return False
        if isinstance(current, cst.Name):
            names.add(current.value)
            return False
        if isinstance(current, cst.Attribute):
            dotted = dotted_name(current)
            if dotted is None:
                _names_into(current.value, names)  # f(x).y: what f(x) reads, not "y"
            else:
                parts = dotted.split(".")
                for i in range(1, len(parts) + 1):
                    names.add(".".join(parts[:i]))
            return False
        if isinstance(current, cst.Lambda):
            _names_into(current.body, names)
            return False
        return True

    walk(node, visit)


def names_read(*nodes: cst.CSTNode | None) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        if node is not None:
            _names_into(node, names)
    return names


def _target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        out: set[str] = set()
        for element in target.elements:
            out |= _target_names(element.value)
        return out
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    if isinstance(target, cst.Subscript):
        return _target_names(target.value)
    dotted = dotted_name(target)
    return {dotted} if dotted else set()


def _calls_in(nodes: list[cst.CSTNode]) -> frozenset[int]:
    calls: set[int] = set()
    for node in nodes:
        calls.update(id(c) for c in find_all(node, cst.Call))
    return frozenset(calls)


@dataclass(frozen=True)
class _Edge:
    targets: frozenset[str]
    reads: frozenset[str]
    calls: frozenset[int]  # ids of Call nodes whose result flows to targets
    rebinds: bool = False  # a plain `name = value` at the top of the body: a fresh value each iteration


class _FlowCollector:
    """Assignment-like edges (targets <- names read, calls contributing) of a loop body."""

    def __init__(self) -> None:
        self.edges: list[_Edge] = []
        self._top = False

    def collect(self, body: cst.CSTNode) -> None:
        # Only a rebinding at the body's top level happens on every iteration;
        # one inside an if/try may be the other branch of the call itself.
        statements = body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else [body]
        for statement in statements:
            self._top = isinstance(statement, cst.SimpleStatementLine)
            walk(statement, self._visit)
        self._top = False

    def _visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return False  # a nested def does not run per iteration by itself
        handler = self._HANDLERS.get(type(node))
        if handler is not None:
            handler(self, node)
        return True

    def _edge(self, targets: set[str], value: cst.CSTNode | None, extra_reads: set[str] = frozenset(), rebinds: bool = False) -> None:
        if targets and value is not None:
            self._edge_from(targets, [value], extra_reads, rebinds)

    def _edge_from(self, targets: set[str], values: list[cst.CSTNode], extra_reads: set[str] = frozenset(), rebinds: bool = False) -> None:
        reads = names_read(*values) | set(extra_reads)
        self.edges.append(_Edge(frozenset(targets), frozenset(reads), _calls_in(values), rebinds))

    def _assign(self, node: cst.Assign) -> None:
        targets: set[str] = set()
        plain = all(isinstance(t.target, cst.Name) for t in node.targets)
        for t in node.targets:
            targets |= _target_names(t.target)
        self._edge(targets, node.value, rebinds=plain and self._top)

    def _ann_assign(self, node: cst.AnnAssign) -> None:
        self._edge(_target_names(node.target), node.value)

    def _aug_assign(self, node: cst.AugAssign) -> None:
        targets = _target_names(node.target)
        self._edge(targets, node.value, targets)

    def _named_expr(self, node: cst.NamedExpr) -> None:
        self._edge(_target_names(node.target), node.value)

    def _for(self, node: cst.For) -> None:
        self._edge(_target_names(node.target), node.iter)

    def _with_item(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._edge(_target_names(node.asname.name), node.item)

    def _call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS:
            receiver = dotted_name(func.value)
            if receiver and node.args:
                self._edge_from({receiver}, [a.value for a in node.args])

    _HANDLERS = {
        cst.Assign: _assign,
        cst.AnnAssign: _ann_assign,
        cst.AugAssign: _aug_assign,
        cst.NamedExpr: _named_expr,
        cst.For: _for,
        cst.WithItem: _with_item,
        cst.Call: _call,
    }


class LoopFlow:
    """Data flow of one loop body, computed once and queried per call."""

    def __init__(self, loop: cst.CSTNode, test: cst.BaseExpression | None = None, fresh: set[str] = frozenset()) -> None:
        collector = _FlowCollector()
        collector.collect(loop)
        self._edges = collector.edges
        self._test_reads = names_read(test) if test is not None else set()
        self._fresh = set(fresh)  # the loop's own target: a new value every iteration

    def tainted_by(self, call: cst.Call) -> set[str]:
        key = id(call)
        tainted: set[str] = set()
        for edge in self._edges:
            if key in edge.calls:
                tainted |= edge.targets
        changed = bool(tainted)
        while changed:
            changed = False
            for edge in self._edges:
                if not edge.targets <= tainted and edge.reads & tainted:
                    tainted |= edge.targets
                    changed = True
        # Names given a fresh, untainted value each iteration do not carry the
        # result over: the loop variable (`row["area"] = answer`), or a
        # `context = ""` reset at the top of the body.
        fresh = set(self._fresh)
        for edge in self._edges:
            if edge.rebinds and key not in edge.calls and not edge.reads & tainted:
                fresh |= edge.targets
        return {t for t in tainted if t.partition(".")[0] not in fresh}

    def is_dependent(self, call: cst.Call) -> bool:
        """True when a later iteration's request reads this call's result
        (conversation history, agent messages, a running summary)."""
        tainted = self.tainted_by(call)
        if not tainted:
            return False
        return bool(names_read(*(arg.value for arg in call.args)) & tainted)

    def test_reads_result(self, call: cst.Call) -> bool:
        """`while ret is None and retries < 3:` — the loop runs until an answer
        is good enough: a retry of one request, not a loop over items."""
        return bool(self._test_reads & self.tainted_by(call))

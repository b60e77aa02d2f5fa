"""Loop-carried taint followed in the order a loop body runs.

dependence.LoopFlow's flow-insensitive closure says which names can hold a
call's result somewhere in an iteration. What matters for batching is what
reaches the *next* iteration's call: a name the body binds afresh before the
call (the loop target, `text = row["text"]`, the names of an inner loop that
re-binds them after the call) does not carry the old answer over.

So: run one iteration from the call to the end of the body (the result is
live), then the next iteration from the top down to the call (the loop target
re-bound, the call not yet made), and read the state the call sees. Plain
assignments in straight-line code replace what a name held; anything in a
branch we do not follow only adds (it may or may not run).
"""

from __future__ import annotations

import ast

from .astwalk import COMPOUND, LOOPS, TRY

_MAX_ROUNDS = 8  # a value passed on through several iterations (`b = a; a = r`)
# States are copied per branch: a body this large (generated code) is left to
# the flow-insensitive answer rather than cost seconds.
_MAX_EDGES = 600


def _spread(edges, state: set[str], key: int, gen: bool) -> set[str]:
    """Everything the edges can taint from `state`, in any order, any number of times."""
    changed = True
    while changed:
        changed = False
        for edge in edges:
            if not edge.targets <= state and ((gen and key in edge.calls) or edge.reads & state):
                state |= edge.targets
                changed = True
    return state


def _kill(state: set[str], names) -> set[str]:
    heads = {n.partition(".")[0] for n in names}
    return {n for n in state if n.partition(".")[0] not in heads} if heads & {n.partition(".")[0] for n in state} else state


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists of a compound statement, its main body first."""
    if isinstance(stmt, TRY):
        return [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody]
    if isinstance(stmt, (*LOOPS, ast.If)):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [stmt.body]
    if hasattr(ast, "Match") and isinstance(stmt, ast.Match):
        return [case.body for case in stmt.cases]
    return []  # a nested def or class: not run by the loop itself


class CarriedFlow:
    """The names a call reads that may hold an earlier iteration's answer."""

    def __init__(self, body: list[ast.stmt], edges, fresh: set[str]) -> None:
        self._body = body
        self._edges = edges
        self._fresh = set(fresh)
        self._ids: dict[int, frozenset[int]] = {}
        self._held: dict[int, list] = {}  # statement id -> its edges: asked for again every round
        self._by_node: dict[int, list[int]] = {}
        for position, edge in enumerate(edges):
            self._by_node.setdefault(edge.node, []).append(position)

    # ------------------------------------------------------------ structure
    def _inside(self, node: ast.AST) -> frozenset[int]:
        ids = self._ids.get(id(node))
        if ids is None:
            ids = self._ids[id(node)] = frozenset(id(n) for n in ast.walk(node))
        return ids

    def edges_in(self, node: ast.AST) -> list:
        """The edges made inside a node, in the order they were collected (the order it runs)."""
        held = self._held.get(id(node))
        if held is None:
            positions = [i for n in self._inside(node) for i in self._by_node.get(n, ())]
            held = self._held[id(node)] = [self._edges[i] for i in sorted(positions)]
        return held

    def _path(self, call: ast.Call) -> list[tuple[list[ast.stmt], int]] | None:
        """(block, index) from the loop body down to the statement holding the call."""
        path, block, key = [], self._body, id(call)
        while True:
            idx = next((i for i, s in enumerate(block) if key in self._inside(s)), None)
            if idx is None:
                return None
            path.append((block, idx))
            stmt = block[idx]
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return None
            inner = next((b for b in _blocks(stmt) if any(key in self._inside(s) for s in b)), None)
            if inner is None:
                return path  # the call is the statement, or in its header (`for x in call():`)
            block = inner

    # ------------------------------------------------------------ running
    def _run(self, stmt: ast.stmt, state: set[str], key: int, gen: bool) -> set[str]:
        if isinstance(stmt, ast.If):
            state = _spread(self.edges_in(stmt.test), state, key, gen)
            return self._run_block(stmt.body, set(state), key, gen) | self._run_block(stmt.orelse, set(state), key, gen)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                state = self._straight(self.edges_in(item), state, key, gen)
            return self._run_block(stmt.body, state, key, gen)
        if isinstance(stmt, COMPOUND):
            return _spread(self.edges_in(stmt), state, key, gen)
        return self._straight(self.edges_in(stmt), state, key, gen)

    def _run_block(self, block: list[ast.stmt], state: set[str], key: int, gen: bool) -> set[str]:
        for stmt in block:
            state = self._run(stmt, state, key, gen)
        return state

    @staticmethod
    def _straight(edges, state: set[str], key: int, gen: bool) -> set[str]:
        for edge in edges:
            hit = (gen and key in edge.calls) or bool(edge.reads & state)
            if edge.plain:
                state = _kill(state, edge.targets)
            if hit:
                state |= edge.targets
        return state

    def _after(self, path, state: set[str], key: int) -> set[str]:
        """From the call to the end of the iteration."""
        for depth in range(len(path) - 1, -1, -1):
            block, idx = path[depth]
            stmt = block[idx]
            if depth == len(path) - 1:
                state = self._run(stmt, state, key, True)
            elif isinstance(stmt, (*LOOPS, *TRY)):
                state = _spread(self.edges_in(stmt), state, key, True)  # it runs again, or a handler does
            state = self._run_block(block[idx + 1 :], state, key, True)
        return state

    def _before(self, path, state: set[str], key: int, own: set[str]) -> set[str]:
        """From the top of the next iteration down to the call, which has not run yet."""
        for depth, (block, idx) in enumerate(path):
            state = self._run_block(block[:idx], state, key, False)
            stmt = block[idx]
            if depth == len(path) - 1:
                break
            inner = path[depth + 1][0]
            if isinstance(stmt, LOOPS) or (isinstance(stmt, TRY) and inner is not stmt.body):
                # earlier passes of an inner loop (or the try body before its
                # handler) may pass on what they hold; the call's own names
                # are its answer from this outer iteration, not a carried one
                state = _spread(self.edges_in(stmt), _kill(state, own), key, False)
            if isinstance(stmt, (ast.For, ast.AsyncFor)) and inner is stmt.body:
                state = self._straight([e for e in self._edges if e.node == id(stmt)], state, key, False)
        return state

    def reaching(self, call: ast.Call) -> set[str] | None:
        """Names that may hold an earlier iteration's answer when the call runs,
        or None when the call is not in straight reach of the body."""
        path = self._path(call) if len(self._edges) <= _MAX_EDGES else None
        if path is None:
            return None
        key = id(call)
        own = {t for e in self._edges if key in e.calls for t in e.targets}
        seen: set[str] = set()
        for _ in range(_MAX_ROUNDS):
            end = self._after(path, set(seen), key)
            start = self._before(path, _kill(end, self._fresh), key, own)
            if start <= seen:
                break
            seen |= start
        return seen

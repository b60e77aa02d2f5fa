"""Flags a retry loop sets only once the answer passed a check.

`while not ok: text = ask(p); parsed = json.loads(text); ok = True` never
assigns the answer to `ok`, yet `ok` is only set when the answer parsed: the
statements after a check that leaves the pass on a bad answer (`if not out:
continue`, a parse that raises inside `try`, an `assert`) run only for a good
one. Those statements' targets are given extra edges from the names the check
read, so the `while` test is seen to depend on the answer.

item_picks says what makes a request another item on each pass (a queue's
next item, an index the body moves): such a loop is no retry of one request.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .astwalk import FUNCTION_DEFS, LOOPS, TRY, argument_nodes, dotted_name, find_all

_EXITS = (ast.Continue, ast.Break, ast.Return, ast.Raise)
# Calls that hand out the next item of a queue, iterator or stream.
_TAKES = frozenset({"pop", "popleft", "popitem", "get_nowait", "next", "__next__", "readline", "recv", "receive", "dequeue"})
TAKE = "<take>"  # stands in a pick set for such a call
_NOT_RAISING = frozenset({"append", "extend", "insert", "add", "update", "put", "appendleft", "print"})


def _leaves_pass(block: list[ast.stmt]) -> bool:
    """Some path through the block ends the pass (not inside an inner loop or def)."""
    for stmt in block:
        if isinstance(stmt, _EXITS):
            return True
        if isinstance(stmt, (*LOOPS, *FUNCTION_DEFS, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.If) and (_leaves_pass(stmt.body) or _leaves_pass(stmt.orelse)):
            return True
        if isinstance(stmt, (ast.With, ast.AsyncWith, *TRY)) and _leaves_pass(stmt.body):
            return True
    return False


def _raises_on(stmt: ast.stmt, tainted: set[str], names_read) -> set[str]:
    """Answer names a simple statement checks by code that may raise on a bad
    value (`json.loads(text)`, `data["score"]`); `out.append(text)` checks nothing."""
    checked: set[str] = set()
    for node in find_all(stmt, (ast.Call, ast.Subscript)):
        if isinstance(node, ast.Call):
            if (dotted_name(node.func) or "").rpartition(".")[2] in _NOT_RAISING:
                continue
            checked |= names_read(*argument_nodes(node)) & tainted
        else:
            checked |= names_read(node.value) & tainted
    return checked


def guard_edges(block: list[ast.stmt], tainted: set[str], edges_in: Callable, make_edge: Callable,
                names_read: Callable, in_try: bool = False) -> list:
    """Extra edges: targets of statements that run only after a check of the answer."""
    out: list = []
    guard: set[str] = set()
    for stmt in block:
        if guard:
            out += [make_edge(e.targets, guard) for e in edges_in(stmt)]
        if isinstance(stmt, ast.If):
            out += guard_edges(stmt.body, tainted, edges_in, make_edge, names_read, in_try)
            out += guard_edges(stmt.orelse, tainted, edges_in, make_edge, names_read, in_try)
            read = names_read(stmt.test) & tainted
            if read:  # `if response: success = True`: set by a test of the answer
                out += [make_edge(e.targets, guard | read) for s in stmt.body + stmt.orelse for e in edges_in(s)]
            if read and _leaves_pass(stmt.body + stmt.orelse):
                guard = guard | read
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            out += guard_edges(stmt.body, tainted, edges_in, make_edge, names_read, in_try)
        elif isinstance(stmt, TRY):
            body_checks: set[str] = set()
            for inner in stmt.body:
                if not isinstance(inner, (*LOOPS, *FUNCTION_DEFS, ast.ClassDef, ast.If, ast.With, ast.AsyncWith, *TRY)):
                    body_checks |= _raises_on(inner, tainted, names_read)
            out += guard_edges(stmt.body, tainted, edges_in, make_edge, names_read, True)
            if body_checks:  # `else:` runs only when the body's checks passed
                out += [make_edge(e.targets, guard | body_checks) for s in stmt.orelse for e in edges_in(s)]
        elif isinstance(stmt, ast.Assert):
            guard = guard | (names_read(stmt.test) & tainted)
        elif in_try and not isinstance(stmt, (*LOOPS, *FUNCTION_DEFS, ast.ClassDef)):
            guard = guard | _raises_on(stmt, tainted, names_read)
    return out


def item_picks(values: list[ast.AST], names_read: Callable) -> frozenset[str]:
    """What makes a value a different item on each pass: a call that takes the
    next item (`queue.pop()`, `q.get()`, `next(it)`: TAKE) and the names an index
    reads (`items[i]`)."""
    picks: set[str] = set()
    for value in values:
        for node in find_all(value, (ast.Call, ast.Subscript)):
            if isinstance(node, ast.Subscript):
                picks |= names_read(node.slice)
                continue
            name = (dotted_name(node.func) or "").rpartition(".")[2]
            # `q.get()` / `q.get(timeout=1)` takes from a queue; `d.get(key)` looks up
            if name in _TAKES or (name == "get" and not node.args):
                picks.add(TAKE)
    return frozenset(picks)

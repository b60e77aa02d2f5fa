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

import ast
from dataclasses import dataclass

from .astwalk import COMPOUND, COMPREHENSIONS, FUNCTION_DEFS, argument_nodes, children, dotted_name, find_all, walk
from .carried import CarriedFlow
from .file_flow import reads_back_answers
from .retry_guards import TAKE, guard_edges, item_picks

# Methods that put their arguments into the receiver.
MUTATORS = frozenset(
    {"append", "extend", "insert", "add", "update", "put", "put_nowait", "appendleft", "setdefault"}
)


def _names_into(node: ast.AST, names: set[str]) -> None:
    def visit(current: ast.AST) -> bool:
        if isinstance(current, COMPREHENSIONS):
            # `[g(conv) for conv in batch]` reads `batch`, not an outer `conv`
            inner: set[str] = set()
            for child in children(current):
                _names_into(child, inner)
            bound: set[str] = set()
            for comp in current.generators:
                bound |= _target_names(comp.target)
            names.update(n for n in inner if n.partition(".")[0] not in bound)
            return False
        if isinstance(current, ast.Name):
            names.add(current.id)
            return False
        if isinstance(current, ast.Attribute):
            dotted = dotted_name(current)
            if dotted is None:
                _names_into(current.value, names)  # f(x).y: what f(x) reads, not "y"
            else:
                parts = dotted.split(".")
                for i in range(1, len(parts) + 1):
                    names.add(".".join(parts[:i]))
            return False
        if isinstance(current, ast.Lambda):
            _names_into(current.body, names)
            return False
        return True

    walk(node, visit)


def names_read(*nodes: ast.AST | None) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        if node is not None:
            _names_into(node, names)
    return names


def _target_names(target: ast.AST) -> set[str]:
    if isinstance(target, (ast.Tuple, ast.List)):
        out: set[str] = set()
        for element in target.elts:
            out |= _target_names(element)
        return out
    if isinstance(target, (ast.Starred, ast.Subscript)):
        return _target_names(target.value)
    dotted = dotted_name(target)
    return {dotted} if dotted else set()


def _calls_in(nodes: list[ast.AST]) -> frozenset[int]:
    calls: set[int] = set()
    for node in nodes:
        calls.update(id(c) for c in find_all(node, ast.Call))
    return frozenset(calls)


@dataclass(frozen=True)
class _Edge:
    targets: frozenset[str]
    reads: frozenset[str]
    calls: frozenset[int]  # ids of Call nodes whose result flows to targets
    rebinds: bool = False  # a plain `name = value` at the top of the body: a fresh value each iteration
    plain: bool = False  # `name = value` anywhere: replaces what the names held (see carried.py)
    node: int = 0  # id of the node that makes the edge (an assignment, a for, a mutator call)
    picks: frozenset[str] = frozenset()  # what makes the value another item each pass (retry_guards.item_picks)


class _FlowCollector:
    """Assignment-like edges (targets <- names read, calls contributing) of a loop body."""

    def __init__(self) -> None:
        self.edges: list[_Edge] = []
        self._top = False
        self._node = 0

    def collect(self, body: list[ast.stmt]) -> None:
        # Only a rebinding at the body's top level happens on every iteration;
        # one inside an if/try may be the other branch of the call itself.
        for statement in body:
            self._top = not isinstance(statement, COMPOUND)
            walk(statement, self._visit)
        self._top = False

    def _visit(self, node: ast.AST) -> bool:
        if isinstance(node, (*FUNCTION_DEFS, ast.ClassDef)):
            return False  # a nested def does not run per iteration by itself
        handler = self._HANDLERS.get(type(node))
        if handler is not None:
            self._node = id(node)
            handler(self, node)
        return True

    def _edge(self, targets: set[str], value: ast.AST | None, extra_reads: set[str] = frozenset(), rebinds: bool = False,
              plain: bool = False) -> None:
        if targets and value is not None:
            self._edge_from(targets, [value], extra_reads, rebinds, plain)

    def _edge_from(self, targets: set[str], values: list[ast.AST], extra_reads: set[str] = frozenset(), rebinds: bool = False,
                   plain: bool = False) -> None:
        reads = names_read(*values) | set(extra_reads)
        self.edges.append(_Edge(frozenset(targets), frozenset(reads), _calls_in(values), rebinds, plain, self._node,
                                item_picks(values, names_read)))

    def _assign(self, node: ast.Assign) -> None:
        targets: set[str] = set()
        plain = all(isinstance(t, ast.Name) for t in node.targets)
        for t in node.targets:
            targets |= _target_names(t)
        self._edge(targets, node.value, rebinds=plain and self._top, plain=plain)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        self._edge(_target_names(node.target), node.value)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        targets = _target_names(node.target)
        self._edge(targets, node.value, targets)

    def _named_expr(self, node: ast.NamedExpr) -> None:
        self._edge(_target_names(node.target), node.value)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        # an inner loop binds its target afresh before each pass of its body:
        # storing a result into the item (`each["output"] = response`) does not
        # reach the outer loop's next iteration, unless the items come from it
        self._edge(_target_names(node.target), node.iter, rebinds=True, plain=True)
        # a counter raised once per element (`for line in answer.splitlines(): made += 1`)
        # counts the elements: it is computed from what the loop runs over
        for bump in find_all(node.body, ast.AugAssign):
            self._edge_from(_target_names(bump.target), [node.iter], _target_names(bump.target))

    def _with_item(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._edge(_target_names(node.optional_vars), node.context_expr)

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS:
            receiver = dotted_name(func.value)
            values = [a.value if isinstance(a, ast.Starred) else a for a in node.args] + [k.value for k in node.keywords]
            if receiver and values:
                self._edge_from({receiver}, values)

    _HANDLERS = {
        ast.Assign: _assign,
        ast.AnnAssign: _ann_assign,
        ast.AugAssign: _aug_assign,
        ast.NamedExpr: _named_expr,
        ast.For: _for,
        ast.AsyncFor: _for,
        ast.withitem: _with_item,
        ast.Call: _call,
    }


class LoopFlow:
    """Data flow of one loop body, computed once and queried per call."""

    def __init__(self, body: list[ast.stmt], test: ast.expr | None = None, fresh: set[str] = frozenset()) -> None:
        collector = _FlowCollector()
        collector.collect(body)
        self._edges = collector.edges
        self._test_reads = names_read(test) if test is not None else set()
        self._fresh = set(fresh)  # the loop's own target: a new value every iteration
        self._carried = CarriedFlow(body, self._edges, self._fresh)
        self._body = body
        self._opens: bool | None = None

    @staticmethod
    def _closure(key: int, edges: list[_Edge]) -> set[str]:
        tainted: set[str] = set()
        for edge in edges:
            if key in edge.calls:
                tainted |= edge.targets
        changed = bool(tainted)
        while changed:
            changed = False
            for edge in edges:
                if not edge.targets <= tainted and edge.reads & tainted:
                    tainted |= edge.targets
                    changed = True
        return tainted

    def derived_from(self, call: ast.Call) -> set[str]:
        """Every name the call's result may flow to in the same pass, a name reset
        at the top of the body included (`content = ""`, then filled from the
        answer in an inner loop): what a test after the call may read of it."""
        return self._closure(id(call), self._edges)

    def tainted_by(self, call: ast.Call) -> set[str]:
        key = id(call)
        tainted = self._closure(key, self._edges)
        # Names given a fresh, untainted value each iteration do not carry the
        # result over: the loop variable (`row["area"] = answer`), or a
        # `context = ""` reset at the top of the body.
        fresh = set(self._fresh)
        for edge in self._edges:
            if edge.rebinds and key not in edge.calls and not edge.reads & tainted:
                fresh |= edge.targets
        return {t for t in tainted if t.partition(".")[0] not in fresh}

    def is_dependent(self, call: ast.Call) -> bool:
        """True when a later iteration's request reads this call's result
        (conversation history, agent messages, a running summary)."""
        tainted = self.tainted_by(call)
        if not tainted:
            return False
        if self._opens_files() and reads_back_answers(self._body, self.derived_from(call), names_read):
            return True  # answers written to files a later iteration reads back (file_flow.py)
        # what the next iteration's call sees, in the order the body runs
        # (names re-bound before the call carry nothing over); a name reset at
        # the top of the body and then filled from a dict keyed by the item
        # (`out = {}; if key in done: out = done[key]`, a resume cache) is left
        # out by tainted_by's reset rule: the items' keys differ
        reaching = self._carried.reaching(call)
        if reaching is not None:
            tainted &= reaching
        args = argument_nodes(call)
        return any(not self._item_entry(name, args, tainted) for name in names_read(*args) & tainted)

    def _opens_files(self) -> bool:
        """The body calls `open` or `Path`: asked once, only for a call whose answer is kept."""
        if self._opens is None:
            self._opens = any(isinstance(n, ast.Name) and n.id in ("open", "Path") for n in find_all(self._body, ast.Name))
        return self._opens

    def _item_entry(self, name: str, values: list[ast.AST], tainted: set[str]) -> bool:
        """`queries[k]["answer"] = ask(queries[k]["question"])` in `for k in
        queries`: every store into `name` and every read of it in `values` is
        at the loop item's own entry, so no item reads another's answer. Also
        a local taken from that entry (`q = queries[k]["question"]`, then
        `ask(q)`), one step back."""
        if self._keyed_everywhere(name) and self._read_at_item(name, values):
            return True
        if "." in name:
            return False
        assigned = [node.value for stmt in self._body for node in find_all(stmt, ast.Assign)
                    if any(isinstance(t, ast.Name) and t.id == name for t in node.targets)]
        if not assigned:
            return False
        for value in assigned:
            via = names_read(value) & tainted
            if not via or not all(self._keyed_everywhere(m) and self._read_at_item(m, [value]) for m in via):
                return False
        return True

    def _at_item(self, node: ast.AST, name: str) -> bool:
        """`name[item]`, the item a loop target."""
        return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name \
            and isinstance(node.slice, ast.Name) and node.slice.id in self._fresh

    def _keyed_everywhere(self, name: str) -> bool:
        """Every store into `name` in the body is at the loop item's own entry."""
        if not self._fresh or "." in name:
            return False
        for stmt in self._body:
            for node in find_all(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Call, ast.Delete)):
                if isinstance(node, ast.Call):
                    func = node.func
                    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == name \
                            and func.attr in MUTATORS:
                        return False  # `queries.update(...)`: not one item's entry
                    continue
                for target in node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]:
                    if name not in _target_names(target):
                        continue
                    while isinstance(target, ast.Subscript) and not self._at_item(target, name):
                        target = target.value
                    if not self._at_item(target, name):
                        return False
        return True

    def _read_at_item(self, name: str, values: list[ast.AST]) -> bool:
        """Every mention of `name` in `values` is `name[item]`."""
        mentions = sum(1 for value in values for n in find_all(value, ast.Name) if n.id == name)
        keyed = sum(1 for value in values for n in find_all(value, ast.Subscript) if self._at_item(n, name))
        return mentions == keyed

    def test_reads_result(self, call: ast.Call) -> bool:
        """`while ret is None and retries < 3:` — the loop runs until an answer
        is good enough: a retry of one request, not a loop over items. A request
        that takes another item each pass (`item = queue.pop()`) is a loop over
        items, whatever its test reads."""
        if not self._test_reads or self._request_varies(call):
            return False
        return bool(self._test_reads & self.tainted_by(call)) or self._flag_set_on_a_good_answer(call)

    def _request_varies(self, call: ast.Call) -> bool:
        """The request is built from another item each pass: one taken from a
        queue or iterator (`item = queue.pop()`) or indexed by a name the body
        changes (`items[i]`). A prompt rebuilt from the same values, a counter
        or a tweak of the prompt is one request asked again."""
        assigned = {t for edge in self._edges for t in edge.targets}

        def varies(picks: frozenset[str]) -> bool:
            return TAKE in picks or bool(picks & assigned)

        args = argument_nodes(call)
        if varies(item_picks(args, names_read)):
            return True
        needed, done = names_read(*args), set()
        changed = True
        while changed:
            changed = False
            for position, edge in enumerate(self._edges):
                if position not in done and edge.targets & needed:
                    if varies(edge.picks):
                        return True
                    done.add(position)
                    needed |= edge.reads
                    changed = True
        return False

    def _flag_set_on_a_good_answer(self, call: ast.Call) -> bool:
        """`while not ok: text = ask(p); json.loads(text); ok = True` (or `if not
        out: continue` before `done = True`): the test reads a flag set only
        once the answer passed a check."""
        key = id(call)
        tainted = self._closure(key, self._edges)
        for _ in range(2):  # a check may read a name only the first round of flags taints
            extra = guard_edges(self._body, tainted, self._carried.edges_in,
                                lambda targets, reads: _Edge(frozenset(targets), frozenset(reads), frozenset()), names_read)
            tainted = self._closure(key, self._edges + extra)
        return bool(self._test_reads & tainted)

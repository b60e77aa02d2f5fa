"""Objects that learn from their answers.

    action = self.agent.act(state)           # asks Claude, reading self.examples
    self.agent.train(state, action, reward)  # stores the answer in self.examples

Each `act` request carries what earlier answers left on the agent, so no two of
them can wait for one batch, however many loops sit above: the object keeps
learning for as long as it lives. Told apart from an object that only records
its answers (`self.llm.log_usage(reply)` adding to a counter `ask` never
reads): the method given the answer must change what the asking method reads.

The index keeps two small facts, both rare: per method, which attributes of its
object it changes and which changing attributes it reads (`class_state`); per
call, the other method of the same receiver given its answer
(`answers_fed_back`). contexts.py joins them across files.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from .astwalk import FUNCTION_DEFS, own_nodes
from .dependence import MUTATORS, names_read
from .object_state import self_attribute, stored_names

if TYPE_CHECKING:
    from .facts import FunctionFacts, Site
    from .project import Project

FED_TO = "fed-to:"  # site flag: "fed-to:<method>", the receiver's other method given this call's answer
# site flag: the receiver outlives the call of its function: "fed-lasting:self" (held by the
# object whose method this is), "fed-lasting:module" (a module-level object)
FED_LASTING = "fed-lasting:"
FED_LOOP = "fed-loop:"  # site flag: "fed-loop:<line>", a loop keeping a local receiver from one iteration to the next
_CONSTRUCTORS = frozenset({"__init__", "__post_init__", "__new__", "setUp"})


def attribute_use(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[set[str], set[str], set[str]]:
    """(attributes of `self` it changes, attributes it reads, methods of `self` it calls).
    A counter bumped in place (`self.calls += 1`) and a list added to are
    changes, not reads: they shape no request."""
    written: set[str] = set()
    read: set[str] = set()
    calls: set[str] = set()
    not_read: set[int] = set()  # ids of `self.x` nodes that are a change or a method call
    nodes = own_nodes(function.body)
    for node in nodes:
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in MUTATORS and self_attribute(node.func.value):
                targets = [node.func.value]
            elif isinstance(node.func.value, ast.Name) and node.func.value.id == "self":
                calls.add(node.func.attr)
                not_read.add(id(node.func))
        for target in targets:
            for element in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                name = self_attribute(element)
                if name:
                    written.add(name)
                    not_read.update(id(sub) for sub in ast.walk(element) if isinstance(sub, ast.Attribute))
    for node in nodes:
        if isinstance(node, ast.Attribute) and id(node) not in not_read and isinstance(node.value, ast.Name) \
                and node.value.id == "self" and isinstance(node.ctx, ast.Load):
            read.add(node.attr)
    return written, read, calls


def class_state(methods: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, set[str]]]
                ) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """For each method of one class (its node, and the attributes of `self`
    the index saw it change): (attributes it changes, attributes it reads
    that some method other than a constructor changes, also through the other
    methods of `self` it calls). Only methods with either are listed. A class
    no method of which changes its object after construction is not read."""
    if not any(writes for name, (_, writes) in methods.items() if name not in _CONSTRUCTORS):
        return {}
    use = {name: attribute_use(node) for name, (node, _) in methods.items()}
    changing = set().union(*(written for name, (written, _, _) in use.items() if name not in _CONSTRUCTORS))
    if not changing:
        return {}
    reads = {name: read & changing for name, (_, read, _) in use.items()}
    grown = True
    while grown:  # what the methods it calls read, and so on
        grown = False
        for name, (_, _, calls) in use.items():
            for callee in calls & reads.keys():
                if not reads[callee] <= reads[name]:
                    reads[name] |= reads[callee]
                    grown = True
    return {name: (tuple(sorted(use[name][0])), tuple(sorted(reads[name])))
            for name in use if use[name][0] or reads[name]}


def answers_fed_back(function: ast.FunctionDef | ast.AsyncFunctionDef, calls: list[ast.Call],
                     assigns: list[ast.stmt], local_names: set[str]) -> dict[int, set[str]]:
    """id(call) -> site flags, for a call whose answer the function gives to
    another method of the same receiver (`action = agent.act(s)`, then
    `agent.train(s, action)`), directly or through names computed from it.
    `calls` and `assigns`: the function's own, as the index walked them (in
    source order); `local_names`: its parameters and the names it binds.
    Calls on `self` itself are left to object_state.py."""
    by_receiver: dict[str, list[ast.Call]] = {}
    for node in calls:
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, (ast.Name, ast.Attribute)):
            text = ast.unparse(node.func.value)
            if text != "self":
                by_receiver.setdefault(text, []).append(node)
    shared = {text: group for text, group in by_receiver.items() if len({c.func.attr for c in group}) > 1}
    if not shared:
        return {}
    assigned = [_Assigned(node) for node in assigns if node.value is not None]
    out: dict[int, set[str]] = {}
    for text, group in shared.items():
        given_to = [(call, _Assigned(call)) for call in group]
        holder = _holder(text, local_names)
        for asking in group:
            holds = _names_holding(id(asking), assigned)
            fed = {FED_TO + given.func.attr for given, arguments in given_to
                   if given.func.attr != asking.func.attr and (id(asking) in arguments.calls or arguments.reads & holds)}
            if not fed:
                continue
            if holder:
                fed.add(FED_LASTING + holder)
            else:  # a local or a parameter: it learns in the loops that keep it, not in one building a new one
                root = text.partition(".")[0].partition("[")[0]
                fed.update(f"{FED_LOOP}{loop.lineno}" for loop in _loops_around(function, asking)
                           if root not in stored_names(loop, changed=False))
            out.setdefault(id(asking), set()).update(fed)
    return out


class _Assigned:
    """What an assignment's value (or a call's arguments) reads: names, and
    the calls inside it; and the names an assignment stores."""

    __slots__ = ("calls", "reads", "stores")

    def __init__(self, node: ast.stmt | ast.Call) -> None:
        parts = [*node.args, *(k.value for k in node.keywords)] if isinstance(node, ast.Call) else [node.value]
        self.reads = names_read(*parts)
        self.calls = {id(sub) for part in parts for sub in ast.walk(part) if isinstance(sub, ast.Call)}
        targets = node.targets if isinstance(node, ast.Assign) else [] if isinstance(node, ast.Call) else [node.target]
        self.stores = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _loops_around(function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> list[ast.stmt]:
    """The loops of the function's own body that hold the call."""
    def walk(node: ast.AST, loops: list[ast.stmt]) -> list[ast.stmt] | None:
        if node is call:
            return loops
        if isinstance(node, (*FUNCTION_DEFS, ast.ClassDef, ast.Lambda)):
            return None
        inner = [*loops, node] if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) else loops
        for child in ast.iter_child_nodes(node):
            found = walk(child, inner)
            if found is not None:
                return found
        return None

    return next((found for stmt in function.body if (found := walk(stmt, [])) is not None), [])


def _names_holding(call: int, assigns: list[_Assigned]) -> set[str]:
    """The local names given the call's (id) answer, or a value computed from
    it (two passes, for a loop assigning before its use)."""
    holds: set[str] = set()
    for _ in range(2):
        for assigned in assigns:
            if call in assigned.calls or assigned.reads & holds:
                holds |= assigned.stores
    return holds


def _holder(receiver: str, local_names: set[str]) -> str:
    """"self" for `self.agent` (what it learns lasts as long as the object
    holding it, through every method of that object), "module" for a
    module-level object (it lasts for the whole run), "" for a local built here
    or a parameter (its caller may build one per item)."""
    root = receiver.partition(".")[0].partition("[")[0]
    if root == "self":
        return "self"
    return "" if root in local_names else "module"


def learns_from_its_answers(project: Project, site: Site,
                            called: Callable[[Site], list[FunctionFacts]]) -> tuple[str, str]:
    """(reason, what holds its object: "self" | "module" | "", see _holder) when the call's
    answer goes to another method of its object (FED_TO) that changes what the
    method called reads: `self.agent.act(s)`, then `self.agent.train(s, action)`.
    `called(site)`: the project functions the call may run."""
    fed = [flag[len(FED_TO):] for flag in site.flags if flag.startswith(FED_TO)]
    if not fed or site.ref_via:
        return "", ""
    asked = [fn for fn in called(site) if fn.state_reads]
    receiver = site.callee.rpartition(".")[0]
    for method in fed if asked else ():
        for given in project._targets(project.value(f"{receiver}.{method}")):
            for fn, _facts in [project.functions[given]] if given in project.functions else ():
                for reader in asked:
                    shared = sorted(set(reader.state_reads) & set(fn.state_writes))
                    if shared and _one_object(project, reader.class_qual, fn.class_qual):
                        name = receiver.rpartition(".")[2] or receiver
                        return (f"`{site.text}` learns from its answers: `{name}.{method}(...)` is given each answer "
                                f"and changes `self.{shared[0]}`, which the next request reads"), _held_by(site)
    return "", ""


def _held_by(site: Site) -> str:
    return next((flag[len(FED_LASTING):] for flag in site.flags if flag.startswith(FED_LASTING)), "")


def _one_object(project: Project, one: str, other: str) -> bool:
    """Methods of one class, or of a class and one of its bases."""
    return one == other or other in project.class_ancestry(one) or one in project.class_ancestry(other)

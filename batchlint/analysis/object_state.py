"""State an object carries from one call to the next.

`while step < n: agent.step()` hands the method nothing new per iteration:
what makes one step's request differ from the last is what the previous
steps left on the object (`self.journal.append(node)`), so each step builds
on the last, like a loop that feeds a response into the next request. A
method that leaves nothing on its object (`for _ in range(5): gen.sample()`)
makes independent samples.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from .astwalk import argument_nodes, own_nodes
from .dependence import MUTATORS, names_read

if TYPE_CHECKING:
    from .facts import FunctionFacts, Site
    from .project import Project


def converses(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The function keeps one conversation across its calls: it adds to a list
    held outside the call and sends that list as a request's `messages=`, so
    each call's request carries the turns (and answers) of the calls before
    it. "module" for a module-level list, "self" for one on its object (then
    only calls on one object continue it), "" for neither. Nested defs aside."""
    args = function.args
    local = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a is not None}
    declared_global: set[str] = set()
    nodes = own_nodes(function.body)
    for node in nodes:
        if isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    local -= declared_global
    kept: set[str] = set()  # what the function adds to, held beyond the call
    sent: set[str] = set()  # what goes out as a request's messages
    fresh: set[str] = set()  # lists the function gives a new value: each call starts its own
    aliases: dict[str, set[str]] = {}  # `msgs = self.history + [turn]`: a local standing for kept lists
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
            kept |= _held(node.func.value, local)
        elif isinstance(node, ast.AugAssign):
            kept |= _held(node.target, local)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute):
                    fresh |= _held(target, local)  # `self.history = [...]`: started again by each call
                elif isinstance(target, ast.Name):
                    fresh |= _held(target, local)  # a `global history` given a new list
                    aliases.setdefault(target.id, set()).update(_mentioned(node.value, local))
    for node in nodes:  # after every alias is known
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "messages":
                    sent |= _mentioned(keyword.value, local)
                    for name in names_read(keyword.value):
                        sent |= aliases.get(name, set())
    carried = (kept - fresh) & sent
    if any(not name.startswith("self.") for name in carried):
        return "module"
    return "self" if carried else ""


def _held(node: ast.AST, local: set[str]) -> set[str]:
    """`self.history[user]` -> {"self.history"}; `history` (not a local) -> {"history"}."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return {f"self.{node.attr}"}
    if isinstance(node, ast.Name) and node.id not in local:
        return {node.id}
    return set()


def _mentioned(node: ast.AST, local: set[str]) -> set[str]:
    """The held lists an expression reads (`self.history + [turn]`, `[*history, turn]`)."""
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Attribute, ast.Name)):
            out |= _held(sub, local)
    return out


def self_attribute(node: ast.AST) -> str:
    """`self.x`, `self.x[k]`, `self.x.y` -> "x"; anything else -> ""."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            return node.attr
        node = node.value
    return ""


def stored_names(loop: ast.For | ast.AsyncFor | ast.While, changed: bool = True) -> set[str]:
    """The names a loop assigns, its variable included, and (`changed`) the
    ones it changes in place (`batch.append(p)`, `seen[k] = v`): a name handed
    to a method after either is a new input each iteration."""
    out: set[str] = set()
    for node in ast.walk(loop):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif not changed:
            continue
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, ast.Store) \
                or isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
            root = node.func.value if isinstance(node, ast.Call) else node.value
            while isinstance(root, (ast.Subscript, ast.Attribute)):
                root = root.value
            if isinstance(root, ast.Name):
                out.add(root.id)
    return out


def same_inputs(call: ast.Call, assigned: Callable[[], set[str]]) -> bool:
    """`agent.step(cb)` in a loop: a method of an object the loop does not
    rebind, given nothing the loop assigns (`assigned()`: stored_names of the
    loop, asked for only for such a method call)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    if not (isinstance(receiver, ast.Name) or self_attribute(receiver)):
        return False
    if isinstance(receiver, ast.Name) and receiver.id in assigned():
        return False  # a new object each iteration
    if any(isinstance(node, ast.Call) for arg in argument_nodes(call) for node in ast.walk(arg)):
        return False  # `self.step(self.env.state())`, `bot.handle(queue.get())`: asked afresh each time
    return not {name.partition(".")[0] for name in names_read(*argument_nodes(call))} & assigned()


def changes_its_object(project: Project, methods: list[FunctionFacts],
                       called: Callable[[Site], list[FunctionFacts]], depth: int = 3) -> bool:
    """One of the methods leaves something on its object: itself, through its
    own helpers, or through the objects the object holds
    (`self.holdings.set_held(side)`, `self.executor.trade(...)`), up to
    `depth` calls deep. `called(site)`: the project functions a call may run."""
    seen: set[str] = set()

    def changes(fn: FunctionFacts, depth: int) -> bool:
        if fn.writes_self:
            return True
        if depth == 0 or not fn.class_qual or fn.qual in seen:
            return False
        seen.add(fn.qual)
        facts = project.file_of_function(fn.qual)
        return any(changes(held, depth - 1)
                   for inner in (facts.sites if facts is not None else ())
                   if inner.scope == fn.qual and not inner.ref_via and inner.text.startswith("self.")
                   for held in called(inner))

    return any(changes(fn, depth) for fn in methods)

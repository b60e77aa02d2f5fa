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

from .astwalk import FUNCTION_DEFS, argument_nodes
from .dependence import MUTATORS, names_read


def writes_self(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The method assigns or mutates an attribute of `self` (`self.n += 1`,
    `self.history.append(x)`, `self.cache[k] = v`), nested defs aside."""
    if not function.args.args or function.args.args[0].arg != "self":
        return False
    pending = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (*FUNCTION_DEFS, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_on_self(t) for t in targets):
                return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS \
                and _on_self(node.func.value):
            return True
        pending.extend(ast.iter_child_nodes(node))
    return False


def _on_self(node: ast.AST) -> bool:
    """`self.x`, `self.x[k]`, `self.x.y`: something held by `self`."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            return True
        node = node.value
    return False


def stored_names(loop: ast.For | ast.AsyncFor | ast.While) -> set[str]:
    """The names a loop assigns, its variable included."""
    return {n.id for n in ast.walk(loop) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def same_inputs(call: ast.Call, assigned: Callable[[], set[str]]) -> bool:
    """`agent.step(cb)` in a loop: a method of an object the loop does not
    rebind, given nothing the loop assigns (`assigned()`: stored_names of the
    loop, asked for only for such a method call)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    if not (isinstance(receiver, ast.Name) or _on_self(receiver)):
        return False
    if isinstance(receiver, ast.Name) and receiver.id in assigned():
        return False  # a new object each iteration
    return not {name.partition(".")[0] for name in names_read(*argument_nodes(call))} & assigned()

"""What the statements of a loop body may do before the Claude call, read
from LibCST nodes: the rules the planner applies to each statement, and the
names statements bind."""

from __future__ import annotations

import libcst as cst

from .cstwalk import NODE_TYPES, _fields, walk
from .shapes import Refusal
from .syntax import MUTATING_METHODS, PACING_CALLS, code_of, dotted, root_name, scan


def _link(node: cst.CSTNode, parents: dict[int, cst.CSTNode], calls: list[cst.Call]) -> None:
    """Parent of every node, and the calls in source order, in one walk."""
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.Call:
            calls.append(current)
        children = []
        for name in _fields(type(current)):
            value = getattr(current, name, None)
            if type(value) in NODE_TYPES:
                children.append(value)
            elif type(value) in (tuple, list):
                children.extend(item for item in value if type(item) in NODE_TYPES)
        for child in children:
            parents[id(child)] = current
        stack.extend(reversed(children))


def _is_pacing(call: cst.Call) -> bool:
    return dotted(call.func) in PACING_CALLS


def _plain_target(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Name):
        return True
    if isinstance(target, (cst.Tuple, cst.List)):
        return all(_plain_target(e.value) for e in target.elements if not isinstance(e, cst.StarredElement)) and all(
            isinstance(e.value, cst.Name) for e in target.elements if isinstance(e, cst.StarredElement))
    return False


def _names_in_order(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    out: list[str] = []
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            out += _names_in_order(element.value)
    return out


def _bound_name(statement: cst.BaseStatement, call_expr: cst.BaseExpression) -> str:
    """`reply` when the statement is `reply = <call>` or `reply: T = <call>`."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return ""
    small = statement.body[0]
    if isinstance(small, cst.Assign) and small.value is call_expr and len(small.targets) == 1 \
            and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value
    if isinstance(small, cst.AnnAssign) and small.value is call_expr and isinstance(small.target, cst.Name):
        return small.target.value
    return ""


_ALLOWED_SMALL = (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Pass, cst.Continue, cst.Break, cst.Expr)


class _WithoutComprehensions(cst.CSTTransformer):
    """Each comprehension replaced by `_`: the names of its own scope go with it."""

    def leave_ListComp(self, original, updated):
        return cst.Name("_")

    leave_SetComp = leave_DictComp = leave_GeneratorExp = leave_ListComp


def _names_outside_comprehensions(scope: cst.CSTNode) -> set[str]:
    """Names a function (or module) reads or binds in its own scope, its
    parameters included, leaving out those bound inside comprehensions."""
    usage = scan(scope.visit(_WithoutComprehensions()))
    names = usage.reads | usage.writes
    if isinstance(scope, cst.FunctionDef):
        params = scope.params
        names |= {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
        names |= {p.name.value for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)}
    return names


def _fresh_names(statements) -> frozenset[str]:
    """Names the statements bind to a new value (`parts = []`, an inner loop's
    target), as opposed to names they only change in place (`seen.add(x)`)."""
    names: set[str] = set()

    def visit(node: cst.CSTNode) -> bool:
        if isinstance(node, cst.AssignTarget) and isinstance(node.target, (cst.Name, cst.Tuple)):
            names.update(_names_in_order(node.target))
        elif isinstance(node, cst.AnnAssign) and node.value is not None and isinstance(node.target, cst.Name):
            names.add(node.target.value)
        elif isinstance(node, cst.For):
            names.update(_names_in_order(node.target))
        return not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda))  # their own scopes

    for statement in statements:
        walk(statement, visit)
    return frozenset(names)


def _prefix_statement_refusal(stmt: cst.BaseStatement, local: frozenset[str] = frozenset()) -> Refusal | None:
    """Statements before the call run in the build loop, before any result is
    used: only computing values, filtering (`continue`), and pacing may be there.
    `local`: names the item's own statements bind; a pure inner `for` loop that
    fills one of them (`parts.append(...)` after `parts = []`) only computes a value."""
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Raise):
                return Refusal("`raise` before the call would stop the loop before earlier items' results are used")
            if isinstance(small, cst.Return):
                return Refusal("`return` before the call")
            if not isinstance(small, _ALLOWED_SMALL):
                return Refusal(f"a `{code_of(small).split()[0]}` statement before the call")
            if isinstance(small, cst.Expr):
                value = small.value.expression if isinstance(small.value, cst.Await) else small.value
                if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
                    continue
                if isinstance(value, cst.Call) and dotted(value.func) in PACING_CALLS:
                    continue
                if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) \
                        and value.func.attr.value in MUTATING_METHODS and root_name(value.func.value) in local:
                    continue  # filling a value of this item's own: `parts.append(line)`
                return Refusal(f"`{code_of(small.value)[:60]}` runs before the call; the rewrite would run it "
                               "for every item before any result is used")
        return None
    if isinstance(stmt, cst.For) and stmt.asynchronous is None and stmt.orelse is None and local \
            and isinstance(stmt.body, cst.IndentedBlock):
        for inner in stmt.body.body:  # a pure inner loop that computes this item's values
            refusal = _prefix_statement_refusal(inner, local)
            if refusal:
                return refusal
        return None
    if isinstance(stmt, cst.If):
        branches: list = [stmt.body]
        orelse = stmt.orelse
        while orelse is not None:
            if isinstance(orelse, cst.If):  # elif
                branches.append(orelse.body)
                orelse = orelse.orelse
            else:
                branches.append(orelse.body)
                orelse = None
        for block in branches:
            if isinstance(block, cst.SimpleStatementSuite):  # `if x: continue` on one line
                refusal = _prefix_statement_refusal(cst.SimpleStatementLine(body=block.body), local)
                if refusal:
                    return refusal
                continue
            for inner in block.body:
                refusal = _prefix_statement_refusal(inner, local)
                if refusal:
                    return refusal
        return None
    kind = type(stmt).__name__.lower()
    return Refusal(f"a `{kind}` statement before the call; batchlint moves only plain assignments and `continue` filters")

"""Build the code of a record/replay rewrite (replay.py plans it).

A `for` loop's body becomes a local function over one item, handed to
`_claude_batch.fan_out(function, items, key)` (`await ...afan_out` when the
body awaits); `continue` becomes `return`, and names the body adds to
(`correct += 1`) are declared nonlocal or global. A comprehension, an
`asyncio.gather` over one, or a pool's `map` becomes the fan_out call itself.
The original body, items and arguments keep their text.
"""

from __future__ import annotations

import libcst as cst

from .replay import ReplayRewrite
from .shapes import runtime_attr
from .syntax import dotted, line_break, scan



def replay_nodes(r: ReplayRewrite, key: cst.SimpleString, taken: set[str], fit=lambda statement, depth: statement,
                 fit_expression=lambda expression: expression):
    """What replaces `r.node`: a list of statements (a `for` loop) or an
    expression. `fit(statement, depth)` lays out a long statement written
    `depth` blocks inside the loop's own indentation."""
    if r.kind == "for":
        return _loop(r, r.loops[0], r.loops[1:], key, set(taken), fit, 0)
    if r.kind == "pool":
        maker, waits = r.mapped
        new = {id(maker): cst.Call(runtime_attr("Pool"), [cst.Arg(key)])}
        for call in waits:
            new[id(call)] = call.with_changes(func=runtime_attr(dotted(call.func).rpartition(".")[2]))
        return r.node.visit(_ById(new))
    if r.kind == "map" and isinstance(r.node, cst.With):  # the pool goes: its body, with the map replaced
        body = r.node.body.deep_replace(r.call, fit_expression(_fan_out(*r.mapped, key, False)))
        statements = list(body.body)
        statements[0] = statements[0].with_changes(leading_lines=r.node.leading_lines)
        return statements
    if r.kind == "map":
        return _fan_out(*r.mapped, key, False)
    if r.kind == "gather":
        comp = r.node.expression.args[0].value
        return _fan_out(*_function_and_items(comp), key, True)
    return _fan_out(*_function_and_items(r.node), key, False)


def _fan_out(function, items, key: cst.SimpleString, is_async: bool) -> cst.BaseExpression:
    call = cst.Call(
        runtime_attr("afan_out" if is_async else "fan_out"),
        [cst.Arg(function), cst.Arg(_unparenthesized(items)), cst.Arg(key)])
    return cst.Await(call) if is_async else call


def _function_and_items(comp):
    """(the function to map, the items) of `[f(x) for x in xs if c]`."""
    for_in = comp.for_in
    element = comp.elt.expression if isinstance(comp.elt, cst.Await) else comp.elt
    items = for_in.iter
    if for_in.ifs:
        items = cst.GeneratorExp(cst.Name(for_in.target.value) if isinstance(for_in.target, cst.Name) else for_in.target,
                                 for_in.with_changes(iter=_unparenthesized(for_in.iter)),
                                 lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    if isinstance(for_in.target, cst.Tuple):  # f(a, b) for a, b in pairs
        param = "args"
        body = element.with_changes(args=[cst.Arg(cst.Name(param), star="*")])
        return cst.Lambda(cst.Parameters([cst.Param(cst.Name(param))]), body), items
    name = for_in.target.value
    args = element.args
    if len(args) == 1 and args[0].keyword is None and not args[0].star and dotted(args[0].value) == name:
        return element.func, items  # f(x) for x in xs: f itself
    return cst.Lambda(cst.Parameters([cst.Param(cst.Name(name))]), element), items


def _unparenthesized(node: cst.BaseExpression) -> cst.BaseExpression:
    if getattr(node, "lpar", None) and not isinstance(node, cst.GeneratorExp):
        return node.with_changes(lpar=[], rpar=[]) if len(node.lpar) == 1 else node
    return node


# ----------------------------------------------------------------- for loops
def _blank(lines, wanted: int) -> list:
    """The loop's own leading lines (comments), with at least `wanted` blank lines before them."""
    lines = list(lines)
    blanks = next((i for i, line in enumerate(lines) if line.comment is not None), len(lines))
    return [cst.EmptyLine(indent=False)] * max(0, wanted - blanks) + lines


def _loop(r: ReplayRewrite, loop: cst.For, inner: tuple[cst.For, ...], key, taken: set[str], fit, depth) -> list:
    top = int(r.top_level and depth == 0)  # a module-level def: two blank lines around it (pycodestyle E302/E305)
    body = loop.body
    if inner:
        nested = _loop(r, inner[0], inner[1:], key, taken, fit, depth + 1)
        body = body.deep_replace(inner[0], cst.FlattenSentinel(nested))
    name = _fresh(f"process_{_target_word(loop.target)}", taken)
    statements = list(body.visit(_ContinueToReturn(id(loop) in r.stops)).body)
    if isinstance(loop.target, cst.Name):
        param = loop.target.value
    else:
        param = _fresh("item", taken | scan(loop.body).reads)
        unpack = cst.Assign([cst.AssignTarget(loop.target.with_changes(lpar=[], rpar=[]))], cst.Name(param))
        statements.insert(0, cst.SimpleStatementLine([unpack]))
    for loop_id, kind, names in r.declared:
        if loop_id == id(loop):
            declared = [cst.NameItem(cst.Name(n)) for n in names]
            statement = cst.Global(declared) if kind == "global" else cst.Nonlocal(declared)
            statements.insert(0, cst.SimpleStatementLine([statement]))
    if not statements:
        statements = [cst.SimpleStatementLine([cst.Pass()])]
    function = cst.FunctionDef(
        name=cst.Name(name),
        params=cst.Parameters([cst.Param(cst.Name(param))]),
        body=body.with_changes(body=statements),
        asynchronous=cst.Asynchronous() if r.is_async else None,
        leading_lines=_blank(loop.leading_lines, 0 if id(loop) in r.first else 1 + top),
    )
    run = fit(cst.SimpleStatementLine([cst.Expr(_fan_out(cst.Name(name), loop.iter, key, r.is_async))],
                                      leading_lines=[cst.EmptyLine(indent=False)] * (1 + top)), depth)
    after = list(loop.orelse.body.body) if loop.orelse is not None else []
    return [function, run, *after]


def _target_word(target: cst.BaseExpression) -> str:
    if isinstance(target, cst.Name):
        return target.value.strip("_") or "item"
    names = [n for n in scan(target).reads if n != "_"]
    return "item" if len(names) != 1 else names[0]


def _fresh(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


class _ContinueToReturn(cst.CSTTransformer):
    """`continue` of the loop itself (not of a loop inside it) becomes `return`;
    with `stops`, its `break` becomes `return _claude_batch.STOP` (no later item runs)."""

    def __init__(self, stops: bool = False) -> None:
        self.depth = 0
        self.stops = stops

    def leave_Break(self, original_node, updated_node):
        if self.depth or not self.stops:
            return updated_node
        return cst.Return(runtime_attr("STOP"))

    def visit_For(self, node: cst.For) -> None:
        self.depth += 1

    def leave_For(self, original_node, updated_node):
        self.depth -= 1
        return updated_node

    def visit_While(self, node: cst.While) -> None:
        self.depth += 1

    def leave_While(self, original_node, updated_node):
        self.depth -= 1
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def leave_Continue(self, original_node, updated_node):
        return cst.Return() if self.depth == 0 else updated_node


def one_argument_a_line(expression: cst.BaseExpression, columns: int, line_length: int) -> cst.BaseExpression:
    """The fan_out call with its arguments one a line when it would not fit
    after `columns` (black's layout for a call it must split)."""
    call = expression.expression if isinstance(expression, cst.Await) else expression
    if columns + len(cst.Module([]).code_for_node(expression)) <= line_length:
        return expression
    args = [a.with_changes(comma=cst.Comma(whitespace_after=line_break("    " if i < len(call.args) - 1 else "")))
            for i, a in enumerate(call.args)]
    call = call.with_changes(args=args, whitespace_before_args=line_break("    "))
    return expression.with_changes(expression=call) if isinstance(expression, cst.Await) else call


class _ById(cst.CSTTransformer):
    """Replace nodes of the original tree by identity (nothing inside them changes)."""

    def __init__(self, new: dict) -> None:
        self.new = new

    def on_leave(self, original_node, updated_node):
        return self.new.get(id(original_node), updated_node)

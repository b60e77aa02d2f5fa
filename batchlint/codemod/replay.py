"""The record/replay rewrite: the fan-out around a Claude call becomes
`_claude_batch.fan_out(function, items, key)`, whatever lies between it and
the SDK call (wrappers, methods, retry loops, a second dependent call).

Used when the split rewrite (plan.py) refuses. The runtime runs each item
until its first unanswered request, submits what it recorded as one batch,
and runs the items again with the answers served at the same calls
(docs/fix.md, "Record and replay"). So the rewrite must refuse what running an
item's code again, up to its call, would change: effects there other than
printing and logging (the runtime holds those), requests built from the
clock or random numbers, handlers that would catch the runtime's stop, locks
and alarms held across the call, and loop bodies that hand values to the
code after them.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from .replay_fanouts import _comprehension, _helper_mapper, _mapper
from .replay_shapes import (_ALARMS, _COMPREHENSIONS, _HELD, _VARYING, ReplayRewrite,  # noqa: F401 - ReplayRewrite re-exported
                            _walk_same_scope, _without_held)
from .shapes import Refusal
from .statements import _WithoutComprehensions
from .syntax import callee_name, code_of, dotted, scan, side_effect_call


def plan_replay(planner, call: cst.Call, direct: bool, passed: tuple[str, str] = ("", "")) -> ReplayRewrite | Refusal:
    """The fan-out around `call` (the report site) as a replay rewrite.
    `direct`: `call` is the SDK call itself. `passed`: (function, helper)
    when the analysis found the function passed to a helper that maps it."""
    through = "" if direct else code_of(call.func)
    node: cst.CSTNode = call
    parent = planner.parent(node)
    if isinstance(parent, cst.Await):
        node, parent = parent, planner.parent(parent)
    mapped = _mapper(planner, call) or _helper_mapper(planner, call, *passed)
    if mapped is not None:
        return mapped
    loops: list[cst.For] = []
    stops: set[int] = set()  # loops whose `break` comes before the call: it stops the fan-out there
    conditional = False
    child = node  # the node below `node` on the way up: the body statement when `node` is a block
    while parent is not None and not isinstance(parent, (cst.Module, cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(parent, _COMPREHENSIONS) and node is parent.elt:
            return _comprehension(planner, parent, call, through) if not loops else \
                Refusal("a loop around a comprehension that makes the call: batchlint rewrites one of them")
        if isinstance(parent, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return Refusal("the call is in a set or dict comprehension, or in its loop part")
        if isinstance(parent, cst.For) and node is not parent.iter:
            early = _breaks_before(parent, child)
            if scan(parent.body).breaks and not early:
                if not loops:  # a retry or search loop inside the item: it stays as it is
                    child, node, parent = node, parent, planner.parent(parent)
                    continue
                return Refusal(f"`break` in the loop at line {planner.line_of(parent)}: it may stop early "
                               "depending on a response")
            if early:
                if parent.orelse is not None:
                    return Refusal(f"`break` in a loop with an `else:` clause (line {planner.line_of(parent)})")
                stops.add(id(parent))
            loops.append(parent)
        elif isinstance(parent, cst.While) and not loops:
            pass  # a retry loop inside the item
        elif isinstance(parent, cst.While):
            return Refusal(f"`while` loop (line {planner.line_of(parent)}): the items are not known before the loop runs")
        elif isinstance(parent, cst.Try):
            refusal = _catches_stop(parent)
            if refusal:
                return refusal
        elif isinstance(parent, cst.With):
            refusal = _held_across(parent)
            if refusal:
                return refusal
        elif isinstance(parent, (cst.If, cst.IfExp, cst.BooleanOperation)) and loops == [] and node is not getattr(parent, "test", None):
            conditional = True
        child, node, parent = node, parent, planner.parent(parent)
    if not loops:
        return Refusal("no loop, comprehension or asyncio.gather around the call in its function")
    loops.reverse()
    outcome = _for_loops(planner, loops, call, through, conditional)
    if stops and isinstance(outcome, ReplayRewrite):
        if outcome.is_async:
            return Refusal("`break` in an async loop: the items of a round run at once")
        outcome = replace(outcome, stops=frozenset(stops), conditional=True)
    return outcome


def _breaks_before(loop: cst.For, statement: cst.CSTNode) -> bool:
    """The loop's own `break`s all come before the body statement holding the call
    (`if i >= limit: break`): they depend on no response of this item."""
    body = list(loop.body.body) if isinstance(loop.body, cst.IndentedBlock) else []
    if statement not in body:
        return False
    index = body.index(statement)
    return bool(body[:index]) and scan(*body[:index]).breaks and not scan(*body[index:]).breaks


# ------------------------------------------------------------------ for loops
def _for_loops(planner, loops: list[cst.For], call: cst.Call, through: str, conditional: bool):
    outer = loops[0]
    declared = []
    for loop in loops:
        refusal = _loop_refusal(planner, loop)
        if refusal:
            return refusal
        if scan(loop.body).continues:
            conditional = True
        names, refusal = _carried(planner, loop)
        if refusal:
            return refusal
        if names:
            declared.append((id(loop), _declaration(planner, loop), tuple(sorted(names))))
    for loop, inner in zip(loops, [*loops[1:], call]):
        refusal = _before_call(planner, loop, inner) or _carried_into_request(planner, loop, inner, declared)
        if refusal:
            return refusal
    is_async = any(loop.asynchronous is not None for loop in loops) or _awaits(loops[-1])
    if is_async and not _in_async_function(planner, outer):
        return Refusal("the loop awaits outside an async function")
    first = frozenset(id(loop) for loop in loops if list(getattr(planner.parent(loop), "body", ()))[:1] == [loop])
    return ReplayRewrite(outer, call, "for", tuple(loops), is_async, through, conditional, tuple(declared), first=first,
                         top_level=isinstance(planner.parent(outer), cst.Module),
                         prior=_prior_call(planner, loops, call))


def _loop_refusal(planner, loop: cst.For) -> Refusal | None:
    usage = scan(loop.body)
    line = planner.line_of(loop)
    if usage.returns:
        return Refusal(f"`return` inside the loop at line {line}: it may end the loop depending on a response")
    if usage.yields:
        return Refusal(f"the loop at line {line} yields: its consumer takes items one at a time")
    if not isinstance(loop.body, cst.IndentedBlock):
        return Refusal("the loop body is on the same line as `for`")
    if loop.asynchronous is not None:
        return Refusal(f"`async for` at line {line}: the items arrive while the loop runs")
    for node in _walk_same_scope(loop.body):
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            return Refusal(f"a `{type(node).__name__.lower()}` statement in the loop at line {line}")
    return None


def _carried(planner, loop: cst.For) -> tuple[set[str], Refusal | None]:
    """Names the body changes that exist outside it: augmented ones (`total +=
    1`) are declared nonlocal/global; a plain assignment to one would hand a
    value to the next item or to the code after the loop."""
    targets = scan(loop.target).reads
    augmented, assigned = set(), set()
    for node in _walk_same_scope(loop.body):
        if isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
            augmented.add(node.target.value)
        elif isinstance(node, (cst.AssignTarget, cst.AnnAssign)):
            if isinstance(node.target, (cst.Name, cst.Tuple, cst.List)):
                assigned |= scan(node.target).reads
        elif isinstance(node, (cst.For, cst.CompFor)) and node is not loop:
            assigned |= scan(node.target).reads if isinstance(node, cst.For) else set()
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            assigned |= scan(node.asname.name).reads
        elif isinstance(node, cst.NamedExpr):
            assigned |= scan(node.target).reads
    assigned.discard("_")  # the throwaway name holds nothing anyone reads
    outside = _bound_outside(planner, loop)
    # a name bound outside is handed from one item to the next only when the
    # body may read it before assigning it; after the loop, whenever it is read
    carried = {n for n in (assigned - targets) & outside if _read_before_written(loop.body, n)}
    shared = sorted(carried | ((assigned - targets) & _read_after(planner, loop)))
    if shared:
        return set(), Refusal(f"`{shared[0]}` is assigned in the loop and used outside it: each item would get "
                              "its own copy")
    if (targets - {"_"}) & _read_after(planner, loop):
        name = sorted((targets - {"_"}) & _read_after(planner, loop))[0]
        return set(), Refusal(f"`{name}` is read after the loop, which leaves it holding the last item")
    return (augmented - targets) - (assigned - augmented), None


_PURE = frozenset({
    "len", "str", "int", "float", "bool", "list", "dict", "set", "tuple", "range", "enumerate", "zip", "sorted",
    "reversed", "min", "max", "sum", "any", "all", "isinstance", "getattr", "hasattr", "repr", "round", "abs",
    "format", "format_map", "strip", "lstrip", "rstrip", "lower", "upper", "split", "splitlines", "join", "get",
    "items", "keys", "values", "replace", "startswith", "endswith", "encode", "decode", "copy", "dumps", "loads",
    "Path", "exists", "read_text", "open", "read", "title", "count", "index", "find",
})


def _prior_call(planner, loops, call: cst.Call) -> str:
    """A function of the project (not a builtin, a string or JSON method) the
    loop bodies call before the Claude call: it runs again in every round."""
    for loop, inner in zip(loops, [*loops[1:], call]):
        for part in _statements_before(planner, loop, inner):
            for inner_call in scan(part).calls:
                name = callee_name(inner_call)
                if name and name not in _PURE and name not in _HELD and not dotted(inner_call.func).startswith("time.sleep"):
                    return code_of(inner_call.func)
    return ""


def _read_before_written(statements, name: str) -> bool:
    """Whether running the statements may read `name` before binding it: a
    plain top-level `x = f(row)` or `for x in xs:` binds first; inside an `if`,
    `with`, `try` or loop, each block is looked at the same way, and what
    follows a block that may not bind the name may still read the old value."""
    for statement in getattr(statements, "body", statements):
        if name not in _reads([statement]) and name not in scan(statement).writes:
            continue
        if isinstance(statement, cst.SimpleStatementLine):
            if len(statement.body) == 1 and isinstance(statement.body[0], (cst.Assign, cst.AnnAssign)):
                small = statement.body[0]
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                bound = any(isinstance(t, cst.Name) and t.value == name for t in targets)
                return not bound or (small.value is not None and name in scan(small.value).reads)
            return True
        heads, blocks = _parts(statement)
        if any(name in scan(h).reads for h in heads):
            return True
        if isinstance(statement, cst.For) and name in scan(statement.target).reads:
            return False  # the loop binds it before its body runs (an empty loop leaves it: not followed)
        if isinstance(statement, cst.With) and name in _with_names(statement):
            return False  # `with open(p) as f:` binds `f` before its body runs
        if any(_read_before_written(b, name) for b in blocks):
            return True
    return False


def _parts(statement) -> tuple[list, list]:
    """(the expressions a compound statement evaluates first, its blocks' statement lists)."""
    if isinstance(statement, cst.If):
        heads, blocks, orelse = [statement.test], [statement.body.body], statement.orelse
        while isinstance(orelse, cst.If):
            heads.append(orelse.test)
            blocks.append(orelse.body.body)
            orelse = orelse.orelse
        if orelse is not None:
            blocks.append(orelse.body.body)
        return heads, blocks
    if isinstance(statement, (cst.For, cst.While)):
        head = statement.iter if isinstance(statement, cst.For) else statement.test
        blocks = [statement.body.body] + ([statement.orelse.body.body] if statement.orelse else [])
        return [head], blocks
    if isinstance(statement, cst.With):
        return [i.item for i in statement.items], [statement.body.body]
    if isinstance(statement, cst.Try):
        blocks = [statement.body.body] + [h.body.body for h in statement.handlers]
        blocks += [b.body.body for b in (statement.orelse, statement.finalbody) if b is not None]
        return [], blocks
    return [statement], []  # anything else: read as a whole


def _declaration(planner, loop: cst.For) -> str:
    scope = _scope(planner, loop)
    return "global" if isinstance(scope, cst.Module) else "nonlocal"


def _bound_outside(planner, loop: cst.For) -> set[str]:
    """Names bound in the loop's function (or module) outside the loop."""
    scope = _scope(planner, loop)
    bound = set()
    for node in _walk_same_scope(scope.body if isinstance(scope, cst.FunctionDef) else scope):
        if node is loop:
            continue
        if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign)) and not _inside(planner, node, loop):
            bound |= scan(node.target).reads if isinstance(node.target, (cst.Name, cst.Tuple, cst.List)) else set()
    if isinstance(scope, cst.FunctionDef):
        bound |= {p.name.value for p in (*scope.params.params, *scope.params.kwonly_params, *scope.params.posonly_params)}
    return bound


def _read_after(planner, loop: cst.For) -> set[str]:
    """Names the code after the loop may read before binding them again (a
    later `result = ...` first makes the loop's `result` unseen)."""
    reads, rebound = set(), set()
    node, parent = loop, planner.parent(loop)
    while parent is not None and not isinstance(node, (cst.FunctionDef, cst.Module)):
        body = getattr(parent, "body", None)
        if isinstance(body, (list, tuple)) and node in body:
            position = list(body).index(node)
            later = list(body)[position + 1:]
            for name in _reads(later) - rebound:
                if _read_before_written(later, name):
                    reads.add(name)
            rebound |= {n for n in _bound_in(later) if n not in reads}
            if isinstance(planner.parent(parent), (cst.For, cst.While)):
                # in an enclosing loop the statements before this one run again after it:
                # a name they bind before reading (`for q in ...` again) is not read
                before = list(body)[:position]
                reads |= {n for n in _reads(before) - rebound if _read_before_written(before, n)}
        node, parent = parent, planner.parent(parent)
    return reads


def _bound_in(statements) -> set[str]:
    """Names the statements bind at their top level (`x = ...`, `for x in`)."""
    out = set()
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    out |= {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
                    out.add(small.target.value)
        elif isinstance(statement, cst.For):
            out |= scan(statement.target).reads
        elif isinstance(statement, cst.With):
            out |= _with_names(statement)
    return out


def _with_names(statement: cst.With) -> set[str]:
    """The names a `with` statement binds (`as f`, `as (a, b)`)."""
    return {name for item in statement.items if item.asname is not None for name in scan(item.asname.name).reads}


def _carried_into_request(planner, loop: cst.For, inner: cst.CSTNode, declared) -> Refusal | None:
    """A name the body adds to (`written += 1`) read before the call: in a
    round, every item sees the value from before any item of it finished."""
    shared = {name for _, _, names in declared for name in names}
    # `skipped += 1` alone decides nothing
    before = [b.visit(_AddsOnly()) for b in _statements_before(planner, loop, inner)]
    read = sorted(shared & (_reads(before) | scan(*[a.value for a in getattr(inner, "args", ())]).reads
                            if before or getattr(inner, "args", ()) else set()))
    if read:
        return Refusal(f"loop-carried dependence: `{read[0]}` is read before the call and changed after it; the "
                       "items of a round would all see its value from before any of them finished")
    return None


class _AddsOnly(cst.CSTTransformer):
    """`name += value` as `value`: adding to a name does not read it for a decision."""

    def leave_AugAssign(self, original_node, updated_node):
        if isinstance(updated_node.target, cst.Name):
            return cst.Expr(updated_node.value)
        return updated_node


def _reads(statements) -> set[str]:
    """Names the statements read, a comprehension's own variables left out
    (`{q: ... for q in QS}` does not read an outer `q`)."""
    reads = set()
    for statement in statements:
        reads |= scan(statement.visit(_WithoutComprehensions())).reads
        for node in _walk_same_scope(statement):
            if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
                own, for_in = set(), node.for_in
                while for_in is not None:
                    own |= scan(for_in.target).reads
                    for_in = for_in.inner_for_in
                reads |= scan(node).reads - own
    return reads


def _statements_before(planner, loop: cst.For, inner: cst.CSTNode) -> list:
    """The statements of the loop's body before the one holding `inner` (the
    call, or the inner loop that makes it): what runs again in every round."""
    statement = inner
    while planner.parent(statement) is not loop.body and planner.parent(statement) is not None:
        statement = planner.parent(statement)
    body = list(loop.body.body)
    return body[: body.index(statement)] if statement in body else []


def _before_call(planner, loop: cst.For, call: cst.CSTNode) -> Refusal | None:
    """What runs again in every pass, up to the call (or the inner loop that
    makes it): no writes or sends, no clock or random numbers in the request."""
    before = _statements_before(planner, loop, call)
    local = scan(loop.target).reads | (scan(*before).writes if before else set())
    for part in [*before, *[a.value for a in getattr(call, "args", ())]]:
        usage = scan(part)
        effect = side_effect_call(_without_held(usage), local)
        if effect:
            return Refusal(f"`{effect}` runs before the call: replaying the item would run it again")
        for inner in usage.calls:
            name = dotted(inner.func)
            if name in _ALARMS:
                return Refusal(f"`{name}()` before the call: the alarm would go off while the batch runs")
            if name == "next" and inner.args and dotted(inner.args[0].value).split(".")[0] not in local:
                return Refusal(f"`{code_of(inner)[:40]}` before the call takes the next value of an iterator the "
                               "items share: a replayed item would take another")
            if name.startswith(_VARYING) and not name.endswith("sleep"):
                return Refusal(f"`{code_of(inner)[:40]}` before the call: a request built from the clock or random "
                               "numbers differs when the item is replayed")
    return None


def stop_caught_around(planner, call: cst.Call | None) -> Refusal | None:
    """A handler in the function making the SDK call that would swallow the
    stop: the wrapper's own `except BaseException` or bare `except:`."""
    parent = planner.parent(call) if call is not None else None
    while parent is not None and not isinstance(parent, (cst.Module, cst.FunctionDef, cst.Lambda)):
        if isinstance(parent, cst.Try):
            refusal = _catches_stop(parent)
            if refusal:
                return refusal
        parent = planner.parent(parent)
    return None


def _catches_stop(block: cst.Try) -> Refusal | None:
    for handler in block.handlers:
        caught = handler.type
        if caught is None:
            return Refusal("a bare `except:` around the call would catch the stop that record/replay uses")
        names = {dotted(e.value) for e in caught.elements} if isinstance(caught, cst.Tuple) else {dotted(caught)}
        if names & {"BaseException", "builtins.BaseException"}:
            return Refusal("`except BaseException` around the call would catch the stop that record/replay uses")
    return None


def _held_across(block: cst.With) -> Refusal | None:
    for item in block.items:
        text = code_of(item.item).lower()
        if "lock" in text and "unlock" not in text:
            return Refusal(f"`with {code_of(item.item)}` is held across the call; record/replay would take it "
                           "once per pass")
    return None


# ------------------------------------------------------------------ helpers
def _inside(planner, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = planner.parent(node)
    return False


def _scope(planner, node: cst.CSTNode):
    parent = planner.parent(node)
    while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Module)):
        parent = planner.parent(parent)
    return parent


def _awaits(loop: cst.For) -> bool:
    return any(isinstance(n, cst.Await) for n in _walk_same_scope(loop.body))


def _in_async_function(planner, node: cst.CSTNode) -> bool:
    scope = _scope(planner, node)
    return isinstance(scope, cst.FunctionDef) and scope.asynchronous is not None

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

from dataclasses import dataclass

import libcst as cst

from .shapes import Refusal
from .statements import _WithoutComprehensions
from .syntax import callee_name, code_of, dotted, scan, side_effect_call

_COMPREHENSIONS = (cst.ListComp, cst.GeneratorExp)
_CONSUMERS = frozenset({"list", "tuple", "sorted", "sum", "max", "min", "join", "set", "frozenset"})
_MAPPERS = frozenset({"map"})  # pool.map / executor.map with (function, items)
_HELD = frozenset({"print", "log", "debug", "info", "warning", "warn", "error", "exception", "critical"})
_VARYING = ("time.", "datetime.", "date.today", "random.", "uuid", "secrets.", "os.urandom")
_ALARMS = frozenset({"signal.alarm", "signal.setitimer", "alarm", "setitimer"})


@dataclass(frozen=True)
class ReplayRewrite:
    """`node` (a For statement, or an expression) becomes a fan_out over its items."""

    node: cst.CSTNode
    call: cst.Call  # the loop's call on the way to Claude (the report site)
    kind: str  # "for", "comprehension", "gather", "map"
    loops: tuple[cst.For, ...]  # kind "for": the loops made into fan-outs, outermost first
    is_async: bool
    through: str  # the function the item calls on its way to the SDK call, "" when the body makes it
    conditional: bool  # some items may take another path than the call (continue, if)
    declared: tuple[tuple[int, str, tuple[str, ...]], ...] = ()  # (id(loop), "nonlocal"/"global", names)
    mapper: str = ""  # kind "map": the helper or pool call replaced
    first: frozenset[int] = frozenset()  # ids of the loops that open their block (no blank line before the def)
    mapped: tuple = ()  # kind "map": (function, items) expressions
    dropped: str = ""  # kind "map" over a project helper: its other arguments ("-" when none)
    top_level: bool = False  # kind "for": the loop is a statement of the module (two blank lines around a def)
    prior: str = ""  # kind "for": a function the body calls before the Claude call (run again each round)

    @property
    def call_expr(self) -> cst.BaseExpression:
        return self.call


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
    conditional = False
    while parent is not None and not isinstance(parent, (cst.Module, cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(parent, _COMPREHENSIONS) and node is parent.elt:
            return _comprehension(planner, parent, call, through) if not loops else \
                Refusal("a loop around a comprehension that makes the call: batchlint rewrites one of them")
        if isinstance(parent, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return Refusal("the call is in a set or dict comprehension, or in its loop part")
        if isinstance(parent, cst.For) and node is not parent.iter:
            if scan(parent.body).breaks:
                if not loops:  # a retry or search loop inside the item: it stays as it is
                    node, parent = parent, planner.parent(parent)
                    continue
                return Refusal(f"`break` in the loop at line {planner.line_of(parent)}: it may stop early "
                               "depending on a response")
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
        node, parent = parent, planner.parent(parent)
    if not loops:
        return Refusal("no loop, comprehension or asyncio.gather around the call in its function")
    loops.reverse()
    return _for_loops(planner, loops, call, through, conditional)


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
        refusal = _before_call(planner, loop, inner)
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
    outside = _bound_outside(planner, loop)
    # a name bound outside is handed from one item to the next only when the
    # body may read it before assigning it; after the loop, whenever it is read
    carried = {n for n in (assigned - targets) & outside if _read_before_written(loop.body, n)}
    shared = sorted(carried | ((assigned - targets) & _read_after(planner, loop)))
    if shared:
        return set(), Refusal(f"`{shared[0]}` is assigned in the loop and used outside it: each item would get "
                              "its own copy")
    if targets & _read_after(planner, loop):
        name = sorted(targets & _read_after(planner, loop))[0]
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
        statement = inner
        while planner.parent(statement) is not loop.body and planner.parent(statement) is not None:
            statement = planner.parent(statement)
        body = list(loop.body.body)
        before = body[: body.index(statement)] if statement in body else []
        for part in before:
            for inner_call in scan(part).calls:
                name = callee_name(inner_call)
                if name and name not in _PURE and name not in _HELD and not dotted(inner_call.func).startswith("time.sleep"):
                    return code_of(inner_call.func)
    return ""


def _read_before_written(statements, name: str) -> bool:
    """Whether a statement may read `name` before one assigns it: the first
    statement that mentions it must bind it, plainly and at the top level,
    without reading it (`x = f(row)`, `for x in xs:`; not `x = x + 1`, not in
    an `if`)."""
    for statement in getattr(statements, "body", statements):
        usage = scan(statement)
        if name not in _reads([statement]) and name not in usage.writes:
            continue
        if isinstance(statement, cst.For):
            return not (name in scan(statement.target).reads and name not in scan(statement.iter).reads)
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
                and isinstance(statement.body[0], (cst.Assign, cst.AnnAssign)):
            small = statement.body[0]
            value = small.value
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            bound = any(isinstance(t, cst.Name) and t.value == name for t in targets)
            return not bound or (value is not None and name in scan(value).reads)
        return True
    return False


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
    reads = set()
    node, parent = loop, planner.parent(loop)
    while parent is not None and not isinstance(node, (cst.FunctionDef, cst.Module)):
        body = getattr(parent, "body", None)
        if isinstance(body, (list, tuple)) and node in body:
            position = list(body).index(node)
            reads |= _reads(list(body)[position + 1:])
            if isinstance(planner.parent(parent), (cst.For, cst.While)):
                # in an enclosing loop the statements before this one run again after it:
                # a name they bind before reading (`for q in ...` again) is not read
                before = list(body)[:position]
                reads |= {n for n in _reads(before) if _read_before_written(before, n)}
        node, parent = parent, planner.parent(parent)
    return reads


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


def _before_call(planner, loop: cst.For, call: cst.CSTNode) -> Refusal | None:
    """What runs again in every pass, up to the call (or the inner loop that
    makes it): no writes or sends, no clock or random numbers in the request."""
    statement = call
    while planner.parent(statement) is not loop.body and planner.parent(statement) is not None:
        statement = planner.parent(statement)
    body = list(loop.body.body)
    before = body[: body.index(statement)] if statement in body else []
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


def _without_held(usage):
    """The usage without print and logging calls (the runtime holds their output)."""
    kept = [c for c in usage.calls if callee_name(c) not in _HELD]
    return type(usage)(usage.reads, usage.writes, kept, usage.yields, usage.returns, usage.awaits,
                       usage.breaks, usage.continues)


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


# ----------------------------------------------------- comprehensions, gather
def _comprehension(planner, comp, call: cst.Call, through: str):
    for_in = comp.for_in
    if for_in.inner_for_in is not None or for_in.asynchronous is not None:
        return Refusal("a comprehension with several `for` clauses (or `async for`)")
    if comp.elt is not call and not (isinstance(comp.elt, cst.Await) and comp.elt.expression is call):
        return Refusal("the comprehension's element does more than call the function that reaches Claude")
    if not isinstance(for_in.target, cst.Name) and not _spread(call, for_in.target):
        return Refusal("the comprehension unpacks its items into other arguments than the call's own, in order")
    parent = planner.parent(comp)
    kind, node, is_async = "comprehension", comp, False
    arg = parent if isinstance(parent, cst.Arg) else None
    outer = planner.parent(arg) if arg is not None else None
    if arg is not None and arg.star == "*" and isinstance(outer, cst.Call) and dotted(outer.func) in ("asyncio.gather", "gather"):
        if any(a.keyword is not None and a.keyword.value == "return_exceptions" for a in outer.args):
            return Refusal("`asyncio.gather(..., return_exceptions=True)` would catch the stop that record/replay uses")
        if len(outer.args) != 1 or not isinstance(planner.parent(outer), cst.Await):
            return Refusal("the asyncio.gather takes more than the one comprehension, or is not awaited where it is made")
        kind, node, is_async = "gather", planner.parent(outer), True
    elif isinstance(comp, cst.GeneratorExp) and not (isinstance(outer, cst.Call) and callee_name(outer) in _CONSUMERS
                                                     and len(outer.args) == 1):
        return Refusal("a generator expression runs its calls lazily, as its consumer asks for items")
    if isinstance(comp.elt, cst.Await) and not is_async:
        return Refusal("an async comprehension")
    for cond in for_in.ifs:
        if side_effect_call(scan(cond)):
            return Refusal("a comprehension condition has an effect that replay would repeat")
    refusal = _args_refusal(call)
    if refusal:
        return refusal
    return ReplayRewrite(node, call, kind, (), is_async, through, bool(for_in.ifs))


_EXECUTORS = frozenset({"ThreadPoolExecutor", "ProcessPoolExecutor"})
_WAITS = frozenset({"as_completed", "wait"})


def _submitted(planner, call: cst.Call) -> ReplayRewrite | Refusal | None:
    """`pool.submit(fn, ...)` in `with ThreadPoolExecutor(...) as pool:`: the
    pool becomes `_claude_batch.Pool(key)`, whose futures run through fan_out
    when a result is first asked for, and `as_completed` / `wait` in the block
    become the runtime's."""
    if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "submit"
            and isinstance(call.func.value, cst.Name)):
        return None
    name = call.func.value.value
    block = planner.parent(call)
    while block is not None and not (isinstance(block, cst.With) and any(
            i.asname is not None and isinstance(i.asname.name, cst.Name) and i.asname.name.value == name
            for i in block.items)):
        if isinstance(block, (cst.FunctionDef, cst.Module)):
            return Refusal(f"`{name}.submit()`: the pool is not made in a `with` block of this function")
        block = planner.parent(block)
    if block is None or len(block.items) != 1 or block.asynchronous is not None:
        return Refusal(f"`{name}.submit()`: the pool is not made in a `with` block of this function")
    maker = block.items[0].item
    if not (isinstance(maker, cst.Call) and dotted(maker.func).rpartition(".")[2] in _EXECUTORS):
        return Refusal(f"`{name}` is not a ThreadPoolExecutor or ProcessPoolExecutor made in the `with` block")
    for node in _walk_same_scope(block.body):
        if isinstance(node, cst.Name) and node.value == name:
            use = planner.parent(node)
            if not (isinstance(use, cst.Attribute) and use.value is node and use.attr.value in ("submit", "map")
                    and isinstance(planner.parent(use), cst.Call)):
                return Refusal(f"`{name}` is used in the block for more than submit() and map()")
    waits = tuple(n for n in _walk_same_scope(block.body)
                  if isinstance(n, cst.Call) and dotted(n.func).rpartition(".")[2] in _WAITS
                  and dotted(n.func) in ("as_completed", "wait", "concurrent.futures.as_completed",
                                         "concurrent.futures.wait", "futures.as_completed", "futures.wait"))
    function = next((a.value for a in call.args if a.keyword is None and not a.star), None)
    if function is None:
        return Refusal(f"`{name}.submit()` without a function")
    return ReplayRewrite(block, call, "pool", (), False, code_of(function), False, mapper=f"{name}.submit",
                         mapped=(maker, waits))


def _mapper(planner, call: cst.Call) -> ReplayRewrite | Refusal | None:
    """`pool.map(fn, items)` (a thread/process pool's map), as reported."""
    submitted = _submitted(planner, call)
    if submitted is not None:
        return submitted
    if not (isinstance(call.func, cst.Attribute) and call.func.attr.value in _MAPPERS):
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if len(positional) != 2 or len(call.args) != 2:
        return Refusal(f"`{code_of(call.func)}()` takes other arguments than (function, items)")
    pool = _pool_block(planner, call)
    return ReplayRewrite(pool or call, call, "map", (), False, code_of(positional[0].value), False,
                         mapper=code_of(call.func), mapped=(positional[0].value, positional[1].value))


def _pool_block(planner, call: cst.Call) -> cst.With | None:
    """`with ThreadPoolExecutor() as pool:` whose body uses `pool` only for
    this map: the rewrite drops the block (an idle pool would be left)."""
    receiver = call.func.value
    if not isinstance(receiver, cst.Name):
        return None
    node = planner.parent(call)
    while node is not None and not isinstance(node, (cst.With, cst.FunctionDef, cst.Module)):
        node = planner.parent(node)
    if not isinstance(node, cst.With) or len(node.items) != 1 or node.asynchronous is not None:
        return None
    item = node.items[0]
    if item.asname is None or not isinstance(item.asname.name, cst.Name) or item.asname.name.value != receiver.value:
        return None
    uses = [n for n in _walk_same_scope(node.body) if isinstance(n, cst.Name) and n.value == receiver.value]
    return node if len(uses) == 1 and isinstance(node.body, cst.IndentedBlock) else None


_PER_ITEM = frozenset({"submit", "apply_async", "apply", "starmap", "starmap_async", "map_async", "imap",
                       "imap_unordered", "run_in_executor", "create_task", "ensure_future", "to_thread", "Thread",
                       "Process", "spawn", "delay", "partial"})


def _helper_mapper(planner, call: cst.Call, function: str, helper: str) -> ReplayRewrite | Refusal | None:
    """`map_with_progress(fn, rows, num_threads=8)`: a project helper the
    analysis saw map its function parameter over its items."""
    if not helper or code_of(call.func) != helper or helper.rpartition(".")[2] in _PER_ITEM:
        return None
    parent = planner.parent(call)
    while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Module)):
        if isinstance(parent, (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return Refusal(f"`{helper}()` runs inside a loop: batchlint rewrites the outermost fan-out only")
        parent = planner.parent(parent)
    positional = [a for a in call.args if a.keyword is None and not a.star]
    named = [a for a in positional if code_of(a.value) == function]
    others = [a for a in positional if a not in named]
    if len(named) != 1 or not others or any(a.star for a in call.args):
        return Refusal(f"cannot tell which argument of `{helper}()` holds the items")
    dropped = ", ".join(code_of(a) for a in call.args if a is not named[0] and a is not others[0])
    return ReplayRewrite(call, call, "map", (), False, function, False, mapper=helper,
                         mapped=(named[0].value, others[0].value), dropped=dropped or "-")


def _args_refusal(call: cst.Call) -> Refusal | None:
    for arg in call.args:
        for inner in scan(arg.value).calls:
            name = dotted(inner.func)
            if name.startswith(_VARYING):
                return Refusal(f"`{code_of(inner)[:40]}` in the arguments: a request built from the clock or random "
                               "numbers differs when the item is replayed")
        effect = side_effect_call(_without_held(scan(arg.value)))
        if effect:
            return Refusal(f"`{effect}` in the arguments: replaying the item would run it again")
    return None


# ------------------------------------------------------------------ helpers
def _walk_same_scope(node: cst.CSTNode):
    """Every node under `node`, not descending into nested functions, classes or lambdas."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for child in current.children:
            if not isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                stack.append(child)


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


def _spread(call: cst.Call, target: cst.BaseExpression) -> bool:
    """`f(a, b) for a, b in pairs`: the call takes the unpacked names, in order."""
    if not isinstance(target, cst.Tuple):
        return False
    names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
    args = [a.value.value for a in call.args if a.keyword is None and not a.star and isinstance(a.value, cst.Name)]
    return len(names) == len(target.elements) and args == names and len(call.args) == len(names)

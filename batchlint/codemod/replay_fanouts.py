"""Record/replay of fan-outs that are expressions: a comprehension, an
`asyncio.gather` over one, a pool's `map`, a project helper that maps its
function over items, and a thread pool's `submit` (replay.py plans loops)."""

from __future__ import annotations

import libcst as cst

from .replay_shapes import _VARYING, ReplayRewrite, _walk_same_scope, _without_held
from .shapes import Refusal
from .syntax import callee_name, code_of, dotted, scan, side_effect_call

_CONSUMERS = frozenset({"list", "tuple", "sorted", "sum", "max", "min", "join", "set", "frozenset"})
_MAPPERS = frozenset({"map"})  # pool.map / executor.map with (function, items)


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


def _spread(call: cst.Call, target: cst.BaseExpression) -> bool:
    """`f(a, b) for a, b in pairs`: the call takes the unpacked names, in order."""
    if not isinstance(target, cst.Tuple):
        return False
    names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
    args = [a.value.value for a in call.args if a.keyword is None and not a.star and isinstance(a.value, cst.Name)]
    return len(names) == len(target.elements) and args == names and len(call.args) == len(names)

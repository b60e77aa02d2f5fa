"""Fix safety, as ruff has it: a *safe* fix changes nothing a caller can
observe except that results come from a batch, in a context nobody times; an
*unsafe* fix could change what a caller sees (how long a job blocks, when its
results arrive, what is held in memory) and is applied only with
`--unsafe-fixes`. docs/fix.md lists each reason.
"""

from __future__ import annotations

import libcst as cst

from ..model import Finding
from .plan import ComprehensionRewrite, LoopRewrite
from .replay import ReplayRewrite
from .cstwalk import walk
from .syntax import callee_name, code_of, dotted, scan

SAFE, UNSAFE = "safe", "unsafe"

# Calls whose result is read lazily, a row or a line at a time: the rewrite
# reads them to the end and holds every request in memory.
_STREAMING = frozenset({"iterator", "reader", "DictReader", "open", "iterrows", "itertuples", "iter_rows",
                        "scan_iter", "imap", "imap_unordered", "stream", "iter_lines", "readlines", "islice"})

# Values that differ from one moment to the next: read before the call, they
# are now taken when the request is queued, not when it was sent.
_CLOCK = frozenset({"time.time", "time.monotonic", "time.perf_counter", "time.time_ns", "datetime.now",
                    "datetime.datetime.now", "datetime.utcnow", "datetime.datetime.utcnow", "date.today",
                    "datetime.date.today", "random.random", "random.choice", "random.randint", "random.sample",
                    "random.shuffle", "random.uniform", "uuid.uuid4", "uuid4"})

_BY_CODE = {
    "BL103": "a scheduled job: the rewrite submits the batch and returns; the results are used by a later run of "
             "the job (the non-blocking form), so what the job does with them happens a run or more later",
    "BL104": "a background worker: the task now blocks until the whole batch ends (minutes, up to 24 hours), "
             "which can pass the task's time limit",
    "BL101": "no entry point was seen for this loop: a caller may be waiting on it, and the batch takes minutes, "
             "up to 24 hours",
    "BL102": "no entry point was seen for this fan-out: a caller may be waiting on it, and the batch takes minutes, "
             "up to 24 hours",
}


def tier_of(finding: Finding, rewrite: LoopRewrite | ComprehensionRewrite | ReplayRewrite, planner=None) -> tuple[str, str]:
    """("safe", "") or ("unsafe", why)."""
    if isinstance(rewrite, ReplayRewrite):
        return _replay_tier(finding, rewrite)
    why = _BY_CODE.get(finding.code)
    if why:
        return UNSAFE, why
    if isinstance(rewrite, LoopRewrite):
        why = _clock_before_call(rewrite) or (_handler_reads_the_loop(rewrite, planner) if planner else "")
        if why:
            return UNSAFE, why
    helper = getattr(rewrite, "helper", None)
    if helper is not None and helper.dropped:
        return UNSAFE, (f"`{helper.dropped}` around the call in `{helper.name}()` is left out of the batch path: "
                        "it limited concurrent calls, but it may also guard other work")
    iterable = rewrite.loop.iter if isinstance(rewrite, LoopRewrite) else _first_iter(rewrite.comp)
    if isinstance(rewrite, LoopRewrite) and rewrite.loop.asynchronous is not None:
        return UNSAFE, "an `async for` over a stream: the rewrite reads it to the end and holds every request in memory"
    streaming = _streaming_call(iterable)
    if streaming:
        return UNSAFE, (f"the items come from `{streaming}(...)`, read lazily: the rewrite reads them to the end "
                        "and holds every request in memory")
    return SAFE, ""


def _first_iter(comp: cst.BaseExpression) -> cst.BaseExpression | None:
    for_in = getattr(comp, "for_in", None)
    return for_in.iter if for_in is not None else None


def _streaming_call(node: cst.CSTNode | None) -> str:
    found: list[str] = []

    def visit(current: cst.CSTNode) -> bool:
        if isinstance(current, cst.Call) and callee_name(current) in _STREAMING:
            found.append(callee_name(current))
        return not found

    if node is not None:
        walk(node, visit)
    return found[0] if found else ""


def _clock_before_call(rewrite: LoopRewrite) -> str:
    before = list(rewrite.loop.body.body)[: rewrite.index]
    for call in scan(*before).calls if before else ():
        if dotted(call.func) in _CLOCK:
            return (f"`{code_of(call)[:40]}` runs before the call: it is now read when the request is queued, "
                    "not when it is sent")
    return ""


def _handler_reads_the_loop(rewrite: LoopRewrite, planner) -> str:
    """An `except` around the loop that reads its names (a resume hint such as
    "last processed index {i}") would see the last item queued instead."""
    loop = rewrite.loop
    before = list(loop.body.body)[: rewrite.index]
    bound = scan(loop.target).reads | (scan(*before).writes if before else set())
    parent = planner.parent(loop)
    while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Module)):
        if isinstance(parent, cst.Try):
            for handler in parent.handlers:
                read = sorted(scan(handler.body).reads & bound)
                if read:
                    return (f"an `except` around the loop reads `{read[0]}`: if the batch fails, it sees the last "
                            "item queued, not the last one processed")
        parent = planner.parent(parent)
    return ""


def _replay_tier(finding: Finding, rewrite: ReplayRewrite) -> tuple[str, str]:
    """Every reason that applies, joined: the context's, then record/replay's own."""
    reasons = []
    if finding.code == "BL103":
        reasons.append("a scheduled job: each run now blocks until its batches end (minutes, up to 24 hours "
                       "per round of dependent calls)")
    elif finding.code in _BY_CODE:
        reasons.append(_BY_CODE[finding.code])
    if rewrite.dropped:
        extra = f" and its other arguments ({rewrite.dropped})" if rewrite.dropped != "-" else ""
        reasons.append(f"`{rewrite.mapper}()` is replaced by fan_out: what else it does (threads, a progress "
                       f"bar){extra} is left out")
    if rewrite.through:
        reasons.append(f"record/replay runs `{rewrite.through}()` again, up to its Claude call, once per round: "
                       "batchlint checked the loop, not what that function does before the call (a write or a "
                       "send there would repeat; a request or a decision that changes stops the run with "
                       "ReplayError)")
    elif rewrite.prior:
        reasons.append(f"record/replay runs the loop body again, up to its Claude call, once per round: "
                       f"`{rewrite.prior}()` before the call must do and return the same each time (a request or "
                       "a decision that changes stops the run with ReplayError)")
    if rewrite.conditional and rewrite.kind == "for":
        reasons.append("items that skip the call finish a round before the others: what the loop body does "
                       "after the call (appends, writes) may come in another order")
    return (UNSAFE, "; ".join(reasons)) if reasons else (SAFE, "")

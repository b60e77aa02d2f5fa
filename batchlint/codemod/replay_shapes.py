"""What the record/replay planners share: the rewrite they return, the calls
that do not count as effects, and a walk that stays in one scope."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .syntax import callee_name

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
    stops: frozenset[int] = frozenset()  # kind "for": loops whose `break` (before the call) ends the fan-out
    top_level: bool = False  # kind "for": the loop is a statement of the module (two blank lines around a def)
    prior: str = ""  # kind "for": a function the body calls before the Claude call (run again each round)

    @property
    def call_expr(self) -> cst.BaseExpression:
        return self.call


def _walk_same_scope(node: cst.CSTNode):
    """Every node under `node`, not descending into nested functions, classes or lambdas."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for child in current.children:
            if not isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                stack.append(child)


def _without_held(usage):
    """The usage without print and logging calls (the runtime holds their output)."""
    kept = [c for c in usage.calls if callee_name(c) not in _HELD]
    return type(usage)(usage.reads, usage.writes, kept, usage.yields, usage.returns, usage.awaits,
                       usage.breaks, usage.continues)

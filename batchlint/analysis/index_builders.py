"""Mutable builders the indexer fills while it walks, frozen into facts.py values."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .facts import RequestFacts, Site, Span, Struct


@dataclass
class _SiteBuilder:
    node: ast.Call | None
    scope: str
    callee: str
    span: Span
    structs: list  # list of _StructBuilder, innermost first
    text: str
    ref_via: str = ""
    ref_arg: str = ""
    kwargs: tuple = ()
    args: tuple = ()
    flags: set = field(default_factory=set)
    stmt_path: tuple = ()
    callee_alts: tuple = ()
    request: RequestFacts | None = None
    arg_values: tuple = ()

    def dropped(self) -> bool:
        """A call of a builtin (`len(x)`, `print(...)`) can never reach Claude or
        register a job: facts() leaves it out once its constructs and flags
        have been used."""
        return self.node is not None and self.callee.startswith("builtins.")

    def freeze(self) -> Site:
        return Site(
            scope=self.scope,
            callee=self.callee,
            span=self.span,
            structs=tuple(s.freeze_for(self) for s in self.structs),
            text=self.text,
            ref_via=self.ref_via,
            ref_arg=self.ref_arg,
            kwargs=self.kwargs,
            args=self.args,
            flags=frozenset(self.flags),
            callee_alts=self.callee_alts,
            request=self.request,
            arg_values=self.arg_values,
        )


@dataclass
class _StructBuilder:
    kind: str
    label: str
    span: Span
    via: str = ""
    count: int = 0
    count_ref: str = ""  # range(BATCH_SIZE), rows[:LIMIT]: the bound's symbolic value
    flags: set = field(default_factory=set)  # flags for every site inside
    per_site: dict = field(default_factory=dict)  # id(site builder) -> extra flags
    sites: list = field(default_factory=list)

    def freeze_for(self, site: _SiteBuilder) -> Struct:
        flags = self.flags | self.per_site.get(id(site), set())
        return Struct(self.kind, self.label, self.span, self.via, frozenset(flags), self.count, self.count_ref)


@dataclass
class _Scope:
    kind: str  # "module" | "class" | "function"
    qual: str
    locals: dict = field(default_factory=dict)
    class_qual: str = ""
    structs: list = field(default_factory=list)  # open constructs, innermost last
    returns: list = field(default_factory=list)
    is_generator: bool = False
    attrs: dict = field(default_factory=dict)  # class scope: attribute bindings
    alts: dict = field(default_factory=dict)  # function scope: name -> every known value
    params: dict = field(default_factory=dict)  # function scope: name -> position (-1: keyword-only)
    mapped: dict = field(default_factory=dict)  # param name -> "fanout" | "loop"
    loop_calls: dict = field(default_factory=dict)  # param name -> the calls of it in a loop (a retry is no mapping)
    # nested function name -> the parameters of this function it calls (a closure
    # `def wrap(x): return f(x)` that this function then submits or loops over)
    closure_calls: dict = field(default_factory=dict)
    choices: dict = field(default_factory=dict)  # name -> the string literals it can hold (getattr names)
    partials: dict = field(default_factory=dict)  # name -> the functools.partial(...) call it was given
    displays: set = field(default_factory=set)  # names given a display of one of each of several kinds
    extends: set = field(default_factory=set)  # methods it calls through super()
    assigns: list = field(default_factory=list)  # function scope: its assignment statements, in order (learning.py)
    self_writes: set = field(default_factory=set)  # method scope: attributes of `self` it changes (learning.py)
    empty_dicts: set = field(default_factory=set)  # function scope: names given `{}` (index_assign.py, cached entries)

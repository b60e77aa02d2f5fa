"""Code that already batches: never a candidate (docs/contexts.md#code-that-already-batches).

Three shapes:
- the batch runtime `batchlint fix` writes into a project (`_claude_batch.py`,
  or any module carrying its `# Written by batchlint fix` header): its
  pass-through `messages.create` for mocks is not a synchronous call to move;
- batchling's `with batchify(...)` / `async with batchify(...)` blocks, which
  intercept every Messages request made inside them (index.py marks the block
  as a "batchify" construct; a chain through it stops there), and async calls
  built as coroutines beside such a block and awaited in it;
- a fan-out whose own code reaches a user-written `messages.batches.create`
  (or reads `messages.batches.results`): its synchronous call is a fallback or
  a retry of a batch's failed items (`BatchedPaths` below).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .clients import normalise_path
from .facts import FileFacts, Site

if TYPE_CHECKING:  # index.py imports this module in parse workers: keep it light
    from .project import Project

RUNTIME_MODULE = "_claude_batch"
_RUNTIME_HEADER = re.compile(r"^# Written by batchlint fix", re.MULTILINE)

# Batch API calls that show the code around them is batch-aware: it submits
# the requests itself, or consumes a batch's results. retrieve / list / cancel
# alone (status pages, admin scripts) do not.
BATCH_METHODS = frozenset({
    "messages.batches.create",
    "beta.messages.batches.create",
    "messages.batches.results",
    "beta.messages.batches.results",
})
_BATCH_SUFFIXES = tuple(f".{m}(...)" for m in BATCH_METHODS)

# How many project calls away from a fan-out's own code a batch call may be:
# 0 in the function itself, 1 in a helper it calls, 2 in that helper's helper.
_REACH_DEPTH = 2


def is_batchify(symbolic: str) -> bool:
    """`batchling.batchify(...)`, spelled as index.py resolves it."""
    return symbolic.startswith("batchling.") and symbolic.endswith(".batchify()")


def from_runtime_module(symbolic: str) -> bool:
    """A value taken from the runtime by its default name (`_claude_batch.replay(...)`):
    a `with` block of the runtime batches what runs inside, as batchify() does."""
    return f".{RUNTIME_MODULE}." in f".{symbolic.partition('()')[0]}"


def is_runtime_source(module: str, source: str) -> bool:
    """The runtime `batchlint fix` writes, by its module name or its header."""
    return module.rpartition(".")[2] == RUNTIME_MODULE or (
        "Written by batchlint fix" in source and _RUNTIME_HEADER.search(source) is not None
    )


class BatchedPaths:
    """Scopes (functions, module code) that reach a user-written batch call
    within _REACH_DEPTH project calls. The runtime's own batch calls do not
    count: a function that uses the runtime for one loop keeps its other,
    refused loops reported."""

    def __init__(self, project: Project) -> None:
        self.batch_calls: set[str] = set()  # scopes making a batch call
        self.batchify_scopes: set[str] = set()  # scopes that enter a batchify() block
        for facts in project.files:
            if facts.batch_runtime:
                continue
            anthropic_imported = "anthropic" in facts.imported_modules
            for site in facts.sites:
                if site.ref_via:
                    continue
                if site.callee.endswith("batchify") and is_batchify(site.callee + "()"):
                    self.batchify_scopes.add(site.scope)
                elif ("batches" in site.callee or "batches" in site.text) and \
                        _is_batch_call(project, site, facts, anthropic_imported):
                    self.batch_calls.add(site.scope)
        self.reaching: set[str] = set(self.batch_calls)
        frontier = list(self.batch_calls)
        for _ in range(_REACH_DEPTH):
            found = []
            for scope in frontier:
                for edge in (*project.callers.get(scope, ()), *project.references.get(scope, ())):
                    caller = edge.site.scope
                    if caller not in self.reaching:
                        self.reaching.add(caller)
                        found.append(caller)
            frontier = found

    def deferred(self, site: Site, client: str, scopes) -> bool:
        """An async client's call not awaited where it is made builds a coroutine
        that sends its request when awaited: batchling's own examples build the
        coroutines first and gather them inside the block. Taken as batched when
        a function on the chain enters a batchify() block."""
        return client.startswith("Async") and "awaited" not in site.flags and \
            any(scope in self.batchify_scopes for scope in scopes)

    def reaches_batch(self, scopes) -> bool:
        """Does code in one of these scopes reach a batch call?"""
        return any(scope in self.reaching for scope in scopes)


def _is_batch_call(project: Project, site: Site, facts: FileFacts, anthropic_imported: bool) -> bool:
    value = project.value(site.callee)
    if value is not None:
        return value.kind == "sdk" and normalise_path(value.path)[0] in BATCH_METHODS
    # a receiver batchlint cannot type (`self.client`, a parameter), in a file importing the SDK
    return anthropic_imported and site.text.endswith(_BATCH_SUFFIXES)

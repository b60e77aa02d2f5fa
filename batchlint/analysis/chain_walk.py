"""Walking outward from an SDK call through its callers: the chains that
chains.py judges. A chain ends at a function with a context of its own (a
handler, a job, a task, a script), at a function no analyzed code calls, or
after _MAX_DEPTH steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from .context_rules import ALREADY_BATCHED, INTERACTIVE, Context, FrameFacts
from .contexts import Classifier
from .facts import PARAM_PREFIX, Site
from .project import Edge, Project

_MAX_DEPTH = 12
_MAX_CHAINS = 200


@dataclass(frozen=True)
class Frame:
    site: Site
    path: str
    facts: FrameFacts
    function: str  # qual of the function the site is in, "" at module level


@dataclass(frozen=True)
class Chain:
    frames: tuple[Frame, ...]  # innermost (the SDK call) first
    terminal: Context | None  # None: no analyzed caller and no context of its own


class ChainWalker:
    def __init__(self, project: Project, classifier: Classifier) -> None:
        self.project = project
        self.classifier = classifier
        self._frame_cache: dict[int, FrameFacts] = {}

    def _frame(self, site: Site, path: str) -> Frame:
        key = id(site)
        facts = self._frame_cache.get(key)
        if facts is None:
            facts = self.classifier.frame_facts(site, path)
            self._frame_cache[key] = facts
        scope = site.scope
        function = scope if scope in self.project.functions else ""
        return Frame(site, path, facts, function)

    def _only_tests_call(self, frame: Frame, callers) -> bool:
        is_test = self.project.is_test
        return not is_test(frame.path) and all(is_test(e.path) for e in callers)

    def chains(self, site: Site, path: str) -> list[Chain]:
        out: list[Chain] = []
        self._later: list[tuple[Edge, tuple[Frame, ...], frozenset]] = []  # test callers, walked last
        self._walk(self._frame(site, path), (), frozenset(), out)
        while self._later and len(out) < _MAX_CHAINS:
            edge, frames, visiting = self._later.pop(0)
            self._walk(self._frame(edge.site, edge.path), frames, visiting, out)
        return out

    def _walk(self, frame: Frame, below: tuple[Frame, ...], visiting: frozenset, out: list[Chain]) -> None:
        if len(out) >= _MAX_CHAINS:
            return
        frames = below + (frame,)
        facts = frame.facts
        if facts.batched:  # batchling sends what runs in the block as a batch already
            out.append(Chain(frames, Context(ALREADY_BATCHED, facts.batched, facts.repetition_where)))
            return
        if facts.interactive:
            out.append(Chain(frames, Context(INTERACTIVE, facts.interactive, facts.repetition_where)))
            return
        if facts.not_batchable:
            out.append(Chain(frames, Context("not-batchable", facts.not_batchable, facts.repetition_where)))
            return
        if not frame.function:
            module = self.project.modules.get(frame.site.scope)
            if module is None:
                out.append(Chain(frames, None))
                return
            context = self.classifier.module_context(module, facts.main_guard, frame.site.span.line)
            out.append(Chain(frames, context))
            return
        own = self.classifier.own_context(frame.function)
        edges = list(self.project.callers.get(frame.function, ()))
        if own is not None:
            out.append(Chain(frames, own))
            # a task's body called directly, `ask.function(x)` in another task's
            # loop, runs there too: that loop is a fan-out of its own (a caller
            # without a loop is the same one call per run, reported already)
            above: list[Chain] = []
            for edge in edges:
                if edge.site.scope not in visiting and edge.site.scope != frame.function:
                    self._walk(self._frame(edge.site, edge.path), frames, visiting | {frame.function}, above)
            out += [c for c in above if any(f.facts.repetition is not None for f in c.frames[len(frames):])]
            return
        references = self.project.references.get(frame.function, ())
        # helpers that call this function through their own parameter
        # (`def run_all(f, xs): return [f(x) for x in xs]`, every caller passing it)
        applied_in = {e.site.scope for e in edges if e.site.callee.startswith(PARAM_PREFIX)} if references else ()
        for edge in references:
            if self.classifier.binds_only(edge.site):
                continue  # partial(f, ...) binds f; where the partial is called is followed instead
            if edge.via is not None and edge.via.kind == "func" and any(
                    scope == edge.via.name or scope.startswith(edge.via.name + ".") for scope in applied_in):
                continue  # `run_all(ask, rows)`: the call inside run_all (or a closure of it) is followed instead, not twice
            role, _ = self.classifier.via_role(edge.site.ref_via, edge.site.text)
            if role or self.classifier.registration(edge) is None:
                edges.append(edge)  # mapped / submitted / passed to a wrapper: runs there
        callers = [e for e in edges if e.site.scope not in visiting and e.site.scope != frame.function]
        if not callers or len(frames) >= _MAX_DEPTH:
            out.append(Chain(frames, None))
            return
        if self._only_tests_call(frame, callers):
            # a library function whose one visible caller is its test: as if
            # uncalled (the chains through the test are dropped by default)
            out.append(Chain(frames, None))
        if not self.project.test_callers and not self.project.is_test(frame.path):
            # production callers first: chains through tests are dropped by default
            # (only a loop in the test itself is listed, as suppressed), and a suite
            # of them must not use up _MAX_CHAINS before the CLI's chains are walked
            tests = [e for e in callers if self.project.is_test(e.path)]
            self._later += [(e, frames, visiting | {frame.function}) for e in tests]
            callers = [e for e in callers if not self.project.is_test(e.path)]
        for edge in callers:
            self._walk(self._frame(edge.site, edge.path), frames, visiting | {frame.function}, out)

"""Walking outward from an SDK call through its callers: the chains that
chains.py judges. A chain ends at a function with a context of its own (a
handler, a job, a task, a script), at a function no analyzed code calls, or
after _MAX_DEPTH steps.
"""

from __future__ import annotations

import itertools

from dataclasses import dataclass

from .context_rules import ALREADY_BATCHED, INTERACTIVE, Context, FrameFacts
from .contexts import Classifier
from .facts import PARAM_PREFIX, Site, parse_param_token
from .project import Edge, Project
from .script_runs import script_runners
from .values import may_be_claude

_MAX_DEPTH = 12
_MAX_CHAINS = 400
# Frame facts kept for sites walked again (a caller several SDK calls reach). Every call is
# judged in turn and its verdicts let go (groups.py), so the cache was what grew with the
# project (0.3 KiB a file); past this many sites it starts over, computing again what is walked again.
_CACHED_FRAMES = 8192


@dataclass(frozen=True, slots=True)
class Frame:
    site: Site
    path: str
    facts: FrameFacts
    function: str  # qual of the function the site is in, "" at module level


@dataclass(frozen=True, slots=True)
class Chain:
    frames: tuple[Frame, ...]  # innermost (the SDK call) first
    terminal: Context | None  # None: no analyzed caller and no context of its own


class ChainWalker:
    def __init__(self, project: Project, classifier: Classifier) -> None:
        self.project = project
        self.classifier = classifier
        self._frame_cache: dict[int, FrameFacts] = {}
        self._runners: dict | None = None  # script_runs.py, found when a chain first reaches a script's main block
        # equal frame facts as one object: most sites are in no loop and say the same
        # ("nothing"), and a call's verdicts hold their frames' until its findings are made
        self._equal: dict[FrameFacts, FrameFacts] = {}

    def _frame(self, site: Site, path: str, cache: bool = True) -> Frame:
        key = id(site)
        facts = self._frame_cache.get(key)
        if facts is None:
            facts = self.classifier.frame_facts(site, path)
            if len(self._frame_cache) >= _CACHED_FRAMES or len(self._equal) >= _CACHED_FRAMES:
                self._frame_cache.clear()  # both: every cached facts is one of the equal ones
                self._equal.clear()
            facts = self._equal.setdefault(facts, facts)
            if cache:
                self._frame_cache[key] = facts
        scope = site.scope
        function = scope if scope in self.project.functions else ""
        return Frame(site, path, facts, function)

    def _script_runners(self) -> dict:
        """Module -> the calls that run it as a script, found once per project."""
        if self._runners is None:
            self._runners = script_runners(self.project)
        return self._runners

    def _only_tests_call(self, frame: Frame, callers) -> bool:
        is_test = self.project.is_test
        return not is_test(frame.path) and all(is_test(e.path) for e in callers)

    def chains(self, site: Site, path: str) -> list[Chain]:
        out: list[Chain] = []
        self._later: list[tuple[Edge, tuple[Frame, ...], frozenset, Need]] = []  # test callers, walked last
        # the SDK call's own frame is not kept: no chain of another call passes through it
        self._walk(self._frame(site, path, cache=False), (), frozenset(), out, _receiver_param(site))
        while self._later and len(out) < _MAX_CHAINS:
            edge, frames, visiting, need = self._later.pop(0)
            self._walk(self._frame(edge.site, edge.path), frames, visiting, out, need)
        return [_without_outer_items(chain) for chain in out]

    def _handed(self, edge: Edge, need: Need) -> Need | bool:
        """A Claude call on a parameter's client (`client.messages.create` in
        `ask(msg, client)`, the parameter typed by what callers pass: some pass
        Anthropic(), some OpenAI()): False for a caller that passes another
        SDK's client (no path to Claude through it), the caller's own
        parameter when it hands that down, else True (unknown, or Claude)."""
        if need is None or (edge.site.ref_via and not edge.site.arg_values) or edge.target != need[0]:
            return True  # a function mapped over items (`pool.map(f, xs)`): its arguments are unknown
        symbolic = self.project.argument_for(edge, *need)
        if symbolic is None:
            return True
        if "." not in symbolic and "(" not in symbolic and symbolic.startswith(PARAM_PREFIX):
            up = parse_param_token(symbolic)
            return up if up is not None and up[0] == edge.site.scope else True
        value = self.project.value(symbolic)
        return not (value is not None and value.kind == "ext" and not may_be_claude(value))

    def _walk(self, frame: Frame, below: tuple[Frame, ...], visiting: frozenset, out: list[Chain],
              need: Need = None) -> None:
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
        if not frame.function:
            module = self.project.modules.get(frame.site.scope)
            if module is None:
                out.append(Chain(frames, None))
                return
            context = self.classifier.module_context(module, facts.main_guard, frame.site.span.line)
            out.append(Chain(frames, context))
            if module.module not in visiting:
                # a script another program runs as a child process, once per item (script_runs.py);
                # its module-level code runs then, in a `__main__` block or not
                above: list[Chain] = []
                for edge in self._script_runners().get(module.module, ()):
                    self._walk(self._frame(edge.site, edge.path), frames, visiting | {module.module}, above)
                out += _repeated_above(above, len(frames))
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
                handed = self._handed(edge, need)
                if handed is not False and edge.site.scope not in visiting and edge.site.scope != frame.function:
                    self._walk(self._frame(edge.site, edge.path), frames, visiting | {frame.function}, above,
                               _need(handed))
            out += _repeated_above(above, len(frames))
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
        handed = {id(e): self._handed(e, need) for e in callers} if need is not None else {}
        if callers and handed and not any(h is not False for h in handed.values()):
            return  # every caller hands down another SDK's client: no path to Claude here
        callers = [e for e in callers if handed.get(id(e)) is not False]
        if not callers or len(frames) >= _MAX_DEPTH:
            if not callers and self.project.functions[frame.function][0].shadowed:
                return  # replaced by a later def of its name before anything could call it
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
            production = []
            for e in callers:
                if self.project.is_test(e.path):
                    self._later.append((e, frames, visiting | {frame.function}, _need(handed.get(id(e)))))
                else:
                    production.append(e)
            callers = production
        for edge in callers:
            self._walk(self._frame(edge.site, edge.path), frames, visiting | {frame.function}, out,
                       _need(handed.get(id(edge))))


# A parameter whose client the Claude call below uses: (function, position, name).
Need = tuple[str, int, str] | None


def _need(handed: Need | bool | None) -> Need:
    return handed if isinstance(handed, tuple) else None


def _receiver_param(site: Site) -> Need:
    """`client.messages.create(...)` where `client` is a parameter of the
    function holding the call."""
    head = site.callee.partition(".")[0]
    param = parse_param_token(head) if head.startswith(PARAM_PREFIX) else None
    return param if param is not None and param[0] == site.scope else None


def _without_outer_items(chain: Chain) -> Chain:
    """A chain through a loop whose requests read the previous answers (turns
    of one conversation, an agent's steps) is a candidate only through a
    repetition above that loop, over independent items (questions, each a
    chain of dependent turns: one batch per round). Without one it is not
    batchable: the turns themselves cannot wait for each other's batch."""
    terminal = chain.terminal
    if terminal is not None and terminal.kind in (INTERACTIVE, ALREADY_BATCHED):
        return chain
    # every dependent loop needs its own repetition above it: a retry loop's
    # chunks repeated by a loop that a crawl's dependent loop runs in turn is
    # still the crawl's dependence
    for index, frame in enumerate(chain.frames):
        if frame.facts.not_batchable and not any(
                f.facts.repetition is not None for f in _frames_that_rebuild(frame, chain.frames[index + 1:])):
            return Chain(chain.frames, Context("not-batchable", frame.facts.not_batchable, frame.facts.repetition_where))
    return chain


def _repeated_above(chains: list[Chain], below: int) -> list[Chain]:
    """The chains walked above a frame with a context of its own (a task, a
    script) that repeat it: a loop or fan-out in a frame past the first `below`."""
    return [c for c in chains if any(f.facts.repetition is not None for f in c.frames[below:])]


def _frames_that_rebuild(frame: Frame, above: tuple[Frame, ...]) -> tuple[Frame, ...]:
    """The frames above a not-batchable one whose loops may give each item a
    new object: all of them, unless the object learns from its answers
    (learning.py) and lasts as long as the module, or as the object holding
    it, reached from above through its own methods (`self.step(...)`)."""
    if frame.facts.lasting == "module":
        return ()
    if frame.facts.lasting == "self":
        return tuple(itertools.dropwhile(lambda f: f.site.text.startswith("self."), above))
    return above

"""Who waits on a call? Tables of framework spellings, and the questions
"what is this function's own context" and "what surrounds this call site".

Names are matched as canonical dotted names produced by Project.canonical()
(`celery.Celery.task`, `flask.Flask.route`), with fnmatch wildcards. When a
decorator's receiver cannot be resolved (an `app` built by a factory in
another package), a narrow text fallback applies, gated on what the file imports.
"""

from __future__ import annotations

import re

from ..model import ContextKind
from .context_rules import (
    _PRIORITY, _STARTER_SERVING, AFTER_RESPONSE, CLASS_JOB_METHODS, DECORATOR_RULES, FANOUT_WRAPPERS, INTERACTIVE,
    INTERACTIVE_BASES, INTERACTIVE_MODULES, MAP_FANOUT, MAP_LOOP, MAP_METHODS, OFFLINE,
    SCHEDULED, SEND_BACK_METHODS, UI_BASES, WORKER, Context, FrameFacts, _where, registrations_of,
)
from .facts import Decorator, FileFacts, FunctionFacts, Site
from .surfaces import sends_concurrently
from .patterns import matches, matches_any
from .external_contexts import ExternalSchedules
from .index_calls import FUNCTION_MAPS
from .input_readers import chat_loops
from .learning import FED_LOOP, learns_from_its_answers
from .object_state import changes_its_object
from .project import Edge, Project


class Classifier(ExternalSchedules):
    """Answers context questions over one Project (memoized)."""

    def __init__(self, project: Project, extra_batch: tuple[str, ...] = (), extra_interactive: tuple[str, ...] = (),
                 external: tuple = (), console_scripts: dict | None = None):
        self.project = project
        self.extra_batch = extra_batch
        self.extra_interactive = extra_interactive
        self._own: dict[str, Context | None] = {}
        self._found_chat_loops: set | None = None
        self._any_converses = any(fn.converses for fn, _facts in project.functions.values())
        self._registrations = self._collect_registrations()
        self._scheduled_modules: dict[str, Context] = {}
        self._add_external(external, console_scripts or {})

    # ----------------------------------------------------------- via roles
    def via_role(self, via_symbolic: str, call_text: str) -> tuple[str, str]:
        """Role of a call whose arguments hold a function or a call:
        ("map-fanout" | "map-loop" | "wrapper" | "", label)."""
        name = self.project.canonical(via_symbolic)
        method = call_text[:-5].rpartition(".")[2] if call_text.endswith("(...)") else ""
        if matches_any(name, MAP_FANOUT):
            return "map-fanout", f"`{call_text}`"
        if matches_any(name, MAP_LOOP):
            return "map-loop", f"`{call_text}`"
        if matches_any(name, FANOUT_WRAPPERS):
            return "wrapper", f"`{call_text}`"
        resolved = self.project.value(via_symbolic)
        if method in FUNCTION_MAPS and resolved is not None and resolved.kind == "ext" \
                and self.project.function(resolved.name.rpartition(".")[0]) is not None:
            return "map-fanout", f"`{call_text}`"  # `enrich.map(rows)` on a project function: Modal's fan-out
        if method in MAP_METHODS and (resolved is None or resolved.kind == "ext" and not resolved.name.startswith(("builtins.", "anthropic."))):
            return "map-loop", f"`{call_text}`"
        return "", ""

    def binds_only(self, site: Site) -> bool:
        """A reference passed to functools.partial: nothing runs at this site."""
        name = self.project.canonical(site.ref_via)
        return name == "functools.partial" or name.endswith(".partial") and name.startswith("functools")

    def _mapped_by_helper(self, site: Site) -> tuple[str, str]:
        """A function passed to a project helper that maps its parameter over items."""
        text = site.text[:-5] if site.text.endswith("(...)") else site.text
        return self._helper_maps(site.ref_via, site.ref_arg, text)

    def _maps_argument(self, struct) -> tuple[str, str]:
        """A lambda passed as `param=<position or keyword>` to such a helper."""
        argument = next((f[len("param="):] for f in struct.flags if f.startswith("param=")), None)
        return self._helper_maps(struct.via, argument, struct.label[len("argument of `"):-1]) if argument else ("", "")

    def _helper_maps(self, via: str, argument: str, text: str) -> tuple[str, str]:
        """("map-fanout" | "map-loop", label) when `via` is a project function
        that maps the parameter `argument` (a position or a keyword) over items
        (FunctionFacts.mapped_params); the batch runtime's fan_out is batched already."""
        value = self.project.value(via)
        helper = self.project.function(value.name) if value is not None and value.kind == "func" else None
        facts = self.project.file_of_function(value.name) if helper is not None else None
        if helper is None or facts is None or facts.batch_runtime:
            return "", ""
        for name, position, kind in helper.mapped_params:
            if argument == name or (position >= 0 and argument == str(position)):
                return "map-fanout" if kind == "fanout" else "map-loop", f"`{text}`, which maps `{name}` over items"
        return "", ""

    # ------------------------------------------------------- registrations
    def _collect_registrations(self) -> dict[str, list[Context]]:
        out: dict[str, list[Context]] = {}
        for target, edges in self.project.references.items():
            for edge in edges:
                context = self.registration(edge)
                if context is not None:
                    out.setdefault(target, []).append(context)
        # Prefect: my_flow.serve(cron="0 * * * *") / my_flow.deploy(..., interval=60)
        for facts in self.project.files:
            for site in facts.sites:
                if site.ref_via or not site.callee.endswith((".serve", ".deploy")):
                    continue
                owner = self.project.value(site.callee.rpartition(".")[0])
                schedule = ", ".join(f"{k}={v}" for k, v in site.kwargs if k in ("cron", "interval", "rrule"))
                if owner is not None and owner.kind == "func" and schedule:
                    out.setdefault(owner.name, []).append(Context(
                        SCHEDULED, f"Prefect deployment of `{owner.name.rpartition('.')[2]}`",
                        _where(facts.path, site.span.line), schedule, registered_in=site.scope))
        # Celery beat / CRONJOBS name their tasks as strings: a task's registered
        # name (`name=` on its decorator, else `module.func`), not its bare name.
        by_name: dict[str, list[str]] = {}
        registered: dict[str, list[str]] = {}
        for qual, (fn, facts) in self.project.functions.items():
            explicit = [text.strip("'\"") for dec in fn.decorators for key, text in dec.kwargs
                        if key == "name" and text[:1] in "'\""]
            for name in explicit:
                registered.setdefault(name, []).append(qual)
            by_name.setdefault(fn.name, []).append(qual)
        for facts in self.project.files:
            for ref in facts.schedule_refs:
                for qual in _scheduled_functions(ref.target, registered, by_name):
                    out.setdefault(qual, []).append(
                        Context(SCHEDULED, ref.label, _where(facts.path, ref.span.line), ref.schedule)
                    )
        return out

    def registration(self, edge: Edge) -> Context | None:
        via = edge.via
        if via is None:  # an untyped receiver (`sender.add_periodic_task`): its spelling
            text = edge.site.text
            name = text[:-5] if text.endswith("(...)") else text
        else:
            name = f"anthropic.{via.name}" if via.kind == "client" else via.name
        for pattern, arg, kind, label in registrations_of(name):
            if arg == "*" or edge.site.ref_arg == arg:
                if pattern in _JOINABLE and "join" in self._called_names(edge.site.scope):
                    # threads started and joined by the same function are its own work, run
                    # concurrently: whoever calls it waits (a handler's user, a script's loop)
                    return None
                schedule = ""
                if kind == SCHEDULED:  # the call's other arguments: add_job(fn, "cron", hour=3), add_periodic_task(3600.0, fn.s())
                    ref_index = int(edge.site.ref_arg) if edge.site.ref_arg.isdigit() else -1
                    others = [a for i, a in enumerate(edge.site.args) if i != ref_index]
                    schedule = ", ".join([*others, *(f"{k}={v}" for k, v in edge.site.kwargs if k != edge.site.ref_arg)])
                if pattern.startswith("schedule.every"):
                    schedule = edge.site.text
                subject = edge.target.rpartition(".")[2]
                return Context(kind, f"{label} `{subject}`", _where(edge.path, edge.site.span.line), schedule,
                               registered_in=edge.site.scope, serves_starter=pattern in _STARTER_SERVING,
                               after_response=pattern in AFTER_RESPONSE)
        for pattern in self.extra_batch:
            if matches(name, pattern):
                return Context(SCHEDULED, f"configured batch context `{pattern}`", _where(edge.path, edge.site.span.line))
        for pattern in self.extra_interactive:
            if matches(name, pattern):
                return Context(INTERACTIVE, f"configured interactive context `{pattern}`", _where(edge.path, edge.site.span.line))
        return None

    # --------------------------------------------------------- own context
    def own_context(self, qual: str) -> Context | None:
        if qual not in self._own:
            self._own[qual] = self._compute_own(qual)
        return self._own[qual]

    def _compute_own(self, qual: str) -> Context | None:
        entry = self.project.functions.get(qual)
        if entry is None:
            return None
        fn, facts = entry
        found: list[Context] = []
        for dec in fn.decorators:
            context = self._decorator_context(dec, fn, facts)
            if context is not None:
                found.append(context)
        for context in self._registrations.get(qual, []):
            # a thread a request handler starts serves that request when its result
            # goes back to the person (streamed over SSE, a websocket) or the handler
            # waits for it; started and left, it is fire-and-forget work
            if context.serves_starter and context.registered_in != qual:
                starter = self.own_context(context.registered_in)
                if starter is not None and starter.kind == INTERACTIVE and \
                        self._answers_starter(qual, context.registered_in, context.after_response):
                    context = Context(INTERACTIVE, f"{context.label}, started by {starter.label}", context.where)
            found.append(context)
        if fn.class_qual:
            found += self._class_context(fn, facts)
        if not found:
            return None
        # among equals, the one that knows its schedule; a scheduler declared to call a handler beats its decorator
        best = max(found, key=lambda c: (c.calls_handler, _PRIORITY[c.kind], bool(c.schedule)))
        if best.kind == SCHEDULED and not best.schedule:
            best = Context(best.kind, best.label, best.where, self._parent_schedule(fn))
        return best

    def _answers_starter(self, worker: str, starter: str, after_response: bool = False) -> bool:
        """The started function sends something back (`ws.send_text`, `queue.put`,
        `say(...)`, at most one call deep) or is a closure of the starter, or the
        starter joins it or streams. A background task the framework runs once
        the response is sent (`background_tasks.add_task(job)`) answers only by
        sending something back, a closure of the handler too."""
        if not after_response and self._starter_keeps_it(worker, starter):
            return True
        todo, seen = [worker], set()
        for _depth in range(2):
            following = []
            for qual in todo:
                if qual in seen:
                    continue
                seen.add(qual)
                names = self._called_names(qual)
                if not names.isdisjoint(SEND_BACK_METHODS):
                    return True
                following += self._callees(qual)
            todo = following
        return False

    def _starter_keeps_it(self, worker: str, starter: str) -> bool:
        """The starter streams, joins the worker, or defined it as a closure."""
        starter_fn = self.project.function(starter)
        if starter_fn is not None and starter_fn.is_generator:
            return True
        worker_fn = self.project.function(worker)
        if worker_fn is not None and worker_fn.parent == starter:
            # a closure over the request, defined in the handler: it carries the
            # request on (held-out evaluation: an SSE endpoint's progress worker);
            # not known to be left behind
            return True
        return any(last == "join" or "Stream" in last or last == "EventSourceResponse"
                   for last in self._called_names(starter))

    def _called_names(self, qual: str) -> set[str]:
        """The last names of the calls made directly in a function."""
        facts = self.project.file_of_function(qual)
        if facts is None:
            return set()
        return {s.text[:-5].rpartition(".")[2] if s.text.endswith("(...)") else s.callee.rpartition(".")[2]
                for s in facts.sites if s.scope == qual and not s.ref_via}

    def _callees(self, qual: str) -> list[str]:
        facts = self.project.file_of_function(qual)
        if facts is None:
            return []
        out = []
        for site in facts.sites:
            if site.scope == qual and not site.ref_via:
                value = self.project.value(site.callee)
                if value is not None and value.kind == "func":
                    out.append(value.name)
        return out

    def _decorator_context(self, dec: Decorator, fn: FunctionFacts, facts: FileFacts) -> Context | None:
        name = self.project.canonical(dec.expr)
        kwargs = {k for k, _ in dec.kwargs}
        where = _where(facts.path, fn.span.line)
        subject = f"`{fn.name}`"
        for pattern in self.extra_interactive:
            if matches(name, pattern) or matches(dec.text, pattern):
                return Context(INTERACTIVE, f"configured interactive context {subject} (`@{dec.text}`)", where)
        for pattern in self.extra_batch:
            if matches(name, pattern) or matches(dec.text, pattern):
                return Context(SCHEDULED, f"configured batch context {subject} (`@{dec.text}`)", where, _dec_schedule(dec))
        for rule in DECORATOR_RULES:
            if rule.needs_kwarg and rule.needs_kwarg not in kwargs:
                continue
            if matches(name, rule.pattern):
                return Context(rule.kind, f"{rule.label} {subject} (`@{dec.text}`)", where, _dec_schedule(dec) if rule.kind == SCHEDULED else "")
        # `@cli.command()` where `cli` is a project function decorated with click.group
        if name.endswith(".command"):
            group = self.project.function(name.rpartition(".")[0])
            if group is not None and any(self.project.canonical(d.expr).startswith(("click.", "typer.")) for d in group.decorators):
                return Context(OFFLINE, f"click command {subject}", where)
        return self._decorator_text_fallback(dec, fn, facts, name)

    def _decorator_text_fallback(self, dec: Decorator, fn: FunctionFacts, facts: FileFacts, name: str) -> Context | None:
        """The receiver is not resolvable: decide from the spelling, narrowly."""
        value = self.project.value(dec.expr)
        if value is not None and value.kind != "ext":
            return None  # a project function or class used as a decorator
        # An external name no rule matched: often `app` built by a factory in a
        # package batchlint was not given. The spellings below are narrow.
        last = dec.text.rpartition(".")[2]
        imports = facts.imported_modules
        where = _where(facts.path, fn.span.line)
        subject = f"`{fn.name}`"
        first_arg = dec.args[0] if dec.args else ""
        if last in ("route", "get", "post", "put", "patch", "delete", "websocket", "api_route") and first_arg[1:2] == "/":
            return Context(INTERACTIVE, f"web request handler {subject} (`@{dec.text}`)", where)
        if last in ("task", "shared_task") and imports & {"celery", "huey"}:
            return Context(WORKER, f"task queue task {subject} (`@{dec.text}`)", where)
        if last in ("periodic_task", "db_periodic_task", "scheduled_job"):
            return Context(SCHEDULED, f"periodic job {subject} (`@{dec.text}`)", where, _dec_schedule(dec))
        if last in ("command", "event", "message", "on_message", "listen", "action", "shortcut") and imports & {"slack_bolt", "discord", "telegram", "aiogram", "chainlit"}:
            return Context(INTERACTIVE, f"bot handler {subject} (`@{dec.text}`)", where)
        if last == "command" and imports & {"click", "typer"}:
            return Context(OFFLINE, f"CLI command {subject} (`@{dec.text}`)", where)
        return None

    def _class_context(self, fn: FunctionFacts, facts: FileFacts) -> list[Context]:
        ancestry = self.project.class_ancestry(fn.class_qual)
        where = _where(facts.path, fn.span.line)
        cls = fn.class_qual.rpartition(".")[2]
        out = []
        for base in ancestry:
            if matches_any(base, INTERACTIVE_BASES) and not fn.name.startswith("_"):
                out.append(Context(INTERACTIVE, f"request handler `{cls}.{fn.name}` (a `{base}`)", where))
            elif matches_any(base, UI_BASES) and not fn.name.startswith("_"):
                out.append(Context(INTERACTIVE, f"UI method `{cls}.{fn.name}` (a `{base}`)", where))
            for pattern, method, kind, label in CLASS_JOB_METHODS:
                if fn.name == method and matches(base, pattern):
                    out.append(Context(kind, f"{label} `{cls}.{fn.name}`", where))
        return out

    def _parent_schedule(self, fn: FunctionFacts) -> str:
        """An Airflow @task inside a @dag function: the schedule is the DAG's."""
        parent = self.project.function(fn.parent) if fn.parent else None
        while parent is not None:
            for dec in parent.decorators:
                schedule = _dec_schedule(dec)
                if schedule:
                    return schedule
            parent = self.project.function(parent.parent) if parent.parent else None
        return ""

    def _called_functions(self, site: Site) -> list[FunctionFacts]:
        """The project functions a call may run (an override in a subclass too)."""
        targets = self.project._targets(self.project.value(site.callee))
        return [self.project.functions[qual][0] for qual in targets if qual in self.project.functions]

    def _changes_its_object(self, site: Site) -> bool:
        """The method called leaves something on its object (object_state.py)."""
        return changes_its_object(self.project, self._called_functions(site), self._called_functions)

    def _chat_loops(self) -> set:
        """Loops reading input through another file or a base class (input_readers.py), found once."""
        if self._found_chat_loops is None:
            self._found_chat_loops = chat_loops(self.project)
        return self._found_chat_loops

    def _continues_a_conversation(self, site: Site) -> bool:
        """The function called keeps a conversation across its calls
        (object_state.converses): in a module-level list, or on its object
        unless the call makes a new object for it (`Tutor().ask(q)`)."""
        if site.ref_via or not self._any_converses:
            return False  # asked for every call in a loop: most projects keep no conversation
        kept = {fn.converses for fn in self._called_functions(site)}
        return "module" in kept or ("self" in kept and "(" not in site.text[:-5].rpartition(".")[0])

    def module_context(self, facts: FileFacts, main_guard: bool, line: int) -> Context:
        where = _where(facts.path, line)
        if facts.module in self._scheduled_modules:
            return self._scheduled_modules[facts.module]
        if facts.imported_modules & INTERACTIVE_MODULES:
            return Context(INTERACTIVE, f"Streamlit script {facts.path}", where)
        if main_guard:
            return Context(OFFLINE, f'`if __name__ == "__main__"` block of {facts.path}', where)
        return Context(OFFLINE, f"module-level code of script {facts.path}", where)

    # ---------------------------------------------------------- call sites
    def frame_facts(self, site: Site, path: str) -> FrameFacts:
        """What the constructs around one call site say about it."""
        repetition: ContextKind | None = None
        label = ""
        where = _where(path, site.span.line)
        wrapper = False
        loops: list[tuple[str, int]] = []
        interactive = ""
        not_batchable = ""
        main_guard = False
        batched = ""
        function_name = site.scope.rpartition(".")[2]
        if _HEALTH_CHECK.match(function_name) and site.scope in self.project.functions:
            # its answer is needed now: the chain ends here, whatever loops are above
            interactive = f"API health check `{function_name}` (it asks whether the API answers now)"
        if site.ref_via:
            role, role_label = self.via_role(site.ref_via, site.text)
            if not role:
                role, role_label = self._mapped_by_helper(site)
            if role == "map-fanout":
                repetition, label = ContextKind.FAN_OUT, role_label
                loops.append((role_label, 0))
            elif role == "map-loop":
                repetition, label = ContextKind.LOOP, role_label
                loops.append((role_label, 0))
            elif role == "wrapper":
                wrapper = True
        learned, lasting = learns_from_its_answers(self.project, site, self._called_functions)
        for struct in site.structs:
            kind = struct.kind
            if kind in ("for", "while", "comp"):
                if "chat" in struct.flags or (path, struct.span) in self._chat_loops():
                    interactive = f"chat loop reading user input ({struct.label} at {_where(path, struct.span.line)})"
                    break
                if "dependent" in struct.flags:
                    not_batchable = f"loop-carried dependence: each request reads the previous response ({struct.label} at {_where(path, struct.span.line)})"
                    continue
                if learned and (lasting or f"{FED_LOOP}{struct.span.line}" in site.flags):
                    not_batchable = learned  # the object it asks lives on: so does what it learnt
                    continue
                if self._continues_a_conversation(site):
                    not_batchable = (f"each `{site.text}` continues one conversation: its request carries the turns "
                                     f"before it ({struct.label} at {_where(path, struct.span.line)})")
                    continue
                if "retry" in struct.flags or "once" in struct.flags or "kinds" in struct.flags:
                    continue  # one request asked again; the one item a test picks; one of each kind
                if "same-inputs" in struct.flags and self._changes_its_object(site):
                    not_batchable = (f"each `{site.text}` builds on what the last left on its object, given nothing "
                                     f"new per iteration ({struct.label} at {_where(path, struct.span.line)})")
                    continue
                if not_batchable:
                    # a loop around the dependent one, over independent items (questions,
                    # each a multi-turn chain): it is the repetition, one batch per round
                    not_batchable = ""
                    repetition = None
                    loops.clear()
                # structs run innermost first: the last loop seen is the outermost
                repetition = ContextKind.FAN_OUT if repetition is ContextKind.FAN_OUT else ContextKind.LOOP
                label, where = struct.label, _where(path, struct.span.line)
                loops.append((struct.label, struct.count))
            elif kind == "arg":
                role, role_label = self.via_role(struct.via, struct.label[len("argument of `"):-1] if struct.label.startswith("argument of `") else "")
                if not role:  # a lambda handed to a project helper that maps that parameter
                    role, role_label = self._maps_argument(struct)
                if role == "map-fanout":
                    repetition, label = ContextKind.FAN_OUT, role_label
                    loops.append((role_label, 0))
                elif role == "map-loop":
                    repetition = repetition or ContextKind.LOOP
                    label = role_label
                    loops.append((role_label, 0))
                elif role == "wrapper":
                    wrapper = True
            elif kind == "main-guard":
                main_guard = True
            elif kind == "batchify":
                batched = f"{struct.label} at {_where(path, struct.span.line)}"
        if learned and lasting:
            not_batchable = learned  # the object carries on learning in the callers keeping it (chain_walk.py)
        if wrapper and repetition is ContextKind.LOOP:
            repetition = ContextKind.FAN_OUT
            label = f"{label}, started concurrently"
        if repetition is None and not site.ref_via and sends_concurrently(self.project.canonical(site.callee)):
            # LangChain's batch()/abatch(), LiteLLM's batch_completion(): one request per input
            text = site.text[:-5] if site.text.endswith("(...)") else site.text
            repetition, label = ContextKind.FAN_OUT, f"`{text}(...)`, one request per input, sent concurrently"
            loops.append((label, 0))
        if repetition is None and not (interactive or not_batchable or batched):
            where = ""  # read only with one of those (chain_walk, chains._usage): most sites are in no loop
        return FrameFacts(repetition, label, where, interactive, not_batchable, main_guard, tuple(loops), batched,
                          lasting=lasting)  # "" unless learned; then not_batchable is that reason (above)


_JOINABLE = frozenset({"threading.Thread", "multiprocessing.Process", "multiprocessing.*Process"})

# A liveness or credentials probe (`check_health`, `ping`, `test_connection`,
# `validate_api_key`): its answer is needed now, whoever runs it and however often.
_HEALTH_CHECK = re.compile(
    r"_*(?:(?:check_|is_|run_)?health(?:_?check)?|is_healthy|ping|healthcheck|"
    r"(?:test|check|verify|validate)_(?:connection|connectivity|api_key|key|credentials|access))$"
)


def _scheduled_functions(target: str, registered: dict, by_name: dict) -> list[str]:
    """The functions a schedule entry names: the task registered under that
    name, else the functions whose dotted name ends with it (the project may
    see the module under a longer name: `src.app.tasks`), else the one function
    of that bare name when no other shares it (a module path batchlint cannot
    place); two tasks of one name in two modules each keep their own entries."""
    if target in registered:
        return list(dict.fromkeys(registered[target]))
    candidates = by_name.get(target.rpartition(".")[2], [])
    exact = [q for q in candidates if q == target or q.endswith("." + target)]
    if exact:
        return exact
    return list(candidates) if len(candidates) == 1 else []


def _dec_schedule(dec: Decorator) -> str:
    """The schedule written on a decorator: `@dag(schedule="@daily")`,
    `@scheduler.scheduled_job("cron", hour=3)`, `@periodic_task(run_every=...)`."""
    for key, text in dec.kwargs:
        if key in ("schedule", "schedule_interval", "run_every", "cron", "cron_schedule", "periodic", "interval"):
            return text
    if dec.args or dec.kwargs:
        return ", ".join([*dec.args, *(f"{k}={v}" for k, v in dec.kwargs)])
    return ""

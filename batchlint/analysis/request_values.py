"""A request's `model`, `max_tokens` and `system` resolved across the project.

The indexer keeps a value the call names rather than writes (`model=FAST_MODEL`,
`max_tokens=self.max_tokens`, `system=system`, a message `"content": prompt` or
`TEMPLATE.format(...)`) as a symbolic string in `RequestFacts.refs`. Here it is followed the way calls are: through imports and
re-exports, module and class attributes, `self.x` set from a constructor
argument (the arguments every analyzed construction passes, or the chain's
own call), a parameter's default, and settings modules
(`django.conf.settings.X` or `config.settings.X`). A value that stays unknown
or differs between callers is left to the estimate's default. Every resolved
value records where it came from, for the estimate's assumptions.
"""

from __future__ import annotations

import dataclasses

from .facts import PARAM_PREFIX, RequestFacts, Site
from .literals import decode
from .project import Project

_MAX_DEPTH = 16
_MAX_CALLERS = 200
_SETTINGS = ("django.conf.settings", "settings")  # ext names read as the project's settings modules


class _Resolver:
    def __init__(self, project: Project, chain_callers: dict[str, tuple[Site, str]]) -> None:
        self.project = project
        self.chain_callers = chain_callers  # function qual -> the chain's call of it (site, path)
        self.depth = 0
        self.memo: dict[str, tuple | None] = {}  # parameters fan out over callers: each value once

    def literal(self, symbolic: str) -> tuple[tuple[str, object], str] | None:
        """(decoded literal, where it was written) or None."""
        if self.depth > _MAX_DEPTH or not symbolic:
            return None
        if symbolic in self.memo:
            return self.memo[symbolic]
        self.depth += 1
        try:
            found = self._literal(symbolic)
        finally:
            self.depth -= 1
        self.memo[symbolic] = found
        return found

    def _literal(self, symbolic: str) -> tuple[tuple[str, object], str] | None:
        value = decode(symbolic)
        if value is not None:
            return value, ""
        if symbolic.startswith(PARAM_PREFIX) and "." not in symbolic:
            return self._param(symbolic)
        if symbolic.endswith(".format()"):  # PROMPT.format(...): the template's text and computed fields
            found = self.literal(symbolic[: -len(".format()")])
            if found is None or found[0][0] == "int":
                return None
            (kind, body), where = found
            chars = len(body) if kind == "str" else body[0]
            return ("text", (chars, True)), where
        head, dot, attr = symbolic.rpartition(".")
        if not dot or "(" in attr:
            return None
        owner = self.project.value(head)
        if owner is None:
            return None
        if owner.kind == "module":
            return self._module_attr(owner.name, attr)
        if owner.kind in ("class", "inst"):
            for cls in (owner.name, *self.project.class_ancestry(owner.name)):
                attrs = self.project._class_attrs.get(cls, {})
                if attr in attrs:
                    found = self.literal(attrs[attr])
                    if found is not None:
                        return found[0], found[1] or f"{cls}.{attr}"
            return None
        if owner.kind == "ext" and owner.name.rpartition(".")[2] in _SETTINGS[1:] or owner.name in _SETTINGS:
            return self._settings(attr)
        return None

    def _module_attr(self, module: str, attr: str) -> tuple[tuple[str, object], str] | None:
        qual = f"{module}.{attr}"
        project = self.project
        if qual in project.variables:
            found = self.literal(project.variables[qual])
            return None if found is None else (found[0], found[1] or qual)
        for symbolic in project.import_sources(module, attr):
            found = self.literal(symbolic)
            if found is not None:
                return found
        return None

    def _settings(self, attr: str) -> tuple[tuple[str, object], str] | None:
        """`settings.CLAUDE_MODEL`: the one value the project's settings modules agree on."""
        modules = [m for m in self.project.modules if m.rpartition(".")[2] == "settings" or ".settings." in f".{m}."]
        found = [f for f in (self._module_attr(m, attr) for m in sorted(modules)) if f is not None]
        if found and all(f[0] == found[0][0] for f in found):
            return found[0]
        return None

    def _param(self, token: str) -> tuple[tuple[str, object], str] | None:
        """A parameter: what the chain's call passes, else what every analyzed
        call passes (its default where a call leaves it out)."""
        parts = token[len(PARAM_PREFIX):].split("/")
        if len(parts) < 3 or not parts[-2].lstrip("-").isdigit():
            return None
        qual, position, name = ".".join(parts[:-2]), int(parts[-2]), parts[-1]
        entry = self.project.functions.get(qual)
        if entry is None:
            return None
        fn = entry[0]
        keys = [name]
        if position >= 0:
            keys.append(str(position - 1 if fn.class_qual and position > 0 else position))
        default = dict(fn.defaults).get(name)
        if qual in self.chain_callers:
            calls = [self.chain_callers[qual]]
        else:
            calls = [(edge.site, edge.path) for edge in self.project.callers.get(qual, ())]
            if len(calls) > _MAX_CALLERS:
                return None  # a helper called from everywhere: its callers will not all agree
        results = []
        for site, path in calls or [(None, "")]:
            given = dict(site.arg_values) if site is not None else {}
            passed = next((given[k] for k in keys if k in given), None)
            if passed is None and "*" in given:
                return None  # `f(*args)` / `f(**options)`: may pass it
            symbolic = passed if passed is not None else default
            found = self.literal(symbolic) if symbolic else None
            if found is None:
                return None
            value, where = found
            if passed is not None and not where and site is not None:
                where = f"{path}:{site.span.line} {site.text.replace('(...)', '')}({name}=...)"
            elif passed is None and not where:
                where = f"default of {fn.name}({name}=...)"
            results.append((value, where))
        if all(r[0] == results[0][0] for r in results):
            return results[0]
        return None  # callers disagree: a default says as much


def resolve_request(project: Project, request: RequestFacts | None,
                    chain: list[tuple[str, Site, str]]) -> RequestFacts | None:
    """The request with its named values filled in. `chain`: (function qual,
    call site in it, path) per frame, innermost (the SDK call) first."""
    if request is None or not request.refs:
        return request
    callers = {chain[i][0]: (chain[i + 1][1], chain[i + 1][2]) for i in range(len(chain) - 1) if chain[i][0]}
    resolver = _Resolver(project, callers)
    changes: dict = {}
    sources = dict(request.sources)
    for key, symbolic in request.refs:
        found = resolver.literal(symbolic)
        if found is None:
            if key == "system":
                changes["dynamic"] = True  # a computed system prompt
            continue
        (kind, value), where = found
        where = where or symbolic
        if key == "model" and kind == "str" and not request.model:
            changes["model"] = value
        elif key == "max_tokens" and kind == "int" and not request.max_tokens:
            changes["max_tokens"] = value
        elif key == "system" and kind in ("str", "text"):
            chars, computed = (len(value), False) if kind == "str" else value
            changes["prompt_chars"] = changes.get("prompt_chars", request.prompt_chars) + chars
            if computed:
                changes["dynamic"] = True
            else:
                changes["system_chars"] = chars
        elif key == "content" and kind in ("str", "text"):
            # a template's literal text; what fills it was already counted as computed content
            chars = len(value) if kind == "str" else value[0]
            changes["prompt_chars"] = changes.get("prompt_chars", request.prompt_chars) + chars
            key = "prompt template"
            if key in sources:
                where = f"{sources[key]}, {where}"
        else:
            continue
        sources[key] = where
    return dataclasses.replace(request, **changes, sources=tuple(sources.items()))


def resolve_loops(project: Project, loops: tuple[tuple[str, int], ...],
                  chain: list[tuple[str, Site, str]]) -> tuple[tuple[str, int], ...]:
    """Loop sizes the code names (`range(BATCH_SIZE)`, `rows[:LIMIT]`) filled
    in where the name resolves to an integer, the label saying where from."""
    named = {s.label: s.count_ref for _fn, site, _path in chain for s in site.structs if s.count_ref and not s.count}
    if not named or not any(count == 0 and label in named for label, count in loops):
        return loops
    callers = {chain[i][0]: (chain[i + 1][1], chain[i + 1][2]) for i in range(len(chain) - 1) if chain[i][0]}
    resolver = _Resolver(project, callers)
    out = []
    for label, count in loops:
        found = resolver.literal(named[label]) if count == 0 and label in named else None
        if found is not None and found[0][0] == "int" and found[0][1] > 0:
            out.append((f"{label}, {found[1] or named[label]}", found[0][1]))
        else:
            out.append((label, count))
    return tuple(out)

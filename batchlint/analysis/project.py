"""The project: every analyzed file's facts, their symbolic values resolved
across files (values.py), and the call graph built from them."""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import NamedTuple

from .context_rules import registrations_of
from .clients import (
    NOT_CANDIDATES,
    SDK_METHODS,
    SdkCall,
    normalise_path,
    shape_looks_like_claude,
)
from .batched import from_runtime_module
from .hierarchy import Hierarchy
from .index_calls import FORWARDING
from .registries import build_registries, registry_lookup
from .surfaces import OPENAI_COMPAT, openai_compat_call, surface_call
from .facts import PARAM_PREFIX, ClassFacts, FileFacts, FunctionFacts, Site
from .module_names import ModuleNames
from ..project_root import is_test_path
from .values import CLASSES, FUNCTIONS, INSTANCES, Value, ValueResolver


# Edge is a named tuple, not a frozen dataclass: a project build makes
# tens of thousands of them, and a tuple is built 3x faster.
class Edge(NamedTuple):
    """`site` (in function or module `site.scope`) calls or references `target`."""

    site: Site
    path: str  # file of the site
    target: str  # function qual
    via: Value | None  # for a reference: what it was passed to


class Project(ValueResolver):
    def __init__(self, files: list[FileFacts], client_factories: tuple[str, ...] = (), test_callers: bool = True) -> None:
        self.files = files
        self.client_factories = client_factories
        # False: what a test passes (a mock, a fixture, the real service) does not
        # type a production function's parameter (config include-tests)
        self.test_callers = test_callers
        self._test_paths: dict[str, bool] = {}
        self.modules: dict[str, FileFacts] = {}
        self.functions: dict[str, tuple[FunctionFacts, FileFacts]] = {}
        self.classes: dict[str, tuple[ClassFacts, FileFacts]] = {}
        self.variables: dict[str, str] = {}
        self.variable_alts: dict[str, tuple[str, ...]] = {}
        self.imports: dict[str, dict[str, str]] = {}
        self.star_imports: dict[str, list[str]] = {}
        self.runtime_modules = frozenset(f.module for f in files if f.batch_runtime)  # see analysis/batched.py
        self._class_attrs: dict[str, dict[str, str]] = {}
        self._attr_alts: dict[str, dict[str, tuple[str, ...]]] = {}
        # some file imports the SDK: an untyped receiver elsewhere is judged by its full shape
        self._uses_sdk = any("anthropic" in facts.imported_modules for facts in files)
        self._memo: dict[str, Value | None] = {}
        self._sdk_values: dict[tuple[str, str], Value] = {}  # values.py: one object for equal ones
        self._busy: set[str] = set()
        same_imports: dict[tuple, dict[str, str]] = {}  # one table for modules importing the same names
        for facts in files:
            self.modules.setdefault(facts.module, facts)
            imports = same_imports.get(facts.imports)
            stars: list[str] = []
            if imports is None:
                imports = same_imports[facts.imports] = {local: target for local, target in facts.imports if local != "*"}
            for local, target in facts.imports:
                if local == "*":
                    stars.append(target)
            self.imports[facts.module] = imports  # read only: one per module was 0.2 KiB a file
            if stars:  # read with .get(module, ()): most modules have none
                self.star_imports[facts.module] = stars
            for name, value in facts.variables:
                self.variables[f"{facts.module}.{name}"] = value
            for name, values in facts.variable_alts:
                self.variable_alts[f"{facts.module}.{name}"] = values
            for fn in facts.functions:
                self.functions.setdefault(fn.qual, (fn, facts))
            for cls in facts.classes:
                self.classes.setdefault(cls.qual, (cls, facts))
                self._class_attrs[cls.qual] = dict(cls.attrs)
                if cls.attr_alts:
                    self._attr_alts[cls.qual] = dict(cls.attr_alts)
        self._alt_order = {qual: i for i, qual in enumerate(self.variable_alts)}
        self.names = ModuleNames(files, self.modules)
        self._module_heads = self.names.heads
        self._alt_heads = {n.partition(".")[0] for n in self.variable_alts}
        # Parameters resolve only once the call graph is built (below): a class
        # whose base is a parameter (`def make(base): class W(base)`) has no
        # known project base before then.
        self._params_ready = False
        self.registries: dict[str, list[Value]] = {}  # filled below, once classes are known
        self.constructions: dict[str, list[tuple]] = {}  # likewise (values.py, _field_value)
        self.hierarchy = Hierarchy(self)
        self.subclasses = self.hierarchy.subclasses
        self.registries = build_registries(self)
        self.constructions = self._collect_constructions()
        # values read before registries and fields were known (see _module_attr, _class_attr)
        self._memo = {}
        self.sdk_calls: list[tuple[Site, FileFacts, SdkCall]] = []
        self._equal_calls: dict[SdkCall, SdkCall] = {}  # one object for equal ones: a large project repeats a few
        self.callers: dict[str, list[Edge]] = defaultdict(list)
        self.references: dict[str, list[Edge]] = defaultdict(list)
        # Two passes: calls through untyped parameters wait until the graph knows
        # who calls their function, and so what the parameter receives.
        self._build_graph(through_params=False)
        self._params_ready = True
        # only what was unknown can change now that parameters resolve
        self._memo = {k: v for k, v in self._memo.items() if v is not None}
        self._build_graph(through_params=True)

    # ------------------------------------------------------------ evaluation
    def module_for(self, dotted: str) -> str | None:
        return self.names.module_for(dotted)

    def _neighbour_value(self, symbolic: str, importer: FileFacts) -> Value | None:
        """`summarizer.summarize` in src/digest.py, when the name resolves to
        nothing else: src/summarizer.py's `summarize`, if that module defines it."""
        head, dot, rest = symbolic.partition(".")
        module = self.names.neighbour(head, importer) if dot else None
        if module is None:
            return None
        value = self.value(f"{module}.{rest}")
        return value if value is not None and value.kind != "ext" else None

    def is_test(self, path: str) -> bool:
        """project_root.is_test_path, once per file (it may read the file)."""
        known = self._test_paths.get(path)
        if known is None:
            known = self._test_paths[path] = is_test_path(path)
        return known

    def class_ancestry(self, cls: str) -> list[str]:
        """Canonical names of every base of a project class, nearest first."""
        out: list[str] = []
        todo = [cls]
        seen: set[str] = set()
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.add(current)
            entry = self.classes.get(current)
            if entry is None:
                continue
            for base in entry[0].bases:
                value = self.value(base)
                if value is None:
                    out.append(base)
                elif value.kind == "class":
                    out.append(value.name)
                    todo.append(value.name)
                else:
                    out.append(value.name)
        return out

    # ------------------------------------------------------------ call graph
    def _build_graph(self, through_params: bool) -> None:
        if through_params:
            # only calls through untyped parameters, found by the first pass (f passed on
            # inside a helper: mapped_params covers the helper's callers; but a parameter's
            # SDK method handed to `asyncio.to_thread` is called there), and calls the first
            # pass could not resolve and linked nowhere: `self.tm.translate()` where
            # `self.tm = model_cls(key)` holds a class a caller passes
            work = [(facts, [s for s in sites if not s.ref_via or _handed_on(s) or self._registers(s)])
                    for facts, sites in self._param_sites]
            work += list(self._unresolved.values())
        else:
            self._param_sites: list[tuple[FileFacts, list[Site]]] = []
            self._unresolved: dict[int, tuple[FileFacts, list[Site]]] = {}  # id(facts) -> its sites
            work = []
            for facts in self.files:
                sites = []
                params = []
                if facts.batch_runtime:  # the runtime's own code is no path to a candidate
                    continue
                for site in facts.sites:
                    (params if site.callee.startswith(PARAM_PREFIX) else sites).append(site)
                work.append((facts, sites))
                if params:
                    self._param_sites.append((facts, params))
        for facts, sites in work:
            # a receiver batchlint cannot type is judged by the call's shape in a file importing
            # the SDK, and by its full shape (messages.* with model, max_tokens and messages)
            # in any other file of a project that uses it (the client handed over untyped)
            inferable = "shape" if "anthropic" in facts.imported_modules else "full shape" if self._uses_sdk else ""
            runtime = facts.batch_runtime  # the batch runtime's own calls are never candidates
            for site in sites:
                if self.names.out_of_reach(site.callee, facts.path):
                    continue  # it would raise ImportError there
                value = self.value(site.callee)
                if (value is None or value.kind == "ext") and self.names.has_neighbours:
                    value = self._neighbour_value(site.callee, facts) or value
                if site.ref_via:
                    if from_runtime_module(site.ref_via) or self._from_runtime(site.ref_via):
                        continue  # `_claude_batch.fan_out(function, items)`: batched already
                    if not runtime and _handed_on(site) and value is not None and value.kind == "sdk":
                        # `await asyncio.to_thread(client.messages.create, model=..., ...)`: the SDK
                        # method handed over is called there, with the arguments after it
                        sdk = self._sdk_call(value, site, inferable)
                        if sdk is not None:
                            self.sdk_calls.append((site, facts, self._equal_calls.setdefault(sdk, sdk)))
                            continue
                    targets = self._registry_targets(site.callee) or self._targets(value)
                    if not targets and through_params and value is None:
                        # `Process(target=function)` in a helper: each function its callers hand it is started
                        targets = list(dict.fromkeys(t for given in self.param_arguments(site.callee) for t in self._targets(given)))
                    for target in self._with_alternatives(site, targets):
                        edge = Edge(site, facts.path, target, self.value(site.ref_via))
                        self.references[target].append(edge)
                    continue
                sdk = None if runtime else self._sdk_call(value, site, inferable)
                if sdk is not None:
                    self.sdk_calls.append((site, facts, self._equal_calls.setdefault(sdk, sdk)))
                    continue
                targets = self._registry_targets(site.callee) or self._targets(value)
                if value is None and not targets and "()." in site.callee:
                    targets = self._supplied_targets(site.callee)
                elif len(targets) > 1 and value is not None and value.kind == "func":
                    targets = self._inherited_only(site, targets)
                for target in self._with_alternatives(site, targets):
                    self.callers[target].append(Edge(site, facts.path, target, None))
                if value is None and not targets and not through_params and "()." in site.callee:
                    self._unresolved.setdefault(id(facts), (facts, []))[1].append(site)

    def _registers(self, site: Site) -> bool:
        """`Process(target=function)` with `function` a parameter of a helper: the
        function each caller hands the helper is started (or scheduled) there."""
        via = self.value(site.ref_via)
        return via is not None and via.kind == "ext" and bool(registrations_of(via.name))

    def _with_alternatives(self, site: Site, targets: list[str]) -> list[str]:
        """`targets`, and what the callee reaches spelled with the other values its
        head was given (`p = A() if x else B()`, `for p in [A(), B()]`)."""
        alts = list(site.callee_alts)
        if self.variable_alts:
            alts += self._variable_alternatives(site.callee)
        for alt in alts:
            targets += [t for t in self._targets(self.value(alt)) if t not in targets]
        return targets

    def _collect_constructions(self) -> dict[str, list[tuple]]:
        """The arguments of every construction of a dataclass-like class
        (`ModelConfig(handler=ClaudeHandler)`), which type its fields."""
        records = {qual for qual, (cls, _facts) in self.classes.items() if _record_like(cls)}
        names = {qual.rpartition(".")[2] for qual in records}
        out: dict[str, list[tuple]] = defaultdict(list)
        for facts in self.files if records else ():
            if not self.test_callers and self.is_test(facts.path):
                continue  # a test's stand-in configuration
            for site in facts.sites:
                if site.arg_values and site.callee.rpartition(".")[2] in names:
                    value = self.value(site.callee)
                    if value is not None and value.kind == "class" and value.name in records:
                        out[value.name].append(site.arg_values)
        return dict(out)

    def _inherited_only(self, site: Site, targets: list[str]) -> list[str]:
        """`self.generate(p)` in `LLM.generate_batch`: a subclass's `generate`
        runs there only for objects that still inherit `generate_batch` from
        LLM. A subclass that overrides `generate_batch` (with the batch API,
        say) without calling `super().generate_batch` never runs this loop."""
        entry = self.functions.get(site.scope)
        if entry is None or not entry[0].class_qual or not site.callee.startswith(entry[0].class_qual + "()."):
            return targets
        if "." in site.callee[len(entry[0].class_qual) + 3:]:
            return targets  # `self.provider.generate(p)`: a method of another object, not of self
        caller, base = entry[0], entry[0].class_qual
        kept = []
        for target in targets:
            owner = self.functions[target][0].class_qual if target in self.functions else ""
            if owner and owner != base:
                resolved = self._class_attr(owner, caller.name, instance=True)
                if resolved is not None and resolved.kind == "func" and resolved.name != caller.qual:
                    override = self.functions.get(resolved.name)
                    if override is not None and caller.name not in override[0].extends:
                        continue
            kept.append(target)
        return kept

    def _registry_targets(self, callee: str) -> list[str]:
        """`REGISTRY[name](...)`: every function the registry holds, every
        class's constructor."""
        key = registry_lookup(self, callee) if self.registries else ""
        return list(dict.fromkeys(t for member in self.registries.get(key, ()) for t in self._targets(member)))

    def _supplied_targets(self, callee: str) -> list[str]:
        """A method an instance's own class lacks, supplied by its subclasses' bases."""
        head, _, attr = callee.rpartition(".")
        owner = self.value(head)
        if owner is None or owner.kind != "inst" or owner.name not in self.classes:
            return []
        return list(self.hierarchy.supplied_by_subclasses(owner.name, attr))

    def _variable_alternatives(self, callee: str) -> list[str]:
        """Alternatives of the module variables `callee` starts with, looked up
        by its dotted prefixes (not by scanning every variable per call site)."""
        if callee.partition(".")[0] not in self._alt_heads:
            return []
        matches = []
        end = callee.find(".")
        while end >= 0:
            if callee[:end] in self.variable_alts:
                matches.append(callee[:end])
            end = callee.find(".", end + 1)
        if callee in self.variable_alts:
            matches.append(callee)
        if not matches:
            return []
        out = []
        for qual in sorted(matches, key=self._alt_order.__getitem__):  # in the order the variables were bound
            out += [v + callee[len(qual):] for v in self.variable_alts[qual]]
        return out

    def _targets(self, value: Value | None) -> list[str]:
        if value is None:
            return []
        if value.kind == "func":
            return list(self.hierarchy.dispatch_targets(value.name))
        if value.kind == FUNCTIONS:
            return list(dict.fromkeys(t for name in value.name.split("|") for t in self.hierarchy.dispatch_targets(name)))
        if value.kind in ("class", CLASSES):
            inits = [f"{name}.__init__" for name in value.name.split("|")]
            return [init for init in inits if init in self.functions]
        if value.kind in ("inst", INSTANCES):  # calling an object runs its (or a subclass's) __call__
            classes = [c for name in value.name.split("|") for c in (name, *self.all_subclasses(name))]
            return [f"{c}.__call__" for c in dict.fromkeys(classes) if f"{c}.__call__" in self.functions]
        return []

    def all_subclasses(self, cls: str) -> list[str]:
        return list(self.hierarchy.all_subclasses(cls))

    def _sdk_call(self, value: Value | None, site: Site, inferable: str) -> SdkCall | None:
        if value is not None and value.kind == "ext":  # LangChain, LiteLLM, instructor, OpenAI SDK (surfaces.py)
            if value.name.startswith(OPENAI_COMPAT + "."):
                return openai_compat_call(value.name[len(OPENAI_COMPAT) + 1:])
            return surface_call(value.name, site.kwargs, site.request.model if site.request else "")
        if value is not None and value.kind == "sdk":
            path, _wrapped = normalise_path(value.path)
            if path in NOT_CANDIDATES:
                return None
            role = SDK_METHODS.get(path)
            if role is None:
                return None
            if role == "message" and ("stream", "True") in site.kwargs:
                role = "stream"
            return SdkCall(value.name, sys.intern(path), role)  # each finding keeps it: one copy
        if value is None and inferable:
            full = inferable == "full shape"
            # `cls.client().messages.create(...)` is written `(...).create` in site.text: its callee names the path
            method = shape_looks_like_claude(site.text, site.kwargs, full) \
                or shape_looks_like_claude(site.callee, site.kwargs, full)
            if method is not None and not self._from_runtime(site.callee):
                role = SDK_METHODS[method]
                if role == "message" and ("stream", "True") in site.kwargs:
                    role = "stream"
                return SdkCall("Anthropic", method, role, inferred=True)
        return None

    def _from_runtime(self, callee: str) -> bool:
        """`batch.messages.create(model=..., ...)` on an object of the batch
        runtime: spelled like the SDK, but it is the runtime's own method."""
        if not self.runtime_modules:
            return False
        parts = callee.partition("()")[0].split(".")
        for i in range(len(parts), 0, -1):
            module = self.module_for(".".join(parts[:i]))
            if module is not None:
                return module in self.runtime_modules
        return False

    # --------------------------------------------------------------- queries
    def function(self, qual: str) -> FunctionFacts | None:
        entry = self.functions.get(qual)
        return entry[0] if entry else None

    def file_of_function(self, qual: str) -> FileFacts | None:
        entry = self.functions.get(qual)
        return entry[1] if entry else None


def _handed_on(site: Site) -> bool:
    """The function the site passes is called where it is handed over, with
    the arguments after it (`asyncio.to_thread(f, ...)`, index_calls.FORWARDING)."""
    return site.ref_via.rpartition(".")[2] in FORWARDING


_RECORD_DECORATORS = frozenset(("dataclass", "define", "frozen", "mutable", "s", "attrs"))
_RECORD_BASES = frozenset(("BaseModel", "BaseSettings", "NamedTuple"))


def _record_like(cls: ClassFacts) -> bool:
    """A class whose constructor takes its fields by name: a dataclass, an
    attrs class, a pydantic model, a NamedTuple."""
    return any(d.expr.rpartition(".")[2] in _RECORD_DECORATORS for d in cls.decorators) or any(
        base.rpartition(".")[2] in _RECORD_BASES for base in cls.bases)

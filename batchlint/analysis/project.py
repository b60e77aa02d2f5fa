"""The project: symbolic values resolved across files, and the call graph.

FileFacts hold symbolic strings such as `acme.llm.get_client().messages.create`.
`Project.value()` evaluates one step at a time — module attribute, class,
instance attribute, function return — into a `Value`, following imports and
re-exports between the analyzed files. Anything outside the project stays an
external dotted name with instances collapsed to their class
(`celery.Celery().task` -> `celery.Celery.task`), which is what the context
tables in contexts.py match against.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from typing import NamedTuple

from .clients import (
    CLIENT_PASSTHROUGH_CALLS,
    NOT_CANDIDATES,
    SDK_METHODS,
    SdkCall,
    client_class,
    normalise_path,
    shape_looks_like_claude,
)
from .batched import from_runtime_module
from .hierarchy import Hierarchy
from .registries import build_registries, registry_key
from .surfaces import OPENAI_COMPAT, names_claude_client, openai_compat_call, surface_call
from .facts import PARAM_PREFIX, UNKNOWN, ClassFacts, FileFacts, FunctionFacts, Site
from .literals import LITERAL
from .module_names import ModuleNames
from ..project_root import is_test_path
from .patterns import matches_any

_TOKEN = re.compile(r"\(\)|[^.()]+")
# the function under a task decorator: Airflow's `task.function`, Prefect's
# `task.fn`, functools' `__wrapped__`
_UNDECORATED = frozenset({"function", "fn", "__wrapped__"})
_MAX_DEPTH = 24


# Value and Edge are named tuples, not frozen dataclasses: a project build makes
# tens of thousands of them, and a tuple is built 3x faster.
class Value(NamedTuple):
    kind: str  # module | func | class | inst | client | sdk | ext
    name: str  # qualified / canonical name
    path: str = ""  # sdk: attribute path on the client


class Edge(NamedTuple):
    """`site` (in function or module `site.scope`) calls or references `target`."""

    site: Site
    path: str  # file of the site
    target: str  # function qual
    via: Value | None  # for a reference: what it was passed to


class Project:
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
        self._memo: dict[str, Value | None] = {}
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
        self._alt_order = {qual: i for i, qual in enumerate(self.variable_alts)}
        self.names = ModuleNames(files, self.modules)
        self._module_heads = self.names.heads
        self._alt_heads = {n.partition(".")[0] for n in self.variable_alts}
        # Parameters resolve only once the call graph is built (below): a class
        # whose base is a parameter (`def make(base): class W(base)`) has no
        # known project base before then.
        self._params_ready = False
        self.hierarchy = Hierarchy(self)
        self.subclasses = self.hierarchy.subclasses
        self.registries = build_registries(self)
        self.sdk_calls: list[tuple[Site, FileFacts, SdkCall]] = []
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

    def value(self, symbolic: str) -> Value | None:
        if not symbolic or symbolic == UNKNOWN or symbolic.startswith((UNKNOWN, LITERAL)):
            return None  # a literal (literals.py) is never a client or a function
        if symbolic in self._memo:
            return self._memo[symbolic]
        if symbolic in self._busy or len(self._busy) > _MAX_DEPTH:
            return None  # a cycle (x = y; y = x) or a chain too long to follow
        self._busy.add(symbolic)
        try:
            result = self._evaluate(_TOKEN.findall(symbolic))
        finally:
            self._busy.discard(symbolic)
        self._memo[symbolic] = result
        return result

    def _evaluate(self, tokens: list[str]) -> Value | None:
        # Longest leading dotted run that names a project module.
        names = []
        for token in tokens:
            if token == "()":
                break
            names.append(token)
        current: Value | None = None
        rest = tokens
        if tokens and tokens[0].startswith(PARAM_PREFIX):
            current = self._param_value(tokens[0])
            if current is None:
                return None
            names, rest = [], tokens[1:]
        for i in range(len(names) if names and names[0] in self._module_heads else 0, 0, -1):
            module = self.module_for(".".join(names[:i]))
            if module is not None:
                current = Value("module", module)
                rest = tokens[i:]
                break
        if current is None:
            current = Value("ext", tokens[0])
            rest = tokens[1:]
        for token in rest:
            current = self._call(current) if token == "()" else self._attr(current, token)
            if current is None:
                return None
        return current

    def _attr(self, value: Value, attr: str) -> Value | None:
        kind, name = value.kind, value.name
        if kind == "module":
            return self._module_attr(name, attr)
        if kind == "class":
            return self._class_attr(name, attr, instance=False)
        if kind == "inst":
            return self._class_attr(name, attr, instance=True)
        if kind == "client":
            return Value("sdk", name, attr)
        if kind == "sdk":
            return Value("sdk", name, f"{value.path}.{attr}")
        if kind == "ext":
            return Value("ext", f"{name}.{attr}")
        if kind == "func":
            nested = f"{name}.{attr}"  # a def inside a def: `outer.inner`
            if nested in self.functions:
                return Value("func", nested)
            if nested in self.classes:
                return Value("class", nested)
            if attr in _UNDECORATED:
                return value  # `ask.function(x)`: the task's own body, run here
            return Value("ext", nested)  # fn.delay / fn.s / fn.serve: a name for the tables
        return None

    def _call(self, value: Value) -> Value | None:
        kind, name = value.kind, value.name
        if kind == "class":
            return Value("inst", name)
        if self.client_factories and matches_any(name, self.client_factories):
            return Value("client", "Anthropic")  # configured: `myapp.llm.get_client`
        if kind == "func":
            fn = self.functions.get(name)
            if fn is None:
                return None
            results = [r for r in (self.value(ret) for ret in fn[0].returns) if r is not None]
            if not results:
                return None
            # a provider factory (`if provider == "openai": return ChatOpenAI()
            # ... return ChatAnthropic()`): what it returns may be Claude
            claude = next((r for r in results if r.kind == "client" or (r.kind == "ext" and names_claude_client(r.name))), None)
            if claude is not None:
                return claude
            instances = list(dict.fromkeys(r.name for r in results if r.kind == "inst"))
            if len(instances) > 1:
                # a factory returning one of several decoder classes: their common
                # project base, so a method call reaches every override
                base = self._common_base(instances)
                if base is not None:
                    return Value("inst", base)
            return results[0]
        if kind == "sdk":
            if value.path in CLIENT_PASSTHROUGH_CALLS:
                return Value("client", name)
            return Value("sdk", name, value.path + "()")
        if kind == "ext":
            client = client_class(name)
            if client is not None:
                return Value("client", client)
            last = name.rpartition(".")[2]
            if last[:1].isupper():
                return Value("ext", name)  # an instance: collapse to its class
            return Value("ext", name + "()")
        return None

    def is_test(self, path: str) -> bool:
        """project_root.is_test_path, once per file (it may read the file)."""
        known = self._test_paths.get(path)
        if known is None:
            known = self._test_paths[path] = is_test_path(path)
        return known

    def _param_value(self, token: str) -> Value | None:
        """What an untyped parameter holds: the value every analyzed caller
        passes (or their common project base class); unknown if they disagree."""
        if not self._params_ready:
            return None
        parts = token[len(PARAM_PREFIX):].split("/")
        if len(parts) < 3:
            return None
        qual, position, name = ".".join(parts[:-2]), int(parts[-2]), parts[-1]
        fn = self.functions.get(qual)
        if fn is None:
            return None
        keys = [name]
        if position >= 0:
            # a method called as obj.method(x): the first argument fills the second parameter
            keys.append(str(position - 1 if fn[0].class_qual and position > 0 else position))
        found: list[Value] = []
        skip_tests = not self.test_callers and not self.is_test(fn[1].path)
        for edge in self.callers.get(qual, ()):
            if skip_tests and self.is_test(edge.path):
                continue
            given = dict(edge.site.arg_values)
            symbolic = next((given[k] for k in keys if k in given), None)
            value = self.value(symbolic) if symbolic else None
            if value is None:
                continue
            found.append(value)
        if not found:
            return None
        if all(v == found[0] for v in found):
            return found[0]
        instances = list(dict.fromkeys(v.name for v in found if v.kind == "inst"))
        if len(instances) == len(found) or len(instances) == len(set(found)):
            base = self._common_base(instances) if len(instances) > 1 else instances[0] if instances else None
            return Value("inst", base) if base else None
        return None

    def _module_attr(self, module: str, attr: str) -> Value | None:
        qual = f"{module}.{attr}"
        if qual in self.functions:
            return Value("func", qual)
        if qual in self.classes:
            return Value("class", qual)
        if qual in self.variables:
            return self.value(self.variables[qual])
        if qual in self.modules:
            return Value("module", qual)
        imported = self.imports.get(module, {}).get(attr)
        if imported is not None:
            return self.value(imported)
        for star in self.star_imports.get(module, ()):
            result = self.value(f"{star}.{attr}")
            if result is not None:
                return result
        if module in self.modules:
            return None
        return Value("ext", qual)

    def _class_attr(self, cls: str, attr: str, instance: bool, seen: frozenset = frozenset()) -> Value | None:
        if cls in seen:
            return None
        method = f"{cls}.{attr}"
        if method in self.functions:
            return Value("func", method)  # bound or not, calling it runs this function
        attrs = self._class_attrs.get(cls, {})
        if attr in attrs:
            result = self.value(attrs[attr])
            if result is not None:
                return result
        entry = self.classes.get(cls)
        if entry is None:
            return None
        for base in entry[0].bases:
            base_value = self.value(base)
            if base_value is not None and base_value.kind == "class":
                result = self._class_attr(base_value.name, attr, instance, seen | {cls})
                if result is not None:
                    return result
        return None

    def canonical(self, symbolic: str) -> str:
        """A name for the context tables: the resolved external name, else the text."""
        value = self.value(symbolic)
        if value is None:
            return symbolic
        if value.kind == "sdk":
            return f"anthropic.{value.name}.{value.path}"
        if value.kind == "client":
            return f"anthropic.{value.name}"
        return value.name

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
            # only calls through untyped parameters, found by the first pass
            # (f passed on inside a helper: mapped_params covers the helper's callers)
            # (f passed on inside a helper: mapped_params covers the helper's callers), and
            # calls the first pass could not resolve and linked nowhere: `self.tm.translate()`
            # where `self.tm = model_cls(key)` holds a class a caller passes
            work = [(facts, [s for s in sites if not s.ref_via]) for facts, sites in self._param_sites]
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
            anthropic_imported = "anthropic" in facts.imported_modules
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
                    for target in self._targets(value) or self._registry_targets(value, site.callee):
                        edge = Edge(site, facts.path, target, self.value(site.ref_via))
                        self.references[target].append(edge)
                    continue
                sdk = None if runtime else self._sdk_call(value, site, anthropic_imported)
                if sdk is not None:
                    self.sdk_calls.append((site, facts, sdk))
                    continue
                targets = self._targets(value)
                if value is None and "()." in site.callee:
                    targets = self._supplied_targets(site.callee)
                elif value is None and site.callee.endswith("[]"):
                    targets = self._registry_targets(value, site.callee)
                alts = list(site.callee_alts)
                if self.variable_alts:
                    alts += self._variable_alternatives(site.callee)
                for alt in alts:
                    targets += [t for t in self._targets(self.value(alt)) if t not in targets]
                for target in targets:
                    self.callers[target].append(Edge(site, facts.path, target, None))
                if value is None and not targets and not through_params and "()." in site.callee:
                    self._unresolved.setdefault(id(facts), (facts, []))[1].append(site)

    def _registry_targets(self, value: Value | None, callee: str) -> list[str]:
        """`REGISTRY[name](...)`: every function the registry holds."""
        if value is not None or not callee.endswith("[]") or not self.registries:
            return []
        return list(self.registries.get(registry_key(self, callee[:-2]), ()))

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
        if value.kind == "class":
            init = f"{value.name}.__init__"
            return [init] if init in self.functions else []
        if value.kind == "inst":  # calling an object runs its (or a subclass's) __call__
            classes = [value.name, *self.all_subclasses(value.name)]
            return [f"{c}.__call__" for c in classes if f"{c}.__call__" in self.functions]
        return []

    def _common_base(self, classes: list[str]) -> str | None:
        def lineage(cls: str) -> list[str]:
            return [cls] + [c for c in self.class_ancestry(cls) if c in self.classes]

        first, *rest = [lineage(c) for c in classes]
        for candidate in first:
            if all(candidate in other for other in rest):
                return candidate
        return None

    def all_subclasses(self, cls: str) -> list[str]:
        return list(self.hierarchy.all_subclasses(cls))

    def _sdk_call(self, value: Value | None, site: Site, anthropic_imported: bool) -> SdkCall | None:
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
        if value is None and anthropic_imported:
            method = shape_looks_like_claude(site.text, site.kwargs)
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

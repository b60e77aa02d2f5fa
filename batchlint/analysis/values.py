"""Symbolic values resolved across files (a mixin of project.Project).

FileFacts hold symbolic strings such as `acme.llm.get_client().messages.create`.
`value()` evaluates one step at a time — module attribute, class, instance
attribute, function return, registry lookup, parameter — into a `Value`,
following imports and re-exports between the analyzed files. Anything outside
the project stays an external dotted name with instances collapsed to their
class (`celery.Celery().task` -> `celery.Celery.task`), which is what the
context tables in contexts.py match against.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from .clients import CLIENT_PASSTHROUGH_CALLS, client_class
from .facts import PARAM_PREFIX, UNKNOWN, parse_param_token
from .literals import LITERAL
from .patterns import matches_any
from .surfaces import OPENAI_COMPAT, names_claude_client

if TYPE_CHECKING:
    from .project import Edge

_TOKEN = re.compile(r"\(\)|[^.()]+")
# the function under a task decorator: Airflow's `task.function`, Prefect's
# `task.fn`, functools' `__wrapped__`; Ray's and Modal's `f.remote(x)`,
# Modal's `f.local(x)` and `f.spawn(x)` run the function's body too
_UNDECORATED = frozenset({"function", "fn", "__wrapped__", "remote", "local", "spawn"})
_MAX_DEPTH = 24


# Value is a named tuple, not a frozen dataclass: a project build makes tens
# of thousands of them, and a tuple is built 3x faster.
# A value that is one of several project functions (`name` joins their quals
# with "|"): what a factory returns by provider.
FUNCTIONS = "funcs"
# An object of one of several project classes with no common project base
# (`name` joins their quals with "|"): a factory's or an attribute's branches.
INSTANCES = "insts"
CLASSES = "classes"  # one of several classes with no common project base: calling it makes INSTANCES


class Value(NamedTuple):
    kind: str  # module | func | funcs | class | classes | inst | insts | client | sdk | ext | registry
    name: str  # qualified / canonical name
    path: str = ""  # sdk: attribute path on the client


_PROPERTIES = frozenset({"property", "cached_property", "cached_property_with_ttl"})


def _is_property(fn) -> bool:
    """`@property` / `@functools.cached_property`: reading the attribute runs it."""
    return any(dec.expr.rpartition(".")[2] in _PROPERTIES for dec in fn.decorators)


def may_be_claude(value: Value | None) -> bool:
    """An Anthropic SDK client (or part of one), or another surface to Claude
    (`ChatAnthropic(...)`, the OpenAI SDK at Anthropic's endpoint)."""
    if value is None:
        return False
    if value.kind in ("client", "sdk"):
        return True
    return value.kind == "ext" and (names_claude_client(value.name) or value.name.startswith(OPENAI_COMPAT))


class ValueResolver:
    """Evaluation of symbolic strings; the tables it reads (functions,
    classes, variables, imports, registries, callers) are the Project's."""

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

    def _sdk_value(self, client: str, path: str) -> Value:
        """One object for each part of each client (`client.messages.create` of every module
        of a large project is the same value): the memo keeps one a module (0.1 KiB each)."""
        key = (client, path)
        found = self._sdk_values.get(key)
        if found is None:
            found = self._sdk_values[key] = Value("sdk", client, path)
        return found

    def _attr(self, value: Value, attr: str) -> Value | None:
        kind, name = value.kind, value.name
        if kind == "module":
            return self._module_attr(name, attr)
        if kind == "class":
            return self._class_attr(name, attr, instance=False)
        if kind == "inst":
            return self._class_attr(name, attr, instance=True)
        if kind == "client":
            return self._sdk_value(name, attr)
        if kind == "sdk":
            return self._sdk_value(name, f"{value.path}.{attr}")
        if kind == "ext":
            return Value("ext", f"{name}.{attr}")
        if kind == "registry":
            return Value("registry", name, attr) if attr == "get" and not value.path else None
        if kind in (INSTANCES, CLASSES):  # each class's attribute: a method of each, say
            return self._one_of([r for cls in name.split("|")
                                 if (r := self._class_attr(cls, attr, instance=kind == INSTANCES)) is not None])
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
        if kind == CLASSES:
            return Value(INSTANCES, name)
        if kind == "registry":  # `REGISTRY.get(name)`
            if value.path == "get":
                return self._registry_value(name)
            if not value.path:
                # `registry[name]()` with `registry` a local given the dict: an element of a
                # local collection is spelled as the collection (index_names.py), so this calls one
                member = self._registry_value(name)
                return self._call(member) if member is not None else None
            return None
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
            claude = next((r for r in results if may_be_claude(r)), None)
            if claude is not None:
                return claude
            instances = list(dict.fromkeys(r.name for r in results if r.kind == "inst"))
            if len(instances) > 1:
                # a factory returning one of several decoder classes: their common
                # project base, so a method call reaches every override; else each
                return self._instances(instances)
            functions = list(dict.fromkeys(r.name for r in results if r.kind == "func"))
            if functions:
                # `return ask_openai` / `return ask_claude` by provider: calling what it
                # returns runs any of them (a `-> Protocol` / `-> Callable` annotation says less)
                return Value("func", functions[0]) if len(functions) == 1 else Value(FUNCTIONS, "|".join(functions))
            return results[0]
        if kind == "sdk":
            if value.path in CLIENT_PASSTHROUGH_CALLS:
                return Value("client", name)
            return self._sdk_value(name, value.path + "()")
        if kind == "ext":
            client = client_class(name)
            if client is not None:
                return Value("client", client)
            last = name.rpartition(".")[2]
            if last[:1].isupper():
                return Value("ext", name)  # an instance: collapse to its class
            return Value("ext", name + "()")
        return None

    def argument_for(self, edge: Edge, qual: str, position: int, name: str) -> str | None:
        """What a call passes for a parameter of `qual` (symbolic), or None."""
        fn = self.functions.get(qual)
        if fn is None:
            return None
        keys = [name]
        if position >= 0:
            # a method called as obj.method(x): the first argument fills the second parameter
            keys.append(str(position - 1 if fn[0].class_qual and position > 0 else position))
        given = dict(edge.site.arg_values)
        return next((given[k] for k in keys if k in given), None)

    def _param_value(self, token: str) -> Value | None:
        """What an untyped parameter holds: the value every analyzed caller
        passes (or their common project base class); a Claude client if some
        caller passes one (which callers do, chain_walk.py decides); unknown if
        they disagree otherwise."""
        return self._agreed(self.param_arguments(token))

    def param_arguments(self, token: str) -> list[Value]:
        """What each analyzed caller passes for an untyped parameter (those batchlint can read)."""
        if not self._params_ready:
            return []
        param = parse_param_token(token)
        fn = self.functions.get(param[0]) if param else None
        if fn is None:
            return []
        found: list[Value] = []
        skip_tests = not self.test_callers and not self.is_test(fn[1].path)
        # callers, and forwarding calls (`pool.submit(f, handler, row)`, index_calls.py)
        edges = [*self.callers.get(param[0], ()), *(e for e in self.references.get(param[0], ()) if e.site.arg_values)]
        for edge in edges:
            if skip_tests and self.is_test(edge.path):
                continue
            symbolic = self.argument_for(edge, *param)
            value = self.value(symbolic) if symbolic else None
            if value is None:
                continue
            found.append(value)
        return found

    def _agreed(self, found: list[Value]) -> Value | None:
        """One value for what several places hand over: the one they agree on;
        a Claude client if one hands one (which path does, chain_walk.py
        decides per caller); classes of one project base; objects of one
        project base, or of each class; else unknown."""
        return self._one_of(found, agree=True)

    def _field_value(self, cls: str, attr: str) -> Value | None:
        """A field of a dataclass (or attrs / pydantic / NamedTuple class) that
        constructions fill by keyword (`ModelConfig(handler=ClaudeHandler)`):
        what they agree on (_agreed)."""
        found = []
        for arg_values in self.constructions.get(cls, ()):
            symbolic = dict(arg_values).get(attr)
            value = self.value(symbolic) if symbolic else None
            if value is not None:
                found.append(value)
        return self._agreed(found)

    def _module_attr(self, module: str, attr: str) -> Value | None:
        qual = f"{module}.{attr}"
        if qual in self.registries:
            return Value("registry", qual)  # `.get(name)` looks it up (_attr)
        if attr.endswith("[]") and qual[:-2] in self.registries:
            return self._registry_value(qual[:-2])
        if attr.endswith("[]") and qual[:-2] in self.variables:
            return self.value(self.variables[qual[:-2]])  # `MODELS[0]`: a list is spelled as its element
        if qual in self.functions:
            return Value("func", self.functions[qual][0].qual)  # its own string: the memo keeps one a module
        if qual in self.classes:
            return Value("class", qual)
        if qual in self.variables:
            if qual in self.variable_alts:  # bound differently on branches: what any branch gives
                return self._one_of([v for v in map(self.value, self.variable_alts[qual]) if v is not None])
            return self.value(self.variables[qual])
        if qual in self.modules:
            return Value("module", qual)
        outside = None  # a star-imported module not parsed (it names nothing that reaches Claude)
        for symbolic in self.import_sources(module, attr):
            result = self.value(symbolic)
            if result is not None and result.kind != "ext":
                return result
            outside = outside or result
        if outside is not None:
            return outside
        if module in self.modules:
            return None
        return Value("ext", qual)

    def import_sources(self, module: str, attr: str) -> list[str]:
        """Where a name a module imports comes from: its import, else the same
        name in each module it star-imports, the last first (a later star
        import rebinds what an earlier one gave)."""
        imported = self.imports.get(module, {}).get(attr)
        if imported is not None:
            return [imported]
        return [f"{star}.{attr}" for star in reversed(self.star_imports.get(module, ()))]

    def _class_attr(self, cls: str, attr: str, instance: bool, seen: frozenset = frozenset(),
                    owner: str = "") -> Value | None:
        """`attr` of class `cls` (of an instance, if `instance`), looked up
        through its bases; `owner`, the class the lookup began at."""
        if cls in seen:
            return None
        method = f"{cls}.{attr}"
        if method in self.functions:
            if instance and _is_property(self.functions[method][0]):
                return self._call(Value("func", method))  # `settings.client`: what the property returns
            return Value("func", method)  # bound or not, calling it runs this function
        if instance and cls in self.constructions:
            field = self._field_value(cls, attr)
            if field is not None:
                return field
        attrs = self._class_attrs.get(cls, {})
        if attr in attrs:
            given = [attrs[attr], *self._attr_alts.get(cls, {}).get(attr, ())]
            found = [v for v in (self._given_value(cls, symbolic, instance, owner) for symbolic in given) if v is not None]
            if found:
                return self._one_of(found)
        entry = self.classes.get(cls)
        if entry is None:
            return None
        for base in entry[0].bases:
            base_value = self.value(base)
            if base_value is not None and base_value.kind == "class":
                result = self._class_attr(base_value.name, attr, instance, seen | {cls}, owner or cls)
                if result is not None:
                    return result
        return None

    def _given_value(self, cls: str, symbolic: str, instance: bool, owner: str) -> Value | None:
        """What an attribute of `cls` was given, read on an object of `owner`."""
        if owner and instance and symbolic.startswith(f"{cls}()."):
            # `self.client = self.init_client()` in a base class, read on a
            # subclass's object: `self` is the subclass there (its override runs)
            result = self.value(f"{owner}(){symbolic[len(cls) + 2:]}")
            if result is not None:
                return result
        return self.value(symbolic)

    def _one_of(self, found: list[Value], agree: bool = False) -> Value | None:
        """One value for what several branches give (an attribute bound in an
        `if`/`elif` chain, a method of several classes): a Claude client among
        them; objects of their common project base, or of each class; classes
        likewise; each function; else the first, as before there were
        branches. `agree` (_agreed): classes only of a common base, and no
        value where they disagree otherwise."""
        found = list(dict.fromkeys(found))
        if len(found) <= 1:
            return found[0] if found else None
        claude = next((v for v in found if may_be_claude(v)), None)
        if claude is not None:
            return claude
        objects = self._objects(found)
        if objects is not None:
            return objects
        if all(v.kind == "class" for v in found):
            base = self._common_base([v.name for v in found])
            if base is not None:
                return Value("class", base)
            return None if agree else Value(CLASSES, "|".join(v.name for v in found))
        if agree:
            return None
        if all(v.kind in ("func", FUNCTIONS) for v in found):
            names = list(dict.fromkeys(n for v in found for n in v.name.split("|")))
            return Value(FUNCTIONS, "|".join(names))
        return found[0]

    def _objects(self, found: list[Value]) -> Value | None:
        """Objects of project classes, if that is what `found` holds: of their
        common base, or of each class. An object of a class outside the
        analyzed files (another provider's SDK, an unparsed module) has no
        method of ours to reach, so the project classes' objects stand."""
        names = [name for v in found if v.kind in ("inst", INSTANCES) for name in v.name.split("|")]
        if names and all(v.kind in ("inst", INSTANCES, "ext") for v in found):
            return self._instances(list(dict.fromkeys(names)))
        return None

    def _instances(self, classes: list[str]) -> Value:
        base = self._common_base(classes)
        return Value("inst", base) if base is not None else Value(INSTANCES, "|".join(classes))

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

    def _registry_value(self, key: str) -> Value | None:
        """What `REGISTRY[name]` holds when its members agree: one value, or
        classes (objects) of one project base."""
        return self._agreed(self.registries[key])

    def _common_base(self, classes: list[str]) -> str | None:
        def lineage(cls: str) -> list[str]:
            return [cls] + [c for c in self.class_ancestry(cls) if c in self.classes]

        first, *rest = [lineage(c) for c in classes]
        for candidate in first:
            if all(candidate in other for other in rest):
                return candidate
        return None

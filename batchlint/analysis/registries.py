"""Registries: module-level dicts of functions, classes or clients looked up by key.

    API_REGISTRY = {}

    def register_api(name):
        def deco(fn):
            API_REGISTRY[name] = fn
            return fn
        return deco

    @register_api("anthropic")
    def call_anthropic(prompt): ...

    for row in rows:
        API_REGISTRY[provider](row)     # may run any registered function

    MODEL_DICT = {"claude": Claude, "openai": ChatGPT}   # classes of one base
    model_cls = MODEL_DICT.get(options.model)             # ~ MODEL_DICT[name]

The indexer records each store into a registry (FileFacts.registries) and
spells a lookup `API_REGISTRY[name]` as `module.API_REGISTRY[]`; this module
gathers each registry's members once for the whole project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .values import Value

if TYPE_CHECKING:
    from .project import Project


def registry_key(project: Project, symbolic: str) -> str:
    """One name for a registry however a file spells it (`API_REGISTRY` in its
    own module, `pkg.registry.API_REGISTRY` where imported)."""
    head, _, name = symbolic.rpartition(".")
    module = project.module_for(head) if head else None
    return f"{module}.{name}" if module else symbolic


def registry_lookup(project: Project, callee: str) -> str:
    """The registry a callee looks up (`REG[]`, `REG.get()`), or ''."""
    if callee.endswith("[]"):
        key = registry_key(project, callee[:-2])
    elif callee.endswith(".get()"):
        key = registry_key(project, callee[:-6])
    else:
        return ""
    return key if key in project.registries else ""


def build_registries(project: Project) -> dict[str, list[Value]]:
    """registry key -> what it holds that the project knows: functions,
    classes, objects (a name the project cannot resolve stays external)."""
    stores: dict[str, str] = {}  # registering function (or its decorator factory) -> registry
    members: dict[str, list[Value]] = {}

    def add(key: str, value: Value) -> None:
        known = members.setdefault(key, [])
        if value not in known:
            known.append(value)

    spreads: list[tuple[str, str]] = []
    for facts in project.files:
        if not project.test_callers and project.is_test(facts.path):
            continue  # a test's stand-in (`MODEL_DICT["x"] = Fake`) is no production member
        for kind, first, second in facts.registries:
            if kind == "spread":
                spreads.append((registry_key(project, first), registry_key(project, second)))
            elif kind == "store":
                key = registry_key(project, second)
                stores[first] = key
                fn = project.function(first)
                if fn is not None and fn.parent:  # `register_api(name)` returns the storing `deco`
                    stores.setdefault(fn.parent, key)
            else:
                value = project.value(second)
                if value is None and "(" not in second:
                    value = Value("ext", second)  # in a file not parsed (yet): prefilter.py may add it
                if value is not None and value.kind != "module":
                    add(registry_key(project, first), value)
    if stores:
        for qual, (fn, _facts) in project.functions.items():
            for dec in fn.decorators:
                value = project.value(dec.expr)
                if value is not None and value.kind == "func" and value.name in stores:
                    add(stores[value.name], Value("func", qual))
    for _ in range(3):  # {**a, **b}, where a itself spreads c: a few levels
        for key, other in spreads:
            for value in members.get(other, ()):
                add(key, value)
    return members

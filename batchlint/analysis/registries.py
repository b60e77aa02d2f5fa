"""Function registries: module-level dicts of functions looked up by key.

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

The indexer records each store into a registry (FileFacts.registries) and
spells a lookup `API_REGISTRY[name]` as `module.API_REGISTRY[]`; this module
gathers each registry's members once for the whole project."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .project import Project


def registry_key(project: Project, symbolic: str) -> str:
    """One name for a registry however a file spells it (`API_REGISTRY` in its
    own module, `pkg.registry.API_REGISTRY` where imported)."""
    head, _, name = symbolic.rpartition(".")
    module = project.module_for(head) if head else None
    return f"{module}.{name}" if module else symbolic


def build_registries(project: Project) -> dict[str, list[str]]:
    """registry key -> the project functions it holds."""
    stores: dict[str, str] = {}  # registering function (or its decorator factory) -> registry
    members: dict[str, list[str]] = {}

    def add(key: str, qual: str) -> None:
        known = members.setdefault(key, [])
        if qual not in known:
            known.append(qual)

    for facts in project.files:
        for kind, first, second in facts.registries:
            if kind == "store":
                key = registry_key(project, second)
                stores[first] = key
                fn = project.function(first)
                if fn is not None and fn.parent:  # `register_api(name)` returns the storing `deco`
                    stores.setdefault(fn.parent, key)
            else:
                value = project.value(second)
                if value is not None and value.kind == "func":
                    add(registry_key(project, first), value.name)
    if stores:
        for qual, (fn, _facts) in project.functions.items():
            for dec in fn.decorators:
                value = project.value(dec.expr)
                if value is not None and value.kind == "func" and value.name in stores:
                    add(stores[value.name], qual)
    return members

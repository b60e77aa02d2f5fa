"""Project class hierarchies, indexed once: subclasses of every class, the
overrides a method call can dispatch to, and the methods a class's subclasses
supply to it (a mixin listed beside it). Memoized per class and per method, so
a base class of thousands of subclasses is walked once, not once per call."""

from __future__ import annotations

import weakref
from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .project import Project


class Hierarchy:
    def __init__(self, project: Project) -> None:
        # not the project itself: it holds this hierarchy, and a cycle kept every project (each
        # parse round's, and the last one after the findings) until the paused collector ran
        self._project = weakref.proxy(project)
        self.subclasses: dict[str, list[str]] = defaultdict(list)
        for qual, (cls, _facts) in project.classes.items():
            for base in cls.bases:
                value = project.value(base)
                if value is not None and value.kind == "class":
                    self.subclasses[value.name].append(qual)
        self._subclass_memo: dict[str, tuple[str, ...]] = {}
        self._dispatch_memo: dict[str, tuple[str, ...]] = {}
        self._supplied_memo: dict[tuple[str, str], tuple[str, ...]] = {}

    def all_subclasses(self, cls: str) -> tuple[str, ...]:
        """Every class deriving from `cls`, at any depth."""
        known = self._subclass_memo.get(cls)
        if known is None:
            out, seen, todo = [], set(), list(self.subclasses.get(cls, ()))
            while todo:
                sub = todo.pop()
                if sub not in seen:
                    seen.add(sub)
                    out.append(sub)
                    todo.extend(self.subclasses.get(sub, ()))
            self._subclass_memo[cls] = known = tuple(out)
        return known

    def dispatch_targets(self, qual: str) -> tuple[str, ...]:
        """A function and, for a method, its overrides in every subclass."""
        known = self._dispatch_memo.get(qual)
        if known is None:
            targets = [qual]
            functions = self._project.functions
            fn = functions.get(qual)
            if fn is not None and fn[0].class_qual:
                for sub in self.all_subclasses(fn[0].class_qual):
                    override = f"{sub}.{fn[0].name}"
                    if override in functions:
                        targets.append(override)
            self._dispatch_memo[qual] = known = tuple(targets)
        return known

    def supplied_by_subclasses(self, cls: str, attr: str) -> tuple[str, ...]:
        """`self.m()` in a class that neither defines nor inherits `m`: the `m`
        each subclass's bases supply (`class Concrete(ClaudeMixin, BaseEval)`
        gives BaseEval's `self._get_completion()` ClaudeMixin's)."""
        key = (cls, attr)
        known = self._supplied_memo.get(key)
        if known is None:
            out: list[str] = []
            for sub in self.all_subclasses(cls):
                value = self._project._class_attr(sub, attr, instance=True)
                if value is not None and value.kind == "func" and value.name not in out:
                    out.append(value.name)
            self._supplied_memo[key] = known = tuple(out)
        return known

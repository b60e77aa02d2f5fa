"""The findings stage's groups: verdicts reported at the same call site with
the same code, made into one finding each (chains.py), as the calls are judged.

A group's key is (path, span, code family) of its reported site. Almost
every group is reached from one SDK call only: its finding is made as soon
as that call is judged, and the verdicts (chains of frames) are let go.
Holding every verdict until the last call was judged was the peak of a
large run (50,000 generated files: 30 MiB above the project). A group that
a later call reaches too (both branches of an `if system:` / `else:`, each
calling Claude, reported at the one loop) has its finding retracted and
made again at the end, from the verdicts of every call that reaches it,
walked again: the same group, in the same order, as when all were held.

An order places each group: the index of the call whose verdict first
reached it, and that verdict's place among the call's. The findings of a
run tie-break their sort by it, as they did by the order of making them.
A file whose call cannot be classified has all its verdicts left out, as
if never judged: the groups it reached are made again without them.
"""

from __future__ import annotations

from collections.abc import Callable

_SHIFT = 32  # order = call index << _SHIFT | place of the verdict among the call's


class Groups:
    """`verdicts_of(index)`: the (key, entry) pairs of one call, in the order
    judged. `make(order, entries)`: makes the group's finding, returns None or
    (path, exception) when its estimate failed. `retract(order)`: drops the
    finding made for a group."""

    def __init__(self, calls: list, verdicts_of: Callable, make: Callable, retract: Callable) -> None:
        self._calls = calls
        self._verdicts_of = verdicts_of
        self._make = make
        self._retract = retract
        self._first: dict[tuple, int] = {}  # key -> order of the group's first verdict
        self._shared: dict[tuple, list[int]] = {}  # key -> the calls reaching a group several calls reach
        self._unclassified: set[str] = set()  # files a call of which could not be classified
        self._estimates: dict[int, tuple[str, Exception]] = {}  # order -> why a made group has no finding
        self._estimate_paths: set[str] = set()

    def failed(self, path: str) -> bool:
        return path in self._unclassified

    def classify_failed(self, path: str) -> None:
        self._unclassified.add(path)

    def add(self, index: int, judged: list[tuple[tuple, tuple]]) -> None:
        """One call's verdicts: a group it reaches first is made now."""
        here: dict[tuple, tuple[int, list]] = {}
        for place, (key, entry) in enumerate(judged):
            found = here.get(key)
            if found is None:
                here[key] = (place, [entry])
            else:
                found[1].append(entry)
        for key, (place, entries) in here.items():
            order = self._first.get(key)
            if order is None:
                order = self._first[key] = index << _SHIFT | place
                self._made(order, entries)
                continue
            calls = self._shared.get(key)
            if calls is None:
                self._shared[key] = [order >> _SHIFT, index]
                self._undo(order)
            else:
                calls.append(index)

    def finish(self) -> None:
        """Make again each group several calls reach, and each group a file
        that failed reached, without that file's verdicts."""
        unclassified = self._unclassified
        redo = dict(self._shared)
        if unclassified:
            for key, order in self._first.items():
                if key not in redo and self._path(order >> _SHIFT) in unclassified:
                    redo[key] = []  # reached from that file only: no group left
                    self._undo(order)
        self._first.clear()
        needed = sorted({i for calls in redo.values() for i in calls if self._path(i) not in unclassified})
        regrouped: dict[tuple, tuple[int, list]] = {}
        for index in needed:
            for place, (key, entry) in enumerate(self._verdicts_of(index)):
                if key in redo:
                    found = regrouped.get(key)
                    if found is None:
                        regrouped[key] = (index << _SHIFT | place, [entry])
                    else:
                        found[1].append(entry)
        for order, entries in sorted(regrouped.values(), key=lambda group: group[0]):
            self._made(order, entries)

    def estimate_failures(self) -> list[tuple[str, Exception]]:
        """Per file (of the calls judged), the first estimate that failed, in the groups' order."""
        out = []
        for order in sorted(self._estimates):
            path, exc = self._estimates[order]
            if path not in self._unclassified and path not in self._estimate_paths:
                self._estimate_paths.add(path)
                out.append((path, exc))
        return out

    def failed_paths(self) -> set[str]:
        return self._unclassified | self._estimate_paths

    def _made(self, order: int, entries: list) -> None:
        failure = self._make(order, entries)
        if failure is not None:
            self._estimates[order] = failure

    def _undo(self, order: int) -> None:
        self._retract(order)
        self._estimates.pop(order, None)

    def _path(self, index: int) -> str:
        return self._calls[index][1].path

"""Findings held packed while the analysis that made them is still held.

A large run peaked at the end of the findings stage, holding every file's
facts, the project built from them and every finding at once (50,000
files: 1.4 KiB of findings a file on top of 4.8 of facts and project).
The findings stage packs its findings as it makes them, in chunks: pickled
(our own objects, made in this process and never written anywhere) and
zlib-compressed, about 50-600 bytes a finding against 1.4 KiB as objects.
The caller unpacks them once it has let go of the facts and the project,
into the memory those held (analyze.check_sources).

Estimates are kept as themselves, not packed: equal estimates are one
object (savings.estimate), and stay one object after unpacking.

Each finding is held with the order of the group it came from (chains.py
makes a group's findings as soon as its first verdict is judged, and makes
a group again, later, when another call's verdict joins it): findings of
a group made again are retracted, and the order breaks ties of the sort
as the order of making them did.
"""

from __future__ import annotations

import copyreg
import io
import itertools
import operator
import pickle
import zlib

from ..model import Estimate, Finding, Location

_CHUNK = 256  # findings a chunk: pickled together, equal strings of a file's findings are stored once

# A slotted frozen dataclass pickles through its own __getstate__ and comes back
# through setattr calls: as (class, field values) it packs 2x and unpacks 1.5x faster.
_finding_values = operator.attrgetter(*Finding.__slots__)
_location_values = operator.attrgetter(*Location.__slots__)
_TABLE = copyreg.dispatch_table.copy()
_TABLE[Finding] = lambda finding: (Finding, _finding_values(finding))
_TABLE[Location] = lambda location: (Location, _location_values(location))


class _Pickler(pickle.Pickler):
    dispatch_table = _TABLE

    def __init__(self, file, estimates: list[Estimate], numbers: dict[int, int]) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._estimates = estimates
        self._numbers = numbers

    def persistent_id(self, obj):
        if type(obj) is not Estimate:
            return None
        number = self._numbers.get(id(obj))
        if number is None:  # kept in the list, so its id stays its own
            number = self._numbers[id(obj)] = len(self._estimates)
            self._estimates.append(obj)
        return number


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, estimates: list[Estimate]) -> None:
        super().__init__(file)
        self._estimates = estimates

    def persistent_load(self, number):
        return self._estimates[number]


class PackedFindings:
    """Findings appended one by one, held packed; `unpack()` gives them back
    as they were (equal, estimates identical), sorted, without those of the
    files `drop()` named or of the groups `retract()` named."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._pending: list[Finding] = []
        self._orders: list[int] = []  # each pending finding's group
        self._retracted: set[int] = set()
        self._again: list[tuple[int, Finding]] = []  # groups made again after their retraction: few, held as they are
        self._estimates: list[Estimate] = []
        self._numbers: dict[int, int] = {}  # id(estimate) -> its place in _estimates
        self._dropped: set[str] = set()

    def extend(self, findings: list[Finding], order: int = 0) -> None:
        """`order`: the group's place; ties of Finding.sort_key come out in its order, then as added.
        A group retracted and made again is added again with its order."""
        if order in self._retracted:
            self._again += [(order, finding) for finding in findings]
            return
        self._pending += findings
        self._orders += [order] * len(findings)
        if len(self._pending) >= _CHUNK:
            self._pack()

    def retract(self, order: int) -> None:
        """Leave out the findings added with `order` (their group is made again)."""
        self._retracted.add(order)

    def drop(self, paths: set[str]) -> None:
        """Leave out the findings whose SDK call is in one of `paths` (files whose stage failed)."""
        self._dropped |= paths

    def _pack(self) -> None:
        if not self._pending:
            return
        buffer = io.BytesIO()
        _Pickler(buffer, self._estimates, self._numbers).dump((self._orders, self._pending))
        self._chunks.append(zlib.compress(buffer.getvalue(), 1))
        self._pending, self._orders = [], []

    def unpack(self) -> list[Finding]:
        """Every finding, sorted (Finding.sort_key). Once: the chunks are let go as they are read."""
        chunks, self._chunks = self._chunks[::-1], []
        orders: list[int] = []
        out: list[Finding] = []
        while chunks:
            chunk_orders, findings = _Unpickler(io.BytesIO(zlib.decompress(chunks.pop())), self._estimates).load()
            orders += chunk_orders
            out += findings
        orders += self._orders
        out += self._pending
        self._pending, self._orders = [], []
        if self._dropped or self._retracted:
            dropped, retracted = self._dropped, self._retracted
            kept = [(o, f) for o, f in zip(orders, out) if o not in retracted and f.call.path not in dropped]
            kept += [(o, f) for o, f in self._again if f.call.path not in dropped]
            orders, out = [o for o, _ in kept], [f for _, f in kept]
        if any(a > b for a, b in itertools.pairwise(orders)):  # a group made again came last: put it in its place
            out = [out[i] for i in sorted(range(len(out)), key=orders.__getitem__)]
        out.sort(key=Finding.sort_key)  # stable: ties stay in the groups' order
        return out

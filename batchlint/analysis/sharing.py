"""One copy of each equal string, flag set and tuple of strings across files' facts.

Files of one project repeat the same values: `""`, `"?"`, keyword names,
`"for loop over `rows`"`, `frozenset({"awaited"})`, `("model", ...)` pairs,
import targets. Built apart (in a worker, by unpickling, by decoding a cache
entry), each file holds its own copies: on 2,000 generated files, 3.4 KiB a
file of strings and flag sets and 1.3 KiB of tuples, against 0.9 and 0.4 KiB
of distinct values. The cross-file analysis keeps every file's facts until
the end of the run, so the main process swaps each file's values for the
first equal one it kept (`Sharer.share`), once, as the facts arrive.

Values are swapped in place in the fact objects: equal values, so every
hash, comparison and reader sees the same facts. Fact objects themselves are
not shared (readers key some tables by a site's identity); nor are tuples
holding anything but strings (hashing a tuple of sites hashes every site).
The walk follows the classes' field types: one generated function per class
(as dataclasses and cache_codec do), 10-20 us a file.
"""

from __future__ import annotations

import dataclasses
import types
import typing

from ..cache_codec import _annotation
from .facts import CLASSES

_EMPTY: frozenset = frozenset()
# Values kept at most (then the table starts over): most of a large project's
# values are its files' own (paths, qualified names), never met again, and a
# table of them all was the peak of the parse (50,000 files: about 60 MiB while
# it grew). A value every file repeats is kept again at the next file.
_LIMIT = 1 << 17


class Sharer:
    """The values kept so far, for one run: `share(facts)` makes a file's
    facts (a FileFacts) point at them."""

    def __init__(self) -> None:
        self._kept: dict = {}
        self._scope = _functions(self._kept)
        self._share = self._scope[f"share_{CLASSES[-1].__name__}"]

    def share(self, facts):
        if len(self._kept) > _LIMIT:
            self._kept.clear()
        self._share(facts)
        return facts

    def close(self) -> None:
        """Let the table go: the generated functions and their scope refer to
        each other, a cycle the paused garbage collector (analyze.py) would
        keep, with the table, to the end of the run."""
        self._kept.clear()
        self._scope.clear()


def _functions(kept: dict) -> dict:
    """The scope holding `share_<class>` for each class: a function sharing
    an instance's values, built for `kept`."""
    scope: dict = {"kept": kept, "EMPTY": _EMPTY, "pairs": _pairs(kept), "strings": _strings(kept)}
    source = []
    shared = set()  # the classes with something to share (not Span: numbers only)
    for cls in CLASSES:  # a class after the classes of its fields
        body = []
        for f in dataclasses.fields(cls):
            line = _line(f.name, _annotation(cls, f.type), shared)
            if line:
                body.append(line)
        if body:
            shared.add(cls)
            source += [f"def share_{cls.__name__}(o):", *(f"    {line}" for line in body)]
    exec("\n".join(source), scope)  # noqa: S102 - our own text, from the classes' fields
    return scope


def _line(name: str, hint, shared: set) -> str:
    """The statement sharing field `name` of `o`, of type `hint` ("" : nothing to share)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is str:
        return f"v = o.{name}; o.{name} = kept.setdefault(v, v)"
    if hint in CLASSES:
        return f"share_{hint.__name__}(o.{name})" if hint in shared else ""
    if origin in (typing.Union, types.UnionType) and args[0] in CLASSES:
        return f"v = o.{name}\n    if v is not None: share_{args[0].__name__}(v)" if args[0] in shared else ""
    if origin is frozenset and args == (str,):
        return f"v = o.{name}; o.{name} = kept.setdefault(v, v) if v else EMPTY"
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if item in CLASSES:
            return f"for v in o.{name}: share_{item.__name__}(v)" if item in shared else ""
        if item is str:
            return f"v = o.{name}\n    if v: o.{name} = strings(v)"
        if item == tuple[str, str]:
            return f"v = o.{name}\n    if v: o.{name} = pairs(v)"
    return ""  # numbers, spans' ints, the few mixed tuples: nothing repeated worth a lookup


def _strings(kept: dict):
    def strings(value: tuple) -> tuple:
        found = kept.get(value)
        if found is None:
            found = tuple([kept.setdefault(v, v) for v in value])
            kept[found] = found
        return found
    return strings


def _pairs(kept: dict):
    def pairs(value: tuple) -> tuple:
        found = kept.get(value)
        if found is None:
            out = []
            for pair in value:
                shared = kept.get(pair)
                if shared is None:
                    a, b = pair
                    shared = (kept.setdefault(a, a), kept.setdefault(b, b))
                    kept[shared] = shared
                out.append(shared)
            found = tuple(out)
            kept[found] = found
        return found
    return pairs

"""The cache's JSON encoding of a fixed set of classes, and its checked decoding.

A record is an array led by a tag: "\0" + class name, "\0s" for a
frozenset; a tuple is a plain array, a ContextKind its string. Arrays decode
much faster than objects, and no analyzed string can start with NUL (files
holding NUL bytes are rejected when read).

A cache entry may come from anywhere (a cache folder committed to a pull
request), so decoding is driven by the classes' field types, never by the
data: every value must have its field's type (an int is not a bool, a float
is finite), numbers stay within bounds, every record has exactly its class's
fields. Anything else raises Invalid and the caller analyzes the file again.
Decoding recurses over the types, not the data, so its depth is bounded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import operator
import sys
import types
import typing

try:
    from _blake2 import blake2b  # see cache.py: hashlib would load OpenSSL first
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b

from . import model as _model


class Invalid(Exception):
    """The data is not an encoding of the expected type."""


_SCALARS = frozenset((str, int, float, bool, type(None)))
_MAX_INT = 2**53  # what any number in an analysis can reach (and what a float holds exactly)
_MAX_FLOAT = 1e300
# Fields counting lines, columns, sizes or files: never negative.
_NON_NEGATIVE = frozenset(("line", "column", "end_line", "end_column", "header_line", "files_checked",
                           "files_parsed", "suppressed", "max_tokens", "prompt_chars", "system_chars", "fields"))
# Fields whose annotation does not say enough to check them.
_EXACT_TYPES = {"suppressed_findings": tuple[tuple[_model.Finding, str], ...]}


def _str(v):
    if type(v) is not str:
        raise Invalid
    return v


def _bool(v):
    if type(v) is not bool:
        raise Invalid
    return v


def _none(v):
    if v is not None:
        raise Invalid
    return v


def _int(low: int):
    def check(v):
        if type(v) is not int or not low <= v <= _MAX_INT:
            raise Invalid
        return v
    return check


def _float(low: float):
    def check(v):
        # an int where a float is declared: the analysis computed a whole number
        if type(v) is float:
            if not (math.isfinite(v) and low <= v <= _MAX_FLOAT):
                raise Invalid
        elif type(v) is not int or not low <= v <= _MAX_INT:
            raise Invalid
        return v
    return check


def _context_kind(v):
    if type(v) is not str:
        raise Invalid
    try:
        return _model.ContextKind(v)
    except ValueError:
        raise Invalid from None


def _strings(v):
    if type(v) is not list or any(type(x) is not str for x in v):
        raise Invalid
    return tuple(v)


def _string_pairs(v):
    if type(v) is not list:
        raise Invalid
    for pair in v:
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or type(pair[1]) is not str:
            raise Invalid
    return tuple([(a, b) for a, b in v])


def as_written(value) -> tuple:
    """A record's field values as a key that tells apart what JSON writes
    differently although equal: 3000 and 3000.0, 0.0 and -0.0 (float.hex)."""
    get = _field_getters.get(type(value))
    if get is None:
        get = _field_getters[type(value)] = operator.attrgetter(*(f.name for f in dataclasses.fields(value)))
    return tuple(v.hex() if type(v) is float else (type(v), v) for v in get(value))


_field_getters: dict[type, operator.attrgetter] = {}
_NO_FLAGS = ["\0s"]  # an empty frozenset as dumps writes it (read by the json encoder, never changed)


class Codec:
    """Encodes instances of `classes` (and tuples, frozensets, scalars of
    their fields) as JSON values, and decodes them back as a given type.
    Records are decoded by field position, so `layout` (a hash of every
    class's fields and of this encoding) names the cache folders: a change
    must not read old ones."""

    def __init__(self, classes: tuple, generate: bool = False, shared_fields: frozenset = frozenset(),
                 shared_classes: dict | None = None) -> None:
        """`generate`: compile one decoder per class (2-3 ms for a few classes,
        paid back when the entries hold millions of values, as facts do).
        Inside `sharing()`, equal values decoded are one object: the strings of
        the fields named in `shared_fields`, and the records of the classes in
        `shared_classes` (class -> the key telling two apart)."""
        self._generate = generate
        self._shared_fields = shared_fields
        self._shared_classes = shared_classes or {}
        self._table: dict | None = None  # while sharing(): value or key -> the first one decoded
        self._remembered: dict | None = None  # while remembering(): id -> (record, its JSON value)
        self._remember: tuple = ()
        self._fields = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in classes}
        self._tag = {cls: "\0" + cls.__name__ for cls in classes}
        # every field's value in one call (a class with one field gets a 1-tuple too)
        self._getters = {cls: (operator.attrgetter(*f) if len(f) > 1 else (lambda v, n=f[0]: (getattr(v, n),)))
                         for cls, f in self._fields.items()}
        self.classes = {cls.__name__: cls for cls in classes}
        self._as_list = {cls: (lambda v, tag=self._tag[cls], get=get: [tag, *get(v)]) for cls, get in self._getters.items()}
        self._json = json.JSONEncoder(default=self._plain, separators=(",", ":"), allow_nan=False, check_circular=False)
        self._records: dict[type, typing.Callable] = {}  # class -> decoder, built on first use
        self._decoders: dict = {}  # type asked of decoded() -> its decoder (a result's lines ask thousands of times)
        described = sorted((cls.__name__, fields) for cls, fields in self._fields.items())
        self.layout = blake2b(repr((4, described)).encode(), digest_size=6).hexdigest()

    # ------------------------------------------------------------ encode
    def encode(self, value):
        kind = type(value)
        if kind in _SCALARS:
            return value
        encode = self.encode  # scalars (most values) are passed through without a call
        getter = self._getters.get(kind)
        if getter is not None:
            return [self._tag[kind], *[v if type(v) in _SCALARS else encode(v) for v in getter(value)]]
        if kind is tuple or kind is list:
            return [v if type(v) in _SCALARS else encode(v) for v in value]
        if kind is frozenset:
            return ["\0s", *sorted(v if type(v) in _SCALARS else encode(v) for v in value)]
        if isinstance(value, _model.ContextKind):
            return value.value  # as json writes it (dumps): a str subclass is a string
        raise TypeError(f"cannot cache a {kind.__name__}")

    def dumps(self, value) -> str:
        """`json.dumps(self.encode(value))`, 2-3x faster: the json module's
        C encoder walks the value and calls back only for a record or a
        frozenset (a tuple it writes as the array encode makes of it), where
        encode builds a list in Python for every tuple and record. Raises
        ValueError for nan or infinity, TypeError for a value of no known class."""
        return self._json.encode(value)

    @contextlib.contextmanager
    def remembering(self, *classes):
        """Within the block, dumps() turns each record of `classes` into its
        JSON value once per object, not once per time it is met: a run's
        findings share a few estimates (savings.estimate), each with its
        assumptions, that the run-level entry wrote record by record for
        every finding. The records must stay alive during the block."""
        self._remembered, self._remember = {}, classes
        try:
            yield
        finally:
            self._remembered, self._remember = None, ()

    def _plain(self, value):
        if self._remembered is not None and type(value) in self._remember:
            found = self._remembered.get(id(value))
            if found is None:  # the record is kept with it: its id stays its own
                found = self._remembered[id(value)] = (value, self.encode(value))
            return found[1]
        record = self._as_list.get(type(value))
        if record is not None:
            return record(value)
        if type(value) is frozenset and all(type(v) is str for v in value):
            return ["\0s", *sorted(value)] if value else _NO_FLAGS  # most flag sets are empty
        return self.encode(value)  # a frozenset of records: the general way (or its TypeError)

    # ------------------------------------------------------------ decode
    def decoded(self, raw, expected):
        """`raw` decoded as `expected` (a class or a type like tuple[X, ...]),
        or None when it is not one: from elsewhere, damaged or forged."""
        decode = self._decoders.get(expected)
        if decode is None:
            decode = self._decoders[expected] = self.decoder(expected)
        try:
            return decode(raw)
        except (Invalid, RecursionError):
            return None

    @contextlib.contextmanager
    def sharing(self):
        """Decode with equal values shared (see __init__) until the block ends."""
        self._table = {}
        try:
            yield
        finally:
            self._table = None

    def _shared_str(self, v):
        if type(v) is not str:
            raise Invalid
        table = self._table
        return v if table is None else table.setdefault(v, v)

    def decoder(self, hint, name: str = ""):
        """The function decoding a value of type `hint` (field `name`), raising Invalid."""
        if hint in self._fields:
            return self._record(hint)
        if hint is str:
            return self._shared_str if name in self._shared_fields else _str
        if hint is bool:
            return _bool
        if hint is type(None):
            return _none
        if hint is int:
            return _int(0 if name in _NON_NEGATIVE else -_MAX_INT)
        if hint is float:
            return _float(-_MAX_FLOAT)
        if hint is _model.ContextKind:
            return _context_kind
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            options = [self.decoder(a, name) for a in args if a is not type(None)]
            optional = len(options) < len(args)
            if len(options) != 1:
                raise TypeError(f"cannot decode {hint}")
            (single,) = options
            return (lambda v: None if v is None else single(v)) if optional else single
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            if args[0] is str:
                return _strings
            if args[0] == tuple[str, str]:
                return _string_pairs
            item = self.decoder(args[0], name)

            def many(v):
                if type(v) is not list:
                    raise Invalid
                return tuple([item(x) for x in v])
            return many
        if origin is tuple and args:
            items = [self.decoder(a, name) for a in args]

            def fixed(v):
                if type(v) is not list or len(v) != len(items):
                    raise Invalid
                return tuple([d(x) for d, x in zip(items, v)])
            return fixed
        if origin is frozenset and len(args) == 1:
            item = self.decoder(args[0], name)

            def members(v):
                if type(v) is not list or not v or v[0] != "\0s":
                    raise Invalid
                return frozenset([item(x) for x in v[1:]])
            return members
        raise TypeError(f"cannot decode {hint}")

    def _record(self, cls):
        """The decoder of `cls`'s records, built on first use."""
        decode = self._records.get(cls)
        if decode is not None:
            return decode
        fields = [(f.name, _EXACT_TYPES.get(f.name) or _annotation(cls, f.type)) for f in dataclasses.fields(cls)]
        build = self._generated if self._generate else self._closure
        decode = build(cls, self._tag[cls], fields)
        key = self._shared_classes.get(cls)
        if key is not None:
            def decode(v, fresh=decode, key=key, cls=cls):
                value = fresh(v)
                table = self._table
                return value if table is None else table.setdefault((cls, key(value)), value)
        self._records[cls] = decode
        return decode

    def _closure(self, cls, tag, fields):
        decoders = [self.decoder(hint, name) for name, hint in fields]
        size = len(decoders) + 1

        def decode(v):
            if type(v) is not list or len(v) != size or v[0] != tag:
                raise Invalid
            return cls(*[d(x) for d, x in zip(decoders, v[1:])])
        return decode

    def _generated(self, cls, tag, fields):
        """One function per class (as dataclasses generates __init__): scalar
        fields checked inline, so a record costs one call, not one per field."""
        names = [f"f{i}" for i in range(len(fields))]
        scope = {"Invalid": Invalid, "cls": cls, "tag": tag}
        checks, values = [], []
        for var, (field, hint) in zip(names, fields):
            if hint is str or hint is bool:
                checks.append(f"type({var}) is not {hint.__name__}")
                values.append(var)
            elif hint is int:
                low = 0 if field in _NON_NEGATIVE else -_MAX_INT
                checks.append(f"type({var}) is not int or not {low} <= {var} <= {_MAX_INT}")
                values.append(var)
            else:
                scope[f"d_{var}"] = self.decoder(hint, field)
                values.append(f"d_{var}({var})")
        lines = [
            "def decode(v):",
            f"    if type(v) is not list or len(v) != {len(names) + 1} or v[0] != tag:",
            "        raise Invalid",
            f"    _, {', '.join(names)}, = v",
            *([f"    if {' or '.join(f'({c})' for c in checks)}:", "        raise Invalid"] if checks else []),
            f"    return cls({', '.join(values)})",
        ]
        exec("\n".join(lines), scope)  # noqa: S102 - our own text, from the classes' fields
        return scope["decode"]


_PLAIN = {"str": str, "int": int, "bool": bool, "float": float}
_evaluated: dict[tuple[str, str], object] = {}


def _annotation(cls, hint):
    """A field's annotation as a type: the plain ones looked up, the others
    evaluated once in the class's module (typing.get_type_hints evaluates
    every one, every time: 2 ms of a warm run)."""
    if not isinstance(hint, str):
        return hint
    plain = _PLAIN.get(hint)
    if plain is not None:
        return plain
    key = (cls.__module__, hint)
    if key not in _evaluated:
        _evaluated[key] = eval(hint, vars(sys.modules[cls.__module__]))  # batchlint's own annotations
    return _evaluated[key]

"""Analysis results kept between runs (`.batchlint_cache/`).

Run level: the whole CheckResult, keyed by everything it depends on (each
Python and schedule file's path, size, modification time and mode, the
config, the working directory, batchlint's and Python's versions). A re-run
on an unchanged tree stats the files and returns.

File level: what a file parses to (its FileFacts, or a BL001 error) depends
only on its text, its path and module name and the two versions, so that is
the key; when anything changed, cross-file conclusions are recomputed from
the cached facts, which is how a change to one file reaches everything that
depends on it.

Schedule files: what they declare, under the stamp of their paths, sizes,
modification times and modes, so a Python edit does not re-read them.

All of it is JSON decoded into a fixed set of classes — never pickle — so a
cache directory committed to a repository cannot make batchlint run code.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import os
import sys

try:
    # CPython's built-in BLAKE2: `import hashlib` loads OpenSSL first, 3 ms of
    # a 70 ms warm run, for the same function
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b

from . import model as _model
from ._version import __version__
from .discovery import read_regular_file
from .external import ExternalSchedule

CACHE_DIR_NAME = ".batchlint_cache"


class _Codec:
    """Encodes a fixed set of classes as JSON arrays and back.

    A record is an array led by a tag: "\0" + class name, "\0s" for a
    frozenset, "\0k" for a ContextKind; any other array is a tuple. Arrays
    decode much faster than objects, and no analyzed string can start with
    NUL (files holding NUL bytes are rejected when read). Records are
    decoded by field position, so `layout` (a hash of every class's fields
    and of this encoding) names the files: a change must not read old ones."""

    def __init__(self, classes: tuple) -> None:
        self._fields = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in classes}
        self._tag = {cls: "\0" + cls.__name__ for cls in classes}
        # every field's value in one call (a class with one field gets a 1-tuple too)
        self._getters = {cls: (operator.attrgetter(*f) if len(f) > 1 else (lambda v, n=f[0]: (getattr(v, n),)))
                         for cls, f in self._fields.items()}
        self._by_tag = {tag: cls for cls, tag in self._tag.items()}
        self.classes = {cls.__name__: cls for cls in classes}
        described = sorted((cls.__name__, fields) for cls, fields in self._fields.items())
        self.layout = blake2b(repr((2, described)).encode(), digest_size=6).hexdigest()

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
            return ["\0k", value.value]
        raise TypeError(f"cannot cache a {kind.__name__}")

    def decode(self, value):
        if type(value) is not list:
            return value
        decode = self.decode  # scalars (most values) are passed through without a call
        head = value[0] if value else None
        if type(head) is str and head[:1] == "\0":
            if head == "\0s":
                return frozenset([v if type(v) is not list else decode(v) for v in value[1:]])
            if head == "\0k":
                return _model.ContextKind(value[1])
            # KeyError for any other tag: the entry is dropped
            return self._by_tag[head](*[v if type(v) is not list else decode(v) for v in value[1:]])
        return tuple([v if type(v) is not list else decode(v) for v in value])

    def decoded(self, raw, cls):
        """The entry as a `cls`, or None for an entry from elsewhere or damaged."""
        if raw is None:
            return None
        try:
            value = self.decode(raw)
        except (KeyError, TypeError, ValueError):
            return None
        return value if isinstance(value, cls) else None


_SCALARS = frozenset((str, int, float, bool, type(None)))
# The run level holds results only: a warm run never imports the analysis.
_RUNS = _Codec((_model.Location, _model.FixStatus, _model.Finding, _model.FileError, _model.CheckResult,
                _model.Assumption, _model.Estimate))
_SCHEDULES = _Codec((ExternalSchedule,))
_facts_codec: _Codec | None = None


def _facts() -> _Codec:
    global _facts_codec
    if _facts_codec is None:
        from .analysis import facts

        _facts_codec = _Codec((*facts.CLASSES, _model.FileError))
    return _facts_codec


def _digest(parts) -> str:
    digest = blake2b(digest_size=20)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _read_json(path: str):
    """The JSON in a regular file, or None. A cache directory may come from
    anywhere (a committed one): a FIFO or device in it must not block or
    flood the run."""
    try:
        return json.loads(read_regular_file(path))
    except (OSError, ValueError):
        return None


# What a file parses to depends on the running Python too: 3.12 reads f-strings
# that 3.11 rejects (BL001), so neither level answers for another version.
_PYTHON = "%d.%d" % sys.version_info[:2]


def file_key(path: str, module: str, is_package: bool, text: str, renamed_neighbours: tuple = ()) -> str:
    # renamed neighbours change what the file's imports name; most files have none
    neighbours = (repr(renamed_neighbours),) if renamed_neighbours else ()
    return _digest((__version__, _PYTHON, path, module, str(is_package), text, *neighbours))


def _facts_folder(directory: str) -> str:
    return os.path.join(directory, f"facts-{__version__}-{_facts().layout}")


def write_facts(directory: str, key: str, outcome) -> None:
    """Write one file's entry (atomically): its FileFacts, or the FileError its
    text gives (a syntax error; syntax newer than this Python, whose check
    loads LibCST: 0.15 s a run otherwise). Called where the file was parsed,
    so with --jobs the encoding runs in the workers."""
    folder = _facts_folder(directory)
    _write_json(directory, os.path.join(folder, key + ".json"), _facts().encode(outcome), folder)


class FactsCache:
    """One small JSON file per parsed file's facts, in a folder per layout:
    a run reads only the entries it needs and writes only the new ones (one
    monolithic file cost 0.4 s to load and rewrite on a 3,155-file tree for a
    one-file edit). Entries this run did not use are removed when it wrote
    something, so the folder holds one tree's worth."""

    def __init__(self, directory: str | None) -> None:
        self.directory = directory
        self._used: set[str] = set()
        self._wrote = False

    def get(self, key: str):
        """The stored FileFacts or FileError, or None."""
        if not self.directory:
            return None
        raw = _read_json(os.path.join(_facts_folder(self.directory), key + ".json"))
        codec = _facts()
        outcome = codec.decoded(raw, (codec.classes["FileFacts"], _model.FileError))
        if outcome is None:
            return None  # from elsewhere, or damaged: parse again
        self._used.add(key)
        return outcome

    def stored(self, key: str) -> None:
        """The entry for `key` was written (by write_facts, where the file was parsed)."""
        self._used.add(key)
        self._wrote = True

    def save(self) -> None:
        """Drop the entries this run did not use, if it wrote any."""
        if not self.directory or not self._wrote:
            return
        _drop_entries(_facts_folder(self.directory), {key + ".json" for key in self._used})


class RunCache:
    """The last few whole results, one file each, named by the key of
    everything they depend on: a warm run reads only its own entry."""

    _KEEP = 8  # e.g. full runs and changed-files runs of a few branches

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._folder = os.path.join(directory, f"runs-{__version__}-{_RUNS.layout}")

    @staticmethod
    def key(parts: list[str]) -> str:
        return _digest((__version__, _PYTHON, _RUNS.layout, *parts))

    def get(self, key: str):
        path = os.path.join(self._folder, key + ".json")
        result = _RUNS.decoded(_read_json(path), _model.CheckResult)
        if result is not None:
            try:
                os.utime(path)  # recently used: kept when older entries are dropped
            except OSError:
                pass
        return result

    def put(self, key: str, result) -> None:
        _write_json(self.directory, os.path.join(self._folder, key + ".json"), _RUNS.encode(result), self._folder)
        try:
            entries = [e for e in os.scandir(self._folder) if e.name.endswith(".json") and e.is_file(follow_symlinks=False)]
            entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns, reverse=True)
            for stale in entries[self._KEEP:]:
                os.unlink(stale.path)
        except OSError:
            pass


class ScheduleCache:
    """What the schedule files outside Python declare, keyed by all their
    paths, sizes, modification times and modes: after a Python edit, a run
    does not read again the thousands of YAML configs an eval harness carries
    (0.23 s of a one-file-edit run on the 3,155-file tree). One entry kept."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._folder = os.path.join(directory, f"schedules-{__version__}-{_SCHEDULES.layout}")

    def reader(self, stamp: str, read):
        """`read` (returning (schedules, notices)), answered from the cache
        when the files are as `stamp` describes them."""
        path = os.path.join(self._folder, _digest((__version__, _PYTHON, stamp)) + ".json")

        def cached():
            stored = _SCHEDULES.decoded(_read_json(path), tuple)
            if (stored is not None and len(stored) == 2 and all(type(part) is tuple for part in stored)
                    and all(isinstance(s, ExternalSchedule) for s in stored[0])
                    and all(isinstance(n, str) for n in stored[1])):
                return list(stored[0]), list(stored[1])
            schedules, notices = read()
            _write_json(self.directory, path, _SCHEDULES.encode((tuple(schedules), tuple(notices))), self._folder)
            _drop_entries(self._folder, {os.path.basename(path)})
            return schedules, notices

        return cached


def _drop_entries(folder: str, keep: set[str]) -> None:
    """Remove the folder's .json entries whose names are not in `keep`."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.endswith(".json") and name not in keep:
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass


def _write_json(directory: str, path: str, data, folder: str | None = None) -> None:
    """Atomically (in `folder`, default the cache directory), with the cache
    directory's .gitignore; a read-only checkout still gets its answer, just
    not faster next time."""
    folder = folder or directory
    try:
        os.makedirs(folder, exist_ok=True)
        marker = os.path.join(directory, ".gitignore")
        if not os.path.exists(marker):
            with open(marker, "w", encoding="utf-8") as handle:
                handle.write("# Created by batchlint\n*\n")
        import tempfile  # only when writing: a warm run does not

        # a fresh O_EXCL name: a planted symlink in a committed cache cannot redirect the write
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".cache-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, separators=(",", ":")))
        os.replace(tmp, path)
    except OSError:
        pass


def clean(directory: str) -> bool:
    """Remove a cache directory; only one batchlint made (it holds our .gitignore)."""
    if os.path.isdir(directory) and os.path.isfile(os.path.join(directory, ".gitignore")):
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
        return True
    return False

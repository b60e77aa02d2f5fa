"""Analysis results kept between runs (`.batchlint_cache/`).

Run level: the whole CheckResult, keyed by everything it depends on (each
Python and schedule file's path, size, modification time and mode, the
config, the working directory, batchlint's and Python's versions). A re-run
on an unchanged tree stats the files and returns.

File level: what a file parses to (its FileFacts, or a BL001 error) depends
only on its text, its path and module name and the two versions, so that is
the key; when anything changed, cross-file conclusions are recomputed from
the cached facts, which is how a change to one file reaches everything that
depends on it. These entries live in one pack file (facts_cache.py).

Schedule files: what they declare, under the stamp of their paths, sizes,
modification times and modes, so a Python edit does not re-read them.

A cache folder may come from a pull request, so none of it is trusted:
- It is JSON decoded into a fixed set of classes, each value checked against
  its field's type and bounds (cache_codec.py) — never pickle — so an entry
  cannot make batchlint run code, crash, or hand it a value of a wrong type.
- Each entry starts with its key and a checksum of its data: an entry copied
  over another's (the key is a hash of the file's content), truncated or
  edited by hand is discarded and the file analyzed again.
- A cache folder that is a symbolic link, or holds one, is not used at all
  (`unsafe_link`), and entries are opened without following links: nothing
  batchlint reads, writes or removes there can lead out of the folder.
What it cannot stop is an entry forged with the right key and checksum (they
are computed from public content): in CI on pull requests, use --no-cache or
a cache directory outside the checkout (docs/robustness.md).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import stat
import sys

try:
    # CPython's built-in BLAKE2: `import hashlib` loads OpenSSL first, 3 ms of
    # a 70 ms warm run, for the same function
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b

from . import cache_runs
from . import model as _model
from ._version import __version__
from .atomic import replace_file
from .cache_codec import Codec, as_written
from .discovery import read_regular_file
from .external import ExternalSchedule

CACHE_DIR_NAME = ".batchlint_cache"
_MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a larger entry is not read (the run is redone instead)
# A whole result: 1.4 KB a finding, 68 MB for 50,000 generated files (over 64 MiB, their
# warm run was a one-file edit's); bounded as the facts pack is.
_MAX_RUN_BYTES = 1 << 30

# The run level holds results only: a warm run never imports the analysis.
# A warm run decodes every finding: equal paths, assumptions and estimates are
# one object each, as in the run that made them (50,000 findings: 2 KiB each otherwise).
_RUNS = Codec((_model.Location, _model.FixStatus, _model.Finding, _model.FileError, _model.CheckResult,
               _model.Assumption, _model.Estimate),
              shared_fields=frozenset(("path", "anchors", "model", "cheaper_model", "name", "value", "source",
                                       "code", "sdk_call", "client")),
              shared_classes={_model.Assumption: as_written, _model.Estimate: as_written})
_SCHEDULES = Codec((ExternalSchedule,))
_SCHEDULES_TYPE = tuple[tuple[ExternalSchedule, ...], tuple[str, ...]]
_facts_codec: Codec | None = None


def _facts() -> Codec:
    global _facts_codec
    if _facts_codec is None:
        from .analysis import facts

        _facts_codec = Codec((*facts.CLASSES, _model.FileError), generate=True)
    return _facts_codec


def _digest(parts) -> str:
    digest = blake2b(digest_size=20)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _checksum(key: bytes, payload: bytes) -> bytes:
    return blake2b(payload, digest_size=16, key=key[:64]).hexdigest().encode()


def _entry(key: str, codec: Codec, value) -> bytes:
    """An entry's bytes: its key, a checksum of key and data, `value` as the codec's JSON."""
    payload = codec.dumps(value).encode("utf-8", "surrogatepass")
    return b"\n".join((key.encode(), _checksum(key.encode(), payload), payload))


def _read_payload(path: str, key: str, limit: int = _MAX_ENTRY_BYTES) -> bytes | None:
    """The payload of the entry at `path` if it is a regular file (not a
    link) whose key is `key` and whose checksum holds; else None. A FIFO or
    device in a committed cache must not block or flood the run."""
    found = _read_checked(path, key, limit)
    return None if found is None else found[0][found[1]:]


def _read_checked(path: str, key: str, limit: int) -> tuple[bytes, int] | None:
    """The entry's bytes and where its payload starts (see _read_payload),
    without copying the payload: a whole result of 50,000 findings is 68 MB,
    and its copies were a warm run's peak."""
    try:
        data = read_regular_file(path, limit, follow_links=False)
    except OSError:
        return None
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    if second < 0 or data[:first] != key.encode():
        return None
    with memoryview(data) as view:
        if data[first + 1:second] != _checksum(data[:first], view[second + 1:]):
            return None
    return data, second + 1


def _read_entry(path: str, key: str):
    """The JSON data of the entry at `path` (see _read_payload), or None."""
    payload = _read_payload(path, key)
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the interpreter's stack
        return None


# What a file parses to depends on the running Python too: 3.12 reads f-strings
# that 3.11 rejects (BL001), so neither level answers for another version.
_PYTHON = "%d.%d" % sys.version_info[:2]
# Bumped when indexing changes what a file's facts say for the same text
# (between releases the version string stays the same).
_INDEX_REVISION = "31"


@functools.lru_cache(maxsize=1)
def code_stamp() -> str:
    """batchlint's own files by size and time: a whole result depends on all of
    the analysis, and an install from a checkout keeps one version string
    across commits (a file's facts depend on the indexer only: _INDEX_REVISION)."""
    package = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".json", ".toml")):
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                parts.append(f"{os.path.relpath(path, package)}:{info.st_size}:{info.st_mtime_ns}")
    return _digest(parts)


def file_key(path: str, module: str, is_package: bool, text: str, renamed_neighbours: tuple = ()) -> str:
    # renamed neighbours change what the file's imports name; most files have none
    neighbours = (repr(renamed_neighbours),) if renamed_neighbours else ()
    return _digest((__version__, _INDEX_REVISION, _PYTHON, path, module, str(is_package), text, *neighbours))


def facts_folder(directory: str) -> str:
    return os.path.join(directory, f"facts-{__version__}-{_facts().layout}")


def runs_folder(directory: str) -> str:
    return os.path.join(directory, f"runs-{__version__}-{_RUNS.layout}")


def schedules_folder(directory: str) -> str:
    return os.path.join(directory, f"schedules-{__version__}-{_SCHEDULES.layout}")


def unsafe_link(directory: str, folders: tuple[str, ...] = ()) -> str:
    """The first symbolic link in the cache directory's way, or "": the
    directory itself, an entry at its top (.gitignore, a facts-/runs-/
    schedules- folder of any version), or an entry in `folders`. A cache
    holding one is not used: a committed link would make a run read, write
    or remove files elsewhere. Links are seen in the directory listing
    (d_type), without a stat per entry."""
    try:
        if stat.S_ISLNK(os.lstat(directory).st_mode):
            return directory
    except OSError:
        return ""  # none yet: it is created as a plain directory
    for folder in ("", *folders):
        try:
            with os.scandir(os.path.join(directory, folder) if folder else directory) as listing:
                for entry in listing:
                    if entry.is_symlink():
                        return entry.path
        except OSError:
            continue  # absent (or not a directory: writes fail and are skipped)
    return ""


_WRITERS: list[int] = []  # forked processes writing cache files (RunCache.put, FactsCache.save), not waited for yet


def write_behind(pid: int) -> None:
    """`pid`, a forked process writing a cache file, is waited for by
    wait_for_writes() (the next lookup in this process calls it). The CLI
    does not wait: it exits once its output is written, and the writer
    finishes on its own (see fork_writer)."""
    _WRITERS.append(pid)


def fork_writer(write, behind: bool = False) -> int:
    """Run `write()` in a forked process that then leaves, running nothing
    else (no atexit, no flush; exit status 0 if `write` returned), and give
    its pid (OSError if it cannot fork). In it, the standard streams are the
    null device: a caller that reads the command's output to its end (a
    pipe, pre-commit, a CI step) must not wait for a writer the command
    itself does not wait for. The writer writes only into folders its parent
    made (ready_folder): one outliving the command never brings back a cache
    removed meanwhile. `behind`: a writer nobody waits for runs at the lowest
    priority, so it takes only CPU the run (and whatever else the machine
    runs) leaves idle: with no idle core (one core, or a loaded machine) it
    would otherwise delay the result by the work it does."""
    pid = os.fork()
    if pid != 0:
        return pid
    code = 1
    with contextlib.suppress(BaseException):
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_RDWR)
            for stream in (0, 1, 2):
                os.dup2(null, stream)
        if behind and hasattr(os, "nice"):
            with contextlib.suppress(OSError):
                os.nice(19)  # raised past the lowest priority, it stays at the lowest
        write()
        code = 0
    os._exit(code)


def wait_for_writes() -> None:
    """Wait until every cache file written in the background (a run-level
    entry, the facts pack) is written."""
    while _WRITERS:
        pid = _WRITERS.pop()
        with contextlib.suppress(OSError):  # ChildProcessError: reaped already
            os.waitpid(pid, 0)


def _can_fork() -> bool:
    """A fork copies the locks other threads hold: only a process running no other thread forks."""
    threading = sys.modules.get("threading")
    return hasattr(os, "fork") and (threading is None or threading.active_count() == 1)


class RunCache:
    """The last few whole results, one file each, named by the key of
    everything they depend on: a warm run reads only its own entry."""

    _KEEP = 8  # e.g. full runs and changed-files runs of a few branches

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._folder = runs_folder(directory)

    @staticmethod
    def key(parts: list[str]) -> str:
        return _digest((__version__, code_stamp(), _PYTHON, _RUNS.layout, "lines", *parts))  # lines: cache_runs.py

    def get(self, key: str, reports=None):
        """The result stored under `key`, or None. `reports(path)`, if given:
        only the findings in the paths it accepts are decoded (the others
        are dropped by the caller's view anyway): a one-file check of a
        large project decodes its file's findings, not the project's."""
        wait_for_writes()  # an entry this process is still writing is read whole, never missed
        path = os.path.join(self._folder, key + ".json")
        found = _read_checked(path, key, _MAX_RUN_BYTES)
        result = cache_runs.decoded(_RUNS, found[0], reports, found[1]) if found is not None else None
        del found
        if result is not None:
            try:
                os.utime(path, follow_symlinks=False)  # recently used: kept when older entries are dropped
            except (OSError, NotImplementedError):
                pass
        return result

    def put(self, key: str, result, background: bool = False) -> None:
        """Store `result` under `key`. `background`: in a forked process, so
        the caller shows the result meanwhile (the entry is 25 µs a finding
        of JSON, 3% of a first cached run); wait_for_writes() waits for it,
        and so does the next get()."""
        if background and _can_fork() and ready_folder(self.directory, self._folder):
            try:
                write_behind(fork_writer(lambda: self._put(key, result, create=False), behind=True))
                return
            except OSError:
                pass  # no process to fork: written here
        self._put(key, result)

    def _put(self, key: str, result, create: bool = True) -> None:
        # Each line written as it is made, the checksum taken over them and
        # filled in last: 50,000 findings' lines (68 MB) held at once were the
        # peak memory of a cached run, at its very end.
        head = key.encode() + b"\n"
        digest = blake2b(digest_size=16, key=key.encode()[:64])
        blank = b"0" * (2 * digest.digest_size)

        def pieces():
            yield head + blank + b"\n"
            for n, line in enumerate(cache_runs.lines(_RUNS, result)):
                if n:
                    digest.update(b"\n")
                    yield b"\n"
                digest.update(line)
                yield line

        def finish(handle) -> None:  # the checksum of the payload, as _checksum(key, payload)
            handle.seek(len(head))
            handle.write(digest.hexdigest().encode())

        try:
            _write_file(self.directory, self._folder, key + ".json", pieces(), finish, create)
        except ValueError:  # a value JSON cannot hold (nan): not worth keeping (the partial file is removed)
            return
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
        self._folder = schedules_folder(directory)

    def reader(self, stamp: str, read):
        """`read` (returning (schedules, notices)), answered from the cache
        when the files are as `stamp` describes them."""
        key = _digest((__version__, _PYTHON, stamp))
        path = os.path.join(self._folder, key + ".json")

        def cached():
            stored = _SCHEDULES.decoded(_read_entry(path, key), _SCHEDULES_TYPE)
            if stored is not None:
                return list(stored[0]), list(stored[1])
            schedules, notices = read()
            _write_entry(self.directory, self._folder, key, _SCHEDULES, (tuple(schedules), tuple(notices)))
            _drop_entries(self._folder, {key + ".json"})
            return schedules, notices

        return cached


def _drop_entries(folder: str, keep: set[str]) -> None:
    """Remove the folder's .json entries whose names are not in `keep` (a
    link is removed, never what it points to)."""
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


def _write_entry(directory: str, folder: str, key: str, codec: Codec, value) -> None:
    """Write `key`'s entry in `folder` atomically (see _write_file)."""
    try:
        payload = _entry(key, codec, value)
    except ValueError:  # a value JSON cannot hold (nan): not worth keeping
        return
    _write_file(directory, folder, key + ".json", payload)


def ready_folder(directory: str, folder: str) -> bool:
    """Make `folder` and the cache directory's .gitignore; whether it worked
    (a read-only checkout still gets its answer, just not faster next time)."""
    try:
        os.makedirs(folder, exist_ok=True)
        marker = os.path.join(directory, ".gitignore")
        if not os.path.lexists(marker):
            # O_EXCL: fails on any name there, a dangling link included
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("# Created by batchlint\n*\n")
    except OSError:
        return False
    return True


def _write_file(directory: str, folder: str, name: str, payload, finish=None, create: bool = True) -> None:
    """Write `name` in `folder` atomically (`create`: making the folder and
    the .gitignore first; else a folder gone meanwhile means no entry). The
    temporary file has a fresh O_EXCL name and the rename replaces a link
    rather than follow it: nothing is written through a link, even one
    planted after unsafe_link looked."""
    if create and not ready_folder(directory, folder):
        return
    try:
        replace_file(os.path.join(folder, name), payload, ".cache-", finish=finish)
    except OSError:  # a read-only checkout or a full disk: no entry, and no half entry left behind
        return


def clean(directory: str) -> str:
    """Remove a cache directory, only one batchlint made (it holds our
    .gitignore), never through a link; what was done, in one line."""
    try:
        st = os.lstat(directory)
    except OSError:
        return "No cache to remove."
    if stat.S_ISLNK(st.st_mode):
        return f"Not removed: {directory} is a symbolic link (remove the link yourself)."
    try:
        marker = os.lstat(os.path.join(directory, ".gitignore"))
    except OSError:
        marker = None
    if not stat.S_ISDIR(st.st_mode) or marker is None or not stat.S_ISREG(marker.st_mode):
        return "No cache to remove."
    import shutil

    # rmtree removes links inside, never what they point to
    shutil.rmtree(directory, ignore_errors=True)
    return f"Removed {directory}"

"""The file level of the cache: every parsed file's facts, in one pack.

The pack (cache_pack.py) is read once; each entry is checked and decoded
where its file is analyzed, in the workers, like the parses it saves. New
entries are encoded after the parse rounds, while this process goes on with
the cross-file analysis: in a forked process with --jobs > 1, and with
--jobs 1 when the machine has a core the analysis leaves idle and no other
thread runs (analyze.py; encoding costs about a tenth of a parse: done in
line, it made the first cached run slower than --no-cache).
The pack is written once, if anything changed: by the forked encoder
itself when the run's last project has been parsed (this process then lets
go of the pack it read and its index, and never reads the new records
back), else at the end by save().

The pack read is not held: it is read once to index it, and each entry is
read again from the open file (`os.pread`, in whichever process analyzes
the file) when it is looked up. Held, it was 35 MB of a one-file edit's peak
at 50,000 files, during the parse. The open file stays the one indexed even
if another run replaces the pack meanwhile (an atomic rename); an entry read
short or changed fails its check and its file is parsed again.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat

from . import cache_pack
from . import model as _model
from .cache import (_MAX_ENTRY_BYTES, _checksum, _facts, _write_file, facts_folder, fork_writer, ready_folder,
                    wait_for_writes, write_behind)
from .discovery import FileTooLarge, NotRegularFile, read_regular_file


def facts_body(key: str, outcome) -> bytes | None:
    """One file's record: its FileFacts, or the FileError its text gives (a
    syntax error; syntax newer than this Python, whose check loads LibCST:
    0.15 s a run otherwise). None for a value JSON cannot hold (nan)."""
    try:
        payload = _facts().dumps(outcome)
    except ValueError:
        return None
    return cache_pack.body(key, payload.encode("utf-8", "surrogatepass"), _checksum)


def facts_from_body(key: str, body: bytes):
    """The FileFacts or FileError a record body holds under `key`, or None
    (damaged, forged badly, or another key's)."""
    raw = cache_pack.payload(key, body, _checksum, _MAX_ENTRY_BYTES)
    if raw is None:
        return None
    codec = _facts()
    facts = type(raw) is list and raw[:1] == ["\0FileFacts"]
    return codec.decoded(raw, codec.classes["FileFacts"] if facts else _model.FileError)


class FactsCache:
    """The facts of every parsed file of the tree: read once, written once by
    a run that parsed something or no longer needs an entry, holding that
    run's entries."""

    def __init__(self, directory: str | None, projects: int = 1, behind: bool = False) -> None:
        """`behind`: the caller does not wait for the pack (see save) and it
        may be written by a forked encoder whatever the cores (see encode_soon)."""
        self.directory = directory
        self.behind = behind
        self._projects = projects  # analyzed apart, each calling encode_soon once: the last may write the pack
        self._data = b""  # the pack read, where os.pread is missing (Windows)
        self._fd = -1  # the pack, open: its entries are read from it
        self._index: dict[str, tuple[int, int]] = {}
        self._view: memoryview | None = None  # of _data, for body(view=True)
        self._loaded = False
        self._used: set[str] = set()
        self._new: dict[str, object] = {}  # key -> facts or error, to encode
        self._bodies: dict[str, bytes] = {}  # key -> encoded record
        self._writers: list[tuple[int, str]] = []  # (pid, segment file) of forked encoders
        self._packer = 0  # pid of a forked encoder writing the whole pack (save waits for it)
        self._handed = False  # the pack is _packer's to write, or stays as read

    def load(self) -> None:
        """Read the pack now (before forking workers that look entries up: see body)."""
        self._load()

    def _load(self) -> None:
        if self._loaded or not self.directory:
            return
        self._loaded = True
        wait_for_writes()  # a pack this process is still writing (save(behind=True)) is read whole
        _facts()  # the codec, built before the workers fork: each would build its own
        path = os.path.join(facts_folder(self.directory), cache_pack.PACK_NAME)
        try:
            if hasattr(os, "pread"):
                self._fd, data = _open_pack(path)
            else:
                data = self._data = read_regular_file(path, cache_pack.MAX_PACK_BYTES, follow_links=False)
        except OSError:  # none yet, too large, a link, a FIFO: every file is parsed
            return
        self._index = cache_pack.index(data)

    def _read(self, start: int, end: int, view: bool = False) -> bytes | memoryview:
        """The bytes of the pack read between `start` and `end` (fewer if it was cut short since)."""
        if self._fd >= 0:
            try:
                return os.pread(self._fd, end - start, start)
            except OSError:
                return b""
        if not view:
            return self._data[start:end]
        if self._view is None or self._view.obj is not self._data:
            self._view = memoryview(self._data)
        return self._view[start:end]

    def _close(self) -> None:
        """Let go of the pack read and its index."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
        self._data, self._index, self._view = b"", {}, None

    def __del__(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)

    def body(self, key: str, view: bool = False) -> bytes | memoryview | None:
        """The record body stored under `key`, unchecked (facts_from_body checks
        it). `view`: where the pack is held (no os.pread), a memoryview of
        it, not a copy (the tasks of a run hold every body at once)."""
        self._load()
        where = self._index.get(key)
        return None if where is None else self._read(*where, view=view)

    def get(self, key: str):
        """The stored FileFacts or FileError, or None."""
        data = self.body(key)
        outcome = facts_from_body(key, data) if data is not None else None
        if outcome is not None:
            self._used.add(key)
        return outcome

    def used(self, key: str, outcome=None) -> None:
        """The entry for `key` answered a file, or is to be made from `outcome`."""
        self._used.add(key)
        if outcome is not None:
            self._new[key] = outcome

    def encode_soon(self, fork: bool) -> None:
        """Encode the entries made so far: in a forked process when `fork`
        (its records go to a segment file in the facts folder, merged by
        save; after the last project, the whole pack: see _write_in_fork),
        else here."""
        self._projects -= 1
        if fork and self._projects <= 0 and not self._writers and self._write_in_fork():
            return
        items, self._new = self._new, {}
        if not items:
            return
        if fork and hasattr(os, "fork") and self.directory:
            import tempfile

            try:
                folder = facts_folder(self.directory)
                os.makedirs(folder, exist_ok=True)
                fd, segment = tempfile.mkstemp(dir=folder, prefix=".cache-", suffix=".tmp")
            except OSError:
                fd = -1
            if fd >= 0:
                def write_segment() -> None:  # in the encoder
                    with os.fdopen(fd, "wb") as handle:  # record by record: never all of them held
                        handle.write(cache_pack.HEADER)
                        for key, outcome in items.items():
                            handle.write(cache_pack.pack(_encoded({key: outcome}).values(), header=b""))

                pid = fork_writer(write_segment)
                os.close(fd)
                self._writers.append((pid, segment))
                return
        self._bodies.update(_encoded(items))

    def _write_in_fork(self) -> bool:
        """Every file is parsed: write the new pack (the entries used, old and
        new) from a forked process, and drop the pack read here. Whether it
        is done (else save() writes it as before)."""
        if not (hasattr(os, "fork") and self.directory) or self._bodies:
            return False
        self._load()
        kept = sorted(key for key in self._used if key not in self._new and key in self._index)
        if self._new or len(kept) != len(self._index):  # else the pack read is the pack to keep
            if not ready_folder(self.directory, facts_folder(self.directory)):
                return False
            def write_pack() -> None:  # in the encoder
                old = (self._read(*self._index[key], view=True) for key in kept)
                new = (body for key in sorted(self._new) for body in _encoded({key: self._new[key]}).values())
                _drop_stale_segments(facts_folder(self.directory))
                _write_file(self.directory, facts_folder(self.directory), cache_pack.PACK_NAME,
                            _pieces(itertools.chain(old, new)), create=False)

            try:
                self._packer = fork_writer(write_pack, self.behind)
            except OSError:
                return False
        self._close()
        self._new, self._used = {}, set()
        self._handed = True
        return True

    def save(self) -> None:
        """Write the pack of this run's entries, if it differs from the one
        read. Made `behind`, a pack a forked encoder is writing is left to it
        (cache.wait_for_writes waits for it), so the caller shows its result
        meanwhile: where the encoder outlasts the cross-file analysis, waiting
        here made the first cached run slower than --no-cache."""
        if not self.directory:
            return
        if self._handed:  # to a forked writer (or the pack read stays as it is)
            if self._packer and self.behind:
                write_behind(self._packer)
            elif self._packer:
                with contextlib.suppress(OSError):
                    os.waitpid(self._packer, 0)
            self._packer = 0
            return
        self._load()
        self.encode_soon(fork=False)
        for pid, segment in self._writers:
            self._bodies.update(_segment(pid, segment))
        self._writers = []
        _drop_stale_segments(facts_folder(self.directory))
        kept = [key for key in self._used if key not in self._bodies and key in self._index]
        if not self._bodies and len(kept) == len(self._index):
            self._close()
            return  # every entry was used and none is new
        # each old entry read (or viewed) as it is written, never all at once: the pack of 50,000
        # files is 35 MB, and two copies of it (the slices, then the joined pack) made a peak
        old = (self._read(*self._index[key], view=True) for key in sorted(kept))
        new = (self._bodies[key] for key in sorted(self._bodies))
        _write_file(self.directory, facts_folder(self.directory), cache_pack.PACK_NAME,
                    _pieces(itertools.chain(old, new)))
        self._close()  # written: needed no more
        self._bodies = {}


def _open_pack(path: str) -> tuple[int, bytes]:
    """The pack at `path`, open, and its bytes (read once, to index it): as
    discovery.read_regular_file reads it (never through a link, never a FIFO
    or device, bounded), the descriptor kept for the entries' reads."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path)
        if st.st_size > cache_pack.MAX_PACK_BYTES:
            raise FileTooLarge(st.st_size)
        return fd, os.pread(fd, st.st_size, 0)  # a file grown since fstat: its new records are not indexed
    except BaseException:
        os.close(fd)
        raise


def _encoded(items: dict) -> dict[str, bytes]:
    out = {}
    for key, outcome in items.items():
        # an entry that cannot be encoded costs the next run a parse, not this file its findings
        with contextlib.suppress(Exception):
            body = facts_body(key, outcome)
            if body is not None:
                out[key] = body
    return out


def _pieces(bodies):
    """A pack's pieces (cache_pack.parts), made as they are written."""
    yield cache_pack.HEADER
    for data in bodies:
        yield b"%d\n" % len(data)
        yield data


def _segment(pid: int, path: str) -> dict[str, memoryview]:
    """The records a forked encoder wrote (none if it failed), its file removed."""
    try:
        _, status = os.waitpid(pid, 0)
        ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        data = read_regular_file(path, cache_pack.MAX_PACK_BYTES, follow_links=False) if ok else b""
    except OSError:
        data = b""
    with contextlib.suppress(OSError):
        os.unlink(path)
    view = memoryview(data)
    return {key: view[start:end] for key, (start, end) in cache_pack.index(data).items()}


_STALE_SECONDS = 3600


def _drop_stale_segments(folder: str) -> None:
    """Remove segment files a killed run left behind (an hour old: a run in
    progress beside this one keeps its own). A link is removed, never followed."""
    import time

    try:
        with os.scandir(folder) as listing:
            stale = [e.path for e in listing if e.name.startswith(".cache-") and e.name.endswith(".tmp")
                     and time.time() - e.stat(follow_symlinks=False).st_mtime > _STALE_SECONDS]
    except OSError:
        return
    for path in stale:
        with contextlib.suppress(OSError):
            os.unlink(path)

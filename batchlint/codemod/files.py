"""Reading and writing the files `batchlint fix` changes, without ever losing one.

A file is read once as bytes (LibCST keeps its encoding, BOM and newlines and
writes them back as they were). Only a regular file is ever opened: the path
is checked with lstat, then opened with O_NOFOLLOW and O_NONBLOCK (a FIFO or
device swapped in meanwhile is neither followed nor waited on) and checked
again with fstat on the open descriptor.

A write goes to a temporary file in the same directory (`.<name>.XXXXXXXX.
batchlint-tmp`), flushed to disk, then, in as short a window as possible, the
file is opened again, locked (an advisory `flock`: it keeps out only writers
that lock too), compared with what was read (device, inode, size, mtime_ns
and bytes) and the temporary file renamed over it. A reader or an
interruption sees the old file or the new one, never half of each. Right
after the rename the old file (still open) is compared once more: a write
that landed in that window is put back and the fix not written. What
remains: a process that keeps the old file open and writes to it after that
last comparison writes to a file that is no longer in the tree.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from .diff import unified_diff  # noqa: F401 - the CLI's import of it

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the other checks still hold
    fcntl = None

TEMP_SUFFIX = ".batchlint-tmp"
# tempfile.mkstemp: our prefix `.<name>.`, 8 characters of its alphabet, our suffix
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class WriteError(Exception):
    """One line naming the file and why it was not written."""


@dataclass(frozen=True)
class ReadFile:
    path: str  # as given (shown in messages)
    data: bytes
    mode: int  # permission bits, kept on the new file
    abspath: str = ""  # where it is written, whatever the working directory is by then
    target: str = ""  # the real path (a symlink is written through, not replaced)
    identity: tuple[int, ...] = ()  # st_dev, st_ino, st_size, st_mtime_ns when read


def _identity(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _open_regular(path: str, shown: str) -> tuple[int, os.stat_result]:
    """A descriptor of `path` if it is a regular file; never opens anything else."""
    if not stat.S_ISREG(os.lstat(path).st_mode):
        raise WriteError(f"{shown}: not a regular file")
    fd = os.open(path, _OPEN_FLAGS)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):  # swapped between the lstat and the open
        os.close(fd)
        raise WriteError(f"{shown}: not a regular file")
    return fd, st


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def read(path: str) -> ReadFile:
    abspath = os.path.abspath(path)
    target = os.path.realpath(abspath)
    try:
        fd, st = _open_regular(target, path)
        try:
            data = _read_all(fd)
            after = os.fstat(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise WriteError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    if _identity(after) != _identity(st) or len(data) != st.st_size:
        raise WriteError(f"{path}: changed while batchlint read it; not written (run fix again)")
    return ReadFile(path, data, stat.S_IMODE(st.st_mode), abspath, target, _identity(st))


def line_ending_problem(data: bytes) -> str:
    """Why a file's line endings cannot be kept exactly by a rewrite ("" if they can):
    the new lines take one kind of ending, so a file must use one kind only."""
    crlf = data.count(b"\r\n")
    cr, lf = data.count(b"\r") - crlf, data.count(b"\n") - crlf
    if cr:
        return (f"{cr} line(s) end in a bare CR (old Mac line endings); batchlint rewrites files whose lines "
                "all end in LF or all in CRLF: left as it is")
    if crlf and lf:
        return (f"mixed line endings ({crlf} CRLF, {lf} LF); batchlint rewrites files whose lines all end "
                "the same way, so that each keeps its ending: left as it is")
    return ""


def _lock(fd: int, shown: str) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise WriteError(f"{shown}: another process holds a lock on it; not written (run fix again)") from None
    except OSError:  # a file system without flock: the comparisons still hold
        pass


def write_atomic(original: ReadFile, new: bytes, within: Iterable[str] = ()) -> None:
    """Replace the file's bytes with `new`, all at once, if it still holds `original.data`.
    With `within` (folders), a file whose real path is in none of them (a link
    out of the tree) is not written."""
    target = original.target or os.path.realpath(original.abspath or original.path)
    folders = [os.path.realpath(folder) for folder in within]
    if folders and not any(_inside(target, folder) for folder in folders):
        raise WriteError(f"{original.path}: a link to a file outside the working directory and the folders "
                         "given to fix; not written")
    directory = os.path.dirname(target) or "."
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(target) + ".", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise WriteError(f"{original.path}: cannot create a temporary file beside it: {exc.strerror or exc}") from None
    renamed = False
    try:
        _lock(fd, original.path)  # a later fix's clean-up leaves a temporary file alone while it is locked
        with os.fdopen(os.dup(fd), "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, original.mode)
        renamed = _replace_if_unchanged(original, temp, target)
    except BaseException as exc:  # also KeyboardInterrupt: never leave the temp file behind
        if not renamed:
            try:
                os.unlink(temp)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise WriteError(f"{original.path}: cannot write: {exc.strerror or exc}") from None
        raise
    finally:
        os.close(fd)


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([folder, path]) == folder
    except ValueError:  # another drive
        return False


def _replace_if_unchanged(original: ReadFile, temp: str, target: str) -> bool:
    """The rename, between two comparisons of the file with what was read."""
    changed = f"{original.path}: changed on disk since batchlint read it; not written (run fix again)"
    try:
        fd, st = _open_regular(target, original.path)
    except OSError as exc:
        raise WriteError(f"{original.path}: cannot read file again before writing: {exc.strerror or exc}") from None
    try:
        _lock(fd, original.path)
        if (original.identity and _identity(st) != original.identity) or _read_all(fd) != original.data:
            raise WriteError(changed)
        os.replace(temp, target)
        # `fd` is still the old file: anything written to it since the comparison is put back.
        after = _read_all(fd)
        if _identity(os.fstat(fd)) != _identity(st) or after != original.data:
            _put_back(after, target, original)
            raise WriteError(f"{original.path}: written to by another process while batchlint replaced it; "
                             "its version is kept, the fix not written (run fix again)")
        return True
    finally:
        os.close(fd)


def _put_back(data: bytes, target: str, original: ReadFile) -> None:
    fd, temp = tempfile.mkstemp(dir=os.path.dirname(target) or ".",
                                prefix="." + os.path.basename(target) + ".", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, original.mode)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def stale_temps(sources: Iterable[str], remove: bool) -> int:
    """Temporary files an interrupted `fix` left beside these source files:
    only regular files named like our own (`.<name>.XXXXXXXX.batchlint-tmp`)
    in the sources' own directories, none locked by a fix still writing.
    Removes them if `remove`; returns how many there are (or were)."""
    count = 0
    for directory in sorted({os.path.dirname(os.path.abspath(path)) for path in sources}):
        try:
            entries = [e for e in os.scandir(directory) if _TEMP_NAME.fullmatch(e.name)]
        except OSError:
            continue
        for entry in entries:
            if _stale(entry.path):
                if remove:
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        continue
                count += 1
    return count


def _stale(path: str) -> bool:
    try:
        fd, _ = _open_regular(path, path)
    except (OSError, WriteError):
        return False
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while a running fix holds it
        return True
    except OSError:
        return False
    finally:
        os.close(fd)

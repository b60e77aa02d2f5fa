"""Reading and writing the files `batchlint fix` changes, without ever losing one.

A file is read once as bytes (LibCST keeps its encoding, BOM and newlines and
writes them back as they were). It is written through a temporary file in the
same directory, flushed to disk and renamed over the original, so a reader or
an interruption sees either the old file or the new one, never half of each.
If the file's bytes changed since they were read, it is not written.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass


class WriteError(Exception):
    """One line naming the file and why it was not written."""


@dataclass(frozen=True)
class ReadFile:
    path: str  # as given (shown in messages)
    data: bytes
    mode: int  # permission bits, kept on the new file
    abspath: str = ""  # where it is written, whatever the working directory is by then


def read(path: str) -> ReadFile:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(f"{path}: not a regular file")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise WriteError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    return ReadFile(path, data, stat.S_IMODE(st.st_mode), os.path.abspath(path))


def write_atomic(original: ReadFile, new: bytes) -> None:
    """Replace the file's bytes with `new`, all at once, if it still holds `original.data`."""
    target = os.path.realpath(original.abspath or original.path)  # write through a symlink, do not replace the link
    try:
        with open(target, "rb") as handle:
            current = handle.read()
    except OSError as exc:
        raise WriteError(f"{original.path}: cannot read file again before writing: {exc.strerror or exc}") from None
    if current != original.data:
        raise WriteError(f"{original.path}: changed on disk since batchlint read it; not written (run fix again)")
    directory = os.path.dirname(target) or "."
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(target) + ".", suffix=".batchlint-tmp")
    except OSError as exc:
        raise WriteError(f"{original.path}: cannot create a temporary file beside it: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, original.mode)
        os.replace(temp, target)
    except BaseException as exc:  # also KeyboardInterrupt: never leave the temp file behind
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"{original.path}: cannot write: {exc.strerror or exc}") from None
        raise


def unified_diff(path: str, old: str, new: str) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)

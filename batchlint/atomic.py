"""Write a file whole or not at all: the bytes go to a fresh temporary file
beside it (an O_EXCL name, so a link planted there cannot redirect the write),
which then replaces the file by rename (a link in the file's place is replaced,
not followed). A failure leaves no temporary file behind."""

from __future__ import annotations

import contextlib
import os


def replace_file(path: str, data, prefix: str, mode: int | None = None, finish=None) -> None:
    """Write `data` (bytes, or an iterable of bytes-like pieces written in
    turn, made as they are written) to `path` atomically; `mode` as
    permission bits (after the umask), else tempfile's 0600. `finish(handle)`,
    if given, runs once the data is written (to fill in a header). Raises OSError."""
    import tempfile  # only when writing: a warm run writes nothing

    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=prefix, suffix=".tmp")
    try:
        if mode is not None and hasattr(os, "fchmod"):
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, mode & ~umask)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, (bytes, bytearray, memoryview)):
                handle.write(data)
            else:
                handle.writelines(data)
            if finish is not None:
                finish(handle)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

"""One file's trouble costs that file's results, never the run.

Each stage after the parse (classify, estimate, suppress, plan) works call by
call or file by file; a failure there, a RecursionError or a bug of ours,
becomes one BL003 line naming the file, as a failure in the parse does
(parsing.py). KeyboardInterrupt and SystemExit are not Exceptions: they still
end the run.
"""

from __future__ import annotations

from .model import FileError


def stage_failure(path: str, stage: str, exc: Exception) -> FileError:
    """The one-line problem for `path` when `stage` raised `exc` on it."""
    if isinstance(exc, RecursionError):
        return FileError(path, f"too deeply nested to {stage}; its findings were skipped", "BL003")
    return FileError(path, f"internal error while trying to {stage}, its findings were skipped: {type(exc).__name__}: {exc}", "BL003")

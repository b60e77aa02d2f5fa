"""Hostile input costs at most its own file's results, never the run.

Numbers: every number batchlint reads from code or YAML (a loop's
`range(N)`, `max_tokens=`, a slice, a volume comment, a schedule's interval)
is clamped to [0, MAX_NUMBER], and configuration outside it is refused
(config.py), so an estimate is always a finite number and JSON stays valid.

Failures: each stage after the parse (classify, estimate, suppress, plan) works call by
call or file by file; a failure there, a RecursionError or a bug of ours,
becomes one BL003 line naming the file, as a failure in the parse does
(parsing.py). KeyboardInterrupt and SystemExit are not Exceptions: they still
end the run.
"""

from __future__ import annotations

import math

from .model import FileError

MAX_NUMBER = 10**9  # the largest count, token number or rate batchlint takes from its input


def clamp(value: float) -> float:
    """`value` bounded to [0, MAX_NUMBER]; NaN reads as 0. Keeps an int an int."""
    if (isinstance(value, float) and math.isnan(value)) or value < 0:  # isnan() of a 400-digit int overflows
        return 0
    return min(value, MAX_NUMBER)


def stage_failure(path: str, stage: str, exc: Exception) -> FileError:
    """The one-line problem for `path` when `stage` raised `exc` on it."""
    if isinstance(exc, RecursionError):
        return FileError(path, f"too deeply nested to {stage}; its findings were skipped", "BL003")
    return FileError(path, f"internal error while trying to {stage}, its findings were skipped: {type(exc).__name__}: {exc}", "BL003")

"""One file's text -> FileFacts, or a one-line reason why not.

The check analyzes CPython's `ast` tree: its parser is in C, about six times
faster than LibCST's, and rejects pathological input cleanly. (LibCST parses
in `batchlint fix`, which must reproduce the file byte for byte, and here only
a file `ast` rejected: newer syntax is rewritten into the running Python's.)
Analysis of one file runs under a time limit, with warnings about the
analyzed code silenced.
"""

from __future__ import annotations

import ast
import signal
import sys
import threading
import warnings
from contextlib import contextmanager

from .analysis.facts import FileFacts
from .analysis.index import index_module
from .discovery import SourceFile
from .model import FileError

# CPython's parser reports pathological nesting as a SyntaxError with these messages.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex", "too many statically nested blocks")
FILE_TIME_LIMIT = 20.0  # seconds of analysis per file before it is skipped (BL003)


class _FileTimeout(Exception):
    pass


def _parse(source: SourceFile) -> tuple[ast.Module | None, str, FileError | None]:
    """The tree, the text it was parsed from, or why there is none."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings about analyzed code are not ours to print
            return ast.parse(source.text), source.text, None
    except (RecursionError, MemoryError):
        return None, source.text, FileError(source.path, "too deeply nested to parse", "BL003")
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if any(marker in message for marker in _TOO_DEEP):
            return None, source.text, FileError(source.path, f"too deeply nested to parse: {message}", "BL003")
        # newer syntax (3.12 f-strings, `type` aliases): analyzed as its 3.11 equivalent
        from .newer_syntax import read_older

        older = read_older(source.text)
        if older.tree is not None:
            return older.tree, older.text, None
        # the error's own place: editors and annotations jump there, not to 1:1
        line, column = max(1, exc.lineno or 1), max(1, exc.offset or 1)
        if older.newer:
            running = f"{sys.version_info.major}.{sys.version_info.minor}"
            return None, source.text, FileError(
                source.path, f"needs Python {sys.version_info.major}.{sys.version_info.minor + 1} or newer to analyze "
                f"(valid syntax that Python {running} cannot parse: {message}); run batchlint with the Python the "
                "project runs on (e.g. `pipx run --python 3.13 batchlint check`); the other files are analyzed",
                "BL001", line, column)
        return None, source.text, FileError(source.path, f"syntax error: {message}", "BL001", line, column)
    except ValueError as exc:  # e.g. source with a NUL byte
        return None, source.text, FileError(source.path, f"cannot parse: {exc}")


@contextmanager
def _time_limit(seconds: float):
    """SIGALRM-based limit for the Python-level work on one file (main thread only)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def _expire(_signum, _frame):
        raise _FileTimeout

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_file(source: SourceFile, time_limit: float = FILE_TIME_LIMIT) -> tuple[FileFacts | None, FileError | None]:
    tree, text, error = _parse(source)
    if error is not None:
        return None, error
    try:
        # warnings about the analyzed code (escape sequences, `None()`) are not ours to print
        with _time_limit(time_limit), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return index_module(tree, source.path, source.module, source.is_package, text,
                                source.renamed_neighbours), None
    except _FileTimeout:
        return None, FileError(source.path, f"skipped: analysis took longer than {time_limit:g} s", "BL003")
    except RecursionError:
        return None, FileError(source.path, "too deeply nested to analyze", "BL003")
    except Exception as exc:  # noqa: BLE001 - one file's failure must not end the run
        return None, FileError(source.path, f"internal error, file skipped: {type(exc).__name__}: {exc}", "BL003")

"""One file's text -> FileFacts, or a one-line reason why not.

CPython's `ast.parse` runs first: it rejects pathological input cleanly (where
LibCST's native parser can crash the process), and its tree supplies
positions. Analysis of one file runs under a time limit, with warnings about
the analyzed code silenced.
"""

from __future__ import annotations

import ast
import signal
import threading
import warnings
from contextlib import contextmanager

import libcst as cst

from .analysis.facts import FileFacts
from .analysis.index import index_module
from .discovery import SourceFile
from .model import FileError

# CPython's parser (in C) rejects pathological nesting cleanly, where LibCST's
# native parser can overflow its stack and kill the process: ask it first.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex", "too many statically nested blocks")
FILE_TIME_LIMIT = 20.0  # seconds of analysis per file before it is skipped (BL003)


class _FileTimeout(Exception):
    pass


def _guard(source: SourceFile) -> tuple[FileError | None, str, ast.Module | None]:
    """(error that must stop the parse, CPython's syntax message if any, the ast
    tree — reused for positions when the file is valid for this interpreter)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings about analyzed code are not ours to print
            return None, "", ast.parse(source.text)
    except (RecursionError, MemoryError):
        return FileError(source.path, "too deeply nested to parse", "BL003"), "", None
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if any(marker in message for marker in _TOO_DEEP):
            return FileError(source.path, f"too deeply nested to parse: {message}", "BL003"), "", None
        return None, f"syntax error at line {exc.lineno}, column {exc.offset or 1}: {message}", None
    except ValueError as exc:  # e.g. source with a NUL byte
        return FileError(source.path, f"cannot parse: {exc}"), "", None


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
    error, cpython_message, tree = _guard(source)
    if error is not None:
        return None, error
    try:
        # warnings about the analyzed code (escape sequences, `None()`) are not ours to print
        with _time_limit(time_limit), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                module = cst.parse_module(source.text)
            except cst.ParserSyntaxError as exc:
                message = cpython_message or f"syntax error at line {exc.raw_line}, column {exc.raw_column + 1}: {exc.message}"
                return None, FileError(source.path, message)
            return index_module(module, source.path, source.module, source.is_package, tree, source.text), None
    except _FileTimeout:
        return None, FileError(source.path, f"skipped: analysis took longer than {time_limit:g} s", "BL003")
    except RecursionError:
        return None, FileError(source.path, "too deeply nested to analyze", "BL003")
    except Exception as exc:  # noqa: BLE001 - one file's failure must not end the run
        return None, FileError(source.path, f"internal error, file skipped: {type(exc).__name__}: {exc}", "BL003")

"""batchlint: find synchronous Claude calls nobody waits on, and move them to batches."""

from ._version import __version__
from .checker import check_paths, check_source
from .model import CheckResult, ContextKind, FileError, Finding, Location

__all__ = [
    "CheckResult",
    "ContextKind",
    "FileError",
    "Finding",
    "Location",
    "__version__",
    "check_paths",
    "check_source",
]

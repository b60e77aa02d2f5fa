"""batchlint: find synchronous Claude calls nobody waits on, and move them to batches."""

from .checker import check_paths, check_source
from .model import CheckResult, ContextKind, FileError, Finding, Location

__version__ = "0.1.0"

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

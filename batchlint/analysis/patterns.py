"""Name patterns with fnmatch wildcards (`celery.Celery.task`, `*.route`),
as the context tables and the configured client factories write them."""

from __future__ import annotations

from fnmatch import fnmatchcase

_literal_prefixes: dict[str, str] = {}


def matches(name: str, pattern: str) -> bool:
    """fnmatchcase, tried only when the name starts with the pattern's text
    before its first wildcard: fnmatch compiles each pattern to a regex on
    first use, 25 ms for the 640 decorator rules, and most never could match."""
    prefix = _literal_prefixes.get(pattern)
    if prefix is None:
        cut = min((i for i in (pattern.find("*"), pattern.find("?"), pattern.find("[")) if i >= 0), default=len(pattern))
        prefix = _literal_prefixes[pattern] = pattern[:cut]
    return name.startswith(prefix) and fnmatchcase(name, pattern)


def matches_any(name: str, patterns) -> bool:
    return any(matches(name, p) for p in patterns)

"""flake8 front end: `flake8 --select BL` reports, for each file, what
`batchlint check` reports for it: the answer comes from the analysis of the
project around the file (project_root.py), done once per flake8 process and
kept in the project's cache, so a warm run only stats the tree. flake8 applies
its own `# noqa` handling (we yield every finding `# noqa` hides too).

A file outside any project (no root marker above it), or text that is not
the file on disk (stdin), is analyzed on its own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ._version import __version__
from .checker import check_paths, check_source
from .config import Config, ConfigError, find_config, load_config
from .discovery import module_name, seed_pattern
from .model import Finding
from .project_root import cache_home, scope_for

_configs: dict[str, Config] = {}
# (project roots, config) -> the project's findings by absolute path, noqa-hidden ones
# included: the project is analyzed (or read from its cache) once per flake8 process
_projects: dict[tuple, dict[str, list[Finding]]] = {}
_viewed: set[tuple] = set()  # projects whose first file was answered as a view of its own


def _project_findings(filename: str, text: str, config: Config) -> list[Finding] | None:
    """What `batchlint check FILENAME` reports, noqa-hidden findings included;
    None when the file is outside any project or its text is not on disk."""
    scope = scope_for([filename], config.project_root)
    if not scope.roots:
        return None
    try:
        # flake8 reads lines with universal newlines: a CRLF file is the same text
        with open(filename, encoding="utf-8") as handle:
            if handle.read() != text.replace("\r\n", "\n").replace("\r", "\n"):
                return None  # flake8 was handed other text (stdin with a display name)
    except (OSError, ValueError):
        return None
    key = (scope.roots, config)
    by_file = _projects.get(key)
    if by_file is None:
        from .cache import CACHE_DIR_NAME

        cache = os.path.join(cache_home([filename], config), CACHE_DIR_NAME)
        # The first file of a project is answered as its own view (`batchlint check
        # FILE`: a warm run decodes that file's findings only); a second file of the
        # same project means flake8 walks many, so the whole result is decoded once.
        whole = key in _viewed
        try:
            result = check_paths([filename], config, cache_dir=cache, whole=whole)
        except ConfigError:  # flake8 has no channel for it; `batchlint check` reports it
            return None
        hidden = [f for f, why in result.suppressed_findings if why == "noqa"]
        found: dict[str, list[Finding]] = {}
        for finding in sorted((*result.findings, *hidden), key=Finding.sort_key):
            found.setdefault(os.path.abspath(finding.path), []).append(finding)
        if not whole:
            _viewed.add(key)
            return found.get(os.path.abspath(filename), [])
        by_file = _projects[key] = found
    return by_file.get(os.path.abspath(filename), [])


def _config_for(filename: str) -> Config:
    start = os.path.dirname(os.path.abspath(filename)) or "."
    if start not in _configs:
        try:
            path = find_config(start)
            _configs[start] = load_config(path) if path else Config()
        except ConfigError:
            _configs[start] = Config()  # flake8 has no channel for it; `batchlint check` reports it
    return _configs[start]


class Plugin:
    name = "batchlint"
    version = __version__

    def __init__(self, tree: Any, lines: list[str], filename: str = "stdin") -> None:
        # `tree` (the stdlib AST) is unused; flake8 needs the parameter to run us.
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        text = "".join(self.lines)
        config = _config_for(self.filename)
        findings = None
        module = None
        if self.filename not in ("stdin", "-"):
            findings = _project_findings(self.filename, text, config)
            module = module_name(os.path.abspath(self.filename))[0]
        if findings is None:
            if not seed_pattern(config).search(text):
                return  # alone, it cannot contain a Claude call: no parse at all
            findings = check_source(text, self.filename, config, module=module, apply_noqa=False).findings
        for finding in findings:
            yield finding.line, finding.column - 1, f"{finding.code} {finding.short_message}", type(self)  # as `check` prints it

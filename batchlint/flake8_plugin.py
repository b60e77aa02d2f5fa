"""flake8 front end: `flake8 --select BL` reports what `batchlint check` reports
for a single file. flake8 applies its own `# noqa` handling (we yield every
finding), and a file that cannot matter is never parsed at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ._version import __version__
from .checker import check_source
from .config import Config, ConfigError, find_config, load_config
from .discovery import module_name, seed_pattern

_configs: dict[str, Config] = {}


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
        if not seed_pattern(config).search(text):
            return  # cannot contain a Claude call: no parse at all
        module = None
        if self.filename not in ("stdin", "-"):
            module = module_name(os.path.abspath(self.filename))[0]
        result = check_source(text, self.filename, config, module=module, apply_noqa=False)
        for finding in result.findings:
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)

"""The project's line length, as its formatter or linter is configured:
`ruff.toml` / `.ruff.toml`, then `[tool.ruff]`, then `[tool.black]` in
pyproject.toml, else 88 (both tools' default)."""

from __future__ import annotations

import os

from ..config import toml_parser

DEFAULT_LINE_LENGTH = 88


def line_length(root: str) -> int:
    tomllib = toml_parser()
    for name, path in (("ruff.toml", ()), (".ruff.toml", ()), ("pyproject.toml", ("tool", "ruff")),
                       ("pyproject.toml", ("tool", "black"))):
        try:
            with open(os.path.join(root, name), "rb") as handle:
                table = tomllib.load(handle)
        except (OSError, ValueError):
            continue
        for key in path:
            table = table.get(key) if isinstance(table, dict) else None
        value = table.get("line-length") if isinstance(table, dict) else None
        if isinstance(value, int) and 20 <= value <= 1000:
            return value
    return DEFAULT_LINE_LENGTH

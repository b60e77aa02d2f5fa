"""Shared test helpers: write a small project to disk and check it."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from batchlint import check_paths
from batchlint.config import Config


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def check(root: Path, files: dict[str, str] | None = None, config: Config | None = None):
    if files:
        write(root, files)
    old = os.getcwd()
    os.chdir(root)
    try:
        return check_paths(["."], config or Config(root=str(root)))
    finally:
        os.chdir(old)


def triples(result) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line, f.code) for f in result.findings)

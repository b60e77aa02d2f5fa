"""Formatters: each renders a CheckResult, none decides anything.

A run imports only the formatter it uses (the CLI starts on every commit)."""

from __future__ import annotations

import importlib

# format name -> (module in this package, render function)
_CHECK = {
    "concise": ("text", "render_text"),
    "full": ("text", "render_full"),
    "text": ("text", "render_text"),  # the name `concise` had before; kept for scripts
    "json-lines": ("json_lines", "render_json_lines"),
    "gitlab": ("gitlab", "render_gitlab"),
    "junit": ("junit", "render_junit"),
    "json": ("json_format", "render_json"),
    "sarif": ("sarif", "render_sarif"),
    "github": ("github", "render_github"),
    "markdown": ("markdown", "render_markdown"),
}
_REPORT = {
    "text": ("report_formats", "render_report_text"),
    "markdown": ("report_formats", "render_report_markdown"),
    "json": ("report_formats", "render_report_json"),
    "html": ("report_html", "render_report_html"),
}
FORMATS = tuple(sorted(_CHECK))  # `batchlint check --output-format`
TEXT_FORMATS = ("concise", "full", "text")  # take colour, --show-context, -q
REPORT_FORMATS = tuple(sorted(_REPORT))  # `batchlint report --format`


def check_renderer(name: str):
    return _load(_CHECK[name])


def report_renderer(name: str):
    return _load(_REPORT[name])


def _load(where: tuple[str, str]):
    module, function = where
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)

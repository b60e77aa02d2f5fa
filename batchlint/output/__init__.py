"""Formatters: each renders a CheckResult, none decides anything."""

from __future__ import annotations

from .github import render_github
from .json_format import render_json
from .markdown import render_markdown
from .sarif import render_sarif
from .text import render_text

FORMATS = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "markdown": render_markdown,
}

__all__ = ["FORMATS", "render_github", "render_json", "render_markdown", "render_sarif", "render_text"]

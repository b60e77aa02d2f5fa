"""Formatters: each renders a CheckResult, none decides anything."""

from __future__ import annotations

from .json_format import render_json
from .text import render_text

FORMATS = {"text": render_text, "json": render_json}

__all__ = ["FORMATS", "render_json", "render_text"]

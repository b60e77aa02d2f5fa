"""Measured usage: what real runs of the code sent to Claude, per call site.

Read from `batchlint trace` files (one JSON line per request) or from
OpenTelemetry GenAI spans exported as OTLP JSON (files.py), then used in
place of the estimate's defaults (apply.py)."""

from __future__ import annotations

from .apply import apply_usage
from .files import Call, UsageError, load_usage

__all__ = ["Call", "UsageError", "apply_usage", "load_usage"]

"""Measured usage: what real runs of the code sent to Claude, per call site.

Read from `batchlint trace` files (one JSON line per request) or from
OpenTelemetry GenAI spans exported as OTLP JSON (files.py), then used in
place of the estimate's defaults (apply.py). Nothing is imported here:
cli.py names options.py on every run, and `check` starts fast.
"""

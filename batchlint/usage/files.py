"""Usage files as plain Call records: `batchlint trace` JSON lines, or OTLP JSON.

A trace file holds one object per line (bootstrap/_batchlint_recorder.py).
An OTLP file is an ExportTraceServiceRequest in JSON (`{"resourceSpans":
[...]}`), or one such object per line as the Collector's file exporter writes
them. Spans are read by the OpenTelemetry GenAI semantic conventions:
`gen_ai.request.model` (or `gen_ai.response.model`), `gen_ai.usage.input_tokens`
(which, by the conventions, includes cached tokens), `gen_ai.usage.output_tokens`,
`gen_ai.usage.cache_read.input_tokens`, `gen_ai.usage.cache_creation.input_tokens`,
and the call site from `code.file.path` / `code.line.number` (or the older
`code.filepath` / `code.lineno`). Spans without a model and token counts
(HTTP, database, agent spans) are skipped. An OTLP file counts as one run.

Anything else is a UsageError naming the file (and line): one clear line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass


class UsageError(Exception):
    """A usage file that cannot be read: the message names it."""


@dataclass(frozen=True)
class Call:
    """One measured request. Tokens as the Messages API counts them:
    `input_tokens` excludes the cache reads and writes."""

    path: str  # call site: the file that made the request ("" if unknown)
    line: int
    stack: tuple[tuple[str, int], ...]  # the frames above it, innermost first
    model: str
    input_tokens: int
    output_tokens: int
    cache_read: int
    cache_write: int
    run: str  # one run of the program: a trace's run id, an OTLP file's name
    source: str  # "trace" | "otlp"


_MAX_TOKENS = 10**9  # per request: more is not a real count


def load_usage(paths: list[str]) -> list[Call]:
    calls: list[Call] = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: cannot read usage file: {getattr(exc, 'strerror', None) or exc}") from None
        calls += _parse(path, text)
    return calls


def _parse(path: str, text: str) -> list[Call]:
    stripped = text.lstrip()
    if not stripped:
        raise UsageError(f"{path}: empty usage file (no trace lines, no OTLP spans)")
    try:
        whole = json.loads(text)
    except (ValueError, RecursionError):
        whole = None
    if isinstance(whole, dict) and "resourceSpans" in whole:
        return _otlp(path, [whole])
    objects = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            raise UsageError(f"{path}:{number}: not a JSON line (expected `batchlint trace` output or OTLP JSON)") from None
        if not isinstance(value, dict):
            raise UsageError(f"{path}:{number}: expected a JSON object")
        objects.append((number, value))
    if objects and all("resourceSpans" in v for _n, v in objects):
        return _otlp(path, [v for _n, v in objects])
    return [_trace_call(path, number, value) for number, value in objects]


def _count(path: str, where: int | str, value, key: str) -> int:
    if value is None:
        return 0
    if isinstance(value, str) and value.isdigit():
        value = int(value)  # OTLP JSON writes 64-bit integers as strings
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is not int or not 0 <= value <= _MAX_TOKENS:
        raise UsageError(f"{path}:{where}: `{key}` is not a token count: {str(value)[:40]!r}")
    return value


def _site(text: str) -> tuple[str, int]:
    path, _, line = str(text).rpartition(":")
    return (path, int(line)) if line.isdigit() else ("", 0)


def _trace_call(path: str, number: int, value: dict) -> Call:
    if value.get("v") != 1 or not isinstance(value.get("model"), str):
        raise UsageError(f"{path}:{number}: not a `batchlint trace` record (no `v: 1` and `model`)")
    site_path, site_line = _site(value.get("site", ""))
    stack = value.get("stack", [])
    if not isinstance(stack, list):
        raise UsageError(f"{path}:{number}: `stack` is not a list")
    return Call(
        path=site_path, line=site_line, stack=tuple(_site(s) for s in stack if isinstance(s, str)),
        model=value["model"],
        input_tokens=_count(path, number, value.get("input_tokens"), "input_tokens"),
        output_tokens=_count(path, number, value.get("output_tokens"), "output_tokens"),
        cache_read=_count(path, number, value.get("cache_read_input_tokens"), "cache_read_input_tokens"),
        cache_write=_count(path, number, value.get("cache_creation_input_tokens"), "cache_creation_input_tokens"),
        run=str(value.get("run") or path), source="trace",
    )


# --------------------------------------------------------------------- OTLP
def _attributes(items) -> dict:
    """OTLP's [{key, value: {stringValue|intValue|doubleValue|...}}] as a dict."""
    out = {}
    if not isinstance(items, list):
        return out
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not isinstance(item.get("value"), dict):
            continue
        value = item["value"]
        for kind in ("stringValue", "intValue", "doubleValue", "boolValue"):
            if kind in value:
                out[item["key"]] = value[kind]
                break
    return out


def _otlp(path: str, requests: list[dict]) -> list[Call]:
    calls = []
    run = os.path.abspath(path)
    for request in requests:
        resource_spans = request.get("resourceSpans")
        if not isinstance(resource_spans, list):
            raise UsageError(f"{path}: `resourceSpans` is not a list (expected OTLP JSON)")
        for resource in resource_spans:
            scopes = resource.get("scopeSpans", []) if isinstance(resource, dict) else []
            for scope in scopes if isinstance(scopes, list) else []:
                spans = scope.get("spans", []) if isinstance(scope, dict) else []
                for span in spans if isinstance(spans, list) else []:
                    if isinstance(span, dict):
                        call = _span_call(path, span, run)
                        if call is not None:
                            calls.append(call)
    return calls


def _span_call(path: str, span: dict, run: str) -> Call | None:
    attrs = _attributes(span.get("attributes"))
    model = attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model")
    provider = attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system") or "anthropic"
    if not isinstance(model, str) or "gen_ai.usage.input_tokens" not in attrs or provider != "anthropic":
        return None  # not a Claude request with usage
    where = f"span {str(span.get('spanId', ''))[:16] or span.get('name', '?')}"
    total_input = _count(path, where, attrs.get("gen_ai.usage.input_tokens"), "gen_ai.usage.input_tokens")
    cache_read = _count(path, where, attrs.get("gen_ai.usage.cache_read.input_tokens"), "gen_ai.usage.cache_read.input_tokens")
    cache_write = _count(path, where, attrs.get("gen_ai.usage.cache_creation.input_tokens"),
                         "gen_ai.usage.cache_creation.input_tokens")
    file = attrs.get("code.file.path") or attrs.get("code.filepath") or ""
    line = attrs.get("code.line.number") or attrs.get("code.lineno") or 0
    line = _count(path, where, line, "code.line.number")
    return Call(
        path=str(file), line=line, stack=(), model=model,
        input_tokens=max(0, total_input - cache_read - cache_write),  # the conventions count cached tokens in
        output_tokens=_count(path, where, attrs.get("gen_ai.usage.output_tokens"), "gen_ai.usage.output_tokens"),
        cache_read=cache_read, cache_write=cache_write, run=run, source="otlp",
    )

"""Machine-readable output; the schema is documented in docs/json-format.md."""

from __future__ import annotations

from collections import Counter

from .._version import __version__
from ..model import CheckResult, Finding
from .escape import dumps

SCHEMA_VERSION = 1


def finding_dict(finding: Finding) -> dict:
    loc = finding.location
    return {
        "code": finding.code,
        "message": finding.message,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "context": finding.context.value if finding.context else None,
        "evidence": list(finding.evidence),
        "call": {"path": finding.call.path, "line": finding.call.line, "column": finding.call.column},
        "sdk_call": finding.sdk_call,
        "client": finding.client,
        "schedule": finding.scheduled_by or None,
        "job": dict(finding.extra).get("job"),
        "estimate": estimate_dict(finding.estimate),
        "fix": None if finding.fix is None else {
            "fixable": finding.fix.fixable, "reason": finding.fix.reason,
            "safety": finding.fix.safety or None, "unsafe_because": finding.fix.unsafe_because or None,
        },
    }


def estimate_dict(estimate) -> dict | None:
    if estimate is None:
        return None
    money = lambda value: None if value is None else round(value, 2)  # noqa: E731
    return {
        "model": estimate.model,
        "calls_per_month": round(estimate.calls_per_month, 1),
        "input_tokens_per_call": round(estimate.input_tokens),
        "output_tokens_per_call": round(estimate.output_tokens),
        "monthly_usd": {
            "now": money(estimate.monthly_now),
            "batch": money(estimate.monthly_batch),
            "saving": money(estimate.monthly_saving),
            "batch_with_caching": money(estimate.monthly_batch_cached),
            "batch_on_cheaper_model": money(estimate.monthly_batch_cheaper),
        },
        "cheaper_model": estimate.cheaper_model or None,
        "basis": estimate.basis,
        "assumptions": [{"name": a.name, "value": a.value, "source": a.source, "basis": a.basis} for a in estimate.assumptions],
    }


def render_json(result: CheckResult, **_options) -> str:
    data = {
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "findings": [finding_dict(f) for f in result.findings],
        "errors": [{"path": e.path, "code": e.code, "message": e.message, "line": max(1, e.line), "column": max(1, e.column)}
                   for e in result.errors],
        "summary": {
            "findings": len(result.findings),
            "by_code": dict(sorted(Counter(f.code for f in result.findings).items())),
            "files_checked": result.files_checked,
            "files_parsed": result.files_parsed,
            "errors": len(result.errors),
            "suppressed": result.suppressed,
            "monthly_usd": {
                "now": round(sum(f.estimate.monthly_now for f in result.findings if f.estimate), 2),
                "batch": round(sum(f.estimate.monthly_batch for f in result.findings if f.estimate), 2),
                "saving": round(sum(f.estimate.monthly_saving for f in result.findings if f.estimate), 2),
            },
        },
    }
    return dumps(data) + "\n"

"""GitLab Code Quality report (a JSON array of issues), as `ruff --output-format gitlab`
writes it: description, check_name, fingerprint, severity, location.path and
location.lines.begin. The fingerprint is stable across runs and unique per
finding (code, path, message and occurrence), so GitLab can tell new issues
from fixed ones."""

from __future__ import annotations

import hashlib

from ..model import CheckResult
from ..money import usd
from .escape import dumps


def _fingerprint(seen: dict, *parts: str) -> str:
    key = "\0".join(parts)
    seen[key] = seen.get(key, 0) + 1  # the same message twice in a file: two issues
    return hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8", "surrogateescape")).hexdigest()


def render_gitlab(result: CheckResult, **_options) -> str:
    seen: dict = {}
    issues = []
    for error in result.errors:
        issues.append({
            "description": f"{error.code} {error.message}",
            "check_name": error.code,
            "fingerprint": _fingerprint(seen, error.code, error.path, error.message),
            "severity": "major",
            "location": {"path": error.path, "lines": {"begin": 1}},
        })
    for f in result.findings:
        saving = f" (saves ~{usd(f.estimate.monthly_saving)}/month in batch)" if f.estimate else ""
        issues.append({
            "description": f"{f.code} {f.short_message}{saving}",
            "check_name": f.code,
            "fingerprint": _fingerprint(seen, f.code, f.path, f.message),
            "severity": "info" if f.code.startswith("BL2") else "minor",
            "location": {"path": f.path, "lines": {"begin": f.line, "end": f.location.end_line or f.line}},
        })
    return dumps(issues) + "\n"

"""Identities for findings that survive unrelated edits (baselines, SARIF).

Line and column numbers are left out: a finding is its code, its file, and
what its message and innermost evidence say with the numbers removed. Two
findings that would still collide get an occurrence index in file order."""

from __future__ import annotations

import hashlib
import re

from .model import Finding

_NUMBERS = re.compile(r":\d+(?::\d+)?\b")


def _stable(text: str) -> str:
    return _NUMBERS.sub("", text)


def fingerprints(findings: list[Finding] | tuple[Finding, ...]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for finding in sorted(findings, key=Finding.sort_key):
        base = "\0".join((finding.code, finding.path, _stable(finding.message), _stable(finding.evidence[0] if finding.evidence else "")))
        digest = hashlib.sha256(base.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        index = seen.get(digest, 0)
        seen[digest] = index + 1
        out.append(f"{digest}-{index}")
    order = {id(f): i for i, f in enumerate(sorted(findings, key=Finding.sort_key))}
    return [out[order[id(f)]] for f in findings]

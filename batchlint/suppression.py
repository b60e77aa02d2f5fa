"""`# noqa` on the reported line, as flake8 and ruff read it."""

from __future__ import annotations

from .analysis.facts import FileFacts
from .model import Finding


def noqa_codes(facts: FileFacts, line: int) -> str | None:
    """None: no noqa on the line; "": a blanket noqa; else comma-joined codes."""
    for number, codes in facts.noqa:
        if number == line:
            return codes
    return None


def is_suppressed(facts: FileFacts, finding: Finding) -> bool:
    codes = noqa_codes(facts, finding.line)
    if codes is None:
        return False
    if codes == "":
        return True
    return any(finding.code.startswith(code) for code in codes.split(","))

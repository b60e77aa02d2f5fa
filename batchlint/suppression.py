"""`# noqa` on the reported line, as flake8 and ruff read it."""

from __future__ import annotations

import re

from .analysis.facts import FileFacts
from .model import Finding, Location


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


_REALTIME = re.compile(r"^realtime\b\s*(?:--\s*(?P<reason>.*))?$")


def realtime_reason(facts: FileFacts, line: int) -> str | None:
    """None: no realtime pragma on the line; "": one without a reason; else the reason."""
    for number, text in facts.pragmas:
        if number == line:
            match = _REALTIME.match(text.strip())
            if match:
                return (match.group("reason") or "").strip()
    return None


def realtime_pragmas_without_reason(facts: FileFacts) -> list[tuple[int, str]]:
    out = []
    for number, text in facts.pragmas:
        match = _REALTIME.match(text.strip())
        if match and not (match.group("reason") or "").strip():
            out.append((number, text))
    return out


def realtime_suppression(facts_by_path: dict[str, FileFacts], finding: Finding) -> str:
    """The reason of a `# batchlint: realtime -- <reason>` on the reported line or the SDK call."""
    if finding.code == "BL010":
        return ""
    for path, line in ((finding.path, finding.line), (finding.call.path, finding.call.line)):
        facts = facts_by_path.get(path)
        reason = realtime_reason(facts, line) if facts is not None else None
        if reason:
            return reason
    return ""


def pragmas_without_reason(files: list[FileFacts]) -> list[Finding]:
    out = []
    for facts in files:
        for line, text in realtime_pragmas_without_reason(facts):
            where = Location(facts.path, line, 1)
            out.append(Finding(
                code="BL010",
                message="`# batchlint: realtime` needs a reason saying who waits: `# batchlint: realtime -- <reason>`",
                location=where, context=None, evidence=(), call=where, sdk_call="", client="",
            ))
    return out

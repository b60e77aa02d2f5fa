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
    return _covers(noqa_codes(facts, finding.line), finding.code) or _covers(file_noqa(facts), finding.code)


def _covers(codes: str | None, code: str) -> bool:
    if codes is None:
        return False
    return codes == "" or any(code.startswith(c) for c in codes.split(","))


# `# batchlint: noqa` or `# batchlint: noqa: BL101,BL2` on a line of its own
# (index._scan_comments keeps no other): the whole file, as `# ruff: noqa`.
_FILE_NOQA = re.compile(r"^noqa(?:\s*:\s*(?P<codes>[A-Za-z]+[0-9]*(?:[,\s]+[A-Za-z]+[0-9]*)*))?\s*$")


def file_noqa(facts: FileFacts) -> str | None:
    """None: no file-level noqa; "": every code; else comma-joined codes."""
    out = None
    for _number, text in facts.pragmas:
        match = _FILE_NOQA.match(text.strip())
        if match:
            codes = match.group("codes")
            if not codes:
                return ""
            out = ",".join(filter(None, (out or "").split(",") + re.split(r"[,\s]+", codes.upper().strip())))
    return out


def used_noqa(facts: FileFacts, finding: Finding) -> tuple[int, str] | None:
    """The (line, code) of the line noqa that suppresses `finding`, if a code of it does."""
    codes = noqa_codes(facts, finding.line)
    for code in (codes or "").split(","):
        if code and finding.code.startswith(code):
            return finding.line, code
    return None


_OURS = re.compile(r"^BL[0-9]{1,3}$")


def unused_noqa(facts: FileFacts, used: set, enabled, source: str) -> list[Finding]:
    """BL011: a batchlint code (BL and digits) in a line's `# noqa: ...` that
    suppressed nothing on that line (as ruff's RUF100). Other tools' codes
    (BLE001 too) and a bare `# noqa` are theirs to judge; a code whose rules are all off in this run is not judged."""
    from .rules import BY_CODE

    candidates = []
    for line, codes in facts.noqa:
        for code in (codes or "").split(","):
            if not _OURS.match(code) or (facts.path, line, code) in used:  # BLE001 is flake8-blind-except's
                continue
            rules = [r for r in BY_CODE if r.startswith(code)]
            if not rules or any(enabled(r) for r in rules):
                candidates.append((line, code, bool(rules)))
    comments = _comment_lines(source) if candidates else set()
    out = []
    for line, code, known in candidates:
        if line not in comments:  # `# noqa: BL101` inside a string (a linter's own tests) is no comment
            continue
        why = "suppresses nothing on this line" if known else "is not a batchlint code"
        where = Location(facts.path, line, 1)
        out.append(Finding(
            code="BL011", message=f"`# noqa: {code}` {why}: remove it", summary=f"unused `# noqa: {code}`",
            location=where, context=None, evidence=(), call=where, sdk_call="", client="",
        ))
    return out


def _comment_lines(source: str) -> set[int]:
    """The lines of the analyzed text holding a real comment, from the
    tokenizer (the noqa scan reads lines as text); run only for a file with a
    candidate unused noqa."""
    import io
    import tokenize

    try:
        return {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.COMMENT}
    except (SyntaxError, tokenize.TokenError):
        return set()


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

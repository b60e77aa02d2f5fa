"""ruff/flake8-style lines: `path:line:col: CODE message`, then a summary."""

from __future__ import annotations

from ..model import CheckResult
from .escape import clean


def render_text(result: CheckResult, show_context: bool = False, quiet: bool = False) -> str:
    lines: list[str] = []
    for error in result.errors:
        lines.append(f"{clean(error.path)}:1:1: {error.code} {clean(error.message)}")
    for finding in result.findings:
        lines.append(f"{clean(finding.path)}:{finding.line}:{finding.column}: {finding.code} {clean(finding.message)}")
        if show_context:
            for step in finding.evidence:
                lines.append(f"    = {clean(step)}")
    if not quiet:
        lines.append(_summary(result))
    return "\n".join(lines) + ("\n" if lines else "")


def _summary(result: CheckResult) -> str:
    n = len(result.findings)
    files = f"{result.files_checked} file{'s' if result.files_checked != 1 else ''} checked, {result.files_parsed} parsed"
    extra = []
    if result.errors:
        extra.append(f"{len(result.errors)} file error{'s' if len(result.errors) != 1 else ''}")
    if result.suppressed:
        extra.append(f"{result.suppressed} suppressed")
    tail = f" ({files}{''.join('; ' + e for e in extra)})."
    if n == 0:
        return "No synchronous Claude calls that nobody waits on" + tail
    noun = "call" if n == 1 else "calls"
    return f"Found {n} synchronous Claude {noun} that nobody waits on" + tail

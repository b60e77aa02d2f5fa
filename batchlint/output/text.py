"""ruff/flake8-style lines: `path:line:col: CODE message`, then a summary."""

from __future__ import annotations

from ..model import CheckResult
from ..money import usd, usd_whole
from .escape import clean, line_start


def render_text(result: CheckResult, show_context: bool = False, quiet: bool = False, show_suppressed: bool = False,
                **_options) -> str:
    lines: list[str] = []
    for error in result.errors:
        lines.append(f"{line_start(error.path)}:{max(1, error.line)}:{max(1, error.column)}: {error.code} {clean(error.message)}")
    for finding in result.findings:
        cost = finding.estimate
        money = f" [~{usd(cost.monthly_now)}/month now, {usd(cost.monthly_batch)} in batch]" if cost else ""
        lines.append(f"{line_start(finding.path)}:{finding.line}:{finding.column}: {finding.code} {clean(finding.message)}{money}")
        if show_context:
            for step in finding.evidence:
                lines.append(f"    = {clean(step)}")
            if cost:
                lines.extend(_estimate_lines(cost))
            if finding.fix is not None:
                fix = finding.fix
                verdict = f"fixable ({fix.safety}): " if fix.fixable else "not fixable: "
                unsafe = f" [unsafe: {clean(fix.unsafe_because)}]" if fix.fixable and fix.unsafe_because else ""
                lines.append(f"    fix: {verdict}{clean(fix.reason)}{unsafe}")
    if show_suppressed:
        for finding, why in result.suppressed_findings:
            lines.append(f"{line_start(finding.path)}:{finding.line}:{finding.column}: {finding.code} (suppressed, {clean(why)}) {clean(finding.message)}")
    if not quiet:
        lines.append(_summary(result))
    return "\n".join(lines) + ("\n" if lines else "")


def _estimate_lines(cost) -> list[str]:
    out = [f"    $ {cost.calls_per_month:,.0f} calls/month on {cost.model}: {usd(cost.monthly_now)} now, "
           f"{usd(cost.monthly_batch)} in batch (saves {usd(cost.monthly_saving)})"]
    if cost.monthly_batch_cached is not None:
        out.append(f"    $ with prompt caching of the stable prefix too: {usd(cost.monthly_batch_cached)}")
    if cost.monthly_batch_cheaper is not None:
        out.append(f"    $ for information: batch on {cost.cheaper_model} would be {usd(cost.monthly_batch_cheaper)}")
    for note in cost.assumptions:
        out.append(f"    $   {note.name} = {clean(note.value)} ({clean(note.source)})")
    return out


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
    saving = sum(f.estimate.monthly_saving for f in result.findings if f.estimate)
    money = f"; about {usd_whole(saving)}/month saved in batch (estimate, see --show-context)" if saving else ""
    return f"Found {n} synchronous Claude {noun} that nobody waits on" + tail[:-1] + money + "."

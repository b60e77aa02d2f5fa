"""ruff-style text: `concise` (one `path:line:col: CODE message` line per
finding) and `full` (the same line, the source around it and the whole
explanation), then a summary. `--show-context` adds the chain of evidence and
the cost estimate's assumptions under each finding in either."""

from __future__ import annotations

from ..model import CheckResult, Finding
from ..money import usd, usd_whole
from .color import paint
from .escape import clean, line_start
from .snippet import SourceLines, snippet


def render_text(result: CheckResult, show_context: bool = False, quiet: bool = False, show_suppressed: bool = False,
                color: bool = False, full: bool = False, **_options) -> str:
    lines: list[str] = []
    sources = SourceLines() if full else None
    for error in result.errors:
        lines.append(f"{_where(error.path, max(1, error.line), max(1, error.column), color)} "
                     f"{paint(error.code, 'code', color)} {clean(error.message)}")
    for finding in result.findings:
        lines.append(finding_line(finding, color))
        if sources is not None:
            lines.extend(_full(finding, sources, color))
        if show_context:
            lines.extend(context_lines(finding, with_message=sources is None))
        if sources is not None:
            lines.append("")
    if show_suppressed:
        for finding, why in result.suppressed_findings:
            lines.append(f"{_where(finding.path, finding.line, finding.column, color)} {paint(finding.code, 'code', color)} "
                         f"(suppressed, {clean(why)}) {clean(finding.short_message)}")
    if not quiet:
        lines.append(_summary(result))
    return "\n".join(lines) + ("\n" if lines else "")


_BASIS = {"default": "rests on defaults", "measured": "measured", "code": "from the code"}


def render_full(result: CheckResult, **options) -> str:
    return render_text(result, **{**options, "full": True})


def _where(path: str, line: int, column: int, color: bool) -> str:
    return f"{paint(line_start(path), 'path', color)}:{line}:{column}:"


def finding_line(finding: Finding, color: bool = False) -> str:
    """`path:line:col: CODE short message (saves ~$X/mo)`: the chain and the
    assumptions live under --show-context, the whole message in `full`."""
    cost = finding.estimate
    figure = usd(cost.monthly_saving) if cost else ""
    saving = paint(f"(saves {'' if figure.startswith('<') else '~'}{figure}/mo)", "saving", color) if cost else ""
    return (f"{_where(finding.path, finding.line, finding.column, color)} {paint(finding.code, 'code', color)} "
            f"{clean(finding.short_message)}{' ' + saving if saving else ''}")


def _full(finding: Finding, sources: SourceLines, color: bool) -> list[str]:
    out = [f"  {line}" for line in snippet(sources.lines(finding.path), finding.line, finding.column, finding.code)]
    out = [paint(line, "dim", color) if line.rstrip().endswith("|") else line for line in out]
    if finding.summary:  # the whole message says more than the line
        out.append(f"  = {clean(finding.message)}")
    cost = finding.estimate
    if cost:
        out.append(f"  = cost: ~{usd(cost.monthly_now)}/month now, {usd(cost.monthly_batch)} in batch "
                   "(estimate, see --show-context)")
    return out


def context_lines(finding: Finding, with_message: bool = True) -> list[str]:
    lines = [f"    {clean(finding.message)}"] if with_message and finding.summary else []
    lines += [f"    = {clean(step)}" for step in finding.evidence]
    if finding.estimate:
        lines.extend(_estimate_lines(finding.estimate))
    if finding.fix is not None:
        fix = finding.fix
        verdict = f"fixable ({fix.safety}): " if fix.fixable else "not fixable: "
        unsafe = f" [unsafe: {clean(fix.unsafe_because)}]" if fix.fixable and fix.unsafe_because else ""
        lines.append(f"    fix: {verdict}{clean(fix.reason)}{unsafe}")
    return lines


def _estimate_lines(cost) -> list[str]:
    out = [f"    $ {cost.calls_per_month:,.0f} calls/month on {cost.model}: {usd(cost.monthly_now)} now, "
           f"{usd(cost.monthly_batch)} in batch (saves {usd(cost.monthly_saving)}; {_BASIS[cost.basis]})"]
    if cost.monthly_batch_cached is not None:
        out.append(f"    $ with prompt caching of the stable prefix too: {usd(cost.monthly_batch_cached)}")
    if cost.monthly_batch_cheaper is not None:
        out.append(f"    $ for information: batch on {cost.cheaper_model} would be {usd(cost.monthly_batch_cheaper)}")
    for note in cost.assumptions:
        out.append(f"    $   {note.name} = {clean(note.value)} ({clean(note.source)})")
    return out


def _summary(result: CheckResult) -> str:
    n = sum(not f.code.startswith("BL0") for f in result.findings)  # BL0xx are about comments, not calls
    comments = len(result.findings) - n
    files = f"{result.files_checked} file{'s' if result.files_checked != 1 else ''} checked, {result.files_parsed} parsed"
    extra = []
    if result.errors:
        extra.append(f"{len(result.errors)} file error{'s' if len(result.errors) != 1 else ''}")
    if result.suppressed:
        extra.append(f"{result.suppressed} suppressed")
    if comments:
        extra.append(f"{comments} comment problem{'s' if comments != 1 else ''}")
    tail = f" ({files}{''.join('; ' + e for e in extra)})."
    if n == 0:
        return "No synchronous Claude calls that nobody waits on" + tail
    noun = "call" if n == 1 else "calls"
    saving = sum(f.estimate.monthly_saving for f in result.findings if f.estimate)
    money = f"; about {usd_whole(saving)}/month saved in batch (estimate, see --show-context)" if saving else ""
    return f"Found {n} synchronous Claude {noun} that nobody waits on" + tail[:-1] + money + "."

"""A Markdown summary of `check` for a pull-request comment."""

from __future__ import annotations

from ..model import CheckResult
from ..money import usd
from .escape import code_span, md_text


def render_markdown(result: CheckResult, changed_only: bool = False, **_options) -> str:
    n = len(result.findings)
    candidates = [f for f in result.findings if f.code.startswith("BL1")]
    extra = sum(f.estimate.monthly_saving for f in candidates if f.estimate)
    if not n and not result.errors:
        what = "This change adds no" if changed_only else "No"
        return f"### batchlint\n\n{what} synchronous Claude calls that nobody waits on.\n"
    noun = "call" if len(candidates) == 1 else "calls"
    subject = "This change adds" if changed_only else "This code has"
    lines = [
        "### batchlint",
        "",
        f"{subject} **{len(candidates)} synchronous Claude {noun} nobody waits on**, "
        f"about **{usd(extra)}/month** more than the same requests in batch.",
        "",
        "| Code | Where | Finding | Saving / month |",
        "|---|---|---|---:|",
    ]
    for f in result.findings:
        saving = usd(f.estimate.monthly_saving) if f.estimate and f.code.startswith("BL1") else ""
        lines.append(f"| {f.code} | {code_span(f'{f.path}:{f.line}')} | {md_text(f.message)} | {saving} |")
    if result.errors:
        lines += ["", f"{len(result.errors)} file(s) could not be analyzed:", ""]
        lines += [f"- {code_span(e.path, in_table=False)}: {e.code} {md_text(e.message, in_table=False)}" for e in result.errors]
    lines += ["", "Estimates and their assumptions: `batchlint check --show-context`. "
              "Mark a call someone does wait on with `# noqa: BL101` (or the code shown)."]
    return "\n".join(lines) + "\n"

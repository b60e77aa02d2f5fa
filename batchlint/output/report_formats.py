"""Renderings of a Report: text, markdown, json (the HTML page is report_html.py)."""

from __future__ import annotations

from .._version import __version__
from ..money import usd
from ..report import Group, Report, basis_line
from .escape import clean, code_span, dumps, md_text
from .json_format import estimate_dict, finding_dict

_usd = usd


def _where(row) -> str:
    f = row.finding
    return f"{f.path}:{f.line}"


# --------------------------------------------------------------------- text
def render_report_text(report: Report, top: int = 20) -> str:
    out = [
        f"Synchronous Claude calls nobody waits on: {len(report.rows)} candidates in {report.files_checked} files",
        f"  now {_usd(report.now)}/month   in batch {_usd(report.batch)}/month   "
        f"saving {_usd(report.saving)}/month   batch + caching {_usd(report.cached)}/month",
        f"  {basis_line(report)}",
        "",
        f"Top {min(top, len(report.rows))} by monthly saving:",
    ]
    for rank, row in enumerate(report.rows[:top], start=1):
        out.append(f"{rank:>3}. {_usd(row.saving):>12}/month  {row.finding.code}  {clean(_where(row))}  {clean(row.job)}")
    for title, groups in (("By job", report.by_job), ("By file", report.by_file)):
        out += ["", f"{title}:"]
        for group in groups:
            out.append(f"  {_usd(group.saving):>12}/month  ({len(group.rows)} calls)  {clean(group.name)}")
    if report.errors:
        out += ["", f"{report.errors} file(s) could not be analyzed; run `batchlint check` to list them."]
    out += ["", "Estimates: see `batchlint check --show-context` for each figure's assumptions (docs/savings.md)."]
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------- markdown
def render_report_markdown(report: Report, top: int = 20) -> str:
    out = [
        "## batchlint: synchronous Claude calls nobody waits on",
        "",
        f"**{len(report.rows)} candidates** could move to the Message Batches API: about "
        f"**{_usd(report.saving)}/month** saved ({_usd(report.now)} now, {_usd(report.batch)} in batch, "
        f"{_usd(report.cached)} with prompt caching too). {md_text(basis_line(report))}.",
        "",
        "| # | Saving / month | Now / month | Code | Where | Job |",
        "|---:|---:|---:|---|---|---|",
    ]
    for rank, row in enumerate(report.rows[:top], start=1):
        out.append(f"| {rank} | {_usd(row.saving)} | {_usd(row.now)} | {row.finding.code} | {code_span(_where(row))} | {md_text(row.job)} |")
    if len(report.rows) > top:
        out.append(f"| | | | | … {len(report.rows) - top} more | |")
    out += ["", "<details><summary>By file</summary>", "", "| File | Calls | Saving / month |", "|---|---:|---:|"]
    out += [f"| {code_span(g.name)} | {len(g.rows)} | {_usd(g.saving)} |" for g in report.by_file]
    out += ["", "</details>", "", "Figures are estimates with their assumptions shown by `batchlint check --show-context`."]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------- json
def _group_dict(group: Group) -> dict:
    return {"name": group.name, "calls": len(group.rows), "monthly_usd": {
        "now": round(group.now, 2), "batch": round(group.batch, 2), "saving": round(group.saving, 2),
        "batch_with_caching": round(group.cached, 2)}}


def render_report_json(report: Report) -> str:
    data = {
        "version": __version__,
        "totals": {"candidates": len(report.rows), "monthly_usd": {
            "now": round(report.now, 2), "batch": round(report.batch, 2),
            "saving": round(report.saving, 2), "batch_with_caching": round(report.cached, 2)},
            "saving_on_defaults": round(report.on_defaults, 2), "saving_measured": round(report.measured, 2)},
        "candidates": [{**finding_dict(r.finding), "estimate": estimate_dict(r.finding.estimate), "job": r.job} for r in report.rows],
        "by_job": [_group_dict(g) for g in report.by_job],
        "by_file": [_group_dict(g) for g in report.by_file],
        "files_checked": report.files_checked,
        "errors": report.errors,
    }
    return dumps(data) + "\n"

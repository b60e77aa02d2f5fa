"""Renderings of a Report: text, markdown, json, html (one self-contained file)."""

from __future__ import annotations

import html

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


# --------------------------------------------------------------------- html
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{padding:.35rem .6rem;border-bottom:1px solid #e3e3e6;text-align:left;vertical-align:top;overflow-wrap:anywhere}
table{table-layout:fixed}th.w,td.w{width:34%}th.c,td.c{width:5rem}th.m,td.m{width:7rem}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em}
.totals{display:flex;gap:1rem;flex-wrap:wrap}.totals div{background:#f4f4f7;border-radius:8px;padding:.6rem 1rem}
.totals b{display:block;font-size:1.3rem}svg text{font:12px system-ui,sans-serif}
"""


def _chart(groups: tuple[Group, ...], limit: int = 15) -> str:
    shown = [g for g in groups if g.saving > 0][:limit]
    if not shown:
        return "<p>No savings to chart.</p>"
    width, label_w, bar_h, gap = 900, 360, 22, 6
    top = max(g.saving for g in shown)
    parts = [f'<svg role="img" aria-label="Monthly saving per job" width="{width}" height="{len(shown) * (bar_h + gap)}" xmlns="http://www.w3.org/2000/svg">']
    for i, group in enumerate(shown):
        y = i * (bar_h + gap)
        length = max(2, (width - label_w - 110) * group.saving / top)
        name = html.escape(clean(group.name if len(group.name) <= 55 else group.name[:52] + "..."))
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{name}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="#3b6fd8" rx="3"/>')
        parts.append(f'<text x="{label_w + length + 6:.1f}" y="{y + 15}">{html.escape(_usd(group.saving))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_report_html(report: Report) -> str:
    e = lambda text: html.escape(clean(str(text)))  # noqa: E731
    rows = "".join(
        f"<tr><td class=n style='width:2.5rem'>{rank}</td><td class='n m'>{e(_usd(r.saving))}</td><td class='n m'>{e(_usd(r.now))}</td>"
        f"<td class=c>{e(r.finding.code)}</td><td><code>{e(_where(r))}</code></td><td>{e(r.job)}</td><td class=w>{e(r.finding.message)}</td></tr>"
        for rank, r in enumerate(report.rows, start=1)
    )
    files = "".join(f"<tr><td><code>{e(g.name)}</code></td><td class=n>{len(g.rows)}</td><td class=n>{e(_usd(g.saving))}</td></tr>" for g in report.by_file)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>batchlint savings report</title><style>{_CSS}</style></head>
<body>
<h1>Synchronous Claude calls nobody waits on</h1>
<div class="totals">
<div>candidates<b>{len(report.rows)}</b></div>
<div>now<b>{e(_usd(report.now))}/mo</b></div>
<div>in batch<b>{e(_usd(report.batch))}/mo</b></div>
<div>saving<b>{e(_usd(report.saving))}/mo</b></div>
<div>batch + caching<b>{e(_usd(report.cached))}/mo</b></div>
</div>
<p>{e(basis_line(report))}.</p>
<h2>Saving per job</h2>
{_chart(report.by_job)}
<h2>Candidates, largest saving first</h2>
<table><tr><th class=n style='width:2.5rem'>#</th><th class='n m'>saving/mo</th><th class='n m'>now/mo</th><th class=c>code</th><th>where</th><th>job</th><th class=w>finding</th></tr>{rows}</table>
<h2>By file</h2>
<table><tr><th>file</th><th class=n>calls</th><th class=n>saving/mo</th></tr>{files}</table>
<p>Estimates from batchlint {e(__version__)}; each figure's assumptions are shown by <code>batchlint check --show-context</code>.
{e(report.files_checked)} files checked{', ' + e(report.errors) + ' could not be analyzed' if report.errors else ''}.</p>
</body></html>
"""

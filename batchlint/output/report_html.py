"""The savings report as one self-contained HTML page: inline CSS, an inline
SVG bar chart, no script and no network asset.

Code in messages and job names (`x` in the text formats) is shown as <code>;
paths break only after a `/`; a figure resting on a default assumption and a
finding `batchlint fix` can rewrite carry a mark explained under the table; an
amount that is zero (an unpriced model) shows as a dash, never $0.00."""

from __future__ import annotations

import html
import re

from .._version import __version__
from ..money import usd, usd_whole
from ..report import Group, Report, Row, basis_line
from .escape import clean

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:76rem;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.4rem;margin-bottom:.2rem}.sub{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;margin:1rem 0;table-layout:fixed}
th,td{padding:.35rem .6rem;border-bottom:1px solid #e3e3e6;text-align:left;vertical-align:top;overflow-wrap:break-word}
th.r,td.r{width:2rem}th.m,td.m{width:6.5rem}th.c,td.c{width:5.5rem}th.p,td.p{width:14rem}th.j,td.j{width:13.5rem}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:.88em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f1f4;border-radius:3px;padding:0 .2em}
code.path{background:none;padding:0;overflow-wrap:normal}
.mark{color:#8a5a00;font-weight:600;cursor:help;text-decoration:none}
.fix{display:inline-block;font-size:.75em;border-radius:3px;padding:0 .35em;margin-top:.2em;background:#e4f3e7;color:#17602a}
.fix.unsafe{background:#fdf0d9;color:#7a4b00}
.totals{display:flex;gap:1rem;flex-wrap:wrap}.totals div{background:#f4f4f7;border-radius:8px;padding:.6rem 1rem}
.totals b{display:block;font-size:1.3rem}.legend{color:#444;font-size:.9em}
svg text{font:12px system-ui,sans-serif}svg .code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px}
"""

_TICKED = re.compile(r"`([^`\n]+)`")
LABEL_CHARS = 56  # a bar label longer than this loses its middle, never its end
CHAR_PX = 6.6  # the width of a label character at 12px, for the label column


def _e(text) -> str:
    return html.escape(clean(str(text)))


_BREAK_IN_CODE = re.compile(r"([/.(,])(?=[A-Za-z_])")
_BREAK_IN_TEXT = re.compile(r"(/)(?=\w)")


def _breakable(text: str, where: re.Pattern) -> str:
    """Escaped, with a line-break opportunity after each separator `where`
    finds (in code: `/`, `.`, `(`, `,` before a name; in prose: `/`), so that
    a long path or call wraps there, not inside a name."""
    return where.sub(r"\1<wbr>", html.escape(text))


def inline_code(text: str) -> str:
    """`x` spans of a message as <code>x</code>, everything escaped."""
    parts = _TICKED.split(clean(text))
    return "".join(f"<code>{_breakable(p, _BREAK_IN_CODE)}</code>" if i % 2 else _breakable(p, _BREAK_IN_TEXT)
                   for i, p in enumerate(parts))


def path_html(path: str) -> str:
    """A path that may wrap after each `/`, never inside a name."""
    return '<code class="path">' + "/<wbr>".join(html.escape(part) for part in clean(path).split("/")) + "</code>"


def money(value: float, whole: bool = False) -> str:
    """A row's amount; `whole` for a total, which may honestly be $0 (no candidate)."""
    if value <= 0:
        return "$0" if whole else '<span title="not priced, or nothing to save">—</span>'
    return _e(usd_whole(value) if whole else usd(value))


def defaulted(rows) -> list[str]:
    """The assumptions taken from defaults (not from the code, a hint or the
    configuration) in these rows' estimates: runs per month, items per run, model, max_tokens."""
    names = {a.name for r in rows for a in r.finding.estimate.assumptions if a.source.startswith("default")}
    return sorted(names)


def _default_mark(rows) -> str:
    names = defaulted(rows)
    if not names:
        return ""
    return f'<abbr class="mark" title="rests on defaults: {_e(", ".join(names))}">*</abbr>'


def _fix_badge(row: Row) -> str:
    fix = row.finding.fix
    if fix is None or not fix.fixable:
        return ""
    if fix.safety == "safe":
        return '<br><span class="fix" title="batchlint fix rewrites it">fix</span>'
    return '<br><span class="fix unsafe" title="batchlint fix --unsafe-fixes rewrites it">fix (unsafe)</span>'


# ------------------------------------------------------------------ the chart
def _segments(name: str) -> list[tuple[str, bool]]:
    """The label's characters, each with whether it is inside a `code` span."""
    out = []
    for i, part in enumerate(_TICKED.split(clean(name))):
        out += [(ch, bool(i % 2)) for ch in part]
    return out


def _shorten(chars: list, tail: int) -> list:
    if len(chars) <= LABEL_CHARS or tail >= len(chars) - 1:
        return chars
    head = max(LABEL_CHARS - tail - 1, 8)
    return chars[:head] + [("…", False)] + chars[-tail:]


def chart_labels(names: list[str]) -> list[list[tuple[str, bool]]]:
    """Each name shortened in the middle to about LABEL_CHARS; where two would
    read alike, both keep more of their end until they differ."""
    chars = [_segments(n) for n in names]
    tails = [LABEL_CHARS // 2] * len(names)
    while True:
        shown = [_shorten(c, t) for c, t in zip(chars, tails)]
        texts = ["".join(ch for ch, _ in s) for s in shown]
        clash = [i for i, text in enumerate(texts) if texts.count(text) > 1 and len(shown[i]) < len(chars[i])]
        if not clash:
            return shown
        for i in clash:
            tails[i] += 8


def _tspans(label: list[tuple[str, bool]]) -> str:
    runs: list[list] = []
    for ch, is_code in label:
        if runs and runs[-1][1] == is_code:
            runs[-1][0] += ch
        else:
            runs.append([ch, is_code])
    return "".join(f'<tspan class="code">{html.escape(t)}</tspan>' if c else html.escape(t) for t, c in runs)


def chart(groups: tuple[Group, ...], limit: int = 15) -> str:
    shown = [g for g in groups if g.saving > 0][:limit]
    if not shown:
        return "<p>No savings to chart.</p>"
    labels = chart_labels([g.name for g in shown])
    label_w = int(max(len(label) for label in labels) * CHAR_PX) + 12
    bars_w, value_w, bar_h, gap = 480, 90, 22, 6
    top = max(g.saving for g in shown)
    parts = [f'<svg role="img" aria-label="Monthly saving per job" width="{label_w + bars_w + value_w}" '
             f'height="{len(shown) * (bar_h + gap)}" xmlns="http://www.w3.org/2000/svg">']
    for i, (group, label) in enumerate(zip(shown, labels)):
        y = i * (bar_h + gap)
        length = max(2, bars_w * group.saving / top)
        parts.append(f'<g><title>{_e(group.name)}</title><text x="{label_w - 8}" y="{y + 15}" text-anchor="end">'
                     f'{_tspans(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="#3b6fd8" rx="3"/>')
        parts.append(f'<text x="{label_w + length + 6:.1f}" y="{y + 15}">{_e(usd(group.saving))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------- the page
def _row(rank: int, r: Row) -> str:
    return (f"<tr><td class='n r'>{rank}</td><td class='n m'>{money(r.saving)}{_default_mark([r])}</td>"
            f"<td class='n m'>{money(r.now)}</td><td class=c>{_e(r.finding.code)}{_fix_badge(r)}</td>"
            f"<td class=p>{path_html(r.finding.path)}:{r.finding.line}</td><td class=j>{inline_code(r.job)}</td>"
            f"<td>{inline_code(r.finding.message)}</td></tr>")


def render_report_html(report: Report) -> str:
    rows = "".join(_row(rank, r) for rank, r in enumerate(report.rows, start=1))
    files = "".join(f"<tr><td>{path_html(g.name)}</td><td class=n>{len(g.rows)}</td>"
                    f"<td class=n>{money(g.saving)}{_default_mark(g.rows)}</td></tr>" for g in report.by_file)
    project = report.project or "this project"
    stamp = f"{_e(project)}, {_e(report.generated)}" if report.generated else _e(project)
    fixable = sum(1 for r in report.rows if r.finding.fix is not None and r.finding.fix.fixable)
    mark = _default_mark(report.rows)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>batchlint savings report: {stamp}</title><style>{_CSS}</style></head>
<body>
<h1>Synchronous Claude calls nobody waits on</h1>
<p class="sub">{stamp} · batchlint {_e(__version__)}</p>
<div class="totals">
<div>candidates<b>{len(report.rows)}</b></div>
<div>fix can rewrite<b>{fixable}</b></div>
<div>now<b>{money(report.now, True)}/mo{mark}</b></div>
<div>in batch<b>{money(report.batch, True)}/mo{mark}</b></div>
<div>saving<b>{money(report.saving, True)}/mo{mark}</b></div>
<div>batch + caching<b>{money(report.cached, True)}/mo{mark}</b></div>
</div>
<p>{_e(basis_line(report))}.</p>
<h2>Saving per job</h2>
{chart(report.by_job)}
<h2>Candidates, largest saving first</h2>
<table><tr><th class='n r'>#</th><th class='n m'>saving/mo</th><th class='n m'>now/mo</th><th class=c>code</th><th class=p>where</th><th class=j>job</th><th>finding</th></tr>{rows}</table>
<p class="legend"><span class="mark">*</span> rests on at least one default (runs per month, items per run,
model or <code>max_tokens</code>) where the code does not say; hover for which. A
<code># batchlint: volume=</code> hint or <code>[tool.batchlint.savings]</code> replaces it.
<span class="fix">fix</span> <code>batchlint fix</code> rewrites it;
<span class="fix unsafe">fix (unsafe)</span> with <code>--unsafe-fixes</code>. — not priced.</p>
<h2>By file</h2>
<table><tr><th>file</th><th class='n m'>calls</th><th class='n m'>saving/mo</th></tr>{files}</table>
<p>Estimates from batchlint {_e(__version__)}; each figure's assumptions are shown by <code>batchlint check --show-context</code>.
{_e(report.files_checked)} files checked{', ' + _e(report.errors) + ' could not be analyzed' if report.errors else ''}.</p>
</body></html>
"""

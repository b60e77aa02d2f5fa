"""The savings report as a plain value: candidates ranked, grouped, totalled.

Built from a CheckResult; output/report_*.py only render it."""

from __future__ import annotations

from dataclasses import dataclass

from .model import CheckResult, Finding
from .money import usd


@dataclass(frozen=True)
class Row:
    finding: Finding
    now: float
    batch: float
    saving: float
    cached: float  # batch with prompt caching where it applies, else = batch
    job: str


@dataclass(frozen=True)
class Group:
    name: str
    rows: tuple[Row, ...]
    now: float
    batch: float
    saving: float
    cached: float


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]  # ranked by monthly saving, largest first
    by_file: tuple[Group, ...]
    by_job: tuple[Group, ...]
    now: float
    batch: float
    saving: float
    cached: float
    files_checked: int
    errors: int
    on_defaults: float = 0.0  # the part of `saving` whose estimate rests on a default (Estimate.basis)
    measured: float = 0.0  # the part of `saving` whose figures are all measured or from the code, some measured
    project: str = ""  # shown in the HTML title: the pyproject's [project] name, else the folder's
    generated: str = ""  # the date of the run, YYYY-MM-DD


def _row(finding: Finding) -> Row:
    est = finding.estimate
    job = dict(finding.extra).get("job") or "(not called from analyzed code)"
    cached = est.monthly_batch_cached if est.monthly_batch_cached is not None else est.monthly_batch
    return Row(finding, est.monthly_now, est.monthly_batch, est.monthly_saving, cached, job)


def _group(name: str, rows: list[Row]) -> Group:
    return Group(name, tuple(rows), sum(r.now for r in rows), sum(r.batch for r in rows),
                 sum(r.saving for r in rows), sum(r.cached for r in rows))


def project_name(paths) -> str:
    """The [project] name of the nearest pyproject.toml at or above the first
    path, else the name of that file's folder; with no pyproject.toml, the
    name of the first path's folder."""
    import os

    from .config import toml_parser

    start = os.path.abspath(paths[0] if paths else ".")
    folder = start if os.path.isdir(start) else os.path.dirname(start)
    current = folder
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as handle:
                    name = toml_parser().load(handle).get("project", {}).get("name")
            except (OSError, ValueError, AttributeError):
                name = None  # an unreadable or odd file: fall back to the folder's name
            return name if isinstance(name, str) and name else os.path.basename(current)
        parent = os.path.dirname(current)
        if parent == current:
            return os.path.basename(folder) or folder
        current = parent


def build_report(result: CheckResult, project: str = "", generated: str = "") -> Report:
    # BL201 repeats its candidate's estimate: count each call's money once
    rows = sorted((_row(f) for f in result.findings if f.estimate is not None and f.code != "BL201"),
                  key=lambda r: (-r.saving, r.finding.sort_key()))
    files: dict[str, list[Row]] = {}
    jobs: dict[str, list[Row]] = {}
    for row in rows:
        files.setdefault(row.finding.path, []).append(row)
        jobs.setdefault(row.job, []).append(row)
    by_saving = lambda g: (-g.saving, g.name)  # noqa: E731
    return Report(
        rows=tuple(rows),
        by_file=tuple(sorted((_group(k, v) for k, v in files.items()), key=by_saving)),
        by_job=tuple(sorted((_group(k, v) for k, v in jobs.items()), key=by_saving)),
        now=sum(r.now for r in rows),
        batch=sum(r.batch for r in rows),
        saving=sum(r.saving for r in rows),
        cached=sum(r.cached for r in rows),
        files_checked=result.files_checked,
        errors=len(result.errors),
        on_defaults=sum(r.saving for r in rows if r.finding.estimate.basis == "default"),
        measured=sum(r.saving for r in rows if r.finding.estimate.basis == "measured"),
        project=project,
        generated=generated,
    )


def basis_line(report: Report) -> str:
    """How much of the saving rests on defaults, in words."""
    share = report.on_defaults / report.saving if report.saving else 0.0
    measured = f"{usd(report.measured)} on measured usage" if report.measured else "none on measured usage"
    defaults = usd(report.on_defaults) if report.on_defaults else "None"
    return (f"{defaults} of the {usd(report.saving)}/month saving ({share:.0%}) rests on defaults; "
            f"{measured}; the rest on figures in the code")

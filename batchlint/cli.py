"""Command line: parse flags, call the API, pick a formatter. No analysis here."""

from __future__ import annotations

import os
import sys

import click

from ._version import __version__
from .cache import CACHE_DIR_NAME
from .cache import clean as clean_cache
from .checker import check_paths, default_jobs
from .config import Config, ConfigError, find_config, load_config, with_overrides
from .output import FORMATS, REPORT_FORMATS, check_renderer, report_renderer
from .output.escape import clean as escape

# Everything else loads in the command that uses it: `check` runs on every
# commit, and on an unchanged tree importing is most of its time.

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(c.strip().upper() for c in value.split(",") if c.strip())


def _load(config_path: str | None, isolated: bool, paths: tuple[str, ...]) -> Config:
    if isolated:
        return Config()
    path = config_path or find_config(paths[0] if paths else ".")
    config = load_config(path)
    if path is None:
        config = with_overrides(config, root=os.getcwd())
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="batchlint")
def main() -> None:
    """Find synchronous Claude API calls that nobody waits on (loops, fan-outs,
    scheduled jobs, workers, offline scripts) and move them to the Message
    Batches API at half the price."""


def _analysis_options(command):
    """Options shared by `check` and `report`: what to analyze and how."""
    for option in reversed((
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--select", help="Comma-separated codes or prefixes to report (e.g. BL1,BL106). Overrides config."),
        click.option("--ignore", help="Comma-separated codes or prefixes not to report. Overrides config."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False),
                     help="pyproject.toml to read [tool.batchlint] from (default: nearest one upward)."),
        click.option("--isolated", is_flag=True, help="Ignore all configuration files."),
        click.option("-o", "--output-file", type=click.File("w"), help="Write the output to this file instead of stdout."),
        click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Processes for parsing; 0 means one per CPU core. Results do not depend on it."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the cache (.batchlint_cache/ in the project root)."),
        click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory (default: .batchlint_cache/ in the project root)."),
    )):
        command = option(command)
    return command


def _analyze(paths, select, ignore, config_path, isolated, jobs, no_cache, cache_dir, progress=None, strict=None):
    paths = paths or (".",)
    try:
        config = _load(config_path, isolated, paths)
        config = with_overrides(config, select=_codes(select), ignore=_codes(ignore), strict=strict)
    except ConfigError as exc:
        click.echo(f"batchlint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    cache = None if no_cache else (cache_dir or os.path.join(config.root, CACHE_DIR_NAME))
    try:
        result = check_paths(list(paths), config, jobs=jobs or default_jobs(), cache_dir=cache, progress=progress)
    except ConfigError as exc:  # [project.scripts] of a pyproject.toml among the paths
        click.echo(f"batchlint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    for notice in result.notices:
        click.echo(notice, err=True)
    return result


@main.command()
@_analysis_options
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--show-context", is_flag=True, help="Print the chain of evidence and the cost estimate under each finding.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("-q", "--quiet", is_flag=True, help="Text format: omit the summary line.")
@click.option("--show-suppressed", is_flag=True, help="Text format: also list findings hidden by `# noqa` or a `realtime` pragma, with the reason.")
@click.option("--strict", is_flag=True, default=None,
              help="Also report (BL110) Claude calls in no known context unless declared `# batchlint: realtime -- <reason>`.")
@click.option("--diff-base", metavar="REF", help="Report only findings that rest on lines added or changed since the git REF.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record today's findings in FILE (and exit 0).")
@click.option("--fail-under-savings", type=click.FloatRange(min=0), metavar="USD",
              help="Exit 0 unless the reported findings' monthly saving in batch exceeds USD.")
def check(paths, select, ignore, config_path, isolated, output_file, jobs, no_cache, cache_dir,
          output_format, show_context, exit_zero, quiet, show_suppressed, strict, diff_base, baseline_path,
          write_baseline, fail_under_savings) -> None:
    """Report synchronous Claude calls that nobody waits on.

    PATHS are files or directories (default: the current directory).
    Exit status: 0 nothing found, 1 findings or unreadable files, 2 usage or
    configuration error.
    """
    result = _analyze(paths, select, ignore, config_path, isolated, jobs, no_cache, cache_dir, strict=strict)
    if write_baseline or baseline_path or diff_base:
        result = _gate(result, write_baseline, baseline_path, diff_base)
    if output_format in ("json", "sarif") or show_context:
        from .codemod.fixer import annotate  # LibCST loads only when a fix status is shown

        result = annotate(result, with_edits=output_format == "sarif")
    render = check_renderer(output_format)
    text = render(result, show_context=show_context, quiet=quiet, show_suppressed=show_suppressed, changed_only=bool(diff_base))
    (output_file or sys.stdout).write(text)
    if exit_zero:
        sys.exit(EXIT_CLEAN)
    if fail_under_savings is not None:
        from .gate import monthly_saving

        sys.exit(EXIT_FINDINGS if monthly_saving(result) > fail_under_savings else EXIT_CLEAN)
    sys.exit(EXIT_FINDINGS if result.findings or result.errors else EXIT_CLEAN)


def _gate(result, write_baseline, baseline_path, diff_base):
    """Baseline and changed-lines filters (gate.py)."""
    from .gate import GateError, changed_lines, only_changed, read_baseline, without_baseline
    from .gate import write_baseline as write_baseline_file

    try:
        if write_baseline:
            count = write_baseline_file(result, write_baseline)
            click.echo(f"Recorded {count} findings in {write_baseline}.", err=True)
            sys.exit(EXIT_CLEAN)
        if baseline_path:
            result = without_baseline(result, read_baseline(baseline_path))
        if diff_base:
            result = only_changed(result, changed_lines(diff_base))
    except GateError as exc:
        click.echo(f"batchlint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    return result


@main.command()
@_analysis_options
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of the rewrites and write nothing.")
@click.option("--split", is_flag=True,
              help="Decoupled form for scheduled jobs: split the function around each loop into submit_<name>() "
                   "(creates the batch, returns its ids) and collect_<name>(batch_ids, ...) (finishes the work later).")
def fix(paths, select, ignore, config_path, isolated, output_file, jobs, no_cache, cache_dir, show_diff, split) -> None:
    """Rewrite batchable loops, comprehensions and asyncio.gather fan-outs to
    the Message Batches API (submit, poll, collect), in place.

    Every finding the rewrite would change behaviour for is left as it is, with
    the reason. Exit status: 0 nothing left to fix, 1 fixable findings remain
    (always the case with --diff when there is something to fix), 2 an error
    (a file that cannot be read, parsed or written).
    """
    from .codemod.files import WriteError, unified_diff, write_atomic
    from .codemod.fixer import plan_result

    result = _analyze(paths, select, ignore, config_path, isolated, jobs, no_cache, cache_dir)
    out = output_file or sys.stdout
    failed = bool(result.errors)
    for error in result.errors:
        click.echo(f"{escape(error.path)}: {error.code} {escape(error.message)}", err=True)
    fixed = left = 0
    for file_fix in plan_result(result, split):
        for finding, status in file_fix.statuses:
            if not status.fixable:
                left += 1
                click.echo(f"{escape(finding.path)}:{finding.line}:{finding.column}: {finding.code} not fixed: "
                           f"{escape(status.reason)}", err=True)
        if file_fix.error:
            failed = True
            continue
        if file_fix.fixed is None:
            continue
        count = len({s.reason for _, s in file_fix.statuses if s.fixable})
        done = f"rewrote {count} loop{'s' if count != 1 else ''} to the Message Batches API" if count else ""
        done = "; ".join(x for x in (done, file_fix.note) if x)
        if show_diff:
            old = file_fix.original.data.decode(file_fix.encoding, errors="replace")
            new = file_fix.fixed.decode(file_fix.encoding, errors="replace")
            out.write(unified_diff(file_fix.path, old, new))
            fixed += count
            continue
        try:
            write_atomic(file_fix.original, file_fix.fixed)
        except WriteError as exc:
            click.echo(f"batchlint: error: {escape(str(exc))}", err=True)
            failed = True
            continue
        fixed += count
        click.echo(f"{escape(file_fix.path)}: {done}", err=True)
    verb = "Would rewrite" if show_diff else "Rewrote"
    click.echo(f"{verb} {fixed} loop{'s' if fixed != 1 else ''}; {left} finding{'s' if left != 1 else ''} left as "
               f"{'they are' if left != 1 else 'it is'} (reasons above).", err=True)
    if failed:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if show_diff and fixed else EXIT_CLEAN)


@main.command()
@_analysis_options
@click.option("--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
              help="text for a terminal, markdown for a PR or issue, json, or html (one self-contained file).")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Candidates listed in text and markdown.")
def report(paths, select, ignore, config_path, isolated, output_file, jobs, no_cache, cache_dir, output_format, top) -> None:
    """Rank every candidate by monthly saving, grouped by file and by job, with totals.

    Exit status: 0, or 2 on a usage or configuration error.
    """
    progress = _progress_printer() if sys.stderr.isatty() else None
    result = _analyze(paths, select, ignore, config_path, isolated, jobs, no_cache, cache_dir, progress)
    if progress is not None:
        click.echo("\r\033[K", err=True, nl=False)
    from .report import build_report

    render = report_renderer(output_format)
    built = build_report(result)
    text = render(built, top=top) if output_format in ("text", "markdown") else render(built)
    (output_file or sys.stdout).write(text)


def _progress_printer():
    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        click.echo(f"\rbatchlint [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files", err=True, nl=False)

    return show


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="pyproject.toml that marks the project root.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory, if not the default.")
def clean(config_path: str | None, cache_dir: str | None) -> None:
    """Remove the cache directory (.batchlint_cache/ in the project root)."""
    try:
        config = _load(config_path, False, (".",))
    except ConfigError as exc:
        click.echo(f"batchlint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    directory = cache_dir or os.path.join(config.root, CACHE_DIR_NAME)
    removed = clean_cache(directory)
    click.echo(f"Removed {directory}" if removed else "No cache to remove.")


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="pyproject.toml to read [tool.batchlint.pricing] from.")
@click.option("--isolated", is_flag=True, help="Ignore configuration files: the shipped table only.")
def models(config_path: str | None, isolated: bool) -> None:
    """List the price table in use (USD per million tokens; batch is 50% of input and output)."""
    try:
        config = _load(config_path, isolated, (".",))
    except ConfigError as exc:
        click.echo(f"batchlint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    from .savings import prices_from

    table = prices_from(config.pricing)
    click.echo(f"{'model':<28} {'input':>7} {'output':>7} {'write5m':>8} {'write1h':>8} {'read':>6}  source")
    for model in sorted(table.prices):
        p = table.prices[model]
        note = p.source + (", unverified" if p.unverified else "") + (", default model" if model == table.default_model else "")
        click.echo(f"{model:<28} {p.input:>7g} {p.output:>7g} {p.cache_write_5m:>8g} {p.cache_write_1h:>8g} {p.cache_read:>6g}  {note}")
    click.echo(f"\nPrices as of {table.as_of} from {table.source}; batch discount {table.batch_discount:g} of input and output.")
    if table.default_model not in table.prices:
        click.echo(f"warning: default model `{table.default_model}` is not in the table", err=True)


@main.command()
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """List every rule code, or describe one (`batchlint rules BL101`)."""
    from .rules import BY_CODE, RULES

    if code:
        rule = BY_CODE.get(code.upper())
        if rule is None:
            click.echo(f"batchlint: error: unknown rule code `{code}`", err=True)
            sys.exit(EXIT_ERROR)
        click.echo(f"{rule.code} ({rule.name})\n\n{rule.summary}\n\nDocs: {rule.doc_url}")
        return
    for rule in RULES:
        click.echo(f"{rule.code}  {rule.name:<32} {rule.summary}")


if __name__ == "__main__":  # pragma: no cover
    main()

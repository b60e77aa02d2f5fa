"""Command line: parse flags, call the API, pick a formatter. No analysis here."""

from __future__ import annotations

import os
import sys

import click

from ._version import __version__
from .cache import CACHE_DIR_NAME
from .cache import clean as clean_cache
from .checker import check_paths, default_jobs
from .clierror import Failure
from .config import Config, ConfigError, find_config, load_config, with_overrides
from .output import FORMATS, REPORT_FORMATS, report_renderer
from .output.color import CHOICES as COLOR_CHOICES
from .output.escape import clean as escape
from .selection import selection_options
from .usage import options as usage_options

# Everything else loads in the command that uses it: `check` runs on every
# commit, and on an unchanged tree importing is most of its time.

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _load(config_path: str | None, isolated: bool, paths: tuple[str, ...]) -> Config:
    """The configuration; a problem in it is a usage error (clierror.Failure)."""
    if isolated:
        return Config()
    try:
        path = config_path or find_config(paths[0] if paths else ".")
        config = load_config(path)
    except ConfigError as exc:
        raise Failure(str(exc)) from None
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
        selection_options,
        click.option("--config", "config_path", type=click.Path(dir_okay=False),
                     help="pyproject.toml to read [tool.batchlint] from (default: nearest one upward)."),
        click.option("--isolated", is_flag=True, help="Ignore all configuration files."),
        click.option("-o", "--output-file", type=click.Path(dir_okay=False, allow_dash=True),
                     help="Write the output to this file instead of stdout."),
        click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Processes for parsing; 0 means one per CPU core. Results do not depend on it."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the cache (.batchlint_cache/ in the project root)."),
        click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory (default: .batchlint_cache/ in the project root)."),
        click.option("--usage", multiple=True, metavar="FILE", expose_value=False, callback=usage_options.remember, help=usage_options.HELP),
        click.option("--project-root", type=click.Path(file_okay=False, exists=True),
                     help="The project to analyze (default: nearest folder with pyproject.toml, setup.cfg, setup.py or .git); "
                          "PATHS choose which of its findings are reported."),
    )):
        command = option(command)
    return command


def _configure(paths, selection, config_path, isolated, strict=None, project_root=None) -> Config:
    config = selection.apply(_load(config_path, isolated, paths or (".",)))
    return with_overrides(config, strict=strict, project_root=project_root and os.path.abspath(project_root))


def _analyze(paths, selection, config_path, isolated, jobs, no_cache, cache_dir, project_root=None, progress=None,
             strict=None, write_behind=True):
    from .project_root import cache_home

    paths = paths or (".",)
    config = _configure(paths, selection, config_path, isolated, strict, project_root)
    cache = None if no_cache else (cache_dir or os.path.join(cache_home(paths, config), CACHE_DIR_NAME))
    measured = usage_options.load_given()  # --usage files: read (or exit 2) before the analysis
    try:
        # the cache files left to write (the run-level entry, a facts pack) are written by forked writers
        # while the result is shown, and the command does not wait for them: waiting made a first cached
        # run slower than --no-cache (cache.fork_writer). A command that analyzes again (fix) writes in
        # line: its next lookup would wait for writers running at the lowest priority.
        # --project-root is the user's own choice: passed as such, never checked as a configuration's key is.
        result = check_paths(list(paths), config, jobs=jobs or default_jobs(), cache_dir=cache, progress=progress,
                             project_root=config.project_root if project_root else "", write_behind=write_behind)
    except ConfigError as exc:  # [project.scripts] of a pyproject.toml among the paths
        raise Failure(str(exc)) from None
    result = usage_options.apply_given(result, measured, config)
    for notice in result.notices:
        click.echo(escape(notice), err=True)  # may quote a file name
    return result


@main.command()
@_analysis_options
@click.option("--output-format", "--format", "output_format", type=click.Choice(FORMATS), default="concise",
              metavar="FORMAT", show_default=True,
              help="concise (one line per finding), full (with the source), json, json-lines, sarif, github, "
                   "gitlab, junit or markdown.")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
              help="Colour the text formats: auto is on a terminal unless NO_COLOR is set (or FORCE_COLOR is).")
@click.option("--statistics", is_flag=True, help="Print how many findings of each code, instead of the findings.")
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
@click.option("--stdin-filename", metavar="PATH", help="With PATHS `-`: the name of the file read from stdin.")
@click.option("--show-files", is_flag=True, help="List the files a run would check, and exit.")
@click.option("--show-settings", is_flag=True, help="Print the settings in use and where they come from, and exit.")
def check(paths, selection, config_path, isolated, output_file, jobs, no_cache, cache_dir, project_root,
          output_format, color, statistics, show_context, exit_zero, quiet, show_suppressed, strict, diff_base,
          baseline_path, write_baseline, fail_under_savings, stdin_filename, show_files, show_settings) -> None:
    """Report synchronous Claude calls that nobody waits on.

    PATHS are files or directories (default: the current directory).
    Exit status: 0 nothing found, 1 findings or unreadable files, 2 usage or
    configuration error.
    """
    from . import check_command as cc

    stdin = paths == ("-",) or (bool(stdin_filename) and not paths)
    if show_files or show_settings:
        config = _configure(paths, selection, config_path, isolated, strict)
        text = cc.show_settings(config) if show_settings else cc.show_files(paths or (".",), config)
        cc.write_output(cc.open_output(output_file), text)
        sys.exit(EXIT_CLEAN)
    if stdin:
        config = _configure((stdin_filename or ".",), selection, config_path, isolated, strict)
        result = cc.stdin_result(config, stdin_filename)
    else:
        result = _analyze(paths, selection, config_path, isolated, jobs, no_cache, cache_dir, project_root, strict=strict)
    if write_baseline or baseline_path or diff_base:
        result = _gate(result, write_baseline, baseline_path, diff_base)
    if output_format in ("json", "json-lines", "sarif") or show_context:
        from .codemod.fixer import annotate  # LibCST loads only when a fix status is shown

        result = annotate(result, with_edits=output_format == "sarif")
    stream = cc.open_output(output_file)
    text = cc.render(result, output_format, stream, color, statistics, show_context=show_context, quiet=quiet,
                     show_suppressed=show_suppressed, changed_only=bool(diff_base))
    cc.write_output(stream, text)
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
        raise Failure(str(exc)) from None
    return result


@main.command()
@_analysis_options
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of the rewrites (safe and unsafe, labelled) and write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes: scheduled jobs, workers, loops with no entry point seen (docs/fix.md).")
@click.option("--files-only", is_flag=True,
              help="PATHS are the files whose findings are fixed; the project around them (the config's folder, "
                   "else the current directory) is analyzed. For pre-commit.")
@click.option("--split", is_flag=True, hidden=True)
def fix(paths, selection, config_path, isolated, output_file, jobs, no_cache, cache_dir, project_root, show_diff,
        unsafe_fixes,
        files_only, split) -> None:
    """Rewrite batchable loops, comprehensions and asyncio.gather fan-outs to
    the Message Batches API through the project's batch runtime module.

    Safe fixes are applied; unsafe ones (a caller could observe the change)
    only with --unsafe-fixes. Every finding the rewrite would change behaviour
    for is left as it is, with the reason. Exit status: 0 nothing left to fix,
    1 fixable findings remain (with --diff, when there is something to fix),
    2 an error (a file that cannot be read, parsed or written).
    """
    from .fix_command import run_fix

    if split:
        raise click.UsageError("--split was replaced by the non-blocking form that `fix --unsafe-fixes` writes for "
                               "scheduled jobs (docs/fix.md)")
    only = None
    if files_only:
        only = frozenset(os.path.relpath(p) for p in paths)
        paths = ()
    config = _load(config_path, isolated, paths or (".",))
    if files_only:
        paths = (os.path.relpath(config.root),)
    from .check_command import open_output, write_output

    result = _analyze(paths, selection, config_path, isolated, jobs, no_cache, cache_dir, project_root,
                      write_behind=False)
    stream = open_output(output_file)

    def again():
        return _analyze(paths, selection, config_path, isolated, jobs, no_cache, cache_dir, project_root,
                        write_behind=False)

    status = run_fix(result, config, stream, show_diff, unsafe_fixes, only, paths, reanalyze=again)
    write_output(stream, "")  # flushed, or a usage error if the disk is full
    sys.exit(status)


@main.command()
@_analysis_options
@click.option("--output-format", "--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text",
              show_default=True,
              help="text for a terminal, markdown for a PR or issue, json, or html (one self-contained file).")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="Candidates listed in text and markdown.")
def report(paths, selection, config_path, isolated, output_file, jobs, no_cache, cache_dir, project_root, output_format,
           top) -> None:
    """Rank every candidate by monthly saving, grouped by file and by job, with totals.

    Exit status: 0, or 2 on a usage or configuration error.
    """
    progress = _progress_printer() if sys.stderr.isatty() else None
    result = _analyze(paths, selection, config_path, isolated, jobs, no_cache, cache_dir, project_root, progress)
    if progress is not None:
        click.echo("\r\033[K", err=True, nl=False)
    import datetime

    from .report import build_report, project_name

    if output_format == "html":  # the page marks what `fix` can rewrite
        from .codemod.fixer import annotate

        result = annotate(result)
    render = report_renderer(output_format)
    built = build_report(result, project=project_name(paths), generated=datetime.date.today().isoformat())
    text = render(built, top=top) if output_format in ("text", "markdown") else render(built)
    from .check_command import open_output, write_output

    write_output(open_output(output_file), text)


@main.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("-o", "--output", default="batchlint-trace.jsonl", show_default=True, help="JSON lines file the requests are appended to.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def trace(output, command) -> None:
    """Run COMMAND (`batchlint trace -- python job.py`) recording each Claude request it makes, for `--usage`.

    Exit status: the command's, or 2 if it cannot be started.
    """
    from .trace.command import trace_command

    sys.exit(trace_command(list(command), output))


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
    config = _load(config_path, False, (".",))
    directory = cache_dir or os.path.join(config.root, CACHE_DIR_NAME)
    click.echo(escape(clean_cache(directory)))


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="pyproject.toml to read [tool.batchlint.pricing] from.")
@click.option("--isolated", is_flag=True, help="Ignore configuration files: the shipped table only.")
def models(config_path: str | None, isolated: bool) -> None:
    """List the price table in use (USD per million tokens; batch is 50% of input and output)."""
    config = _load(config_path, isolated, (".",))
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
@click.argument("state_dir", required=False, type=click.Path())
@click.option("--output-format", "--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help="Output format.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="pyproject.toml to read [tool.batchlint.pricing] from.")
def status(state_dir: str | None, output_format: str, config_path: str | None) -> None:
    """Pending batches, turnaround, failures and cost, from the batch runtime's
    state folder (STATE_DIR, else $CLAUDE_BATCH_STATE_DIR, else ./.claude_batch)."""
    from . import status as state
    from .savings import prices_from

    try:
        data = state.read_status(state_dir or state.default_state_dir(), prices_from(_load(config_path, False, (".",)).pricing))
    except state.StatusError as exc:
        raise Failure(str(exc)) from None
    for problem in data["problems"]:
        click.echo(f"batchlint: warning: {problem}", err=True)
    click.echo((state.render_json if output_format == "json" else state.render_text)(data), nl=False)


@main.command()
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """List every rule code, or describe one (`batchlint rules BL101`)."""
    from .rules import BY_CODE, RULES

    if code:
        rule = BY_CODE.get(code.upper())
        if rule is None:
            raise Failure(f"unknown rule code `{code}`")
        click.echo(f"{rule.code} ({rule.name})\n\n{rule.summary}\n\nDocs: {rule.doc_url}")
        return
    for rule in RULES:
        click.echo(f"{rule.code}  {rule.name:<32} {rule.summary}")


if __name__ == "__main__":  # pragma: no cover
    main()

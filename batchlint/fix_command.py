"""`batchlint fix`: plan the rewrites of a check result, write them (or print
a diff), write the batch runtime they import, and say what happened."""

from __future__ import annotations

import os

import click

from .codemod.files import WriteError, stale_temps, unified_diff, write_atomic
from .codemod.fixer import plan_result
from .codemod.runtime_file import write_runtime
from .config import Config
from .output.escape import clean as escape
from .output.escape import line_start

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{('es' if word.endswith('x') else 's') if count != 1 else ''}"


def write_file_fix(file_fix, within=()) -> str:
    """Write one file's rewrite, and first the runtime module it imports; what
    was done to the runtime ("" if nothing). Raises WriteError. With `within`
    (folders), nothing is written through a link to outside them."""
    note = write_runtime(file_fix.runtime) if file_fix.runtime is not None else ""
    write_atomic(file_fix.original, file_fix.fixed, within=within)
    return note


def run_fix(result, config: Config, out, show_diff: bool, unsafe: bool, only: frozenset[str] | None,
            paths=(), reanalyze=None) -> int:
    """Apply (or with `show_diff` print) the fixes; the exit status.

    As ruff's --fix does, fixes are applied until none is left to apply
    (`reanalyze` gives the check result of the rewritten tree): a rewrite can
    uncover another, such as a fan-out around a loop that the first pass
    turned into one (at most four passes)."""
    status, fixed = _run_pass(result, config, out, show_diff, unsafe, only, paths, quiet=False)
    passes = 1
    while reanalyze is not None and not show_diff and fixed and status != EXIT_ERROR and passes < 4:
        status, fixed = _run_pass(reanalyze(), config, out, show_diff, unsafe, only, paths, quiet=True)
        passes += 1
        if fixed:
            click.echo(f"Rewrote {_plural(fixed, 'more loop')} that the previous pass uncovered.", err=True)
    return status


def _run_pass(result, config: Config, out, show_diff: bool, unsafe: bool, only: frozenset[str] | None,
              paths, quiet: bool) -> tuple[int, int]:
    """One pass of fixes: (exit status, how many were applied). `quiet`: a
    later pass, whose refusals and summary the first one printed already."""
    failed = bool(result.errors)
    # Never written through a link to outside the working directory and the folders given (a file: its folder).
    tree = [os.getcwd(), *(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths)]
    # Temporary files a killed fix left beside the files it was rewriting (files.py).
    temps = stale_temps([f.location.path for f in result.findings], remove=not show_diff)
    if temps:
        action = "found" if show_diff else "removed"
        click.echo(f"batchlint: {action} {temps} temporary file(s) (*.batchlint-tmp) left by an interrupted fix", err=True)
    for error in () if quiet else result.errors:
        click.echo(f"{line_start(error.path)}: {error.code} {escape(error.message)}", err=True)
    given = tuple(p for p in paths if os.path.abspath(p) != os.path.abspath(config.root))
    planned = plan_result(result, unsafe=unsafe or show_diff, only=only, root=config.root,
                          runtime_module=config.runtime_module, within=given)
    fixed = held = left = 0
    runtimes: dict[str, object] = {}
    written: set[str] = set()
    for file_fix in planned:
        for finding, status in file_fix.statuses:
            where = f"{line_start(finding.path)}:{finding.line}:{finding.column}: {finding.code}"
            if not status.fixable:
                left += 1
                if not quiet:
                    click.echo(f"{where} not fixed: {escape(status.reason)}", err=True)
            elif show_diff and status.applied:
                label = status.safety + (f": {status.unsafe_because}" if status.unsafe_because else "")
                click.echo(f"{where} {status.safety} fix: {escape(status.reason)} ({escape(label)})", err=True)
            elif not status.applied and (only is None or status.safety == "unsafe"):
                held += 1
                if quiet:
                    continue
                click.echo(f"{where} unsafe fix not applied ({escape(status.unsafe_because)}); "
                           "--unsafe-fixes applies it", err=True)
        if file_fix.error:
            failed = True
            continue
        if file_fix.fixed is None:
            continue
        count = sum(1 for _, s in file_fix.statuses if s.fixable and s.applied)
        if file_fix.runtime is not None:
            runtimes.setdefault(file_fix.runtime.path, file_fix.runtime)
        if show_diff:
            old = file_fix.original.data.decode(file_fix.encoding, errors="replace")
            new = file_fix.fixed.decode(file_fix.encoding, errors="replace")
            out.write(unified_diff(file_fix.path, old, new))
            fixed += count
            continue
        target = os.path.realpath(file_fix.path)
        if target in written:  # one file reached under two names (a link to it): rewritten once
            continue
        written.add(target)
        try:
            note = write_file_fix(file_fix, tree)  # the module the rewrite imports exists before the rewrite does
            if note:
                click.echo(f"{line_start(file_fix.runtime.shown)}: {note}", err=True)
        except WriteError as exc:
            click.echo(f"batchlint: error: {escape(str(exc))}", err=True)
            failed = True
            continue
        fixed += count
        done = "; ".join(x for x in (f"rewrote {_plural(count, 'loop')} to the Message Batches API" if count else "",
                                     file_fix.note) if x)
        click.echo(f"{line_start(file_fix.path)}: {done}", err=True)
    if show_diff:
        for runtime in runtimes.values():
            if runtime.action in ("create", "update"):
                lines = runtime.data.count(b"\n")
                click.echo(f"{line_start(runtime.shown)}: would {'write' if runtime.action == 'create' else 'update'} the batch "
                           f"runtime ({lines} lines)", err=True)
    for runtime in runtimes.values():
        if runtime.action == "edited":
            click.echo(f"batchlint: note: {escape(runtime.note)}", err=True)
    summary = f"{'Would rewrite' if show_diff else 'Rewrote'} {_plural(fixed, 'loop')}"
    if held:
        summary += f"; {_plural(held, 'unsafe fix')} not applied (--unsafe-fixes)"
    if left:
        summary += f"; {_plural(left, 'finding')} left as {'they are' if left != 1 else 'it is'} (reasons above)"
    if not quiet:
        click.echo(summary + ".", err=True)
    if failed:
        return EXIT_ERROR, fixed
    return (EXIT_FINDINGS if show_diff and fixed else EXIT_CLEAN), fixed

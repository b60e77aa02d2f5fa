"""The `batchlint trace` command's output: the child's exit status, one line on stderr."""

from __future__ import annotations

import click

from . import TraceError, run_traced


def trace_command(command: list[str], output: str) -> int:
    if not command:
        click.echo("batchlint: error: name the command to trace: batchlint trace -- python job.py", err=True)
        return 2
    try:
        status, recorded, _run = run_traced(command, output)
    except TraceError as exc:
        click.echo(f"batchlint: error: {exc}", err=True)
        return 2
    note = "" if recorded else " (a Python started with -I, -E or -S, or not using the anthropic SDK, records nothing)"
    click.echo(f"batchlint trace: {recorded} Claude request{'s' if recorded != 1 else ''} recorded in {output}{note}; "
               f"use it with `batchlint report --usage {output}`", err=True)
    return status

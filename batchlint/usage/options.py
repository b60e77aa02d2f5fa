"""`--usage FILE` on `check` and `report`: the glue between the command line
and usage/ (kept here so cli.py only names it)."""

from __future__ import annotations

import sys

import click

from .files import Call, UsageError, load_usage

_KEY = "batchlint.usage"
HELP = ("Measured usage: a `batchlint trace` file or OTLP JSON of OpenTelemetry GenAI spans. "
        "Repeatable. Measured calls per run, tokens and model replace defaults (docs/savings.md).")


def remember(ctx: click.Context, _param, value):
    ctx.meta[_KEY] = tuple(value or ())
    return value


def load_given() -> list[Call] | None:
    """The calls in the files given with --usage (None without the option);
    a bad file: one line naming it, exit 2."""
    ctx = click.get_current_context(silent=True)
    paths = ctx.meta.get(_KEY, ()) if ctx is not None else ()
    if not paths:
        return None
    try:
        return load_usage(list(paths))
    except UsageError as exc:
        click.echo(f"batchlint: error: {exc}", err=True)
        sys.exit(2)


def apply_given(result, calls: list[Call] | None, config):
    if calls is None:
        return result
    from ..savings import prices_from
    from .apply import apply_usage

    return apply_usage(result, calls, prices_from(config.pricing))

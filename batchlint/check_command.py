"""The parts of `batchlint check` beyond analysis: where the output goes, in
which format and colour, and the inspection options (--show-files,
--show-settings, stdin). cli.py only dispatches to these."""

from __future__ import annotations

import os
import sys

import click

from .clierror import Failure
from .config import Config
from .output import TEXT_FORMATS, check_renderer
from .output.color import use_color


def open_output(path: str | None):
    """The stream for `-o PATH` (stdout without one). A path that cannot be
    written is a usage error, exit 2, even with --exit-zero."""
    if path is None or path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror or exc}") from None


def write_output(stream, text: str) -> None:
    try:
        stream.write(text)
        stream.flush()
    except OSError as exc:
        raise Failure(f"cannot write {getattr(stream, 'name', 'the output')}: {exc.strerror or exc}") from None


def render(result, output_format: str, stream, color: str, statistics: bool, **options) -> str:
    if statistics:
        from .output.statistics import render_statistics

        return render_statistics(result)
    if output_format in TEXT_FORMATS:
        options["color"] = use_color(color, stream)
    return check_renderer(output_format)(result, **options)


def stdin_result(config: Config, filename: str | None):
    """One file's text from stdin, checked alone and reported as `filename`
    (which also picks its per-file-ignores; "-" without one)."""
    from .checker import check_source
    from .discovery import decode_source

    try:
        text = decode_source(sys.stdin.buffer.read())
    except ValueError as exc:
        raise Failure(f"cannot read stdin: {exc}") from None
    path = os.path.relpath(filename) if filename else "-"
    return check_source(text, path=path, config=config)


def show_files(paths: tuple[str, ...], config: Config) -> str:
    """Every Python file a run would check, one per line (ruff --show-files)."""
    from .discovery import discover, display_path
    from .output.escape import line_start

    files, errors, _ = discover(list(paths), config)
    for error in errors:
        click.echo(f"batchlint: warning: {line_start(error.path)}: {error.message}", err=True)
    return "".join(line_start(display_path(f)) + "\n" for f in sorted(files))


def show_settings(config: Config) -> str:
    """The settings a run would use, and the file they came from (ruff --show-settings)."""
    from .output.escape import clean

    rows = [
        ("config file", config.source or "(none: defaults)"),
        ("project root", config.root),
        ("select", ", ".join(config.select) or "(none)"),
        ("ignore", ", ".join(config.ignore) or "(none)"),
        ("exclude", ", ".join(config.exclude) or "(none)"),
        ("extend-exclude", ", ".join(config.extend_exclude) or "(none)"),
        ("per-file-ignores", "; ".join(f"{p}: {', '.join(c)}" for p, c in config.per_file_ignores) or "(none)"),
        ("client-factories", ", ".join(config.client_factories) or "(none)"),
        ("batch-contexts", ", ".join(config.batch_contexts) or "(none)"),
        ("interactive-contexts", ", ".join(config.interactive_contexts) or "(none)"),
        ("strict", "true" if config.strict else "false"),
        ("runtime-module", config.runtime_module or "(beside the package)"),
        ("pricing", "from the config file" if config.pricing else "shipped table (see `batchlint models`)"),
        ("savings", ", ".join(k for k, _ in config.savings) + " set in the config file" if config.savings else "defaults"),
    ]
    return "".join(f"{name:<21} {clean(value)}\n" for name, value in rows)

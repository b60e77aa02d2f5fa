"""Which codes and files a run looks at, from the command line, on top of
[tool.batchlint]: the options ruff and flake8 users type.

`--select`, `--ignore`, `--exclude` and `--per-file-ignores` replace the
configuration's value; `--extend-*` add to it. Each may be repeated and takes
comma-separated values; repeated `--select`s combine.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import click

from .config import Config, known_selector


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] | None = None
    extend_ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None = None

    def apply(self, config: Config) -> Config:
        """`config` with these options laid over it."""
        select = (config.select if self.select is None else self.select) + self.extend_select
        ignore = (config.ignore if self.ignore is None else self.ignore) + self.extend_ignore
        return replace(
            config, select=select, ignore=ignore,
            exclude=config.exclude if self.exclude is None else self.exclude,
            extend_exclude=config.extend_exclude + self.extend_exclude,
            per_file_ignores=config.per_file_ignores if self.per_file_ignores is None else self.per_file_ignores,
        )


_CODE_OPTIONS = ("select", "extend_select", "ignore", "extend_ignore")
_PATTERN_OPTIONS = ("exclude", "extend_exclude")


def _values(option: str, given: tuple[str, ...]) -> tuple[str, ...]:
    values = tuple(v.strip() for text in given for v in text.split(",") if v.strip())
    if not values:
        raise click.UsageError(f"--{option.replace('_', '-')} needs at least one value (got an empty one)")
    return values


def _codes(option: str, given: tuple[str, ...]) -> tuple[str, ...]:
    codes = tuple(code.upper() for code in _values(option, given))
    for code in codes:
        if not known_selector(code):
            raise click.UsageError(f"--{option.replace('_', '-')}: `{code}` is not a batchlint code or prefix "
                                   "(BL, BL1, BL101, ...; see `batchlint rules`)")
    return codes


def _per_file(given: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """flake8's form: `PATTERN:CODES`, several per value separated by spaces."""
    out = []
    for entry in (e for text in given for e in text.split()):
        pattern, colon, codes = entry.rpartition(":")
        if not colon or not pattern:
            raise click.UsageError(f"--per-file-ignores: `{entry}` is not PATTERN:CODES (like `tests/*:BL101,BL102`)")
        out.append((pattern, _codes("per-file-ignores", (codes,))))
    if not out:
        raise click.UsageError("--per-file-ignores needs at least one PATTERN:CODES")
    return tuple(out)


def selection_from(options: dict) -> Selection:
    values: dict = {}
    for name in _CODE_OPTIONS:
        if options.get(name):
            values[name] = _codes(name, options[name])
    for name in _PATTERN_OPTIONS:
        if options.get(name):
            values[name] = _values(name, options[name])
    if options.get("per_file_ignores"):
        values["per_file_ignores"] = _per_file(options["per_file_ignores"])
    return Selection(**values)


_OPTIONS = (
    click.option("--select", multiple=True, metavar="CODES",
                 help="Codes or prefixes to report (e.g. BL1,BL106), instead of the configuration's. Repeatable."),
    click.option("--extend-select", multiple=True, metavar="CODES", help="Codes or prefixes to report besides those selected."),
    click.option("--ignore", multiple=True, metavar="CODES",
                 help="Codes or prefixes not to report, instead of the configuration's. Wins a tie with --select."),
    click.option("--extend-ignore", multiple=True, metavar="CODES", help="Codes or prefixes not to report, besides those ignored."),
    click.option("--exclude", multiple=True, metavar="PATTERNS",
                 help="Files and folders to skip, instead of the configuration's (and the defaults)."),
    click.option("--extend-exclude", multiple=True, metavar="PATTERNS", help="Files and folders to skip besides those excluded."),
    click.option("--per-file-ignores", multiple=True, metavar="PATTERN:CODES",
                 help="Codes not to report in files matching PATTERN (e.g. 'tests/*:BL101'), instead of the configuration's."),
)
_NAMES = (*_CODE_OPTIONS, *_PATTERN_OPTIONS, "per_file_ignores")


def selection_options(command):
    """The options above, handed to the command as one `selection` argument."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        kwargs["selection"] = selection_from({name: kwargs.pop(name) for name in _NAMES})
        return command(*args, **kwargs)

    for option in reversed(_OPTIONS):
        run = option(run)
    return run


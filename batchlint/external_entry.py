"""What Python code a scheduled command starts (`python x.py`, `python -m
pkg.mod`, `manage.py <command>`, a console script, a Lambda-style handler),
and the console scripts a project declares (`[project.scripts]`)."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import ConfigError, toml_parser

if TYPE_CHECKING:
    from .external import ExternalSchedule

_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class EntryPoint:
    kind: str  # "script" (a file path), "module" (dotted), "django-command", "console-script", "handler"
    target: str


def entry_point(schedule: ExternalSchedule, console_scripts: dict[str, str]) -> EntryPoint | None:
    """What Python code a scheduled command starts, if any."""
    if schedule.handler:
        return EntryPoint("handler", schedule.handler)
    try:
        words = shlex.split(schedule.command)
    except ValueError:
        words = schedule.command.split()
    wrappers = ("exec", "nice", "nohup", "flock", "timeout", "env")
    while words and (_ENV_ASSIGNMENT.match(words[0]) or words[0] in wrappers):
        words = words[1:]
        # the wrappers' own options and arguments: `timeout 600`, `nice -n 10`
        while words and (words[0].startswith("-") or words[0].replace(".", "").isdigit()):
            words = words[1:]
    for runner in (("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"), ("hatch", "run")):
        if tuple(words[:2]) == runner:
            words = words[2:]
    if not words:
        return None
    program = os.path.basename(words[0])
    if program in console_scripts:
        return EntryPoint("console-script", console_scripts[program])
    if not re.match(r"^python(\d(\.\d+)?)?$", program):
        if program.endswith(".py"):
            return EntryPoint("script", words[0])
        return None
    args = [w for w in words[1:] if w not in ("-u", "-O", "-OO", "-B", "-E", "-s", "-I")]
    if len(args) >= 2 and args[0] == "-m":
        return EntryPoint("module", args[1])
    if args and args[0].endswith("manage.py") and len(args) >= 2:
        return EntryPoint("django-command", args[1])
    if args and args[0].endswith(".py"):
        return EntryPoint("script", args[0])
    return None


_PROJECT_KEY = re.compile(rb"^\s*project\s*=", re.MULTILINE)  # `project = ...`: not a table, said so


def console_scripts(paths: list[str]) -> dict[str, str]:
    """[project.scripts] of pyproject.toml files at the roots given."""
    out: dict[str, str] = {}
    for given in paths:
        candidate = os.path.join(given if os.path.isdir(given) else os.path.dirname(given) or ".", "pyproject.toml")
        if not os.path.isfile(candidate):
            continue
        try:
            with open(candidate, "rb") as handle:
                raw = handle.read()
        except OSError:
            continue
        if b"scripts" not in raw and not _PROJECT_KEY.search(raw):
            continue  # no [project.scripts]: a warm run does not load the TOML parser (80 ms) for nothing
        tomllib = toml_parser()
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError and TOMLDecodeError both
            continue
        project = data.get("project", {})
        scripts = project.get("scripts", {}) if isinstance(project, dict) else None
        if not isinstance(scripts, dict) or not all(isinstance(v, str) for v in scripts.values()):
            key = "[project] scripts" if isinstance(project, dict) else "project"
            raise ConfigError(f"{candidate}: `{key}` must be a table of name = \"module:function\" (PEP 621)")
        out.update(scripts)
    return out

"""Cron jobs of hosting platforms, declared beside the code: Render's
`render.yaml` (a service of `type: cron`; a Docker one runs its
Dockerfile's command) and Railway's `railway.json` /
`railway.toml` (`deploy.cronSchedule` with its `startCommand`).

Each reader returns (schedule, command, text that marks the declaration,
kind, folder the command starts in); external.py finds the line and turns
them into ExternalSchedule values.
Read as data, never run.
"""

from __future__ import annotations

import json
import os
import shlex

from .config import toml_parser


def read_render(documents: list, base: str, read=None) -> list[tuple[str, str, str, str, str]]:
    """`services: - type: cron, schedule:, startCommand:, rootDir:` of render.yaml (parsed by the caller).
    A Docker service (`runtime: docker`) runs its `dockerCommand`, else its image's command: the
    Dockerfile's (`dockerfilePath`, read with `read(path)` if given: inside the tree, never through a link)."""
    out = []
    for doc in documents:
        services = doc.get("services")
        for service in services if isinstance(services, list) else ():
            if not isinstance(service, dict) or service.get("type") != "cron":
                continue
            root = service.get("rootDir")
            # a root outside the tree (`/app`, `../x`) is not followed: where the command runs is then unknown
            here = base if not isinstance(root, str) else os.path.normpath(os.path.join(base, root)) if _plain(root) else ""
            schedule, command = service.get("schedule"), service.get("startCommand")
            if command is None and "docker" in (service.get("runtime"), service.get("env")):
                command, here = _docker_command(service, here, base, read)
            if not isinstance(schedule, str) or not isinstance(command, str):
                continue
            name = service.get("name")
            out.append((schedule, command, str(name) if name else "cron", "Render cron job", here))
    return out


def _docker_command(service: dict, here: str, base: str, read) -> tuple[str | None, str]:
    """What a Render Docker service runs, and where its paths start (the build
    context, which the image copies to its working directory as Render's
    examples do): `dockerCommand`, else the Dockerfile's CMD and ENTRYPOINT.
    The Dockerfile is read only where it really is under render.yaml's
    folder `base` (a folder on the way that links elsewhere is not followed)."""
    context = service.get("dockerContext", ".")
    context = os.path.normpath(os.path.join(here, context)) if here and isinstance(context, str) and _plain(context) else ""
    command = service.get("dockerCommand")
    if isinstance(command, str):
        return command, context
    dockerfile = service.get("dockerfilePath", "./Dockerfile")
    if read is None or not here or not isinstance(dockerfile, str) or not _plain(dockerfile):
        return None, context
    path = os.path.normpath(os.path.join(here, dockerfile))
    anchor = os.path.realpath(base or ".")
    if os.path.commonpath([os.path.realpath(os.path.dirname(path) or "."), anchor]) != anchor:
        return None, context
    return _image_command(read(path)), context


def _image_command(dockerfile: str) -> str | None:
    """The command a Dockerfile's final stage runs, as a shell line: its
    ENTRYPOINT (exec form) followed by its CMD, or the one given. None when
    it names none (the base image's, which batchlint cannot see)."""
    entrypoint = cmd = None
    for instruction, argument in _instructions(dockerfile):
        if instruction == "FROM":  # a new stage: what an earlier one set is not the image's
            entrypoint = cmd = None
        elif instruction in ("CMD", "ENTRYPOINT"):
            words = _exec_form(argument)
            value = (shlex.join(words) if words is not None else argument, words is not None)
            entrypoint, cmd = (value, None) if instruction == "ENTRYPOINT" else (entrypoint, value)
    if entrypoint is not None and not entrypoint[1]:
        return entrypoint[0]  # a shell-form ENTRYPOINT ignores CMD
    parts = [value[0] for value in (entrypoint, cmd) if value is not None]
    return " ".join(parts) or None


def _instructions(dockerfile: str):
    """(INSTRUCTION, argument) for each instruction, continuation lines joined, comments dropped."""
    line = ""
    for raw in dockerfile.splitlines():
        stripped = raw.strip()
        if not line and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            line += stripped[:-1] + " "
            continue
        line += stripped
        instruction, _, argument = line.partition(" ")
        line = ""
        yield instruction.upper(), argument.strip()


def _exec_form(argument: str) -> list[str] | None:
    """The words of `["python", "job.py"]`, or None for the shell form."""
    if not argument.startswith("["):
        return None
    try:
        words = json.loads(argument)
    except (ValueError, RecursionError):
        return None
    return words if isinstance(words, list) and all(isinstance(w, str) for w in words) else None


def read_railway(text: str, path: str, base: str) -> list[tuple[str, str, str, str, str]]:
    """`deploy.cronSchedule` and `deploy.startCommand` of railway.json / railway.toml."""
    try:
        data = json.loads(text) if path.endswith(".json") else toml_parser().loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError and TOMLDecodeError are ValueErrors
        return []
    deploy = data.get("deploy") if isinstance(data, dict) else None
    if not isinstance(deploy, dict):
        return []
    schedule, command = deploy.get("cronSchedule"), deploy.get("startCommand")
    if not isinstance(schedule, str) or not isinstance(command, str) or not schedule.strip():
        return []
    return [(schedule, command, "cronSchedule", "Railway cron job", base)]


def _plain(folder: str) -> bool:
    """A relative folder inside the tree (`backend`), not `/app`, `../x` or `$DIR`."""
    return bool(folder) and not folder.startswith(("/", "\\", "$", "~")) and ".." not in folder.replace("\\", "/").split("/")


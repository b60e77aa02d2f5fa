"""Cron jobs of hosting platforms, declared beside the code: Render's
`render.yaml` (a service of `type: cron`) and Railway's `railway.json` /
`railway.toml` (`deploy.cronSchedule` with its `startCommand`).

Each reader returns (schedule, command, text that marks the declaration,
kind, folder the command starts in); external.py finds the line and turns
them into ExternalSchedule values.
Read as data, never run.
"""

from __future__ import annotations

import json
import os

from .config import toml_parser


def read_render(documents: list, base: str) -> list[tuple[str, str, str, str, str]]:
    """`services: - type: cron, schedule:, startCommand:, rootDir:` of render.yaml (parsed by the caller)."""
    out = []
    for doc in documents:
        services = doc.get("services")
        for service in services if isinstance(services, list) else ():
            if not isinstance(service, dict) or service.get("type") != "cron":
                continue
            schedule, command = service.get("schedule"), service.get("startCommand")
            if not isinstance(schedule, str) or not isinstance(command, str):
                continue
            root = service.get("rootDir")
            # a root outside the tree (`/app`, `../x`) is not followed: where the command runs is then unknown
            here = base if not isinstance(root, str) else os.path.normpath(os.path.join(base, root)) if _plain(root) else ""
            name = service.get("name")
            out.append((schedule, command, str(name) if name else "cron", "Render cron job", here))
    return out


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


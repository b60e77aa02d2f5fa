"""`batchlint trace -- COMMAND`: run the user's own command with the request
recorder loaded, and keep one JSON line per Claude request it makes.

This is the one place batchlint runs code, and only the command the user
names: the analysis itself never imports or runs what it reads. The
recorder reaches every Python process the command starts through a
`sitecustomize` on PYTHONPATH (bootstrap/), with the output file and a run
id in the environment; a Python started with -I, -E or -S does not load it.
"""

from __future__ import annotations

import os
import subprocess
import uuid

BOOTSTRAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstrap")


class TraceError(Exception):
    """The command could not be started (one line for the user)."""


def count_lines(path: str) -> int:
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def run_traced(command: list[str], output: str) -> tuple[int, int, str]:
    """Run `command` with the recorder appending to `output`; (exit status,
    requests recorded by this run, run id)."""
    output = os.path.abspath(output)
    try:
        with open(output, "a", encoding="utf-8"):
            pass  # the recorder appends: the folder must exist and be writable
    except OSError as exc:
        raise TraceError(f"cannot write {output}: {exc.strerror or exc}") from None
    before = count_lines(output)
    run = uuid.uuid4().hex
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (BOOTSTRAP, env.get("PYTHONPATH", "")) if p)
    env["BATCHLINT_TRACE_FILE"] = output
    env["BATCHLINT_TRACE_RUN"] = run
    try:
        status = subprocess.call(command, env=env)
    except FileNotFoundError:
        raise TraceError(f"command not found: {command[0]}") from None
    except PermissionError:
        raise TraceError(f"command not executable: {command[0]}") from None
    except KeyboardInterrupt:
        status = 130
    return status, count_lines(output) - before, run

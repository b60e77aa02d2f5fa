"""Run `batchlint` for the GitHub Action (action.yml) with its inputs.

The inputs arrive in environment variables, never pasted into a shell line
(GitHub's hardening guide: a workflow may forward pull-request text to
them). `args` and `paths` are split as a shell splits words, quotes
included (`--baseline "my baseline.json"`), but nothing in them is
expanded or run: no `$(...)`, no `;`, no globbing. Paths come after `--`,
so a path starting with `-` stays a path.

    python action_run.py check --format github   # + BATCHLINT_ARGS, BATCHLINT_PATHS, BATCHLINT_FAIL
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys


def command(fixed: list[str], environ) -> list[str]:
    """The batchlint command line; ValueError naming the input that does not split."""
    words = {}
    for name in ("ARGS", "PATHS"):
        value = environ.get(f"BATCHLINT_{name}", "")
        try:
            words[name] = shlex.split(value)
        except ValueError as exc:
            raise ValueError(f"input `{name.lower()}`: {exc}") from None
    exit_zero = ["--exit-zero"] if environ.get("BATCHLINT_FAIL", "true") != "true" else []
    return ["batchlint", *fixed, *exit_zero, *words["ARGS"], "--", *(words["PATHS"] or ["."])]


def main() -> int:
    try:
        argv = command(sys.argv[1:], os.environ)
    except ValueError as exc:
        print(f"batchlint action: error: {exc}", file=sys.stderr)
        return 2
    return subprocess.run(argv, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())

"""Do the narrow views of a repository report what the project view reports?

    python scripts/view_equality.py REPO [REPO ...]

For each repository, `batchlint check .` from its root is the project view.
Then, for every file with a finding and every folder holding one, the
single-file view (`check FILE`), the subfolder view (`check FOLDER`, and
`check` run inside the folder) and the flake8 view (`flake8 --select BL FILE`)
must give exactly the project view's findings located there. `check` run
inside a folder is compared only when the repository has a root marker
(`pyproject.toml`, `setup.cfg`, `setup.py`, `.git`): without one, the working
directory is the project (docs/cli.md), as in ruff. Prints one line per
repository and one per difference; exit status 1 when any view differs.

Used on the evaluation repositories (docs/evaluation.md), whose code is not
committed; tests/test_project_root.py runs it on fixtures/. Runs batchlint and
flake8 only, never the repository's code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
Place = tuple[str, int, int, str]  # path from the repository root, line, column, code
# `python -m` puts the working directory first on sys.path: a repository's own
# `inspect.py` would shadow the standard library's; -P (3.11+) leaves it out
PYTHON = [sys.executable, "-P"] if sys.version_info >= (3, 11) else [sys.executable]


def _batchlint(cwd: str, *paths: str) -> list[Place]:
    proc = subprocess.run(
        [*PYTHON, "-m", "batchlint", "check", "--no-cache", "--format", "json", *paths],
        cwd=cwd, capture_output=True, text=True, check=False,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"batchlint check {' '.join(paths)} in {cwd}: exit {proc.returncode}: {proc.stderr[-300:]}")
    findings = json.loads(proc.stdout)["findings"]
    return sorted((os.path.normpath(os.path.join(cwd, f["path"])), f["line"], f["column"], f["code"]) for f in findings)


def _flake8(cwd: str, path: str) -> list[Place]:
    proc = subprocess.run(
        [*PYTHON, "-m", "flake8", "--select", "BL", "--format", "%(path)s|%(row)d|%(col)d|%(code)s", path],
        cwd=cwd, capture_output=True, text=True, check=False,
    )
    places = []
    for line in proc.stdout.splitlines():
        where, row, col, code = line.rsplit("|", 3)
        places.append((os.path.normpath(os.path.join(cwd, where)), int(row), int(col), code))
    return sorted(places)


def differences(repo: str) -> tuple[int, list[str]]:
    """The number of files with project findings, and one line per view that differs."""
    repo = os.path.abspath(repo)
    project = _batchlint(repo, ".")
    files = sorted({place[0] for place in project})
    folders = sorted({os.path.dirname(f) for f in files} - {repo})
    out = []

    def compare(view: str, got: list[Place], want: list[Place]) -> None:
        if got != want:
            extra = [p for p in got if p not in want]
            missing = [p for p in want if p not in got]
            out.append(f"{view}: {len(missing)} missing {missing[:3]}, {len(extra)} extra {extra[:3]}")

    for path in files:
        want = [p for p in project if p[0] == path]
        relative = os.path.relpath(path, repo)
        compare(f"check {relative}", _batchlint(repo, relative), want)
        # flake8 reports columns from 1 as batchlint does; the noqa'd are hidden alike
        compare(f"flake8 {relative}", _flake8(repo, relative), want)
    marked = any(os.path.exists(os.path.join(repo, m)) for m in ROOT_MARKERS)
    for folder in folders:
        want = [p for p in project if p[0].startswith(folder + os.sep)]
        relative = os.path.relpath(folder, repo)
        compare(f"check {relative}", _batchlint(repo, relative), want)
        if marked:
            compare(f"cd {relative} && check", _batchlint(folder), want)
    return len(files), out


def main(repos: list[str]) -> int:
    status = 0
    for repo in repos:
        count, diffs = differences(repo)
        print(f"{repo}: {count} files with findings, {len(diffs)} views differ")
        for line in diffs:
            print(f"  {line}")
        status |= bool(diffs)
    return status


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))

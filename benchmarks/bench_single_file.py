"""One file of a project, checked as an editor or flake8 checks it.

    python benchmarks/bench_single_file.py              # fixtures/
    python benchmarks/bench_single_file.py --project DIR --file DIR/pkg/mod.py

Each figure is the median wall time of a whole `batchlint check` (or flake8)
process, interpreter start included, in a copy of the project: the project
run with an empty cache is the baseline, printed first; every other row is
also given as a ratio to it. No thresholds: a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(command: list[str], cwd: str, before=None, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", default=os.path.join(HERE, "..", "fixtures"))
    parser.add_argument("--file", default="acme_support/tasks.py", help="relative to the project")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="batchlint-single-")
    try:
        project = os.path.join(work, "project")
        shutil.copytree(args.project, project, ignore=shutil.ignore_patterns(".batchlint_cache"))
        cache = os.path.join(project, ".batchlint_cache")
        check = [sys.executable, "-m", "batchlint", "check", "-j", "1"]
        flake8 = [sys.executable, "-m", "flake8", "--select", "BL"]

        def empty() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        def edited() -> None:  # the file just saved in the editor: the per-file cache answers the rest
            with open(os.path.join(project, args.file), "a") as handle:
                handle.write("\n")

        rows = [
            ("project, empty cache (baseline)", timed([*check, "."], project, empty, args.repeat)),
            ("project, --no-cache", timed([*check, "--no-cache", "."], project, None, args.repeat)),
            ("one file, --no-cache (analyzes the project)", timed([*check, "--no-cache", args.file], project, None, args.repeat)),
            ("one file, empty cache", timed([*check, args.file], project, empty, args.repeat)),
            ("one file, warm", timed([*check, args.file], project, None, args.repeat)),
            ("one file, after editing it", timed([*check, args.file], project, edited, args.repeat)),
            ("flake8 one file, warm", timed([*flake8, args.file], project, None, args.repeat)),
            ("interpreter start alone", timed([sys.executable, "-c", "pass"], project, None, args.repeat)),
        ]
        base = rows[0][1]
        print(f"{args.project} / {args.file}, median of {args.repeat}")
        for name, seconds in rows:
            print(f"  {name:<46} {seconds:6.3f} s  {seconds / base:5.2f}x baseline")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

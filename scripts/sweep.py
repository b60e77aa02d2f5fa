"""Robustness sweep: `batchlint check` over every .py file of the running
Python's standard library and site-packages must end without a traceback or
an internal error. Run by .ci/run; prints one summary line per tree.

    python scripts/sweep.py [EXTRA_DIR ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time


def sweep(root: str) -> bool:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "batchlint", "check", "--no-cache", "--format", "json", root],
        capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - start
    ok = proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    internal = proc.stdout.count("internal error")
    summary = proc.stdout[proc.stdout.rfind('"summary"'):].replace("\n", " ")
    summary = " ".join(summary.split())[:200]
    print(f"sweep {root}: exit {proc.returncode}, {wall:.1f} s, internal errors {internal}; {summary}")
    if not ok:
        print(proc.stderr[-2000:], file=sys.stderr)
    return ok and internal == 0


def main() -> int:
    paths = sysconfig.get_paths()
    roots = [paths["stdlib"], paths["purelib"], *sys.argv[1:]]
    results = [sweep(root) for root in dict.fromkeys(roots) if os.path.isdir(root)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

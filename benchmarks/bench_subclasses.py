"""Growth of `batchlint check` with many subclasses of one base class.

    python benchmarks/bench_subclasses.py                    # 100, 200, 400, 800
    python benchmarks/bench_subclasses.py --sizes 100 400 1600

The generated corpus is a test suite shape: `base.py` defines a base class whose
helper calls Claude, a mixin supplies a second helper, and every `case_<n>.py`
imports anthropic and defines one subclass whose methods call the inherited
helpers (some in loops) and override one of them. Resolving an inherited call
walks the subclasses of the base: done per call site with list scans it grew
as the cube of the class count. Each size runs in a fresh process with
`--no-cache`; printed: seconds, findings, and the growth ratio against the
previous size (a doubling of the corpus that costs about 2x is linear).
Nothing here is a test; no thresholds are asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

BASE = '''import anthropic


class ClientMixin:
    def _get_completion(self, prompt):
        return self.client.messages.create(
            model="claude-haiku-4-5", max_tokens=64, messages=[{"role": "user", "content": prompt}]
        )


class BaseCase(ClientMixin):
    def setup(self):
        self.client = anthropic.Anthropic()

    def ask(self, prompt):
        return self._get_completion(prompt)

    def grade(self, text):
        return self.ask(f"grade: {text}")
'''

CASE = '''import anthropic

from base import BaseCase


class Case{n}(BaseCase):
    def run_single_{n}(self):
        assert self.ask("case {n}")

    def run_many_{n}(self):
        for row in ["a", "b", "c"]:
            self.grade(row)

    def ask(self, prompt):
        return super().ask(prompt + " ({n})")
'''

TIMED = '''
import json, sys, time
from batchlint import check_paths
from batchlint.config import Config
root = sys.argv[1]
start = time.perf_counter()
result = check_paths([root], Config(root=root), jobs=1, cache_dir=None)
print(json.dumps({"seconds": time.perf_counter() - start, "findings": len(result.findings)}))
'''


def make_corpus(root: str, classes: int) -> None:
    with open(os.path.join(root, "base.py"), "w") as f:
        f.write(BASE)
    for n in range(classes):
        with open(os.path.join(root, f"case_{n}.py"), "w") as f:
            f.write(CASE.format(n=n))


def run(classes: int) -> dict:
    with tempfile.TemporaryDirectory() as root:
        make_corpus(root, classes)
        out = subprocess.run([sys.executable, "-c", TIMED, root], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400, 800])
    args = parser.parse_args()
    print(f"{'subclasses':>10} {'seconds':>9} {'findings':>9} {'growth':>8}")
    previous = None
    for size in args.sizes:
        row = run(size)
        growth = f"{row['seconds'] / previous[1]:.2f}x" if previous else ""
        if previous:
            growth += f" (size {size / previous[0]:.1f}x)"
        print(f"{size:>10} {row['seconds']:>9.2f} {row['findings']:>9} {growth:>8}")
        previous = (size, row["seconds"])


if __name__ == "__main__":
    main()

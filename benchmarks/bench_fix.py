"""Speed of `batchlint fix`, against `batchlint check` on the same files in the same run.

    python benchmarks/bench_fix.py              # 200 generated files
    python benchmarks/bench_fix.py --files 500

The corpus: generated modules that each hold one loop the codemod rewrites
(direct calls, and loops over a helper in a shared module) and one it refuses.
Each command runs in a fresh process, with the cache off. `fix --diff` plans,
rewrites and diffs everything and writes nothing; `fix` also writes. Printed:
wall seconds, files/s, and the ratio to `check`. No thresholds.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = '''import anthropic

client = anthropic.Anthropic()


def summarize(text, *, words=40):
    """One summary."""
    message = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=words * 2,
        messages=[{"role": "user", "content": f"Summarize in {words} words: {text}"}],
    )
    return message.content[0].text.strip()
'''

MODULE = '''import anthropic

from llm import summarize

client = anthropic.Anthropic()


def label_{n}(rows):
    labels = []
    for index, row in enumerate(rows):
        if not row:
            continue
        prompt = f"Label row {{index}}: {{row}}"
        reply = client.messages.create(model="claude-haiku-4-5", max_tokens=10,
                                       messages=[{{"role": "user", "content": prompt}}])
        labels.append(reply.content[0].text)
    return labels


def digest_{n}(tickets):
    return [summarize(t) for t in tickets if t] + [len(d) for d in (summarize(t) for t in tickets)]


def notes_{n}(tickets):
    out = []
    for ticket in tickets:
        out.append(summarize(ticket, words=20))
    return out


def chatty_{n}(rows):
    for row in rows:
        print("working on", row)
        client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[])


if __name__ == "__main__":
    label_{n}(["a", "b"])
    notes_{n}(["a", "b"])
    chatty_{n}(["a"])
'''


def run(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "batchlint", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"batchlint {' '.join(args)} failed: {proc.stderr[-500:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        (corpus / "llm.py").write_text(SHARED)
        for n in range(options.files):
            (corpus / f"job_{n:04d}.py").write_text(MODULE.format(n=n))
        files = options.files + 1
        common = ["--isolated", "--no-cache", "-j", "1", "."]
        check = run(["check", *common], corpus)
        diff = run(["fix", "--diff", *common], corpus)
        work = Path(tmp) / "work"
        shutil.copytree(corpus, work)
        write = run(["fix", *common], work)
        again = run(["fix", "--diff", *common], work)
    print(f"{files} files, -j1, no cache")
    for name, seconds in (("check", check), ("fix --diff", diff), ("fix (writes)", write), ("fix --diff again", again)):
        print(f"  {name:<18} {seconds:6.2f} s  {files / seconds:7.0f} files/s  {seconds / check:5.2f}x check")


if __name__ == "__main__":
    main()

"""The file-level cache at scale: many files that all import the SDK.

    python benchmarks/bench_cache.py                  # 2,000 and 8,000 files
    python benchmarks/bench_cache.py --files 10000 --files 50000 --jobs 2
    python benchmarks/bench_cache.py --files 3000 --jobs 1 --repeat 5   # cold against no-cache, medians

For each size, in fresh processes, on a generated corpus: `--no-cache` (the
baseline), the first cached run (cold: every entry written), a warm re-run
(the run-level answer), and a one-file edit (every other file's facts read
back from the cache). Printed: wall seconds until the result is returned
(the run-level entry is written behind it, as the CLI writes it, where the
version can), peak RSS (MiB), CPU seconds of the process and its children
(steadier than wall time on a loaded machine), the seconds until every
cache entry is written, the whole process's wall time, cache size and
each cached figure as a ratio to the `--no-cache` run measured in the same
invocation, and how each grows with the size. Last, for `--no-cache` and
the first cached run, the seconds until `batchlint check` (the CLI, in a
fresh process) exits and its output is read to the end: what a caller
waits for (the CLI does not wait for its cache writers). Peak RSS is the larger of the
process's and of its children's (the parse workers, the cache encoder). No
thresholds: a report, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

RUNNER = textwrap.dedent(
    """
    import inspect, json, resource, sys, time
    from batchlint import check_paths
    from batchlint.config import Config
    root, jobs, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
    # as the CLI runs it: the run-level entry written while the result is shown (versions that can)
    behind = {"write_behind": True} if "write_behind" in inspect.signature(check_paths).parameters else {}
    start = time.perf_counter()
    result = check_paths([root], Config(root=root), jobs=jobs, cache_dir=cache, **behind)
    seconds = time.perf_counter() - start
    if behind:
        from batchlint.cache import wait_for_writes
        wait_for_writes()
    written = time.perf_counter() - start
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(me.ru_maxrss, children.ru_maxrss)
    cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime  # imports included, as in seconds' process
    print(json.dumps({"seconds": seconds, "written": written, "cpu": cpu, "rss_mib": peak / 1024,
                      "findings": len(result.findings)}))
    """
)

FILE = '''import anthropic

client = anthropic.Anthropic()


def ask_{n}(prompt):
    return client.messages.create(model="claude-haiku-5-5", max_tokens=64,
                                  messages=[{{"role": "user", "content": prompt}}])


def label_{n}(rows):
    out = []
    for row in rows:
        out.append(ask_{n}(row["text"]))
    return out


def util_{n}(values):
    return sum(v * {k} for v in values)
'''


def make(root: str, files: int) -> None:
    for n in range(files):
        folder = os.path.join(root, f"pkg{n // 500}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"mod{n}.py"), "w") as handle:
            handle.write(FILE.format(n=n, k=n % 7 + 2))


def run(root: str, jobs: int, cache: str) -> dict:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", RUNNER, root, str(jobs), cache], capture_output=True, text=True, check=True)
    return {**json.loads(out.stdout), "process": time.perf_counter() - started}


def command(root: str, jobs: int, cache: str) -> float:
    """Seconds until `batchlint check` exits and its output is read to the end, as a caller sees it
    (the CLI leaves the cache files still to write to forked writers: it does not wait for them)."""
    where = ["--cache-dir", cache] if cache else ["--no-cache"]
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "batchlint", "check", f"-j{jobs}", *where,
                    "--project-root", root, root],
                   capture_output=True, check=False)
    return time.perf_counter() - started


def size_of(folder: str) -> float:
    total = 0
    for base, _, names in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(base, n)) for n in names)
    return total / 2**20


def median_run(runs: list[dict]) -> dict:
    """The median wall time and CPU time (each on its own), with the highest peak memory of them all."""
    def median(name: str) -> float:
        return sorted(r[name] for r in runs)[len(runs) // 2]
    return {**runs[0], **{name: median(name) for name in ("seconds", "written", "process", "cpu", "command")
                          if name in runs[0]},
            "rss_mib": max(r["rss_mib"] for r in runs)}


def measure(files: int, jobs: int, repeat: int = 1) -> dict:
    work = tempfile.mkdtemp(prefix="batchlint-cache-bench-")
    try:
        root, cache = os.path.join(work, "tree"), os.path.join(work, "cache")
        make(root, files)
        plain, cold = [], []
        for _ in range(repeat):  # alternated, so a change in the machine's load falls on both
            plain.append({**run(root, jobs, ""), "command": command(root, jobs, "")})
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(run(root, jobs, cache))
            commands = cache + "-command"  # its own: the command's run key is not the library call's
            shutil.rmtree(commands, ignore_errors=True)
            cold[-1]["command"] = command(root, jobs, commands)
            time.sleep(0.5 + cold[-1]["written"] - cold[-1]["seconds"])  # its writers finish before the next run
        rows = {"no-cache": median_run(plain), "cold": median_run(cold)}
        # each cold command against the no-cache one just before it: steadier than a ratio of medians under drifting load
        pairs = sorted(c["command"] / p["command"] for p, c in zip(plain, cold))
        rows["command pairs"] = pairs[len(pairs) // 2]
        rows["warm"] = run(root, jobs, cache)
        edited = os.path.join(root, "pkg0", "mod0.py")
        with open(edited, "a") as handle:
            handle.write("\n# edited\n")
        rows["one-file edit"] = run(root, jobs, cache)
        rows["cache MiB"] = size_of(cache)
        shutil.rmtree(cache + "-command", ignore_errors=True)
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, action="append", help="corpus sizes (default 2000 and 8000)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1,
                        help="no-cache and cold runs, alternated; the median of each is shown (and their highest memory)")
    args = parser.parse_args()
    sizes = args.files or [2000, 8000]
    previous = None
    for files in sizes:
        started = time.perf_counter()
        rows = measure(files, args.jobs, args.repeat)
        base = rows["no-cache"]["seconds"]
        print(f"\n{files} files, -j{args.jobs}, load average {os.getloadavg()[0]:.1f} (cache {rows['cache MiB']:.1f} MiB; "
              f"measured in {time.perf_counter() - started:.0f} s)")
        for name in ("no-cache", "cold", "warm", "one-file edit"):
            row = rows[name]
            grow = ""
            if previous is not None:
                grow = f"  x{row['seconds'] / previous[name]['seconds']:.2f} time for x{files / previous['files']:.1f} files"
            print(f"  {name:<14} {row['seconds']:7.2f} s  {row['rss_mib']:6.0f} MiB  "
                  f"{row['seconds'] / base:5.2f}x no-cache  CPU {row['cpu']:6.2f} s ({row['cpu'] / rows['no-cache']['cpu']:4.2f}x)"
                  f"  all written {row['written']:6.2f} s ({row['written'] / base:4.2f}x)"
                  f"  process {row['process']:6.2f} s ({row['process'] / rows['no-cache']['process']:4.2f}x){grow}")
        plain, cold = rows["no-cache"]["command"], rows["cold"]["command"]
        print(f"  the command (batchlint check, exit and output read): no-cache {plain:.2f} s, cold {cold:.2f} s"
              f" ({cold / plain:4.2f}x; median of each pair's ratio {rows['command pairs']:4.2f}x)")
        previous = {**rows, "files": files}


if __name__ == "__main__":
    main()

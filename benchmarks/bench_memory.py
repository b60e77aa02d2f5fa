"""Where a large run's memory goes (docs/speed.md, "Third pass").

    python benchmarks/bench_memory.py --files 20000            # RSS at each stage, four runs, -j2
    python benchmarks/bench_memory.py --files 5000 --objects   # what the live objects are, per file

Stages: each of the four runs of bench_cache.py (`--no-cache`, cold, warm,
one-file edit) in a fresh process, its RSS sampled every 20 ms from outside
(/proc, Linux) and read at the start and end of each stage (the parse rounds,
the project, the findings, the cache's reads and writes); printed: the RSS
at each boundary and the stage the peak fell in. The run's own peak
(ru_maxrss) of the process and of its children is printed too: a forked
child's RSS counts the pages it shares with this process.

Objects (`--objects`, one process, -j1, no cache): at the end of the
findings stage, the bytes (sys.getsizeof) reachable from the sources, then
the facts, then each attribute of the project, then the findings, each
object counted once, in that order; per file and by type.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_cache import make  # noqa: E402 - the same corpus

RUNNER = """
import functools, json, resource, sys, time
T0 = time.perf_counter()
def mark(name):
    sys.stderr.write(f"MARK {name}\\n"); sys.stderr.flush()
from batchlint import check_paths
from batchlint.config import Config
import batchlint.analyze as az, batchlint.facts_cache as fc, batchlint.cache as ca
import batchlint.analysis.chains as chains, batchlint.analysis.packed as packed
def wrap(obj, name, label):
    orig = getattr(obj, name)
    @functools.wraps(orig)
    def watched(*a, **k):
        mark(label + " start")
        try:
            return orig(*a, **k)
        finally:
            mark(label + " end")
    setattr(obj, name, watched)
for obj, name, label in ((az._Parser, "parse", "parse"), (az, "_project", "project"), (chains, "packed_findings_for", "findings"),
                         (packed.PackedFindings, "unpack", "unpack"),
                         (fc.FactsCache, "encode_soon", "encode"), (fc.FactsCache, "save", "facts save"),
                         (ca.RunCache, "put", "run put"), (ca.RunCache, "get", "run get"), (az, "check_sources", "analysis")):
    wrap(obj, name, label)
root, jobs, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
mark("begin")
result = check_paths([root], Config(root=root), jobs=jobs, cache_dir=cache)
mark("done")
me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - T0, "self_mib": me.ru_maxrss / 1024,
                  "children_mib": ch.ru_maxrss / 1024, "findings": len(result.findings)}))
"""


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def staged(root: str, jobs: int, cache: str) -> None:
    """One run under the sampler: RSS at each stage boundary, and where the peak fell."""
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, root, str(jobs), cache],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marks: list[tuple[float, str, int]] = []

    def read_marks() -> None:
        for line in proc.stderr:
            if line.startswith("MARK "):
                marks.append((time.perf_counter(), line[5:].strip(), _rss_kib(proc.pid)))

    reader = threading.Thread(target=read_marks)
    reader.start()
    samples = []
    while proc.poll() is None:
        samples.append((time.perf_counter(), _rss_kib(proc.pid)))
        time.sleep(0.02)
    reader.join()
    summary = json.loads(proc.stdout.read())
    peak_at, peak = max(samples, key=lambda s: s[1]) if samples else (0.0, 0)
    stage = next((name for at, name, _ in reversed(marks) if at <= peak_at), "-")
    print(f"  {summary['seconds']:6.2f} s; peak {peak / 1024:.0f} MiB after `{stage}`; ru_maxrss: this process "
          f"{summary['self_mib']:.0f} MiB, children {summary['children_mib']:.0f} MiB")
    start = marks[0][0] if marks else 0.0
    for at, name, rss in marks:
        print(f"    {at - start:7.2f} s {rss / 1024:6.0f} MiB  {name}")


def objects(root: str, files: int) -> None:
    """Bytes reachable from each part of the run, at the end of the findings stage, per file."""
    import batchlint.analysis.chains as chains
    import batchlint.analyze as analyze
    from batchlint import check_paths
    from batchlint.config import Config

    held: dict = {}
    analyze_real, findings_real = analyze._analyze, chains.packed_findings_for

    def analyzing(sources, *args, **kwargs):
        held["sources"] = sources
        return analyze_real(sources, *args, **kwargs)

    def finding(project, *args, **kwargs):
        out = findings_real(project, *args, **kwargs)
        # what the packed findings hold now (unpacked later, once the project is let go)
        held["project"], held["findings"] = project, (out._chunks[:], out._pending[:])
        return out

    analyze._analyze, chains.packed_findings_for = analyzing, finding
    check_paths([root], Config(root=root), jobs=1)
    seen: set[int] = set()

    def walk(top, label: str, detail: bool = True) -> None:
        total, by_type = 0, collections.Counter()
        stack = [top]
        while stack:
            value = stack.pop()
            if id(value) in seen or value is None or isinstance(value, (bool, type, type(sys), type(walk))):
                continue
            seen.add(id(value))
            size = sys.getsizeof(value)
            total += size
            by_type[type(value).__name__] += size
            if isinstance(value, dict):
                stack += [*value.keys(), *value.values()]
            elif isinstance(value, (list, tuple, set, frozenset)):
                stack += value
            elif not isinstance(value, (str, int, float, bytes)):
                if hasattr(value, "__dict__"):
                    stack.append(value.__dict__)
                for cls in type(value).__mro__:
                    slots = getattr(cls, "__slots__", ())
                    stack += [getattr(value, s) for s in ((slots,) if isinstance(slots, str) else slots) if hasattr(value, s)]
        if total < files:  # under a byte a file: not worth a line
            return
        print(f"  {label:<28} {total / files:7.0f} B/file")
        if detail:
            print("      " + ", ".join(f"{name} {size / files:.0f}" for name, size in by_type.most_common(8)))

    walk(held["sources"], "sources")
    walk(held["project"].files, "facts")
    project = held["project"]
    shared_last = ("hierarchy", "names", "registries")  # they point back at the project: walked after its own tables
    for name, value in sorted(vars(project).items(), key=lambda item: item[0] in shared_last):
        walk(value, f"project.{name}", detail=False)
    walk(held["findings"], "findings (packed)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--objects", action="store_true", help="the live objects, not the RSS by stage")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="batchlint-memory-bench-")
    try:
        root, cache = os.path.join(work, "tree"), os.path.join(work, "cache")
        make(root, args.files)
        if args.objects:
            print(f"{args.files} files, live objects at the end of the findings stage (-j1, no cache):")
            objects(root, args.files)
            return
        for name, cache_dir in (("no-cache", ""), ("cold", cache), ("warm", cache), ("one-file edit", cache)):
            if name == "one-file edit":
                with open(os.path.join(root, "pkg0", "mod0.py"), "a") as handle:
                    handle.write("\n# edited\n")
            print(f"{name}, {args.files} files, -j{args.jobs}:")
            staged(root, args.jobs, cache_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Speed and memory of `batchlint check`, against baselines measured in the same run.

    python benchmarks/bench.py                 # stdlib corpus + generated dense corpus
    python benchmarks/bench.py --sparse DIR    # also a tree of your own (few SDK users)
    python benchmarks/bench.py --dense-files 800

Corpora:
  sparse  a large tree where few files use the SDK (default: this Python's stdlib)
  dense   generated files that all use the SDK (helpers, loops, pools, jobs)
Baselines, each in a fresh process:
  ruff    `ruff check --select ASYNC --no-cache` (if ruff is installed), whole process
  parse   bare `libcst.parse_module` over the dense files in one process
  ast     bare `ast.parse` over the same files (what the check itself parses with)
  floor   in one process: reading every .py file, and bare `ast.parse` of the
          files batchlint parses (what any Python checker of them must do),
          also with that parse spread ideally over the most --jobs; and
          `parse + index` of those files, the per-file work --jobs spreads,
          from which follows the --jobs speed-up Amdahl's law gives if that
          work spread perfectly and the rest of a --jobs 1 run stayed serial
Rows: `batchlint ...` time check_paths() inside a process (no interpreter start;
the analysis modules, which load lazily, are included); `process: ...` time the
whole `batchlint check` command, as ruff is timed. Both run from a virtualenv
where batchlint is installed from this checkout like a user's: not editable (an
editable install adds an import hook to every interpreter start), and with
compiled modules (a checkout run under PYTHONDONTWRITEBYTECODE compiles the
analysis inside the timed call). Every figure
is the median of --repeat runs, each in a fresh process. Printed: wall
seconds, files/s, lines/s, peak RSS (MiB), and ratios. Nothing here is a test;
no thresholds are asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time

REPEAT = 3  # runs per figure; the median is printed (--repeat)
INSTALLED = [sys.executable, "-m", "batchlint"]  # the command timed by `process:` rows (set in main)
# The interpreter of the in-process rows: the temporary virtualenv's (set in
# main), so they too import compiled modules as a user's install does. A
# checkout run with PYTHONDONTWRITEBYTECODE compiles batchlint on every start,
# 25 ms inside the timed `check_paths` (it imports the analysis lazily).
INTERPRETER = sys.executable

RUNNER = textwrap.dedent(
    """
    import json, resource, sys, time
    from batchlint import check_paths
    from batchlint.config import Config
    root, jobs, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
    start = time.perf_counter()
    result = check_paths([root], Config(root=root), jobs=jobs, cache_dir=cache)
    wall = time.perf_counter() - start
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"wall": wall, "rss_kib": rss, "findings": len(result.findings), "parsed": result.files_parsed}))
    """
)

PARSE_RUNNER = textwrap.dedent(
    """
    import json, resource, sys, time, pathlib
    import libcst
    files = sorted(pathlib.Path(sys.argv[1]).rglob("*.py"))
    texts = [f.read_text() for f in files]
    start = time.perf_counter()
    for text in texts:
        libcst.parse_module(text)
    wall = time.perf_counter() - start
    print(json.dumps({"wall": wall, "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    """
)


AST_RUNNER = PARSE_RUNNER.replace("import libcst", "import ast").replace("libcst.parse_module(text)", "ast.parse(text)")

# What no Python checker of the same files can avoid, and what --jobs can
# spread. A recorded check names the files batchlint parses; then, timed:
# reading every .py file (bytes, no decoding), bare `ast.parse` of the parsed
# files, and `parse_file` of them (ast.parse + index: the per-file work the
# processes share). No interpreter start is included.
FLOOR_RUNNER = textwrap.dedent(
    """
    import ast, gc, json, os, sys, time
    import batchlint.analyze as analyze
    from batchlint import check_paths
    from batchlint.config import DEFAULT_EXCLUDE, Config
    from batchlint.parsing import parse_file
    root = sys.argv[1]
    parsed = []
    real = analyze.parse_file
    def recording(source, *args, **kwargs):
        parsed.append(source)
        return real(source, *args, **kwargs)
    analyze.parse_file = recording
    check_paths([root], Config(root=root), jobs=1)
    gc.disable()  # as the check runs
    start = time.perf_counter()
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in DEFAULT_EXCLUDE]
        for name in names:
            if name.endswith(".py"):
                with open(os.path.join(dirpath, name), "rb") as handle:
                    handle.read()
    read = time.perf_counter() - start
    start = time.perf_counter()
    for source in parsed:
        try:
            ast.parse(source.text)
        except (SyntaxError, ValueError):
            pass
    parse = time.perf_counter() - start
    start = time.perf_counter()
    for source in parsed:
        parse_file(source)
    shared = time.perf_counter() - start
    print(json.dumps({"wall": read + parse, "read": read, "parse": parse, "shared": shared, "files": len(parsed)}))
    """
)


def time_process(root: str, jobs: int, cache: str) -> dict:
    args = [*INSTALLED, "check", "--quiet", "--jobs", str(jobs)]
    args += ["--cache-dir", cache] if cache else ["--no-cache"]
    start = time.perf_counter()
    subprocess.run(args + [root], capture_output=True, check=False)
    return {"wall": time.perf_counter() - start}


def median_run(runs: list[dict]) -> dict:
    """The run with the median wall time."""
    return sorted(runs, key=lambda data: data["wall"])[len(runs) // 2]


def median_of(measure) -> dict:
    """Run `measure()` REPEAT times; the run with the median wall time."""
    return median_run([measure() for _ in range(REPEAT)])


def installed_command(work: str) -> tuple[list[str], str]:
    """`batchlint` from a fresh virtualenv with this checkout installed (not
    editable), and that virtualenv's interpreter; this interpreter's
    `-m batchlint` and itself if that cannot be built."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    venv = os.path.join(work, "venv")
    bindir = "Scripts" if os.name == "nt" else "bin"
    try:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True)
        subprocess.run([os.path.join(venv, bindir, "python"), "-m", "pip", "install", "--quiet", repo],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"note: could not install batchlint in a virtualenv ({exc}); process rows use {sys.executable} -m batchlint")
        return [sys.executable, "-m", "batchlint"], sys.executable
    return [os.path.join(venv, bindir, "batchlint")], os.path.join(venv, bindir, "python")


def count(root: str) -> tuple[int, int]:
    """Files and lines batchlint looks at (its default excludes applied)."""
    from batchlint.config import DEFAULT_EXCLUDE

    files = lines = 0
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in DEFAULT_EXCLUDE]
        for name in names:
            if name.endswith(".py"):
                files += 1
                try:
                    with open(os.path.join(dirpath, name), "rb") as handle:
                        lines += handle.read().count(b"\n")
                except OSError:
                    pass
    return files, lines


def run_json(code: str, *args: str) -> dict:
    out = subprocess.run([INTERPRETER, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_ruff(root: str) -> float | None:
    ruff = shutil.which("ruff")
    if ruff is None:
        return None

    def once() -> dict:
        start = time.perf_counter()
        subprocess.run([ruff, "check", "--select", "ASYNC", "--no-cache", "--exit-zero", "--quiet", root],
                       capture_output=True, check=False)
        return {"wall": time.perf_counter() - start}

    return median_of(once)["wall"]


DENSE_TEMPLATE = '''\
"""Generated module {n}: helpers, loops and jobs around the anthropic SDK."""
import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import anthropic

client = anthropic.Anthropic()
aclient = anthropic.AsyncAnthropic()
SYSTEM = "You label support tickets for team {n}."


def ask_{n}(prompt, model="claude-haiku-5-5"):
    for attempt in range(3):
        try:
            return client.messages.create(model=model, max_tokens=256, system=SYSTEM,
                                          messages=[{{"role": "user", "content": prompt}}])
        except anthropic.RateLimitError:
            continue


class Labeler{n}:
    def __init__(self):
        self.client = anthropic.Anthropic()
        self.cache = {{}}

    def label(self, text):
        if text in self.cache:
            return self.cache[text]
        resp = self.client.messages.create(model="claude-sonnet-5", max_tokens=16,
                                           messages=[{{"role": "user", "content": text}}])
        self.cache[text] = resp.content[0].text
        return self.cache[text]


def label_rows_{n}(rows):
    labeler = Labeler{n}()
    out = []
    for row in rows:
        if not row.get("text"):
            continue
        out.append({{"id": row["id"], "label": labeler.label(row["text"])}})
    return out


def summarize_all_{n}(docs):
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(ask_{n}, [d["body"] for d in docs]))


async def enrich_{n}(doc):
    resp = await aclient.messages.create(model="claude-haiku-5-5", max_tokens=64,
                                         messages=[{{"role": "user", "content": doc}}])
    return resp.content[0].text


async def enrich_all_{n}(docs):
    return await asyncio.gather(*(enrich_{n}(d) for d in docs))


def chat_{n}():
    history = []
    while True:
        line = input("> ")
        history.append({{"role": "user", "content": line}})
        reply = client.messages.create(model="claude-sonnet-5", max_tokens=512, messages=history)
        history.append({{"role": "assistant", "content": reply.content}})
        print(reply.content[0].text)


def load_{n}(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle]
{extra}

if __name__ == "__main__":
    rows = load_{n}("data.jsonl")
    print(len(label_rows_{n}(rows)), len(summarize_all_{n}(rows)))
'''


def make_dense(root: str, files: int) -> None:
    rng = random.Random(7)
    for n in range(files):
        extra = "\n".join(
            f"\n\ndef util_{n}_{k}(values):\n    total = 0\n    for v in values:\n        total += v * {rng.randint(2, 9)}\n    return total"
            for k in range(rng.randint(2, 6))
        )
        path = os.path.join(root, f"pkg{n % 10}", f"mod{n}.py")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(DENSE_TEMPLATE.format(n=n, extra=extra))


def measure(name: str, root: str, jobs_list: list[int], with_parse: bool) -> None:
    files, lines = count(root)
    print(f"\n== {name}: {root} ({files} files, {lines} lines)")
    rows = []
    cache = tempfile.mkdtemp(prefix="bench-cache-")
    try:
        for jobs in jobs_list:
            def filled_then_warm() -> tuple[dict, dict]:
                shutil.rmtree(cache, ignore_errors=True)
                return run_json(RUNNER, root, str(jobs), cache), run_json(RUNNER, root, str(jobs), cache)

            pairs = [filled_then_warm() for _ in range(REPEAT)]
            cold = median_run([pair[0] for pair in pairs])
            warm = median_run([pair[1] for pair in pairs])
            nocache = median_of(lambda: run_json(RUNNER, root, str(jobs), ""))
            rows.append((f"batchlint --jobs {jobs} cold (no cache)", nocache))
            rows.append((f"batchlint --jobs {jobs} cold (filling cache)", cold))
            rows.append((f"batchlint --jobs {jobs} warm", warm))
            shutil.rmtree(cache, ignore_errors=True)
            rows.append((f"process: check --jobs {jobs} --no-cache", median_of(lambda: time_process(root, jobs, ""))))
            time_process(root, jobs, cache)  # fill the cache
            rows.append((f"process: check --jobs {jobs} warm", median_of(lambda: time_process(root, jobs, cache))))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    ruff = time_ruff(root)
    floor = median_of(lambda: run_json(FLOOR_RUNNER, root))
    parse = median_of(lambda: run_json(PARSE_RUNNER, root)) if with_parse else None
    bare_ast = median_of(lambda: run_json(AST_RUNNER, root)) if with_parse else None
    for label, data in rows:
        wall = data["wall"]
        line = f"{label:<40} {wall:7.2f} s  {files / wall:8.0f} files/s  {lines / wall:9.0f} lines/s"
        if "rss_kib" in data:
            line += f"  {data['rss_kib'] / 1024:6.0f} MiB  parsed {data['parsed']}  findings {data['findings']}"
        print(line)
    if ruff is not None:
        print(f"{'ruff check --select ASYNC --no-cache':<40} {ruff:7.2f} s")
    else:
        print("ruff not installed: `pip install ruff` to measure the baseline")
    if parse is not None:
        print(f"{'bare libcst.parse_module, 1 process':<40} {parse['wall']:7.2f} s  {parse['rss_kib'] / 1024:6.0f} MiB")
        print(f"{'bare ast.parse, 1 process':<40} {bare_ast['wall']:7.2f} s  {bare_ast['rss_kib'] / 1024:6.0f} MiB")
    most = max(jobs_list)
    ideal = floor["read"] + floor["parse"] / most
    print(f"{'floor: read all, ast.parse parsed set':<40} {floor['wall']:7.2f} s  "
          f"(read {floor['read']:.3f} s, ast.parse of {floor['files']} files {floor['parse']:.3f} s; "
          f"parse spread ideally over {most}: {ideal:.3f} s)")
    print(f"{'parse + index of the parsed set':<40} {floor['shared']:7.2f} s  (1 process: the work --jobs spreads)")
    base = {label: data["wall"] for label, data in rows}
    print("ratios:")
    for label, wall in base.items():
        parts = []
        if ruff:
            parts.append(f"{wall / ruff:5.2f}x ruff")
        if parse is not None:
            parts.append(f"{wall / parse['wall']:5.2f}x bare LibCST parse, {wall / bare_ast['wall']:5.2f}x bare ast.parse")
        print(f"  {label:<40} " + ", ".join(parts))
    if ruff:
        print(f"  floor, 1 process: {floor['wall'] / ruff:.2f}x ruff; parse spread ideally over {most}: {ideal / ruff:.2f}x ruff")
    serial = base.get("batchlint --jobs 1 cold (no cache)")
    for jobs in jobs_list:
        if jobs > 1 and serial:
            print(f"  --jobs {jobs} speed-up over --jobs 1 (cold, no cache): {serial / base[f'batchlint --jobs {jobs} cold (no cache)']:.2f}x")
            # Amdahl: only the per-file work spreads; the rest of a --jobs 1 run stays
            # serial. An estimate, not a bound: a parallel run also overlaps loading
            # the later stages (about 13 ms) with the parse, which this counts as serial.
            rest = max(0.0, serial - floor["shared"])
            print(f"    estimate if the per-file work ({floor['shared']:.2f} s) spread perfectly and the rest "
                  f"({rest:.2f} s) stayed serial: {serial / (rest + floor['shared'] / jobs):.2f}x")


def main() -> None:
    global REPEAT, INSTALLED, INTERPRETER
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sparse", action="append", default=[], help="extra tree(s) where few files use the SDK")
    parser.add_argument("--dense-files", type=int, default=400, help="generated SDK-using files (default 400)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per figure, median printed (default 3)")
    parser.add_argument("--installed", metavar="CMD",
                        help="command the process rows run, e.g. /path/to/venv/bin/batchlint "
                             "(default: batchlint installed from this checkout into a temporary virtualenv)")
    args = parser.parse_args()
    REPEAT = max(1, args.repeat)
    work = tempfile.mkdtemp(prefix="bench-venv-")
    dense = tempfile.mkdtemp(prefix="bench-dense-")
    try:
        if args.installed:
            INSTALLED = args.installed.split()
        else:
            INSTALLED, INTERPRETER = installed_command(work)
        print(f"in-process rows run: {INTERPRETER}; process rows run: {' '.join(INSTALLED)}; "
              f"each figure is the median of {REPEAT} runs")
        for root in [sysconfig.get_paths()["stdlib"], *args.sparse]:
            measure("sparse", root, args.jobs, with_parse=False)
        make_dense(dense, args.dense_files)
        measure("dense", dense, args.jobs, with_parse=True)
    finally:
        shutil.rmtree(dense, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()

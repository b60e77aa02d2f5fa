"""Hostile sweep: what a stranger's pull request can throw at batchlint (issue 22).

Generates, in a temporary folder, a hostile project tree (bad syntax, odd
encodings, file names with `(1)`, `::`, bidi controls, a newline, a byte that
is not UTF-8, a leading dash; YAML alias bombs and wrong-typed YAML; a cache
folder whose entries are links to a decoy folder; a source file linked to the
decoy; a fixable loop beside hostile expressions) and a decoy folder outside
it, then runs `check` in every format, `report` in every format, `fix --diff`
and `fix` on it, each in its own process, plus `check` on small trees with
bad configuration. It asserts: no traceback, outputs are UTF-8, JSON and
SARIF parse (no NaN/Infinity), no output line can start a GitHub workflow
command or hold a raw escape/bidi character, findings of ordinary code are
not lost, the fixable loop is rewritten, and the decoy folder is byte for
byte what it was (nothing outside the tree written, deleted or created).

Prints one line per failing case (`hostile-sweep FAIL <case>: <why>`) and a
summary; exits 1 if any case failed. Run by .ci/run after scripts/sweep.py.

    python scripts/hostile_sweep.py [--keep]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

LOOP = ("import anthropic\nc = anthropic.Anthropic()\n\n\ndef work(rows):\n    for r in rows:\n"
        "        c.messages.create(model='claude-3-5-haiku-latest', max_tokens=100, messages=[r])\n")
TIMEOUT = 60  # seconds per command: a hang is a failure, not a stuck CI job
MEMORY = 1536 << 20  # address space per command: an alias bomb fails fast instead of swapping
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
SCHEMA = Path(__file__).resolve().parent.parent / "tests" / "data" / "sarif-schema-2.1.0.json"

# case -> files (path relative to the tree -> bytes); `expect` lists files whose loop must be reported
CASES: dict[str, dict] = {}


def case(name: str, files: dict[str, bytes | str], expect: tuple[str, ...] = (), signature: str = "",
         tree: str = "code") -> None:
    """`signature`: a regex that, found in a traceback, points at this case. Cases
    live in one of three trees, so that a crash on YAML cannot hide what the
    Python cases show, nor an alias bomb what wrong-typed YAML shows."""
    CASES[name] = {"files": {k: v.encode() if isinstance(v, str) else v for k, v in files.items()},
                   "expect": expect, "signature": signature, "tree": tree}


def bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def build_cases() -> None:
    case("names-forged-commands", {"names/::warning file=README.md,line=1::forged.py": LOOP,
                                   "names/::stop-commands::pwn.py": LOOP},
         expect=("names/::warning file=README.md,line=1::forged.py", "names/::stop-commands::pwn.py"))
    case("names-bidi-newline-tab-dash", {"names/bidi\u202egnp.exe\u202c.py": LOOP, "names/new\nline.py": LOOP,
                                         "names/tab\tname.py": LOOP, "names/-dash.py": LOOP,
                                         "names/esc\x1b[31mred.py": LOOP},
         expect=("names/bidi\u202egnp.exe\u202c.py", "names/new\nline.py", "names/tab\tname.py", "names/-dash.py"),
         signature="UnicodeEncodeError")
    case("names-not-utf8", {os.fsdecode(b"names/bad\xff.py"): LOOP}, expect=(os.fsdecode(b"names/bad\xff.py"),),
         signature="UnicodeEncodeError|surrogate")
    case("names-parentheses", {"names/script (1).py": LOOP, "names/x(1).py": LOOP},
         expect=("names/script (1).py", "names/x(1).py"))
    case("markdown-in-names", {"names/<img src=x>@octocat **b** ``t`.py": LOOP},
         expect=("names/<img src=x>@octocat **b** ``t`.py",))
    case("bad-syntax-and-encodings", {
        "code/syntax.py": "def f(:\n", "code/py2.py": "print 'x'\n",
        "code/latin1.py": b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", "code/badutf8.py": b"x = '\xff\xfe'\n",
        "code/unknown_cookie.py": "# -*- coding: klingon -*-\nx = 1\n", "code/nul.py": b"x = 1\x00\n",
        "code/bom.py": b"\xef\xbb\xbf" + LOOP.encode(), "code/cr_only.py": LOOP.replace("\n", "\r"),
        "code/mixed.py": LOOP.replace("\n", "\r\n", 3),
    }, expect=("code/bom.py",))
    case("class-base-parameter", {"code/factory.py": LOOP + "\n\ndef make(base):\n    class Wrapped(base):\n        pass\n"
                                                           "    return Wrapped\n"},
         expect=("code/factory.py",), signature="_params_ready|AttributeError", tree="crashes")
    case("deep-expressions", {"code/chain.py": LOOP + "\nx = " + " + ".join(["1"] * 400) + "\n",
                              "code/deep.py": LOOP + "\ny = " + "(" * 90 + "1" + ")" * 90 + "\n",
                              "code/nested.py": "z = " + "-" * 600 + "1\n" + LOOP},
         expect=("code/chain.py", "code/deep.py"), signature="RecursionError|recursion", tree="crashes")
    case("huge-numbers", {"code/numbers.py": (
        "import anthropic\nimport time\nc = anthropic.Anthropic()\n\n\ndef work():\n"
        "    for r in range(10**400):\n        c.messages.create(model='m', max_tokens=10**400, messages=[r])\n"
        "    for r in [1, 2][:10**400]:\n        c.messages.create(model='m', max_tokens=1, messages=[r])\n"
        "    while True:  # batchlint: volume 1e400/day\n        c.messages.create(model='m', max_tokens=1, messages=[])\n"
        "        time.sleep(0)\n")}, signature="OverflowError|ZeroDivisionError|ValueError", tree="crashes")
    case("fixable-loop", {"fixable/job.py": LOOP}, expect=("fixable/job.py",))
    case("directory-named-py", {"code/pkg.py/inner.py": LOOP}, expect=())
    # the expansion sits where each reader walks: a workflow's steps, a pipeline's script, a CronJob's command
    case("yaml-bombs", {
        ".github/workflows/bomb.yml": bomb() + "on:\n  schedule:\n    - cron: '0 * * * *'\n"
                                      "jobs:\n  a:\n    steps:\n      - run: *a9\n    env: *a9\n",
        ".gitlab-ci.yml": bomb() + "nightly:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n  script: *a9\n",
        "k8s/bomb.yaml": bomb() + "kind: CronJob\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n"
                         "      template:\n        spec:\n          containers:\n            - command: *a9\n",
        "bomb_job.py": LOOP},
         signature="MemoryError|yaml", tree="bombs")
    case("yaml-wrong-types", {
        ".github/workflows/cron_int.yml": "on:\n  schedule:\n    - cron: 5\njobs:\n  a:\n    steps: 5\n",
        ".github/workflows/cron_list.yml": "on:\n  schedule:\n    - cron: [1, 2]\njobs: [1, 2]\n",
        "k8s/spec_list.yaml": "kind: CronJob\nspec: []\n",
        "k8s/containers_str.yaml": "kind: CronJob\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n"
                                   "      template:\n        spec:\n          containers: x\n",
        "k8s/command_int.yaml": "kind: CronJob\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n"
                                "      template:\n        spec:\n          containers:\n            - command: 5\n",
        "sls/serverless.yml": "functions: []\n", "sam/template.yaml": "Resources: []\n",
        "sls2/serverless.yml": "functions:\n  f:\n    handler: h.main\n    events:\n      - schedule: rate(0 minutes)\n",
        "sam2/template.yaml": "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events: []\n",
        "deploy/odd.timer": "[Timer]\nOnCalendar=Mon..Tue..Wed\nUnit=/etc/passwd\n",
        "scheduled.py": LOOP,
    }, signature="yaml|external|TypeError|AttributeError|KeyError", tree="schedules")


def write_trees(base: Path) -> None:
    for spec in CASES.values():
        for rel, data in spec["files"].items():
            path = base / spec["tree"] / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def decoy_tree(decoy: Path) -> None:
    """What must survive: JSON files a cache prune would delete, a fixable loop a fix would rewrite."""
    for folder in ("facts", "runs", "schedules"):
        (decoy / folder).mkdir(parents=True)
        (decoy / folder / "credentials.json").write_text('{"token": "secret"}\n')
        (decoy / folder / "notes.json").write_text("[]\n")
    (decoy / "job.py").write_text(LOOP)


def link_cache_to_decoy(python: str, tree: Path, decoy: Path, scratch: Path) -> None:
    """The cache folders a run would use (names learnt from a run on a scratch tree), committed as links."""
    (scratch / "a.py").write_text(LOOP)
    (scratch / ".github" / "workflows").mkdir(parents=True)
    (scratch / ".github" / "workflows" / "nightly.yml").write_text(
        "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  a:\n    steps:\n      - run: python a.py\n")
    subprocess.run([python, "-m", "batchlint", "check", "--isolated", "--cache-dir", str(scratch / "cache"), str(scratch)],
                   capture_output=True, timeout=TIMEOUT, check=False)
    cache = tree / ".batchlint_cache"
    cache.mkdir()
    names = sorted(os.listdir(scratch / "cache")) if (scratch / "cache").is_dir() else []
    for name in names:
        kind = name.split("-")[0]
        if kind in ("facts", "runs", "schedules"):
            (cache / name).symlink_to(decoy / kind, target_is_directory=True)
    (cache / ".gitignore").symlink_to(decoy / "created-by-batchlint")  # dangling: must not be created
    (tree / "linked.py").symlink_to(decoy / "job.py")  # a source file that is a link out of the tree
    CASES["cache-links-out-of-tree"] = {"files": {}, "expect": (), "signature": "cache", "tree": "code"}
    CASES["source-link-out-of-tree"] = {"files": {}, "expect": (), "signature": "linked.py", "tree": "code"}
    CASES["git-diff-base-option"] = {"files": {}, "expect": (), "signature": "--output|diff-base", "tree": "code"}


def snapshot(folder: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = path.lstat()
            data = os.readlink(path) if path.is_symlink() else (path.read_bytes() if path.is_file() else b"")
            out[str(path.relative_to(folder))] = (st.st_mode, data)
    return out


# ------------------------------------------------------------------- running
def run(python: str, args: list[str], cwd: Path) -> dict:
    def limit() -> None:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        except (ImportError, ValueError, OSError):
            pass

    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # strict: a lone surrogate in output is an error
    start = time.perf_counter()
    try:
        proc = subprocess.run([python, "-m", "batchlint", *args], cwd=cwd, capture_output=True, timeout=TIMEOUT,
                              env=env, preexec_fn=limit if os.name == "posix" else None, check=False)
        out = {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}
    except subprocess.TimeoutExpired:
        out = {"rc": None, "stdout": b"", "stderr": f"timed out after {TIMEOUT} s".encode()}
    out.update(args=args, seconds=time.perf_counter() - start)
    return out


def problems(result: dict, allowed_rc: tuple[int, ...]) -> list[str]:
    """What is wrong with one command's run, one phrase each (the command is said by the caller)."""
    stderr = result["stderr"].decode("utf-8", "replace")
    if result["rc"] is None:
        return [stderr]
    if "Traceback" in stderr:
        return [f"traceback: {stderr.strip().splitlines()[-1][:200]}"]
    if result["rc"] not in allowed_rc:
        return [f"exit {result['rc']}: {stderr.strip()[-200:]}"]
    try:
        stdout = result["stdout"].decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"output is not UTF-8: {exc}"]
    found = []
    fmt = result["args"][result["args"].index("--format") + 1] if "--format" in result["args"] else "text"
    for stream, text in (("stdout", stdout), ("stderr", stderr)):
        if stream == "stdout" and fmt == "github":
            bad = [line for line in text.splitlines() if not line.startswith(("::warning ", "::notice ", "::error "))]
        else:
            bad = [line for line in text.splitlines() if line.lstrip().startswith(("::", "##["))]
        if bad:
            found.append(f"{stream} line reads as a workflow command: {bad[0][:120]!r}")
        body = text.replace("\r\n", "\n") if "--diff" in result["args"] else text  # a CRLF file's diff keeps them
        raw = INVISIBLE.search(body) or re.search("\r", body)
        if raw:
            found.append(f"{stream} holds a raw control/bidi character {raw.group()!r}")
    if fmt in ("json", "sarif") and result["rc"] in (0, 1):
        try:
            result["json"] = json.loads(stdout, parse_constant=_reject)
            if fmt == "sarif" and SCHEMA.is_file():
                try:
                    import jsonschema
                except ImportError:
                    jsonschema = None
                if jsonschema is not None:
                    jsonschema.validate(result["json"], json.loads(SCHEMA.read_text()))
        except Exception as exc:  # noqa: BLE001 - any way of being invalid is the finding
            found.append(f"{fmt} output is not valid: {str(exc).splitlines()[0][:160]}")
    return found


def _reject(constant: str):
    raise ValueError(f"{constant} in JSON")


def attribute(tree: str, problem: str) -> str:
    """The case a failure points at (by file name or traceback signature), among the tree's cases."""
    hits = [name for name, spec in CASES.items() if spec["tree"] == tree and (
        any(rel in problem or os.path.basename(rel) in problem for rel in spec["files"])
        or (spec["signature"] and re.search(spec["signature"], problem)))]
    alone = [name for name, spec in CASES.items() if spec["tree"] == tree]
    return ",".join(hits) or (alone[0] if len(alone) == 1 else f"tree-{tree}")


MATRIX = {  # tree -> commands run on it (`-j 1 .` added)
    "code": [*(["check", "--format", f] for f in ("text", "json", "sarif", "github", "markdown")),
             ["check", "--show-context"], *(["report", "--format", f] for f in ("text", "markdown", "json", "html")),
             ["fix", "--diff"]],
    "crashes": [["check", "--format", "json"], ["check", "--show-context"], ["fix", "--diff"]],
    "schedules": [["check", "--format", "json"], ["report", "--format", "html"], ["fix", "--diff"]],
    "bombs": [["check", "--format", "json"]],
}
CONFIGS = {
    "config-tool-int": "[tool]\nbatchlint = 5\n", "config-tool-5": "tool = 5\n", "config-project-str": 'project = "x"\n',
    "config-scripts-ints": "[project]\nscripts = [1]\n",
    "config-chars-per-token-0": "[tool.batchlint.savings]\nchars-per-token = 0\n",
    "config-400-digits": "[tool.batchlint.savings]\nitems-per-run = " + "9" * 400 + "\n",
    "config-inf-nan": "[tool.batchlint.savings]\nitems-per-run = inf\nchars-per-token = nan\n",
}


def sweep(base: Path, python: str) -> list[tuple[str, str]]:
    """(case, problem) for everything that went wrong."""
    decoy, failures = base / "decoy", []
    build_cases()
    for name, config in CONFIGS.items():
        CASES[name] = {"files": {"pyproject.toml": config.encode(), "job.py": LOOP.encode()}, "expect": (),
                       "signature": "", "tree": name}
    write_trees(base)
    decoy_tree(decoy)
    link_cache_to_decoy(python, base / "code", decoy, base / "scratch")
    if shutil.which("git"):  # a repository, so that a ref handed to git as an option would act
        git = ["git", "-c", "user.email=sweep@example.invalid", "-c", "user.name=sweep", "-c", "commit.gpgsign=false"]
        for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "hostile"]):
            subprocess.run([*git, *step], cwd=base / "code", capture_output=True, timeout=TIMEOUT, check=False)
    before = snapshot(decoy)
    jobs = [(tree, args) for tree, commands in MATRIX.items() for args in commands]
    jobs.append(("code", ["check", "--format", "json", f"--diff-base=--output={decoy / 'git-output'}"]))
    jobs += [(name, ["check", "--format", "json"]) for name in CONFIGS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda job: (job[0], run(python, [*job[1], "-j", "1", "."], base / job[0])), jobs))
    runs += [(tree, run(python, ["fix", "--unsafe-fixes", "-j", "1", "."], base / tree)) for tree in ("code", "crashes", "schedules")]
    for tree, result in runs:
        command = " ".join(a for a in result["args"] if a not in ("-j", "1", ".") and not a.startswith("--diff-base"))
        is_fix = result["args"][0] == "fix" or tree in CONFIGS or any(a.startswith("--diff-base") for a in result["args"])
        allowed = (0,) if result["args"][0] == "report" else (0, 1, 2) if is_fix else (0, 1)
        for problem in problems(result, allowed):
            owner = ("git-diff-base-option" if any(a.startswith("--diff-base") for a in result["args"])
                     else tree if tree in CONFIGS else attribute(tree, problem))
            failures.append((owner, f"`{command}` {problem}"))
    # findings of ordinary loops must not be lost to their neighbours or their file names
    data = {t: r["json"] for t, r in runs if r["args"][:3] == ["check", "--format", "json"] and "json" in r
            and not any(a.startswith("--diff-base") for a in r["args"])}
    for name, spec in CASES.items():
        reported = {f["path"].replace(os.sep, "/") for f in data.get(spec["tree"], {}).get("findings", ())}
        for rel in spec["expect"] if spec["tree"] in data else ():
            shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            if rel not in reported and shown not in reported:
                failures.append((name, f"no finding reported for {rel!r} (a loop of Claude calls)"))
    if "_claude_batch" not in (base / "code" / "fixable" / "job.py").read_text():
        failures.append(("fixable-loop", "`fix` did not rewrite fixable/job.py"))
    after = snapshot(decoy)
    changed: dict[str, list[str]] = {}
    for path in sorted(set(before) ^ set(after) | {k for k in before if k in after and before[k] != after[k]}):
        changed.setdefault(path.split(os.sep)[0], []).append(path)
    for top, paths in changed.items():
        owner = {"git-output": "git-diff-base-option", "job.py": "source-link-out-of-tree"}.get(top, "cache-links-out-of-tree")
        what = f"{top}/ ({len(paths)} entries, e.g. {paths[-1]!r})" if len(paths) > 1 else repr(paths[0])
        failures.append((owner, f"the decoy folder outside the tree changed: {what} written, deleted or created"))
    return failures


def main() -> int:
    start = time.perf_counter()
    base = Path(tempfile.mkdtemp(prefix="batchlint-hostile-"))
    try:
        (base / "decoy").mkdir()
        (base / "scratch").mkdir()
        failures = sweep(base, sys.executable)
    finally:
        if "--keep" in sys.argv:
            print(f"hostile-sweep: kept {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)
    merged: dict[tuple[str, str], list[str]] = {}  # one line per case and problem, naming every command it hit
    for owner, problem in failures:
        command, _, why = problem.partition("` ") if problem.startswith("`") else ("", "", problem)
        merged.setdefault((owner, why), []).append(command.strip("`"))
    for (owner, why), commands in merged.items():
        where = f" (in {', '.join(c for c in commands if c)})" if any(commands) else ""
        print(f"hostile-sweep FAIL {owner}: {why}{where}")
    failing = {owner for owner, _ in merged}
    print(f"hostile-sweep: {len(CASES)} cases, {len(failing)} failing, {time.perf_counter() - start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Every command shown in the README and docs/ runs, and prints what the page
says, in shape: the same `path:line:col: CODE` lines, the same summary (money
aside), the same option names for `--help`, the same exit status.

A ```text block whose first line starts with `$ ` is a sample run: each `$ `
line is a command (run in bash, as typed), the lines up to the next `$ ` its
output. `...` on a line of its own stands for lines left out; inside a line it
stands for any text. Where a command runs is in RUNS below; a page's
```python blocks preceded by `<!-- docs-file: NAME -->` are written as NAME
into that folder first.

After a change to the output, regenerate the samples and review the diff:

    .venv/bin/python tests/test_docs_commands.py --write
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "docs" / "rules").glob("*.md"))]

FINDING = re.compile(r"^(?:\./)?(\S+?):(\d+):(\d+): (BL\d{3})\b")
SUMMARY = re.compile(r"^Found \d+ ")
MONEY = re.compile(r"[<~]?\$[\d,]+(?:\.\d+)?")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
SHOWN_FOLDER = "/tmp/acme"
_BLOCK = re.compile(r"^```text\n(\$ .*?)^```", re.S | re.M)
_FILE = re.compile(r"<!-- docs-file: (\S+) -->\n```python\n(.*?)^```", re.S | re.M)


@dataclass
class Run:
    """Where a page's sample runs: `setup` names the folder's contents; `exits`
    the status of each command, in order; `skip` why it is not run here."""
    setup: str = "files"  # "files" (the page's docs-file blocks), "fixtures" (a copy of fixtures/), or a SETUPS key
    exits: tuple = (1,)
    skip: str = ""
    extra: dict = field(default_factory=dict)  # more files: name -> text


def _fifo(folder: Path) -> None:
    (folder / "sub").mkdir()
    os.mkfifo(folder / "sub" / "pipe.py")


SETUPS = {
    "BL001": lambda d: ((d / "bad_utf8.py").write_bytes(b"import anthropic\nx = '\xe9'\n"),
                        (d / "broken.py").write_text("import anthropic\nx = (\n"), _fifo(d)),
    "BL003": lambda d: ((d / "big.py").write_text("# anthropic\n" + "x = 1  # padding padding padding\n" * 224_000),
                        (d / "deep.py").write_text("import anthropic\nx = " + "(" * 250 + "1" + ")" * 250 + "\n")),
    "clean": lambda d: (d / ".batchlint_cache").mkdir() or (d / ".batchlint_cache" / ".gitignore").write_text("*\n"),
}

# (page, first command) -> Run; a sample run missing here fails test_every_sample_run_is_listed
RUNS = {
    ("README.md", "batchlint check fixtures/"): Run("fixtures"),
    ("docs/cli.md", "batchlint check --help"): Run(exits=(0,)),
    ("docs/cli.md", "cd fixtures && batchlint check --select BL104 acme_support/"): Run("fixtures"),
    ("docs/cli.md", "batchlint fix --help"): Run(exits=(0,)),
    ("docs/cli.md", "batchlint status"): Run(skip="needs a state folder of batches the API ran; tests/test_status.py checks status on one it builds"),
    ("docs/cli.md", "batchlint clean"): Run("clean", exits=(0, 0)),
    ("docs/cli.md", "batchlint rules"): Run(exits=(0,)),
    ("docs/cli.md", "batchlint rules bl101"): Run(exits=(0,)),
    ("docs/cli.md", "batchlint rules BL999"): Run(exits=(2,)),
    ("docs/cli.md", "batchlint --version"): Run(exits=(0,)),
    ("docs/configuration.md", "batchlint check ."): Run(extra={
        "pyproject.toml": '[tool.batchlint]\nbatch-contexts = ["myapp.infra.nightly", "myapp.infra.register_job"]\n'
                          'interactive-contexts = ["myapp.infra.api_view"]\n',
        "myapp/__init__.py": "",
        "myapp/infra.py": "def nightly(**kw):\n    return lambda f: f\n\n\ndef api_view(f):\n    return f\n\n\n"
                          "def register_job(f):\n    return f\n",
        "myapp/llm.py": 'import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef ask(text):\n'
                        '    return client.messages.create(model="claude-haiku-4-5", max_tokens=100,\n'
                        '                                  messages=[{"role": "user", "content": text}])\n',
        "myapp/jobs.py": None,  # the page's python block
    }),
    ("docs/fix.md", "batchlint fix ."): Run(skip="tests/test_fix_docs.py runs it on the page's example programs"),
    ("docs/flake8.md", "cd fixtures && flake8 --select BL . | wc -l"):
        Run(skip="a count through a pipe; tests/test_project_root.py checks the flake8 view equals check's on fixtures/"),
    ("docs/cli.md", "cd fixtures && batchlint check --output-format full --select BL104 acme_support/"): Run("fixtures"),
    ("docs/cli.md", "cd fixtures && batchlint check --statistics ."): Run("fixtures"),
    ("docs/cli.md", "batchlint trace [-o FILE] -- COMMAND [ARGS]..."): Run(skip="the command's synopsis, not a run"),
    ("docs/savings.md", "batchlint trace -- python -m acme_support.jobs.nightly"):
        Run(skip="runs the user's own program; tests/test_trace.py traces real programs against the fake API"),
    ("docs/rules/BL011.md", "batchlint check chat.py"): Run(),
    ("docs/json-format.md", "cd fixtures && batchlint check --format json --select BL101,BL106,BL0 . data/missing.jsonl"):
        Run("fixtures"),
    ("docs/savings.md", "batchlint check --show-context fixtures/"): Run("fixtures"),
    ("docs/savings.md", "batchlint report fixtures/"): Run("fixtures", exits=(0, 0, 0, 0)),
    ("docs/savings.md", "batchlint report --top 3 fixtures/"): Run("fixtures", exits=(0,)),
    ("docs/rules/BL001.md", "batchlint check ."): Run("BL001"),
    ("docs/rules/BL002.md", "batchlint check . missing.py"): Run(),
    ("docs/rules/BL003.md", "batchlint check ."): Run("BL003"),
    ("docs/rules/BL101.md", "batchlint check --show-context reviews.py"): Run(),
    ("docs/rules/BL102.md", "batchlint check summarize.py"): Run(),
    ("docs/rules/BL103.md", "batchlint check --show-context support/"): Run(extra={
        "support/__init__.py": "", "support/store.py": "def tickets_created_on(day):\n    return []\n"}),
    ("docs/rules/BL104.md", "batchlint check --show-context support/"): Run(extra={
        "support/__init__.py": "", "support/store.py": "def get_ticket(ticket_id):\n    return None\n",
        "support/webhooks.py": "from support.tasks import label_ticket\n\n\ndef on_ticket(ticket_id):\n"
                               "    label_ticket.delay(ticket_id)\n"}),
    ("docs/rules/BL105.md", "batchlint check --show-context scripts/"): Run(),
    ("docs/rules/BL106.md", "batchlint check redact.py"): Run(),
    ("docs/rules/BL107.md", "batchlint check export.py"): Run(),
}


@dataclass
class Session:
    command: str
    output: list[str]


def _command(line: str) -> str:
    """`$ batchlint report x/   # a comment` -> `batchlint report x/`."""
    return re.sub(r"\s+#\s.*$", "", line[2:]).strip()


def sessions(block: str) -> list[Session]:
    out: list[Session] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append(Session(_command(line), []))
        else:
            out[-1].output.append(line)
    return out


def sample_runs() -> list[tuple[str, list[Session]]]:
    found = []
    for page in PAGES:
        for block in _BLOCK.findall(page.read_text(encoding="utf-8")):
            found.append((page.relative_to(ROOT).as_posix(), sessions(block)))
    return found


SAMPLES = sample_runs()
IDS = [f"{page}:{runs[0].command}" for page, runs in SAMPLES]


def prepare(page: str, run: Run, folder: Path) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    files = dict(_FILE.findall(text))
    for name, body in run.extra.items():
        files[name] = files[name] if body is None else body
    for name, body in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(body, encoding="utf-8")
    if run.setup == "fixtures":
        shutil.copytree(ROOT / "fixtures", folder / "fixtures")
    elif run.setup != "files":
        SETUPS[run.setup](folder)


_IN_PROCESS = re.compile(r"(?:cd ([\w./-]+) && )?batchlint( [^|;&<>$`]*)?")


def execute(command: str, folder: Path) -> subprocess.CompletedProcess:
    """The command as typed: `[cd DIR && ]batchlint ARGS` through click's test
    runner in this process (the same entry point, without paying for a Python
    start per sample), anything else in bash with this interpreter's scripts
    first on PATH; no colour, an 80-column terminal, so that what is compared is the text."""
    env = {"NO_COLOR": "1", "COLUMNS": "80", "TERM": "dumb", "FORCE_COLOR": None}
    simple = _IN_PROCESS.fullmatch(command)
    if simple and "--help" not in command:  # CliRunner wraps help at 80 columns, a terminal of 80 at 78
        from click.testing import CliRunner

        from batchlint.cli import main

        old = os.getcwd()
        os.chdir(folder / (simple.group(1) or "."))
        try:
            done = CliRunner(env=env).invoke(main, shlex.split(simple.group(2) or ""), prog_name="batchlint")
        finally:
            os.chdir(old)
        return subprocess.CompletedProcess(command, done.exit_code, done.output, "")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **env}
    env.pop("FORCE_COLOR")
    return subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def _matches(doc_line: str, line: str) -> bool:
    """`...` inside a doc line stands for any text; money is compared as money, not amount."""
    pattern = ".*".join(re.escape(MONEY.sub("\0", part)).replace("\0", MONEY.pattern) for part in doc_line.split("..."))
    return re.fullmatch(pattern, line) is not None


def _subsequence(part: list, whole: list) -> bool:
    rest = iter(whole)
    return all(item in rest for item in part)


def compare(doc: list[str], printed: list[str], command: str) -> list[str]:
    """What differs in shape between the doc's output and the printed one, as readable lines."""
    problems = []
    elided = "..." in [line.strip() for line in doc]
    spots = lambda lines: [m.groups() for m in map(FINDING.match, lines) if m]  # noqa: E731
    shown, got = spots(doc), spots(printed)
    if (_subsequence(shown, got) if elided else got == shown) is False:
        problems.append(f"findings: the page shows {shown}, the command prints {got}")
    summaries = [line for line in printed if SUMMARY.match(line)]
    for line in (line for line in doc if SUMMARY.match(line)):
        if not any(_matches(line, s) for s in summaries):
            problems.append(f"summary: the page shows {line!r}, the command prints {summaries}")
    if "--help" in command:
        if sorted(set(OPTION.findall("\n".join(doc)))) != sorted(set(OPTION.findall("\n".join(printed)))):
            problems.append(f"options: the page lists {sorted(set(OPTION.findall(chr(10).join(doc))))}, "
                            f"--help lists {sorted(set(OPTION.findall(chr(10).join(printed))))}")
        return problems
    for line in doc:  # every other line at the left margin is printed (`...` = any text)
        if not line or line[0].isspace() or line.strip() == "..." or FINDING.match(line) or SUMMARY.match(line):
            continue
        if not any(_matches(line, p) for p in printed):
            problems.append(f"line not printed: {line!r}")
    return problems


def run_sample(page: str, runs: list[Session], tmp_path: Path):
    """(session, printed lines, exit status) for each command of one sample block."""
    spec = RUNS[(page, runs[0].command)]
    prepare(page, spec, tmp_path)
    for session in runs:
        proc = execute(session.command, tmp_path)
        # the pages show the folder as /tmp/acme, whichever temporary folder the test runs in
        printed = (proc.stdout + proc.stderr).replace(str(tmp_path), SHOWN_FOLDER)
        yield session, printed.splitlines(), proc.returncode


def test_every_sample_run_is_listed():
    listed = {(page, runs[0].command) for page, runs in SAMPLES}
    assert len(SAMPLES) >= 20
    assert listed == set(RUNS), (f"sample runs with no entry in RUNS: {sorted(listed - set(RUNS))}; "
                                 f"entries with no sample: {sorted(set(RUNS) - listed)}")


def test_the_shape_check_sees_a_difference():
    doc = ["a.py:1:5: BL101 x [~$0.46/month now, $0.23 in batch]", "...", "Found 2 synchronous Claude calls (2 files checked)."]
    same = ["a.py:1:5: BL101 y", "b.py:3:1: BL105 z", "Found 2 synchronous Claude calls (2 files checked)."]
    assert compare(doc, same, "batchlint check .") == []
    moved = ["a.py:2:5: BL101 y", "Found 2 synchronous Claude calls (2 files checked)."]
    assert compare(doc, moved, "batchlint check .")[0].startswith("findings:")
    counted = ["a.py:1:5: BL101 y", "Found 2 synchronous Claude calls (3 files checked)."]
    assert compare(doc, counted, "batchlint check .")[0].startswith("summary:")
    assert compare(["  --jobs INT", "  --strict"], ["  --jobs INT"], "batchlint check --help")[0].startswith("options:")
    assert compare(["batchlint, version 0.1.0"], ["batchlint, version 0.2.0"], "batchlint --version")


@pytest.mark.parametrize("page, runs", SAMPLES, ids=IDS)
def test_sample_run_matches_the_page(page, runs, tmp_path):
    spec = RUNS[(page, runs[0].command)]
    if spec.skip:
        pytest.skip(spec.skip)
    assert len(spec.exits) == len(runs), f"{page}: RUNS gives {len(spec.exits)} exit statuses for {len(runs)} commands"
    for (session, printed, status), expected in zip(run_sample(page, runs, tmp_path), spec.exits):
        assert status == expected, f"{page}: `{session.command}` exited {status}, not {expected}:\n" + "\n".join(printed)
        problems = compare(session.output, printed, session.command)
        assert not problems, f"{page}: `{session.command}` (regenerate with tests/test_docs_commands.py --write):\n" + \
            "\n".join(problems)


def test_every_configuration_key_is_in_the_key_table():
    from batchlint.config import _KEYS

    table = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8").split("## Keys", 1)[1].split("\n\n#", 1)[0]
    documented = set(re.findall(r"^\| \[`([\w-]+)`\]", table, re.M))
    assert "strict" in documented and "selct" not in documented
    assert documented == set(_KEYS), f"keys not in the table: {sorted(set(_KEYS) - documented)}"


def _released_tags() -> set[str]:
    proc = subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True)
    return set(proc.stdout.split()) if proc.returncode == 0 else set()


def test_install_instructions_name_what_exists():
    """No `pip install batchlint` from PyPI and no version tag until a release exists."""
    tags = _released_tags()
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"pip install (batchlint\b(?! @)|'batchlint\[)", text), page.name
        for tag in re.findall(r"(?:rev: |batchlint/batchlint@)(v[\w.]+)", text):
            assert tag in tags, f"{page.name} points at tag {tag}, which does not exist"


def test_evaluation_says_as_many_sets_as_its_table_has():
    text = (ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    said = re.search(r"^(\w+) sets, labelled", text, re.M).group(1).lower()
    table = text.split("| Set | Repositories | Role |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if re.match(r"\| [A-Z] \|", line)]
    numbers = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    assert numbers[said] == len(rows) >= 4


def test_ci_runs_the_readme_test_command_and_the_readme_says_what_else():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"\.venv/bin/python -m pytest ([^\n`]+)", readme).group(1).strip()
    assert f"-m pytest {command}" in ci
    assert "exactly this" not in readme
    for step in ("scripts/sweep.py", "scripts/hostile_sweep.py"):  # what .ci/run does besides
        assert step in ci
    assert "two\nsweeps" in readme or "two sweeps" in readme


def regenerate(page: str, runs: list[Session], folder: Path) -> str:
    """The block's new text: each command's printed output; where the page left lines
    out (`...`), as many first lines as it showed, `...`, and as many last lines."""
    text = []
    for session, printed, _ in run_sample(page, runs, folder):
        doc = session.output
        cut = [i for i, line in enumerate(doc) if line.strip() == "..."]
        if session.command.endswith("--help") or not doc:
            new = printed if doc else []
        elif cut:  # the findings the page chose, where they still are; else the first ones
            tail = len(doc) - cut[-1] - 1
            chosen = {m.groups() for m in map(FINDING.match, doc[:cut[-1]]) if m}
            kept, keeping = [], False
            for line in printed[:len(printed) - tail]:  # a chosen finding with its indented context lines
                if not line[:1].isspace():
                    keeping = bool((m := FINDING.match(line)) and m.groups() in chosen)
                if keeping:
                    kept.append(line)
            new = (kept or printed[:cut[0]]) + ["..."] + (printed[-tail:] if tail else [])
        else:
            new = printed
        comment = re.search(r"\s+#\s.*$", next(line for line in _original_lines(page, session)))
        text.append(f"$ {session.command}{comment.group(0) if comment else ''}")
        text.extend(new)
    return "\n".join(text) + "\n"


def _original_lines(page: str, session: Session):
    for line in (ROOT / page).read_text(encoding="utf-8").splitlines():
        if line.startswith("$ ") and _command(line) == session.command:
            yield line


def main() -> None:
    import tempfile

    for page, runs in SAMPLES:
        spec = RUNS.get((page, runs[0].command))
        if spec is None or spec.skip:
            continue
        path = ROOT / page
        text = path.read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory() as folder:
            block = next(b for b in _BLOCK.findall(text) if sessions(b) == runs)
            new = regenerate(page, runs, Path(folder))
        if new != block:
            path.write_text(text.replace(block, new, 1), encoding="utf-8")
            print(f"rewrote the `{runs[0].command}` sample in {page}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: tests/test_docs_commands.py --write")
    main()

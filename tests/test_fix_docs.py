"""docs/fix.md must keep up with the codemod: every reason the planner can give
for refusing a rewrite is listed there, and so are the options and environment
variables users need to know about."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODEMOD = ROOT / "batchlint" / "codemod"
SOURCES = ("plan.py", "statements.py", "helpers.py", "fixer.py", "replay.py", "replay_fanouts.py")  # every module that makes a Refusal
DOC = ROOT / "docs" / "fix.md"

PREFIX = 25  # characters of each reason looked for in the doc
MIN_CHUNK = 10  # a literal chunk of an f-string shorter than this is not recognisable on its own


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _literal_chunks(node: ast.expr) -> list[str]:
    """The literal text of a string argument, in pieces (an f-string's text between its {fields})."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):  # also implicit concatenations with an f-string
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return []


def refusal_snippets() -> list[tuple[str, str]]:
    """(line, snippet) for every `Refusal(...)` in plan.py: the first 25 characters
    of its reason's text before the first `{`, or, when that is too short to
    recognise (f"`{method}` streams ..."), of its first literal chunk that is not."""
    out = []
    for name in SOURCES:
        tree = ast.parse((CODEMOD / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Refusal"):
                continue
            assert node.args, f"{name}:{node.lineno}: Refusal() without a reason"
            chunks = _literal_chunks(node.args[0])
            assert chunks, f"{name}:{node.lineno}: the reason is not a string literal"
            chunk = next((c for c in chunks if len(c.strip()) >= MIN_CHUNK), max(chunks, key=len))
            out.append((f"{name}:{node.lineno}", _normalize(chunk)[:PREFIX]))
    return sorted(out)


SNIPPETS = refusal_snippets()


def test_plan_has_refusals():
    assert len(SNIPPETS) >= 40


@pytest.mark.parametrize("where, snippet", SNIPPETS, ids=[where for where, _ in SNIPPETS])
def test_every_refusal_reason_is_documented(where, snippet):
    assert snippet in _normalize(DOC.read_text(encoding="utf-8")), (
        f"the refusal at batchlint/codemod/{where} ({snippet!r}...) is not in docs/fix.md")


@pytest.mark.parametrize("text", ["--diff", "--unsafe-fixes", "--files-only", "CLAUDE_BATCH_POLL_SECONDS",
                                  "CLAUDE_BATCH_DEADLINE_SECONDS", "runtime-module"])
def test_doc_mentions(text):
    assert text in DOC.read_text(encoding="utf-8")


def batchlint(folder: Path, *args: str):
    """`batchlint ARGS` in `folder`, through click's test runner in this process."""
    from click.testing import CliRunner

    from batchlint.cli import main

    old = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(main, list(args), prog_name="batchlint")
    finally:
        os.chdir(old)


_EXAMPLE = re.compile(r"<!-- fix-example: (\S+) (before|after) -->\n```python\n(.*?)```", re.S)


def examples() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, which, code in _EXAMPLE.findall(DOC.read_text(encoding="utf-8")):
        out.setdefault(name, {})[which] = code
    return out


def test_the_doc_has_examples_of_each_shape():
    assert sorted(examples()) == ["labels.py", "nightly.py", "routing.py", "titles.py"]


@pytest.mark.parametrize("name", sorted(examples()))
def test_examples_are_what_fix_writes(tmp_path, name):
    """Each "before" is the program in tests/fix_cases/docs/, and `batchlint fix
    --unsafe-fixes --isolated` turns it into the "after", byte for byte."""
    pair = examples()[name]
    source = ROOT / "tests" / "fix_cases" / "docs" / name
    assert pair["before"] == source.read_text(encoding="utf-8")
    (tmp_path / name).write_text(pair["before"], encoding="utf-8")
    proc = batchlint(tmp_path, "fix", "--unsafe-fixes", "--isolated", "--no-cache", name)
    assert proc.exit_code == 0, proc.output
    assert (tmp_path / name).read_text(encoding="utf-8") == pair["after"]
    assert (tmp_path / "_claude_batch.py").is_file()


def test_the_sample_run_is_what_fix_prints(tmp_path):
    """The `$ batchlint fix .` block near the top of docs/fix.md, on the two example
    programs it names; `...` in the doc stands for the rest of a long reason."""
    block = DOC.read_text(encoding="utf-8").split("```text\n$ batchlint fix .\n", 1)[1].split("```", 1)[0]
    for name in ("labels.py", "nightly.py"):
        (tmp_path / name).write_text((ROOT / "tests" / "fix_cases" / "docs" / name).read_text(encoding="utf-8"))
    proc = batchlint(tmp_path, "fix", "--isolated", "--no-cache", ".")
    assert proc.exit_code == 0
    shown, printed = block.splitlines(), proc.output.splitlines()  # `fix` without --diff prints only to stderr
    assert len(shown) == len(printed), printed
    for doc_line, line in zip(shown, printed):
        head, _, tail = doc_line.partition("...")
        assert line.startswith(head) and line.endswith(tail), (doc_line, line)

"""Hostile or odd input (issue 22): valid code, odd names, deep expressions,
hostile YAML and config. Each costs at most the findings of the file it is
in; the run goes on, with one line naming the file, and JSON stays valid.
Every hostile file is generated here, never committed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchlint.cli import main

from helpers import check, triples

LOOP = (
    "import anthropic\n"
    "client = anthropic.Anthropic()\n"
    "def main(rows):\n"
    "    for row in rows:\n"
    "        client.messages.create(model='claude-haiku-4-5', max_tokens=5, messages=[])\n"
)


def cli(tmp_path: Path, *args: str):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, [*args, "--no-cache", "."], catch_exceptions=False)
    finally:
        os.chdir(old)


# ------------------------------------------------------------ valid code, odd names
def test_class_based_on_a_parameter_keeps_the_run(tmp_path):
    factory = "def make(base):\n    class Wrapped(base):\n        pass\n    return Wrapped\n"
    result = check(tmp_path, {"a.py": LOOP + factory, "b.py": LOOP})
    assert triples(result) == [("a.py", 5, "BL101"), ("b.py", 5, "BL101")]


def test_class_based_on_a_parameter_still_resolves_project_bases(tmp_path):
    # the fix must not stop ordinary project bases from resolving
    files = {
        "a.py": LOOP + "class Base:\n    def run(self, rows):\n        main(rows)\n"
                       "class Child(Base):\n    pass\n"
                       "def make(base):\n    class Wrapped(base):\n        pass\n    return Wrapped\n",
    }
    result = check(tmp_path, files)
    from batchlint.analysis.project import Project
    from batchlint.discovery import read_source
    from batchlint.parsing import parse_file

    source, _ = read_source(str(tmp_path / "a.py"))
    project = Project([parse_file(source)[0]])
    assert project.subclasses[f"{source.module}.Base"] == [f"{source.module}.Child"]
    assert triples(result) == [("a.py", 5, "BL101")]


@pytest.mark.parametrize("name", ["script (1).py", "x(1).py", "x)(.py", "plain.py"])
def test_parentheses_in_a_file_name_keep_its_findings(tmp_path, name):
    result = check(tmp_path, {name: LOOP, "other.py": LOOP})
    assert triples(result) == sorted([(name, 5, "BL101"), ("other.py", 5, "BL101")])


def test_parentheses_in_a_package_folder_keep_its_findings(tmp_path):
    files = {"pkg (copy)/__init__.py": "", "pkg (copy)/job.py": LOOP}
    assert triples(check(tmp_path, files)) == [("pkg (copy)/job.py", 5, "BL101")]


# ------------------------------------------------------------ deep expressions and the rewrite planner
CHAIN = "X = " + " + ".join(["1"] * 400) + "\n"
DEEP = {"chain": CHAIN, "unary": "X = " + "-" * 600 + "1\n", "attribute": "X = a" + ".b" * 600 + "\n"}


@pytest.mark.parametrize("tail", DEEP.values(), ids=DEEP.keys())
@pytest.mark.parametrize("args", [("fix", "--diff"), ("check", "--format", "json"), ("check", "--format", "sarif"),
                                  ("check", "--show-context")], ids=["fix", "json", "sarif", "context"])
def test_deep_expression_leaves_its_file_unfixed_and_the_run_goes_on(tmp_path, args, tail):
    (tmp_path / "deep.py").write_text(LOOP + tail)
    (tmp_path / "good.py").write_text(LOOP)
    result = cli(tmp_path, *args)
    assert "Traceback" not in result.output
    if args[0] == "fix":
        assert result.exit_code == 1  # --diff with something to fix
        assert "deep.py:5:9: BL101 not fixed: too deeply nested to rewrite" in result.stderr
        assert "+++ b/good.py" in result.stdout and "deep.py" not in result.stdout
    elif args[-1] in ("json", "sarif"):
        data = json.loads(result.stdout)
        if args[-1] == "json":
            fixes = {f["path"]: f["fix"] for f in data["findings"]}
            assert fixes["good.py"]["fixable"] is True
            assert fixes["deep.py"] == {"fixable": False, "reason": "too deeply nested to rewrite (RecursionError); left as it is"}
    else:
        assert "fix: not fixable: too deeply nested to rewrite" in result.stdout
        assert "fix: fixable:" in result.stdout


# ------------------------------------------------------------ one file's trouble costs that file only
def _raise_for_bad(original, path_of):
    """`original`, raising for the file bad.py (whose path `path_of(args)` gives)."""
    def patched(*args, **kwargs):
        if os.path.basename(str(path_of(*args, **kwargs))) == "bad.py":
            raise ValueError("boom")
        return original(*args, **kwargs)
    return patched


def _stage_patches(monkeypatch, stage: str) -> None:
    from batchlint import parsing, suppression
    from batchlint.analysis import chains, project

    if stage == "index":
        monkeypatch.setattr(parsing, "index_module", _raise_for_bad(parsing.index_module, lambda tree, path, *a, **k: path))
    elif stage == "project":
        original = project.Project._build_graph
        monkeypatch.setattr(project.Project, "_build_graph", _raise_for_bad(
            original, lambda self, **k: "bad.py" if any(f.path.endswith("bad.py") for f in self.files) else ""))
    elif stage == "classify":
        original = chains.ChainWalker.chains
        monkeypatch.setattr(chains.ChainWalker, "chains", _raise_for_bad(original, lambda self, site, path: path))
    elif stage == "estimate":
        monkeypatch.setattr(chains, "_usage", _raise_for_bad(chains._usage, lambda verdict, site, path, pragmas: path))
    elif stage == "suppress":
        monkeypatch.setattr(suppression, "realtime_suppression",
                            _raise_for_bad(suppression.realtime_suppression, lambda facts, finding: finding.path))


STAGES = {"index": "index", "project": "resolve its names across files", "classify": "classify its Claude calls",
          "estimate": "estimate the cost", "suppress": "read its suppression comments"}


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_failing_on_one_file_costs_that_file_only(tmp_path, monkeypatch, stage, jobs):
    _stage_patches(monkeypatch, stage)
    files = {"bad.py": LOOP, **{f"good{i}.py": LOOP for i in range(4)}}
    from helpers import write

    write(tmp_path, files)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        from batchlint import check_paths
        from batchlint.config import Config

        result = check_paths(["."], Config(root=str(tmp_path)), jobs=jobs)
    finally:
        os.chdir(old)
    assert triples(result) == [(f"good{i}.py", 5, "BL101") for i in range(4)]
    assert [(e.path, e.code) for e in result.errors] == [("bad.py", "BL003")]
    assert "boom" in result.errors[0].message
    if stage != "index":
        assert STAGES[stage] in result.errors[0].message


def test_a_stage_failure_is_one_line_and_exit_1(tmp_path, monkeypatch):
    _stage_patches(monkeypatch, "classify")
    (tmp_path / "bad.py").write_text(LOOP)
    (tmp_path / "good.py").write_text(LOOP)
    result = cli(tmp_path, "check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "bad.py:1:1: BL003 internal error while trying to classify its Claude calls" in result.stdout
    assert "good.py:5:9: BL101" in result.stdout


def test_keyboard_interrupt_still_ends_the_run(tmp_path, monkeypatch):
    from batchlint.analysis import chains

    def interrupted(self, site, path):
        raise KeyboardInterrupt
    monkeypatch.setattr(chains.ChainWalker, "chains", interrupted)
    with pytest.raises(KeyboardInterrupt):
        check(tmp_path, {"good.py": LOOP})


def test_planner_failing_on_one_file_leaves_it_unfixed(tmp_path, monkeypatch):
    from batchlint.codemod import plan

    original = plan.Planner.plan

    def patched(self, *args, **kwargs):
        if "BAD" in self.module.code:
            raise ValueError("boom")
        return original(self, *args, **kwargs)
    monkeypatch.setattr(plan.Planner, "plan", patched)
    (tmp_path / "bad.py").write_text(LOOP + "# BAD\n")
    (tmp_path / "good.py").write_text(LOOP)
    result = cli(tmp_path, "fix", "--diff")
    assert "Traceback" not in result.output
    assert "bad.py:5:9: BL101 not fixed: internal error while planning the rewrite (ValueError: boom)" in result.stderr
    assert "+++ b/good.py" in result.stdout and "bad.py" not in result.stdout

"""flake8 front end: same findings for a file as `batchlint check` of that file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from batchlint import check_paths, check_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

SOURCE = '''import anthropic

client = anthropic.Anthropic()


def label_all(rows):
    return [client.messages.create(model="m", max_tokens=5, messages=[]) for row in rows]


def label_quiet(rows):
    return [client.messages.create(model="m", max_tokens=5, messages=[]) for row in rows]  # noqa: BL101
'''


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8", "--select", "BL", *args], cwd=cwd, capture_output=True, text=True)


def test_flake8_reports_what_check_reports_for_a_file(tmp_path):
    (tmp_path / "jobs.py").write_text(SOURCE)
    proc = flake8("jobs.py", cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 1  # flake8's own noqa handling drops line 11
    assert lines[0].startswith("jobs.py:7:13: BL101 ")
    single = check_source(SOURCE, "jobs.py")
    assert [(f.line, f.column, f.code) for f in single.findings] == [(7, 13, "BL101")]


def test_flake8_disable_noqa_shows_suppressed(tmp_path):
    (tmp_path / "jobs.py").write_text(SOURCE)
    proc = flake8("--disable-noqa", "jobs.py", cwd=tmp_path)
    assert len(proc.stdout.splitlines()) == 2


def test_flake8_on_fixture_files_matches_check_of_that_file():
    old = os.getcwd()
    os.chdir(FIXTURES)
    try:
        for rel in ("dags/ticket_enrichment.py", "acme_support/jobs/compliance.py", "acme_support/web/api.py"):
            proc = flake8(rel, cwd=FIXTURES)
            got = sorted((int(l.split(":")[1]), l.split(" ")[1]) for l in proc.stdout.splitlines())
            checked = check_paths([rel])
            assert got == sorted((f.line, f.code) for f in checked.findings), rel
            alone = check_source((FIXTURES / rel).read_text(), rel, apply_noqa=False)
            if rel == "dags/ticket_enrichment.py":  # the project view sees more than the file alone
                assert len(got) > len(alone.findings)
    finally:
        os.chdir(old)


def test_file_without_the_sdk_is_not_parsed(monkeypatch):
    import batchlint.flake8_plugin as plugin

    def boom(*a, **k):
        raise AssertionError("LibCST work on a file that cannot matter")

    monkeypatch.setattr(plugin, "check_source", boom)
    assert list(plugin.Plugin(None, ["x = 1\n"], "plain.py").run()) == []


def test_one_file_is_answered_as_its_view_and_a_second_from_the_whole_project(tmp_path, monkeypatch):
    """flake8 on one file of a project decodes that file's findings only (the
    warm run of an editor or a pre-commit hook); a second file of the same
    project in the same process reads the whole result once, for it and
    every later file. Each file gets what `batchlint check FILE` reports."""
    from batchlint import flake8_plugin as plugin
    from batchlint.config import Config

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "a.py").write_text(SOURCE)
    (tmp_path / "b.py").write_text(SOURCE.replace("label_all", "tag_all"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plugin, "_projects", {})
    monkeypatch.setattr(plugin, "_viewed", set())
    calls = []
    real = plugin.check_paths
    monkeypatch.setattr(plugin, "check_paths", lambda paths, config, **kw: calls.append(kw["whole"]) or real(paths, config, **kw))
    config = Config()
    first = plugin._project_findings("a.py", SOURCE, config)
    second = plugin._project_findings("b.py", SOURCE.replace("label_all", "tag_all"), config)
    third = plugin._project_findings("a.py", SOURCE, config)
    assert calls == [False, True]  # the third file came from the whole result, no new run
    expected = [(f.line, f.code) for f in check_paths(["a.py"], config).findings]
    assert [(f.line, f.code) for f in first if f.line != 11] == expected == [(7, "BL101")]
    assert [(f.line, f.code) for f in second] == [(f.line, f.code) for f in third] == [(7, "BL101"), (11, "BL101")]

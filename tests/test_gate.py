"""Review-time policy: realtime pragmas, --strict, money gate, baselines, --diff-base."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchlint.cli import main

from helpers import write

LOOP = """
import anthropic

client = anthropic.Anthropic()


def label_all(rows):
    for row in rows:
        client.messages.create(model="claude-haiku-4-5", max_tokens=20, messages=[{"role": "user", "content": row}]){pragma}
"""


def run(root: Path, *args: str):
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, ["check", "--no-cache", "-j", "1", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_realtime_pragma_with_reason_suppresses_and_is_listed(tmp_path):
    write(tmp_path, {"jobs.py": LOOP.replace("{pragma}", "  # batchlint: realtime -- the support agent waits for each label")})
    result = run(tmp_path, ".")
    assert result.exit_code == 0 and "1 suppressed" in result.output
    shown = run(tmp_path, "--show-suppressed", ".").output
    assert "BL101 (suppressed, realtime: the support agent waits for each label)" in shown


def test_realtime_pragma_without_reason_is_reported(tmp_path):
    write(tmp_path, {"jobs.py": LOOP.replace("{pragma}", "  # batchlint: realtime")})
    out = run(tmp_path, ".").output
    assert "jobs.py:8:1: BL010" in out and "BL101" in out


def test_strict_requires_an_answer_for_unclassified_calls(tmp_path):
    write(tmp_path, {
        "lib.py": """
            import anthropic
            client = anthropic.Anthropic()

            def ask(prompt):
                return client.messages.create(model="m", max_tokens=5, messages=[prompt])
        """,
        "web.py": """
            import anthropic
            from flask import Flask
            app = Flask(__name__)
            client = anthropic.Anthropic()

            @app.get("/q")
            def q():
                return client.messages.create(model="m", max_tokens=5, messages=[])
        """,
        "declared.py": """
            import anthropic
            client = anthropic.Anthropic()

            def preview(text):
                return client.messages.create(model="m", max_tokens=5, messages=[text])  # batchlint: realtime -- editor preview pane
        """,
    })
    assert run(tmp_path, ".").exit_code == 0  # without --strict, nothing to say
    strict = run(tmp_path, "--strict", ".")
    assert strict.exit_code == 1
    assert [line.split(" ")[:2] for line in strict.output.splitlines()[:-1]] == [["lib.py:5:12:", "BL110"]]
    write(tmp_path, {"pyproject.toml": "[tool.batchlint]\nstrict = true\n"})
    assert "BL110" in run(tmp_path, ".").output


def test_fail_under_savings(tmp_path):
    write(tmp_path, {"jobs.py": LOOP.replace("{pragma}", "")})
    assert run(tmp_path, "--fail-under-savings", "1000", ".").exit_code == 0
    assert run(tmp_path, "--fail-under-savings", "0", ".").exit_code == 1


def test_baseline_round_trip_survives_unrelated_edits(tmp_path):
    write(tmp_path, {"jobs.py": LOOP.replace("{pragma}", "")})
    recorded = run(tmp_path, "--write-baseline", "batchlint-baseline.json", ".")
    assert recorded.exit_code == 0 and "Recorded 1 findings" in recorded.stderr
    assert run(tmp_path, "--baseline", "batchlint-baseline.json", ".").exit_code == 0
    # an unrelated edit moves the finding down three lines: still known
    shifted = LOOP.replace("{pragma}", "").replace("import anthropic\n", "import anthropic\nimport os\nimport sys\nimport json\n")
    write(tmp_path, {"jobs.py": shifted})
    assert run(tmp_path, "--baseline", "batchlint-baseline.json", ".").exit_code == 0
    # a new candidate is reported
    write(tmp_path, {"more.py": LOOP.replace("{pragma}", "")})
    new = run(tmp_path, "--baseline", "batchlint-baseline.json", ".")
    assert new.exit_code == 1 and new.output.startswith("more.py:8:")
    assert run(tmp_path, "--baseline", "missing.json", ".").exit_code == 2


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def test_diff_base_reports_only_what_the_change_touches(tmp_path):
    old_job = LOOP.replace("{pragma}", "")
    write(tmp_path, {
        "old.py": old_job,
        "tasks.py": """
            import anthropic
            client = anthropic.Anthropic()

            def digest():
                return client.messages.create(model="m", max_tokens=5, messages=[])
        """,
    })
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    # the change: a new loop, and a decorator that turns digest() into a Celery task
    write(tmp_path, {
        "new.py": LOOP.replace("{pragma}", ""),
        "tasks.py": """
            import anthropic
            from celery import shared_task
            client = anthropic.Anthropic()

            @shared_task
            def digest():
                return client.messages.create(model="m", max_tokens=5, messages=[])
        """,
    })
    full = run(tmp_path, ".").output
    assert "old.py:8" in full and "new.py:8" in full and "tasks.py:7" in full
    changed = run(tmp_path, "--diff-base", "HEAD", ".")
    lines = changed.output.splitlines()[:-1]
    assert sorted(line.split(":")[0] for line in lines) == ["new.py", "tasks.py"]  # the decorator change counts
    markdown = run(tmp_path, "--diff-base", "HEAD", "--format", "markdown", ".").output
    assert "This change adds **2 synchronous Claude calls nobody waits on**" in markdown
    assert run(tmp_path, "--diff-base", "no-such-ref", ".").exit_code == 2


def test_diff_base_is_only_ever_a_revision_to_git(tmp_path):
    write(tmp_path, {"jobs.py": LOOP.replace("{pragma}", "")})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    write(tmp_path, {"new.py": LOOP.replace("{pragma}", "")})
    # a revision, however spelled, still works
    for ref in ("HEAD", "HEAD~0", "HEAD^{commit}"):
        ok = run(tmp_path, "--diff-base", ref, ".")
        assert ok.exit_code == 1 and "new.py:8" in ok.output and "jobs.py" not in ok.output
    # an option in disguise: a clear error, exit 2, and git writes nothing
    for hostile in ("--output=stolen.txt", "-ostolen.txt", "--output=../stolen.txt", "--help"):
        refused = run(tmp_path, f"--diff-base={hostile}", ".")
        assert refused.exit_code == 2 and "not a git revision" in refused.output
        assert not (tmp_path / "stolen.txt").exists() and not (tmp_path.parent / "stolen.txt").exists()
    # an unknown name: told so, exit 2
    assert run(tmp_path, "--diff-base", "no-such-ref", ".").exit_code == 2
    assert "not a commit" in run(tmp_path, "--diff-base", "no-such-ref", ".").output


@pytest.mark.skipif(os.name == "nt", reason="POSIX links and modes")
def test_write_baseline_never_writes_through_a_planted_link(tmp_path):
    write(tmp_path, {"jobs.py": LOOP.replace("{pragma}", "")})
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("keep me\n")
    (tmp_path / "batchlint-baseline.json.tmp").symlink_to(outside)  # committed by a pull request
    recorded = run(tmp_path, "--write-baseline", "batchlint-baseline.json", ".")
    assert recorded.exit_code == 0 and "Recorded 1 findings" in recorded.output
    assert outside.read_text() == "keep me\n"
    baseline = tmp_path / "batchlint-baseline.json"
    assert '"fingerprint"' in baseline.read_text() and baseline.stat().st_mode & 0o644 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batchlint-baseline.json", "batchlint-baseline.json.tmp", "jobs.py"]

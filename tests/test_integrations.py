"""End-to-end: the pre-commit hook through `pre-commit try-repo`, and the
commands the GitHub Action runs."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

CANDIDATE = 'import anthropic\nc = anthropic.Anthropic()\n\ndef f(rows):\n    for r in rows:\n        c.messages.create(model="m", max_tokens=1, messages=[r])\n'


def git_repo(path: Path, files: dict[str, str]) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    for name, text in files.items():
        (path / name).write_text(text)
    subprocess.run(["git", "add", "."], cwd=path, check=True)
    subprocess.run(["git", "commit", "-qm", "x"], cwd=path, check=True, env=env)


def try_repo(path: Path, home: Path, hook: str = "batchlint") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files"],
        cwd=path, capture_output=True, text=True, env={**os.environ, "PRE_COMMIT_HOME": str(home)}, timeout=600,
    )


def test_pre_commit_hook_through_try_repo(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["batchlint", "batchlint-fix"]
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    good.mkdir()
    git_repo(bad, {"jobs.py": CANDIDATE})
    git_repo(good, {"web.py": "x = 1\n"})
    failing = try_repo(bad, tmp_path / "home")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "jobs.py:6:9: BL101" in failing.stdout
    passing = try_repo(good, tmp_path / "home")
    assert passing.returncode == 0, passing.stdout + passing.stderr


SCRIPT = ('import anthropic\nc = anthropic.Anthropic()\n\nif __name__ == "__main__":\n    for r in ["a", "b"]:\n'
          '        reply = c.messages.create(model="m", max_tokens=1, messages=[r])\n        print(reply)\n')


def try_staged(path: Path, home: Path) -> subprocess.CompletedProcess:
    """The fix hook on the staged files, as on a commit."""
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "batchlint-fix"], cwd=path,
                          capture_output=True, text=True, env={**os.environ, "PRE_COMMIT_HOME": str(home)}, timeout=600)


def test_fix_hook_applies_safe_fixes_to_the_committed_files_only(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git_repo(repo, {"script.py": SCRIPT, "other.py": SCRIPT, "jobs.py": CANDIDATE, "web.py": "x = 1\n"})
    (repo / "script.py").write_text(SCRIPT + "# touched\n")
    (repo / "jobs.py").write_text(CANDIDATE + "# touched\n")
    subprocess.run(["git", "add", "script.py", "jobs.py"], cwd=repo, check=True)
    first = try_staged(repo, tmp_path / "home")
    # pre-commit fails a hook that changed files, so the rewrite gets reviewed and staged
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    rewritten = (repo / "script.py").read_text()
    assert "batch.add(" in rewritten and "import _claude_batch" in rewritten
    assert (repo / "_claude_batch.py").is_file()
    assert (repo / "other.py").read_text() == SCRIPT  # not being committed: left alone
    assert (repo / "jobs.py").read_text() == CANDIDATE + "# touched\n"  # an unsafe fix: listed, not applied
    assert "jobs.py:6:9: BL101 unsafe fix not applied" in first.stdout
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    second = try_staged(repo, tmp_path / "home")
    assert second.returncode == 0, second.stdout + second.stderr
    assert (repo / "script.py").read_text() == rewritten
    assert (repo / "jobs.py").read_text() == CANDIDATE + "# touched\n"


def test_action_runs_valid_batchlint_commands(tmp_path):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    commands = [step["run"] for step in action["runs"]["steps"] if step.get("run", "").startswith("batchlint ")]
    assert len(commands) == 2
    (tmp_path / "jobs.py").write_text(CANDIDATE)
    substitutions = {"${{ inputs.args }}": "--no-cache", "${{ inputs.paths }}": ".",
                     "${{ inputs.fail != 'true' && '--exit-zero' || '' }}": ""}
    outcomes = []
    for command in commands:
        for key, value in substitutions.items():
            command = command.replace(key, value)
        argv = [sys.executable, "-m", "batchlint", *shlex.split(command)[1:]]
        outcomes.append(subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True))
    sarif_step, github_step = outcomes
    assert sarif_step.returncode == 0  # --exit-zero: the upload step must still run
    sarif = json.loads((tmp_path / "batchlint.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "BL101"
    assert github_step.returncode == 1 and github_step.stdout.startswith("::warning file=jobs.py,line=6")

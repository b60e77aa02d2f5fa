"""End-to-end: both pre-commit hooks through `pre-commit run` on a copy of
this checkout, and the commands the GitHub Action runs."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
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


def hook_source(folder: Path) -> tuple[str, str]:
    """This checkout as pre-commit would fetch it, in one commit of a repository
    of its own: the tracked and untracked (not ignored) files as they are now,
    as `pre-commit try-repo` would take them. (repo path, commit)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    files = {}
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            files[name] = source
    for name, source in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, folder / name)
    git_repo(folder, {})
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True)
    return str(folder), head.stdout.strip()


def pre_commit(path: Path, source: tuple[str, str], home: Path, hook: str, all_files: bool) -> subprocess.CompletedProcess:
    """`pre-commit run HOOK` in `path` with a configuration naming this checkout
    at a fixed commit: every run shares one hook environment in `home`, which
    `try-repo` (a fresh copy, so a fresh install, per call) cannot."""
    config = home.parent / "pre-commit-config.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": source[0], "rev": source[1],
                                                 "hooks": [{"id": "batchlint"}, {"id": "batchlint-fix"}]}]}))
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "-c", str(config), hook, *(["--all-files"] if all_files else [])],
        cwd=path, capture_output=True, text=True, env={**os.environ, "PRE_COMMIT_HOME": str(home)}, timeout=600,
    )


SCRIPT = ('import anthropic\nc = anthropic.Anthropic()\n\nif __name__ == "__main__":\n    for r in ["a", "b"]:\n'
          '        reply = c.messages.create(model="m", max_tokens=1, messages=[r])\n        print(reply)\n')


def test_both_hooks_through_pre_commit(tmp_path):
    """One test, so that the hook environment pre-commit builds (a venv with
    batchlint installed: most of the time) is built once for both hooks."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["batchlint", "batchlint-fix"]
    (tmp_path / "source").mkdir()
    source, home = hook_source(tmp_path / "source"), tmp_path / "home"

    # the check hook: the whole project, findings fail the commit
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    good.mkdir()
    git_repo(bad, {"jobs.py": CANDIDATE})
    git_repo(good, {"web.py": "x = 1\n"})
    failing = pre_commit(bad, source, home, "batchlint", all_files=True)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "jobs.py:6:9: BL101" in failing.stdout
    passing = pre_commit(good, source, home, "batchlint", all_files=True)
    assert passing.returncode == 0, passing.stdout + passing.stderr

    # the fix hook: safe fixes in the committed files only
    repo = tmp_path / "repo"
    repo.mkdir()
    git_repo(repo, {"script.py": SCRIPT, "other.py": SCRIPT, "jobs.py": CANDIDATE, "web.py": "x = 1\n"})
    (repo / "script.py").write_text(SCRIPT + "# touched\n")
    (repo / "jobs.py").write_text(CANDIDATE + "# touched\n")
    subprocess.run(["git", "add", "script.py", "jobs.py"], cwd=repo, check=True)
    first = pre_commit(repo, source, home, "batchlint-fix", all_files=False)
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
    second = pre_commit(repo, source, home, "batchlint-fix", all_files=False)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (repo / "script.py").read_text() == rewritten
    assert (repo / "jobs.py").read_text() == CANDIDATE + "# touched\n"
    assert len(list((home).glob("repo*"))) == 1  # one hook environment for all four runs


ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def run_step(step: dict, inputs: dict[str, str], cwd: Path, stub: str) -> subprocess.CompletedProcess:
    """Run an action step's script as the runner would: its env values with
    the inputs put in (the only place they may appear), in bash, with
    `python` and a `batchlint` stub (shell text `stub`) first on PATH."""
    bin_dir = cwd.parent / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python").unlink(missing_ok=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "batchlint").write_text(f"#!/bin/sh\n{stub}\n")
    (bin_dir / "batchlint").chmod(0o755)
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values = {**defaults, **inputs}
    env = {name: INPUT.sub(lambda m: values[m.group(1)], str(value)) for name, value in step.get("env", {}).items()}
    temp = cwd.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, **env, "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(temp),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True, check=False)


needs_bash = pytest.mark.skipif(os.name == "nt" or shutil.which("bash") is None, reason="runs the steps in bash, as ubuntu runners do")


def batchlint_steps() -> list[dict]:
    return [step for step in ACTION["runs"]["steps"] if "action_run.py" in step.get("run", "")]


def test_action_never_pastes_inputs_into_a_shell_line():
    runs = [step["run"] for step in ACTION["runs"]["steps"] if "run" in step]
    assert runs and not [run for run in runs if "${{" in run]
    assert len(batchlint_steps()) == 2


@needs_bash
def test_action_runs_valid_batchlint_commands(tmp_path):
    assert ACTION["runs"]["using"] == "composite"
    work = tmp_path / "work"
    work.mkdir()
    (work / "jobs.py").write_text(CANDIDATE)
    real = f'exec "{sys.executable}" -m batchlint "$@"'
    sarif_step, github_step = [run_step(step, {}, work, real) for step in batchlint_steps()]
    assert sarif_step.returncode == 0, sarif_step.stderr  # --exit-zero: the upload step must still run
    # the report and the cache outside the checkout, where a pull request cannot plant either
    assert sorted(p.name for p in work.iterdir()) == ["jobs.py"]
    assert (tmp_path / "runner-temp" / "batchlint-cache" / ".gitignore").exists()
    sarif = json.loads((tmp_path / "runner-temp" / "batchlint.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "BL101"
    assert github_step.returncode == 1 and github_step.stdout.startswith("::warning file=jobs.py,line=6")
    relaxed = run_step(batchlint_steps()[1], {"args": "--no-cache", "fail": "false"}, work, real)
    assert sorted(p.name for p in work.iterdir()) == ["jobs.py"]
    assert relaxed.returncode == 0 and relaxed.stdout.startswith("::warning file=jobs.py,line=6")


@needs_bash
def test_action_inputs_are_words_never_shell(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    record = 'for a in "$@"; do printf "%s\\0" "$a"; done > argv.bin'
    hostile = {"args": "--baseline 'my baseline.json' $(touch pwned1) ; touch pwned2 `touch pwned3`",
               "paths": "'src dir' -rf \"$HOME\" *"}
    for step in batchlint_steps():
        done = run_step(step, hostile, work, record)
        assert done.returncode == 0, done.stderr
        argv = (work / "argv.bin").read_bytes().split(b"\0")[:-1]
        fixed = shlex.split(step["run"].replace("$RUNNER_TEMP", str(tmp_path / "runner-temp")))[2:]  # python .../action_run.py <fixed>
        assert [a.decode() for a in argv] == [
            *fixed, "--baseline", "my baseline.json", "$(touch", "pwned1)", ";", "touch", "pwned2", "`touch", "pwned3`",
            "--", "src dir", "-rf", "$HOME", "*"]
        assert not [p.name for p in work.iterdir() if p.name.startswith("pwned")]
    broken = run_step(batchlint_steps()[0], {"args": "--baseline 'unclosed"}, work, "exit 0")
    assert broken.returncode == 2 and "input `args`" in broken.stderr

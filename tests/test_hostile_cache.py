"""A cache folder that comes from a pull request (issue 22): links out of the
tree, entries damaged, copied or forged. Nothing outside the tree is read,
written or removed, nothing crashes, and results equal a run without cache.
Every hostile entry is generated here; none is committed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchlint import cache as cache_module
from batchlint import check_paths
from batchlint.cli import main
from batchlint.config import Config

from helpers import write

needs_links = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symbolic links")

PROJECT = {
    "llm.py": """
        import anthropic
        client = anthropic.Anthropic()

        def ask(prompt):
            return client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])
    """,
    "jobs.py": """
        from llm import ask

        def label(rows):
            return [ask(r) for r in rows]
    """,
    "nightly.py": "from llm import ask\n\nfor row in open('rows.txt'):\n    ask(row)\n",
    ".github/workflows/nightly.yml": "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  run:\n    steps:\n      - run: python nightly.py\n",
}


def run(root: Path, cache_dir: str | None = None):
    old = os.getcwd()
    os.chdir(root)
    try:
        return check_paths(["."], Config(root=str(root)), cache_dir=cache_dir)
    finally:
        os.chdir(old)


def snapshot(folder: Path) -> dict:
    """Every name below `folder` with its bytes (or link target) and mtime."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        body = os.readlink(path) if path.is_symlink() else (path.read_bytes() if path.is_file() else None)
        out[str(path.relative_to(folder))] = (body, st.st_mtime_ns)
    return out


@pytest.fixture
def tree(tmp_path):
    """(project root, a decoy folder outside it holding JSON files a link could reach)."""
    root = tmp_path / "repo"
    write(root, PROJECT)
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "credentials.json").write_text('{"token": "secret"}')
    (decoy / "other.json").write_text("[]")
    return root, decoy


# --------------------------------------------------------------- links
def _kind_folder(kind: str, cache: str) -> str:
    return {"facts": cache_module.facts_folder, "runs": cache_module.runs_folder,
            "schedules": cache_module.schedules_folder}[kind](cache)


@needs_links
@pytest.mark.parametrize("kind", ["facts", "runs", "schedules"])
def test_a_cache_folder_linked_out_of_the_tree_is_not_used(tree, kind):
    root, decoy = tree
    expected = run(root)
    cache = str(root / ".batchlint_cache")
    os.makedirs(cache)
    os.symlink(decoy, _kind_folder(kind, cache))
    before = snapshot(decoy)
    for _ in range(2):  # and again: nothing was stored that a second run could use
        result = run(root, cache)
        assert result.findings == expected.findings and result.errors == expected.errors
        (notice,) = result.notices
        assert "not used" in notice and os.path.basename(_kind_folder(kind, cache)) in notice
    assert snapshot(decoy) == before  # credentials.json is still there, nothing written
    assert sorted(os.listdir(cache)) == [os.path.basename(_kind_folder(kind, cache))]


def test_a_plain_cache_is_used_without_a_notice(tree):
    root, _ = tree
    cache = str(root / ".batchlint_cache")
    cold = run(root, cache)
    assert cold.notices == () and os.path.isfile(os.path.join(cache, ".gitignore"))
    assert list(Path(cache).glob("facts-*/*.json")) and list(Path(cache).glob("runs-*/*.json"))
    assert run(root, cache) == cold


@needs_links
def test_a_dangling_gitignore_link_is_not_created_through(tree):
    root, decoy = tree
    cache = root / ".batchlint_cache"
    cache.mkdir()
    os.symlink(decoy / "planted", cache / ".gitignore")
    expected = run(root)
    result = run(root, str(cache))
    assert result.findings == expected.findings
    (notice,) = result.notices
    assert ".gitignore" in notice
    assert not (decoy / "planted").exists()
    assert os.listdir(cache) == [".gitignore"]  # nothing else written beside the link


@needs_links
def test_a_cache_directory_that_is_a_link_is_not_used(tree):
    root, decoy = tree
    os.symlink(decoy, root / ".batchlint_cache")
    before = snapshot(decoy)
    result = run(root, str(root / ".batchlint_cache"))
    assert result.findings == run(root).findings
    assert len(result.notices) == 1 and ".batchlint_cache" in result.notices[0]
    assert snapshot(decoy) == before


@needs_links
@pytest.mark.parametrize("kind", ["facts", "runs", "schedules"])
def test_an_entry_linked_out_of_the_tree_is_neither_read_nor_touched(tree, kind):
    root, decoy = tree
    cache = str(root / ".batchlint_cache")
    expected = run(root)
    run(root, cache)
    folder = Path(_kind_folder(kind, cache))
    entry = next(folder.glob("*.json"))
    target = decoy / "credentials.json"
    entry.unlink()
    os.symlink(target, entry)
    (decoy / "planted.json").symlink_to(target)  # decoy links are not ours to remove either
    before = snapshot(decoy)
    for stale in Path(cache).glob("runs-*/*.json"):
        if stale != entry:
            stale.unlink()
    result = run(root, cache)
    assert result.findings == expected.findings
    (notice,) = result.notices
    assert entry.name in notice
    assert snapshot(decoy) == before and entry.is_symlink()


@needs_links
def test_clean_never_follows_a_link(tree):
    root, decoy = tree
    runner = CliRunner()
    cache = root / ".batchlint_cache"
    (decoy / ".gitignore").write_text("*\n")
    os.symlink(decoy, cache)
    old = os.getcwd()
    os.chdir(root)
    try:
        linked = runner.invoke(main, ["clean", "--cache-dir", str(cache)])
        assert linked.exit_code == 0 and "symbolic link" in linked.output
        assert (decoy / "credentials.json").exists() and cache.is_symlink()
        cache.unlink()
        # a real cache holding a link: the link goes, what it points to stays
        assert run(root, str(cache)).notices == ()
        os.symlink(decoy, cache / "facts-planted")
        cleaned = runner.invoke(main, ["clean", "--cache-dir", str(cache)])
        assert "Removed" in cleaned.output and not os.path.lexists(cache)
        assert (decoy / "credentials.json").read_text() == '{"token": "secret"}'
    finally:
        os.chdir(old)


@needs_links
def test_the_cli_prints_one_notice_and_goes_on(tree):
    root, decoy = tree
    cache = root / ".batchlint_cache"
    cache.mkdir()
    os.symlink(decoy, _kind_folder("runs", str(cache)))
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", "-j", "1", "."])
    finally:
        os.chdir(old)
    assert result.exit_code == 1 and "jobs.py:4" in result.stdout
    assert [line for line in result.stderr.splitlines() if "cache" in line] == [result.stderr.strip()]
    assert "not used" in result.stderr and "Traceback" not in result.stderr

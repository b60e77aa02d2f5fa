"""`fix` against concurrent writers, swapped files, interrupted runs and
line endings (issue 22; batchlint/codemod/files.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchlint.cli import main
from batchlint.codemod import files

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOOP = ("import anthropic\nc = anthropic.Anthropic()\ndef f(rows):\n    for r in rows:\n"
        "        c.messages.create(model='m', max_tokens=1, messages=[r])\n")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
needs_flock = pytest.mark.skipif(fcntl is None, reason="needs fcntl.flock")


def fix(root: Path, *args: str):
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, ["fix", "--unsafe-fixes", "--isolated", "--no-cache", "-j", "1", *args, "."],
                                  catch_exceptions=False)
    finally:
        os.chdir(old)


def job(tmp_path: Path, data: bytes = LOOP.encode()) -> Path:
    path = tmp_path / "job.py"
    path.write_bytes(data)
    return path


def opened_paths(monkeypatch) -> list[str]:
    seen: list[str] = []
    real_open = files.os.open

    def spy(path, flags, *args):
        seen.append(os.fspath(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(files.os, "open", spy)
    return seen


# ------------------------------------------------------- not a regular file
@needs_fifo
def test_a_fifo_swapped_in_after_reading_is_never_opened(tmp_path, monkeypatch):
    path = job(tmp_path)
    original = files.read(str(path))
    path.unlink()
    os.mkfifo(path)  # nobody ever writes to it: opening it for reading would block
    seen = opened_paths(monkeypatch)
    with pytest.raises(files.WriteError, match="not a regular file"):
        files.write_atomic(original, b"x = 1\n")
    assert str(path) not in seen
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["job.py"]  # no temporary file left


@needs_fifo
def test_a_fifo_is_not_opened_to_be_read_either(tmp_path, monkeypatch):
    os.mkfifo(tmp_path / "pipe.py")
    seen = opened_paths(monkeypatch)
    with pytest.raises(files.WriteError, match="pipe.py: not a regular file"):
        files.read(str(tmp_path / "pipe.py"))
    assert seen == []
    assert files.read(str(job(tmp_path))).data == LOOP.encode()  # a regular file is read


@needs_fifo
def test_a_fifo_swapped_in_between_the_check_and_the_open_is_refused_without_blocking(tmp_path, monkeypatch):
    path = job(tmp_path)
    original = files.read(str(path))
    regular = os.lstat(path)
    path.unlink()
    os.mkfifo(path)
    # the swap lands between lstat and open: O_NONBLOCK opens the FIFO at once, fstat refuses it
    monkeypatch.setattr(files.os, "lstat", lambda p: regular)
    with pytest.raises(files.WriteError, match="not a regular file"):
        files.write_atomic(original, b"x = 1\n")
    assert stat.S_ISFIFO(os.stat(path).st_mode)


def test_a_symlink_swapped_in_for_the_file_is_not_followed(tmp_path):
    path = job(tmp_path)
    original = files.read(str(path))
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_bytes(LOOP.encode())
    path.unlink()
    path.symlink_to(elsewhere)
    with pytest.raises(files.WriteError):
        files.write_atomic(original, b"x = 1\n")
    assert elsewhere.read_bytes() == LOOP.encode() and path.is_symlink()


# ------------------------------------------------------- concurrent writers
def test_an_append_between_reading_and_writing_is_kept(tmp_path):
    path = job(tmp_path)
    original = files.read(str(path))
    with open(path, "ab") as handle:
        handle.write(b"# appended\n")
    with pytest.raises(files.WriteError, match="changed on disk"):
        files.write_atomic(original, b"x = 1\n")
    assert path.read_bytes() == LOOP.encode() + b"# appended\n"


def test_an_append_landing_just_before_the_rename_is_put_back(tmp_path, monkeypatch):
    path = job(tmp_path)
    original = files.read(str(path))
    real_replace = files.os.replace

    def append_then_replace(src, dst):
        with open(dst, "ab") as handle:  # another process, after every check, before the rename
            handle.write(b"# appended\n")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", append_then_replace)
    with pytest.raises(files.WriteError, match="written to by another process"):
        files.write_atomic(original, b"x = 1\n")
    assert path.read_bytes() == LOOP.encode() + b"# appended\n"
    assert [p.name for p in tmp_path.iterdir()] == ["job.py"]


def test_without_a_concurrent_writer_the_file_is_replaced(tmp_path):
    path = job(tmp_path)
    path.chmod(0o640)
    files.write_atomic(files.read(str(path)), b"x = 1\n")
    assert path.read_bytes() == b"x = 1\n" and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["job.py"]


def test_the_same_bytes_in_another_file_are_a_change(tmp_path):
    path = job(tmp_path)
    original = files.read(str(path))
    copy = tmp_path / "copy.py"
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)  # same bytes, another inode: someone rewrote it
    with pytest.raises(files.WriteError, match="changed on disk"):
        files.write_atomic(original, b"x = 1\n")
    assert path.read_bytes() == LOOP.encode()


@needs_flock
def test_a_file_another_process_has_locked_is_not_written(tmp_path):
    path = job(tmp_path)
    original = files.read(str(path))
    with open(path, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        with pytest.raises(files.WriteError, match="holds a lock"):
            files.write_atomic(original, b"x = 1\n")
    assert path.read_bytes() == LOOP.encode()
    files.write_atomic(original, b"x = 1\n")  # lock released: written
    assert path.read_bytes() == b"x = 1\n"


# ------------------------------------------------------ stale temporary files
def test_fix_removes_the_temporary_files_an_interrupted_fix_left_and_says_how_many(tmp_path):
    path = job(tmp_path)
    stale = [tmp_path / ".job.py.k3x_9abc.batchlint-tmp", tmp_path / ".job.py.0000aaaa.batchlint-tmp"]
    for temp in stale:
        temp.write_bytes(b"half a fix")
    keep = {
        ".job.py.k3x_9abc.tmp": "file",  # not our suffix
        "job.py.k3x_9abc.batchlint-tmp": "file",  # not our prefix
        ".job.py.short.batchlint-tmp": "file",  # not mkstemp's 8 characters
        ".dir.py.abcdefgh.batchlint-tmp": "dir",  # not a regular file
        ".link.py.abcdefgh.batchlint-tmp": "link",
    }
    for name, kind in keep.items():
        if kind == "dir":
            (tmp_path / name).mkdir()
        elif kind == "link":
            (tmp_path / name).symlink_to(path)
        else:
            (tmp_path / name).write_bytes(b"someone else's")
    diff = fix(tmp_path, "--diff")
    assert "found 2 temporary file(s)" in diff.stderr and all(t.exists() for t in stale)  # --diff writes nothing
    result = fix(tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "removed 2 temporary file(s) (*.batchlint-tmp) left by an interrupted fix" in result.stderr
    assert not any(t.exists() for t in stale)
    assert all(os.path.lexists(tmp_path / name) for name in keep)
    assert "batch" in path.read_text()
    again = fix(tmp_path)
    assert "temporary file" not in again.stderr


@needs_flock
def test_a_temporary_file_a_running_fix_holds_is_left_alone(tmp_path):
    job(tmp_path)
    live = tmp_path / ".job.py.abcd1234.batchlint-tmp"
    live.write_bytes(b"being written")
    with open(live, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        assert files.stale_temps([str(tmp_path / "job.py")], remove=True) == 0
        assert live.exists()
    assert files.stale_temps([str(tmp_path / "job.py")], remove=True) == 1
    assert not live.exists()


# ------------------------------------------------------------ line endings
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_one_kind_of_line_ending_is_kept_on_every_line(tmp_path, newline):
    path = job(tmp_path, LOOP.replace("\n", newline).encode())
    result = fix(tmp_path)
    assert result.exit_code == 0, result.stderr
    data = path.read_bytes()
    assert b"batch" in data
    if newline == "\r\n":
        assert data.count(b"\n") == data.count(b"\r\n") == data.count(b"\r")
    else:
        assert b"\r" not in data


@pytest.mark.parametrize("data, reason", [
    (LOOP.replace("\n", "\r\n", 2).encode(), "mixed line endings (2 CRLF, 3 LF)"),
    (LOOP.replace("\n", "\r").encode(), "5 line(s) end in a bare CR"),
    (LOOP.replace("\n", "\r", 1).encode(), "1 line(s) end in a bare CR"),
])
def test_mixed_or_cr_line_endings_are_refused_before_planning_with_the_reason(tmp_path, data, reason):
    path = job(tmp_path, data)
    result = fix(tmp_path)
    assert path.read_bytes() == data
    assert reason in result.stderr and "left as it is" in result.stderr
    assert "LibCST does not reproduce" not in result.stderr
    assert "Rewrote 0 loops" in result.stderr


def test_line_ending_problem_names_nothing_for_a_uniform_file():
    assert files.line_ending_problem(b"a\nb\n") == files.line_ending_problem(b"a\r\nb\r\n") == ""
    assert files.line_ending_problem(b"") == files.line_ending_problem(b"no newline") == ""
    assert files.line_ending_problem(b"a\r\nb\n").startswith("mixed line endings (1 CRLF, 1 LF)")


# ------------------------------------------------------------ links out of the tree
def test_a_link_to_a_file_outside_the_tree_is_not_written_through(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (outside / "job.py").write_text(LOOP)
    (tree / "linked.py").symlink_to(outside / "job.py")
    (tree / "inner.py").write_text(LOOP)
    (tree / "alias.py").symlink_to(tree / "inner.py")  # a link inside the tree is written through
    result = fix(tree)
    assert (outside / "job.py").read_text() == LOOP
    # not even read: discovery does not follow a link out of the tree (and the writer would refuse it too)
    assert "linked.py: BL002 a symbolic link to outside the analyzed tree; not followed" in result.stderr
    assert result.exit_code == 2
    assert "batch" in (tree / "inner.py").read_text() and (tree / "alias.py").is_symlink()
    assert "changed on disk" not in result.stderr  # inner.py, reached twice, is rewritten once


def test_the_writer_refuses_a_link_to_a_file_outside_the_folders_it_may_write(tmp_path):
    """Discovery does not follow such a link; the writer refuses it on its own too
    (a file named on the command line is read wherever it points, but not written)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "job.py").write_text(LOOP)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "linked.py").symlink_to(outside / "job.py")
    original = files.read(str(tree / "linked.py"))
    with pytest.raises(files.WriteError, match="a link to a file outside the working directory"):
        files.write_atomic(original, b"x = 1\n", within=[str(tree)])
    assert (outside / "job.py").read_text() == LOOP
    files.write_atomic(original, b"x = 1\n", within=[str(tree), str(outside)])  # inside a folder given: written
    assert (outside / "job.py").read_text() == "x = 1\n"

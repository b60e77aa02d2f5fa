"""Any file in, a clear answer out: each bad input gives one line naming the
file, the run continues, and the exit code says so."""

from __future__ import annotations

import ast
import os
import sys

import pytest

from batchlint import check_paths
from batchlint.config import Config
from batchlint.discovery import read_source
from batchlint.model import CheckResult

from helpers import check

GOOD = (
    "import anthropic\n"
    "client = anthropic.Anthropic()\n"
    "for row in rows:\n"
    "    client.messages.create(model='m', max_tokens=1, messages=[])\n"
)


def run(tmp_path, name: str, data: bytes):
    (tmp_path / "good.py").write_text(GOOD)
    path = tmp_path / name
    path.write_bytes(data)
    result = check(tmp_path, allow_errors=True)
    assert [(f.path, f.line, f.code) for f in result.findings] == [("good.py", 4, "BL105")]  # the run went on
    return {e.path: (e.code, e.message) for e in result.errors}


@pytest.mark.parametrize(
    "data, code, text",
    [
        (b"import anthropic\ndef f(:\n", "BL001", "syntax error: invalid syntax"),
        (b"import anthropic\nprint 'hello'\n", "BL001", "syntax error: Missing parentheses"),
        (b"import anthropic\nx = '\xe9'\n", "BL001", "cannot decode as utf-8"),
        (b"# coding: made-up\nimport anthropic\n", "BL001", "unknown encoding"),
        (b"import anthropic\x00\n", "BL001", "NUL bytes"),
        (b"import anthropic\nx = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", "BL003", "too deeply nested"),
        (b"import anthropic\nx = " + b"[" * 100000 + b"]" * 100000 + b"\n", "BL003", "too deeply nested"),
        (b"import anthropic\nx = 1" + b" + 1" * 50000 + b"\n", "BL003", "too deeply nested"),
        (b"import anthropic\n" + b"".join(b" " * i + b"if x:\n" for i in range(120)) + b" " * 120 + b"pass\n", "BL003", "indentation"),
    ],
    ids=["syntax", "python2", "latin1-no-cookie", "bad-cookie", "nul", "parens", "lists", "binop-chain", "indent"],
)
def test_bad_file_is_reported_and_run_continues(tmp_path, data, code, text):
    errors = run(tmp_path, "bad.py", data)
    assert errors["bad.py"][0] == code
    assert text in errors["bad.py"][1]


@pytest.mark.parametrize(
    "data",
    [
        b"# -*- coding: latin-1 -*-\nimport anthropic\nx = '\xe9'\n",
        b"\xef\xbb\xbfimport anthropic\n",
        b"import anthropic\r\nclient = anthropic.Anthropic()\r\n",
        b"import anthropic\r\nx = 1\ny = 2\r\n",
        b"",
        b"import anthropic",  # no final newline
    ],
    ids=["cookie", "bom", "crlf", "mixed-newlines", "empty", "no-newline"],
)
def test_odd_but_valid_files_are_fine(tmp_path, data):
    assert run(tmp_path, "odd.py", data) == {}


def test_crlf_file_positions(tmp_path):
    (tmp_path / "crlf.py").write_bytes(GOOD.replace("\n", "\r\n").encode())
    result = check(tmp_path, allow_errors=True)
    assert [(f.line, f.column) for f in result.findings] == [(4, 5)]


def test_huge_file_is_skipped_with_a_reason(tmp_path):
    errors = run(tmp_path, "huge.py", b"import anthropic\n" + b"x = 1\n" * (20 * 1024 * 1024 // 6))
    assert errors["huge.py"][0] == "BL003"
    assert "limit" in errors["huge.py"][1]


def test_symlink_loop_ends(tmp_path):
    (tmp_path / "pkg").mkdir()
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    assert run(tmp_path, "x.py", b"x = 1\n") == {}


def test_symlinked_directories_are_followed_and_walked_once(tmp_path):
    from batchlint.config import Config
    from batchlint.discovery import discover

    tree = tmp_path / "tree"
    shared = tree / "shared"
    (shared / "inner").mkdir(parents=True)
    (shared / "inner" / "b.py").write_text("x = 1\n")
    (shared / "a.py").write_text("x = 1\n")
    os.symlink(shared / "inner", tree / "first")  # the inner folder first...
    os.symlink(shared, tree / "second")  # ...then the folder holding it
    os.symlink(shared, tree / "third")  # and the same folder again
    files, errors, _ = discover([str(tree)], Config(root=str(tree)))
    names = sorted(os.path.relpath(f, tree) for f in files)
    assert names == ["first/b.py", "second/a.py"] and errors == []


def test_links_out_of_the_tree_are_not_followed(tmp_path):
    """A pull request's `vendor -> /somewhere/else` or `secret.py -> ~/.ssh/x` is not read."""
    from batchlint.config import Config
    from batchlint.discovery import discover

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.py").write_text("x = 1\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "own.py").write_text("x = 1\n")
    os.symlink(outside, tree / "vendor")
    os.symlink(outside / "a.py", tree / "alias.py")
    files, errors, _ = discover([str(tree)], Config(root=str(tree)))
    assert [os.path.relpath(f, tree) for f in files] == ["own.py"]
    assert sorted((os.path.basename(e.path), e.code) for e in errors) == [("alias.py", "BL002"), ("vendor", "BL002")]
    assert all("outside the analyzed tree" in e.message for e in errors)
    # the same folder given on the command line is analyzed: it is then part of the tree
    files, errors, _ = discover([str(tree), str(outside)], Config(root=str(tree)))
    assert sorted(os.path.relpath(f, tmp_path) for f in files) == ["tree/alias.py", "tree/own.py", "tree/vendor/a.py"]
    assert errors == []


def test_fifo_named_py_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    errors = run(tmp_path, "x.py", b"x = 1\n")
    assert errors["pipe.py"] == ("BL001", "not a regular file")


def test_unreadable_file(tmp_path, monkeypatch):
    (tmp_path / "secret.py").write_text("import anthropic\n")
    real_open = os.open  # files are read with os.open (tests run as root: chmod would not stop them)

    def guarded(path, *args, **kwargs):
        if str(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    errors = run(tmp_path, "x.py", b"x = 1\n")
    assert errors["secret.py"] == ("BL001", "cannot read file: Permission denied")


def test_file_deleted_before_it_is_read(tmp_path):
    path = tmp_path / "gone.py"
    path.write_text("import anthropic\n")
    path.unlink()
    source, error = read_source(str(path))
    assert source is None and error.code == "BL001" and "No such file" in error.message


def test_missing_path_on_the_command_line(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    from batchlint import check_paths
    from batchlint.config import Config

    result = check_paths([str(tmp_path / "good.py"), str(tmp_path / "nope")], Config(root=str(tmp_path)))
    assert [e.code for e in result.errors] == ["BL002"]
    assert len(result.findings) == 1


def test_warnings_about_analyzed_code_are_not_printed(tmp_path):
    import subprocess
    import sys

    (tmp_path / "regex.py").write_text('import anthropic\npattern = "\\d+"\nx = None()\n')
    proc = subprocess.run([sys.executable, "-W", "default", "-m", "batchlint", "check", "--no-cache", "."],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.stderr == ""
    assert proc.returncode == 0


NEWER_SYNTAX_PROJECT = b"""import anthropic

client = anthropic.Anthropic()
type Row = dict[str, str]


def label[T](rows: list[T]) -> list[T]:
    out = []
    for row in rows:
        out.append(client.messages.create(model="claude-haiku-4-5", max_tokens=8, messages=[
            {"role": "user", "content": f"Label {row["text"]!r}: {"\\n".join(row["tags"])}"}]))
    return out
"""


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this interpreter parses the file itself")
def test_syntax_newer_than_the_running_python_is_still_analyzed(tmp_path):
    """PEP 701 f-strings (quotes reused, a backslash in an expression), a
    `type` alias and a generic function: the file is analyzed as its 3.11
    equivalent, at the same lines."""
    (tmp_path / "label.py").write_bytes(NEWER_SYNTAX_PROJECT)
    result = check_paths([str(tmp_path)], Config(root=str(tmp_path)))
    assert list(result.errors) == []
    assert [(f.line, f.column, f.code) for f in result.findings] == [(10, 20, "BL101")]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this interpreter parses the file itself")
def test_newer_syntax_that_cannot_keep_its_lines_says_which_python_to_run(tmp_path):
    # type parameters over several lines: dropping them would move every later line
    errors = run(tmp_path, "new.py", b"import anthropic\n\n\ndef f[\n    T,\n](a: T) -> T:\n    return a\n")
    code, message = errors["new.py"]
    assert code == "BL001"
    assert message.startswith(f"needs Python {sys.version_info.major}.{sys.version_info.minor + 1} or newer")
    assert "the other files are analyzed" in message


def test_plain_syntax_error_is_not_blamed_on_the_python_version(tmp_path):
    errors = run(tmp_path, "bad.py", b"import anthropic\nx = f\"{'a'\n")
    assert errors["bad.py"][1].startswith("syntax error: ")


@pytest.mark.parametrize("data, line, column", [
    (b"import anthropic\n\n\ndef f(:\n    pass\n", 4, 7),
    (b"import anthropic\nclient = anthropic.Anthropic(\n", 2, 29),
    (b"import anthropic\nx = '\xe9'\n", 0, 0),  # not a syntax error: the file as a whole
])
def test_a_syntax_error_is_reported_at_its_own_line_and_column(tmp_path, data, line, column):
    (tmp_path / "bad.py").write_bytes(data)
    (error,) = check_paths([str(tmp_path / "bad.py")], Config(root=str(tmp_path))).errors
    assert (error.line, error.column) == (line, column)
    from batchlint.output import check_renderer

    shown = check_renderer("text")(CheckResult((), (error,), 1, 0))
    assert f"bad.py:{max(1, line)}:{max(1, column)}: BL001" in shown


def _decode_with_tokenize(data: bytes):
    """The reference decode_source skips for plain heads: always ask tokenize."""
    import codecs
    import io
    import tokenize

    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode("utf-8" if encoding == "utf-8-sig" else encoding)


@pytest.mark.parametrize(
    "data",
    [
        b"import anthropic\nx = 1\n",
        b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nx = '\xe9'\n",  # cookie on line 2
        b"# vim: set fileencoding=cp1252 :\nx = '\x80'\n",
        b"\n# coding: utf-8\nx = '\xc3\xa9'\n",
        b"x = 1\n# coding: latin-1\ny = '\xe9'\n",  # line 2 after code: no cookie
        b"name = 'caf\xc3\xa9'\nx = 1\n",  # UTF-8 in line 1
        b"x = 1\ny = '\xc3\xa9'\n",  # UTF-8 in line 2
        b"x = 1\ny = 2\nz = '\xc3\xa9'\n",
        b"s = 'decoding'\n",  # the word in a string: tokenize decides
        b"# plain\r\n# coding: latin-1\r\nx = '\xe9'\r\n",
        b"x = '\xc3\xa9'",  # no newline at all
    ],
)
def test_decode_source_agrees_with_tokenize(data):
    from batchlint.discovery import decode_source

    def outcome(decode):
        try:
            return decode(data)
        except (ValueError, SyntaxError):  # UnicodeDecodeError is a ValueError
            return "cannot decode"

    assert outcome(decode_source) == outcome(_decode_with_tokenize)


@pytest.mark.parametrize("source, parses", [
    ('x = f"{d["a"]}"\n', True),  # quotes reused
    ('x = f"""{d["a"]\n  # a comment inside the braces\n}\nend"""\ny = 1\n', True),  # lines kept
    ('x = f"{f"{d["a"]}"}"\n', True),  # nested
    ('type Pair[T] = tuple[T, T]\n', True),
    ('class Box[T]:\n    pass\n', True),
    ('def f[\n    T,\n](a: T) -> T:\n    return a\n', False),  # the rewrite would move lines
    ('x = (1\n', False),  # not newer syntax: a syntax error
])
def test_newer_syntax_is_rewritten_line_for_line(source, parses):
    from batchlint.newer_syntax import downgrade

    older = downgrade(source)
    assert (older is not None) == parses
    if older is not None:
        assert older.count("\n") == source.count("\n")
        ast.parse(older)

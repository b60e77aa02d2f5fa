"""Output that file names and analyzed text cannot forge (issue 22).

Every case writes a file whose name (or content) is hostile, runs the real
command line, and checks what a reader of that output format would see:
GitHub Actions reading workflow commands from any line, a Markdown renderer,
a terminal, a browser, a JSON parser, `git apply`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchlint.cli import main
from batchlint.codemod.diff import quote_path
from batchlint.output.escape import clean, code_span, md_text

LOOP = ("import anthropic\nc = anthropic.Anthropic()\ndef f(rows):\n    for r in rows:\n"
        "        c.messages.create(model='m', max_tokens=1, messages=[r])\n")
# A fixable loop whose body carries an ESC/CSI sequence and a bidi override in a string literal.
LOOP_WITH_CONTROLS = ("import anthropic\nc = anthropic.Anthropic()\ndef f(rows):\n    for r in rows:\n"
                      "        c.messages.create(model='m', max_tokens=1, messages=[r + '\x1b[2J\u202e'])\n")
FORGED = ["::warning file=README.md,line=1::forged.py", "::stop-commands::pwn.py", " ##[warning]old.py"]
BIDI = "bidi\u202egnp.exe\u202c.py"
MARKDOWN = "<img src=x onerror=alert`1`>@octocat **bold** ``tick`.py"
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def invoke(root: Path, *args: str):
    """The command line in-process; its streams are strict UTF-8, like a CI log file."""
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, [*args], catch_exceptions=False)
    finally:
        os.chdir(old)


def check(root: Path, *args: str):
    return invoke(root, "check", "--no-cache", "--isolated", "-j", "1", *args, ".")


def tree(tmp_path: Path, *names: str, source: str = LOOP) -> Path:
    for name in names:
        (tmp_path / name).write_text(source)
    (tmp_path / "plain.py").write_text(source)  # the control: an ordinary name, reported as usual
    return tmp_path


def workflow_commands(text: str) -> list[str]:
    """Lines GitHub Actions would run as workflow commands (the runner trims leading blanks)."""
    return [line for line in text.splitlines() if line.lstrip().startswith(("::", "##["))]


# ------------------------------------------------------------------ text
@pytest.mark.parametrize("name", FORGED)
def test_a_file_name_cannot_start_a_workflow_command_in_text_output(tmp_path, name):
    result = check(tree(tmp_path, name))
    assert result.exit_code == 1
    assert workflow_commands(result.stdout) == []
    assert f"./{name}:5:9: BL101 " in result.stdout  # the same file, still named in full
    assert "\nplain.py:5:9: BL101 " in "\n" + result.stdout  # an ordinary name is not prefixed


def test_fix_messages_cannot_start_a_workflow_command(tmp_path):
    root = tree(tmp_path, FORGED[0])
    (root / "::stop-commands::chatty.py").write_text(LOOP.replace("for r in rows:\n", "for r in rows:\n        LOG.write(r)\n"))
    result = invoke(root, "fix", "--unsafe-fixes", "--isolated", "--no-cache", "-j", "1", ".")
    assert workflow_commands(result.stderr) == [] and workflow_commands(result.stdout) == []
    assert "./::stop-commands::chatty.py:" in result.stderr and "not fixed" in result.stderr
    assert f"./{FORGED[0]}: rewrote 1 loop" in result.stderr and "plain.py: rewrote 1 loop" in result.stderr


# ---------------------------------------------------------------- github
def test_github_format_lets_no_escape_sequence_or_bidi_control_through(tmp_path):
    root = tree(tmp_path, "esc\x1b[31mred.py", "csi\x9b2Jx.py", BIDI, "new\nline.py")
    out = check(root, "--format", "github").stdout
    lines = out.splitlines()
    assert len(lines) == 5 and all(line.startswith("::warning file=") for line in lines)
    assert not INVISIBLE.search(out)
    assert "file=esc\\x1b[31mred.py," in out and "file=csi\\x9b2Jx.py," in out
    assert "file=bidi\\u202egnp.exe\\u202c.py," in out
    assert "file=new%0Aline.py," in out  # GitHub's own escape for a newline in a property
    assert "file=plain.py," in out


def test_github_format_escapes_forged_commands_in_properties(tmp_path):
    out = check(tree(tmp_path, FORGED[1]), "--format", "github").stdout
    assert "file=%3A%3Astop-commands%3A%3Apwn.py," in out
    assert "::stop-commands::" not in out


# -------------------------------------------------------------- markdown
def _code_spans_and_text(line: str) -> tuple[list[str], str]:
    """CommonMark's code spans (a backtick run closed by the next run of the same
    length) and the text outside them."""
    spans, text, i = [], [], 0
    while i < len(line):
        if line[i] == "`" and (i == 0 or line[i - 1] != "\\"):
            run = re.match(r"`+", line[i:]).group()
            close = re.compile(rf"(?<!`){run}(?!`)").search(line, i + len(run))
            if close:
                spans.append(line[i + len(run):close.start()])
                i = close.end()
                continue
        text.append(line[i])
        i += 1
    return spans, "".join(text)


def _unescaped(text: str, chars: str) -> list[str]:
    """Characters among `chars` that Markdown would read (not backslash-escaped)."""
    return [m.group(2) for m in re.finditer(r"(\\*)(.)", text) if m.group(2) in chars and len(m.group(1)) % 2 == 0]


@pytest.mark.parametrize("command", [("check", "--format", "markdown"), ("report", "--format", "markdown")])
def test_markdown_keeps_html_mentions_emphasis_and_backticks_in_code_spans(tmp_path, command):
    root = tree(tmp_path, MARKDOWN)
    out = invoke(root, command[0], "--no-cache", "--isolated", "-j", "1", *command[1:], ".").stdout
    rows = [line for line in out.splitlines() if MARKDOWN[:4] in line or "img" in line]
    assert rows, out
    for line in rows:
        spans, outside = _code_spans_and_text(line)
        assert any(clean(MARKDOWN) in span.replace("\\|", "|") for span in spans), line  # the whole name, one span
        assert _unescaped(outside, "<>*_@[]&") == [], line
    plain_rows = [line for line in out.splitlines() if "plain.py" in line]
    assert plain_rows and all("`plain.py" in line for line in plain_rows)


def test_markdown_code_span_fence_is_longer_than_any_backtick_run():
    assert code_span("a.py") == "`a.py`"
    assert code_span("a``b") == "```a``b```"
    assert code_span("`x") == "`` `x ``"  # padded: a backtick next to the fence would join it
    assert code_span("a|b") == "`a\\|b`" and code_span("a|b", in_table=False) == "`a|b`"
    assert code_span("x\ny") == "`x\\ny`"  # a newline cannot end the table row


def test_markdown_message_text_is_escaped_and_backticked_parts_stay_code():
    text = md_text("call `c.messages.create` over `rows`: <b>@team</b> *x* [l](u) & `a|b`")
    spans, outside = _code_spans_and_text(text)
    assert spans == ["c.messages.create", "rows", "@", "a\\|b"]
    assert _unescaped(outside, "<>*_@[]&|") == []
    assert md_text("plain words") == "plain words"
    assert md_text("closes #12") == "closes `#`12"  # an issue reference is not made from it


def test_markdown_analyzed_text_in_a_message_cannot_break_out(tmp_path):
    # the loop's iterable is source text that lands in the message
    (tmp_path / "job.py").write_text(LOOP.replace("for r in rows:", "for r in ['<img src=x>@octocat ``']:"))
    out = check(tmp_path, "--format", "markdown").stdout
    (row,) = [line for line in out.splitlines() if line.startswith("| BL")]
    _, outside = _code_spans_and_text(row)
    assert _unescaped(outside, "<>*_@[]&") == [], row
    assert not any("<img" in part for part in outside.split("\\"))


# --------------------------------------------------------- bidi, html, json
def test_bidi_controls_are_visible_in_every_format(tmp_path):
    root = tree(tmp_path, BIDI)
    for fmt in ("text", "github", "markdown"):
        out = check(root, "--format", fmt).stdout
        assert "\u202e" not in out and "bidi\\u202egnp.exe\\u202c.py" in out, fmt
    for fmt in ("text", "markdown", "html"):
        out = invoke(root, "report", "--no-cache", "--isolated", "--format", fmt, ".").stdout
        assert "\u202e" not in out and "bidi\\u202egnp.exe\\u202c.py" in out, fmt
    for args in (("check", "--format", "json"), ("check", "--format", "sarif"), ("report", "--format", "json")):
        out = invoke(root, args[0], "--no-cache", "--isolated", *args[1:], ".").stdout
        assert "\u202e" not in out and "\\u202e" in out, args  # a JSON escape ...
        assert BIDI in json.dumps(json.loads(out), ensure_ascii=False)  # ... of the very same name


def test_html_report_shows_an_override_literally(tmp_path):
    page = invoke(tree(tmp_path, BIDI), "report", "--no-cache", "--isolated", "--format", "html", ".").stdout
    assert "bidi\\u202egnp.exe\\u202c.py" in page and "\u202e" not in page and "\u202c" not in page


# ------------------------------------------------------ names that are not UTF-8
def _odd_names(tmp_path: Path) -> Path:
    try:
        (tmp_path / os.fsdecode(b"bad\xff.py")).write_text(LOOP)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take a name that is not UTF-8")
    return tree(tmp_path, "tab\tname.py", "-dash.py", "new\nline.py")


@pytest.mark.parametrize("args", [
    ("check", "--format", "text"), ("check", "--format", "text", "--show-context"), ("check", "--format", "json"),
    ("check", "--format", "sarif"), ("check", "--format", "github"), ("check", "--format", "markdown"),
    ("report", "--format", "text"), ("report", "--format", "markdown"), ("report", "--format", "json"),
    ("report", "--format", "html"), ("fix", "--diff"),
])
def test_a_name_that_is_not_utf8_is_printed_escaped_by_every_format(tmp_path, args):
    root = _odd_names(tmp_path)
    result = invoke(root, args[0], "--no-cache", "--isolated", "-j", "1", *args[1:], ".")
    assert result.exit_code in (0, 1), result.stderr
    out = result.stdout
    out.encode("utf-8")  # strict: no lone surrogate reached the stream
    assert "\ufffd" not in out
    if args[0] == "fix":
        assert '--- "a/bad\\377.py"' in out and '--- "a/new\\nline.py"' in out and '--- "a/tab\\tname.py"' in out
        assert "--- a/-dash.py" in out and "--- a/plain.py" in out
    elif args[-1] == "sarif":
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out)["runs"][0]["results"]}
        assert {"bad%FF.py", "new%0Aline.py", "tab%09name.py", "-dash.py", "plain.py"} <= uris
    elif args[-1] == "json":
        assert "bad\\\\xff.py" in out  # the text `\xff`, as every other format shows it
        json.loads(out)
    else:
        assert "bad\\xff.py" in out and "-dash.py" in out


def test_fix_writes_a_file_whose_name_is_not_utf8(tmp_path):
    root = _odd_names(tmp_path)
    result = invoke(root, "fix", "--unsafe-fixes", "--no-cache", "--isolated", "-j", "1", ".")
    assert result.exit_code == 0, result.stderr
    assert "bad\\xff.py: rewrote 1 loop" in result.stderr
    assert "batch" in (root / os.fsdecode(b"bad\xff.py")).read_text()


# ------------------------------------------------------------- fix --diff
def test_diff_header_is_quoted_like_git_for_odd_names():
    assert quote_path("a/plain.py") == "a/plain.py" and quote_path("a/x (1).py") == "a/x (1).py"
    assert quote_path("a/new\nline.py") == '"a/new\\nline.py"'
    assert quote_path('a/q"b\\s.py') == '"a/q\\"b\\\\s.py"'
    assert quote_path("a/é.py") == '"a/\\303\\251.py"'  # as git's core.quotePath
    assert quote_path("a/" + os.fsdecode(b"\xff") + ".py") == '"a/\\377.py"'


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_newline_in_a_name_does_not_split_the_diff_and_git_applies_it(tmp_path):
    root = tree(tmp_path, "new\nline.py")
    out = invoke(root, "fix", "--no-cache", "--isolated", "-j", "1", "--diff", ".").stdout
    headers = [line for line in out.splitlines() if line.startswith(("--- ", "+++ "))]
    assert headers == ['--- "a/new\\nline.py"', '+++ "b/new\\nline.py"', "--- a/plain.py", "+++ b/plain.py"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "fix.diff").write_text(out)
    applied = subprocess.run(["git", "apply", "fix.diff"], cwd=root, capture_output=True, text=True, check=False)
    assert applied.returncode == 0, applied.stderr
    assert "batch" in (root / "new\nline.py").read_text()


def test_diff_shows_escape_sequences_and_bidi_of_the_source_escaped_and_says_so(tmp_path):
    (tmp_path / "ctl.py").write_text(LOOP_WITH_CONTROLS)
    (tmp_path / "ok.py").write_text(LOOP)
    out = invoke(tmp_path, "fix", "--no-cache", "--isolated", "-j", "1", "--diff", "ctl.py").stdout
    assert not INVISIBLE.search(out)
    assert "\\x1b[2J\\u202e" in out
    assert out.startswith("# batchlint: ctl.py holds control or bidi characters")
    clean_diff = invoke(tmp_path, "fix", "--no-cache", "--isolated", "-j", "1", "--diff", "ok.py").stdout
    assert clean_diff.startswith("--- a/ok.py") and "# batchlint" not in clean_diff


def test_every_invisible_character_of_this_python_s_unicode_is_escaped():
    import sys
    import unicodedata

    invisible = "".join(chr(c) for c in range(sys.maxunicode + 1)
                        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp", "Cs"))
    assert clean(invisible).isascii()  # each one became a visible escape
    assert "\\" not in clean("plain é 中文 emoji \U0001f600 (1).py -dash")  # letters, symbols, spaces stay

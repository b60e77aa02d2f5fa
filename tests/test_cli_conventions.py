"""`batchlint check` against ruff's command-line conventions: colour, the
short default line, formats, selection options, excludes, file-level noqa,
BL011, stdin, empty trees, output files, --show-*, and one error style."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write

from batchlint.cli import main
from batchlint.output.color import use_color

LOOP = '''
import anthropic

client = anthropic.Anthropic()


def label_all(rows):
    out = []
    for row in rows:
        out.append(client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[{"role": "user", "content": row}]))
    return out
'''
FAN_OUT = '''
import asyncio
import anthropic

client = anthropic.AsyncAnthropic()


async def label_all(rows):
    return await asyncio.gather(*(client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[]) for r in rows))
'''
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(tmp_path: Path, *args: str, env: dict | None = None, stdin: str | None = None, command: str = "check"):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, [command, *args], catch_exceptions=False, env=env, input=stdin)
    finally:
        os.chdir(old)


def lines_of(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if re.match(r"[^ ].*:\d+:\d+: BL\d+ ", line)]


# ------------------------------------------------------------------ colour
@pytest.mark.parametrize("args, env, coloured", [
    (("--color", "always"), {}, True),
    (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ((), {}, False),  # piped (CliRunner's stdout is no terminal)
    ((), {"FORCE_COLOR": "1"}, True),
    ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    (("--color", "always"), {"NO_COLOR": "1"}, True),  # the flag beats the environment
])
def test_colour_follows_flag_then_no_color_then_force_color_then_terminal(tmp_path, args, env, coloured):
    write(tmp_path, {"jobs.py": LOOP})
    result = run(tmp_path, "--no-cache", *args, ".", env={"NO_COLOR": None, "FORCE_COLOR": None, **env})
    assert bool(ANSI.search(result.stdout)) is coloured
    assert ANSI.sub("", result.stdout).splitlines()[0].startswith("jobs.py:9:20: BL101 ")
    if coloured:  # path, code and saving are each styled
        first = result.stdout.splitlines()[0]
        assert "\x1b[1mjobs.py\x1b[0m" in first and "\x1b[1;31mBL101\x1b[0m" in first and "\x1b[32m(saves" in first


def test_colour_auto_is_on_for_a_terminal_and_off_for_a_file(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)

    class Tty:
        def isatty(self):
            return True

    assert use_color("auto", Tty()) is True
    assert use_color("auto", open(os.devnull, "w")) is False


def test_json_output_never_gets_colour(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    result = run(tmp_path, "--no-cache", "--color", "always", "--output-format", "json", ".")
    assert not ANSI.search(result.stdout) and json.loads(result.stdout)["findings"]


# ------------------------------------------------------------------ the default line
def test_default_line_is_short_and_the_rest_is_under_show_context(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    (line,) = lines_of(run(tmp_path, "--no-cache", "."))
    assert line == "jobs.py:9:20: BL101 Claude call `client.messages.create` in for loop over `rows` (saves ~$0.08/mo)"
    assert "nobody waits" not in line and "now" not in line
    context = run(tmp_path, "--no-cache", "--show-context", ".").stdout
    assert "nobody waits on each response" in context and "    = `client.messages.create`" in context
    assert "    $   runs per month = " in context


def test_full_format_shows_the_source_with_a_caret(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    out = run(tmp_path, "--no-cache", "--output-format", "full", ".").stdout.splitlines()
    assert out[0].startswith("jobs.py:9:20: BL101 ")
    code = next(i for i, line in enumerate(out) if line.startswith("   9 | "))
    assert "client.messages.create(" in out[code]
    assert out[code + 1] == "     | " + " " * 19 + "^ BL101"
    assert out[code - 1].startswith("   8 |     for row in rows:")
    assert any(line.startswith("  = Claude call `client.messages.create` in for loop") for line in out)
    concise = run(tmp_path, "--no-cache", ".").stdout
    assert " | " not in concise and "^ BL101" not in concise


def test_format_is_an_alias_of_output_format_and_text_of_concise(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    outputs = {run(tmp_path, "--no-cache", *args, ".").stdout for args in
               ((), ("--format", "text"), ("--output-format", "concise"), ("--format", "concise"))}
    assert len(outputs) == 1


# ------------------------------------------------------------------ statistics and formats
def test_statistics_counts_by_code_instead_of_listing(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "more.py": LOOP, "fan.py": FAN_OUT})
    result = run(tmp_path, "--no-cache", "--statistics", ".")
    assert result.exit_code == 1
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(r[0].strip(), r[1]) for r in rows] == [("2", "BL101"), ("1", "BL102")]
    assert rows[0][2].startswith("claude-call-in-loop")
    assert not lines_of(result)


def test_json_lines_is_one_object_per_finding_and_error(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "fan.py": FAN_OUT, "broken.py": "import anthropic\ndef f(:\n"})
    write(tmp_path, {"odd\u2028name.py": LOOP})
    out = run(tmp_path, "--no-cache", "--output-format", "json-lines", ".").stdout
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["code"] for r in records] == ["BL001", "BL102", "BL101", "BL101"]
    assert records[0]["path"] == "broken.py"
    assert "odd\u2028name.py" in {r["path"] for r in records}  # escaped in the text, so still one line


def test_gitlab_code_quality_fields_and_stable_unique_fingerprints(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "more.py": LOOP})
    first = json.loads(run(tmp_path, "--no-cache", "--output-format", "gitlab", ".").stdout)
    again = json.loads(run(tmp_path, "--no-cache", "--output-format", "gitlab", ".").stdout)
    assert first == again and len(first) == 2
    issue = first[0]
    assert issue["check_name"] == "BL101" and issue["severity"] == "minor"
    assert issue["description"].startswith("BL101 Claude call `client.messages.create`")
    assert issue["location"]["path"] == "jobs.py" and issue["location"]["lines"]["begin"] == 9
    assert len({i["fingerprint"] for i in first}) == 2


def test_gitlab_gives_the_same_finding_twice_in_a_file_two_fingerprints(tmp_path):
    write(tmp_path, {"jobs.py": LOOP + LOOP.replace("import anthropic", "").replace("label_all", "label_again")})
    issues = json.loads(run(tmp_path, "--no-cache", "--output-format", "gitlab", ".").stdout)
    assert len(issues) == 2 and issues[0]["description"] == issues[1]["description"]
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


def test_junit_is_valid_xml_even_for_hostile_file_names(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "a<&\x1b[31m>.py": LOOP})
    out = run(tmp_path, "--no-cache", "--output-format", "junit", ".").stdout
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and root.get("failures") == "2"
    failures = root.findall("./testsuite/testcase/failure")
    assert {f.get("type") for f in failures} == {"BL101"}
    assert "\x1b" not in out and {s.get("name") for s in root.findall("testsuite")} == {"jobs.py", "a<&\\x1b[31m>.py"}


def test_junit_of_a_clean_run_has_one_passing_case(tmp_path):
    write(tmp_path, {"quiet.py": "x = 1\n"})
    root = ET.fromstring(run(tmp_path, "--no-cache", "--output-format", "junit", ".").stdout)
    assert root.get("failures") == "0" and root.find("./testsuite/testcase/failure") is None


# ------------------------------------------------------------------ selection
def codes(result) -> list[str]:
    return [line.split(" ")[1] for line in lines_of(result)]


def test_repeated_select_combines_and_extend_select_adds(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "fan.py": FAN_OUT})
    assert codes(run(tmp_path, "--no-cache", "--select", "BL101", ".")) == ["BL101"]
    assert codes(run(tmp_path, "--no-cache", "--select", "BL101", "--select", "BL102", ".")) == ["BL102", "BL101"]
    assert codes(run(tmp_path, "--no-cache", "--select", "BL101", "--extend-select", "BL102", ".")) == ["BL102", "BL101"]


def test_ignore_wins_a_tie_with_select_and_the_longer_prefix_wins_otherwise(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    assert codes(run(tmp_path, "--no-cache", "--select", "BL101", "--ignore", "BL101", ".")) == []
    assert codes(run(tmp_path, "--no-cache", "--select", "BL101", "--ignore", "BL1", ".")) == ["BL101"]
    assert codes(run(tmp_path, "--no-cache", "--select", "BL1", "--extend-ignore", "BL101", ".")) == []


def test_extend_ignore_adds_to_the_configuration_and_ignore_replaces_it(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "fan.py": FAN_OUT,
                     "pyproject.toml": '[tool.batchlint]\nignore = ["BL102"]\n'})
    assert codes(run(tmp_path, "--no-cache", ".")) == ["BL101"]
    assert codes(run(tmp_path, "--no-cache", "--extend-ignore", "BL101", ".")) == []
    assert codes(run(tmp_path, "--no-cache", "--ignore", "BL101", ".")) == ["BL102"]


@pytest.mark.parametrize("args", [("--select", ""), ("--select", " , "), ("--extend-select", ""),
                                  ("--select", "BLX"), ("--per-file-ignores", "nocolon")])
def test_an_empty_or_unknown_selection_is_a_usage_error(tmp_path, args):
    write(tmp_path, {"jobs.py": LOOP})
    result = run(tmp_path, "--no-cache", *args, ".")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("Error: ")


def test_per_file_ignores_on_the_command_line(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "scripts/batch.py": LOOP})
    assert len(codes(run(tmp_path, "--no-cache", ".") )) == 2
    kept = lines_of(run(tmp_path, "--no-cache", "--per-file-ignores", "scripts/*:BL101", "."))
    assert [line.split(":")[0] for line in kept] == ["jobs.py"]
    kept = lines_of(run(tmp_path, "--no-cache", "--per-file-ignores", "scripts/*:BL102", "."))
    assert len(kept) == 2


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "gen/jobs.py": LOOP, "build/jobs.py": LOOP})
    files = lambda *a: run(tmp_path, "--show-files", *a, ".").stdout.split()
    assert files() == ["gen/jobs.py", "jobs.py"]  # build/ is a default exclude
    assert files("--extend-exclude", "gen") == ["jobs.py"]
    assert files("--exclude", "gen") == ["build/jobs.py", "jobs.py"]


# ------------------------------------------------------------------ excludes anchored at the config's folder
@pytest.mark.parametrize("given", [".", "app", "app/"])
def test_a_config_exclude_with_a_slash_holds_whatever_path_is_given(tmp_path, given):
    write(tmp_path, {"pyproject.toml": '[tool.batchlint]\nextend-exclude = ["app/jobs"]\n',
                     "app/__init__.py": "", "app/main.py": LOOP, "app/jobs/nightly.py": LOOP})
    assert "app/jobs/nightly.py" not in run(tmp_path, "--show-files", given).stdout
    assert "app/main.py" in run(tmp_path, "--show-files", given).stdout


def test_a_config_exclude_holds_from_a_subfolder_too(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.batchlint]\nextend-exclude = ["app/jobs"]\n',
                     "app/main.py": LOOP, "app/jobs/nightly.py": LOOP})
    assert run(tmp_path / "app", "--show-files", ".").stdout.split() == ["main.py"]


def test_a_folder_named_on_the_command_line_is_checked_even_if_excluded(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.batchlint]\nextend-exclude = ["app/jobs"]\n', "app/jobs/nightly.py": LOOP})
    assert run(tmp_path, "--show-files", "app/jobs").stdout.split() == ["app/jobs/nightly.py"]


# ------------------------------------------------------------------ file-level noqa and BL011
@pytest.mark.parametrize("head, shown", [
    ("# batchlint: noqa\n", []),
    ("# batchlint: noqa: BL101\n", []),
    ("# batchlint: noqa: BL102\n", ["BL101"]),
    ("x = 1  # batchlint: noqa\n", ["BL101"]),  # not on a line of its own: not a file-level noqa
    ("", ["BL101"]),
])
def test_file_level_noqa(tmp_path, head, shown):
    write(tmp_path, {"jobs.py": head + LOOP.lstrip("\n")})
    assert codes(run(tmp_path, "--no-cache", ".")) == shown


def test_bl011_flags_a_batchlint_noqa_code_that_hides_nothing(tmp_path):
    text = LOOP.replace('"content": row}]))', '"content": row}]))  # noqa: BL101').replace(
        "    return out", "    x = 1  # noqa: BL102, E501\n    y = 2  # noqa: E501\n    z = 3  # noqa\n    return out")
    write(tmp_path, {"jobs.py": text})
    result = run(tmp_path, "--no-cache", ".")
    assert lines_of(result) == ["jobs.py:10:1: BL011 unused `# noqa: BL102`"]  # not BL101 (used), E501, bare noqa
    assert codes(run(tmp_path, "--no-cache", "--extend-ignore", "BL011", ".")) == []
    # BL101 ignored in this run: its noqa cannot be judged, so it is not flagged
    assert codes(run(tmp_path, "--no-cache", "--extend-ignore", "BL101", ".")) == ["BL011"]


def test_bl011_leaves_other_tools_codes_that_start_with_bl_alone(tmp_path):
    write(tmp_path, {"jobs.py": "import anthropic\ntry:\n    x = 1\nexcept Exception:  # noqa: BLE001\n    pass\n"
                                "y = 2  # noqa: BLE001, BL1\n"})
    assert lines_of(run(tmp_path, "--no-cache", ".")) == ["jobs.py:6:1: BL011 unused `# noqa: BL1`"]


def test_bl011_reads_comments_not_strings_that_look_like_them(tmp_path):
    write(tmp_path, {"jobs.py": 'import anthropic\nTEXT = "x = 1  # noqa: BL101"\nx = 1  # noqa: BL102\n'})
    assert lines_of(run(tmp_path, "--no-cache", ".")) == ["jobs.py:3:1: BL011 unused `# noqa: BL102`"]


def test_bl011_can_itself_be_silenced_on_the_line(tmp_path):
    write(tmp_path, {"jobs.py": "import anthropic\nx = 1  # noqa: BL102, BL011\ny = 2  # noqa: BL999\n"})
    result = run(tmp_path, "--no-cache", "--show-context", ".")
    assert lines_of(result) == ["jobs.py:3:1: BL011 unused `# noqa: BL999`"]
    assert "is not a batchlint code" in result.stdout


# ------------------------------------------------------------------ stdin
def test_dash_reads_one_file_from_stdin_named_by_stdin_filename(tmp_path):
    result = run(tmp_path, "--stdin-filename", "jobs.py", "-", stdin=LOOP.lstrip("\n"))
    assert result.exit_code == 1 and lines_of(result)[0].startswith("jobs.py:9:20: BL101 ")
    assert not (tmp_path / "jobs.py").exists()
    clean = run(tmp_path, "-", stdin="import anthropic\n")
    assert clean.exit_code == 0 and not lines_of(clean)


def test_stdin_follows_per_file_ignores_for_its_name(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.batchlint.per-file-ignores]\n"scripts/*" = ["BL101"]\n'})
    assert run(tmp_path, "--stdin-filename", "scripts/x.py", "-", stdin=LOOP).exit_code == 0
    assert run(tmp_path, "--stdin-filename", "app/x.py", "-", stdin=LOOP).exit_code == 1


# ------------------------------------------------------------------ empty trees, output files
@pytest.mark.parametrize("files", [{}, {"README.md": "hi\n"}])
def test_no_python_file_warns_exits_0_and_leaves_no_cache(tmp_path, files):
    write(tmp_path, files)
    result = run(tmp_path, ".")
    assert result.exit_code == 0 and "batchlint: warning: no Python files found" in result.stderr
    assert not (tmp_path / ".batchlint_cache").exists()


def test_a_python_file_gets_no_warning_and_a_cache(tmp_path):
    write(tmp_path, {"a.py": "x = 1\n"})
    result = run(tmp_path, ".")
    assert result.exit_code == 0 and "no Python files" not in result.stderr
    assert (tmp_path / ".batchlint_cache").is_dir()


@pytest.mark.parametrize("extra", [(), ("--exit-zero",)])
def test_an_output_file_that_cannot_be_written_is_exit_2(tmp_path, extra):
    write(tmp_path, {"jobs.py": LOOP})
    result = run(tmp_path, "--no-cache", *extra, "-o", "missing/dir/out.txt", ".")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: cannot write missing/dir/out.txt: ")
    ok = run(tmp_path, "--no-cache", *extra, "-o", "out.txt", ".")
    assert ok.exit_code == (0 if extra else 1) and (tmp_path / "out.txt").read_text().startswith("jobs.py:9:20: BL101")


# ------------------------------------------------------------------ --show-settings, --show-files
def test_show_settings_names_the_file_and_the_merged_selection(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.batchlint]\nignore = ["BL2"]\n', "jobs.py": LOOP})
    result = run(tmp_path, "--show-settings", "--extend-ignore", "BL107", ".")
    assert result.exit_code == 0
    settings = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in result.stdout.splitlines())
    assert settings["config file"].endswith("pyproject.toml") and settings["ignore"] == "BL2, BL107"
    assert run(tmp_path, "--show-settings", "--isolated", ".").stdout.splitlines()[0].endswith("(none: defaults)")


def test_show_files_lists_what_a_run_checks_and_analyzes_nothing(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "pkg/a.py": "", ".venv/lib.py": LOOP, "notes.txt": ""})
    result = run(tmp_path, "--show-files", ".")
    assert result.exit_code == 0 and result.stdout.split() == ["jobs.py", "pkg/a.py"]
    assert not (tmp_path / ".batchlint_cache").exists()


# ------------------------------------------------------------------ one error style
@pytest.mark.parametrize("args", [
    ("rules", "BL999"),
    ("check", "--config", "bad.toml", "."),
    ("models", "--config", "bad.toml"),
    ("status", "nowhere"),
    ("check", "--select", "", "."),
    ("check", "--output-format", "nope", "."),
])
def test_every_usage_error_is_click_style_with_exit_2(tmp_path, args):
    (tmp_path / "bad.toml").write_text("[tool.batchlint]\nselect = 1\n")
    result = run(tmp_path, *args[1:], command=args[0])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1].startswith("Error: ") and "Traceback" not in result.output
    assert "batchlint: error" not in result.output


@pytest.mark.parametrize("command, extra", [("fix", ("--diff",)), ("report", ())])
def test_fix_and_report_treat_an_unwritable_output_file_the_same(tmp_path, command, extra):
    write(tmp_path, {"jobs.py": LOOP})
    result = run(tmp_path, "--no-cache", *extra, "-o", "missing/out.txt", ".", command=command)
    assert result.exit_code == 2 and result.stderr.splitlines()[-1].startswith("Error: cannot write missing/out.txt")
    ok = run(tmp_path, "--no-cache", *extra, "-o", "out.txt", ".", command=command)
    assert ok.exit_code in (0, 1) and (tmp_path / "out.txt").read_text()


def test_full_format_escapes_control_characters_of_the_source(tmp_path):
    hostile = LOOP.replace('"content": row}]', '"content": row + "\x1b[2J\u202e"}]')
    write(tmp_path, {"jobs.py": hostile})
    out = run(tmp_path, "--no-cache", "--output-format", "full", "--color", "never", ".").stdout
    assert "\x1b" not in out and "\u202e" not in out
    assert '\\x1b[2J\\u202e"}]' in out  # shown, as an escape


@pytest.mark.parametrize("option", ["--output-format", "--format"])
def test_report_takes_output_format_and_format_alike(tmp_path, option):
    write(tmp_path, {"jobs.py": LOOP})
    result = run(tmp_path, "--no-cache", option, "json", ".", command="report")
    assert result.exit_code == 0 and json.loads(result.stdout)
    assert run(tmp_path, "--no-cache", option, "nope", ".", command="report").exit_code == 2


def test_json_lines_objects_are_the_json_formats_findings(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "fan.py": FAN_OUT})
    lines = [json.loads(line) for line in run(tmp_path, "--no-cache", "--output-format", "json-lines", ".").stdout.splitlines()]
    assert lines == json.loads(run(tmp_path, "--no-cache", "--output-format", "json", ".").stdout)["findings"]
    assert lines[0]["fix"] is not None  # the fix status, as in json


def test_the_configuration_ties_the_same_way():
    from batchlint.config import Config

    assert not Config(select=("BL101",), ignore=("BL101",)).code_enabled("BL101")
    assert Config(select=("BL101",), ignore=("BL1",)).code_enabled("BL101")
    assert not Config(select=("BL1",), ignore=("BL10",)).code_enabled("BL101")


def test_bl011_reads_the_text_from_stdin_not_the_file_on_disk(tmp_path):
    write(tmp_path, {"jobs.py": "import anthropic\nx = 1\n"})  # the saved version has no noqa
    result = run(tmp_path, "--stdin-filename", "jobs.py", "-", stdin="import anthropic\nx = 1  # noqa: BL102\n")
    assert lines_of(result) == ["jobs.py:2:1: BL011 unused `# noqa: BL102`"]


def test_gitlab_escapes_what_a_file_name_holds(tmp_path):
    write(tmp_path, {"a\x1b[31m\u202e.py": LOOP})
    out = run(tmp_path, "--no-cache", "--output-format", "gitlab", ".").stdout
    assert "\x1b" not in out and "\u202e" not in out  # written as JSON escapes
    (issue,) = json.loads(out)
    assert issue["location"]["path"] == "a\x1b[31m\u202e.py"  # which decode to the very name


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_exit_2_not_a_traceback(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    result = run(tmp_path, "--no-cache", "--exit-zero", "-o", "/dev/full", ".")
    assert result.exit_code == 2 and result.stderr.splitlines()[-1].startswith("Error: cannot write /dev/full: ")

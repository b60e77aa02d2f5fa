"""The `batchlint check` command: formats, exit codes, bad input, noqa."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from batchlint.cli import main

from helpers import write

LOOP = '''
import anthropic

client = anthropic.Anthropic()


def label_all(rows):
    out = []
    for row in rows:
        out.append(client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[{"role": "user", "content": row}]))
    return out
'''

HANDLER = '''
import anthropic
from flask import Flask

app = Flask(__name__)
client = anthropic.Anthropic()


@app.post("/label")
def label():
    return client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[])
'''


def run(tmp_path: Path, *args: str):
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return runner.invoke(main, ["check", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_text_output_and_exit_1_on_findings(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    result = run(tmp_path, ".")
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith("jobs.py:9:20: BL101 ")
    assert result.output.splitlines()[-1].startswith("Found 1 synchronous Claude call")


def test_exit_0_when_nothing_found(tmp_path):
    write(tmp_path, {"web.py": HANDLER})
    result = run(tmp_path, ".")
    assert result.exit_code == 0, result.output
    assert "No synchronous Claude calls" in result.output


def test_exit_zero_flag(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    assert run(tmp_path, "--exit-zero", ".").exit_code == 0


def test_show_context_prints_the_evidence_chain(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    lines = run(tmp_path, "--show-context", ".").output.splitlines()
    assert lines[1].startswith("    Claude call `client.messages.create` in for loop over `rows`: nobody waits")  # the whole message
    assert lines[2].startswith("    = `client.messages.create`")
    assert any("not called from any analyzed code" in line for line in lines)


def test_json_format_schema(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "broken.py": "import anthropic\ndef f(:\n"})
    result = run(tmp_path, "--format", "json", ".")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) >= {"version", "findings", "errors", "summary"}
    finding = data["findings"][0]
    for key in ("code", "message", "path", "line", "column", "end_line", "end_column", "context", "evidence", "call"):
        assert key in finding
    assert finding["path"] == "jobs.py" and finding["context"] == "loop"
    assert finding["call"] == {"path": "jobs.py", "line": 9, "column": 20}
    assert data["errors"][0]["path"] == "broken.py" and data["errors"][0]["code"] == "BL001"
    assert data["summary"]["findings"] == 1 and data["summary"]["errors"] == 1


def test_noqa_on_the_reported_line(tmp_path):
    write(tmp_path, {"jobs.py": LOOP.replace('"content": row}]))', '"content": row}]))  # noqa: BL101')})
    result = run(tmp_path, ".")
    assert result.exit_code == 0
    assert "1 suppressed" in result.output


def test_noqa_for_another_code_does_not_suppress(tmp_path):
    write(tmp_path, {"jobs.py": LOOP.replace('"content": row}]))', '"content": row}]))  # noqa: E501')})
    assert run(tmp_path, ".").exit_code == 1


def test_select_and_ignore(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    assert run(tmp_path, "--ignore", "BL101", ".").exit_code == 0
    assert run(tmp_path, "--select", "BL103", ".").exit_code == 0
    assert run(tmp_path, "--select", "BL1", ".").exit_code == 1
    bad = run(tmp_path, "--select", "E501", ".")
    assert bad.exit_code == 2 and "E501" in bad.output


def test_bad_files_are_reported_and_the_run_continues(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    (tmp_path / "syntax.py").write_text("import anthropic\nclient = anthropic.Anthropic(\n")
    (tmp_path / "latin.py").write_bytes(b"import anthropic\nname = '\xe9'\n")
    (tmp_path / "nul.py").write_bytes(b"import anthropic\x00\n")
    result = run(tmp_path, ".", "missing.py")
    assert result.exit_code == 1
    out = result.output
    assert "jobs.py:9:20: BL101" in out
    assert "syntax.py:2:29: BL001 syntax error: '(' was never closed" in out  # its own place
    assert "latin.py:1:1: BL001 cannot decode as utf-8" in out
    assert "nul.py:1:1: BL001 file contains NUL bytes" in out
    assert "missing.py:1:1: BL002 no such file or directory" in out


def test_coding_cookie_and_bom_are_honoured(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    (tmp_path / "cookie.py").write_bytes(b"# -*- coding: latin-1 -*-\nimport anthropic\nname = '\xe9'\n")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + LOOP.lstrip("\n").encode())
    out = run(tmp_path, ".").output
    assert "BL001" not in out
    assert "bom.py:9:20: BL101" in out


def test_a_file_name_cannot_forge_output(tmp_path):
    name = "evil\x1b[31m.py"
    (tmp_path / name).write_text(LOOP.lstrip("\n"))
    out = run(tmp_path, ".").output
    assert "\x1b" not in out
    assert "evil\\x1b[31m.py:9:20: BL101" in out


def test_unknown_config_key_is_a_usage_error(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "pyproject.toml": "[tool.batchlint]\nselct = ['BL1']\n"})
    result = run(tmp_path, ".")
    assert result.exit_code == 2
    assert "pyproject.toml: unknown key `selct`" in result.output


def test_broken_toml_is_a_usage_error(tmp_path):
    write(tmp_path, {"jobs.py": LOOP, "pyproject.toml": "[tool.batchlint\nselect = \n"})
    result = run(tmp_path, ".")
    assert result.exit_code == 2
    assert "pyproject.toml: invalid TOML" in result.output


def test_rules_command_lists_codes():
    out = CliRunner().invoke(main, ["rules"]).output
    for code in ("BL101", "BL102", "BL103", "BL104", "BL105", "BL106", "BL107"):
        assert code in out
    assert "BL103" in CliRunner().invoke(main, ["rules", "bl103"]).output


def test_python_dash_m_entry_point(tmp_path):
    write(tmp_path, {"jobs.py": LOOP})
    proc = subprocess.run([sys.executable, "-m", "batchlint", "check", "."], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "BL101" in proc.stdout


def test_check_and_the_flake8_plugin_never_load_libcst(tmp_path):
    """The check analyzes CPython's ast; LibCST (the codemod's parser) costs
    ~0.3 s to import and several times ast's parse, so it must stay unloaded."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    script = (
        "import sys, runpy\n"
        f"sys.argv = ['batchlint', 'check', '-q', '--no-cache', '--jobs', '1', {str(fixtures)!r}]\n"
        "try:\n"
        "    runpy.run_module('batchlint', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 1, exc.code  # findings, no errors\n"
        "from batchlint.flake8_plugin import Plugin\n"
        f"lines = open({str(fixtures / 'dags' / 'ticket_enrichment.py')!r}).readlines()\n"
        "assert list(Plugin(None, lines, 'ticket_enrichment.py').run())\n"
        "print('libcst loaded:', any(m == 'libcst' or m.startswith('libcst.') for m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("libcst loaded: False")

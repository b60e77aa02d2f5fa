"""scripts/hostile_sweep.py: the generated hostile tree, and the checks it makes."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "hostile_sweep.py"
spec = importlib.util.spec_from_file_location("hostile_sweep", SCRIPT)
sweep = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sweep)


def result(stdout: str, stderr: str = "", rc: int = 1, args=("check", "--format", "json")) -> dict:
    return {"rc": rc, "stdout": stdout.encode(), "stderr": stderr.encode(), "args": list(args)}


@pytest.mark.skipif(os.environ.get("BATCHLINT_HOSTILE_SWEEP_PASSED") == "1",
                    reason=".ci/run ran the sweep (scripts/hostile_sweep.py) just before the tests, and it passed")
def test_the_sweep_passes_every_case():
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False)
    print(proc.stdout)
    assert "hostile-sweep:" in proc.stdout and " cases, " in proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]


def test_the_sweep_sees_each_kind_of_failure():
    ok = '{"findings": []}\n'
    assert sweep.problems(result(ok), (0, 1)) == []
    assert sweep.problems(result(ok, "Traceback (most recent call last):\nValueError: x"), (0, 1)) == ["traceback: ValueError: x"]
    assert sweep.problems(result(ok, rc=2), (0, 1))[0].startswith("exit 2")
    assert sweep.problems(result('{"a": NaN}'), (0, 1))[0].startswith("json output is not valid: NaN in JSON")
    assert sweep.problems(result("{"), (0, 1))[0].startswith("json output is not valid")
    text = ("check", "--format", "text")
    assert "workflow command" in sweep.problems(result("x.py:1:1: ok\n  ::warning::x\n", args=text), (0, 1))[0]
    assert "raw control" in sweep.problems(result("a\x1b[2J.py:1:1\n", args=text), (0, 1))[0]
    assert "raw control" in sweep.problems(result("bidi\u202e.py:1:1\n", args=text), (0, 1))[0]
    assert sweep.problems(result("plain.py:1:1: BL101 x\n", args=text), (0, 1)) == []
    github = ("check", "--format", "github")
    assert sweep.problems(result("::warning file=a.py,line=1::m\n", args=github), (0, 1)) == []
    assert "workflow command" in sweep.problems(result("::warning file=a.py::m\nforged\n", args=github), (0, 1))[0]
    diff = ("fix", "--diff")
    assert sweep.problems(result("--- a/x.py\r\n+++ b/x.py\r\n", args=diff), (0, 1)) == []  # a CRLF file's diff
    assert "raw control" in sweep.problems(result("+x = 1\rhidden\n", args=diff), (0, 1))[0]


def test_the_decoy_snapshot_sees_a_change(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    before = sweep.snapshot(tmp_path)
    assert sweep.snapshot(tmp_path) == before
    (tmp_path / "a.json").write_text("{} ")
    assert sweep.snapshot(tmp_path) != before

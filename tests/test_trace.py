"""`batchlint trace`: the user's own command, run with the request recorder,
through the real anthropic SDK against the local fake API (tests/fakeapi.py).
And the accuracy test: a traced run fed to `report --usage` lands on what the
fake measured."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from batchlint.savings import load_prices

from fakeapi import FakeAPI

PROGRAMS = Path(__file__).resolve().parent / "programs"
PRICES = load_prices()


def _batchlint(*args, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "batchlint", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def traced(tmp_path: Path, api: FakeAPI, code: str, output="trace.jsonl", extra_env=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, "ANTHROPIC_API_KEY": "test-key", **(extra_env or {})}
    return _batchlint("trace", "-o", output, "--", sys.executable, "-c", code, cwd=tmp_path, env=env)


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_request_shape_is_recorded_with_its_usage_and_call_site(tmp_path):
    shutil.copy(PROGRAMS / "traced_shapes.py", tmp_path)
    with FakeAPI() as api:
        proc = traced(tmp_path, api, "import traced_shapes; traced_shapes.main()")
        sent = list(api.requests)
    assert proc.returncode == 0, proc.stderr
    assert "6 Claude requests recorded in trace.jsonl" in proc.stderr
    got = records(tmp_path / "trace.jsonl")
    source = (tmp_path / "traced_shapes.py").read_text().splitlines()
    shapes = [(r["stream"], r["async"]) for r in got]
    assert shapes == [(False, False), (True, False), (True, False), (False, True), (True, True), (True, True)]
    for record, fake in zip(got, sent):
        assert (record["model"], record["input_tokens"], record["output_tokens"]) == (
            fake["model"], fake["input_tokens"], fake["output_tokens"])
        path, _, line = record["site"].rpartition(":")
        assert Path(path) == tmp_path / "traced_shapes.py"  # the first frame outside the SDK and the recorder
        assert "messages." in source[int(line) - 1]
        assert record["latency_ms"] >= 0 and record["time"].endswith("Z")
    assert len({r["run"] for r in got}) == 1


def test_program_output_and_exit_status_are_unchanged(tmp_path):
    code = "import sys; print('hello'); sys.exit(3)"
    with FakeAPI() as api:
        proc = traced(tmp_path, api, code)
    assert (proc.returncode, proc.stdout) == (3, "hello\n")
    assert "0 Claude requests recorded" in proc.stderr
    assert (tmp_path / "trace.jsonl").read_text() == ""


def test_a_recorder_that_cannot_write_does_not_break_the_program(tmp_path):
    shutil.copy(PROGRAMS / "traced_shapes.py", tmp_path)
    bootstrap = Path(__file__).resolve().parent.parent / "batchlint" / "trace" / "bootstrap"
    with FakeAPI() as api:
        env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, "ANTHROPIC_API_KEY": "k", "PYTHONPATH": str(bootstrap),
               "BATCHLINT_TRACE_FILE": str(tmp_path / "missing-folder" / "t.jsonl")}
        proc = subprocess.run([sys.executable, "-c", "import traced_shapes; traced_shapes.main(); print('done')"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert len(api.requests) == 6
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "done\n", "")


def test_the_programs_own_sitecustomize_still_runs(tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "sitecustomize.py").write_text("import os\nopen(os.path.join(os.path.dirname(__file__), 'ran'), 'w').close()\n")
    with FakeAPI() as api:
        proc = traced(tmp_path, api, "pass", extra_env={"PYTHONPATH": str(own)})
    assert proc.returncode == 0, proc.stderr
    assert (own / "ran").exists()


def test_a_command_that_cannot_start_is_one_line_and_exit_2(tmp_path):
    proc = _batchlint("trace", "--", "no-such-command-batchlint", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "batchlint: error: command not found: no-such-command-batchlint\n"
    empty = _batchlint("trace", cwd=tmp_path)
    assert empty.returncode == 2 and empty.stderr.count("\n") == 1


# ------------------------------------------------------------------ accuracy
def _fake_cost(requests: list[dict]) -> float:
    total = 0.0
    for r in requests:
        price = PRICES.get(r["model"])
        total += (r["input_tokens"] * price.input + r["output_tokens"] * price.output) / 1e6
    return total


@pytest.mark.parametrize(
    "module, function, runs_per_month",
    [
        ("nightly_labels", "label_tickets", 30),  # cron "0 3 * * *"
        ("doc_enrichment", "enrich", 720),  # hourly; computed documents: the static estimate is +46% off
    ],
)
def test_report_with_a_trace_lands_within_5_percent_of_what_the_fake_measured(tmp_path, module, function, runs_per_month):
    shutil.copy(PROGRAMS / f"{module}.py", tmp_path)
    with FakeAPI() as api:
        proc = traced(tmp_path, api, f"import {module}; {module}.{function}()")
        sent = list(api.requests)
    assert proc.returncode == 0, proc.stderr
    measured = _fake_cost(sent) * runs_per_month
    report = _batchlint("report", "--format", "json", "--no-cache", "--usage", "trace.jsonl", f"{module}.py", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    (candidate,) = data["candidates"]
    estimated = candidate["estimate"]["monthly_usd"]["now"]
    print(f"{module}: fake measured ${measured:.4f}/month, report --usage ${estimated:.4f}/month")
    assert estimated == pytest.approx(measured, rel=0.05)
    assert candidate["estimate"]["basis"] == "measured"
    assert data["totals"]["saving_measured"] == data["totals"]["monthly_usd"]["saving"]
    static = _batchlint("report", "--format", "json", "--no-cache", f"{module}.py", cwd=tmp_path)
    assert json.loads(static.stdout)["candidates"][0]["estimate"]["basis"] != "measured"

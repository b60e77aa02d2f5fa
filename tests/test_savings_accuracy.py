"""The static estimate against what programs really cost.

Each program runs once through the real anthropic SDK against a local fake of
the Messages API (tests/fakeapi.py), which counts tokens its own way and
records them. The measured cost of one run, times the runs per month the code
states, is compared with batchlint's estimate for the same file.

Where the code states its volume and its prompt text (cron + range(N), or a
volume hint), the estimate must be within ±30%. Where the prompt is a computed
document, the estimate rests on the 500-token default: that error is printed
and bounded loosely, and documented in docs/savings.md."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from batchlint import check_paths
from batchlint.config import Config
from batchlint.savings import load_prices

from fakeapi import FakeAPI
from inprocess import run_program as run_file

PROGRAMS = Path(__file__).resolve().parent / "programs"
PRICES = load_prices()


def run_program(tmp_path: Path, module: str, function: str) -> list[dict]:
    shutil.copy(PROGRAMS / f"{module}.py", tmp_path / f"{module}.py")
    with FakeAPI() as api:
        env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, "ANTHROPIC_API_KEY": "test-key"}
        (tmp_path / "drive.py").write_text(f"import {module}\n{module}.{function}()\n")
        proc = run_file(tmp_path / "drive.py", env)  # in this process: tests/inprocess.py
        assert proc.returncode == 0, proc.stderr
        return list(api.requests)


def measured_cost(requests: list[dict]) -> float:
    total = 0.0
    for r in requests:
        price = PRICES.get(r["model"])
        total += (r["input_tokens"] * price.input + r["output_tokens"] * price.output) / 1e6
    return total


def estimated(tmp_path: Path, module: str):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = check_paths([f"{module}.py"], Config(root=str(tmp_path)))
    finally:
        os.chdir(old)
    candidates = [f for f in result.findings if f.code.startswith("BL1")]
    assert len(candidates) == 1, [(f.code, f.line) for f in result.findings]
    return candidates[0].estimate


@pytest.mark.parametrize(
    "module, function, runs_per_month, calls_per_run",
    [
        ("nightly_labels", "label_tickets", 30, 40),  # cron "0 3 * * *", range(40)
        ("weekly_digest", "weekly_digest", 30 / 7, 25),  # schedule.every().monday, volume=25/run
    ],
)
def test_estimate_within_30_percent_where_the_code_states_volume(tmp_path, module, function, runs_per_month, calls_per_run):
    requests = run_program(tmp_path, module, function)
    assert len(requests) == calls_per_run
    measured = measured_cost(requests) * runs_per_month
    estimate = estimated(tmp_path, module)
    assert estimate.calls_per_month == pytest.approx(runs_per_month * calls_per_run)
    error = estimate.monthly_now / measured - 1
    print(f"{module}: measured ${measured:.4f}/month, estimated ${estimate.monthly_now:.4f}/month, error {error:+.0%}")
    assert abs(error) <= 0.30


def test_estimate_for_computed_documents_rests_on_the_default(tmp_path):
    requests = run_program(tmp_path, "doc_enrichment", "enrich")
    measured = measured_cost(requests) * 720  # hourly
    estimate = estimated(tmp_path, "doc_enrichment")
    assert estimate.calls_per_month == 720 * 10
    error = estimate.monthly_now / measured - 1
    print(f"doc_enrichment: measured ${measured:.4f}/month, estimated ${estimate.monthly_now:.4f}/month, error {error:+.0%}")
    assert abs(error) <= 1.0  # documents of unknown size: the default can be off by a factor

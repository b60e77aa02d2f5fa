"""`batchlint status` on a state folder the runtime wrote against the fake API:
one key with a batch still in progress, one whose batch ended with a failed
item, one finished; and on missing or garbled state."""

from __future__ import annotations

import base64
import json
import pickle
import subprocess
import sys

import anthropic
import pytest
from click.testing import CliRunner
from fakeapi import FakeAPI
from runtime_helpers import batch_of, cb, client, params

from batchlint.cli import main
from batchlint.savings import load_prices
from batchlint.status import _turnaround


@pytest.fixture
def state(tmp_path, monkeypatch):
    """pending: in progress; failing: ended, 'b' failed, results of a and c not processed; done: finished."""
    monkeypatch.setenv("CLAUDE_BATCH_POLL_SECONDS", "0.001")
    directory = tmp_path / "state"
    invalid = {r.custom_id for r in cb._requests([("b", params("b"))])}
    with FakeAPI(polls_to_end=1, outcome=lambda cid, attempt: "errored:invalid_request_error" if cid in invalid else "succeeded") as api:
        sdk = client(api)
        done = list(batch_of(sdk.messages, ["x", "y"], key="jobs:done", state_dir=directory).results())
        with pytest.raises(anthropic.AnthropicError):
            list(batch_of(sdk.messages, ["a", "b", "c"], key="jobs:failing", state_dir=directory).results())
        api.polls_to_end = 10**9
        list(batch_of(sdk.messages, ["p", "q", "r", "s"], key="jobs:pending", state_dir=directory, wait=False).results())
    return directory, done


def status(*args, env=None):
    return CliRunner().invoke(main, ["status", *args], env=env)


def test_json_lists_pending_turnaround_failures_and_cost(state):
    directory, done = state
    result = status(str(directory), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert sorted((p["key"], p["status"], p["requests"], p["unprocessed"]) for p in data["pending"]) == [
        ("jobs:failing", "ended", 2, 2), ("jobs:pending", "in_progress", 4, 4)]
    assert data["turnaround"]["batches"] == 2 and data["turnaround"]["max_s"] >= data["turnaround"]["p50_s"] >= 0
    failures = data["failures"]
    assert (failures["succeeded"], failures["errored"], failures["expired"]) == (4, 1, 0)
    assert [(f["key"], f["item"]) for f in failures["items"]] == [("jobs:failing", "'b'")]
    assert failures["items"][0]["reason"].startswith("invalid_request_error")
    (model,) = data["cost"]["models"]
    assert model["model"] == "claude-haiku-4-5"
    price = load_prices().get("claude-haiku-4-5")
    tokens_in = model["input_tokens"]
    tokens_out = model["output_tokens"]
    assert tokens_out >= sum(m.usage.output_tokens for _, m in done)  # the done batch and the failing one's two
    assert model["batch_usd"] == pytest.approx((tokens_in * price.input + tokens_out * price.output) / 1e6 * 0.5)
    assert data["cost"]["standard_usd"] == pytest.approx(2 * data["cost"]["batch_usd"])
    assert data["problems"] == []


def test_text_names_each_pending_batch_and_failed_item(state):
    directory, _ = state
    result = status(str(directory))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Pending batches: 2" in out
    assert "jobs:pending  msgbatch_fake0003  in progress for " in out and "4 requests" in out
    assert "jobs:failing  msgbatch_fake0002  ended, 2 of 2 results not processed yet" in out
    assert "Turnaround over 2 ended batches: p50 " in out
    assert "Failures: 1 errored, 0 expired, 0 canceled of 5 requests" in out
    assert "jobs:failing  'b': invalid_request_error" in out
    assert "at batch prices" in out and "claude-haiku-4-5" in out


def test_default_state_dir_comes_from_the_environment(state, monkeypatch, tmp_path):
    directory, _ = state
    monkeypatch.chdir(tmp_path)
    assert "Pending batches: 2" in status(env={"CLAUDE_BATCH_STATE_DIR": str(directory)}).output
    result = status(env={"CLAUDE_BATCH_STATE_DIR": ""})
    assert result.exit_code == 2 and "no batch state folder at .claude_batch" in result.output


def test_a_missing_folder_is_one_line_and_exit_2(tmp_path):
    result = status(str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: no batch state folder at {tmp_path / 'nowhere'} (pass STATE_DIR or set CLAUDE_BATCH_STATE_DIR)"]


def test_garbled_files_are_named_and_the_rest_is_still_reported(state):
    directory, _ = state
    bad = directory / "0000garbled.json"
    bad.write_text("{oops")
    with open(directory / "history.jsonl", "a") as handle:
        handle.write("not json\n")
    lines = (directory / "history.jsonl").read_text().count("\n")
    result = status(str(directory), "--format", "json")
    assert result.exit_code == 0
    assert f"batchlint: warning: {bad}: unreadable batch state" in result.output
    assert f"batchlint: warning: {directory / 'history.jsonl'}:{lines}: unreadable history line" in result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert len(data["pending"]) == 2 and data["turnaround"]["batches"] == 2


def test_status_never_unpickles_items(tmp_path):
    trap = tmp_path / "unpickled"

    class Trap:
        def __reduce__(self):
            return (open, (str(trap), "w"))

    record = {"version": 1, "key": "k", "consumed": [], "failed": [], "batches": [{
        "id": "msgbatch_1", "submitted_at": "2026-12-01T00:00:00+00:00", "status": "in_progress", "ended_at": None,
        "request_counts": None, "requests": [{"custom_id": "c-0", "hash": "c", "n": 0, "attempts": 1,
                                              "item": base64.b64encode(pickle.dumps(Trap())).decode()}]}]}
    (tmp_path / "x.json").write_text(json.dumps(record))
    result = status(str(tmp_path))
    assert result.exit_code == 0 and "k  msgbatch_1  in progress for" in result.output
    assert not trap.exists()
    check = "import sys, batchlint.status; print('anthropic' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", check], check=True, capture_output=True, text=True).stdout == "False\n"


def test_consumed_results_are_not_counted_as_pending(tmp_path):
    record = {"version": 1, "key": "k", "consumed": ["c-0"], "failed": [], "batches": [{
        "id": "msgbatch_1", "submitted_at": "2026-12-01T00:00:00+00:00", "status": "ended", "ended_at": None,
        "request_counts": None, "requests": [{"custom_id": f"c-{n}", "item": None} for n in range(3)]}]}
    (tmp_path / "x.json").write_text(json.dumps(record))
    assert "ended, 2 of 3 results not processed yet" in status(str(tmp_path)).output
    (tmp_path / "x.consumed").write_text("c-1\nc-2\n")
    assert "Pending batches: none" in status(str(tmp_path)).output


def test_turnaround_percentiles_are_nearest_rank():
    assert _turnaround([float(n) for n in range(20, 0, -1)]) == {"batches": 20, "p50_s": 10.0, "p95_s": 19.0, "max_s": 20.0}
    assert _turnaround([]) == {"batches": 0, "p50_s": None, "p95_s": None, "max_s": None}

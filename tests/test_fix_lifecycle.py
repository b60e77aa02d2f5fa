"""What a rewritten program does over its life, run through the real SDK
against the fake API: killed after it submitted and run again, a scheduled job
in the non-blocking form over several runs while its items change, and unit
tests that hand it a MagicMock client."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from fakeapi import FakeAPI
from inprocess import run_program

CASES = Path(__file__).resolve().parent / "fix_cases"


def env(api: FakeAPI) -> dict:
    return {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, "ANTHROPIC_API_KEY": "test-key",
            "CLAUDE_BATCH_POLL_SECONDS": "0.01", "PYTHONHASHSEED": "0"}


def run(path: Path, api: FakeAPI) -> subprocess.CompletedProcess:
    """`python NAME` in this process (tests/inprocess.py); the kill test starts its own process to kill."""
    return run_program(path, env(api))


def fix(folder: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "batchlint", "fix", "--unsafe-fixes", "--isolated", "--no-cache", "."],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "rewrote 1 loop" in proc.stderr, proc.stderr


def test_a_program_killed_after_it_submitted_collects_that_batch_when_run_again(tmp_path):
    path = tmp_path / "labels.py"
    shutil.copy(CASES / "docs" / path.name, path)
    with FakeAPI() as api:
        before = run(path, api)
        assert before.returncode == 0, before.stderr
        sync_calls = len(api.requests)
    fix(tmp_path)
    with FakeAPI(polls_to_end=10**9) as api:  # the batch never ends while the first run waits
        proc = subprocess.Popen([sys.executable, path.name], cwd=tmp_path, env=env(api),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not api.batches and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert api.batches, proc.communicate()
        time.sleep(0.1)  # let it reach the wait
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        api.polls_to_end = 0  # the batch has ended by the time the program runs again
        again = run(path, api)
        assert again.returncode == 0, again.stderr
        assert again.stdout == before.stdout
        assert api.requests == []  # no synchronous call
        assert len(api.batches) == 1 and len(api.batch_requests) == sync_calls  # not paid twice


def test_a_scheduled_job_submits_and_returns_then_a_later_run_finishes_without_losing_an_item(tmp_path):
    path = tmp_path / "feedback_job.py"
    shutil.copy(CASES / "scheduled" / path.name, path)
    rows = [{"id": i, "comment": f"comment number {i}"} for i in (1, 2, 3)]
    feed = tmp_path / "feedback.json"
    feed.write_text(json.dumps(rows))
    with FakeAPI() as api:
        before = run(path, api)
        assert before.returncode == 0, before.stderr
        feed.write_text(json.dumps([rows[0], rows[2], {"id": 4, "comment": "comment number 4"}]))
        expected_4 = run(path, api).stdout.splitlines()[-1]
    expected = before.stdout.splitlines() + [expected_4]
    feed.write_text(json.dumps(rows))
    fix(tmp_path)
    assert "wait=False" in path.read_text()
    with FakeAPI(polls_to_end=10**9) as api:
        first = run(path, api)  # submits and returns: nothing has ended yet
        assert first.returncode == 0, first.stderr
        assert first.stdout == "" and len(api.batches) == 1 and len(api.batch_requests) == 3
        # between the runs: row 2 leaves the source, row 4 arrives, the first batch ends
        feed.write_text(json.dumps([rows[0], rows[2], {"id": 4, "comment": "comment number 4"}]))
        api.polls_to_end = 0
        second = run(path, api)
        assert second.returncode == 0, second.stderr
        assert second.stdout.splitlines()[:3] == expected[:3]  # row 2's paid result is used too
        assert len(api.batches) == 2 and len(api.batch_requests) == 4  # only row 4 was submitted again
        third = run(path, api)  # row 4's result, if the second run did not find its batch ended yet
        assert third.returncode == 0, third.stderr
        assert second.stdout.splitlines() + third.stdout.splitlines() == expected  # each row once, in order
        # like the original job, every tick asks again for the rows it reads; the third run
        # submitted rows 1 and 3 again (their first results were used), the fourth uses those
        fourth = run(path, api)
        assert fourth.returncode == 0, fourth.stderr
        assert fourth.stdout.splitlines() == [expected[0], expected[2]]
        assert len(api.batches) == 4 and api.requests == []


def test_unit_tests_with_a_mock_client_get_the_synchronous_call_and_never_hang(tmp_path):
    path = tmp_path / "labels.py"
    shutil.copy(CASES / "docs" / path.name, path)
    fix(tmp_path)
    code = ("from unittest import mock\nimport labels\nlabels.client = mock.MagicMock()\n"
            "labels.client.messages.create.return_value.content = [mock.Mock(text='x y')]\n"
            "labels.main()\nprint('calls', labels.client.messages.create.call_count)\n"
            "print('batches', labels.client.messages.batches.create.call_count)\n")
    (tmp_path / "unit_test.py").write_text(code)
    proc = run_program(tmp_path / "unit_test.py", {**os.environ, "ANTHROPIC_API_KEY": "test-key"})
    assert proc.returncode == 0, proc.stderr
    assert "calls 3" in proc.stdout and "batches 0" in proc.stdout

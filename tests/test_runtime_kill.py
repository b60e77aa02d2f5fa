"""A program that uses the runtime, killed with SIGKILL while it waits for its
batch, then run again in the same folder: it prints what the synchronous
original printed, makes no synchronous call, and the fake counts one batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from fakeapi import FakeAPI
from inprocess import run_program
from runtime_helpers import write_runtime

ORIGINAL = '''\
import anthropic

client = anthropic.Anthropic()
docs = ["alpha", "beta", "gamma", "alpha"]

for doc in docs:
    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=30,
                                   messages=[{"role": "user", "content": doc}])
    print(doc, len(reply.content[0].text.split()), flush=True)
'''

REWRITTEN = '''\
import anthropic

import _claude_batch

client = anthropic.Anthropic()
docs = ["alpha", "beta", "gamma", "alpha"]

batch = _claude_batch.Batch(client.messages, "labels:main")
for doc in docs:
    batch.add(doc, model="claude-haiku-4-5", max_tokens=30, messages=[{"role": "user", "content": doc}])
for doc, reply in batch.results():
    print(doc, len(reply.content[0].text.split()), flush=True)
'''


def environment(api: FakeAPI) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_BATCH_")}
    return {**env, "ANTHROPIC_BASE_URL": api.base_url, "ANTHROPIC_API_KEY": "test-key", "CLAUDE_BATCH_POLL_SECONDS": "0.01"}


def run(folder, name, api) -> str:
    """`python NAME` in this process (tests/inprocess.py); only the run to kill needs a process of its own."""
    done = run_program(folder / name, environment(api))
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_after_submitting_then_rerun_collects_the_same_batch(tmp_path):
    (tmp_path / "original.py").write_text(ORIGINAL)
    (tmp_path / "job.py").write_text(REWRITTEN)
    write_runtime(tmp_path)
    with FakeAPI(polls_to_end=10**9) as api:
        expected = run(tmp_path, "original.py", api)
        synchronous_calls = len(api.requests)
        process = subprocess.Popen([sys.executable, "job.py"], cwd=tmp_path, env=environment(api),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        give_up = time.monotonic() + 120
        while not api.batches and process.poll() is None and time.monotonic() < give_up:
            time.sleep(0.01)
        process.kill()  # SIGKILL: no cleanup of any kind
        out, _ = process.communicate()
        assert len(api.batches) == 1 and out == b""
        assert list((tmp_path / ".claude_batch").glob("*.json"))  # the batch was recorded before the wait
        api.polls_to_end = 0  # the batch ends
        rerun = run(tmp_path, "job.py", api)
    assert rerun == expected and expected.count("\n") == 4
    assert len(api.batches) == 1 and len(api.batch_requests) == 4
    assert len(api.requests) == synchronous_calls  # no synchronous call from the rewritten program
    assert not list((tmp_path / ".claude_batch").glob("*.json"))


REPLAYED_ORIGINAL = '''\
import anthropic

client = anthropic.Anthropic()


def ask(prompt, max_tokens=30):
    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=max_tokens,
                                   messages=[{"role": "user", "content": prompt}])
    return reply.content[0].text


def grade(question):
    answer = ask(f"Solve {question}")
    verdict = ask(f"Grade {answer}", max_tokens=8)
    print(question, len(answer.split()), len(verdict.split()), flush=True)


for question in ["2+2", "3*3", "2+2"]:
    grade(question)
'''

REPLAYED = REPLAYED_ORIGINAL.replace("import anthropic\n", "import anthropic\n\nimport _claude_batch\n").replace(
    'for question in ["2+2", "3*3", "2+2"]:\n    grade(question)\n',
    '_claude_batch.fan_out(grade, ["2+2", "3*3", "2+2"], "grading:main")\n')


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_replayed_fan_out_killed_in_its_second_round_resumes_without_paying_again(tmp_path):
    (tmp_path / "original.py").write_text(REPLAYED_ORIGINAL)
    (tmp_path / "job.py").write_text(REPLAYED)
    write_runtime(tmp_path)
    with FakeAPI(polls_to_end=1) as api:
        expected = run(tmp_path, "original.py", api)
        api.requests.clear()
        api.held_from = 2  # round 1's batch ends; round 2's stays in progress until the rerun
        process = subprocess.Popen([sys.executable, "job.py"], cwd=tmp_path, env=environment(api),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        give_up = time.monotonic() + 120
        while len(api.batches) < 2 and process.poll() is None and time.monotonic() < give_up:
            time.sleep(0.01)
        process.kill()
        out, _ = process.communicate()
        assert len(api.batches) == 2 and out == b""  # nothing printed before every item has its answers
        api.held_from = None
        rerun = run(tmp_path, "job.py", api)
    assert rerun == expected and expected.count("\n") == 3
    assert len(api.batches) == 2 and len(api.batch_requests) == 6  # neither round submitted again
    assert api.requests == []
    assert not list((tmp_path / ".claude_batch").glob("*.json"))

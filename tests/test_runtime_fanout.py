"""fan_out / afan_out, the runtime's record/replay executor, against the fake
API through the real SDK: answers equal the synchronous ones, one batch per
round of dependent calls, independent samples stay independent, failures come
back as the SDK's own errors at the call, output is held and written in item
order, and mocks, patched SDKs and CLAUDE_BATCH_DISABLE get synchronous calls."""

from __future__ import annotations

import asyncio
import logging
from unittest import mock

import anthropic
import pytest
from anthropic.resources.messages import Messages
from fakeapi import FakeAPI
from runtime_helpers import aclient, cb, client


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAUDE_BATCH_POLL_SECONDS", "0.001")
    for name in ("CLAUDE_BATCH_STATE_DIR", "CLAUDE_BATCH_DISABLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def ask(claude, prompt, max_tokens=20):
    reply = claude.messages.create(model="claude-haiku-4-5", max_tokens=max_tokens,
                                   messages=[{"role": "user", "content": prompt}])
    return reply.content[0].text


def generate_then_grade(claude):
    def item(question):
        answer = ask(claude, f"Solve {question}")
        verdict = ask(claude, f"Is {answer!r} right for {question}?", max_tokens=8)
        return question, len(answer.split()), len(verdict.split())
    return item


QUESTIONS = ["2+2", "3*3", "2+2", "10-1"]


def test_answers_equal_the_synchronous_ones_in_one_batch_per_dependent_call():
    with FakeAPI(polls_to_end=1) as api:
        expected = [generate_then_grade(client(api))(q) for q in QUESTIONS]
        synchronous = len(api.requests)
    with FakeAPI(polls_to_end=1) as api:
        got = cb.fan_out(generate_then_grade(client(api)), QUESTIONS, "tests:eval")
        assert api.requests == [] and len(api.batches) == 2
        assert len(api.batch_requests) == synchronous == 8
    assert got == expected


def test_identical_requests_are_independent_samples():
    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)
        cb.fan_out(lambda q: [ask(claude, "same"), ask(claude, "same")], ["x", "y"], "tests:samples")
        ids = [r["custom_id"] for r in api.batch_requests]
        assert len(api.batches) == 2  # each item's second call waits for its first
    # four requests, none folded into another: within a batch each has its own custom_id
    assert len(ids) == 4 and len(set(ids[:2])) == 2 and len(set(ids[2:])) == 2


def test_a_failed_request_raises_the_sdks_error_at_its_call_and_retryable_ones_are_resubmitted():
    def outcome(custom_id, attempt):
        prompt = next(r["messages"][0]["content"] for r in api.batch_requests if r["custom_id"] == custom_id)
        if prompt == "broken":
            return "errored:invalid_request_error"
        return "expired" if prompt == "late" and attempt == 1 else "succeeded"

    with FakeAPI(polls_to_end=1, outcome=outcome) as api:
        claude = client(api)

        def item(prompt):
            try:
                return ask(claude, prompt)
            except anthropic.BadRequestError as exc:
                return f"bad request {exc.status_code}: {exc.message}"

        got = cb.fan_out(item, ["ok", "broken", "late"], "tests:failures")
        prompts = [r["messages"][0]["content"] for r in api.batch_requests]
    assert got[1].startswith("bad request 400: ") and "fake invalid_request_error" in got[1]
    assert got[0].startswith("word") and got[2].startswith("word")
    assert prompts.count("late") == 2 and prompts.count("broken") == 1  # expired: sent again; invalid: not


def test_an_item_that_raises_ends_the_run_after_the_items_before_it(capsys):
    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)

        def item(n):
            print("item", n)
            if n == 2:
                raise ValueError("bad row")
            return len(ask(claude, f"row {n}"))

        with pytest.raises(ValueError, match="bad row"):
            cb.fan_out(item, [0, 1, 2, 3], "tests:raises")
        assert len(api.batch_requests) == 2  # item 3 never ran, as in the original loop
    assert capsys.readouterr().out == "item 0\nitem 1\nitem 2\n"
    assert list((cb.os.path.abspath(".claude_batch"),)) and cb.FileStore(".claude_batch").load("tests:raises/pass1")


def test_printing_and_logging_are_written_once_per_item_in_item_order(capsys, caplog):
    log = logging.getLogger("tests.fanout")
    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)

        def item(n):
            print("start", n)
            log.warning("asking %s", n)
            if n % 2:
                return "skipped"  # no call: it finishes in the first round
            answer = ask(claude, f"row {n}")
            print("done", n)
            return len(answer)

        with caplog.at_level(logging.WARNING, logger="tests.fanout"):
            cb.fan_out(item, [0, 1, 2, 3], "tests:output")
    assert capsys.readouterr().out == "start 0\ndone 0\nstart 1\nstart 2\ndone 2\nstart 3\n"
    assert [r.getMessage() for r in caplog.records if r.name == "tests.fanout"] == [f"asking {n}" for n in range(4)]


def test_a_request_that_changes_between_rounds_stops_with_replay_error():
    counter = iter(range(100))
    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)
        with pytest.raises(cb.ReplayError, match="differs from the one recorded"):
            cb.fan_out(lambda n: ask(claude, f"row {n} {next(counter)}"), [1], "tests:clock")


def test_nested_fan_outs_share_the_rounds_of_the_outer_one():
    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)
        subjects = {"math": ["2+2", "3+3"], "art": ["fresco"]}
        expected = {s: [len(ask(claude, q)) for q in qs] for s, qs in subjects.items()}
        api.requests.clear()
        got = cb.fan_out(lambda s: (s, cb.fan_out(lambda q: len(ask(claude, q)), subjects[s], "inner")),
                         list(subjects), "tests:nested")
        assert api.requests == [] and len(api.batches) == 1 and len(api.batch_requests) == 3
    assert dict(got) == expected


def test_async_fan_out_gathers_the_items_in_rounds():
    async def main(api):
        claude = aclient(api)

        async def item(question):
            first = await claude.messages.create(model="claude-haiku-4-5", max_tokens=20,
                                                 messages=[{"role": "user", "content": question}])
            second = await claude.messages.create(model="claude-haiku-4-5", max_tokens=9,
                                                  messages=[{"role": "user", "content": first.content[0].text}])
            return len(second.content[0].text)

        return item

    with FakeAPI(polls_to_end=1) as api:
        item = asyncio.run(main(api))
        expected = asyncio.run(_gather(item, QUESTIONS))
        api.requests.clear()
        item = asyncio.run(main(api))
        got = asyncio.run(cb.afan_out(item, QUESTIONS, "tests:async"))
        assert api.requests == [] and len(api.batches) == 2
    assert got == expected


async def _gather(function, items):
    return list(await asyncio.gather(*(function(i) for i in items)))


def test_mocks_patched_sdks_and_disable_get_synchronous_calls(monkeypatch):
    fake_client = mock.MagicMock()
    fake_client.messages.create.return_value.content = [mock.Mock(text="mocked")]
    assert cb.fan_out(lambda q: ask(fake_client, q), ["a", "b"], "tests:mock") == ["mocked", "mocked"]
    assert fake_client.messages.create.call_count == 2

    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)
        with mock.patch.object(Messages, "create", autospec=True) as patched:
            patched.return_value.content = [mock.Mock(text="patched")]
            assert cb.fan_out(lambda q: ask(claude, q), ["a"], "tests:patched") == ["patched"]
        monkeypatch.setenv("CLAUDE_BATCH_DISABLE", "1")
        cb.fan_out(lambda q: ask(claude, q), ["a", "b"], "tests:disabled")
        assert len(api.requests) == 2 and api.batches == {}


def test_the_sdk_is_unwrapped_and_streams_restored_after_a_run():
    import sys
    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)
        cb.fan_out(lambda q: ask(claude, q), ["a"], "tests:restore")
        assert Messages.create is cb._SDK_CREATE[Messages]
        assert not isinstance(sys.stdout, cb._Held)
        ask(claude, "after")  # outside fan_out: a plain synchronous call
        assert len(api.requests) == 1


def test_an_item_that_swallows_the_stop_fails_loudly_instead_of_returning_a_wrong_result():
    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)

        def item(prompt):
            try:
                return ask(claude, prompt)
            except BaseException:  # noqa: BLE001 - the hazard under test
                return "no answer"

        with pytest.raises(cb.ReplayError, match="went on after its Claude call was stopped"):
            cb.fan_out(item, ["a", "b"], "tests:swallowed")


def test_pool_futures_run_through_fan_out_when_a_result_is_asked_for():
    import concurrent.futures

    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)

        def job(n):
            if n == 1:
                raise ValueError("bad item")
            return len(ask(claude, f"row {n}"))

        with cb.Pool("tests:pool") as pool:
            futures = {pool.submit(job, n): n for n in range(3)}
            assert api.batches == {}  # nothing runs before a result is asked for
            done = {futures[f]: (f.exception() or f.result()) for f in cb.as_completed(futures)}
        assert len(api.batches) == 1 and len(api.batch_requests) == 2 and api.requests == []
        assert isinstance(done[1], ValueError) and isinstance(done[0], int) and isinstance(done[2], int)

        with cb.Pool("tests:pool-exit") as pool:
            later = [pool.submit(job, n) for n in (0, 2)]
        assert all(f.done() for f in later)  # the block's end runs them, as a pool's exit waits
        assert [f.result() for f in later] == [done[0], done[2]]
        finished, _ = cb.wait([pool.submit(job, 0)])
        assert len(finished) == 1 and isinstance(next(iter(finished)), concurrent.futures.Future)


def test_an_item_that_takes_another_path_when_replayed_fails_loudly():
    coin = iter([True, True, False, True])  # item 0 asks Claude in round 1, then decides not to

    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)

        def item(n):
            if next(coin):
                return len(ask(claude, f"row {n}"))
            return None

        with pytest.raises(cb.ReplayError, match="took another path when it was replayed"):
            cb.fan_out(item, [0, 1], "tests:diverged")


def test_an_item_returning_stop_ends_the_fan_out_like_break():
    with FakeAPI(polls_to_end=1) as api:
        claude = client(api)
        seen = []

        def item(n):
            seen.append(n)
            if n == 2:
                return cb.STOP
            return len(ask(claude, f"row {n}"))

        got = cb.fan_out(item, range(5), "tests:stop")
        assert got[2:] == [None, None, None] and all(isinstance(v, int) for v in got[:2])
        assert 3 not in seen and 4 not in seen and len(api.batch_requests) == 2

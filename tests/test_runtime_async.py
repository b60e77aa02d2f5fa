"""The runtime with async clients: aresults() behaves as results() does."""

from __future__ import annotations

import asyncio
import logging
from unittest import mock

import anthropic
import pytest
from fakeapi import FakeAPI
from runtime_helpers import aclient, batch_of, cb, client, params, requests_of, texts

ITEMS = ["a", "b", "c"]


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAUDE_BATCH_POLL_SECONDS", "0.001")
    for name in ("CLAUDE_BATCH_STATE_DIR", "CLAUDE_BATCH_DISABLE", "CLAUDE_BATCH_DEADLINE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def collect(batch):
    async def go():
        return [pair async for pair in batch.aresults()]

    return asyncio.run(go())


def sync_answers(api, items):
    return texts((item, client(api).messages.create(**params(item))) for item in items)


def test_async_blocking_results_in_add_order_with_one_batch(tmp_path):
    with FakeAPI(polls_to_end=3) as api:
        got = texts(collect(batch_of(aclient(api).messages, ITEMS + ["a"])))
        assert len(api.batches) == 1 and api.requests == []
        assert got == sync_answers(api, ITEMS + ["a"])
    assert not list((tmp_path / ".claude_batch").glob("*.json"))


def test_async_beta_messages():
    with FakeAPI() as api:
        got = [item for item, _ in collect(batch_of(aclient(api).beta.messages, ITEMS))]
    assert got == ITEMS and len(api.batches) == 1


def test_async_failures_raise_one_error_and_retries_are_bounded():
    failed = pytest.raises(anthropic.AnthropicError, match=r"3 of 3 batch requests failed:\n  item 0 'a': api_error")
    with FakeAPI(outcome=lambda cid, attempt: "errored:api_error") as api, failed:
        collect(batch_of(aclient(api).messages, ITEMS, max_attempts=2))
    assert [requests_of(api, i) for i in ITEMS] == [2, 2, 2]


def test_async_deadline_then_rerun_collects_without_submitting():
    with FakeAPI(polls_to_end=10**9) as api:
        with pytest.raises(anthropic.AnthropicError, match="msgbatch_fake0001"):
            collect(batch_of(aclient(api).messages, ITEMS, deadline_seconds=0))
        api.polls_to_end = 0
        got = [item for item, _ in collect(batch_of(aclient(api).messages, ITEMS))]
    assert got == ITEMS and len(api.batches) == 1 and len(api.batch_requests) == 3


def test_async_decoupled_runs_with_items_added_and_removed(monkeypatch):
    async def no_sleep(seconds):
        pytest.fail("a decoupled run must not sleep")

    monkeypatch.setattr(cb.asyncio, "sleep", no_sleep)
    with FakeAPI(polls_to_end=1) as api:
        assert collect(batch_of(aclient(api).messages, ["a", "b", "c"], wait=False)) == []
        second = [item for item, _ in collect(batch_of(aclient(api).messages, ["a", "b", "d"], wait=False))]
        third = [item for item, _ in collect(batch_of(aclient(api).messages, ["d"], wait=False))]
    assert second == ["a", "b", "c"] and third == ["d"]
    assert [requests_of(api, i) for i in "abcd"] == [1, 1, 1, 1] and len(api.batches) == 2


def test_async_mock_client_gets_the_awaited_calls_in_order(tmp_path):
    fake = mock.MagicMock()
    fake.messages.create = mock.AsyncMock(side_effect=lambda **p: p["messages"][0]["content"])
    got = collect(batch_of(fake.messages, ITEMS))
    assert got == [(i, f"ticket {i}") for i in ITEMS]
    assert not (tmp_path / ".claude_batch").exists()
    with pytest.raises(TypeError, match="aresults"):
        batch_of(fake.messages, ITEMS).results()


def test_async_module_helper_and_logging(caplog):
    async def go(api):
        pairs = [cb.request(i, **params(i)) for i in ITEMS]
        return [item async for item, _ in cb.aresults(aclient(api).messages, "k", pairs)]

    with FakeAPI() as api, caplog.at_level(logging.INFO, logger="claude_batch"):
        assert asyncio.run(go(api)) == ITEMS
    assert "k: submitted batch msgbatch_fake0001 with 3 requests" in [r.getMessage() for r in caplog.records]


def test_async_finds_a_batch_created_but_not_recorded(tmp_path):
    class Killed(BaseException):
        pass

    class KilledAfterCreate(cb.FileStore):
        def save(self, key, record):
            if record["batches"]:
                raise Killed
            super().save(key, record)

    with FakeAPI() as api:
        with pytest.raises(Killed):
            collect(batch_of(aclient(api).messages, ITEMS, store=KilledAfterCreate(tmp_path)))
        got = [item for item, _ in collect(batch_of(aclient(api).messages, ITEMS, state_dir=tmp_path))]
    assert got == ITEMS and len(api.batches) == 1

"""The fake API itself, exercised through the real anthropic SDK: the ground the
savings accuracy test stands on, and the one the codemod's before/after tests
will run against."""

from __future__ import annotations

import anthropic
import pytest

from fakeapi import FakeAPI, count_tokens


def client(api: FakeAPI) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=api.base_url, api_key="test-key", max_retries=0)


def test_messages_endpoint_records_usage():
    with FakeAPI() as api:
        reply = client(api).messages.create(model="claude-haiku-4-5", max_tokens=100,
                                            messages=[{"role": "user", "content": "Label this ticket, please."}])
    assert reply.usage.input_tokens == count_tokens("\nLabel this ticket, please.")
    assert 40 <= reply.usage.output_tokens <= 60
    assert api.requests == [{"model": "claude-haiku-4-5", "input_tokens": reply.usage.input_tokens, "output_tokens": reply.usage.output_tokens}]


def test_batch_lifecycle_with_polls_out_of_order_results_and_failures():
    outcomes = {"t-1": "errored:overloaded_error", "t-2": "expired", "t-3": "errored:invalid_request_error"}
    with FakeAPI(polls_to_end=3, outcome=lambda cid, attempt: outcomes.get(cid, "succeeded")) as api:
        sdk = client(api)
        batch = sdk.messages.batches.create(requests=[
            {"custom_id": f"t-{i}", "params": {"model": "claude-haiku-4-5", "max_tokens": 50,
                                               "messages": [{"role": "user", "content": f"ticket {i}"}]}}
            for i in range(6)
        ])
        assert batch.processing_status == "in_progress"
        statuses = [sdk.messages.batches.retrieve(batch.id).processing_status for _ in range(3)]
        assert statuses == ["in_progress", "in_progress", "ended"]
        ended = sdk.messages.batches.retrieve(batch.id)
        assert ended.request_counts.succeeded == 3 and ended.request_counts.errored == 2 and ended.request_counts.expired == 1
        results = list(sdk.messages.batches.results(batch.id))
    assert sorted(r.custom_id for r in results) == [f"t-{i}" for i in range(6)]
    assert [r.custom_id for r in results] != [f"t-{i}" for i in range(6)]  # not in request order
    by_id = {r.custom_id: r.result for r in results}
    assert by_id["t-0"].type == "succeeded" and by_id["t-0"].message.usage.output_tokens > 0
    assert by_id["t-1"].type == "errored" and by_id["t-1"].error.error.type == "overloaded_error"
    assert by_id["t-2"].type == "expired"
    assert api.requests == []  # nothing went through the synchronous endpoint
    assert len(api.batch_requests) == 6


def test_batch_validation_matches_the_documented_limits():
    with FakeAPI() as api:
        sdk = client(api)
        with pytest.raises(anthropic.BadRequestError, match="custom_id"):
            sdk.messages.batches.create(requests=[{"custom_id": "has space", "params": {"model": "m", "max_tokens": 1, "messages": []}}])
        with pytest.raises(anthropic.BadRequestError, match="unique"):
            sdk.messages.batches.create(requests=[{"custom_id": "a", "params": {"model": "m", "max_tokens": 1, "messages": []}}] * 2)


def test_retries_see_later_attempts():
    with FakeAPI(polls_to_end=1, outcome=lambda cid, attempt: "expired" if attempt == 1 else "succeeded") as api:
        sdk = client(api)
        params = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
        first = sdk.messages.batches.create(requests=[{"custom_id": "job-1", "params": params}])
        sdk.messages.batches.retrieve(first.id)
        assert [r.result.type for r in sdk.messages.batches.results(first.id)] == ["expired"]
        second = sdk.messages.batches.create(requests=[{"custom_id": "job-1", "params": params}])
        sdk.messages.batches.retrieve(second.id)
        assert [r.result.type for r in sdk.messages.batches.results(second.id)] == ["succeeded"]

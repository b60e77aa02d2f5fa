"""The batch runtime (batchlint/runtime/claude_batch.py) against the fake API
through the real SDK: requests, splitting, retries and failures, durable
state and resuming, decoupled mode, monitoring, and the synchronous
pass-through that keeps a project's own tests (mocks, patched SDK, clients
without batches) working."""

from __future__ import annotations

import ast
import functools
import importlib
import io
import json
import logging
import re
import subprocess
import sys
from unittest import mock

import anthropic
import pytest
from anthropic.resources.messages import Messages
from fakeapi import FakeAPI
from pyflakes import api as pyflakes_api
from pyflakes import reporter as pyflakes_reporter
from runtime_helpers import batch_of, cb, client, params, requests_of, texts

from batchlint import runtime

ITEMS = ["a", "b", "c"]


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAUDE_BATCH_POLL_SECONDS", "0.001")
    for name in ("CLAUDE_BATCH_STATE_DIR", "CLAUDE_BATCH_DISABLE", "CLAUDE_BATCH_DEADLINE_SECONDS",
                 "CLAUDE_BATCH_WARN_AFTER_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@functools.cache
def _synchronous_answer(item):
    with FakeAPI() as api:
        return len(client(api).messages.create(**params(item)).content[0].text.split())


def synchronous_answers(items):
    """What the original loop's body would see: one messages.create per item."""
    return [(item, _synchronous_answer(item)) for item in items]


def item_of_custom_id(items):
    """The custom_id the runtime gives each item's request (for the fake's outcomes)."""
    return {r.custom_id: r.item for r in cb._requests([(item, params(item)) for item in items])}


def state_files(directory):
    return sorted(p.name for p in directory.iterdir() if p.suffix == ".json") if directory.exists() else []


# ---------------------------------------------------------------- the package
def test_package_exposes_the_runtime_text_without_importing_it():
    text = runtime.source()
    assert text.startswith('"""')
    assert f"__version__ = {runtime.VERSION}\n" in text
    assert cb.__version__ == runtime.VERSION
    check = "import sys, batchlint.runtime as r; r.source(); print('anthropic' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", check], check=True, capture_output=True, text=True).stdout == "False\n"


def test_the_written_runtime_is_its_parts_joined_into_one_clean_module():
    text = runtime.source()
    assert pyflakes_api.check(text, "_claude_batch.py", pyflakes_reporter.Reporter(io.StringIO(), io.StringIO())) == 0
    assert "from ." not in text  # the parts' imports of each other are gone: one namespace
    tree = ast.parse(text)
    defined = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    for part in runtime.PACKAGE.glob("*.py"):
        lines = part.read_text(encoding="utf-8").splitlines()
        assert len(lines) < 450, part.name  # small modules with one job
        for name in re.findall(r"^(?:def|class) (\w+)", "\n".join(lines), re.M):
            assert defined.count(name) == 1, (part.name, name)
    # the package itself imports too, with the same public names
    package = importlib.import_module("batchlint.runtime.claude_batch")
    assert sorted(package.__all__) == sorted(n for n in vars(cb) if n in package.__all__)
    assert package.__version__ == runtime.VERSION


def test_two_parts_defining_one_name_are_refused(tmp_path, monkeypatch):
    for part in runtime.PACKAGE.glob("*.py"):
        (tmp_path / part.name).write_text(part.read_text(encoding="utf-8"), encoding="utf-8")
    with (tmp_path / "store.py").open("a", encoding="utf-8") as handle:
        handle.write("\n\ndef _short(item):\n    return item\n")
    monkeypatch.setattr(runtime, "PACKAGE", tmp_path)
    runtime.source.cache_clear()
    try:
        with pytest.raises(ValueError, match="_short is defined in both"):
            runtime.source()
    finally:
        runtime.source.cache_clear()


# ---------------------------------------------------------------- blocking mode
def test_blocking_results_match_the_synchronous_run_in_add_order(tmp_path):
    with FakeAPI(polls_to_end=3) as api:
        got = texts(batch_of(client(api).messages, ITEMS).results())
    assert got == synchronous_answers(ITEMS)
    assert len(api.batches) == 1 and len(api.batch_requests) == 3 and api.requests == []
    assert state_files(tmp_path / ".claude_batch") == []  # every result consumed: the record is gone


def test_extend_with_request_pairs_is_add_for_each():
    with FakeAPI() as api:
        batch = cb.Batch(client(api).messages, "tests:extend")
        batch.extend(cb.request(item, **params(item)) for item in ITEMS)
        got = texts(batch.results())
    assert got == synchronous_answers(ITEMS)
    assert len(api.batches) == 1 and api.requests == []


def test_beta_messages_batch_on_the_beta_batches_resource():
    with FakeAPI() as api:
        got = texts(batch_of(client(api).beta.messages, ITEMS).results())
    assert got == synchronous_answers(ITEMS)
    assert len(api.batches) == 1 and api.requests == []


def test_custom_ids_are_valid_unique_and_identical_requests_stay_independent():
    with FakeAPI() as api:
        got = texts(batch_of(client(api).messages, ["a", "a", "b"]).results())
    ids = [r["custom_id"] for r in api.batch_requests]
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", i) for i in ids)
    assert len(set(ids)) == 3  # the two identical requests are two requests, each answered
    assert [item for item, _ in got] == ["a", "a", "b"]
    assert requests_of(api, "a") == 2 and requests_of(api, "b") == 1


def test_params_are_the_json_body_the_call_would_send():
    with FakeAPI() as api:
        batch = cb.Batch(client(api).messages, "k")
        batch.add("x", **params("x"), extra_body={"temperature": 0.5}, timeout=30, stream=False,
                  system=anthropic.NOT_GIVEN)
        list(batch.results())
    sent = api.batch_requests[0]
    assert sent["temperature"] == 0.5
    assert not {"extra_body", "timeout", "stream", "system"} & set(sent)


@pytest.mark.parametrize("extra", [{"extra_headers": {"x": "1"}}, {"extra_query": {"q": "1"}}, {"stream": True}])
def test_per_call_options_are_refused_before_anything_is_submitted(extra):
    with FakeAPI() as api:
        batch = batch_of(client(api).messages, ITEMS)
        batch.add("d", **params("d"), **extra)
        with pytest.raises(ValueError, match=rf"item 3: `{next(iter(extra))}`"):
            list(batch.results())
    assert api.batches == {}


def test_requests_split_at_the_count_and_size_limits(monkeypatch):
    with FakeAPI() as api:
        got = texts(batch_of(client(api).messages, ITEMS * 2).results())
    assert len(api.batches) == 1
    monkeypatch.setattr(cb, "MAX_REQUESTS", 2)
    with FakeAPI() as api:
        got_split = texts(batch_of(client(api).messages, ITEMS * 2).results())
    assert [len(b["requests"]) for b in api.batches.values()] == [2, 2, 2]
    assert got_split == got
    monkeypatch.setattr(cb, "MAX_REQUESTS", 100_000)
    monkeypatch.setattr(cb, "MAX_BYTES", 2 * cb._requests([("a", params("a"))])[0].size)  # two requests fit
    with FakeAPI() as api:
        assert texts(batch_of(client(api).messages, ITEMS * 2).results()) == got
    assert [len(b["requests"]) for b in api.batches.values()] == [2, 2, 2]


def test_retryable_failures_are_resubmitted_until_they_succeed():
    outcome = {1: "expired", 2: "errored:overloaded_error"}
    with FakeAPI(outcome=lambda cid, attempt: outcome.get(attempt, "succeeded") if cid.endswith("-0") else "succeeded") as api:
        batch = cb.Batch(client(api).messages, "k")
        batch.add("same-1", **params("a"))
        batch.add("same-2", **params("a"))  # only the first occurrence fails
        got = [item for item, _ in batch.results()]
    assert got == ["same-1", "same-2"]
    assert requests_of(api, "a") == 4 and len(api.batches) == 3


def test_retries_are_bounded_and_the_error_lists_every_failed_item(tmp_path):
    bad = {"b": "errored:overloaded_error", "c": "errored:invalid_request_error"}
    item_of = item_of_custom_id(ITEMS)
    with FakeAPI(outcome=lambda cid, attempt: bad.get(item_of[cid], "succeeded")) as api:
        results = batch_of(client(api).messages, ITEMS, max_attempts=2).results()
        with pytest.raises(anthropic.AnthropicError) as error:
            next(results)  # raised before anything is yielded
    message = str(error.value)
    assert message.startswith("2 of 3 batch requests failed")
    assert "item 1 'b': overloaded_error: fake overloaded_error" in message
    assert "item 2 'c': invalid_request_error" in message
    assert "'a'" not in message
    assert requests_of(api, "b") == 2  # max_attempts submissions
    assert requests_of(api, "c") == 1  # an invalid request is not retried
    record = json.loads(next((tmp_path / ".claude_batch").glob("*.json")).read_text())
    assert sorted(f["item"] for f in record["failed"]) == ["'b'", "'c'"]


def test_a_rerun_after_failures_reuses_the_paid_results_and_resubmits_only_the_failed():
    state = {"fail": True}
    item_of = item_of_custom_id(ITEMS)
    with FakeAPI(outcome=lambda cid, attempt: "errored:invalid_request_error" if state["fail"] and item_of[cid] == "b" else "succeeded") as api:
        with pytest.raises(anthropic.AnthropicError):
            list(batch_of(client(api).messages, ITEMS).results())
        state["fail"] = False
        got = texts(batch_of(client(api).messages, ITEMS).results())
    assert got == synchronous_answers(ITEMS)
    assert requests_of(api, "a") == 1 and requests_of(api, "b") == 2


# ---------------------------------------------------------------- durable state
def test_state_is_saved_right_after_submitting_before_any_wait(tmp_path):
    seen = []

    class Watching(cb.FileStore):
        def save(self, key, record):
            super().save(key, record)
            seen.append(([(b["id"], api.batches[b["id"]]["polls"]) for b in record["batches"]],
                         len(record.get("submitting", {}).get("requests", []))))

    with FakeAPI(polls_to_end=2) as api:
        list(batch_of(client(api).messages, ITEMS, store=Watching(tmp_path / "s")).results())
    assert seen[:2] == [([], 3), ([("msgbatch_fake0001", 0)], 0)]  # the mark, then the batch: both before polling


class Killed(BaseException):
    """Stands for SIGKILL at one point of a run."""


@pytest.mark.parametrize("reached_the_api", [True, False])
def test_a_batch_created_but_not_recorded_before_a_kill_is_found_again(tmp_path, caplog, reached_the_api):
    class KilledAtSave(cb.FileStore):
        def save(self, key, record):
            if record["batches"]:  # the save right after batches.create returned
                raise Killed
            super().save(key, record)
            if not reached_the_api:
                raise Killed  # killed after the mark, before batches.create

    with FakeAPI() as api:
        with pytest.raises(Killed):
            list(batch_of(client(api).messages, ITEMS, store=KilledAtSave(tmp_path)).results())
        assert len(api.batches) == int(reached_the_api)
        with caplog.at_level(logging.WARNING, logger="claude_batch"):
            got = texts(batch_of(client(api).messages, ITEMS, state_dir=tmp_path).results())
    assert got == synchronous_answers(ITEMS)
    assert len(api.batches) == 1 and len(api.batch_requests) == 3
    found = [r.getMessage() for r in caplog.records if "found batch" in r.getMessage()]
    assert found == (["tests:job: found batch msgbatch_fake0001, submitted by a run that stopped before recording it"]
                     if reached_the_api else [])


def test_past_the_deadline_the_error_names_the_batch_and_a_rerun_collects_it(tmp_path):
    with FakeAPI(polls_to_end=1000) as api:
        with pytest.raises(anthropic.AnthropicError, match="msgbatch_fake0001.*rerun collects them"):
            list(batch_of(client(api).messages, ITEMS, deadline_seconds=0).results())
        assert len(state_files(tmp_path / ".claude_batch")) == 1
        api.polls_to_end = 0
        got = texts(batch_of(client(api).messages, ITEMS).results())
    assert got == synchronous_answers(ITEMS)
    assert len(api.batches) == 1 and len(api.batch_requests) == 3
    assert state_files(tmp_path / ".claude_batch") == []


def test_a_loop_cut_short_yields_again_from_the_batch_on_rerun_without_submitting():
    with FakeAPI() as api:
        results = batch_of(client(api).messages, ITEMS).results()
        next(results)
        next(results)  # the first item was processed, then the program dies in the second's body
        got = texts(batch_of(client(api).messages, ITEMS).results())
    assert got == synchronous_answers(ITEMS)
    assert len(api.batches) == 1 and len(api.batch_requests) == 3


def test_consumed_results_are_appended_not_rewritten(tmp_path):
    directory = tmp_path / "s"
    with FakeAPI() as api:
        results = batch_of(client(api).messages, ITEMS, state_dir=directory).results()
        next(results)
        record_before = (directory / state_files(directory)[0]).read_text()
        next(results)
        consumed = list(directory.glob("*.consumed"))
    assert (directory / state_files(directory)[0]).read_text() == record_before
    assert len(consumed) == 1 and len(consumed[0].read_text().split()) == 1
    store = cb.FileStore(directory)
    assert len(store.load("tests:job")["consumed"]) == 1
    assert list(store.keys()) == ["tests:job"]


def test_a_garbled_state_file_is_one_clear_error_naming_it(tmp_path):
    store = cb.FileStore(tmp_path)
    store.save("k", {"version": 1, "key": "k", "batches": [], "consumed": [], "failed": []})
    path = next(tmp_path.glob("*.json"))
    path.write_text("{not json")
    with pytest.raises(anthropic.AnthropicError, match=re.escape(str(path))):
        store.load("k")


def test_a_custom_store_holds_the_state_and_the_history():
    class DictStore(cb.Store):
        def __init__(self):
            self.records, self.history, self.saves = {}, [], 0

        def load(self, key):
            return json.loads(self.records[key]) if key in self.records else None

        def save(self, key, record):
            self.saves += 1
            self.records[key] = json.dumps(record)

        def delete(self, key):
            del self.records[key]

        def keys(self):
            return list(self.records)

        def record_history(self, entry):
            self.history.append(entry)

    store = DictStore()
    with FakeAPI() as api:
        results = batch_of(client(api).messages, ITEMS, store=store).results()
        next(results)
        next(results)
        assert json.loads(store.records["tests:job"])["consumed"]  # default consume(): the record saved again
        assert texts(batch_of(client(api).messages, ITEMS, store=store).results()) == synchronous_answers(ITEMS)
    assert store.records == {}
    assert [h["batch_id"] for h in store.history] == ["msgbatch_fake0001"]


def test_an_item_that_cannot_be_pickled_is_still_matched_in_the_same_run():
    items = [lambda: 1, lambda: 2]
    with FakeAPI() as api:
        batch = cb.Batch(client(api).messages, "k")
        for n, item in enumerate(items):
            batch.add(item, **params(n))
        assert [item for item, _ in batch.results()] == items


# ---------------------------------------------------------------- decoupled mode
def test_decoupled_runs_submit_then_collect_with_items_added_and_removed(monkeypatch, tmp_path):
    monkeypatch.setattr(cb.time, "sleep", lambda seconds: pytest.fail("a decoupled run must not sleep"))
    with FakeAPI(polls_to_end=1) as api:
        sdk = client(api)
        assert list(batch_of(sdk.messages, ["a", "b", "c"], wait=False).results()) == []
        assert len(api.batches) == 1 and api.batches["msgbatch_fake0001"]["polls"] == 0
        second = texts(batch_of(sdk.messages, ["a", "b", "d"], wait=False).results())  # c removed, d added
        assert [item for item, _ in second] == ["a", "b", "c"]  # c's paid result still delivered, from the state
        assert [requests_of(api, i) for i in "abcd"] == [1, 1, 1, 1] and len(api.batches) == 2  # d in a new batch
        third = texts(batch_of(sdk.messages, ["d"], wait=False).results())
    assert [item for item, _ in third] == ["d"]
    assert second + third == synchronous_answers(["a", "b", "c", "d"])
    assert [requests_of(api, i) for i in "abcd"] == [1, 1, 1, 1] and len(api.batches) == 2
    assert state_files(tmp_path / ".claude_batch") == []


def test_decoupled_state_keeps_only_batches_in_flight_and_a_later_tick_asks_again(tmp_path):
    with FakeAPI(polls_to_end=1) as api:
        sdk = client(api)
        list(batch_of(sdk.messages, ["a", "b"], wait=False).results())
        assert [i for i, _ in batch_of(sdk.messages, ["a", "b", "d"], wait=False).results()] == ["a", "b"]
        record = json.loads(next((tmp_path / ".claude_batch").glob("*.json")).read_text())
        assert [b["id"] for b in record["batches"]] == ["msgbatch_fake0002"] and record["consumed"] == []
        # a and b are produced again by this tick: as in the original job, they are asked again
        assert [i for i, _ in batch_of(sdk.messages, ["a", "b", "d"], wait=False).results()] == ["d"]
    assert [requests_of(api, i) for i in "abd"] == [2, 2, 1] and len(api.batches) == 3


def test_decoupled_failures_are_logged_not_raised_and_retryable_ones_go_in_the_next_batch(caplog):
    failing = {}
    with FakeAPI(polls_to_end=1, outcome=lambda cid, attempt: failing.get(cid, "succeeded") if attempt == 1 else "succeeded") as api:
        sdk = client(api)
        ids = {item: cid for cid, item in item_of_custom_id(ITEMS).items()}
        failing.update({ids["a"]: "errored:invalid_request_error", ids["b"]: "expired"})
        list(batch_of(sdk.messages, ITEMS, wait=False).results())
        with caplog.at_level(logging.ERROR, logger="claude_batch"):
            second = [item for item, _ in batch_of(sdk.messages, ITEMS, wait=False).results()]
        third = [item for item, _ in batch_of(sdk.messages, ITEMS, wait=False).results()]
    assert second == ["c"] and third == ["b"]
    assert [r.getMessage() for r in caplog.records] == [
        "tests:job: request for 'a' failed: invalid_request_error: fake invalid_request_error"]
    # b: retried once, in the second run's batch; a: dropped, so the third run submitted it afresh
    assert requests_of(api, "a") == 2 and requests_of(api, "b") == 2 and len(api.batches) == 3


def test_decoupled_skips_what_a_killed_run_already_processed():
    with FakeAPI(polls_to_end=1) as api:
        sdk = client(api)
        list(batch_of(sdk.messages, ITEMS, wait=False).results())
        results = batch_of(sdk.messages, ITEMS, wait=False).results()
        next(results)
        next(results)  # "a" processed; killed in the body for "b"
        again = [item for item, _ in batch_of(sdk.messages, ITEMS, wait=False).results()]
    assert again == ["b", "c"] and len(api.batch_requests) == 3


# ---------------------------------------------------------------- monitoring
def test_submit_end_and_late_batches_are_logged_and_history_has_turnaround_and_usage(caplog, tmp_path):
    with FakeAPI(polls_to_end=3) as api, caplog.at_level(logging.INFO, logger="claude_batch"):
        got = list(batch_of(client(api).messages, ITEMS, warn_after_seconds=0).results())
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("INFO", "tests:job: submitted batch msgbatch_fake0001 with 3 requests") in logged
    warnings = [m for level, m in logged if level == "WARNING"]
    assert len(warnings) == 1 and "batch msgbatch_fake0001 still in progress after" in warnings[0]  # once per batch
    assert any(level == "INFO" and "batch msgbatch_fake0001 ended after" in m for level, m in logged)
    (entry,) = [json.loads(line) for line in (tmp_path / ".claude_batch" / "history.jsonl").read_text().splitlines()]
    assert entry["key"] == "tests:job" and entry["batch_id"] == "msgbatch_fake0001"
    assert entry["turnaround_s"] >= 0 and entry["request_counts"]["succeeded"] == 3
    assert entry["usage"] == {"claude-haiku-4-5": {
        "input_tokens": sum(m.usage.input_tokens for _, m in got),
        "output_tokens": sum(m.usage.output_tokens for _, m in got),
        "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}


def test_no_warning_within_the_window(caplog):
    with FakeAPI(polls_to_end=3) as api, caplog.at_level(logging.WARNING, logger="claude_batch"):
        list(batch_of(client(api).messages, ITEMS).results())
    assert caplog.records == []


# ---------------------------------------------------------------- pass-through
def test_a_magicmock_client_gets_the_synchronous_calls_lazily_and_no_state(tmp_path):
    fake_client = mock.MagicMock()
    results = batch_of(fake_client.messages, ITEMS).results()
    assert fake_client.messages.create.call_count == 0
    first = next(results)
    assert fake_client.messages.create.call_count == 1 and first[0] == "a"
    assert [item for item, _ in results] == ["b", "c"]
    assert fake_client.messages.create.call_args_list == [mock.call(**params(i)) for i in ITEMS]
    assert not (tmp_path / ".claude_batch").exists()


def test_patching_messages_create_gets_the_patched_call():
    with FakeAPI() as api, mock.patch.object(Messages, "create", return_value="patched") as patched:
        got = list(batch_of(client(api).messages, ITEMS).results())
    assert got == [(i, "patched") for i in ITEMS] and patched.call_count == 3
    assert api.batches == {}
    with FakeAPI() as api:
        sdk = client(api)
        with mock.patch.object(sdk.messages, "create", return_value="patched"):
            assert list(batch_of(sdk.messages, ["a"]).results()) == [("a", "patched")]
        assert api.batches == {}


def test_disable_variable_gets_synchronous_calls(monkeypatch):
    monkeypatch.setenv("CLAUDE_BATCH_DISABLE", "1")
    with FakeAPI() as api:
        got = texts(batch_of(client(api).messages, ITEMS).results())
    assert got == synchronous_answers(ITEMS)
    assert api.batches == {} and len(api.requests) == 3


def test_only_clients_with_batches_are_batched():
    real = anthropic.Anthropic(api_key="k", base_url="http://127.0.0.1:9")
    assert cb._batchable(real.messages) and cb._batchable(real.beta.messages)
    assert cb._batchable(anthropic.AsyncAnthropic(api_key="k").messages)
    assert not cb._batchable(mock.MagicMock())
    assert not cb._batchable(mock.create_autospec(Messages, instance=True))
    others = {
        "bedrock": lambda: anthropic.AnthropicBedrock(aws_access_key="a", aws_secret_key="b", aws_region="us-east-1"),
        "vertex": lambda: anthropic.AnthropicVertex(project_id="p", region="us-east5", access_token="t"),
        "foundry": lambda: anthropic.AnthropicFoundry(api_key="k", resource="r"),
        "async bedrock": lambda: anthropic.AsyncAnthropicBedrock(aws_access_key="a", aws_secret_key="b", aws_region="us-east-1"),
        "async vertex": lambda: anthropic.AsyncAnthropicVertex(project_id="p", region="us-east5", access_token="t"),
        "async foundry": lambda: anthropic.AsyncAnthropicFoundry(api_key="k", resource="r"),
    }
    for name, make in others.items():
        other = make()
        assert not cb._batchable(other.messages), name
        assert not cb._batchable(other.beta.messages), name


def test_bedrock_client_runs_the_loop_synchronously():
    bedrock = anthropic.AnthropicBedrock(aws_access_key="a", aws_secret_key="b", aws_region="us-east-1")
    with mock.patch.object(type(bedrock.messages), "create", autospec=True, return_value="sync") as create:
        assert list(batch_of(bedrock.messages, ITEMS).results()) == [(i, "sync") for i in ITEMS]
    assert create.call_count == 3


def test_results_on_an_async_resource_says_to_use_aresults():
    with pytest.raises(TypeError, match="aresults"):
        batch_of(anthropic.AsyncAnthropic(api_key="k").messages, ITEMS).results()
    with pytest.raises(TypeError, match="batch.results"):
        batch_of(anthropic.Anthropic(api_key="k").messages, ITEMS).aresults()


def test_module_level_helpers_for_comprehensions():
    with FakeAPI() as api:
        got = texts(cb.results(client(api).messages, "k", [cb.request(i, **params(i)) for i in ITEMS]))
    assert got == synchronous_answers(ITEMS)
    assert cb.request("x", model="m") == ("x", {"model": "m"})


def test_a_collector_with_no_items_of_its_own_yields_what_ended():
    with FakeAPI(polls_to_end=1) as api:
        sdk = client(api)
        assert list(batch_of(sdk.messages, ITEMS, wait=False).results()) == []
        collected = texts(cb.Batch(sdk.messages, "tests:job", wait=False).results())
    assert collected == synchronous_answers(ITEMS)  # items restored from the state
    assert len(api.batches) == 1


def test_blocking_rerun_with_changed_items_still_delivers_the_paid_result_last():
    with FakeAPI(polls_to_end=10**9) as api:
        sdk = client(api)
        with pytest.raises(anthropic.AnthropicError, match="rerun"):
            list(batch_of(sdk.messages, ["a", "b", "c"], deadline_seconds=0).results())
        api.polls_to_end = 0
        got = texts(batch_of(sdk.messages, ["a", "b", "d"]).results())
    assert got == synchronous_answers(["a", "b", "d", "c"])  # c: from the state, after the current items
    assert [requests_of(api, i) for i in "abcd"] == [1, 1, 1, 1] and len(api.batches) == 2


def test_an_earlier_item_that_cannot_be_restored_is_dropped_with_a_warning(caplog, tmp_path):
    with FakeAPI(polls_to_end=1) as api:
        sdk = client(api)
        batch = cb.Batch(sdk.messages, "k", wait=False)
        batch.add(lambda: "not picklable", **params("a"))
        batch.add("b", **params("b"))
        list(batch.results())
        with caplog.at_level(logging.WARNING, logger="claude_batch"):
            got = [item for item, _ in cb.Batch(sdk.messages, "k", wait=False).results()]
    assert got == ["b"]
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "cannot be restored" in caplog.records[0].getMessage()
    assert state_files(tmp_path / ".claude_batch") == []  # the dropped result counts as processed

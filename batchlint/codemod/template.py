"""The code `batchlint fix` inserts into a rewritten module (once per module).

This file is the template: real Python, tested by importing it against the
fake API, and copied function by function into the modules it rewrites. It
uses only the anthropic SDK and the standard library. batchlint itself never
imports it (the SDK is not batchlint's dependency): rewrite.py reads it as
text and lists what each function imports and calls.
"""

import asyncio
import hashlib
import json
import os
import time

import anthropic

def _batchlint_requests(pending, indexes, max_requests=100_000, max_bytes=200_000_000):
    """Message Batches requests for pending[i] (an (item, params) pair) for i in
    indexes, split into batches under the API's limits (100,000 requests,
    256 MB). `extra_body` is merged into the params, as the call would have
    merged it into its JSON body. A custom_id holds the index and a hash of the params, so results,
    which arrive in any order, are matched to their items, and a later collect
    can tell when the items are no longer the ones submitted."""
    chunks, chunk, size = [], [], 0
    for index in indexes:
        params = dict(pending[index][1])
        params.update(params.pop("extra_body", None) or {})  # the JSON body the call would have sent
        params.pop("timeout", None)  # an HTTP timeout, meaningless for one request of a batch
        for key in ("extra_headers", "extra_query", "stream"):
            if params.pop(key, None):
                raise ValueError(f"item {index}: `{key}` cannot be sent in a Message Batches request")
        body = json.dumps(params, sort_keys=True, default=str)
        request = {"custom_id": f"item-{index}-{hashlib.sha256(body.encode()).hexdigest()[:16]}", "params": params}
        if chunk and (len(chunk) >= max_requests or size + len(body) > max_bytes):
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(request)
        size += len(body) + 100
    if chunk:
        chunks.append(chunk)
    return chunks


def _batchlint_record(entry, batch_id, index_of, done, failed, retry):
    """Note one batch result: its message in `done`, or its failure in
    `failed`, and its index in `retry` when the failure is worth another try
    (expired, or an error of a retryable type; not an invalid request)."""
    if entry.custom_id not in index_of:
        raise anthropic.AnthropicError(f"batch {batch_id} has a result for {entry.custom_id}, which matches no item: the items changed since the batch was submitted")
    index, result = index_of[entry.custom_id], entry.result
    if result.type == "succeeded":
        done[index] = result.message
        failed.pop(index, None)
        return
    kind = result.error.error.type if result.type == "errored" else result.type
    failed[index] = f"{kind}: {result.error.error.message}" if result.type == "errored" else kind
    if kind in ("expired", "api_error", "overloaded_error", "rate_limit_error", "timeout_error"):
        retry.append(index)


def _batchlint_results(pending, done, failed):
    """(item, message) pairs in the order of `pending`, or one
    anthropic.AnthropicError that lists every item without a message."""
    for index in range(len(pending)):
        if index not in done and index not in failed:
            failed[index] = "no result"
    if failed:
        lines = "\n".join(f"  item {i} {pending[i][0]!r:.80}: {failed[i]}" for i in sorted(failed))
        raise anthropic.AnthropicError(f"{len(failed)} of {len(pending)} batch requests failed:\n{lines}")
    return [(pending[i][0], done[i]) for i in range(len(pending))]


def _batchlint_submit(messages, pending):
    """Create batches for (item, params) pairs on `messages` (a client's
    `messages` or `beta.messages`); return their ids without waiting."""
    return [messages.batches.create(requests=chunk).id for chunk in _batchlint_requests(pending, range(len(pending)))]


def _batchlint_collect(messages, batch_ids, pending, max_attempts=3):
    """Wait for the batches (polling with backoff, up to a deadline), then
    return (item, message) pairs in the order of `pending`. Expired requests and
    errors of retryable types are resubmitted, up to `max_attempts` submissions
    in all; invalid requests are not. What still fails raises one
    anthropic.AnthropicError that lists every failed item."""
    poll = float(os.environ.get("BATCHLINT_POLL_SECONDS", "10"))
    deadline = time.monotonic() + float(os.environ.get("BATCHLINT_DEADLINE_SECONDS", "93600"))
    index_of = {r["custom_id"]: int(r["custom_id"].split("-")[1]) for chunk in _batchlint_requests(pending, range(len(pending))) for r in chunk}
    done, failed = {}, {}
    batch_ids = list(batch_ids)
    for attempt in range(1, max_attempts + 1):
        retry = []
        for batch_id in batch_ids:
            delay = poll
            while messages.batches.retrieve(batch_id).processing_status != "ended":
                if time.monotonic() > deadline:
                    raise anthropic.AnthropicError(f"batch {batch_id} has not ended; collect batches {batch_ids} later")
                time.sleep(delay)
                delay = min(delay * 2, 300.0)
            for entry in messages.batches.results(batch_id):
                _batchlint_record(entry, batch_id, index_of, done, failed, retry)
        if not retry or attempt == max_attempts:
            break
        batch_ids = [messages.batches.create(requests=chunk).id for chunk in _batchlint_requests(pending, retry)]
    return _batchlint_results(pending, done, failed)


def _batchlint_batch(messages, pending):
    """Run (item, params) pairs through the Message Batches API and wait: the
    (item, message) pairs in order. See _batchlint_collect for failures."""
    pending = list(pending)
    return _batchlint_collect(messages, _batchlint_submit(messages, pending), pending)


async def _batchlint_submit_async(messages, pending):
    """_batchlint_submit for an async client."""
    return [(await messages.batches.create(requests=chunk)).id for chunk in _batchlint_requests(pending, range(len(pending)))]


async def _batchlint_collect_async(messages, batch_ids, pending, max_attempts=3):
    """_batchlint_collect for an async client."""
    poll = float(os.environ.get("BATCHLINT_POLL_SECONDS", "10"))
    deadline = time.monotonic() + float(os.environ.get("BATCHLINT_DEADLINE_SECONDS", "93600"))
    index_of = {r["custom_id"]: int(r["custom_id"].split("-")[1]) for chunk in _batchlint_requests(pending, range(len(pending))) for r in chunk}
    done, failed = {}, {}
    batch_ids = list(batch_ids)
    for attempt in range(1, max_attempts + 1):
        retry = []
        for batch_id in batch_ids:
            delay = poll
            while (await messages.batches.retrieve(batch_id)).processing_status != "ended":
                if time.monotonic() > deadline:
                    raise anthropic.AnthropicError(f"batch {batch_id} has not ended; collect batches {batch_ids} later")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 300.0)
            async for entry in await messages.batches.results(batch_id):
                _batchlint_record(entry, batch_id, index_of, done, failed, retry)
        if not retry or attempt == max_attempts:
            break
        batch_ids = [(await messages.batches.create(requests=chunk)).id for chunk in _batchlint_requests(pending, retry)]
    return _batchlint_results(pending, done, failed)


async def _batchlint_batch_async(messages, pending):
    """_batchlint_batch for an async client."""
    pending = list(pending)
    return await _batchlint_collect_async(messages, await _batchlint_submit_async(messages, pending), pending)

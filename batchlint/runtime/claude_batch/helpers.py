"""Requests, chunks, usage and the other small pieces the parts share."""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import json
import os
import pickle
import reprlib
import time
from datetime import datetime

import anthropic

from .settings import _SDK_CREATE, MAX_BYTES, MAX_REQUESTS, USAGE_FIELDS, _Request


def _batchable(messages):
    """True for a genuine SDK Messages resource, unpatched, of a client that
    has the Message Batches API; anything else gets synchronous calls."""
    base = next((c for c in type(messages).__mro__ if c in _SDK_CREATE), None)
    if base is None or type(messages).create is not _SDK_CREATE[base]:
        return False
    return _batch_client(messages)


def _batch_client(messages):
    """True for an SDK Messages resource of a client with the Message Batches
    API, its `create` not replaced on the instance (a test's patch)."""
    if os.environ.get("CLAUDE_BATCH_DISABLE") == "1":
        return False
    if not isinstance(messages, tuple(_SDK_CREATE)) or "create" in vars(messages):
        return False
    client = getattr(messages, "_client", None)
    if not isinstance(client, (anthropic.Anthropic, anthropic.AsyncAnthropic)):
        return False  # Bedrock, Vertex: their own client classes, no batch endpoint
    return getattr(messages, "batches", None) is not None  # Foundry: None


def _requests(added):
    """Normalised requests, each with its identity: a hash of its params and
    its occurrence among identical ones (independent samples stay apart)."""
    seen, out = collections.Counter(), []
    for index, (item, params) in enumerate(added):
        params = _params(index, params)
        body = json.dumps(params, sort_keys=True, default=str)
        digest = hashlib.sha256(body.encode()).hexdigest()
        n = seen[digest]
        seen[digest] += 1
        custom_id = f"{digest[:40]}-{n}"
        out.append(_Request(index, item, params, custom_id, digest, n, len(body) + 100))
    return out


def _params(index, params):
    """The JSON body the call would have sent: extra_body merged, the HTTP
    timeout dropped; per-call headers, queries and streaming refused."""
    unset = (anthropic.NotGiven, anthropic.Omit)
    params = {k: v for k, v in params.items() if not isinstance(v, unset)}
    params.update(params.pop("extra_body", None) or {})
    params.pop("timeout", None)
    for name in ("extra_headers", "extra_query", "stream", "betas"):
        if params.pop(name, None):
            raise ValueError(
                f"item {index}: `{name}` cannot be sent in a Message Batches request"
            )
    return params


def _entry(request):
    """A request as recorded in the state."""
    try:
        item = base64.b64encode(pickle.dumps(request.item)).decode("ascii")
    except Exception:  # noqa: BLE001 - then it can only match a current item
        item = None
    return {"custom_id": request.custom_id, "hash": request.hash, "n": request.n,
            "item": item, "attempts": 1}


def _chunks(entries, current):
    """Split request entries under the API's per-batch limits."""
    chunk, size = [], 0
    for entry in entries:
        body = current[entry["custom_id"]].size
        if chunk and (len(chunk) >= MAX_REQUESTS or size + body > MAX_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(entry)
        size += body
    if chunk:
        yield chunk


def _item(request, current):
    """The current run's item for a request, else the one pickled in the state."""
    if request["custom_id"] in current:
        return current[request["custom_id"]].item
    if request["item"] is None:
        raise ValueError("it could not be pickled")
    return pickle.loads(base64.b64decode(request["item"]))


def _describe(request, current):
    """A short text for an item, without unpickling one from the state."""
    if request["custom_id"] in current:
        return _short(current[request["custom_id"]].item)
    return f"an item of an earlier run (request {request['custom_id']})"


def _reason(result):
    if result is None:
        return "no result"
    if result.type == "errored":
        return f"{result.error.error.type}: {result.error.error.message}"
    return result.type


def _usage(responses):
    """Tokens of the succeeded messages, summed per model."""
    totals = {}
    for response in responses:
        if response.result.type == "succeeded":
            message = response.result.message
            sums = totals.setdefault(message.model, dict.fromkeys(USAGE_FIELDS, 0))
            for field in USAGE_FIELDS:
                sums[field] += getattr(message.usage, field, None) or 0
    return totals


def _call(batches, operation, argument):
    if operation == "create":
        return batches.create(requests=argument)
    if operation == "retrieve":
        return batches.retrieve(argument)
    if operation == "results":
        return list(batches.results(argument))
    if operation == "list":
        return batches.list(limit=100).data
    return time.sleep(argument)


async def _acall(batches, operation, argument):
    if operation == "create":
        return await batches.create(requests=argument)
    if operation == "retrieve":
        return await batches.retrieve(argument)
    if operation == "results":
        return [response async for response in await batches.results(argument)]
    if operation == "list":
        return (await batches.list(limit=100)).data
    return await asyncio.sleep(argument)


def _setting(value, name, default):
    """An argument, else the CLAUDE_BATCH_<name> environment variable."""
    if value is not None:
        return float(value)
    text = os.environ.get("CLAUDE_BATCH_" + name) or default
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"CLAUDE_BATCH_{name}={text!r} is not a number") from None


def _short(item):
    return reprlib.repr(item)[:80]


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def _timestamp(text):
    return datetime.fromisoformat(text).timestamp()


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass

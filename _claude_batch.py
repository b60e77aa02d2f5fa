# Written by batchlint fix: the Message Batches runtime (version 1, sha256 6eada71d6b5acb81).
# batchlint updates this file while it is as written; once you edit it, it is yours.
"""Run Claude Messages requests through the Message Batches API (half the price).

Usage, as `batchlint fix` writes it::

    batch = _claude_batch.Batch(client.messages, "mypkg.jobs:nightly")
    for doc in docs:
        batch.add(doc, model="claude-sonnet-5", max_tokens=512, messages=[...])
    for doc, message in batch.results():  # async: `async for` ... aresults()
        save(doc, message)

What it adds to a plain submit-and-poll loop:

- Durable state: each batch and its requests are recorded (a JSON file per
  key in `.claude_batch/`, see FileStore) as it is submitted. A rerun after a
  kill waits for that batch or reads its results instead of paying again; a
  result stays recorded until the loop has processed it.
- `wait=False` for scheduled jobs: collect what has ended, submit what is
  new, never sleep. Items travel in the state (pickled), so a result is
  delivered even if the code no longer produces its item.
- Partial failure: expired requests and retryable errors are resubmitted (up
  to `max_attempts` submissions); what still fails is reported per item.
- Monitoring: logger "claude_batch", and one line per ended batch in
  `history.jsonl` (turnaround, counts, tokens) for `batchlint status`.
- Tests and other clients: a mock, a patched `Messages.create`, a client
  without batch support (Bedrock, Vertex, Foundry) or CLAUDE_BATCH_DISABLE=1
  gets the original synchronous calls, one per item, as the loop runs.

Standard library and `anthropic` only. The state folder must be trusted:
items are stored with pickle.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import inspect
import json
import logging
import os
import pickle
import reprlib
import tempfile
import time
from datetime import datetime

import anthropic
from anthropic.resources.beta.messages import AsyncMessages as AsyncBetaMessages
from anthropic.resources.beta.messages import Messages as BetaMessages
from anthropic.resources.messages import AsyncMessages, Messages

__version__ = 1

log = logging.getLogger("claude_batch")

MAX_REQUESTS = 100_000  # per batch (API limit)
MAX_BYTES = 200_000_000  # per batch: under the API's 256 MB, with room to spare
RETRYABLE = frozenset({"expired", "api_error", "overloaded_error",
                       "rate_limit_error", "timeout_error"})
USAGE_FIELDS = ("input_tokens", "output_tokens",
                "cache_creation_input_tokens", "cache_read_input_tokens")

# The SDK's own `create` functions, captured at import: a test that patches
# `Messages.create` replaces them, and then must get its patched call.
_ASYNC = (AsyncMessages, AsyncBetaMessages)
_SDK_CREATE = {cls: cls.create for cls in (Messages, BetaMessages, *_ASYNC)}

_Request = collections.namedtuple("_Request", "index item params custom_id hash n size")


# ---------------------------------------------------------------- public API
def request(item, /, **params):
    """An (item, params) pair, for `results(...)` over a comprehension."""
    return item, params


def results(messages, key, pairs, **options):
    """Batch(messages, key, **options) fed with (item, params) pairs: its results()."""
    return _fed(messages, key, pairs, options).results()


def aresults(messages, key, pairs, **options):
    """The async-generator version of results()."""
    return _fed(messages, key, pairs, options).aresults()


def _fed(messages, key, pairs, options):
    batch = Batch(messages, key, **options)
    for item, params in pairs:
        batch.add(item, **params)
    return batch


class Store:
    """Where each key's record lives. Implement load/save/delete/keys to keep
    the state in a database; `consume` and `record_history` are optional."""

    def load(self, key):
        """The record saved for `key` (a JSON-able dict), or None."""
        raise NotImplementedError

    def save(self, key, record):
        """Replace the record of `key`, durably (it is how a rerun resumes)."""
        raise NotImplementedError

    def delete(self, key):
        raise NotImplementedError

    def keys(self):
        raise NotImplementedError

    def consume(self, key, record, custom_id):
        """The loop has processed the result of `custom_id`, already appended
        to `record["consumed"]`. By default the whole record is saved again."""
        self.save(key, record)

    def record_history(self, entry):
        """Figures of one ended batch (a JSON-able dict). Dropped by default."""


class FileStore(Store):
    """One JSON file per key in `directory`, named by a hash of the key and
    replaced atomically. Processed results are appended to a small
    `<name>.consumed` file (one custom id a line) rather than rewriting the
    record per item; load() and the next save() fold them in."""

    def __init__(self, directory):
        self.directory = os.path.abspath(directory)

    def _path(self, key, suffix=".json"):
        name = hashlib.sha256(key.encode()).hexdigest()[:24] + suffix
        return os.path.join(self.directory, name)

    def load(self, key):
        path = self._path(key)
        try:
            with open(path, encoding="utf-8") as handle:
                record = json.load(handle)
            done = set(record["consumed"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise anthropic.AnthropicError(
                f"{path}: unreadable batch state ({exc!r}); move it away to start over"
            ) from None
        if os.path.exists(self._path(key, ".consumed")):
            with open(self._path(key, ".consumed"), encoding="utf-8") as handle:
                more = dict.fromkeys(handle.read().split())
            record["consumed"] += [c for c in more if c not in done]
        return record

    def save(self, key, record):
        os.makedirs(self.directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path(key))
        except BaseException:
            _unlink(tmp)
            raise
        _unlink(self._path(key, ".consumed"))  # now folded into the record

    def delete(self, key):
        _unlink(self._path(key))
        _unlink(self._path(key, ".consumed"))

    def keys(self):
        exists = os.path.isdir(self.directory)
        for name in sorted(os.listdir(self.directory)) if exists else []:
            if name.endswith(".json"):
                with open(os.path.join(self.directory, name), encoding="utf-8") as f:
                    yield json.load(f)["key"]

    def consume(self, key, record, custom_id):
        # a written line survives SIGKILL; an fsync per item would cost more
        with open(self._path(key, ".consumed"), "a", encoding="utf-8") as handle:
            handle.write(custom_id + "\n")

    def record_history(self, entry):
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, "history.jsonl")
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")


class Batch:
    """Requests added with add(), answered by results() / aresults()."""

    def __init__(self, messages, key, *, wait=True, state_dir=None, store=None,
                 max_attempts=3, poll_seconds=None, deadline_seconds=None,
                 warn_after_seconds=None):
        self.messages = messages  # client.messages or client.beta.messages
        self.key = key
        self.wait = wait
        if store is None:
            folder = state_dir or os.environ.get("CLAUDE_BATCH_STATE_DIR")
            store = FileStore(folder or ".claude_batch")
        self.store = store
        self.max_attempts = max_attempts
        self.poll_seconds = _setting(poll_seconds, "POLL_SECONDS", 10)
        self.deadline_seconds = _setting(deadline_seconds, "DEADLINE_SECONDS", 93600)
        self.warn_after = _setting(warn_after_seconds, "WARN_AFTER_SECONDS", 3600)
        self._added = []  # (item, params) in add order

    def add(self, item, /, **params):
        """One request: `params` are the keyword arguments of messages.create."""
        self._added.append((item, params))

    def extend(self, pairs):
        """Several requests: (item, params) pairs, as request() makes them."""
        self._added.extend((item, dict(params)) for item, params in pairs)

    def results(self):
        """(item, message) pairs in add order; see the module docstring."""
        create = getattr(self.messages, "create", None)
        if isinstance(self.messages, _ASYNC) or inspect.iscoroutinefunction(create):
            raise TypeError("use `async for ... in batch.aresults()`")
        return self._batched() if _batchable(self.messages) else self._synchronous()

    def aresults(self):
        """(item, message) pairs of an async client, as an async generator."""
        if isinstance(self.messages, (Messages, BetaMessages)):
            raise TypeError("use `for ... in batch.results()`")
        return self._abatched() if _batchable(self.messages) else self._asynchronous()

    # ------------------------------------------------------------- pass-through
    def _synchronous(self):
        for item, params in self._added:
            yield item, self.messages.create(**params)

    async def _asynchronous(self):
        for item, params in self._added:
            response = self.messages.create(**params)
            yield item, (await response if inspect.isawaitable(response) else response)

    # ------------------------------------------------------------- batched
    def _batched(self):
        engine, reply = self._engine(), None
        try:
            while True:
                reply = _call(self.messages.batches, *engine.send(reply))
        except StopIteration as stop:
            ready = stop.value
        for item, message, custom_id in ready:
            yield item, message
            self._consume(custom_id)  # reached when the loop asks for the next item
        self._finish()

    async def _abatched(self):
        engine, reply = self._engine(), None
        try:
            while True:
                reply = await _acall(self.messages.batches, *engine.send(reply))
        except StopIteration as stop:
            ready = stop.value
        for item, message, custom_id in ready:
            yield item, message
            self._consume(custom_id)
        self._finish()

    def _engine(self):
        """The protocol, free of I/O: yields (operation, argument) for the
        driver to run on the API, gets the answer back, and returns the
        (item, message, custom_id) triples to deliver."""
        current = {r.custom_id: r for r in _requests(self._added)}
        record = self.store.load(self.key) or {
            "version": 1, "key": self.key, "batches": [], "consumed": [], "failed": []
        }
        self._record, self._done = record, set(record["consumed"])
        self._sorted, self._warned, self._started = set(), set(), time.monotonic()
        yield from self._recover()
        known = {r["custom_id"] for b in record["batches"] for r in b["requests"]}
        new = [_entry(r) for r in current.values() if r.custom_id not in known]
        messages, failures = {}, []
        if not self.wait:
            retry = yield from self._check(messages, failures, current, sleep=False)
            yield from self._submit(new + retry, current)
            self._report(failures, current, raise_=False)
            return self._deliver(messages, current, order=[])
        yield from self._submit(new, current)
        while True:
            retry = yield from self._check(messages, failures, current, sleep=True)
            if not retry:
                break
            yield from self._submit(retry, current)
        self._report(failures, current, raise_=True)
        order = sorted(current, key=lambda c: current[c].index)
        return self._deliver(messages, current, order=order)

    def _submit(self, entries, current):
        """Create batches for the request entries, each recorded at once. A
        `submitting` mark saved just before lets a rerun find a batch whose
        creation a kill cut off before it was recorded (see _recover)."""
        for chunk in _chunks(entries, current):
            self._record["submitting"] = {"at": _now(), "requests": chunk}
            self.store.save(self.key, self._record)
            batch = yield "create", [
                {"custom_id": e["custom_id"], "params": current[e["custom_id"]].params}
                for e in chunk
            ]
            self._adopt(self._record.pop("submitting"), batch)
            log.info("%s: submitted batch %s with %d requests",
                     self.key, batch.id, len(chunk))

    def _adopt(self, submitting, batch):
        self._record["batches"].append({
            "id": batch.id, "submitted_at": submitting["at"],
            "status": batch.processing_status, "ended_at": None,
            "request_counts": None, "requests": submitting["requests"]})
        self.store.save(self.key, self._record)

    def _recover(self):
        """After a kill between creating a batch and recording it: adopt the
        oldest batch created since the mark with as many requests, if the
        API lists one; else the requests count as never submitted."""
        submitting = self._record.pop("submitting", None)
        if submitting is None:
            return
        since = _timestamp(submitting["at"]) - 60  # leeway for clock skew
        known = {entry["id"] for entry in self._record["batches"]}
        count = len(submitting["requests"])
        listed = yield "list", None
        found = sorted(
            (b for b in listed if b.id not in known
             and b.created_at.timestamp() >= since
             and sum(b.request_counts.to_dict().values()) == count),
            key=lambda b: b.created_at,
        )
        if found:
            log.warning("%s: found batch %s, submitted by a run that stopped before "
                        "recording it", self.key, found[0].id)
            self._adopt(submitting, found[0])
        else:
            self.store.save(self.key, self._record)

    def _check(self, messages, failures, current, sleep):
        """Read the recorded batches whose results are still wanted: poll
        (backing off, up to the deadline) when `sleep`, else look once.
        Returns the request entries to resubmit."""
        delay, retry = self.poll_seconds, []
        todo = [
            entry for entry in self._record["batches"]
            if entry["id"] not in self._sorted
            and any(self._wanted(r["custom_id"], current) for r in entry["requests"])
        ]
        while todo:
            waiting = []
            for entry in todo:
                ended = entry["status"] == "ended"
                if not ended:
                    batch = yield "retrieve", entry["id"]
                    if batch.processing_status != "ended":
                        waiting.append(entry)
                        self._warn_if_late(entry)
                        continue
                responses = yield "results", entry["id"]
                if not ended:
                    self._ended(entry, batch, responses)
                retry += self._sort(entry, responses, messages, failures, current)
            if not sleep or not waiting:
                break
            if time.monotonic() - self._started > self.deadline_seconds:
                ids = ", ".join(e["id"] for e in waiting)
                raise anthropic.AnthropicError(
                    f"{self.key}: batches {ids} have not ended after "
                    f"{self.deadline_seconds:g} s; they are recorded in the state, "
                    "so a rerun collects them instead of submitting again"
                )
            yield "sleep", delay
            delay, todo = min(delay * 2, 300.0), waiting
        return retry

    def _wanted(self, custom_id, current):
        """A result still to deliver: not yet processed, or (blocking mode) for
        a current item, whose loop body a kill may have cut short."""
        return custom_id not in self._done or (self.wait and custom_id in current)

    def _warn_if_late(self, entry):
        age = time.time() - _timestamp(entry["submitted_at"])
        if age > self.warn_after and entry["id"] not in self._warned:
            self._warned.add(entry["id"])
            log.warning("%s: batch %s still in progress after %.0f s",
                        self.key, entry["id"], age)

    def _ended(self, entry, batch, responses):
        """Note a batch that has just ended: in the record, the log, the history."""
        counts, ended_at, turnaround = batch.request_counts.to_dict(), None, None
        if batch.ended_at:
            ended_at = batch.ended_at.isoformat(timespec="seconds")
            turnaround = (batch.ended_at - batch.created_at).total_seconds()
        entry.update(status="ended", ended_at=ended_at, request_counts=counts)
        log.info("%s: batch %s ended after %s s: %s",
                 self.key, entry["id"], turnaround, counts)
        record_history = getattr(self.store, "record_history", None)
        if record_history is not None:
            record_history({
                "key": self.key, "batch_id": entry["id"],
                "submitted_at": entry["submitted_at"], "ended_at": ended_at,
                "turnaround_s": turnaround, "request_counts": counts,
                "usage": _usage(responses)})

    def _sort(self, entry, responses, messages, failures, current):
        """Sort an ended batch's results: messages kept, retryable failures
        taken out for resubmission, final failures taken out and noted."""
        self._sorted.add(entry["id"])
        outcome = {r.custom_id: r.result for r in responses}
        kept, retry = [], []
        for request in entry["requests"]:
            result = outcome.get(request["custom_id"])
            if result is not None and result.type == "succeeded":
                messages[request["custom_id"]] = result.message
                kept.append(request)
                continue
            reason = _reason(result)
            if (reason.partition(":")[0] in RETRYABLE
                    and request["attempts"] < self.max_attempts
                    and request["custom_id"] in current):  # its params are needed
                retry.append(dict(request, attempts=request["attempts"] + 1))
            else:
                failures.append((request, reason))
        entry["requests"] = kept
        return retry

    def _report(self, failures, current, raise_):
        """Record final failures; raise one error for the current items
        (blocking mode), else log each one (a scheduled job goes on)."""
        for request, reason in failures:
            self._record["failed"].append({
                "custom_id": request["custom_id"], "reason": reason,
                "item": _describe(request, current)})
        if failures:
            del self._record["failed"][:-1000]  # for `batchlint status`; bounded
            self.store.save(self.key, self._record)
        mine = []
        for request, reason in failures:
            if raise_ and request["custom_id"] in current:
                mine.append((current[request["custom_id"]], reason))
            else:
                log.error("%s: request for %s failed: %s",
                          self.key, _describe(request, current), reason)
        if mine:
            lines = "\n".join(
                f"  item {r.index} {_short(r.item)}: {reason}"
                for r, reason in sorted(mine, key=lambda pair: pair[0].index)
            )
            raise anthropic.AnthropicError(
                f"{len(mine)} of {len(current)} batch requests failed:\n{lines}"
            )

    def _deliver(self, messages, current, order):
        """(item, message, custom_id) to yield: `order` (the current items, in
        blocking mode) first, then the other results still wanted, in
        submission order, their items coming from the state."""
        requests = {
            r["custom_id"]: r for b in self._record["batches"] for r in b["requests"]
        }
        listed = set(order)
        order += [c for c in requests if c not in listed and self._wanted(c, current)]
        ready = []
        for custom_id in order:
            if custom_id not in messages:
                continue
            try:
                item = _item(requests[custom_id], current)
            except Exception as exc:  # noqa: BLE001 - unpickling runs any class's code
                log.warning("%s: result of %s dropped: its item cannot be restored "
                            "(%r) and is no longer produced", self.key, custom_id, exc)
                self._consume(custom_id)
                continue
            ready.append((item, messages[custom_id], custom_id))
        return ready

    def _consume(self, custom_id):
        if custom_id in self._done:
            return
        self._done.add(custom_id)
        self._record["consumed"].append(custom_id)
        consume = getattr(self.store, "consume", None)  # optional on a duck-typed store
        if consume is None:
            self.store.save(self.key, self._record)
        else:
            consume(self.key, self._record, custom_id)

    def _finish(self):
        """Forget the batches whose every result is processed: the record goes
        once none is left. (An item produced again later is a new request.)"""
        record, done = self._record, self._done
        record["batches"] = [b for b in record["batches"] if b["status"] != "ended"
                             or any(r["custom_id"] not in done for r in b["requests"])]
        if not record["batches"]:
            self.store.delete(self.key)
            return
        left = {r["custom_id"] for b in record["batches"] for r in b["requests"]}
        record["consumed"] = [c for c in record["consumed"] if c in left]
        self.store.save(self.key, record)


# ---------------------------------------------------------------- helpers
def _batchable(messages):
    """True for a genuine SDK Messages resource, unpatched, of a client that
    has the Message Batches API; anything else gets synchronous calls."""
    if os.environ.get("CLAUDE_BATCH_DISABLE") == "1":
        return False
    base = next((c for c in type(messages).__mro__ if c in _SDK_CREATE), None)
    if base is None or "create" in vars(messages):
        return False
    create = type(messages).create
    if create is not _SDK_CREATE[base] or not inspect.isfunction(create):
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

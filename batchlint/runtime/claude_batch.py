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
import concurrent.futures
import contextvars
import functools
import hashlib
import inspect
import json
import logging
import os
import pickle
import reprlib
import sys
import tempfile
import threading
import time
from datetime import datetime

import anthropic
from anthropic.resources.beta.messages import AsyncMessages as AsyncBetaMessages
from anthropic.resources.beta.messages import Messages as BetaMessages
from anthropic.resources.messages import AsyncMessages, Messages

__version__ = 2

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
        self._raise_failures, self._failed = True, {}  # fan_out serves failures per call

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

    def _collect(self):
        """For fan_out: {item: message or failure reason} of the added
        requests, waiting as results() does; nothing is marked consumed."""
        engine, reply = self._engine(), None
        try:
            while True:
                reply = _call(self.messages.batches, *engine.send(reply))
        except StopIteration as stop:
            return self._answers(stop.value)

    async def _acollect(self):
        engine, reply = self._engine(), None
        try:
            while True:
                reply = await _acall(self.messages.batches, *engine.send(reply))
        except StopIteration as stop:
            return self._answers(stop.value)

    def _answers(self, ready):
        current = {r.custom_id: r.item for r in _requests(self._added)}
        answers = {current[c]: reason for c, reason in self._failed.items()}
        answers.update((item, message) for item, message, c in ready if c in current)
        return answers

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
        known = {entry["id"] for entry in self._record["batches"]} | self._known_elsewhere()
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

    def _known_elsewhere(self):
        """Batch ids other keys recorded (a fan_out's other rounds): never ours."""
        ids = set()
        try:
            for key in self.store.keys():
                record = self.store.load(key) if key != self.key else None
                ids |= {entry["id"] for entry in (record or {}).get("batches", ())}
        except (NotImplementedError, OSError, ValueError, KeyError, anthropic.AnthropicError):
            pass  # a store that cannot list its keys: the request count alone decides
        return ids

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
                self._failed[request["custom_id"]] = reason
            else:
                log.error("%s: request for %s failed: %s",
                          self.key, _describe(request, current), reason)
        if mine and self._raise_failures:
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


# ------------------------------------------------- fan-out: record, replay
def fan_out(function, items, key, **options):
    """`[function(item) for item in items]`, its Claude requests sent as
    Message Batches, however deep in the calls they are made.

    Record / replay: each pass runs the items still unfinished; an item's
    first request without an answer is recorded and stops that item. What a
    pass recorded goes out as one batch; the next pass runs those items again
    and `messages.create` returns the batch's answers at the same calls. An
    item making two dependent calls (generate, then grade) takes two passes.
    The item's printing and logging is held and written once, in item order.
    Options are Batch's (state_dir, store, max_attempts, poll_seconds, ...).
    """
    items = list(items)
    outer = _ATTEMPT.get()
    if outer is not None:  # a fan-out inside an item of another: one level of its calls
        return outer.nested(function, items)
    if not _interceptable():
        return [function(item) for item in items]
    with _intercepting():
        return _Session(key, options).run(function, items)


async def afan_out(function, items, key, **options):
    """`asyncio.gather(*(function(item) for item in items))` for an async
    `function`, through the Message Batches API as fan_out does."""
    items = list(items)
    outer = _ATTEMPT.get()
    if outer is not None:
        return await outer.anested(function, items)
    if not _interceptable():
        return list(await asyncio.gather(*(function(item) for item in items)))
    with _intercepting():
        return await _Session(key, options).arun(function, items)


class Pool:
    """A thread pool's stand-in: `submit` records the call and returns a
    future; the first result asked for (`.result()`, `as_completed`, `wait`,
    the end of the `with` block) runs every call submitted so far through
    fan_out, so their Claude requests go out as batches."""

    def __init__(self, key, **options):
        self.key, self.options, self._pending = key, options, []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if exc_info[0] is None:
            self._run()  # as the pool's own exit waits for what was submitted
        return False

    def submit(self, fn, /, *args, **kwargs):
        future = _LazyFuture(self)
        self._pending.append((future, fn, args, kwargs))
        return future

    def map(self, fn, *iterables):
        return iter(fan_out(lambda args: fn(*args), list(zip(*iterables)), self.key, **self.options))

    def shutdown(self, wait=True, **_):
        if wait:
            self._run()

    def _run(self):
        pending, self._pending = self._pending, []
        if pending:
            calls = [(fn, args, kwargs) for _, fn, args, kwargs in pending]
            for (future, *_), (ok, value) in zip(pending, fan_out(_captured, calls, self.key, **self.options)):
                (future.set_result if ok else future.set_exception)(value)


def as_completed(fs, timeout=None):
    """concurrent.futures.as_completed, running the Pool calls first."""
    fs = list(fs)
    _run_pools(fs)
    return concurrent.futures.as_completed(fs, timeout)


def wait(fs, timeout=None, return_when=concurrent.futures.ALL_COMPLETED):
    """concurrent.futures.wait, running the Pool calls first."""
    fs = list(fs)
    _run_pools(fs)
    return concurrent.futures.wait(fs, timeout, return_when)


class _LazyFuture(concurrent.futures.Future):
    def __init__(self, pool):
        super().__init__()
        self._pool = pool

    def result(self, timeout=None):
        if not self.done():
            self._pool._run()
        return super().result(timeout)

    def exception(self, timeout=None):
        if not self.done():
            self._pool._run()
        return super().exception(timeout)


def _run_pools(fs):
    for pool in dict.fromkeys(f._pool for f in fs if isinstance(f, _LazyFuture) and not f.done()):
        pool._run()


def _captured(call):
    """(True, value) or (False, exception) of one submitted call, as a future holds it."""
    fn, args, kwargs = call
    try:
        return True, fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the future raises it where its result is asked for
        return False, exc


STOP = object()  # returned by an item of fan_out: like `break`, no later item runs (its result is None)


class ReplayError(anthropic.AnthropicError):
    """A replayed item made a different request than the one it recorded."""


class _Recorded(BaseException):
    """Stops an item at a request with no answer yet. A BaseException, so the
    item's own `except Exception` (a retry loop) lets it through."""


_ATTEMPT = contextvars.ContextVar("claude_batch_attempt", default=None)
_STATUS = {"invalid_request_error": 400, "authentication_error": 401, "billing_error": 402,
           "permission_error": 403, "not_found_error": 404, "request_too_large": 413,
           "rate_limit_error": 429, "api_error": 500, "overloaded_error": 529}


class _Attempt:
    """One run of one item: its place among all calls, and what it printed."""

    def __init__(self, session, path, output=None, used=None):
        self.session, self.path, self.slot = session, path, 0
        self.output = [] if output is None else output
        self.used = set() if used is None else used  # answered calls the item asked for again (its children too)
        self.stopped = False

    def check(self, whole=True):
        """After the item returned: had it caught the stop, or not asked again
        for every answer it recorded, its result is not the original's."""
        if self.stopped:
            raise ReplayError(
                f"{self.session.key}: item {self.path[0]} went on after its Claude call was stopped for "
                "recording (a bare `except:` or `except BaseException` on the way?); "
                "set CLAUDE_BATCH_DISABLE=1 to run it synchronously")
        if whole and len(self.used) < self.session.answered.get(self.path[0], 0):
            raise ReplayError(
                f"{self.session.key}: item {self.path[0]} took another path when it was replayed: a Claude call "
                "it made when recorded was not made again (does a decision before it read random numbers, "
                "the clock or state that changed?); set CLAUDE_BATCH_DISABLE=1 to run it synchronously")

    def _next(self):
        self.slot += 1
        return self.path + (self.slot - 1,)

    def answer(self, messages, params):
        path = self._next()
        body = _params(path, params)
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        known = self.session.answers.get(path)
        if known is None:
            self.session.recorded.append((path, messages, params, digest))
            self.stopped = True
            raise _Recorded
        if known[0] != digest:
            raise ReplayError(
                f"{self.session.key}: item {path[0]}, Claude call {path[-1] + 1}: the request differs "
                "from the one recorded in the earlier pass; a request built from the clock or random "
                "numbers cannot be replayed (set CLAUDE_BATCH_DISABLE=1 to run it synchronously)")
        self.used.add(path)
        if isinstance(known[1], str):
            raise _failure(messages, known[1])
        return known[1]

    def nested(self, function, items):
        base, results, stopped = self._next(), [], False
        for index, item in enumerate(items):
            child = _Attempt(self.session, base + (index,), self.output, self.used)
            token = _ATTEMPT.set(child)
            try:
                value = function(item)
                child.check(whole=False)
                if value is STOP:
                    break  # as `break` in the loop: no later item
                results.append(value)
            except _Recorded:
                stopped = True
                results.append(None)
            except Exception:
                if stopped:  # it comes again once the items before it have their answers
                    raise _Recorded from None
                raise
            finally:
                _ATTEMPT.reset(token)
        if stopped:
            self.stopped = True
            raise _Recorded
        return results

    async def anested(self, function, items):
        base = self._next()
        children = [_Attempt(self.session, base + (i,), used=self.used) for i in range(len(items))]
        outcomes = await asyncio.gather(*(_arun_one(c, function, item, whole=False)
                                          for c, item in zip(children, items)))
        for child in children:
            self.output += child.output
        if any(state == "pending" for state, _ in outcomes):
            self.stopped = True
            raise _Recorded
        for state, value in outcomes:
            if state == "raised":
                raise value
        return [value for _, value in outcomes]


class _Session:
    """One fan_out: the answers so far, keyed by call path, and each pass."""

    def __init__(self, key, options):
        self.key, self.options = key, dict(options)
        if self.options.get("store") is None:
            folder = self.options.pop("state_dir", None) or os.environ.get("CLAUDE_BATCH_STATE_DIR")
            self.options["store"] = FileStore(folder or ".claude_batch")
        self.answers, self.recorded, self.keys = {}, [], []
        self.answered = collections.Counter()  # item index -> answers recorded for it
        self.held, self.written = {}, 0  # finished items' output not yet written; items written so far

    def run(self, function, items):
        states = [("pending", None)] * len(items)
        while True:
            self.recorded = []
            for index in self._pending(states):
                attempt = _Attempt(self, (index,))
                token = _ATTEMPT.set(attempt)
                try:
                    value = function(items[index])
                    attempt.check()
                    states[index] = ("stop", None) if value is STOP else ("done", value)
                except _Recorded:
                    continue
                except Exception as exc:  # noqa: BLE001 - raised in item order, at the end
                    states[index] = ("raised", exc)
                finally:
                    _ATTEMPT.reset(token)
                self._hold(index, attempt.output)
                if states[index][0] in ("raised", "stop"):
                    break  # the items after it would not have run
            if not self.recorded:
                return self._finish(states)
            for batch in self._batches():
                self._serve(batch, batch._collect())

    async def arun(self, function, items):
        states = [("pending", None)] * len(items)
        while True:
            self.recorded = []
            todo = list(self._pending(states))
            attempts = [_Attempt(self, (index,)) for index in todo]
            outcomes = await asyncio.gather(*(_arun_one(a, function, items[i])
                                              for a, i in zip(attempts, todo)))
            for index, attempt, outcome in zip(todo, attempts, outcomes):
                if outcome[0] != "pending":
                    states[index] = outcome
                    self._hold(index, attempt.output)
            if not self.recorded:
                return self._finish(states)
            for batch in self._batches():
                self._serve(batch, await batch._acollect())

    def _pending(self, states):
        stop = next((i for i, (state, _) in enumerate(states) if state in ("raised", "stop")), len(states))
        return [i for i in range(stop) if states[i][0] == "pending"]

    def _hold(self, index, output):
        """Keep a finished item's output; write out the finished prefix."""
        self.held[index] = output
        while self.written in self.held:
            _replay_output(self.held.pop(self.written))
            self.written += 1

    def _batches(self):
        """One Batch per client among the recorded requests, in order."""
        groups = {}
        for path, messages, params, digest in self.recorded:
            client = messages._client
            group = (type(messages), str(client.base_url), client.api_key)
            if group not in groups:
                suffix = f"/{len(groups)}" if groups else ""
                key = f"{self.key}/pass{len(self.keys) + 1}{suffix}"
                groups[group] = Batch(messages, key, **self.options)
                groups[group]._raise_failures = False
            groups[group].add(path, **params)
            self.answers.setdefault(path, (digest, None))
        self.keys += [batch.key for batch in groups.values()]
        return list(groups.values())

    def _serve(self, batch, answers):
        for path, outcome in answers.items():
            self.answers[path] = (self.answers[path][0], outcome)
            self.answered[path[0]] += 1

    def _finish(self, states):
        for index in sorted(self.held):  # after an error: the rest, in order
            _replay_output(self.held.pop(index))
        raised = next((value for state, value in states if state == "raised"), None)
        if raised is not None:
            raise raised  # the state is kept: a rerun does not pay again for the others
        for key in self.keys:
            self.options["store"].delete(key)
        return [value for _, value in states]


async def _arun_one(attempt, function, item, whole=True):
    """("done", value), ("raised", exception) or ("pending", None), in a task
    of its own, so that setting the attempt reaches that item only."""
    token = _ATTEMPT.set(attempt)
    try:
        value = await function(item)
        attempt.check(whole)
        return "done", value
    except _Recorded:
        return "pending", None
    except Exception as exc:  # noqa: BLE001 - raised in item order by the caller
        return "raised", exc
    finally:
        _ATTEMPT.reset(token)


def _failure(messages, reason):
    """The SDK's own exception for a request the batch could not answer."""
    kind, _, text = reason.partition(": ")
    client = messages._client
    library = next(c for c in type(client._client).__mro__ if not c.__module__.startswith("anthropic"))
    httpx = sys.modules[library.__module__.split(".")[0]]  # the SDK's HTTP library, whatever its name
    request = httpx.Request("POST", str(client.base_url).rstrip("/") + "/v1/messages")
    if kind not in _STATUS:
        return anthropic.APIError(f"batch request {kind}: {text}".rstrip(": "), request, body=None)
    body = {"type": "error", "error": {"type": kind, "message": text}}
    response = httpx.Response(_STATUS[kind], request=request, json=body)
    return client._make_status_error(text, body=body, response=response)


# Interception: while a fan_out runs, the SDK's `create` is wrapped; a call
# made outside an item (another thread, the batch's own calls) passes through.
_PATCHES = {"count": 0}
_PATCH_LOCK = threading.Lock()
_ORIGINAL_CALL_HANDLERS = logging.Logger.callHandlers


def _interceptable():
    if os.environ.get("CLAUDE_BATCH_DISABLE") == "1":
        return False
    return _PATCHES["count"] > 0 or all(cls.create is fn for cls, fn in _SDK_CREATE.items())


def _wrap(cls, original):
    def takes(messages, args, params):
        keep = ("stream", "extra_headers", "extra_query", "betas")
        return (_ATTEMPT.get() is not None and not args and _batch_client(messages)
                and not any(params.get(name) for name in keep))

    if cls in _ASYNC:
        async def create(self, *args, **params):
            if not takes(self, args, params):
                return await original(self, *args, **params)
            return _ATTEMPT.get().answer(self, params)
    else:
        def create(self, *args, **params):
            if not takes(self, args, params):
                return original(self, *args, **params)
            return _ATTEMPT.get().answer(self, params)
    return functools.wraps(original)(create)


class _intercepting:
    """Wrap the SDK's create, print and logging for the fan_out's duration."""

    def __enter__(self):
        with _PATCH_LOCK:
            if _PATCHES["count"] == 0:
                for cls, original in _SDK_CREATE.items():
                    cls.create = _wrap(cls, original)
                _PATCHES["streams"] = (sys.stdout, sys.stderr)
                sys.stdout, sys.stderr = _Held(sys.stdout, "out"), _Held(sys.stderr, "err")
                logging.Logger.callHandlers = _held_log
            _PATCHES["count"] += 1

    def __exit__(self, *exc):
        with _PATCH_LOCK:
            _PATCHES["count"] -= 1
            if _PATCHES["count"] == 0:
                for cls, original in _SDK_CREATE.items():
                    cls.create = original
                out, err = _PATCHES.pop("streams")
                if isinstance(sys.stdout, _Held):
                    sys.stdout = out
                if isinstance(sys.stderr, _Held):
                    sys.stderr = err
                logging.Logger.callHandlers = _ORIGINAL_CALL_HANDLERS


class _Held:
    """sys.stdout / sys.stderr: what an item writes is held with the item."""

    def __init__(self, stream, name):
        self._stream, self._name = stream, name

    def write(self, text):
        attempt = _ATTEMPT.get()
        if attempt is None:
            return self._stream.write(text)
        attempt.output.append((self._name, text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _held_log(logger, record):
    attempt = _ATTEMPT.get()
    if attempt is None:
        return _ORIGINAL_CALL_HANDLERS(logger, record)
    attempt.output.append(("log", logger, record))
    return None


def _replay_output(output):
    out, err = _PATCHES.get("streams", (sys.stdout, sys.stderr))
    for entry in output:
        if entry[0] == "log":
            _ORIGINAL_CALL_HANDLERS(entry[1], entry[2])
        else:
            (out if entry[0] == "out" else err).write(entry[1])


# ---------------------------------------------------------------- helpers
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

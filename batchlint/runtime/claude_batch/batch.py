"""Batch: requests added in a loop, submitted as Message Batches, answered in order."""

from __future__ import annotations

import inspect
import os
import time

import anthropic
from anthropic.resources.beta.messages import Messages as BetaMessages
from anthropic.resources.messages import Messages

from .helpers import (
    _acall,
    _batchable,
    _call,
    _chunks,
    _describe,
    _entry,
    _item,
    _now,
    _reason,
    _requests,
    _setting,
    _short,
    _timestamp,
    _usage,
)
from .settings import _ASYNC, RETRYABLE, log
from .store import FileStore


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
        for item, message, custom_id in self._drive():
            yield item, message
            self._consume(custom_id)  # reached when the loop asks for the next item
        self._finish()

    async def _abatched(self):
        for item, message, custom_id in await self._adrive():
            yield item, message
            self._consume(custom_id)
        self._finish()

    def _collect(self):
        """For fan_out: {item: message or failure reason} of the added
        requests, waiting as results() does; nothing is marked consumed."""
        return self._answers(self._drive())

    async def _acollect(self):
        return self._answers(await self._adrive())

    def _drive(self):
        """Run the engine (submit, poll, resubmit) to its end: what is ready."""
        engine, reply = self._engine(), None
        try:
            while True:
                reply = _call(self.messages.batches, *engine.send(reply))
        except StopIteration as stop:
            return stop.value

    async def _adrive(self):
        engine, reply = self._engine(), None
        try:
            while True:
                reply = await _acall(self.messages.batches, *engine.send(reply))
        except StopIteration as stop:
            return stop.value

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

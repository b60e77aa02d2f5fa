"""fan_out and Pool: any function's Claude requests batched by record and replay."""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import hashlib
import json
import os

import anthropic

from .batch import Batch
from .helpers import _params
from .intercept import _ATTEMPT, _failure, _interceptable, _intercepting, _replay_output
from .store import FileStore


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

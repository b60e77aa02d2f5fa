"""The request recorder `batchlint trace` loads into the traced program.

Wraps the anthropic SDK's `Messages.create` / `.stream` and their async
twins, and appends one JSON line per request to $BATCHLINT_TRACE_FILE: the
call site (the first frame outside the SDK and this file), the frames above
it, the model, the `usage` token counts, latency, time, stream or not, sync
or async. Standard library only, for any Python the command runs. Recording
never changes what the program sees: every failure here is swallowed, and
the SDK's results are returned as they came (streams through a thin proxy).
"""

import contextvars
import functools
import importlib.abc
import importlib.machinery
import json
import os
import sys
import threading
import time
import uuid

_FILE = os.environ.get("BATCHLINT_TRACE_FILE", "")
_RUN = os.environ.get("BATCHLINT_TRACE_RUN") or uuid.uuid4().hex
_THIS = os.path.abspath(__file__)
_lock = threading.Lock()
_inside = contextvars.ContextVar("batchlint_trace_inside", default=False)  # SDK calling itself: one record
_sdk_dir = ""
_MAX_STACK = 24


def install() -> None:
    if not _FILE:
        return
    if "anthropic" in sys.modules:
        _patch()
    else:
        sys.meta_path.insert(0, _AfterImport())


class _AfterImport(importlib.abc.MetaPathFinder):
    """Patches the SDK right after `import anthropic` runs (and not before:
    a program that never imports it pays nothing)."""

    def find_spec(self, name, path=None, target=None):
        if name != "anthropic":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            _patch()

        spec.loader.exec_module = exec_module
        return spec


def _patch() -> None:
    global _sdk_dir
    try:
        import anthropic
        from anthropic.resources import messages
    except Exception:  # noqa: BLE001 - an SDK too old or too new: run unrecorded
        return
    _sdk_dir = os.path.dirname(os.path.abspath(anthropic.__file__)) + os.sep
    for cls, is_async in ((getattr(messages, "Messages", None), False), (getattr(messages, "AsyncMessages", None), True)):
        if cls is None or getattr(cls, "_batchlint_traced", False):
            continue
        if hasattr(cls, "create"):
            cls.create = (_async_create if is_async else _sync_create)(cls.create)
        if hasattr(cls, "stream"):
            cls.stream = _stream(cls.stream, is_async)
        cls._batchlint_traced = True


# ----------------------------------------------------------------- wrappers
def _sync_create(original):
    @functools.wraps(original)
    def create(self, *args, **kwargs):
        if _inside.get():
            return original(self, *args, **kwargs)
        call = _Call(kwargs, stream=kwargs.get("stream") is True, is_async=False)
        token = _inside.set(True)
        try:
            result = original(self, *args, **kwargs)
        finally:
            _inside.reset(token)
        if call.stream:
            return _Events(result, call)
        call.finish(result)
        return result

    return create


def _async_create(original):
    @functools.wraps(original)
    async def create(self, *args, **kwargs):
        if _inside.get():
            return await original(self, *args, **kwargs)
        call = _Call(kwargs, stream=kwargs.get("stream") is True, is_async=True)
        token = _inside.set(True)
        try:
            result = await original(self, *args, **kwargs)
        finally:
            _inside.reset(token)
        if call.stream:
            return _Events(result, call)
        call.finish(result)
        return result

    return create


def _stream(original, is_async):
    @functools.wraps(original)
    def stream(self, *args, **kwargs):
        if _inside.get():
            return original(self, *args, **kwargs)
        call = _Call(kwargs, stream=True, is_async=is_async)
        token = _inside.set(True)
        try:
            manager = original(self, *args, **kwargs)
        finally:
            _inside.reset(token)
        return _Manager(manager, call)

    return stream


class _Call:
    """One request in flight: where it was made and when."""

    def __init__(self, kwargs, stream, is_async):
        self.started = time.time()
        self.clock = time.perf_counter()
        self.stream = stream
        self.is_async = is_async
        self.done = False
        self.model = kwargs.get("model") if isinstance(kwargs.get("model"), str) else ""
        self.usage = {}
        self.site, self.stack = "", []
        try:
            self.site, self.stack = _where()
        except Exception:  # noqa: BLE001
            pass

    def observe(self, event) -> None:
        """A streamed event: message_start carries input usage, message_delta output."""
        try:
            kind = getattr(event, "type", "")
            if kind == "message_start":
                message = getattr(event, "message", None)
                self.model = getattr(message, "model", "") or self.model
                self._usage(getattr(message, "usage", None))
            elif kind == "message_delta":
                self._usage(getattr(event, "usage", None))
        except Exception:  # noqa: BLE001
            pass

    def _usage(self, usage) -> None:
        for key in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"):
            value = getattr(usage, key, None)
            if isinstance(value, int):
                self.usage[key] = value

    def finish(self, message=None) -> None:
        if self.done:
            return
        self.done = True
        try:
            if message is not None:
                self.model = getattr(message, "model", "") or self.model
                self._usage(getattr(message, "usage", None))
            if not self.usage:
                return  # no usage seen (a stream closed before its first event)
            record = {
                "v": 1, "run": _RUN, "pid": os.getpid(),
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.started)) + "Z",
                "site": self.site, "stack": self.stack, "model": self.model,
                "input_tokens": self.usage.get("input_tokens", 0),
                "output_tokens": self.usage.get("output_tokens", 0),
                "cache_read_input_tokens": self.usage.get("cache_read_input_tokens", 0),
                "cache_creation_input_tokens": self.usage.get("cache_creation_input_tokens", 0),
                "latency_ms": round((time.perf_counter() - self.clock) * 1000, 1),
                "stream": self.stream, "async": self.is_async,
            }
            line = json.dumps(record) + "\n"
            with _lock, open(_FILE, "a", encoding="utf-8") as out:
                out.write(line)
        except Exception:  # noqa: BLE001
            pass


def _where():
    """(call site, frames above it) as "path:line", outside the SDK and this file."""
    frame = sys._getframe(1)
    stack = []
    while frame is not None and len(stack) < _MAX_STACK:
        path = frame.f_code.co_filename
        if not (_sdk_dir and path.startswith(_sdk_dir)) and os.path.abspath(path) != _THIS \
                and not path.startswith("<frozen"):
            stack.append(f"{os.path.abspath(path) if not path.startswith('<') else path}:{frame.f_lineno}")
        frame = frame.f_back
    return (stack[0] if stack else ""), stack


class _Events:
    """A `create(stream=True)` stream, passed through event by event."""

    def __init__(self, inner, call):
        self._inner = inner
        self._call = call

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __iter__(self):
        try:
            for event in self._inner:
                self._call.observe(event)
                yield event
        finally:
            self._call.finish()

    async def _aiter(self):
        try:
            async for event in self._inner:
                self._call.observe(event)
                yield event
        finally:
            self._call.finish()

    def __aiter__(self):
        return self._aiter()

    def __next__(self):
        event = next(self._inner)  # StopIteration passes through
        self._call.observe(event)
        return event

    def __enter__(self):
        self._inner.__enter__()
        return self

    def __exit__(self, *exc):
        try:
            return self._inner.__exit__(*exc)
        finally:
            self._call.finish()

    async def __aenter__(self):
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc):
        try:
            return await self._inner.__aexit__(*exc)
        finally:
            self._call.finish()

    def close(self):
        try:
            return self._inner.close()
        finally:
            self._call.finish()


class _Manager:
    """A `messages.stream(...)` manager: the stream it opens is the SDK's own;
    the usage is read from its message snapshot when the block ends."""

    def __init__(self, inner, call):
        self._inner = inner
        self._call = call
        self._stream = None

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def _snapshot(self):
        try:
            return self._stream.current_message_snapshot if self._stream is not None else None
        except Exception:  # noqa: BLE001 - nothing received
            return None

    def __enter__(self):
        self._stream = self._inner.__enter__()
        return self._stream

    def __exit__(self, *exc):
        self._call.finish(self._snapshot())  # never raises
        return self._inner.__exit__(*exc)

    async def __aenter__(self):
        self._stream = await self._inner.__aenter__()
        return self._stream

    async def __aexit__(self, *exc):
        self._call.finish(self._snapshot())  # never raises
        return await self._inner.__aexit__(*exc)

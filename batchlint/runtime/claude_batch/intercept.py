"""While a fan-out runs: the SDK's `create` wrapped, the items' output held."""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import sys
import threading

import anthropic

from .helpers import _batch_client
from .settings import _ASYNC, _SDK_CREATE

_ATTEMPT = contextvars.ContextVar("claude_batch_attempt", default=None)
_STATUS = {"invalid_request_error": 400, "authentication_error": 401, "billing_error": 402,
           "permission_error": 403, "not_found_error": 404, "request_too_large": 413,
           "rate_limit_error": 429, "api_error": 500, "overloaded_error": 529}


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

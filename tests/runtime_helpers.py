"""Shared by the runtime tests: the runtime loaded by path (as a project
would import its copy), clients on the fake API, and a request per item."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import anthropic

from batchlint.runtime import source


def write_runtime(folder: Path) -> Path:
    """The runtime as `fix` writes it (one module joined from its parts), in `folder`."""
    path = Path(folder) / "_claude_batch.py"
    path.write_text(source(), encoding="utf-8")
    return path


def load_runtime():
    path = write_runtime(Path(tempfile.mkdtemp(prefix="claude_batch_under_test.")))
    spec = importlib.util.spec_from_file_location("claude_batch_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cb = load_runtime()


def client(api) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=api.base_url, api_key="test-key", max_retries=0)


def aclient(api) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=api.base_url, api_key="test-key", max_retries=0)


def params(item) -> dict:
    return {"model": "claude-haiku-4-5", "max_tokens": 20, "messages": [{"role": "user", "content": f"ticket {item}"}]}


def batch_of(messages, items, key="tests:job", **options):
    batch = cb.Batch(messages, key, **options)
    for item in items:
        batch.add(item, **params(item))
    return batch


def texts(pairs) -> list:
    """(item, number of words of the answer) pairs: what a loop body would see."""
    return [(item, len(message.content[0].text.split())) for item, message in pairs]


def requests_of(api, item) -> int:
    """How many times the request for `item` was submitted in a batch."""
    return sum(1 for r in api.batch_requests if r["messages"][0]["content"] == f"ticket {item}")

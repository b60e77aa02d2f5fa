"""Functions run through their handles: Modal's `f.map(items)` runs `f` once
per item in containers side by side (a fan-out), Ray's and Modal's
`f.remote(x)` / `f.spawn(x)` run its body like a call. A handle used once, or
where a person waits, is not a repetition."""

from __future__ import annotations

import pytest
from helpers import expected, run

MODAL = """
import anthropic
import modal

app = modal.App("enrich")


@app.function()
def enrich(row):
    client = anthropic.Anthropic()
    return client.messages.create(model="claude-haiku-4-5", max_tokens=100,
                                  messages=[{"role": "user", "content": row}]).content[0].text


@app.local_entrypoint()
def main():
    rows = open("rows.txt").read().splitlines()
    for out in enrich.map(rows):  # mark: map
        print(out)
"""

RAY = """
import anthropic
import ray


@ray.remote
def label(text):
    client = anthropic.Anthropic()
    return client.messages.create(model="claude-haiku-4-5", max_tokens=10,  # expect: BL104
                                  messages=[{"role": "user", "content": text}]).content[0].text


if __name__ == "__main__":
    texts = open("t.txt").read().splitlines()
    print(ray.get([label.remote(t) for t in texts]))  # mark: loop
"""


def _swap(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


@pytest.mark.parametrize("files", [
    pytest.param({"app.py": _swap(MODAL, "# mark: map", "# expect: BL105")}, id="modal-map-over-rows"),
    pytest.param({"app.py": _swap(MODAL, "for out in enrich.map(rows):  # mark: map",
                                  "for row in rows:\n        out = enrich.remote(row)  # expect: BL105")},
                 id="modal-remote-in-a-loop"),
    pytest.param({"job.py": _swap(RAY, "# mark: loop", "# expect: BL105")}, id="ray-remote-in-a-comprehension"),
])
def test_a_function_run_through_its_handle_per_item_is_reported(tmp_path, files):
    assert expected(files)
    assert run(tmp_path, files) == expected(files)


@pytest.mark.parametrize("files", [
    pytest.param({"app.py": _swap(MODAL, "for out in enrich.map(rows):  # mark: map\n        print(out)",
                                  "print(enrich.remote(rows[0]))")}, id="neg-one-remote-call"),
    pytest.param({"app.py": _swap(_swap(MODAL, "@app.local_entrypoint()", "@app.function()\n@modal.fastapi_endpoint()"),
                                  "rows = open(\"rows.txt\").read().splitlines()", "rows = [\"a\", \"b\"]")},
                 id="neg-mapped-inside-a-web-endpoint"),
    pytest.param({"job.py": _swap(RAY, "# mark: loop", "")
                  .replace("[label.remote(t) for t in texts]", "[texts.map(label)]").replace("  # expect: BL104", "")},
                 id="neg-map-on-something-else"),
])
def test_a_handle_used_once_or_while_a_person_waits_is_not_a_repetition(tmp_path, files):
    assert [f for f in run(tmp_path, files) if f[2] != "BL104"] == []

"""Validate-and-retry loops: the call's success path returns from inside a
`try:` after it (`try: return parse(reply)`), so the loop asks one request
again, not a request per item; also when the call is a function handed to
the retrying helper. A loop that keeps going after parsing is a loop over
items."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

DIRECT = """
    import json

    import anthropic

    client = anthropic.Anthropic()


    def complete_json(prompt):
        for attempt in range(2):
            reply = client.messages.create(model="claude-haiku-4-5", max_tokens=200, messages=[{"role": "user", "content": prompt}])
            try:
                return json.loads(reply.content[0].text)
            except ValueError as exc:
                prompt = prompt + f"\\nNot JSON ({exc}); answer with JSON only."
        raise RuntimeError("no valid JSON")


    if __name__ == "__main__":
        complete_json("list three colours")
"""

HANDED = """
    import json

    import anthropic

    client = anthropic.Anthropic()


    def run_with_retry(fetch, prompt):
        for attempt in range(2):
            raw = fetch(prompt)
            try:
                return json.loads(raw)
            except ValueError as exc:
                prompt = prompt + f"\\nNot JSON ({exc})."
        raise RuntimeError("no valid JSON")


    def complete_json(prompt):
        def fetch(current):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=200, messages=[{"role": "user", "content": current}]).content[0].text

        return run_with_retry(fetch, prompt)


    if __name__ == "__main__":
        complete_json("list three colours")
"""


@pytest.mark.parametrize("source", [
    pytest.param(DIRECT, id="a-return-inside-try-after-the-call"),
    pytest.param(HANDED, id="a-function-handed-to-a-retrying-helper"),
])
def test_a_validate_and_retry_loop_asks_one_request_again(tmp_path, source):
    result = check(tmp_path, {"job.py": textwrap.dedent(source)})
    assert not result.findings, [f.message for f in result.findings]


@pytest.mark.parametrize("source", [
    pytest.param(DIRECT.replace("for attempt in range(2):", "for prompt in prompt.split(\";\"):")
                 .replace("                return json.loads(reply.content[0].text)",
                          "                print(json.loads(reply.content[0].text))")
                 .replace("reply = client.messages.create(", "reply = client.messages.create(  # expect: BL105\n                "),
                 id="a-loop-that-parses-each-answer-and-goes-on"),
    pytest.param(HANDED.replace("def run_with_retry(fetch, prompt):\n        for attempt in range(2):\n            raw = fetch(prompt)",
                                "def run_with_retry(fetch, prompt):\n        for part in prompt.split(\";\"):\n"
                                "            raw = fetch(part)  # expect: BL105")
                 .replace("                return json.loads(raw)", "                print(json.loads(raw))"),
                 id="a-helper-that-maps-the-function-over-parts"),
])
def test_a_loop_over_items_is_reported(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)

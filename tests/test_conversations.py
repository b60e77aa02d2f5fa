"""A function that keeps one conversation across its calls (it adds to a list
held outside the call and sends that list as `messages=`) makes each call in a
loop a turn of that conversation: not a batch candidate. The same loop over a
function whose request starts fresh each call is."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

MODULE_HISTORY = """
    import anthropic

    client = anthropic.Anthropic()
    history = []


    def chat(message):
        history.append({"role": "user", "content": message})
        response = client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=history)
        history.append({"role": "assistant", "content": response.content[0].text})
        return response


    if __name__ == "__main__":
        for step in ["outline", "draft", "polish"]:
            chat(step)
"""

SELF_HISTORY = """
    import anthropic


    class Tutor:
        def __init__(self):
            self.client = anthropic.Anthropic()
            self.history = []

        def ask(self, question):
            self.history.append({"role": "user", "content": question})
            messages = self.history + [{"role": "user", "content": "Answer briefly."}]
            response = self.client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=messages)
            self.history.append({"role": "assistant", "content": response.content[0].text})
            return response


    def lesson(questions):
        tutor = Tutor()
        for question in questions:
            tutor.ask(question)


    if __name__ == "__main__":
        lesson(["a", "b"])
"""


@pytest.mark.parametrize("source", [
    pytest.param(MODULE_HISTORY, id="neg-a-module-level-history-each-call-extends"),
    pytest.param(SELF_HISTORY, id="neg-a-history-on-self-sent-through-a-local-copy"),
])
def test_turns_of_one_conversation_are_not_reported(tmp_path, source):
    result = check(tmp_path, {"job.py": textwrap.dedent(source)})
    assert not result.findings, [f.message for f in result.findings]


@pytest.mark.parametrize("source", [
    pytest.param(MODULE_HISTORY.replace("messages=history", 'messages=[{"role": "user", "content": message}]')
                 .replace("            chat(step)", "            chat(step)  # expect: BL105"),
                 id="a-history-kept-but-not-sent"),
    pytest.param(SELF_HISTORY.replace("            self.history.append({\"role\": \"user\", \"content\": question})\n",
                                      "            self.history = [{\"role\": \"user\", \"content\": question}]\n")
                 .replace("            tutor.ask(question)", "            tutor.ask(question)  # expect: BL105"),
                 id="a-history-started-again-by-each-call"),
    pytest.param(SELF_HISTORY.replace("        tutor = Tutor()\n        for question in questions:\n            tutor.ask(question)",
                                      "        for question in questions:\n            Tutor().ask(question)  # expect: BL105"),
                 id="a-new-conversation-per-item"),
])
def test_requests_that_start_fresh_are_reported(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)
    assert expected(files)


def test_strict_mode_does_not_report_the_turns_either(tmp_path):
    from batchlint.config import Config

    result = check(tmp_path, {"job.py": textwrap.dedent(MODULE_HISTORY)}, Config(root=str(tmp_path), strict=True))
    assert not [f for f in result.findings if f.code != "BL110"]

"""Clients cached in a dict by key (`clients[name] = make_judge(name)`, then
`client = clients[name]`): the dict stands for what its entries are given,
in a function (a dict it starts empty) and at module level (a registry). A
record whose entry is given an answer (`row["answer"] = ...`) keeps what it
was."""

from __future__ import annotations

import pytest
from helpers import expected, run

JUDGES = """
import anthropic


class Judge:
    def judge(self, prompt):
        raise NotImplementedError


class ClaudeJudge(Judge):
    def __init__(self):
        self.client = anthropic.Anthropic()

    def judge(self, prompt):
        return self.client.messages.create(model="claude-haiku-4-5", max_tokens=64,
                                           messages=[{"role": "user", "content": prompt}])


class EchoJudge(Judge):
    def judge(self, prompt):
        return prompt


def make_judge(name):
    if name == "claude":
        return ClaudeJudge()
    return EchoJudge()
"""

IN_FUNCTION = JUDGES + """

def grade(examples, names):
    clients: dict[str, Judge] = EMPTY
    for example in examples:
        for name in names:
            if name not in clients:
                clients[name] = MAKE
            client = clients[name]
            print(client.judge(example))MARK


if __name__ == "__main__":
    grade(["a", "b"], ["echo", "claude"])
"""

AT_MODULE = JUDGES + """

if __name__ == "__main__":
    clients = {}
    for example in ["a", "b"]:
        for name in ["echo", "claude"]:
            if name not in clients:
                clients[name] = MAKE
            client = clients[name]
            print(client.judge(example))MARK
"""


def _case(template: str, empty: str = "{}", make: str = "make_judge(name)", reported: bool = True) -> dict[str, str]:
    text = template.replace("EMPTY", empty).replace("MAKE", make).replace("MARK", "  # expect: BL105" if reported else "")
    return {"grade.py": text}


@pytest.mark.parametrize("files", [
    pytest.param(_case(IN_FUNCTION), id="a-dict-a-function-starts-empty"),
    pytest.param(_case(IN_FUNCTION, empty="dict()"), id="started-with-dict()"),
    pytest.param(_case(AT_MODULE), id="a-module-level-dict"),
    pytest.param(_case(IN_FUNCTION, make="ClaudeJudge()"), id="a-constructor-per-key"),
    pytest.param(_case(IN_FUNCTION, make="EchoJudge()", reported=False), id="neg-only-judges-that-make-no-claude-call"),
])
def test_a_client_cached_in_a_dict_by_key(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


def test_a_record_given_an_answer_keeps_what_it_was(tmp_path):
    """`row = {}`-started records are dicts of data: `row["judge"] = make_judge(...)`
    beside `row["text"]` must not make `row.get` a judge (no call to follow: silent)."""
    source = JUDGES + """

def label(texts):
    out = []
    for text in texts:
        row = {}
        row["text"] = text.strip()
        row["answer"] = ClaudeJudge().judge(row["text"])  # expect: BL105
        out.append(row)
    return out


if __name__ == "__main__":
    label(["a", "b"])
"""
    files = {"label.py": source}
    assert run(tmp_path, files) == expected(files)


def test_an_entry_stored_into_a_name_nothing_bound_is_no_error(tmp_path):
    source = """
import anthropic

client = anthropic.Anthropic()
defined_elsewhere["client"] = client

for text in ["a", "b"]:
    client.messages.create(model="claude-haiku-4-5", max_tokens=8,  # expect: BL105
                           messages=[{"role": "user", "content": text}])
"""
    files = {"job.py": source}
    assert run(tmp_path, files) == expected(files)

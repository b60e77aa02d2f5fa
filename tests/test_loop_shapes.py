"""Loops whose shape decides whether a call is repeated work or a conversation."""

from __future__ import annotations

import textwrap

import pytest
from helpers import expected, run

HEAD = """
    import anthropic

    client = anthropic.Anthropic()

"""
MAIN = """

    if __name__ == "__main__":
        main(["a"], [{"q": "x"}])
"""


@pytest.mark.parametrize("body", [
    pytest.param("""
        def main(subjects, rows):
            for subject in subjects:
                for each in rows:
                    response = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": subject + each["q"]}])  # expect: BL105
                    each["output"] = response.content[0].text
    """, id="result-stored-into-the-inner-item"),
    pytest.param("""
        def main(subjects, rows):
            for subject in subjects:
                for each in rows:
                    if each:
                        each["output"] = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": each["q"]}])  # expect: BL105
    """, id="result-stored-into-the-item-under-an-if"),
    pytest.param("""
        def main(subjects, rows):
            previous = rows
            for subject in subjects:
                for each in previous:
                    prompt = each["q"]
                response = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])
                previous = [{"q": response.content[0].text}]
    """, id="inner-loop-over-the-previous-answers-is-a-dependence"),
    pytest.param("""
        def main(subjects, rows):
            for subject in subjects:
                for each in rows:
                    last = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": each["q"] + str(rows[-1])}])
                    rows.append(last)
    """, id="answers-appended-to-the-items-iterated-is-a-dependence"),
])
def test_nested_loop_target_rebinding(tmp_path, body):
    files = {"job.py": "".join(textwrap.dedent(part) for part in (HEAD, body, MAIN))}
    assert run(tmp_path, files) == expected(files)

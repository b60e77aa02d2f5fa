"""A loop whose every iteration waits for a person, through a function of the
file that asks (directly or through another), is interactive; the same loop
whose helper asks nothing is a candidate."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

WATCHER = """
    import glob

    import anthropic

    client = anthropic.Anthropic()


    def ask(prompt):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": prompt}]).content[0].text


    def pick_title(text):
        print(ask("Five titles for:\\n" + text))
        return input("title> ")


    def pipeline(text, title):
        description = ask(f"Describe '{title}':\\n{text}")
        return ask(f"Teaser from this description:\\n{description}")


    def process(path):
        text = open(path).read()
        title = pick_title(text)
        return pipeline(text, title)


    if __name__ == "__main__":
        for path in glob.glob("inbox/*.txt"):
            process(path){mark}
"""


def test_a_loop_whose_helper_first_asks_a_person_is_not_reported(tmp_path):
    result = check(tmp_path, {"watch.py": textwrap.dedent(WATCHER.replace("{mark}", ""))})
    assert not result.findings, [f.message for f in result.findings]


@pytest.mark.parametrize("source", [
    pytest.param(WATCHER.replace('return input("title> ")', 'return "Untitled"'), id="the-helper-asks-nobody"),
    pytest.param(WATCHER.replace("        title = pick_title(text)\n", "        title = path\n"),
                 id="the-asking-helper-is-not-called-in-the-loop"),
])
def test_the_same_loop_without_a_person_is_reported(tmp_path, source):
    files = {"watch.py": textwrap.dedent(source.replace("{mark}", "  # expect: BL105"))}
    assert run(tmp_path, files) == expected(files)

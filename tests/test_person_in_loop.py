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


RANKER = """
    import sys

    import anthropic

    client = anthropic.Anthropic()


    def rank(prompt, verbose=False):
        text = client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": prompt}]).content[0].text
        if verbose:
            print(text)
            input("Press Enter to continue...")
        return text


    if __name__ == "__main__":
        for i in range(50):
            rank(f"Rank the products, shuffle #{i}", verbose="-v" in sys.argv){mark}
"""

CHAT_MODE = """
    import sys

    import anthropic

    client = anthropic.Anthropic()

    if __name__ == "__main__":
        interactive = "-i" in sys.argv
        if interactive:
            while True:
                question = input("> ")
                print(client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": question}]))
"""


def test_a_debugging_pause_behind_a_flag_asks_nobody_on_a_normal_run(tmp_path):
    files = {"rank.py": textwrap.dedent(RANKER.replace("{mark}", "  # expect: BL105"))}
    assert run(tmp_path, files) == expected(files)


@pytest.mark.parametrize("source", [
    pytest.param(RANKER.replace("        if verbose:\n            print(text)\n            input(", "        print(text)\n        input(")
                 .replace("{mark}", ""), id="neg-a-pause-on-every-item-waits-for-a-person"),
    pytest.param(CHAT_MODE, id="neg-a-flag-around-a-whole-chat-loop"),
])
def test_a_person_asked_on_every_iteration_is_still_a_chat_loop(tmp_path, source):
    result = check(tmp_path, {"job.py": textwrap.dedent(source)})
    assert not result.findings, [f.message for f in result.findings]


CHAT_MODULE = """
    import anthropic

    client = anthropic.Anthropic()


    def read_question():
        return input("> ")


    def answer(question):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": question}])
"""

MAIN = """
    from chat import answer, read_question

    if __name__ == "__main__":
        while True:
            print(answer(read_question()))
"""


def test_a_loop_reading_input_through_another_files_function_is_a_chat_loop(tmp_path):
    result = check(tmp_path, {"chat.py": textwrap.dedent(CHAT_MODULE), "main.py": textwrap.dedent(MAIN)})
    assert not result.findings, [f.message for f in result.findings]


def test_the_same_loop_over_a_files_lines_is_reported(tmp_path):
    files = {"chat.py": textwrap.dedent(CHAT_MODULE),
             "main.py": textwrap.dedent(MAIN.replace("while True:", 'for question in open("questions.txt"):')
                                        .replace("answer(read_question()))", "answer(question))  # expect: BL105"))}
    assert run(tmp_path, files) == expected(files)


SESSION = """
    from abc import ABC, abstractmethod

    import anthropic

    client = anthropic.Anthropic()


    class UserInputProvider(ABC):
        @abstractmethod
        def get_user_input(self) -> str: ...


    class Session:
        def process_input(self, line):
            if line == ":q":
                return False
            print(client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": line}]))
            return True

        def loop(self, provider: UserInputProvider):
            while self.process_input(provider.get_user_input()):
                pass
"""


def test_a_loop_reading_through_an_input_providers_method_is_a_chat_loop(tmp_path):
    # the terminal provider, a subclass calling prompt_toolkit, lives in a file
    # that is not parsed (it reaches no Claude call): the method's name says it
    files = {"session.py": textwrap.dedent(SESSION),
             "cli.py": "from prompt_toolkit import prompt\nfrom session import UserInputProvider, Session\n\n\n"
                       "class Terminal(UserInputProvider):\n    def get_user_input(self):\n        return prompt('> ')\n\n\n"
                       "if __name__ == '__main__':\n    Session().loop(Terminal())\n"}
    result = check(tmp_path, files)
    assert not result.findings, [f.message for f in result.findings]


def test_a_loop_over_a_providers_items_is_reported(tmp_path):
    source = SESSION.replace("def get_user_input(self) -> str: ...", "def get_items(self) -> list: ...").replace(
        "while self.process_input(provider.get_user_input()):\n                pass",
        "for line in provider.get_items():\n                self.process_input(line)  # expect: BL105")
    files = {"session.py": textwrap.dedent(source),
             "run.py": "from session import Session, UserInputProvider\n\n\nclass Lines(UserInputProvider):\n"
                       "    def get_items(self):\n        return ['a', 'b']\n\n\nif __name__ == '__main__':\n"
                       "    Session().loop(Lines())\n"}
    assert run(tmp_path, files) == expected(files)


def test_a_method_named_for_user_input_given_a_record_reads_the_record(tmp_path):
    source = """
        import anthropic

        client = anthropic.Anthropic()


        class Replayer:
            def get_user_input(self, row):
                return row["user_input"]

            def replay(self, rows):
                for row in rows:
                    client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": self.get_user_input(row)}])  # expect: BL105


        if __name__ == "__main__":
            Replayer().replay([{"user_input": "a"}])
    """
    files = {"replay.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)


RETRYING = """
    import time

    import anthropic

    client = anthropic.Anthropic()


    def ask(prompt, retries=10):
        attempt = 0
        while True:
            try:
                return client.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": prompt}])
            except Exception:
                if attempt < retries:
                    time.sleep(5)
                    attempt += 1
                else:
                    input("API failed repeatedly. Press Enter to retry...")
                    attempt = 0


    if __name__ == "__main__":
        for line in open("profile.txt"):
            print(ask(line))  # expect: BL105
"""

CHAT_WITH_EOF = """
    import anthropic

    client = anthropic.Anthropic()

    if __name__ == "__main__":
        while True:
            try:
                question = input("> ")
            except EOFError:
                break
            print(client.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": question}]))
"""


def test_a_pause_when_calls_fail_asks_nobody_on_a_normal_run(tmp_path):
    files = {"job.py": textwrap.dedent(RETRYING)}
    assert run(tmp_path, files) == expected(files)


def test_a_chat_loop_reading_input_in_a_try_is_still_a_chat_loop(tmp_path):
    result = check(tmp_path, {"chat.py": textwrap.dedent(CHAT_WITH_EOF)})
    assert not result.findings, [f.message for f in result.findings]

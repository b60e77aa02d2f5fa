"""Callees and receivers written as expressions: a lambda kept on `self`, a
class chosen by a conditional expression and called at once, a client that a
call returns (`cls.client().messages.create`)."""

from __future__ import annotations

import textwrap

import pytest
from helpers import expected, run

LAMBDA_ON_SELF = """
    import anthropic


    class Pipeline:
        def __init__(self):
            client = anthropic.Anthropic()
            self.llm = lambda p: client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": p}])

        def run(self, docs):
            return [self.llm(d) for d in docs]  # expect: BL105


    if __name__ == "__main__":
        Pipeline().run(["a", "b"])
"""


@pytest.mark.parametrize("source", [
    pytest.param(LAMBDA_ON_SELF, id="a-lambda-kept-on-self-called-per-item"),
    pytest.param(LAMBDA_ON_SELF.replace("client = anthropic.Anthropic()", "self.client = anthropic.Anthropic()")
                 .replace("lambda p: client.", "lambda p: self.client."), id="a-lambda-on-self-using-a-client-on-self"),
    pytest.param(LAMBDA_ON_SELF.replace("return [self.llm(d) for d in docs]  # expect: BL105", "return self.llm(docs[0])"),
                 id="neg-the-lambda-called-once"),
    pytest.param(LAMBDA_ON_SELF.replace("return [self.llm(d) for d in docs]  # expect: BL105", "return len(docs)")
                 .replace('Pipeline().run(["a", "b"])', 'for doc in ["a", "b"]:\n            Pipeline().run(doc)'),
                 id="neg-building-the-object-in-a-loop-makes-no-request"),
])
def test_a_lambda_kept_on_self(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)


CONDITIONAL_CALLEE = """
    import sys

    import anthropic


    class ClaudeModel:
        def __init__(self):
            self.client = anthropic.Anthropic()

        def generate(self, prompt):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])


    class EchoModel:
        def generate(self, prompt):
            return prompt


    if __name__ == "__main__":
        model = (EchoModel if sys.argv[1] == "echo" else ClaudeModel)()
        for prompt in ["a", "b"]:
            model.generate(prompt)  # expect: BL105
"""


@pytest.mark.parametrize("source", [
    pytest.param(CONDITIONAL_CALLEE, id="the-claude-class-in-the-second-branch"),
    pytest.param(CONDITIONAL_CALLEE.replace("(EchoModel if", "(ClaudeModel if").replace("else ClaudeModel)", "else EchoModel)"),
                 id="the-claude-class-in-the-first-branch"),
    pytest.param(CONDITIONAL_CALLEE.replace("else ClaudeModel)", "else EchoModel)").replace("  # expect: BL105", ""),
                 id="neg-neither-branch-is-the-claude-class"),
])
def test_a_class_chosen_by_a_conditional_expression_and_called(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)


CLIENT_FROM_A_CALL = """
    import anthropic


    class Claude:
        _client = None

        @classmethod
        def client(cls):
            if cls._client is None:
                cls._client = anthropic.Anthropic()
            return cls._client

        @classmethod
        def ask(cls, question):
            return cls.client().messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": question}])


    if __name__ == "__main__":
        for question in ["a", "b"]:
            Claude.ask(question)  # expect: BL105
"""


@pytest.mark.parametrize("source", [
    pytest.param(CLIENT_FROM_A_CALL, id="a-client-returned-by-a-classmethod"),
    pytest.param(CLIENT_FROM_A_CALL.replace("max_tokens=5, ", "").replace("  # expect: BL105", ""),
                 id="neg-not-spelled-like-a-messages-request"),
    pytest.param(CLIENT_FROM_A_CALL.replace('for question in ["a", "b"]:\n            Claude.ask(question)  # expect: BL105',
                                            'Claude.ask("a")'), id="neg-asked-once"),
])
def test_a_client_returned_by_a_call(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)


FSTRING_GETATTR = """
    import sys

    import anthropic

    client = anthropic.Anthropic()


    class Scorer:
        def _call_anthropic(self, prompt):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])

        def _call_echo(self, prompt):
            return prompt

        def score(self, provider, prompt):
            return getattr(self, f"_call_{provider}")(prompt)


    if __name__ == "__main__":
        scorer = Scorer()
        for row in ["a", "b"]:
            scorer.score(sys.argv[1], row)  # expect: BL105
"""


@pytest.mark.parametrize("source", [
    pytest.param(FSTRING_GETATTR, id="a-method-named-by-an-f-string"),
    pytest.param(FSTRING_GETATTR.replace('return getattr(self, f"_call_{provider}")(prompt)',
                                         'call = getattr(self, f"_call_{provider}")\n            return call(prompt)')
                 .replace("def _call_anthropic(self, prompt):\n            return client.messages.create(",
                          "def _call_aaa(self, prompt):\n            return prompt\n\n        def _call_anthropic(self, prompt):\n"
                          "            return client.messages.create("),
                 id="a-method-named-by-an-f-string-through-a-local-not-the-first-that-fits"),
    pytest.param(FSTRING_GETATTR.replace('f"_call_{provider}"', 'f"{provider}_call"').replace("def _call_", "def call_")
                 .replace("  # expect: BL105", ""), id="neg-no-method-has-the-written-start"),
    pytest.param(FSTRING_GETATTR.replace('f"_call_{provider}"', 'f"{provider}"').replace("  # expect: BL105", ""),
                 id="neg-an-f-string-writing-nothing-names-no-method"),
])
def test_getattr_with_an_f_string_on_self(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)


PROPERTY_CLIENT = """
    import functools

    import anthropic


    class Settings:
        model = "claude-haiku-4-5"

        @functools.cached_property
        def client(self):
            return anthropic.Anthropic()


    settings = Settings()


    def summarize(text):
        return settings.client.messages.create(model=settings.model, max_tokens=5, messages=[{"role": "user", "content": text}])


    if __name__ == "__main__":
        for text in ["a", "b"]:
            summarize(text)  # expect: BL105
"""


@pytest.mark.parametrize("source", [
    pytest.param(PROPERTY_CLIENT, id="a-client-a-cached-property-returns"),
    pytest.param(PROPERTY_CLIENT.replace("@functools.cached_property", "@property"), id="a-client-a-property-returns"),
    pytest.param(PROPERTY_CLIENT.replace('for text in ["a", "b"]:\n            summarize(text)  # expect: BL105',
                                         'summarize("a")'), id="neg-one-request"),
])
def test_a_client_read_through_a_property(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)

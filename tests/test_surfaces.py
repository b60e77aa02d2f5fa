"""Claude through LangChain, LiteLLM, instructor and the OpenAI SDK pointed at
Anthropic: the same contexts apply; the finding and `fix` name the remedy."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

from batchlint.analysis.surfaces import INSTRUCTOR, LANGCHAIN, LITELLM, OPENAI_COMPATIBLE
from batchlint.codemod.fixer import plan_result

MAIN = '\n\nif __name__ == "__main__":\n    main(["a", "b"])\n'

CASES = {
    "langchain": (LANGCHAIN, """
        from langchain_anthropic import ChatAnthropic

        llm = ChatAnthropic(model="claude-haiku-4-5")

        def main(rows):
            for row in rows:
                llm.invoke(row)  # expect: BL105
    """),
    "langchain-structured-async": (LANGCHAIN, """
        import asyncio

        from langchain_anthropic import ChatAnthropic

        class Answer:
            pass

        async def label(rows):
            llm = ChatAnthropic(model="claude-haiku-4-5").with_structured_output(Answer)
            return await asyncio.gather(*(llm.ainvoke(row) for row in rows))  # expect: BL105

        def main(rows):
            asyncio.run(label(rows))
    """),
    "litellm": (LITELLM, """
        from litellm import completion

        MODEL = "anthropic/claude-haiku-4-5"

        def main(rows):
            for row in rows:
                completion(model=MODEL, messages=[{"role": "user", "content": row}])  # expect: BL105
    """),
    "litellm-bare-claude-name": (LITELLM, """
        import litellm

        def main(rows):
            for row in rows:
                litellm.completion(model="claude-haiku-4-5", messages=[{"role": "user", "content": row}])  # expect: BL105
    """),
    "instructor": (INSTRUCTOR, """
        import anthropic
        import instructor

        client = instructor.from_anthropic(anthropic.Anthropic())

        def main(rows):
            for row in rows:
                client.messages.create(model="claude-haiku-4-5", max_tokens=100, response_model=dict, messages=[{"role": "user", "content": row}])  # expect: BL105
    """),
    "openai-sdk-at-anthropic": (OPENAI_COMPATIBLE, """
        from openai import OpenAI

        BASE = "https://api.anthropic.com/v1/"
        client = OpenAI(base_url=BASE, api_key="x")

        def main(rows):
            for row in rows:
                client.chat.completions.create(model="claude-haiku-4-5", messages=[{"role": "user", "content": row}])  # expect: BL105
    """),
}

NEGATIVES = {
    "litellm-other-model": """
        import litellm

        def main(rows):
            for row in rows:
                litellm.completion(model="gpt-4o", messages=[{"role": "user", "content": row}])
    """,
    "openai-sdk-at-openai": """
        from openai import OpenAI

        client = OpenAI(api_key="x")  # mentions claude in a comment only

        def main(rows):
            for row in rows:
                client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": row}])
    """,
    "langchain-in-a-chat-loop": """
        from langchain_anthropic import ChatAnthropic

        llm = ChatAnthropic(model="claude-haiku-4-5")

        def main(rows):
            while True:
                print(llm.invoke(input("> ")).content)
    """,
    "langchain-other-provider": """
        from langchain_openai import ChatOpenAI  # not claude

        llm = ChatOpenAI(model="gpt-4o")

        def main(rows):
            for row in rows:
                llm.invoke(row)
    """,
}


def _files(body: str) -> dict[str, str]:
    return {"job.py": textwrap.dedent(body).lstrip("\n") + MAIN}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_surface_is_a_candidate_naming_its_remedy(tmp_path, monkeypatch, name):
    surface, body = CASES[name]
    files = _files(body)
    assert run(tmp_path, files) == expected(files)
    (finding,) = check(tmp_path).findings
    assert finding.client == surface.client
    assert surface.remedy in finding.message
    monkeypatch.chdir(tmp_path)
    [status] = [s for f in plan_result(check(tmp_path), unsafe=True) for _, s in f.statuses]
    assert not status.fixable and status.reason.startswith(surface.remedy)


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_other_models_and_interactive_loops_are_silent(tmp_path, name):
    files = _files(NEGATIVES[name])
    assert run(tmp_path, files) == expected(files) == []


def test_the_anthropic_sdk_names_no_other_remedy(tmp_path):
    files = _files("""
        import anthropic

        client = anthropic.Anthropic()

        def main(rows):
            for row in rows:
                client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])  # expect: BL105
    """)
    assert run(tmp_path, files) == expected(files)
    (finding,) = check(tmp_path).findings
    assert finding.client == "Anthropic"
    assert not any(s.remedy in finding.message for s in (LANGCHAIN, LITELLM, INSTRUCTOR, OPENAI_COMPATIBLE))


@pytest.mark.parametrize("body", [
    pytest.param("""
        from langchain_anthropic import ChatAnthropic

        llm = ChatAnthropic(model="claude-haiku-4-5")

        def main(rows):
            return llm.batch(rows)  # expect: BL105
    """, id="langchain-batch-is-one-request-per-input"),
    pytest.param("""
        import litellm

        def main(rows):
            return litellm.batch_completion(model="anthropic/claude-haiku-4-5", messages=[[{"role": "user", "content": r}] for r in rows])  # expect: BL105
    """, id="litellm-batch-completion"),
    pytest.param("""
        from langchain_anthropic import ChatAnthropic

        llm = ChatAnthropic(model="claude-haiku-4-5")

        def main(rows):
            return llm.invoke(rows[0])
    """, id="neg-one-invoke-in-a-script"),
    pytest.param("""
        import litellm

        def main(rows):
            return litellm.batch_completion(model="gpt-4o", messages=[[{"role": "user", "content": r}] for r in rows])
    """, id="neg-litellm-batch-completion-of-another-model"),
])
def test_concurrent_batch_calls_are_fan_outs(tmp_path, body):
    files = _files(body)
    assert run(tmp_path, files) == expected(files)

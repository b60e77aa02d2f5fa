"""A loop over a written list of models or providers with at most one Claude
entry asks each provider once: no repetition of the Claude request. Two
Claude models, a list of anything else, or a loop over questions inside it
are repetitions."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

COMPARE = """
    import anthropic
    import openai

    claude = anthropic.Anthropic()
    gpt = openai.OpenAI()


    def ask(model, prompt):
        if model.startswith("claude"):
            return claude.messages.create(model=model, max_tokens=200, messages=[{"role": "user", "content": prompt}])
        return gpt.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])


    MODELS = {models}


    def compare(prompt):
        {loop}


    if __name__ == "__main__":
        compare("one question")
"""


def _source(models: str, loop: str) -> str:
    return textwrap.dedent(COMPARE).replace("{models}", models).replace("{loop}", loop)


@pytest.mark.parametrize("models, loop", [
    pytest.param('["gpt-4o", "claude-sonnet-4-5", "gemini-1.5-pro"]', "return [ask(m, prompt) for m in MODELS]",
                 id="neg-a-module-list-of-models"),
    pytest.param('{"openai": "gpt-4o", "anthropic": "claude-sonnet-4-5"}',
                 "return {name: ask(model, prompt) for name, model in MODELS.items()}", id="neg-a-dict-by-provider"),
    pytest.param("None", 'for m in ["claude-haiku-4-5", "openai/gpt-4o"]:\n        ask(m, prompt)',
                 id="neg-a-written-list-in-the-loop"),
    pytest.param("None", 'models = [("anthropic", "claude-haiku-4-5"), ("openai", "gpt-4o")]\n'
                         '    for provider, model in models:\n        ask(model, prompt)', id="neg-a-local-list-of-pairs"),
])
def test_one_request_to_each_provider_is_not_reported(tmp_path, models, loop):
    result = check(tmp_path, {"compare.py": _source(models, loop)})
    assert not result.findings, [f.message for f in result.findings]


@pytest.mark.parametrize("models, loop", [
    pytest.param('["claude-haiku-4-5", "claude-sonnet-4-5", "gpt-4o"]',
                 "return [ask(m, prompt) for m in MODELS]  # expect: BL105", id="two-claude-models"),
    pytest.param('["OpenAI", "Google", "Anthropic"]',
                 'return [ask("claude-haiku-4-5", f"News about {c}: " + prompt) for c in MODELS]  # expect: BL105',
                 id="company-names-are-no-model-ids"),
    pytest.param('["summarize", "translate"]', "return [ask(f\"claude-haiku-4-5\", t + prompt) for t in MODELS]  # expect: BL105",
                 id="a-list-of-tasks-not-providers"),
    pytest.param('["gpt-4o", "claude-sonnet-4-5"]',
                 'for m in MODELS:\n        for q in open("questions.txt"):\n            ask(m, q)  # expect: BL105',
                 id="questions-inside-a-loop-over-providers"),
])
def test_a_repetition_of_the_claude_request_is_reported(tmp_path, models, loop):
    files = {"compare.py": _source(models, loop)}
    assert run(tmp_path, files) == expected(files)

"""Property tests: whatever Python comes in, `check` answers without crashing.

hypothesmith generates syntactically valid programs from the grammar; a
second strategy splices SDK-shaped calls into loops, functions and classes,
so the analysis (not just the parse) runs on odd shapes. Arbitrary text
covers the error paths."""

from __future__ import annotations

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchlint import check_source
from batchlint.model import CheckResult

# hypothesmith compiles what it generates; its SyntaxWarnings are about that code
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def _check(text: str) -> CheckResult:
    result = check_source("import anthropic\n" + text, "generated.py")
    for finding in result.findings:
        assert finding.code.startswith("BL1")
        assert finding.line >= 1 and finding.column >= 1
    for error in result.errors:
        assert error.code in ("BL001", "BL003") and "\n" not in error.message
    return result


@SETTINGS
@given(hypothesmith.from_grammar())
def test_generated_programs_never_crash_the_check(source):
    _check(source)


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes_the_check(text):
    _check(text)


_CALL = "client.messages.create(model='m', max_tokens=1, messages=[{'role': 'user', 'content': str(%s)}])"
_WRAPPERS = [
    "for {v} in items:\n    {body}\n",
    "while {v}:\n    {body}\n",
    "def f_{v}({v}):\n    return {body}\n",
    "async def g_{v}({v}):\n    await asyncio.gather(*({body} for _ in {v}))\n",
    "class C_{v}:\n    def m(self, {v}):\n        {body}\n",
    "with pool() as {v}:\n    {v}.map(lambda x: {body}, rows)\n",
    "if __name__ == '__main__':\n    [{body} for {v} in rows]\n",
    "try:\n    {body}\nexcept Exception:\n    {v} = None\n",
]


@st.composite
def sdk_programs(draw):
    lines = ["import anthropic, asyncio", "client = anthropic.Anthropic()"]
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(["x", "row", "item", "history", "resp"]))
        body = _CALL % name
        for _ in range(draw(st.integers(1, 3))):
            template = draw(st.sampled_from(_WRAPPERS))
            body = template.format(v=name, body=body.replace("\n", "\n    ")).rstrip("\n")
            if not body.startswith(("for", "while", "def", "async", "class", "with", "if", "try")):
                break
        lines.append(body)
    return "\n".join(lines) + "\n"


@SETTINGS
@given(sdk_programs())
def test_sdk_shaped_programs_are_analyzed_without_crashing(source):
    result = _check(source)
    # a parse failure here would mean the generator wrote invalid Python, not a batchlint bug
    assert all(e.code != "BL003" or "internal error" not in e.message for e in result.errors)

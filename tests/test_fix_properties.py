"""Property tests for `batchlint fix`: on generated loops with every mix of
statements around the Claude call, and on hypothesmith programs with such a
loop appended, the fix either refuses or writes code that parses, makes no
Messages call in a loop any more, and does not change on a second run."""

from __future__ import annotations

import ast
import os
import tempfile

import hypothesmith
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from batchlint import check_paths
from batchlint.fix_command import write_file_fix
from batchlint.codemod.fixer import plan_result
from batchlint.config import Config

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

HEADER = "import time\nimport anthropic\nclient = anthropic.Anthropic()\n"
CALL = "client.messages.create(model='m', max_tokens=5, messages=[{'role': 'user', 'content': str(d)}])"

BEFORE = ["x = d * 2", "if not d:\n    continue", "print(d)", "time.sleep(0)", "seen.add(d)", "y = len(str(d))",
          "if d == 3:\n    break", "if d is None:\n    raise ValueError(d)", "prompt = f'{d}!'", "n += 1", "pass"]
AT = ["r = {call}", "out.append({call})", "{call}", "r: object = {call}", "r = d and {call}", "if d:\n    r = {call}",
      "try:\n    r = {call}\nexcept Exception:\n    r = None", "with ctx:\n    r = {call}", "r = {call}.content[0].text"]
AFTER = ["out.append(d)", "total += 1", "if d:\n    break", "print(d)", "continue", "history.append(d)",
         "results[d] = d", "yield d", "return d", "x = [d for d in out]"]
HEADERS = ["for d in docs:", "for i, d in enumerate(docs):", "for d, e in zip(docs, docs):", "for d in range(3):"]


def _indent(block: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" for line in block.splitlines())


@st.composite
def loops(draw):
    body = draw(st.lists(st.sampled_from(BEFORE), max_size=3))
    body.append(draw(st.sampled_from(AT)).format(call=CALL))
    body += draw(st.lists(st.sampled_from(AFTER), max_size=3))
    loop = draw(st.sampled_from(HEADERS)) + "\n" + "".join(_indent(b, 4) for b in body)
    if draw(st.booleans()):
        loop += "else:\n    done = True\n"
    if draw(st.booleans()):
        return "def job(docs, out, seen, history, results, ctx, n=0, total=0):\n" + _indent(loop, 4)
    return loop


def fix_twice(source: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "job.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        for attempt in range(2):
            result = check_paths([path], Config(root=tmp))
            planned = plan_result(result)
            if attempt == 1:
                assert all(f.fixed is None for f in planned), "a second fix changed the file again"
                left = [s.reason for f in planned for _, s in f.statuses]
                assert all("made inside a function" not in r for r in left)
                break
            for file_fix in planned:
                for _, status in file_fix.statuses:
                    assert status.reason and "\n" not in status.reason
                if file_fix.fixed is not None:
                    ast.parse(file_fix.fixed)
                    write_file_fix(file_fix)
            with open(path, encoding="utf-8", newline="") as handle:  # as on disk: CRs untranslated
                after = handle.read()
            if after != source:  # each rewrite takes one Messages call out of a loop, or puts the loop into fan_out
                assert after.count("messages.create(") < source.count("messages.create(") \
                    or after.count("fan_out(") > source.count("fan_out(")
                event("rewritten")
            else:
                event("refused")


@SETTINGS
@given(loops())
def test_fix_refuses_or_writes_parseable_idempotent_code(loop):
    fix_twice(HEADER + "docs = []\n" + loop)


@SETTINGS
@given(hypothesmith.from_grammar())
def test_fix_on_generated_programs_with_a_batchable_loop_appended(program):
    fix_twice(HEADER + program + "\nfor d in []:\n    r = " + CALL + "\n")

"""The codemod's parts on their own: the planner's decisions (rewrite or the
reason it refuses) side by side, atomic writes, the `fix` command's exit
codes, and SARIF fixes. The runtime the rewrites call is tested on its own in
tests/test_runtime.py."""

from __future__ import annotations

import ast
import json
import os
import stat
import sys
import textwrap

import libcst as cst
import pytest
from click.testing import CliRunner

from batchlint.cli import main
from batchlint.codemod import files
from batchlint.codemod.fixer import text_edits
from batchlint.codemod.plan import Planner, Refusal
from batchlint.codemod.rewrite import Emit, apply

from fakeapi import FakeAPI

HEADER = "import anthropic\nimport asyncio\nclient = anthropic.Anthropic()\naclient = anthropic.AsyncAnthropic()\n"


def plan(body: str):
    """Plan the first `.create(` call of `body` (after HEADER) as if check had reported it there."""
    source = HEADER + textwrap.dedent(body)
    module = cst.parse_module(source)
    planner = Planner(module, source)
    call = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute) and n.func.attr == "create")
    outcome = planner.plan(call.lineno, call.col_offset + 1, call.lineno, call.col_offset + 1, "Anthropic", "messages.create")
    return outcome, module


CALL = 'client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": d}])'

REWRITTEN = {
    "plain loop": f"for d in docs:\n    r = {CALL}\n    out.append(r)\n",
    "tuple target": f"for i, (a, b) in enumerate(pairs):\n    d = a + b\n    out.append({CALL})\n",
    "filter and pacing": f"import time\nfor d in docs:\n    if not d:\n        continue\n    time.sleep(0)\n    r = {CALL}\n",
    "elif filter": f"for d in docs:\n    if d == 1:\n        continue\n    elif d == 2:\n        x = 1\n    else:\n        x = 2\n    r = {CALL}\n",
    "break before call, no else": f"for d in docs:\n    if d is None:\n        break\n    r = {CALL}\n",
    "result used in later statements": f"total = 0\nfor d in docs:\n    r = {CALL}\n    total += r.usage.output_tokens\n",
    "set comprehension": f"s = {{{CALL}.stop_reason for d in docs}}\n",
    "sorted generator": f"s = sorted({CALL}.stop_reason for d in docs)\n",
    "async loop": f"async def f():\n    for d in docs:\n        r = await a{CALL}\n        out.append(r)\n",
    "async comprehension": f"async def f():\n    return [await a{CALL} for d in docs]\n",
    "gather": f"async def f():\n    return await asyncio.gather(*[a{CALL} for d in docs])\n",
    "dict rebound (the rewrite builds no dict)": f"dict = None\nfor d in docs:\n    r = {CALL}\n",
    "pure inner loop before the call": f"for row in rows:\n    parts = []\n    for f in row:\n        if f:\n            parts.append(str(f))\n    d = ' '.join(parts)\n    r = {CALL}\n    out.append(r)\n",
    "call in an if test": f"for d in docs:\n    if {CALL}.stop_reason == 'end_turn':\n        out.append(d)\n",
    "client made once from a factory": f"for d in docs:\n    r = anthropic.Anthropic().messages.create(model='m', max_tokens=5, messages=[])\n",
}

REFUSED = {
    "inner loop with an effect": (f"for row in rows:\n    for f in row:\n        print(f)\n    d = row\n    r = {CALL}\n", "runs before the call"),
    "inner loop filling an outer list": (f"for row in rows:\n    for f in row:\n        seen.append(f)\n    d = row\n    r = {CALL}\n", "runs before the call"),
    "call in an elif test": (f"for d in docs:\n    if d:\n        pass\n    elif {CALL}.stop_reason:\n        out.append(d)\n", "inside an `if`"),
    "lambda": (f"out = list(map(lambda d: {CALL}, docs))\n", "inside a lambda"),
    "and/or": (f"for d in docs:\n    r = d and {CALL}\n", "conditional expression"),
    "ternary": (f"for d in docs:\n    r = {CALL} if d else None\n", "conditional expression"),
    "if around the call": (f"for d in docs:\n    if d:\n        r = {CALL}\n", "inside an `if`"),
    "history carried": (f"history = []\nfor d in docs:\n    r = client.messages.create(model='m', max_tokens=5, messages=history)\n"
                        "    history.append(r)\n", "loop-carried dependence"),
    "result feeds next request": (f"prev = ''\nfor d in docs:\n    r = client.messages.create(model='m', max_tokens=5, messages=[prev])\n"
                                  "    prev = r.content[0].text\n", "loop-carried dependence"),
    "effect in the arguments": (f"for d in docs:\n    r = client.messages.create(model='m', max_tokens=5, messages=[log.info(d)])\n",
                                "arguments call"),
    "mutation before the call": (f"for d in docs:\n    seen.add(d)\n    r = {CALL}\n", "runs before the call"),
    "while loop before the call": (f"for d in docs:\n    while d:\n        d = d[1:]\n    r = {CALL}\n", "statement before the call"),
    "with before the call": (f"for d in docs:\n    with open(d) as fh:\n        t = fh.read()\n    r = {CALL}\n", "statement before the call"),
    "del before the call": (f"for d in docs:\n    del cache[d]\n    r = {CALL}\n", "statement before the call"),
    "await before the call": (f"async def f():\n    for d in docs:\n        x = await fetch(d)\n        r = await a{CALL}\n", "`await` before the call"),
    "break before call with else": (f"for d in docs:\n    if d is None:\n        break\n    r = {CALL}\nelse:\n    pass\n", "`else:` clause"),
    "dict key": ("x = {client.messages.create(model='m', max_tokens=5, messages=[]): d for d in docs}\n", "key or loop part"),
    "comprehension iterable": ("x = [d for d in client.messages.create(model='m', max_tokens=5, messages=[]).content]\n", "loop part"),
    "lazy generator": (f"g = ({CALL} for d in docs)\n", "lazily"),
    "any() stops early": (f"ok = any({CALL}.stop_reason == 'x' for d in docs)\n", "lazily"),
    "gather not awaited here": (f"async def f():\n    t = asyncio.gather(*[a{CALL} for d in docs])\n    return await t\n", "not awaited"),
    "gather of wrapped coroutines": (f"async def f():\n    return await asyncio.gather(*[wrap(a{CALL}) for d in docs])\n", "wrapped"),
    "positional arguments": ("for d in docs:\n    r = client.messages.create(d)\n", "positional"),
    "star args": ("for d in docs:\n    r = client.messages.create(*a)\n", "*args"),
    "stream=True": ("for d in docs:\n    r = client.messages.create(model='m', max_tokens=5, messages=[], stream=True)\n", "streamed"),
    "extra_query": ("for d in docs:\n    r = client.messages.create(model='m', max_tokens=5, messages=[], extra_query={})\n", "extra_query"),
    "nested comprehension in loop": (f"for g in groups:\n    out = [{CALL} for d in g]\n", "inside a loop"),
    "while": (f"while docs:\n    d = docs.pop()\n    r = {CALL}\n", "`while` loop"),
    "one-line body": (f"for d in docs: r = {CALL}\n", "same line"),
    "attribute target": (f"for self.d in docs:\n    r = {CALL}\n", "plain name"),
    "not in a loop": (f"def f(d):\n    return {CALL}\n", "no loop"),
    "return after": (f"def f():\n    for d in docs:\n        r = {CALL}\n        if r:\n            return r\n", "`return` inside"),
    "yield after": (f"def f():\n    for d in docs:\n        yield {CALL}\n", "yields"),
    "client per item": ("for c in clients:\n    r = c.messages.create(model='m', max_tokens=5, messages=[])\n", "client depends on the item"),
    "client rebound after": (f"for d in docs:\n    r = {CALL}\n    client = other\n", "client is changed inside the loop"),
    "loop grows its own list": (f"for d in docs:\n    r = {CALL}\n    docs.append(1)\n", "loop-carried dependence"),
    "try around": (f"for d in docs:\n    try:\n        r = {CALL}\n    except Exception:\n        pass\n", "try/except"),
}


SPLIT_REFUSED = {
    "comprehension": (f"def job():\n    return [{CALL} for d in docs]\n", "comprehension or gather"),
    "loop not at the top of the body": (f"def job():\n    if docs:\n        for d in docs:\n            r = {CALL}\n", "top level of a function"),
    "method": (f"class Job:\n    def run(self):\n        for d in docs:\n            r = {CALL}\n", "module-level functions"),
    "effect before the loop": (f"def job():\n    print('start')\n    for d in docs:\n        r = {CALL}\n", "twice"),
    "generator": (f"def job():\n    for d in docs:\n        r = {CALL}\n    yield 1\n", "generator"),
    "name taken": (f"def submit_job():\n    pass\ndef job():\n    for d in docs:\n        r = {CALL}\n", "already has"),
}


def test_an_async_call_collected_for_a_later_gather_is_refused():
    source = HEADER + f"async def f():\n    tasks = []\n    for d in docs:\n        tasks.append(a{CALL})\n    return await asyncio.gather(*tasks)\n"
    module = cst.parse_module(source)
    planner = Planner(module, source)
    call = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "create")
    outcome = planner.plan(call.lineno, call.col_offset + 1, call.lineno, call.col_offset + 1, "AsyncAnthropic", "messages.create")
    assert isinstance(outcome, Refusal) and "not awaited here" in outcome.reason


def test_a_loop_making_two_calls_is_not_split_but_replayed(tmp_path, monkeypatch):
    """The split rewrite takes loops that make one call; record/replay takes
    this one whole (both calls in one fan-out, two rounds)."""
    monkeypatch.chdir(tmp_path)
    two = SOURCE.replace("    print(r.stop_reason)\n", "    s = client.messages.create(model='m', max_tokens=5, messages=[])\n    print(r.stop_reason, s)\n")
    (tmp_path / "two.py").write_text(two)
    from batchlint import check_paths
    from batchlint.codemod.fixer import plan_result
    from batchlint.config import Config

    result = check_paths(["."], Config(root=str(tmp_path)))
    assert all("makes 2 Claude calls" in s.reason for f in plan_result(result, replay=False) for _, s in f.statuses)
    planned = plan_result(result)
    assert [s.fixable for f in planned for _, s in f.statuses] == [True, True]
    fixed = next(f for f in planned if f.path == "two.py").fixed.decode()
    assert fixed.count("_claude_batch.fan_out(") == 1 and fixed.count("client.messages.create(") == 2


@pytest.mark.parametrize("name", sorted(REWRITTEN))
def test_planner_rewrites(name):
    outcome, module = plan(REWRITTEN[name])
    assert not isinstance(outcome, Refusal), outcome
    new = apply(module, [outcome], {id(outcome.node): Emit("m:f")}).code
    ast.parse(new)
    assert "messages.create(" not in new


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_planner_refuses_with_reason(name):
    body, reason = REFUSED[name]
    outcome, _ = plan(body)
    assert isinstance(outcome, Refusal), f"{name}: expected a refusal"
    assert reason.lower() in outcome.reason.lower(), outcome.reason


def test_the_rewrite_keeps_everything_else_byte_identical():
    body = "# a comment\nx = 1  # trailing\n\n\nfor d in docs:  # loop\n    r = " + CALL + "  # call\n    out.append(r)\n\ny = [1,2,  3]  # odd spacing kept\n"
    outcome, module = plan(body)
    new = apply(module, [outcome], {id(outcome.node): Emit("m:f")}).code
    old_lines = (HEADER + body).splitlines()
    for line in ("# a comment", "x = 1  # trailing", "y = [1,2,  3]  # odd spacing kept", "aclient = anthropic.AsyncAnthropic()"):
        assert line in old_lines and line in new.splitlines()
    assert new.count('batch = _claude_batch.Batch(client.messages, "m:f")') == 1


# -------------------------------------------------------------------- files
SOURCE = f"import anthropic\nclient = anthropic.Anthropic()\ndocs = ['a']\nfor d in docs:\n    r = {CALL}\n    print(r.stop_reason)\n"


@pytest.mark.parametrize("encoding, prefix, newline", [
    ("utf-8", b"", "\n"),
    ("utf-8", b"\xef\xbb\xbf", "\r\n"),
    ("latin-1", b"# -*- coding: latin-1 -*-\n", "\n"),
])
def test_fix_keeps_encoding_newlines_and_mode(tmp_path, encoding, prefix, newline):
    path = tmp_path / "job.py"
    text = SOURCE.replace("['a']", "['caf\u00e9']").replace("\n", newline)
    path.write_bytes(prefix.replace(b"\n", newline.encode()) + text.encode(encoding))
    path.chmod(0o754)
    result = CliRunner().invoke(main, ["fix", "--isolated", "--no-cache", str(path)])
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data.startswith(prefix.replace(b"\n", newline.encode()))
    decoded = data.decode(encoding)
    assert "caf\u00e9" in decoded and "batch.add(" in decoded
    if newline == "\r\n":
        assert "\n" not in decoded.replace("\r\n", "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o754
    ast.parse(data)


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path):
    path = tmp_path / "job.py"
    path.write_text(SOURCE)
    original = files.read(str(path))
    path.write_text(SOURCE + "# edited meanwhile\n")
    with pytest.raises(files.WriteError, match="changed on disk"):
        files.write_atomic(original, b"new")
    assert path.read_text() == SOURCE + "# edited meanwhile\n"


def test_an_interrupted_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "job.py"
    path.write_text(SOURCE)
    original = files.read(str(path))

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(original, b"x = 1\n")
    assert path.read_text() == SOURCE
    assert os.listdir(tmp_path) == ["job.py"]


def test_writing_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.py"
    real.write_text(SOURCE)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    files.write_atomic(files.read(str(link)), b"x = 1\n")
    assert link.is_symlink() and real.read_text() == "x = 1\n"


# ------------------------------------------------------------------ command
def test_fix_command_exit_codes_and_idempotence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.py").write_text(SOURCE)
    (tmp_path / "chatty.py").write_text(SOURCE.replace("    r = ", "    LOG.write(d)\n    r = "))
    runner = CliRunner()
    diff = runner.invoke(main, ["fix", "--isolated", "--no-cache", "--diff", "."])
    assert diff.exit_code == 1
    assert "+++ b/job.py" in diff.stdout and "chatty.py" not in diff.stdout
    assert (tmp_path / "job.py").read_text() == SOURCE  # --diff writes nothing
    assert "chatty.py:6:9: BL105 not fixed: `LOG.write(...)` runs before the call" in diff.stderr
    first = runner.invoke(main, ["fix", "--isolated", "--no-cache", "."])
    assert first.exit_code == 0, first.output
    fixed = (tmp_path / "job.py").read_text()
    assert fixed != SOURCE
    again = runner.invoke(main, ["fix", "--isolated", "--no-cache", "--diff", "."])
    assert again.exit_code == 0 and again.stdout == ""
    assert (tmp_path / "job.py").read_text() == fixed


def test_fix_command_reports_unreadable_files_and_goes_on(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.py").write_text(SOURCE)
    (tmp_path / "broken.py").write_text("import anthropic\ndef f(:\n")
    result = CliRunner().invoke(main, ["fix", "--isolated", "--no-cache", "."])
    assert result.exit_code == 2
    assert "broken.py" in result.stderr
    assert "batch.add(" in (tmp_path / "job.py").read_text()


def test_check_json_says_whether_each_finding_is_fixable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.py").write_text(SOURCE)
    (tmp_path / "chatty.py").write_text(SOURCE.replace("    r = ", "    LOG.write(d)\n    r = "))
    result = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", "--format", "json", "."])
    fixes = {f["path"]: f["fix"] for f in json.loads(result.stdout)["findings"]}
    assert fixes["job.py"]["fixable"] is True and fixes["job.py"]["safety"] in ("safe", "unsafe")
    assert fixes["chatty.py"] == {"fixable": False, "reason": fixes["chatty.py"]["reason"], "safety": None,
                                  "unsafe_because": None}
    assert "LOG.write(...)" in fixes["chatty.py"]["reason"]


def test_sarif_fix_edits_rebuild_the_fixed_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.py").write_text(SOURCE)
    sarif = json.loads(CliRunner().invoke(main, ["check", "--isolated", "--no-cache", "--format", "sarif", "."]).stdout)
    [result] = sarif["runs"][0]["results"]
    text = SOURCE
    for replacement in sorted(result["fixes"][0]["artifactChanges"][0]["replacements"],
                              key=lambda r: r["deletedRegion"]["charOffset"], reverse=True):
        region = replacement["deletedRegion"]
        text = text[:region["charOffset"]] + replacement["insertedContent"]["text"] + text[region["charOffset"] + region["charLength"]:]
    CliRunner().invoke(main, ["fix", "--isolated", "--no-cache", "."])
    assert text == (tmp_path / "job.py").read_text()


def test_text_edits_round_trip():
    old, new = "a\nb\nc\n", "a\nB\nc\nd\n"
    out = old
    for offset, length, inserted in reversed(text_edits(old, new)):
        out = out[:offset] + inserted + out[offset + length:]
    assert out == new


def test_batchlint_does_not_import_the_sdk():
    import subprocess
    import sys

    code = "import sys, batchlint.cli, batchlint.codemod.fixer; print('anthropic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_file_ending_in_blank_lines_and_spaces_keeps_its_end(tmp_path, monkeypatch):
    """LibCST alone turns "x\\n\\n\\n    " into "x\\n    "; the fixer keeps such a tail as it was."""
    monkeypatch.chdir(tmp_path)
    source = SOURCE + "\n\n\n    "
    (tmp_path / "job.py").write_text(source)
    result = CliRunner().invoke(main, ["fix", "--isolated", "--no-cache", "."])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "job.py").read_text().endswith("    print(r.stop_reason)\n\n\n\n    ")


# ------------------------------------------------------- loops over helpers
HELPER = "def ask(text):\n    reply = client.messages.create(model='m', max_tokens=5, messages=[{'role': 'user', 'content': text}])\n    return reply.stop_reason\n"
LOOP = "def main(docs):\n    for d in docs:\n        print(ask(d))\n"

HELPER_REFUSED = {
    "decorated": ("import functools\n@functools.lru_cache\n" + HELPER, LOOP, "decorated"),
    "call under an if": (HELPER.replace("    reply = ", "    if text:\n        reply = ").replace("    return", "        return"), LOOP, "an `if`"),
    "effect before the call": (HELPER.replace("    reply = ", "    print(text)\n    reply = "), LOOP, "runs before the call"),
    "client from a parameter": (HELPER.replace("def ask(text):", "def ask(text, client=client):"), LOOP, "the client comes from"),
    "two functions deep": (HELPER + "def outer(text):\n    return ask(text)\n", LOOP.replace("ask(d)", "outer(d)"), "through more functions"),
    "a with block that makes a resource": (
        HELPER.replace("    reply = ", "    with open(text) as handle:\n        reply = ").replace("    return reply", "    return reply"),
        LOOP, "in a `with` block"),
    "an async wrapper whose coroutine is kept, not gathered": (
        "async def ask(text):\n    return await client.messages.create(model='m', max_tokens=5, messages=[])\n",
        "async def main(docs):\n    coros = [ask(d) for d in docs]\n    print(coros)\n", "awaited differently"),
    "comprehension inside an expression": (HELPER, "def main(docs):\n    print(\"n\", [ask(d) for d in docs])\n",
                                           "only when it is assigned, returned or passed"),
    "comprehension whose variable is a parameter": (
        HELPER, "def main(docs, d=0):\n    out = [ask(d) for d in docs]\n    print(out, d)\n", "is used elsewhere in the function"),
    "comprehension whose variable the function uses": (
        HELPER, "def main(docs):\n    d = 1\n    out = [ask(d) for d in docs]\n    print(out, d)\n", "is used elsewhere in the function"),
    "stale derived functions": (HELPER + "def _batchlint_request_ask(text):\n    return (), {}\n", LOOP, "already has"),
    # a worker task that calls the helper once: the reason names no loop (there is none)
    "one call per task": (HELPER, "from celery import shared_task\n@shared_task\ndef main(docs):\n    print(ask(docs))\n",
                          "no loop, comprehension or asyncio.gather around the call"),
}


@pytest.mark.parametrize("name", sorted(HELPER_REFUSED))
def test_loops_over_helpers_are_refused_with_reason(tmp_path, monkeypatch, name):
    helper, loop, reason = HELPER_REFUSED[name]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "llm.py").write_text("import anthropic\nclient = anthropic.Anthropic()\n" + helper)
    (tmp_path / "job.py").write_text("from llm import ask, outer\n" + loop + "if __name__ == '__main__':\n    main([1, 2])\n")
    from batchlint import check_paths
    from batchlint.codemod.fixer import plan_result
    from batchlint.config import Config

    result = check_paths(["."], Config(root=str(tmp_path)))
    planned = plan_result(result, replay=False)  # the split rewrite's own reason
    statuses = [s for f in planned for _, s in f.statuses]
    assert statuses and not any(s.fixable for s in statuses)
    assert any(reason in s.reason for s in statuses), [s.reason for s in statuses]
    assert all(f.fixed is None for f in planned)
    # then record/replay takes the loop, or says why not; it never edits the helper's file
    for file_fix in plan_result(result):
        assert file_fix.path != "llm.py" or file_fix.fixed is None
        for _, status in file_fix.statuses:
            assert "fan_out" in status.reason if status.fixable else status.reason


def test_a_helper_method_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.py").write_text(
        "import anthropic\nclass LLM:\n    def __init__(self):\n        self.client = anthropic.Anthropic()\n"
        "    def ask(self, text):\n        return self.client.messages.create(model='m', max_tokens=5, messages=[])\n"
        "def main(docs):\n    llm = LLM()\n    for d in docs:\n        print(llm.ask(d))\n"
        "if __name__ == '__main__':\n    main([1])\n")
    from batchlint import check_paths
    from batchlint.codemod.fixer import plan_result
    from batchlint.config import Config

    result = check_paths(["."], Config(root=str(tmp_path)))
    reasons = [s.reason for f in plan_result(result, replay=False) for _, s in f.statuses]
    assert reasons and all("a method or nested function" in r for r in reasons), reasons
    statuses = [s for f in plan_result(result) for _, s in f.statuses]  # record/replay reaches the method's call
    assert statuses and all(s.fixable and "fan_out" in s.reason and "llm.ask" in s.unsafe_because for s in statuses)


def _planner(source):
    return Planner(cst.parse_module(source), source)


@pytest.mark.parametrize("loop, fixable", [
    ("from llm import ask\nfor d in docs:\n    print(ask(d))\n", True),
    ("import llm\nfor d in docs:\n    print(llm.ask(d))\n", True),
    ("from llm import ask\nbackend = make(ask)\nfor d in docs:\n    print(backend.ask(d))\n", False),
    ("for d in docs:\n    print(self.ask(d))\n", False),
])
def test_a_helper_is_split_only_when_reached_by_name_or_through_its_module(loop, fixable):
    """`backend.ask(d)` may hold another function, or another class's method, at
    run time: the derived functions would not exist there."""
    from batchlint.codemod.helpers import plan_helper

    source = "import anthropic\nclient = anthropic.Anthropic()\n" + HELPER
    helper_planner = _planner(source)
    sdk = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "create")
    helper = plan_helper(helper_planner, helper_planner.call_at(sdk.lineno, sdk.col_offset + 1), "llm.py")
    loop_planner = _planner(loop)
    site = next(n for n in ast.walk(ast.parse(loop)) if isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == "ask")
    outcome = loop_planner.plan(sdk.lineno, sdk.col_offset + 1, site.lineno, site.col_offset + 1, "Anthropic",
                                "messages.create", call_path="llm.py", helper=helper)
    assert isinstance(outcome, Refusal) != fixable, outcome
    if not fixable:
        assert "not on an imported module" in outcome.reason


def test_a_fix_killed_midway_leaves_every_file_old_or_new(tmp_path):
    """SIGKILL `batchlint fix` while it writes 120 files: each file is then
    byte for byte either what it was or what a complete fix makes of it."""
    import shutil
    import signal
    import subprocess
    import sys
    import time

    original, expected = tmp_path / "original", tmp_path / "expected"
    original.mkdir()
    for i in range(120):
        (original / f"job_{i:03d}.py").write_text(SOURCE.replace("['a']", f"['doc {i}']"))
    shutil.copytree(original, expected)
    from click.testing import CliRunner

    from batchlint.cli import main

    old_cwd = os.getcwd()
    os.chdir(expected)
    try:  # the complete fix, in this process: only the run that is killed needs its own
        done = CliRunner().invoke(main, ["fix", "--isolated", "--no-cache", "-j", "1", "."])
    finally:
        os.chdir(old_cwd)
    assert done.exit_code == 0, done.output
    work = tmp_path / "work"
    shutil.copytree(original, work)
    proc = subprocess.Popen([sys.executable, "-m", "batchlint", "fix", "--isolated", "--no-cache", "-j", "1", "."],
                            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if sum((work / f.name).read_bytes() != f.read_bytes() for f in original.iterdir()) >= 5:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    states = {"old": 0, "new": 0}
    for path in sorted(work.glob("job_*.py")):
        data = path.read_bytes()
        if data == (original / path.name).read_bytes():
            states["old"] += 1
        else:
            assert data == (expected / path.name).read_bytes(), f"{path.name} is neither old nor new"
            states["new"] += 1
    print(states)
    assert states["old"] + states["new"] == 120 and states["new"] >= 1
    # the runtime the rewritten files import is written before any of them
    assert (work / "_claude_batch.py").read_bytes() == (expected / "_claude_batch.py").read_bytes()
    assert [p.name for p in work.iterdir() if not p.name.endswith((".py", ".batchlint-tmp"))] in ([], [".batchlint_cache"])


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this interpreter parses the file itself")
def test_a_file_in_newer_syntax_is_rewritten_in_its_own_syntax(tmp_path, monkeypatch):
    """A 3.12 file checked and fixed under 3.11: the rewrite keeps its f-strings
    as written, and the result is checked to parse by the same grammar."""
    from test_bad_input import NEWER_SYNTAX_PROJECT

    from batchlint import check_paths
    from batchlint.codemod.fixer import plan_result
    from batchlint.config import Config
    from batchlint.newer_syntax import parse

    monkeypatch.chdir(tmp_path)
    (tmp_path / "label.py").write_bytes(NEWER_SYNTAX_PROJECT)
    planned = plan_result(check_paths(["."], Config(root=str(tmp_path))), unsafe=True)
    (fixed,) = [f.fixed.decode() for f in planned if f.path == "label.py"]
    assert 'f"Label {row["text"]!r}: {"\\n".join(row["tags"])}"' in fixed
    assert "batch.add(row, " in fixed and "client.messages.create(" not in fixed
    parse(fixed)
    with pytest.raises(SyntaxError):
        parse(fixed.replace("batch.add(row, ", "batch.add(row, (", 1))

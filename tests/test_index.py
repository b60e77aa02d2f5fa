"""What one file's facts keep (analysis/index.py, on CPython's ast)."""

from __future__ import annotations

import ast

from batchlint.analysis.index import index_module

SOURCE = """\
import anthropic

client = anthropic.Anthropic()


def ask(text):
    return client.messages.create(model="m", max_tokens=len(text), messages=[])


def run(rows):
    print(len(rows))
    return list(map(ask, rows))
"""


def facts_of(source: str):
    return index_module(ast.parse(source), "m.py", "m", False, source)


def test_builtin_calls_are_not_kept_but_functions_passed_to_them_are():
    sites = facts_of(SOURCE).sites
    callees = [(s.callee, s.ref_via) for s in sites]
    assert ("m.ask", "builtins.map") in callees  # `ask` handed to map: a reference, kept
    assert ("m.client.messages.create", "") in callees
    assert not any(callee.startswith("builtins.") for callee, ref_via in callees if not ref_via)


def test_spans_count_characters_and_name_a_def_by_its_name():
    source = 'x = "é"; ask(1)\ndef   ask(n):\n    return n\n'
    facts = facts_of(source)
    (call,) = [s for s in facts.sites if s.callee == "m.ask"]
    assert (call.span.line, call.span.column, call.span.end_column) == (1, 10, 16)
    (fn,) = facts.functions
    assert (fn.span.line, fn.span.column, fn.span.end_column) == (2, 7, 10)


LOOPS = """\
import anthropic
client = anthropic.Anthropic()

def run(rows):
    for row in rows:
        for part in row:
            client.messages.create(model="m", max_tokens=9, messages=[part])
    with open("x") as f:
        [client.messages.create(model="m", max_tokens=9, messages=[l]) for l in f]
"""


def test_indexing_leaves_no_cyclic_garbage():
    # The analysis runs with the cyclic collector paused (analyze.py), so a
    # file's tree and builders must be freed by reference counting alone.
    import gc

    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        facts = facts_of(LOOPS)
        leaked = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    assert len([s for s in facts.sites if s.callee.endswith("messages.create")]) == 2
    assert leaked == 0


LOOP_FLOW = """\
from helpers import announce, ask, grade, notify


async def run(rows, done):
    for row in rows:
        notify(row)
        await announce(row)
        if done:
            break
    history = []
    while True:
        reply = ask(history)
        history.append(reply)
        if reply.stop:
            break
    for row in rows:
        answer = grade(row)
        if answer.ok:
            break
"""


def loop_flags(source: str) -> dict[str, frozenset]:
    return {s.callee: s.structs[0].flags for s in facts_of(source).sites if s.structs}


def test_loop_flags_follow_a_kept_result_and_never_a_discarded_one():
    flags = loop_flags(LOOP_FLOW)
    # a call statement of its own: no name holds its result, whatever the loop does after
    assert flags["helpers.notify"] == flags["helpers.announce"] == frozenset()
    assert "dependent" in flags["helpers.ask"]  # history carries each reply into the next request
    assert flags["helpers.grade"] == {"breaks-on-result"}  # the loop stops on a test of the answer

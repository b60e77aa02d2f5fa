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

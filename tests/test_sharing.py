"""Equal values across files' facts are stored once (analysis/sharing.py)."""

from __future__ import annotations

import ast
import pickle

from batchlint.analysis.index import index_module
from batchlint.analysis.sharing import Sharer

SOURCE = """\
import anthropic

client = anthropic.Anthropic()


def ask_{n}(text):
    return client.messages.create(model="m", max_tokens=64, messages=[{{"role": "user", "content": text}}])


def run_{n}(rows):
    for row in rows:
        ask_{n}(row)
"""


def facts_of(n: int):
    source = SOURCE.format(n=n)
    # through pickle, as facts come back from a worker: nothing shared with the other file
    return pickle.loads(pickle.dumps(index_module(ast.parse(source), f"m{n}.py", f"m{n}", False, source)))


def call_site(facts):
    return next(s for s in facts.sites if s.callee.endswith("messages.create"))


def test_equal_values_of_two_files_become_one_object_and_the_facts_stay_equal():
    first, second = facts_of(1), facts_of(2)
    before = pickle.loads(pickle.dumps((first, second)))  # a copy
    a, b = call_site(first), call_site(second)
    assert a.kwargs == b.kwargs and a.kwargs is not b.kwargs  # equal, held twice
    sharer = Sharer()
    sharer.share(first), sharer.share(second)
    assert a.kwargs is b.kwargs and a.text is b.text
    loop_a, loop_b = (next(s for s in f.sites if s.structs) for f in (first, second))
    assert loop_a.structs[0].label == "for loop over `rows`" and loop_a.structs[0].label is loop_b.structs[0].label
    assert loop_a.structs[0].flags is loop_b.structs[0].flags  # an empty flag set: one object
    assert first.imports is second.imports  # `anthropic` imported alike: one tuple
    assert (first, second) == before  # the same facts, value for value


def test_values_that_differ_stay_apart():
    first, second = facts_of(1), facts_of(2)
    sharer = Sharer()
    sharer.share(first), sharer.share(second)
    assert first.path != second.path
    assert [f.qual for f in first.functions] == ["m1.ask_1", "m1.run_1"]
    assert [f.qual for f in second.functions] == ["m2.ask_2", "m2.run_2"]
    a, b = call_site(first), call_site(second)
    assert a.scope == "m1.ask_1" and b.scope == "m2.ask_2"
    assert a.request.refs != b.request.refs  # each names its own parameter


def test_the_table_starts_over_past_its_limit_and_sharing_goes_on(monkeypatch):
    from batchlint.analysis import sharing

    monkeypatch.setattr(sharing, "_LIMIT", 60)
    sharer = Sharer()
    files = [facts_of(n) for n in range(6)]
    before = pickle.loads(pickle.dumps(files))
    sizes = []
    for facts in files:
        sharer.share(facts)
        sizes.append(len(sharer._kept))
    assert files == before  # the same facts, however often the table started over
    assert max(sizes) <= 60 + sizes[0]  # never more than the limit and one file's values
    assert sizes != sorted(sizes)  # it did start over
    # after it started over, the next two files share their equal values again
    assert call_site(files[-1]).kwargs is call_site(files[-2]).kwargs
    # and a file shared before it started over keeps its values: equal, not the same object
    assert call_site(files[0]).kwargs == call_site(files[-1]).kwargs
    assert call_site(files[0]).kwargs is not call_site(files[-1]).kwargs

"""The findings stage makes each group's finding as its first call is judged
(analysis/groups.py): the same groups, orders and failures as holding every
verdict to the end, without holding them."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from helpers import write

from batchlint.analysis.groups import _SHIFT, Groups
from batchlint.analysis.packed import PackedFindings
from batchlint.model import ContextKind, Finding, Location


def _order(call: int, place: int) -> int:
    return call << _SHIFT | place


def _run(judged: dict[int, list], paths: list[str], unclassified: tuple[str, ...] = (), failing: tuple = ()):
    """Groups over fake calls: `judged[i]` is call i's (key, entry) list."""
    calls = [(None, SimpleNamespace(path=p), None) for p in paths]
    made, retracted, walked = [], [], []

    def verdicts_of(index):
        walked.append(index)
        return judged[index]

    def make(order, entries):
        made.append((order, entries))
        return (f"{entries[0]}.py", ValueError(entries[0])) if entries[0] in failing else None

    groups = Groups(calls, verdicts_of, make, retracted.append)
    for index, path in enumerate(paths):
        if groups.failed(path):
            continue
        if path in unclassified:
            groups.classify_failed(path)
            continue
        groups.add(index, verdicts_of(index))
    groups.finish()
    return groups, made, retracted, walked


def test_a_group_one_call_reaches_is_made_at_once_and_one_several_reach_is_made_again_with_all():
    judged = {0: [("K1", "a1"), ("K2", "a2"), ("K1", "a3")], 1: [("K3", "b1")], 2: [("K1", "c1")]}
    _groups, made, retracted, walked = _run(judged, ["a.py", "b.py", "c.py"])
    # K1 first made from a's two verdicts, retracted when c reached it, made again from all three, in order
    assert made == [(_order(0, 0), ["a1", "a3"]), (_order(0, 1), ["a2"]), (_order(1, 0), ["b1"]),
                    (_order(0, 0), ["a1", "a3", "c1"])]
    assert retracted == [_order(0, 0)]
    assert walked == [0, 1, 2, 0, 2]  # only the calls reaching a shared group are walked again


def test_groups_no_other_call_reaches_are_never_made_again():
    judged = {0: [("K1", "a1")], 1: [("K2", "b1")]}
    _groups, made, retracted, walked = _run(judged, ["a.py", "b.py"])
    assert made == [(_order(0, 0), ["a1"]), (_order(1, 0), ["b1"])]
    assert retracted == [] and walked == [0, 1]


def test_a_file_that_cannot_be_classified_leaves_its_verdicts_out_of_every_group():
    # a.py's first call is judged (K1, K2), its second fails: K2 (a.py's alone) goes, K1 is b.py's only
    judged = {0: [("K1", "a1"), ("K2", "a2")], 1: [], 2: [("K1", "b1")]}
    _groups, made, _retracted, _walked = _run(judged, ["a.py", "a.py", "b.py"])
    assert made[-1] == (_order(0, 0), ["a1", "b1"])  # without the failure: both
    calls = [(None, SimpleNamespace(path=p), None) for p in ["a.py", "a.py", "b.py"]]
    made, retracted = [], []
    groups = Groups(calls, judged.__getitem__, lambda order, entries: made.append((order, entries)), retracted.append)
    groups.add(0, judged[0])
    groups.classify_failed("a.py")  # its second call
    groups.add(2, judged[2])
    groups.finish()
    assert made == [(_order(0, 0), ["a1"]), (_order(0, 1), ["a2"]), (_order(2, 0), ["b1"])]
    assert sorted(retracted) == [_order(0, 0), _order(0, 1)]
    assert groups.failed_paths() == {"a.py"} and groups.estimate_failures() == []


def test_the_first_failed_estimate_of_each_file_is_reported_in_the_groups_order():
    judged = {0: [("K1", "x1"), ("K2", "y1")], 1: [("K3", "x2")], 2: [("K1", "z1")]}
    groups, _made, _retracted, _walked = _run(judged, ["a.py", "b.py", "c.py"], failing=("x1", "x2", "y1"))
    failures = groups.estimate_failures()
    # K1 failed before it was retracted and again after: reported once, at its own place; x2's comes later
    assert [(path, str(exc)) for path, exc in failures] == [("x1.py", "x1"), ("y1.py", "y1"), ("x2.py", "x2")]
    assert groups.failed_paths() == {"x1.py", "y1.py", "x2.py"}


def _finding(path: str, line: int, message: str) -> Finding:
    where = Location(path, line, 1, line, 9)
    return Finding("BL101", message, where, ContextKind.LOOP, ("e",), where, "messages.create", "Anthropic")


def test_packed_findings_leave_out_retracted_groups_keep_them_made_again_and_break_ties_by_order():
    store = PackedFindings()
    store.extend([_finding("a.py", 3, "late")], order=5)
    store.extend([_finding("a.py", 3, "early")], order=2)  # the same sort key: its order puts it first
    store.extend([_finding("b.py", 1, "first try")], order=1)
    store.retract(1)
    store.extend([_finding("b.py", 1, "made again")], order=1)
    store.extend([_finding("c.py", 1, "gone")], order=7)
    store.retract(7)
    assert [f.message for f in store.unpack()] == ["early", "late", "made again"]


def test_without_retractions_ties_keep_the_order_they_were_added_in():
    store = PackedFindings()
    store.extend([_finding("a.py", 3, "one"), _finding("a.py", 3, "two")], order=4)
    store.extend([_finding("a.py", 3, "three")], order=9)
    assert [f.message for f in store.unpack()] == ["one", "two", "three"]


HELPER = '''import anthropic

client = anthropic.Anthropic()


def ask_{name}(prompt):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=64,
                                  messages=[{{"role": "user", "content": prompt}}])
'''
BAD = HELPER.format(name="bad") + '''

def explode(rows):
    for row in rows:
        client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[])
'''
GOOD = HELPER.format(name="good") + '''
from bad import ask_bad


def pick(row, system):
    if system:
        return ask_bad(row)
    return ask_good(row)


def run(rows, system):
    for row in rows:
        pick(row, system)
'''


@pytest.mark.parametrize("fail", [False, True])
def test_a_loop_reaching_calls_in_two_files_names_both_unless_one_file_cannot_be_classified(tmp_path, monkeypatch, fail):
    from batchlint import check_paths
    from batchlint.analysis import chains
    from batchlint.config import Config

    if fail:  # bad.py's second call (after its first reached the loop in good.py)
        original = chains.ChainWalker.chains

        def chains_of(self, site, path):
            if site.scope.endswith("explode"):
                raise ValueError("boom")
            return original(self, site, path)
        monkeypatch.setattr(chains.ChainWalker, "chains", chains_of)
    write(tmp_path, {"bad.py": BAD, "good.py": GOOD})
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = check_paths(["."], Config(root=str(tmp_path)), jobs=1)
    finally:
        os.chdir(old)
    found = {(f.path, f.line, f.code): f for f in result.findings}
    loop = found[("good.py", 21, "BL101")]
    if fail:
        assert sorted(found) == [("good.py", 21, "BL101")]
        assert (loop.call.path, loop.other_calls) == ("good.py", ())
        assert [(e.path, e.code) for e in result.errors] == [("bad.py", "BL003")]
    else:
        assert sorted(found) == [("bad.py", 13, "BL101"), ("good.py", 21, "BL101")]
        # the first call judged (bad.py's) is the best of equals; the other is named
        assert (loop.call.path, [(c.path, c.line) for c in loop.other_calls]) == ("bad.py", [("good.py", 7)])
        assert any("good.py:7" in line for line in loop.evidence) and not result.errors

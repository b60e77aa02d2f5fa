"""Positions from the ast match must equal LibCST's PositionProvider.

Checked over real code (a slice of the running Python's standard library), so
the order-matching assumption in codemod/positions.py is tested, not trusted."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from batchlint.codemod.cstwalk import walk
from batchlint.codemod.positions import Positions

def find_all(node, kind) -> list:
    found = []
    walk(node, lambda current: found.append(current) if isinstance(current, kind) else None)
    return found


STDLIB = Path(sysconfig.get_paths()["stdlib"])
SAMPLE = sorted(p for p in STDLIB.glob("*.py"))[:60] + sorted(STDLIB.glob("asyncio/*.py"))[:10]


def _compare(text: str) -> tuple[int, list]:
    tree = ast.parse(text)
    module = cst.parse_module(text)
    mine = Positions(module, tree, text)
    assert not mine.used_fallback()
    provider = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    diffs = []
    nodes = find_all(module, (cst.Call, cst.FunctionDef, cst.ClassDef, cst.For, cst.While, cst.Lambda))
    for node in nodes:
        got = mine.span(node)
        want = provider[node.name] if isinstance(node, (cst.FunctionDef, cst.ClassDef)) else provider[node]
        want_t = (want.start.line, want.start.column + 1, want.end.line, want.end.column + 1)
        got_t = (got.line, got.column, got.end_line, got.end_column)
        if not isinstance(node, cst.Call) and not isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            want_t, got_t = want_t[:1], got_t[:1]  # only the line is used for loops and lambdas
        if want_t != got_t:
            diffs.append((type(node).__name__, want_t, got_t))
    return len(nodes), diffs


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.name)
def test_positions_match_position_provider(path):
    text = path.read_text(encoding="utf-8")
    try:
        count, diffs = _compare(text)
    except RecursionError:
        pytest.skip("LibCST's own codegen recurses too deep on this file")
    assert diffs == []


def test_non_ascii_columns_and_crlf():
    text = 'x = "é"; ask(1)\r\ndef f():\r\n    return g("ü", h(2))\r\n'
    count, diffs = _compare(text)
    assert count >= 4 and diffs == []


def test_mismatch_falls_back_to_the_provider():
    text = "a(1)\nb(2)\n"
    module = cst.parse_module(text)
    wrong_tree = ast.parse("a(1)\n")  # one call fewer: the match must refuse
    positions = Positions(module, wrong_tree, text)
    second = find_all(module, cst.Call)[1]
    span = positions.span(second)
    assert (span.line, span.column) == (2, 1)
    assert positions.used_fallback()

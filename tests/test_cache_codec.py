"""The cache's JSON writing through the json module's C encoder (Codec.dumps)
gives the bytes Codec.encode gives, and they decode back to the same values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from batchlint import check_paths
from batchlint.cache import _RUNS, _facts
from batchlint.config import Config
from batchlint.discovery import read_source
from batchlint.model import CheckResult, ContextKind
from batchlint.parsing import parse_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def slow(codec, value) -> str:
    return json.dumps(codec.encode(value), separators=(",", ":"), allow_nan=False)


def test_facts_of_every_fixture_write_as_encode_writes_them_and_read_back_equal():
    codec = _facts()
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        source, _ = read_source(str(path))
        facts, error = parse_file(source)
        value = facts if facts is not None else error
        text = codec.dumps(value)
        assert text == slow(codec, value), path
        assert codec.decoded(json.loads(text), type(value)) == value
        checked += 1
    assert checked > 20


def test_a_whole_result_with_context_kinds_round_trips():
    result = check_paths([str(FIXTURES)], Config(root=str(FIXTURES)))
    assert {f.context for f in result.findings} >= {ContextKind.LOOP, ContextKind.SCHEDULED}
    text = _RUNS.dumps(result)
    assert text == slow(_RUNS, result)
    assert _RUNS.decoded(json.loads(text), CheckResult) == result


def test_a_context_kind_must_be_one_of_the_kinds():
    result = check_paths([str(FIXTURES)], Config(root=str(FIXTURES)))
    raw = json.loads(_RUNS.dumps(result))
    finding = raw[1][0]
    assert finding[4] == result.findings[0].context.value  # written as its string
    finding[4] = "nightly"
    assert _RUNS.decoded(raw, CheckResult) is None
    finding[4] = ["\0k", result.findings[0].context.value]  # the former spelling is not read
    assert _RUNS.decoded(raw, CheckResult) is None


def test_what_json_cannot_hold_is_refused_as_encode_refuses_it():
    result = check_paths([str(FIXTURES)], Config(root=str(FIXTURES)))
    finding = next(f for f in result.findings if f.estimate is not None)
    broken = finding.estimate.__class__(**{**{n: getattr(finding.estimate, n) for n in finding.estimate.__slots__},
                                           "monthly_now": math.nan})
    with pytest.raises(ValueError):
        _RUNS.dumps(broken)
    with pytest.raises(TypeError):
        _RUNS.dumps(object())


# ------------------------------------------------ the run entry's lines (cache_runs.py)
def test_a_view_reads_only_its_paths_lines_in_the_result_s_order():
    from batchlint import cache_runs

    result = check_paths([str(FIXTURES)], Config(root=str(FIXTURES)))
    paths = list(dict.fromkeys(f.path for f in result.findings))
    assert len(paths) > 3
    data = cache_runs.payload(_RUNS, result)
    whole = _RUNS.decoded(cache_runs.raw_result(data), CheckResult)
    assert whole == result
    wanted = {paths[1], paths[-1]}
    seen: list[str] = []

    def reports(path: str) -> bool:
        seen.append(path)
        return path in wanted

    view = _RUNS.decoded(cache_runs.raw_result(data, reports), CheckResult)
    assert view.findings == tuple(f for f in result.findings if f.path in wanted)
    assert view.suppressed_findings == tuple(p for p in result.suppressed_findings if p[0].path in wanted)
    assert view.checked_paths == result.checked_paths  # the rest of the result stays whole
    assert set(seen) <= {f.path for f in result.findings} | {p[0].path for p in result.suppressed_findings}


@pytest.mark.parametrize("damage", [
    lambda lines: [lines[0].replace(b",[],", b',[["x"]],', 1), *lines[1:]],  # findings in the first line
    lambda lines: [lines[0], lines[1].replace(b"\t", b" ", 1), *lines[2:]],  # a line without its tab
    lambda lines: [lines[0], b"X" + lines[1][1:], *lines[2:]],  # neither F nor S
    lambda lines: [lines[0], b"F5\t[]", *lines[1:]],  # a path that is not a string
])
def test_lines_out_of_shape_are_not_a_result(damage):
    from batchlint import cache_runs

    result = check_paths([str(FIXTURES)], Config(root=str(FIXTURES)))
    lines = cache_runs.payload(_RUNS, result).split(b"\n")
    assert cache_runs.raw_result(b"\n".join(lines)) is not None
    assert cache_runs.raw_result(b"\n".join(damage(lines))) is None


def test_a_run_entry_written_line_by_line_reads_back_and_one_json_cannot_hold_leaves_nothing(tmp_path):
    import dataclasses

    from batchlint.cache import RunCache

    result = check_paths([str(FIXTURES)], Config(root=str(FIXTURES)))
    runs = RunCache(str(tmp_path))
    runs.put("a" * 40, result)
    assert runs.get("a" * 40) == result  # the checksum filled in after the lines holds
    finding = next(f for f in result.findings if f.estimate is not None)
    broken = dataclasses.replace(finding, estimate=dataclasses.replace(finding.estimate, monthly_now=math.nan))
    runs.put("b" * 40, dataclasses.replace(result, findings=(*result.findings, broken)))
    assert runs.get("b" * 40) is None
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file() and p.parent != tmp_path) == ["a" * 40 + ".json"]


def test_estimates_shared_by_findings_are_made_into_json_once_each_and_write_the_same_bytes(tmp_path, monkeypatch):
    from batchlint import cache_runs
    from batchlint.model import Estimate

    loop = ("import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef label(rows):\n    for row in rows:\n"
            "        client.messages.create(model='claude-haiku-4-5', max_tokens=64, messages=[])\n")
    for n in range(4):  # equal loops: one estimate for their findings
        (tmp_path / f"m{n}.py").write_text(loop)
    result = check_paths([str(FIXTURES), str(tmp_path)], Config(root=str(FIXTURES)))
    shared = [f.estimate for f in result.findings if f.estimate is not None]
    assert len(shared) > len({id(e) for e in shared})  # some findings share one estimate
    encoded = []
    encode = _RUNS.encode

    def counted(value):
        if type(value) is Estimate:
            encoded.append(id(value))
        return encode(value)

    monkeypatch.setattr(_RUNS, "encode", counted)
    remembered = cache_runs.payload(_RUNS, result)
    assert sorted(encoded) == sorted({id(e) for e in shared})  # once per estimate, not per finding
    monkeypatch.setattr(_RUNS, "remembering", lambda *classes: __import__("contextlib").nullcontext())
    assert cache_runs.payload(_RUNS, result) == remembered  # the same bytes as record by record
    assert _RUNS._remembered is None  # nothing kept after the entry is written


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_run_entry_written_in_the_background_is_waited_for_and_read_whole(tmp_path):
    import dataclasses
    import threading

    from batchlint import cache
    from batchlint.cache import RunCache

    result = check_paths([str(FIXTURES)], Config(root=str(FIXTURES)))
    runs = RunCache(str(tmp_path))
    runs.put("a" * 40, result, background=True)
    assert len(cache._WRITERS) == 1  # a forked writer, not waited for yet
    assert runs.get("a" * 40) == result and cache._WRITERS == []  # get() waits for it
    finding = next(f for f in result.findings if f.estimate is not None)
    broken = dataclasses.replace(finding, estimate=dataclasses.replace(finding.estimate, monthly_now=math.nan))
    runs.put("b" * 40, dataclasses.replace(result, findings=(broken,)), background=True)
    cache.wait_for_writes()
    assert runs.get("b" * 40) is None  # the writer failed: nothing, as in line
    # a process running another thread does not fork (a fork copies the locks it holds): written in line
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        runs.put("c" * 40, result, background=True)
        assert cache._WRITERS == [] and list(tmp_path.glob(f"runs-*/{'c' * 40}.json"))
    finally:
        release.set()
        other.join()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_writer_outliving_its_command_never_brings_back_a_cache_removed_meanwhile(tmp_path, monkeypatch):
    import os
    import time

    from batchlint import cache
    from batchlint.cache import RunCache

    result = check_paths([str(FIXTURES)], Config(root=str(FIXTURES)))
    removed = tmp_path / "removed"
    real = cache.replace_file

    def after_removal(*args, **kwargs):  # in the forked writer: the cache is removed while it works
        (tmp_path / "priority").write_text(str(os.nice(0)))
        deadline = time.monotonic() + 10
        while not removed.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache, "replace_file", after_removal)
    directory = tmp_path / "cache"
    RunCache(str(directory)).put("a" * 40, result, background=True)
    assert (directory / ".gitignore").exists()  # the folders are made before the fork
    assert "Removed" in cache.clean(str(directory))
    removed.touch()
    cache.wait_for_writes()
    assert not directory.exists()
    assert (tmp_path / "priority").read_text() == "19"  # nobody waits for it: the lowest priority
    monkeypatch.setattr(cache, "replace_file", real)
    RunCache(str(directory)).put("b" * 40, result)  # written in line, a removed cache is made again
    assert list(directory.glob(f"runs-*/{'b' * 40}.json")) and (directory / ".gitignore").exists()


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_the_check_command_exits_with_its_result_and_its_writers_finish_the_cache_after(tmp_path):
    import json
    import subprocess
    import sys
    import time

    cache_dir, returned, late = tmp_path / "cache", tmp_path / "returned", tmp_path / "late"
    # each cache file is written only once the command has returned and its output was read to the end
    # (or after 10 s: the command, or a writer holding its output open, kept the caller waiting)
    slow_writers = f"""
import os, sys, time
from batchlint import cache
real = cache.replace_file
def when_returned(*args, **kwargs):
    deadline = time.monotonic() + 10
    while not os.path.exists({str(returned)!r}) and time.monotonic() < deadline:
        time.sleep(0.01)
    if not os.path.exists({str(returned)!r}):
        open({str(late)!r}, "w").close()
    return real(*args, **kwargs)
cache.replace_file = when_returned
from batchlint.cli import main
main(["check", "-j2", "--cache-dir", {str(cache_dir)!r}, "--format", "json", "."])
"""
    first = subprocess.run([sys.executable, "-c", slow_writers], cwd=FIXTURES, capture_output=True, text=True, timeout=120)
    returned.touch()
    assert first.returncode == 1 and json.loads(first.stdout)["findings"]
    written = lambda: list(cache_dir.glob("runs-*/*.json")) and list(cache_dir.glob("facts-*/facts.pack"))  # noqa: E731
    deadline = time.monotonic() + 30
    while not written() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert written() and not late.exists()  # each file appears by a rename, the last step of its writer
    # the next run answers from the entry the writer left: the analysis is never loaded
    warm = subprocess.run([sys.executable, "-c", f"""
import sys
sys.modules["batchlint.analyze"] = None
from batchlint.cli import main
main(["check", "-j2", "--cache-dir", {str(cache_dir)!r}, "--format", "json", "."])
"""], cwd=FIXTURES, capture_output=True, text=True, timeout=120)
    assert (warm.returncode, warm.stdout, warm.stderr) == (first.returncode, first.stdout, first.stderr)

@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
@pytest.mark.parametrize("command", ["check", "fix"])
def test_check_leaves_its_writers_running_and_fix_which_analyzes_again_writes_in_line(tmp_path, monkeypatch, command):
    import shutil

    from click.testing import CliRunner

    from batchlint import cache
    from batchlint.cli import main

    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES, tree)
    monkeypatch.chdir(tree)
    cache.wait_for_writes()
    out = CliRunner().invoke(main, [command, "--cache-dir", str(tmp_path / "cache"), "."])
    assert out.exit_code in (0, 1), out.output
    # check: the run entry's writer (at the lowest priority) is not waited for; fix's next pass would wait for it
    assert bool(cache._WRITERS) is (command == "check")
    cache.wait_for_writes()
    assert list((tmp_path / "cache").glob("runs-*/*.json"))

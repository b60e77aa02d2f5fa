"""The cache and parallel parsing change speed, never answers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import batchlint.analyze as checker
import batchlint.checker as entry_points
from batchlint import parallel
from batchlint import check_paths
from batchlint.cli import main
from batchlint.config import Config

from helpers import CACHE_PROJECT as PROJECT
from helpers import check_tree as run
from helpers import triples, write

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize("jobs, fork", [(2, True), (3, True), (2, False)])  # fork False: the process pool used without fork
def test_parallel_results_equal_serial(jobs, fork, monkeypatch):
    if fork and not parallel.CAN_FORK:
        pytest.skip("needs fork")
    monkeypatch.setattr(parallel, "CAN_FORK", fork)
    serial = run(FIXTURES, jobs=1)
    in_parallel = run(FIXTURES, jobs=jobs)
    assert serial.findings == in_parallel.findings
    assert serial.errors == in_parallel.errors
    assert len(serial.findings) == 19


def test_warm_run_parses_nothing(tmp_path, monkeypatch):
    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    cold = run(tmp_path, cache_dir=cache)
    assert triples(cold) == [("jobs.py", 4, "BL101")]

    def no_parse(_source, *args, **kwargs):
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(checker, "parse_file", no_parse)
    warm = run(tmp_path, cache_dir=cache)
    assert warm.findings == cold.findings


def test_unchanged_tree_returns_the_stored_result_without_analysis(tmp_path, monkeypatch):
    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    cold = run(tmp_path, cache_dir=cache)

    def no_analysis(*args, **kwargs):
        raise AssertionError("analyzed although nothing changed")

    monkeypatch.setattr(checker, "check_sources", no_analysis)
    monkeypatch.setattr(entry_points, "read_schedules", no_analysis)
    warm = run(tmp_path, cache_dir=cache)
    assert warm == cold  # findings with their estimates, errors, counts, suppressions


# with a file that does not parse: its BL001 is kept too, so it is not parsed again
@pytest.mark.parametrize("extra", [{}, {"broken.py": "import anthropic\ndef f(:\n"}], ids=["facts", "and-a-syntax-error"])
def test_per_file_entries_answer_when_the_run_changed(tmp_path, monkeypatch, extra):
    write(tmp_path, {**PROJECT, **extra})
    cache = tmp_path / ".batchlint_cache"
    cold = run(tmp_path, cache_dir=str(cache))
    assert [(e.path, e.code) for e in cold.errors] == [(name, "BL001") for name in extra]
    for runs_file in cache.glob("runs-*/*.json"):
        runs_file.unlink()

    def no_parse(_source, *args, **kwargs):
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(checker, "parse_file", no_parse)
    assert run(tmp_path, cache_dir=str(cache)) == cold


def test_a_whole_result_from_other_batchlint_code_is_not_reused(tmp_path, monkeypatch):
    """An install from a checkout keeps its version string across commits: the
    run-level entry is keyed by batchlint's own files too, so other analysis
    code recomputes (the files' facts, keyed by the indexer's revision, stay)."""
    from batchlint import cache as cache_module

    assert cache_module.code_stamp.__wrapped__() == cache_module.code_stamp()  # the same files: the same stamp
    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    cold = run(tmp_path, cache_dir=cache)
    analyzed = []
    real = checker.check_sources
    monkeypatch.setattr(checker, "check_sources", lambda *a, **k: analyzed.append(1) or real(*a, **k))
    assert run(tmp_path, cache_dir=cache) == cold and analyzed == []
    monkeypatch.setattr(cache_module, "code_stamp", lambda: "other code")
    assert run(tmp_path, cache_dir=cache).findings == cold.findings and analyzed == [1]


def test_run_key_follows_schedules_config_and_working_directory(tmp_path):
    write(tmp_path, {**PROJECT, "nightly.py": "from llm import ask\n\nfor row in open('rows.txt'):\n    ask(row)\n"})
    cache = str(tmp_path / ".batchlint_cache")
    unscheduled = run(tmp_path, cache_dir=cache)
    assert not any("nightly.yml" in f.message for f in unscheduled.findings)
    # a workflow that starts nightly.py on a timer: the same loop, now in a scheduled job
    workflow = tmp_path / ".github" / "workflows" / "nightly.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  run:\n    steps:\n      - run: python nightly.py\n")
    scheduled = run(tmp_path, cache_dir=cache)
    assert any("nightly.yml" in f.message for f in scheduled.findings)
    # config: the code disabled
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        quiet = check_paths(["."], Config(root=str(tmp_path), ignore=("BL1",)), cache_dir=cache)
        assert quiet.findings == ()
        # another working directory shows other paths
        os.chdir(tmp_path.parent)
        elsewhere = check_paths([str(tmp_path)], Config(root=str(tmp_path)), cache_dir=cache)
        assert {f.path for f in elsewhere.findings} == {os.path.join(tmp_path.name, n) for n in ("jobs.py", "nightly.py")}
    finally:
        os.chdir(old)


def test_same_size_edit_with_a_new_mtime_is_not_served_from_the_run_cache(tmp_path):
    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    assert triples(run(tmp_path, cache_dir=cache)) == [("jobs.py", 4, "BL101")]
    jobs = tmp_path / "jobs.py"
    before = jobs.stat()
    size = len(jobs.read_text())
    jobs.write_text("ask('one')" + "\n" * (size - len("ask('one')")))  # same size, no loop
    os.utime(jobs, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert triples(run(tmp_path, cache_dir=cache)) == []


def test_a_changed_helper_changes_its_callers_findings(tmp_path):
    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    assert triples(run(tmp_path, cache_dir=cache)) == [("jobs.py", 4, "BL101")]
    write(tmp_path, {"llm.py": """
        import anthropic
        client = anthropic.Anthropic()

        def ask(prompt):
            return client.messages.count_tokens(model="claude-haiku-5-5", messages=[{"role": "user", "content": prompt}])
    """})
    assert triples(run(tmp_path, cache_dir=cache)) == []


def test_damaged_or_foreign_cache_is_ignored(tmp_path):
    write(tmp_path, PROJECT)
    cache = tmp_path / ".batchlint_cache"
    run(tmp_path, cache_dir=str(cache))
    (runs_file,) = cache.glob("runs-*/*.json")
    runs_file.write_text(json.dumps(["\0os.system", "echo pwned"]))
    assert triples(run(tmp_path, cache_dir=str(cache))) == [("jobs.py", 4, "BL101")]
    runs_file.write_text("not json at all")
    assert triples(run(tmp_path, cache_dir=str(cache))) == [("jobs.py", 4, "BL101")]
    # the per-file level: every entry replaced by a foreign record, then by garbage
    for damage in (json.dumps(["\0os.system", "echo pwned"]), json.dumps({"t": "os.system"}), "not json at all",
                   "batchlint facts pack 1\n99999999999\n", "batchlint facts pack 1\n12\nshort"):
        runs_file.unlink()
        (pack,) = cache.glob("facts-*/facts.pack")
        pack.write_text(damage)
        assert triples(run(tmp_path, cache_dir=str(cache))) == [("jobs.py", 4, "BL101")]


def test_cli_cache_flags_and_clean(tmp_path):
    write(tmp_path, PROJECT)
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert runner.invoke(main, ["check", "--no-cache", "."]).exit_code == 1
        assert not (tmp_path / ".batchlint_cache").exists()
        assert runner.invoke(main, ["check", "-j", "2", "."]).exit_code == 1
        assert (tmp_path / ".batchlint_cache" / ".gitignore").exists()
        result = runner.invoke(main, ["clean"])
        assert "Removed" in result.output
        assert not (tmp_path / ".batchlint_cache").exists()
    finally:
        os.chdir(old)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_planted_in_the_cache_does_not_block(tmp_path):
    write(tmp_path, PROJECT)
    cache = tmp_path / ".batchlint_cache"
    run(tmp_path, cache_dir=str(cache))
    (runs_file,) = cache.glob("runs-*/*.json")
    runs_file.unlink()
    os.mkfifo(runs_file)
    (pack,) = cache.glob("facts-*/facts.pack")
    pack.unlink()
    os.mkfifo(pack)
    assert triples(run(tmp_path, cache_dir=str(cache))) == [("jobs.py", 4, "BL101")]


def test_run_level_keeps_the_most_recently_used_entries(tmp_path):
    from batchlint.cache import RunCache
    from batchlint.model import CheckResult

    runs = RunCache(str(tmp_path))
    results = {f"k{n}": CheckResult((), (), n, 0, 0, (), ()) for n in range(9)}
    for n in range(8):
        runs.put(f"k{n}", results[f"k{n}"])
        (entry,) = [p for p in tmp_path.glob(f"runs-*/k{n}.json")]
        os.utime(entry, ns=(n * 10**9, n * 10**9))  # written long ago, in this order
    assert runs.get("k0") == results["k0"]  # used now: the newest
    runs.put("k8", results["k8"])
    assert len(list(tmp_path.glob("runs-*/*.json"))) == 8
    assert runs.get("k1") is None  # the least recently used went
    assert runs.get("k0") == results["k0"] and runs.get("k8") == results["k8"]


def test_another_python_answers_neither_level(tmp_path, monkeypatch):
    # 3.12 parses f-strings 3.11 rejects: a result or a file's parse from one
    # version says nothing about another
    import batchlint.cache as cache_module

    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    cold = run(tmp_path, cache_dir=cache)
    parsed = []
    real_parse = checker.parse_file
    monkeypatch.setattr(checker, "parse_file", lambda source, *a, **k: parsed.append(source.path) or real_parse(source, *a, **k))
    monkeypatch.setattr(cache_module, "_PYTHON", "9.99")
    assert run(tmp_path, cache_dir=cache) == cold
    assert sorted(parsed) == ["jobs.py", "llm.py"]


def test_schedule_files_are_read_again_only_when_one_changed(tmp_path, monkeypatch):
    write(tmp_path, {**PROJECT, "nightly.py": "from llm import ask\n\nfor row in open('rows.txt'):\n    ask(row)\n"})
    workflow = tmp_path / ".github" / "workflows" / "nightly.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  run:\n    steps:\n      - run: python nightly.py\n")
    cache = str(tmp_path / ".batchlint_cache")
    first = run(tmp_path, cache_dir=cache)
    assert any("nightly.yml" in f.message for f in first.findings)
    reads = []
    real_read = entry_points.read_schedules
    monkeypatch.setattr(entry_points, "read_schedules", lambda files: reads.append(len(files)) or real_read(files))
    (tmp_path / "jobs.py").write_text((tmp_path / "jobs.py").read_text() + "# edited\n")  # a Python edit only
    after_edit = run(tmp_path, cache_dir=cache)
    assert after_edit.findings == first.findings and reads == []
    before = workflow.stat()
    workflow.write_text(workflow.read_text().replace("0 3 * * *", "0 4 * * *"))  # the schedule changed, same size
    os.utime(workflow, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    rescheduled = run(tmp_path, cache_dir=cache)
    assert reads == [1] and any("0 4 * * *" in f.message for f in rescheduled.findings)
    # a damaged or foreign entry is read as no entry
    for damage in ("[1, 2]", json.dumps([["\0os.system", "echo pwned"], []]), "not json at all"):
        (entry,) = (tmp_path / ".batchlint_cache").glob("schedules-*/*.json")
        entry.write_text(damage)
        for runs_file in (tmp_path / ".batchlint_cache").glob("runs-*/*.json"):
            runs_file.unlink()
        assert run(tmp_path, cache_dir=cache).findings == rescheduled.findings
    assert reads == [1, 1, 1, 1]


def test_a_new_namesake_elsewhere_reaches_the_cached_files_beside_the_renamed_one(tmp_path):
    """Adding alpha/common.py renames beta/common.py (the first file keeps
    the plain name); beta/run.py's `import common` must still name its own
    neighbour, so its cached facts, which said `common`, are not reused."""
    write(tmp_path, {
        "beta/common.py": (
            "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
            "def ask(text):\n"
            "    return client.messages.create(model='m', max_tokens=5, messages=[{'role': 'user', 'content': text}])\n"
        ),
        "beta/run.py": "import common\n\nif __name__ == '__main__':\n    for row in open('rows.txt'):\n        common.ask(row)\n",
    })
    cache = str(tmp_path / ".batchlint_cache")
    before = run(tmp_path, cache_dir=cache)
    assert triples(before) == [("beta/run.py", 5, "BL105")]
    write(tmp_path, {"alpha/common.py": "def ask(text):\n    return text\n"})
    after = run(tmp_path, cache_dir=cache)
    assert triples(after) == triples(run(tmp_path)) == [("beta/run.py", 5, "BL105")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_one_file_edit_parses_that_file_and_keeps_one_pack(tmp_path, monkeypatch, jobs):
    files = {**PROJECT, **{f"more{n}.py": f"import anthropic\n\ndef f{n}():\n    return {n}\n" for n in range(6)}}
    write(tmp_path, files)
    cache = tmp_path / ".batchlint_cache"
    cold = run(tmp_path, cache_dir=str(cache), jobs=jobs)
    (folder,) = cache.glob("facts-*")
    assert sorted(p.name for p in folder.iterdir()) == ["facts.pack"]  # one file, not one per entry
    size = (folder / "facts.pack").stat().st_size
    parsed = []
    real = checker.parse_file

    def counting(source, *args, **kwargs):
        parsed.append(source.path)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(checker, "parse_file", counting)
    (tmp_path / "more3.py").write_text("import anthropic\n\ndef f3():\n    return 33\n")
    edited = run(tmp_path, cache_dir=str(cache), jobs=1)  # jobs=1: the count is taken in this process
    assert parsed == ["more3.py"]
    assert edited.findings == cold.findings
    # the pack now holds the edited file's entry instead of the old one: no growth
    assert sorted(p.name for p in folder.iterdir()) == ["facts.pack"]
    assert abs((folder / "facts.pack").stat().st_size - size) < 10
    (tmp_path / "more4.py").unlink()
    run(tmp_path, cache_dir=str(cache), jobs=1)
    assert (folder / "facts.pack").stat().st_size < size  # an entry no file uses is dropped


@pytest.mark.parametrize("size", [0, 1, 511, 512, 513, 2_000, 40_000])
def test_a_record_is_compressed_with_a_window_fitted_to_it_and_inflates_as_any_zlib_stream(size):
    import random
    import zlib

    from batchlint import cache as cache_module
    from batchlint import cache_pack

    words = ["Site", "Span", "client.messages.create", "\0FileFacts", 7, None]
    pick = random.Random(size)
    payload = json.dumps([pick.choice(words) for _ in range(size)]).encode()[:size]
    packed = cache_pack.compressed(payload)
    assert zlib.decompress(packed) == payload
    window = 1 << ((packed[0] >> 4) + 8)  # the stream's header names its window (CINFO)
    assert window >= min(size, 1 << 15) and (window <= 512 or window < 2 * size)
    # a record of the earlier encoding (zlib's default window) reads back as one of this encoding does
    valid = json.dumps(words * (size // 40 + 1)).encode()
    body = cache_pack.body("k", valid, cache_module._checksum)
    head, checksum, _ = body.split(b"\n", 2)
    earlier = b"\n".join((head, checksum, zlib.compress(valid, 1)))
    assert cache_pack.payload("k", earlier, cache_module._checksum, 1 << 20) == json.loads(valid)
    assert cache_pack.payload("k", body, cache_module._checksum, 1 << 20) == json.loads(valid)


def test_a_pack_record_that_inflates_past_the_limit_is_discarded():
    from batchlint import cache as cache_module
    from batchlint import cache_pack

    payload = b"[" + b"0," * 100_000 + b"0]"
    body = cache_pack.body("k", payload, cache_module._checksum)
    assert len(body) < 2_000  # compresses well: a small record that inflates a lot
    assert cache_pack.payload("k", body, cache_module._checksum, 1 << 20) == [0] * 100_001
    assert cache_pack.payload("k", body, cache_module._checksum, 100_000) is None
    assert cache_pack.payload("other", body, cache_module._checksum, 1 << 20) is None
    assert cache_pack.payload("k", body[:-3], cache_module._checksum, 1 << 20) is None  # cut short
    packed = cache_pack.pack([body, b"garbage without a key line"])
    assert list(cache_pack.index(packed)) == ["k"]
    assert cache_pack.index(b"not a pack") == {}


def test_a_segment_left_by_a_killed_run_is_removed_once_stale(tmp_path):
    write(tmp_path, PROJECT)
    cache = tmp_path / ".batchlint_cache"
    run(tmp_path, cache_dir=str(cache), jobs=2)
    (folder,) = cache.glob("facts-*")
    old, fresh = folder / ".cache-old.tmp", folder / ".cache-fresh.tmp"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(old, (0, 0))
    (tmp_path / "jobs.py").write_text((tmp_path / "jobs.py").read_text() + "\n# edited\n")
    run(tmp_path, cache_dir=str(cache), jobs=2)
    assert sorted(p.name for p in folder.iterdir()) == [".cache-fresh.tmp", "facts.pack"]


def _encode_calls(monkeypatch) -> list[bool]:
    """The `fork` argument of each FactsCache.encode_soon call, as they are made."""
    from batchlint.facts_cache import FactsCache

    asked = []
    encode_soon = FactsCache.encode_soon
    monkeypatch.setattr(FactsCache, "encode_soon", lambda self, fork: asked.append(fork) or encode_soon(self, fork))
    return asked


@pytest.mark.skipif(not parallel.CAN_FORK, reason="needs fork")
def test_with_one_job_the_entries_are_encoded_in_a_fork_only_when_no_other_thread_runs(tmp_path, monkeypatch):
    import threading

    asked = _encode_calls(monkeypatch)
    monkeypatch.setattr(checker, "_spare_core", lambda: True)
    write(tmp_path, PROJECT)
    expected = run(tmp_path)
    assert run(tmp_path, jobs=1, cache_dir=str(tmp_path / "c1")) == expected
    assert asked[0] is True  # alone in the process: forked
    asked.clear()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert run(tmp_path, jobs=1, cache_dir=str(tmp_path / "c2")) == expected
    finally:
        stop.set()
        other.join()
    assert asked[0] is False  # a caller's thread may hold a lock a fork would copy: in line
    assert run(tmp_path, jobs=1, cache_dir=str(tmp_path / "c2")) == expected  # and the entries it wrote read back


@pytest.mark.skipif(not parallel.CAN_FORK, reason="needs fork")
@pytest.mark.parametrize("behind", [True, False])
def test_a_result_written_behind_is_returned_before_its_facts_pack_is_written(tmp_path, monkeypatch, behind):
    import time

    from batchlint import cache as cache_module
    from batchlint import facts_cache

    # the forked encoder writes the pack only once this test has its result (or after 5 s: the caller waited for it)
    returned, late = tmp_path / "returned", tmp_path / "late"
    write_file = facts_cache._write_file

    def when_returned(*args, **kwargs):
        (tmp_path / "priority").write_text(str(os.nice(0)))  # in the encoder: the priority it writes at
        deadline = time.monotonic() + 5
        while not returned.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not returned.exists():
            late.touch()
        return write_file(*args, **kwargs)

    monkeypatch.setattr(facts_cache, "_write_file", when_returned)
    monkeypatch.setattr(checker, "_spare_core", lambda: True)
    write(tmp_path / "tree", PROJECT)
    root, cache = tmp_path / "tree", tmp_path / "cache"
    if not behind:  # the caller waits for the pack: the encoder finds no result yet and writes when its wait ends
        returned.touch()
    result = check_paths([str(root)], Config(root=str(root)), jobs=2, cache_dir=str(cache), write_behind=behind)
    returned.touch()
    cache_module.wait_for_writes()
    assert not late.exists()
    # nobody waits for a pack written behind: it takes only CPU left idle (the lowest priority); else as the run
    assert int((tmp_path / "priority").read_text()) == (19 if behind else os.nice(0))
    assert result.findings and cache_module._WRITERS == []
    packs = list(cache.glob("facts-*/facts.pack"))
    assert len(packs) == 1 and packs[0].stat().st_size > 100  # written whole, as in line
    # the next run in this process reads it: an edit re-parses one file, the others come from the pack
    (root / "jobs.py").write_text((root / "jobs.py").read_text() + "\n# edited\n")
    parsed = []
    real_parse = checker.parse_file
    monkeypatch.setattr(checker, "parse_file", lambda source, *a, **k: parsed.append(source.path) or real_parse(source, *a, **k))
    again = check_paths([str(root)], Config(root=str(root)), jobs=1, cache_dir=str(cache), write_behind=behind)
    cache_module.wait_for_writes()
    assert again.findings == result.findings and [os.path.basename(path) for path in parsed] == ["jobs.py"]


@pytest.mark.skipif(not parallel.CAN_FORK, reason="needs fork")
@pytest.mark.parametrize("behind", [True, False])
def test_on_one_core_only_a_pack_written_behind_is_encoded_in_a_fork(tmp_path, monkeypatch, behind):
    from batchlint import cache as cache_module

    asked = _encode_calls(monkeypatch)
    monkeypatch.setattr(checker, "_spare_core", lambda: False)
    write(tmp_path, PROJECT)
    expected = run(tmp_path)
    found = check_paths([str(tmp_path)], Config(root=str(tmp_path)), jobs=1, cache_dir=str(tmp_path / "c"),
                        write_behind=behind)
    cache_module.wait_for_writes()
    # behind, at the lowest priority (fork_writer), it waits for CPU the run leaves; waited for, it would slow the run
    assert asked[0] is behind and found.findings  # (save() then encodes what is left in line: nothing, if forked)
    assert run(tmp_path, jobs=1, cache_dir=str(tmp_path / "c")) == expected  # its entries read back

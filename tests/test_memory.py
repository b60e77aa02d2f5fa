"""What a large run holds at its peak (docs/speed.md, third pass): less, with the same answers."""

from __future__ import annotations

import dataclasses
import os

import pytest

import batchlint.analyze as analyze
from batchlint import cache_pack, parallel
from batchlint.analysis.facts import FileFacts
from batchlint.analysis.project import Project
from batchlint.config import Config
from batchlint.discovery import SourceFile
from batchlint.facts_cache import FactsCache, facts_from_body
from batchlint.model import ContextKind
from batchlint.savings.estimate import Usage, _one_of, estimate
from batchlint.savings.pricing import load_prices

from helpers import CACHE_PROJECT as PROJECT
from helpers import check_tree as run
from helpers import write




def source(path: str, text: str) -> SourceFile:
    return SourceFile(path, os.path.abspath(path), path[:-3], False, text)


JOBS = "import anthropic\nfrom llm import ask\n\ndef label(rows):\n    return [ask(r) for r in rows]  # noqa: BL102\n"
LLM = PROJECT["llm.py"].replace("\n        ", "\n").strip() + "\n"


@pytest.mark.parametrize("release", [True, False])
def test_released_sources_lose_their_texts_but_a_noqa_is_still_judged(release):
    sources = [source("jobs.py", JOBS), source("llm.py", LLM)]
    result = analyze.check_sources(sources, Config(root="."), release_texts=release)
    # the unused `# noqa: BL102` on a BL101 line is still reported: its file's text was kept for it
    assert [(f.path, f.line, f.code) for f in result.findings] == [("jobs.py", 5, "BL011"), ("jobs.py", 5, "BL101")]
    assert result.checked_paths == ("jobs.py", "llm.py")
    assert sources == [] if release else [s.text for s in sources] == [JOBS, LLM]  # handed over: let go


def test_a_parsed_file_lets_go_of_its_text_after_its_round_and_a_file_still_to_scan_or_with_a_noqa_does_not(monkeypatch):
    plain = "def shout(text):\n    return text.upper()\n"  # imports nothing: never parsed, read as text by each round
    sources = [source("jobs.py", JOBS), source("llm.py", LLM), source("plain.py", plain)]
    seen = []
    build = analyze._project

    def watched(state, *args, **kwargs):
        seen.append({s.path: bool(s.text) for s in state.sources.values()})
        return build(state, *args, **kwargs)

    monkeypatch.setattr(analyze, "_project", watched)
    analyze.check_sources(sources, Config(root="."), release_texts=True)
    assert seen[0] == {"jobs.py": True, "llm.py": False, "plain.py": True}  # jobs.py has a noqa for BL011 to judge
    assert sources == []  # and at the end, the caller's list keeps none of them
    seen.clear()
    kept = [source("jobs.py", JOBS), source("llm.py", LLM), source("plain.py", plain)]
    analyze.check_sources(kept, Config(root="."))  # not handed over: the caller's texts stay
    assert seen[0] == {"jobs.py": True, "llm.py": True, "plain.py": True}
    assert [s.text for s in kept] == [JOBS, LLM, plain]


def test_once_every_file_is_parsed_the_last_project_is_built_without_the_sources(monkeypatch):
    sources = [source("jobs.py", JOBS), source("llm.py", LLM)]
    seen, given = [], [sources]
    build = analyze._project

    def watched(state, *args, **kwargs):
        seen.append((len(state.sources), [(s.path, bool(s.text)) for s in given[0]]))
        return build(state, *args, **kwargs)

    monkeypatch.setattr(analyze, "_project", watched)
    result = analyze.check_sources(sources, Config(root="."), release_texts=True)
    assert seen == [(0, [("jobs.py", True)])]  # only the file with a noqa keeps its text, for BL011
    assert (result.checked_paths, result.files_checked, result.files_parsed) == (("jobs.py", "llm.py"), 2, 2)
    assert [(f.path, f.code) for f in result.findings] == [("jobs.py", "BL011"), ("jobs.py", "BL101")]
    seen.clear()
    kept = given[0] = [source("jobs.py", JOBS), source("llm.py", LLM)]
    analyze.check_sources(kept, Config(root="."))  # not handed over: the caller's files stay as they are
    assert seen == [(2, [("jobs.py", True), ("llm.py", True)])]


@pytest.mark.skipif(not parallel.CAN_FORK, reason="needs fork")
def test_the_last_project_writes_its_pack_from_a_fork_and_lets_go_of_the_one_read(tmp_path, monkeypatch):
    files = {**PROJECT, **{f"more{n}.py": f"import anthropic\n\ndef f{n}():\n    return {n}\n" for n in range(6)}}
    write(tmp_path, files)
    cache = tmp_path / ".batchlint_cache"
    held = []
    encode_soon = FactsCache.encode_soon

    def watched(self, fork):
        encode_soon(self, fork)
        held.append((fork, self._fd >= 0 or len(self._data) > 0, len(self._index)))  # right after the parse rounds

    monkeypatch.setattr(FactsCache, "encode_soon", watched)
    cold = run(tmp_path, cache_dir=str(cache), jobs=2)
    (tmp_path / "more3.py").write_text("import anthropic\n\ndef f3():\n    return 33\n")
    edited = run(tmp_path, cache_dir=str(cache), jobs=2)
    assert held == [(True, False, 0), (True, False, 0)]  # the pack read (second run) is let go before the cross-file stage
    assert edited.findings == cold.findings == run(tmp_path).findings
    (pack,) = cache.glob("facts-*/facts.pack")
    data = pack.read_bytes()
    index = cache_pack.index(data)
    assert len(index) == len(files)  # the edited file's old entry is gone, every other one kept
    outcomes = [facts_from_body(key, data[start:end]) for key, (start, end) in index.items()]
    assert sorted(o.path for o in outcomes) == sorted(files)
    assert [o.variables for o in outcomes if o.path == "more3.py"] == [()]
    # encoded in line (no fork): the pack read is kept until save() writes the new one
    monkeypatch.setattr(analyze, "_spare_core", lambda: False)
    (tmp_path / "more2.py").write_text("import anthropic\n\ndef f2():\n    return 222\n")
    assert run(tmp_path, cache_dir=str(cache), jobs=1).findings == cold.findings
    assert held[-1][0] is False and held[-1][1] is True and held[-1][2] == len(files)
    assert len(cache_pack.index(pack.read_bytes())) == len(files)


@pytest.mark.skipif(not hasattr(os, "pread"), reason="reads entries with os.pread")
def test_the_pack_read_is_not_held_each_entry_is_read_from_the_open_file(tmp_path):
    write(tmp_path, PROJECT)
    cache = tmp_path / ".batchlint_cache"
    run(tmp_path, cache_dir=str(cache), jobs=1)
    (pack,) = cache.glob("facts-*/facts.pack")
    data = pack.read_bytes()
    index = cache_pack.index(data)
    (first, (start, end)), (second, _) = sorted(index.items())[:2]
    facts = FactsCache(str(cache))
    facts.load()
    assert (facts._data, len(facts._index)) == (b"", len(index)) and facts._fd >= 0  # indexed, not held
    # another run replaces the pack (an atomic rename) after this one opened it: the open file still answers
    other = pack.with_name("other.pack")
    other.write_bytes(cache_pack.HEADER)
    os.replace(other, pack)
    assert facts.body(first) == data[start:end] and facts.get(first).path in PROJECT
    facts.save()  # the one entry used is kept, read from the open file as the new pack is written
    assert list(cache_pack.index(pack.read_bytes())) == [first] and facts._fd < 0
    # a pack cut short after it was indexed: the entries past the cut fail their check (parsed again)
    run(tmp_path, cache_dir=str(cache / "fresh"), jobs=1)
    (pack,) = (cache / "fresh").glob("facts-*/facts.pack")
    facts = FactsCache(str(cache / "fresh"))
    facts.load()
    os.truncate(pack, len(cache_pack.HEADER) + 10)
    assert facts.get(first) is None and facts.get(second) is None
    facts._close()


def test_equal_estimates_are_one_object_and_numbers_written_differently_are_not():
    table = load_prices()
    loop = Usage(ContextKind.LOOP, loop_counts=(("for loop over `rows`", 0),))
    first, second = estimate(loop, table), estimate(loop, table)
    assert first is second
    other = estimate(Usage(ContextKind.LOOP, loop_counts=(("for loop over `range(7)`", 7),)), table)
    assert other is not first and other != first

    as_int = _one_of(dataclasses.replace(first, calls_per_month=3000))
    as_float = _one_of(dataclasses.replace(first, calls_per_month=3000.0))
    assert as_int == as_float and as_int is not as_float  # equal, but JSON writes 3000 and 3000.0
    assert type(as_int.calls_per_month) is int and type(as_float.calls_per_month) is float


def facts(module: str, imports: tuple) -> FileFacts:
    return FileFacts(f"{module}.py", module, imports, (), (), (), ())


def test_modules_importing_the_same_names_share_one_import_table():
    project = Project([facts("a", (("os", "os"),)), facts("b", (("os", "os"),)),
                       facts("c", (("os", "os"), ("*", "a"))), facts("d", (("sys", "sys"),))])
    assert project.imports["a"] is project.imports["b"] == {"os": "os"}
    assert project.imports["c"] == {"os": "os"} and project.star_imports == {"c": ["a"]}
    assert project.imports["d"] == {"sys": "sys"} and project.imports["d"] is not project.imports["a"]


def test_a_warm_run_decodes_equal_paths_and_estimates_as_one_object(tmp_path):
    from batchlint.cache import RunCache
    from batchlint.model import Assumption, CheckResult, Estimate, Finding, Location

    def finding(path: str, line: int, calls) -> Finding:
        cost = Estimate("m", calls, 1.0, 2.0, 3.0, 1.5, 1.5, None, "", None, (Assumption("runs", "30", "default"),))
        where = Location("".join(path), line, 1, line, 9)  # a new string each time, as the analysis makes them
        return Finding("BL101", f"m{line}", where, ContextKind.LOOP, ("e",), where, "messages.create", "Anthropic",
                       estimate=cost, anchors=((path, line, line),))

    findings = (finding("a.py", 1, 3000.0), finding("a.py", 2, 3000.0), finding("a.py", 3, 3000), finding("b.py", 4, 3000.0))
    runs = RunCache(str(tmp_path))
    runs.put("k", CheckResult(findings, (), 2, 2))
    got = runs.get("k").findings
    assert got == findings
    first, second, as_int, other_file = got
    assert first.estimate is second.estimate is other_file.estimate  # equal: one object
    assert as_int.estimate is not first.estimate and type(as_int.estimate.calls_per_month) is int  # written 3000
    assert as_int.estimate.assumptions[0] is first.estimate.assumptions[0]
    assert first.location.path is second.call.path is first.anchors[0][0] is as_int.location.path
    assert other_file.location.path == "b.py" and first.message is not second.message


def test_the_findings_are_unpacked_once_the_facts_and_the_project_are_let_go(monkeypatch):
    import gc

    from batchlint.analysis import packed

    quiet = "import anthropic\n\ndef hello():\n    return 1\n"
    sources = [source("jobs.py", JOBS), source("llm.py", LLM), source("quiet.py", quiet)]
    alive = []
    unpack = packed.PackedFindings.unpack

    def watched(self):
        alive.append(sorted((o.path, len(o.sites), len(o.functions)) for o in gc.get_objects()
                            if type(o) is FileFacts and o.path in ("jobs.py", "llm.py", "quiet.py")))
        alive.append(sum(type(o) is Project for o in gc.get_objects()))
        return unpack(self)

    monkeypatch.setattr(packed.PackedFindings, "unpack", watched)
    result = analyze.check_sources(sources, Config(root="."))
    # only the file with a noqa comment is still held, as its comments: no sites, no functions, no project
    assert alive == [[("jobs.py", 0, 0)], 0]
    # and the noqa is judged from it as before: BL011 for the unused code, the BL101 it does not cover
    assert [(f.path, f.line, f.code) for f in result.findings] == [("jobs.py", 5, "BL011"), ("jobs.py", 5, "BL101")]


def test_packed_findings_come_back_equal_sorted_with_their_estimates_shared_and_dropped_files_left_out():
    from batchlint.analysis.packed import PackedFindings
    from batchlint.model import Assumption, Estimate, Finding, Location

    cost = Estimate("m", 3000.0, 1.0, 2.0, 3.0, 1.5, 1.5, None, "", None, (Assumption("runs", "30", "default"),))

    def finding(path: str, line: int) -> Finding:
        where = Location(path, line, 1, line, 9)
        return Finding("BL101", f"m{line}", where, ContextKind.LOOP, ("e",), where, "messages.create", "Anthropic",
                       estimate=cost if line % 2 else None, anchors=((path, line, line),))

    made = [finding(f"f{n % 7}.py", n) for n in range(600, 0, -1)]  # several chunks, made out of order
    store = PackedFindings()
    for n in range(0, len(made), 3):
        store.extend(made[n:n + 3])
    store.drop({"f3.py"})
    got = store.unpack()
    assert got == sorted((f for f in made if f.path != "f3.py"), key=Finding.sort_key)
    assert {f.path for f in got} == {"f0.py", "f1.py", "f2.py", "f4.py", "f5.py", "f6.py"}
    assert all(f.estimate is cost for f in got if f.line % 2) and all(f.estimate is None for f in got if not f.line % 2)
    assert PackedFindings().unpack() == []


def test_a_project_leaves_no_cyclic_garbage():
    import gc

    from batchlint.analysis.facts import ClassFacts, Span

    span = Span(1, 1, 1, 2)
    classes = (ClassFacts("a.Base", "Base", span, (), ()), ClassFacts("a.Child", "Child", span, ("a.Base",), ()))
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        project = Project([FileFacts("a.py", "a", (), (), (), classes, ())])
        assert project.all_subclasses("a.Base") == ["a.Child"]  # the hierarchy answers through the project
        del project
        assert gc.collect() == 0  # freed by reference counting, with the collector paused (as during a run)
    finally:
        if was:
            gc.enable()


def test_path_spellings_are_matched_when_looked_up_the_first_file_spelled_so_winning():
    from batchlint.analysis.module_names import ModuleNames

    def names_of(files):
        modules: dict = {}
        for f in files:
            modules.setdefault(f.module, f)
        return ModuleNames(files, modules)

    # no __init__.py: each file is also spelled through the folders above it
    files = [FileFacts("tools/meta/utils/utils.py", "utils.utils", (), (), (), (), ()),
             FileFacts("other/meta/utils/utils.py", "copy", (), (), (), (), ()),
             FileFacts("app/core/llm.py", "app.core.llm", (), (), (), (), ())]
    names = names_of(files)
    assert names._spelled == {}  # nothing is spelled out before a lookup
    assert names.module_for("meta.utils.utils") == "utils.utils"  # both files spell it: the first one
    assert names_of(files[::-1]).module_for("meta.utils.utils") == "copy"
    assert names.module_for("core.llm") == "app.core.llm"
    assert names.module_for("meta.utils.llm") is None and names.module_for("core") is None
    assert {"tools", "other", "meta", "app", "core", "utils"} <= names.heads
    # `utils.utils` needs tools/meta on sys.path: a script there reaches it, one elsewhere does not
    assert not names.out_of_reach("meta.utils.utils.ask", "tools/meta/utils/x.py")
    assert names.out_of_reach("meta.utils.utils.ask", "app/core/llm.py")
    assert set(names._spelled) == {"meta.utils.utils", "core.llm", "meta.utils.llm"}  # only what was looked up


def test_frames_in_no_loop_are_one_object_and_a_loop_frame_keeps_where_it_is():
    import ast

    from batchlint.analysis.chain_walk import ChainWalker
    from batchlint.analysis.contexts import Classifier
    from batchlint.analysis.index import index_module

    text = ("import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef ask_{n}(text):\n"
            "    return client.messages.create(model='m', max_tokens=64, messages=[])\n\n\n"
            "def run_{n}(rows):\n    for row in rows:\n        ask_{n}(row)\n")
    files = [index_module(ast.parse(text.format(n=n)), f"m{n}.py", f"m{n}", False, text.format(n=n)) for n in (1, 2)]
    project = Project(files)
    walker = ChainWalker(project, Classifier(project))
    (first,), (second,) = (walker.chains(site, facts.path) for site, facts, _sdk in project.sdk_calls)
    call, loop = first.frames
    assert call.facts is second.frames[0].facts  # equal: nothing around the SDK call, in either file
    assert (call.facts.repetition, call.facts.repetition_where) == (None, "")
    assert loop.facts.repetition_where == "m1.py:11" and second.frames[1].facts.repetition_where == "m2.py:11"
    assert loop.facts is not second.frames[1].facts


def test_equal_parts_of_clients_are_one_value_and_a_function_value_names_it_by_its_own_string():
    import ast

    from batchlint.analysis.index import index_module

    text = ("import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef ask_{n}(text):\n"
            "    return client.messages.create(model='m', max_tokens=64, messages=[])\n")
    files = [index_module(ast.parse(text.format(n=n)), f"m{n}.py", f"m{n}", False, text.format(n=n)) for n in (1, 2)]
    project = Project(files)
    first, second = (project.value(f"m{n}.client.messages.create") for n in (1, 2))
    assert first == second == ("sdk", "Anthropic", "messages.create") and first is second
    assert project.value("m1.client.messages") is project.value("m2.client.messages") != first
    ask = project.value("m1.ask_1")
    assert ask == ("func", "m1.ask_1", "") and ask.name is files[0].functions[0].qual


def test_the_frame_cache_starts_over_when_full_and_walks_give_the_same_chains(monkeypatch):
    import ast

    from batchlint.analysis import chain_walk
    from batchlint.analysis.chain_walk import ChainWalker
    from batchlint.analysis.contexts import Classifier
    from batchlint.analysis.index import index_module

    text = ("import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef ask_{n}(text):\n"
            "    return client.messages.create(model='m', max_tokens=64, messages=[])\n\n\n"
            "def run_{n}(rows):\n    for row in rows:\n        ask_{n}(row)\n")
    files = [index_module(ast.parse(text.format(n=n)), f"m{n}.py", f"m{n}", False, text.format(n=n)) for n in range(6)]
    project = Project(files)

    def walked(walker):
        out = []
        for site, facts, _sdk in project.sdk_calls:
            out.append([[(f.path, f.site.span, f.facts) for f in chain.frames] for chain in walker.chains(site, facts.path)])
            out[-1].append((len(walker._frame_cache), len(walker._equal)))
        return out

    unbounded = walked(ChainWalker(project, Classifier(project)))
    monkeypatch.setattr(chain_walk, "_CACHED_FRAMES", 3)
    bounded = walked(ChainWalker(project, Classifier(project)))
    assert [calls[:-1] for calls in bounded] == [calls[:-1] for calls in unbounded]  # the same chains
    assert max(max(calls[-1]) for calls in bounded) <= 3 < max(max(calls[-1]) for calls in unbounded)

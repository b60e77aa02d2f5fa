"""Analysis of a set of sources: parse rounds, the cross-file project, findings.

Files enter the parse in rounds. Round one: files that import the SDK (or
name a configured client factory). Each later round adds the files that name
something found to reach a Claude call and import it, or that parsed code
hands work to, until nothing new turns up (prefilter.py). Everything else is
read as text once and never parsed. checker.py loads this module only when a
run's result is not in the cache, so a warm run never imports the analysis.
The stages after the parse (chains, contexts, suppression, the price table)
are loaded while the children parse the first round.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
from dataclasses import dataclass, replace

from .analysis.facts import FileFacts
from .analysis.project import Project
from .analysis.sharing import Sharer
from .boundary import stage_failure
from .cache import file_key
from .config import Config
from .discovery import SourceFile
from .facts_cache import FactsCache, facts_from_body
from .model import CheckResult, FileError, Finding
from .parallel import Workers
from .parsing import parse_file
from .prefilter import Mentions, Scan, handoff_sources, module_spellings, relevance_of, seed_test

_MAX_ROUNDS = 8


@dataclass
class _State:
    sources: dict[str, SourceFile]  # abspath -> source
    facts: dict[str, FileFacts]  # abspath -> facts of parsed files
    errors: list[FileError]


class _Parser:
    """Parses rounds of files: from the cache, in this process, or in several."""

    def __init__(self, jobs: int, cache: FactsCache | None, progress=None, meanwhile=None) -> None:
        self.workers = Workers(jobs)
        self.cache = cache
        self.progress = progress  # called with (files parsed so far, files known to parse) after each file
        self.done = 0
        self.total = 0
        self._meanwhile = meanwhile  # meanwhile(parsing), once: True while the first round parses (see Workers.map)
        self._sharer = Sharer()  # every file's facts are kept to the end: equal values stored once

    def parse(self, sources: list[SourceFile]) -> list[tuple[FileFacts | None, FileError | None]]:
        """Each file's facts: read back from its cache entry or parsed (and
        stored), both in the workers. Reading an entry back costs a fraction
        of a parse, so spread over the same processes as the parses a cached
        run is never slower than an uncached one (serial reads in this process
        made a one-file edit of 50,000 files slower than --no-cache -j2)."""
        self.total += len(sources)
        cache = self.cache
        if cache is None:
            tasks, run = [(source, "", None) for source in sources], _parse_only
        elif self.workers.fork or self.workers.jobs == 1:
            # each file's key is made and its entry found where the file is analyzed: hashing
            # every text here was serial time before the children started (they hold the pack)
            cache.load()
            tasks, run = sources, functools.partial(_find_load_or_parse, cache)
        else:  # a process pool pickles the tasks: the entries go with them, as bytes
            tasks, run = [(source, key, cache.body(key)) for source in sources for key in (_key(source),)], _load_or_parse
        meanwhile, self._meanwhile = self._meanwhile, None
        during = (lambda: meanwhile(True)) if meanwhile is not None else None
        results = []
        for facts, error, kept, entry, key in self.workers.map(run, tasks, self._advance, during, keep=self._share):
            if kept:
                cache.used(key, entry)
            results.append((facts, error))
        self._sharer.close()  # before the cross-file analysis: its table is as large as the facts' distinct values
        self._sharer = Sharer()
        return results

    def _share(self, result: tuple) -> tuple:
        """A worker's result with its facts' values shared (analysis/sharing.py),
        as it arrives: holding every file's copies first, then dropping them,
        left a third of the memory the facts took free but not returned."""
        if result[0] is not None:
            self._sharer.share(result[0])
        return result

    def _advance(self, files: int) -> None:
        self.done += files
        if self.progress is not None:
            self.progress(self.done, self.total)

    def run_meanwhile(self) -> None:
        """Call `meanwhile(False)` now if no round did (nothing needed a parse)."""
        meanwhile, self._meanwhile = self._meanwhile, None
        if meanwhile is not None:
            meanwhile(False)

    def close(self) -> None:
        self._sharer.close()
        self.workers.close()  # the cache is saved by its owner (checker.py), after every project of the run


def _key(source: SourceFile) -> str:
    return file_key(source.path, source.module, source.is_package, source.text, source.renamed_neighbours)


def _find_load_or_parse(cache: FactsCache, source: SourceFile) -> tuple:
    """_load_or_parse, the file's key made and its entry looked up here (in a
    forked worker: a view of the pack this process read before the fork)."""
    key = _key(source)
    return _load_or_parse((source, key, cache.body(key, view=True)))


def _load_or_parse(task: tuple[SourceFile, str, bytes | memoryview | None]) -> tuple:
    """One file's facts (or error), whether its cache entry answered, what to
    store for it if it was parsed (facts_cache encodes it later), and its key.
    Runs in a worker: checking and decoding entries are spread over the
    processes like the parses."""
    source, key, body = task
    if body is not None:
        cached = facts_from_body(key, bytes(body))  # a view of the pack, copied here for one file
        if isinstance(cached, FileError) and cached.path == source.path:
            return None, cached, True, None, key
        if isinstance(cached, FileFacts) and (cached.path, cached.module) == (source.path, source.module):
            return cached, None, True, None, key
    facts, error = parse_file(source)
    entry = _cache_entry(facts, error)
    return facts, error, entry is not None, entry, key


def _parse_only(task: tuple[SourceFile, str, None]) -> tuple:
    facts, error = parse_file(task[0])
    return facts, error, False, None, ""


def _cache_entry(facts: FileFacts | None, error: FileError | None):
    """What the file-level cache keeps of a parse: the facts, or a BL001 error
    (the text does not parse here, which follows from the key). A time limit
    hit (BL003) depends on the machine, so it is tried again next run."""
    if facts is not None:
        return facts
    return error if error is not None and error.code == "BL001" else None


def _spare_core() -> bool:
    """Whether the new cache entries may be encoded in a forked process: with
    --jobs 1 too, when the machine has a core the cross-file analysis leaves
    idle (encoding in line made a first cached -j1 run about 10% slower
    than --no-cache)."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    return cores > 1


def _one_thread() -> bool:
    """Whether this process runs no other Python thread: with --jobs 1 a
    caller may run threads of its own (check_paths), and a fork copies the
    locks they hold, so the encoder forks only when there are none."""
    import sys

    threading = sys.modules.get("threading")  # not imported: no thread was started through it
    return threading is None or threading.active_count() == 1


@contextlib.contextmanager
def _collector_paused():
    """Run without the cyclic garbage collector, restoring its state after.

    The analysis allocates millions of small objects (syntax trees, facts) and
    frees them by reference counting; it makes no cycles (index.py breaks its
    one). With the collector on, each pass walks everything kept so far: on
    the 400 generated dense files, one process, 1.04 s instead of 0.88 s."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def analyze_sources(sources: list[SourceFile], config: Config, errors: list[FileError] | None = None,
                    jobs: int = 1, cache: FactsCache | None = None, progress=None,
                    meanwhile=None, release_texts: bool = False) -> tuple[Project, list[FileError], int]:
    """`meanwhile(parsing)` is called once: `meanwhile(True)` while the first
    round parses (or is read from the cache), or `meanwhile(False)` at the
    end when no file needed analysis. `release_texts`: after each round, the
    list's parsed files without a `# noqa` are replaced by copies without
    their text, and once every file is parsed only the files that keep
    their text stay in it (the caller hands `sources` over, as for
    check_sources)."""
    parser = _Parser(jobs, cache, progress, meanwhile)
    encoded = []

    def encode() -> None:  # while the cross-file analysis runs here, on another core (facts_cache.py)
        if cache is not None and not encoded:
            encoded.append(True)
            # a pack written behind the result is encoded by a forked, lowest-priority process even on one core
            cache.encode_soon(fork=jobs > 1 or ((cache.behind or _spare_core()) and _one_thread()))
    try:
        result = _analyze(sources, config, errors, parser, encode, release_texts)
    finally:
        parser.close()
    encode()
    parser.run_meanwhile()
    return result


def _analyze(sources: list[SourceFile], config: Config, errors: list[FileError] | None, parser: _Parser,
             parsed_all=lambda: None, release_texts: bool = False) -> tuple[Project, list[FileError], int]:
    """`parsed_all()` is called once every file is parsed (or cannot be), if
    a round gets there: before that round's project is built, so the new
    cache entries are encoded meanwhile."""
    state = _State({s.abspath: s for s in sources}, {}, list(errors or ()))
    # a renamed module's neighbours still import it by its former name (checker._unique_modules)
    former = {s.module: name for s in sources for name, renamed in s.renamed_neighbours if renamed == s.module}
    by_module: dict[str, list[str]] = {}  # built when a second round needs it: 0.6 KiB a file
    is_seed = seed_test(config)
    pending = {s.abspath for s in sources if is_seed(s)}
    failed: set[str] = set()
    scans: dict[str, Scan] = {}  # per unparsed file, read once
    project = Project([])
    for _round in range(_MAX_ROUNDS):
        new = sorted(p for p in pending if p not in state.facts and p not in failed)
        if not new:
            break
        for abspath, (facts, error) in zip(new, parser.parse([state.sources[p] for p in new])):
            if error is not None:
                state.errors.append(error)
                failed.add(abspath)
            else:
                state.facts[abspath] = facts
                if facts.path == state.sources[abspath].path:  # one string for both (facts from a worker bring their own)
                    facts.path = state.sources[abspath].path
                if release_texts and not facts.noqa:  # parsed: its text is needed no more (BL011 reads a noqa file's)
                    state.sources[abspath] = replace(state.sources[abspath], text="")
        if release_texts:  # the caller's list holds the files too
            sources[:] = [state.sources[s.abspath] for s in sources]
        everything = len(state.facts) + len(failed) == len(state.sources)
        if everything:
            parsed_all()
            if release_texts:  # the last project is built next: read no more but for a noqa file's text (BL011)
                sources[:] = [s for s in sources if s.text]
                state.sources.clear()  # each file's abspath, module and object: 0.3 KiB of the project's peak
        project = _project(state, failed, config.client_factories, config.include_tests)
        if everything:
            break  # every file is parsed (or cannot be): nothing left to find
        relevance = relevance_of(project, former)
        pending = set()
        if relevance.names or relevance.scripts:
            mentions = Mentions(relevance.names, relevance.scripts)
            for path, source in state.sources.items():
                if path in state.facts or path in failed:
                    continue
                scan = scans.get(path)
                if scan is None:
                    scan = scans[path] = Scan(source)
                if mentions.in_file(scan):
                    pending.add(path)
        if not by_module:
            for s in sources:
                for name in module_spellings(s.module, s.path, former.get(s.module, "")):
                    by_module.setdefault(name, []).append(s.abspath)
        pending |= handoff_sources(project, relevance, by_module, set(state.facts) | failed)
    return project, state.errors, len(state.facts)


def _project(state: _State, failed: set[str], client_factories: tuple[str, ...], test_callers: bool = True) -> Project:
    """The cross-file project of the parsed files. Should building it fail (a
    bug of ours on some file's facts), each file is tried alone: the ones that
    fail alone are dropped, each with one BL003 line, and the rest stand."""
    try:
        return Project(list(state.facts.values()), client_factories, test_callers)
    except Exception as first:  # one file's facts must not cost the run: find it
        culprits = []
        for abspath, facts in state.facts.items():
            try:
                Project([facts], client_factories)
            except Exception as exc:  # noqa: BLE001 - this file's facts are the trouble
                culprits.append(abspath)
                state.errors.append(stage_failure(facts.path, "resolve its names across files", exc))
        if not culprits:
            raise first from None  # no one file to blame: a bug to report, not to hide
        for abspath in culprits:
            del state.facts[abspath]
            failed.add(abspath)
        return _project(state, failed, client_factories)


@_collector_paused()
def check_sources(sources: list[SourceFile], config: Config, errors: list[FileError] | None = None, apply_noqa: bool = True,
                  jobs: int = 1, cache: FactsCache | None = None, progress=None,
                  schedules=None, scripts: dict | None = None, release_texts: bool = False) -> CheckResult:
    """`schedules()` gives (ExternalSchedule list, notices) from the schedule
    files outside Python; its answer is used only when the project has a
    Claude call (eval harnesses carry thousands of YAML files to scan for
    CronJobs), and asked for only when some file needed analysis.
    `release_texts`: the caller hands `sources` over; the list's files are
    replaced by copies without their text: a parsed file's after its round
    (unless a `# noqa` needs it for BL011), and the list is emptied once the
    rounds are done (the result keeps their paths)."""
    later: list = []
    declared: list = []  # schedules() read while the first round parsed

    def load_later_stages(parsing: bool) -> None:
        # Run while the children parse the first round: the imports of the
        # stages after the parse and the price table (about 13 ms), and the
        # schedule files, 80-170 ms on the monorepo's 15,000 YAML files. A
        # parallel run would otherwise spend that with the other cores idle.
        for module in (".analysis.chains", ".analysis.contexts", ".suppression"):
            importlib.import_module(module, __package__)
        from .savings import prices_from, settings_from

        later.append((prices_from(config.pricing), settings_from(config.savings)))
        if parsing and schedules is not None:
            declared.append(schedules())  # a file imports the SDK: a Claude call is all but certain

    checked_paths = tuple(source.path for source in sources)  # a parsed file's facts share these strings
    project, all_errors, parsed = analyze_sources(sources, config, errors, jobs, cache, progress, load_later_stages,
                                                  release_texts)
    # After the parse only a file with a `# noqa` to judge (BL011) needs its text: every text
    # held to the end was 0.6 KiB a file of the peak (at the end of the findings).
    with_noqa = {facts.path for facts in project.files if facts.noqa}
    texts = {source.path: source.text for source in sources if source.path in with_noqa}
    if release_texts:
        sources.clear()
    from .analysis.chains import packed_findings_for, unclassified_calls
    from .analysis.contexts import Classifier
    from .suppression import is_suppressed, pragmas_without_reason, realtime_suppression, unused_noqa, used_noqa

    prices, settings = later[0]
    external, notices = [], []
    if project.sdk_calls and schedules is not None:
        external, notices = declared[0] if declared else schedules()
    classifier = Classifier(project, config.batch_contexts, config.interactive_contexts, tuple(external), scripts)
    # each stage below costs a failing file its own findings (one BL003 line), never the run
    packed = packed_findings_for(project, classifier, prices, settings, all_errors, test_callers=config.include_tests)
    findings = unclassified_calls(project, classifier, all_errors) if config.strict else []
    findings += pragmas_without_reason(project.files)
    parsed_paths = tuple(f.path for f in project.files)
    # What is left to do reads only the comments of the files that have some (noqa, pragmas): the
    # facts and the project are let go here, and the findings unpacked into the memory they held
    # (every file's facts, its share of the project and its finding were the peak, at 50,000 files).
    comments = [_comments_only(f) for f in project.files if f.noqa or f.pragmas]
    del project, classifier
    findings = packed.unpack() + findings
    facts_by_path = {f.path: f for f in comments}
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, str]] = []
    failed: set[str] = set()
    used: set[tuple[str, int, str]] = set()  # (path, line, code) of each line noqa code that hid a finding
    for finding in sorted(findings, key=Finding.sort_key):
        if not config.code_enabled(finding.code, finding.path) or finding.path in failed:
            continue
        try:
            reason = realtime_suppression(facts_by_path, finding)
            noqa = apply_noqa and not reason and finding.path in facts_by_path and is_suppressed(facts_by_path[finding.path], finding)
        except Exception as exc:  # noqa: BLE001 - one file's trouble costs its findings only
            failed.add(finding.path)
            all_errors.append(stage_failure(finding.path, "read its suppression comments", exc))
            continue
        if reason:
            suppressed.append((finding, f"realtime: {reason}"))
        elif noqa:
            suppressed.append((finding, "noqa"))
            used.add((finding.path, *(used_noqa(facts_by_path[finding.path], finding) or (0, ""))))
        else:
            kept.append(finding)
    if apply_noqa and config.code_enabled("BL011"):
        for facts in comments:
            if facts.path not in failed and facts.noqa:
                enabled = lambda code, path=facts.path: config.code_enabled(code, path)  # noqa: E731
                for finding in unused_noqa(facts, used, enabled, texts.get(facts.path, "")):
                    if not config.code_enabled(finding.code, finding.path):
                        continue
                    if is_suppressed(facts, finding):
                        suppressed.append((finding, "noqa"))
                    else:
                        kept.append(finding)
        kept.sort(key=Finding.sort_key)
    if failed:
        kept = [f for f in kept if f.path not in failed]
        suppressed = [(f, why) for f, why in suppressed if f.path not in failed]
    shown_errors = [e for e in all_errors if config.code_enabled(e.code, e.path)]
    errors_out = tuple(sorted(set(shown_errors), key=lambda e: (e.path, e.code)))
    return CheckResult(tuple(kept), errors_out, len(checked_paths), parsed, len(suppressed), tuple(suppressed),
                       tuple(notices), checked_paths, parsed_paths)


def _comments_only(facts: FileFacts) -> FileFacts:
    """A file's facts with only what suppression reads (suppression.py): its path, noqa comments and pragmas."""
    return FileFacts(facts.path, facts.module, (), (), (), (), (), noqa=facts.noqa, pragmas=facts.pragmas)

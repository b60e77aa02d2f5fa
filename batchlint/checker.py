"""The `check` pipeline: discover -> prefilter -> parse/index -> project -> findings.

Files enter the parse in rounds. Round one: files that mention `anthropic` (or
a configured client factory). Each later round adds the files that mention a
name found to reach a Claude call (a helper, a client variable, a factory) or
that a relevant file imports, until nothing new turns up. Everything else is
read as text once and never parsed.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import re
import signal
import threading
import warnings
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace

import libcst as cst

from .analysis.chains import findings_for, unclassified_calls
from .analysis.contexts import Classifier
from .analysis.facts import FileFacts
from .analysis.index import index_module
from .analysis.project import Project
from .cache import FactsCache, file_key
from .config import Config
from .external import console_scripts, find_schedules
from .discovery import SourceFile, discover, path_module_names, read_source, seed_pattern
from .model import CheckResult, FileError, Finding, Location
from .savings import prices_from, settings_from
from .suppression import is_suppressed, realtime_pragmas_without_reason, realtime_reason

_MAX_ROUNDS = 8


@dataclass
class _State:
    sources: dict[str, SourceFile]  # abspath -> source
    facts: dict[str, FileFacts]  # abspath -> facts of parsed files
    errors: list[FileError]


# CPython's parser (in C) rejects pathological nesting cleanly, where LibCST's
# native parser can overflow its stack and kill the process: ask it first.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex", "too many statically nested blocks")
FILE_TIME_LIMIT = 20.0  # seconds of analysis per file before it is skipped (BL003)


class _FileTimeout(Exception):
    pass


def _guard(source: SourceFile) -> tuple[FileError | None, str, ast.Module | None]:
    """(error that must stop the parse, CPython's syntax message if any, the ast
    tree — reused for positions when the file is valid for this interpreter)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings about analyzed code are not ours to print
            return None, "", ast.parse(source.text)
    except (RecursionError, MemoryError):
        return FileError(source.path, "too deeply nested to parse", "BL003"), "", None
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if any(marker in message for marker in _TOO_DEEP):
            return FileError(source.path, f"too deeply nested to parse: {message}", "BL003"), "", None
        return None, f"syntax error at line {exc.lineno}, column {exc.offset or 1}: {message}", None
    except ValueError as exc:  # e.g. source with a NUL byte
        return FileError(source.path, f"cannot parse: {exc}"), "", None


@contextmanager
def _time_limit(seconds: float):
    """SIGALRM-based limit for the Python-level work on one file (main thread only)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def _expire(_signum, _frame):
        raise _FileTimeout

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_file(source: SourceFile, time_limit: float = FILE_TIME_LIMIT) -> tuple[FileFacts | None, FileError | None]:
    error, cpython_message, tree = _guard(source)
    if error is not None:
        return None, error
    try:
        # warnings about the analyzed code (escape sequences, `None()`) are not ours to print
        with _time_limit(time_limit), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                module = cst.parse_module(source.text)
            except cst.ParserSyntaxError as exc:
                message = cpython_message or f"syntax error at line {exc.raw_line}, column {exc.raw_column + 1}: {exc.message}"
                return None, FileError(source.path, message)
            return index_module(module, source.path, source.module, source.is_package, tree, source.text), None
    except _FileTimeout:
        return None, FileError(source.path, f"skipped: analysis took longer than {time_limit:g} s", "BL003")
    except RecursionError:
        return None, FileError(source.path, "too deeply nested to analyze", "BL003")
    except Exception as exc:  # noqa: BLE001 - one file's failure must not end the run
        return None, FileError(source.path, f"internal error, file skipped: {type(exc).__name__}: {exc}", "BL003")


def _relevant_names(project: Project) -> tuple[dict[str, set[str]], set[str]]:
    """Names whose mention makes an unparsed file worth parsing — each with the
    words of its defining module, one of which the file must mention too (a
    caller in another file imports it) — and the modules holding Claude-reaching code."""
    reaching: set[str] = set()
    todo = [site.scope for site, _facts, _sdk in project.sdk_calls]
    while todo:
        scope = todo.pop()
        if scope in reaching:
            continue
        reaching.add(scope)
        for edge in project.callers.get(scope, ()):
            todo.append(edge.site.scope)
        for edge in project.references.get(scope, ()):
            todo.append(edge.site.scope)
    names: dict[str, set[str]] = {}
    modules: set[str] = set()

    def add(name: str, facts: FileFacts | None) -> None:
        if facts is None or len(name) <= 2 or name.startswith("__"):
            return
        words = names.setdefault(name, set())
        words.update(p for p in facts.module.split(".") if p)
        for spelling in path_module_names(facts.path):
            words.update(spelling.split("."))

    for qual in reaching:
        fn = project.function(qual)
        if fn is None:
            modules.add(qual)
            continue
        facts = project.file_of_function(qual)
        add(fn.name, facts)
        if fn.class_qual:
            # callers may hold the object by a base type (`sampler: SamplerBase`)
            # ...or by a subclass that inherits the method (`ClaudeProvider(BaseProvider)`)
            related = [fn.class_qual, *project.class_ancestry(fn.class_qual), *project.all_subclasses(fn.class_qual)]
            for cls in related:
                entry = project.classes.get(cls)
                add(cls.rpartition(".")[2], entry[1] if entry else facts)
        if facts is not None:
            modules.add(facts.module)
    for qual, symbolic in project.variables.items():
        value = project.value(symbolic)
        if value is not None and value.kind in ("client", "sdk"):
            add(qual.rpartition(".")[2], project.modules.get(qual.rpartition(".")[0]))
    for qual, (fn, facts) in project.functions.items():  # client factories
        value = project.value(qual + "()") if fn.returns else None
        if value is not None and value.kind in ("client", "sdk"):
            add(fn.name, facts)
    return names, modules


# Schedule tables name their tasks by string ("digest.nightly"), not by import.
_SCHEDULE_TABLES = re.compile(r"beat_schedule|BEAT_SCHEDULE|CRONJOBS")


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _mentions(words: frozenset[str], text: str, names: dict[str, set[str]]) -> bool:
    """The file names a reaching function and one word of its module's name
    (how another file imports it), or names it in a schedule table."""
    found = [name for name in names if name in words]
    if not found:
        return False
    if _SCHEDULE_TABLES.search(text):
        return True
    return any(not words.isdisjoint(names[name]) for name in found)


def _import_names(source: SourceFile) -> set[str]:
    return {source.module, *path_module_names(source.path)}


def _imported_sources(facts: Iterable[FileFacts], by_module: dict[str, list[str]]) -> set[str]:
    out: set[str] = set()
    for f in facts:
        for _local, target in f.imports:
            parts = target.split(".")
            for i in range(len(parts), 0, -1):
                hits = by_module.get(".".join(parts[:i]))
                if hits:
                    out.update(hits)
                    break
    return out


class _Parser:
    """Parses rounds of files: from the cache, in this process, or in a pool."""

    def __init__(self, jobs: int, cache: FactsCache | None, progress=None) -> None:
        self.jobs = max(1, jobs)
        self.cache = cache
        self.progress = progress  # called with (files parsed so far, files known to parse) after each file
        self.done = 0
        self.total = 0
        self._pool: ProcessPoolExecutor | None = None

    def parse(self, sources: list[SourceFile]) -> list[tuple[FileFacts | None, FileError | None]]:
        results: list = [None] * len(sources)
        self.total += len(sources)
        todo: list[int] = []
        keys: list[str] = []
        for index, source in enumerate(sources):
            key = file_key(source.path, source.module, source.is_package, source.text) if self.cache else ""
            keys.append(key)
            cached = self.cache.get(key) if self.cache else None
            if cached is not None:
                results[index] = (cached, None)
            else:
                todo.append(index)
        if self.jobs > 1 and len(todo) >= 2 * self.jobs:
            if self._pool is None:
                self._pool = _new_pool(self.jobs)
            chunk = max(1, len(todo) // (self.jobs * 4))
            parsed = self._pool.map(parse_file, [sources[i] for i in todo], chunksize=chunk)
        else:
            parsed = (parse_file(sources[i]) for i in todo)
        self.done += len(sources) - len(todo)  # cache hits
        for index, outcome in zip(todo, parsed):
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)
            results[index] = outcome
            if self.cache and outcome[0] is not None:
                self.cache.put(keys[index], outcome[0])
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        if self.cache is not None:
            self.cache.save()


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    try:
        context = multiprocessing.get_context("fork")  # workers start with batchlint already imported
    except ValueError:
        context = multiprocessing.get_context()
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


def default_jobs() -> int:
    return os.cpu_count() or 1


def analyze_sources(sources: list[SourceFile], config: Config, errors: list[FileError] | None = None,
                    jobs: int = 1, cache: FactsCache | None = None, progress=None) -> tuple[Project, list[FileError], int]:
    parser = _Parser(jobs, cache, progress)
    try:
        return _analyze(sources, config, errors, parser)
    finally:
        parser.close()


def _analyze(sources: list[SourceFile], config: Config, errors: list[FileError] | None, parser: _Parser) -> tuple[Project, list[FileError], int]:
    state = _State({s.abspath: s for s in sources}, {}, list(errors or ()))
    by_module: dict[str, list[str]] = {}
    for s in sources:
        for name in _import_names(s):
            by_module.setdefault(name, []).append(s.abspath)
    seed = seed_pattern(config)
    pending = {s.abspath for s in sources if seed.search(s.text)}
    failed: set[str] = set()
    identifiers: dict[str, frozenset[str]] = {}  # per unparsed file, computed once
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
        project = Project(list(state.facts.values()), config.client_factories)
        names, modules = _relevant_names(project)
        pending = set()
        if names:
            for path, source in state.sources.items():
                if path in state.facts or path in failed:
                    continue
                words = identifiers.get(path)
                if words is None:
                    words = identifiers[path] = frozenset(_IDENTIFIER.findall(source.text))
                if _mentions(words, source.text, names):
                    pending.add(path)
        relevant = [f for f in state.facts.values() if f.module in modules]
        pending |= _imported_sources(relevant, by_module)
    return project, state.errors, len(state.facts)


def check_sources(sources: list[SourceFile], config: Config, errors: list[FileError] | None = None, apply_noqa: bool = True,
                  jobs: int = 1, cache: FactsCache | None = None, progress=None, external: tuple = (),
                  scripts: dict | None = None, notices: tuple = ()) -> CheckResult:
    project, all_errors, parsed = analyze_sources(sources, config, errors, jobs, cache, progress)
    classifier = Classifier(project, config.batch_contexts, config.interactive_contexts, external, scripts)
    findings = findings_for(project, classifier, prices_from(config.pricing), settings_from(config.savings))
    if config.strict:
        findings += unclassified_calls(project, classifier)
    facts_by_path = {f.path: f for f in project.files}
    findings += _pragmas_without_reason(project.files)
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, str]] = []
    for finding in sorted(findings, key=Finding.sort_key):
        if not config.code_enabled(finding.code, finding.path):
            continue
        reason = _realtime(facts_by_path, finding)
        if reason:
            suppressed.append((finding, f"realtime: {reason}"))
            continue
        facts = facts_by_path.get(finding.path)
        if apply_noqa and facts is not None and is_suppressed(facts, finding):
            suppressed.append((finding, "noqa"))
            continue
        kept.append(finding)
    shown_errors = [e for e in all_errors if config.code_enabled(e.code, e.path)]
    errors_out = tuple(sorted(set(shown_errors), key=lambda e: (e.path, e.code)))
    return CheckResult(tuple(kept), errors_out, len(sources), parsed, len(suppressed), tuple(suppressed), tuple(notices))


def _realtime(facts_by_path: dict[str, FileFacts], finding: Finding) -> str:
    """The reason of a `# batchlint: realtime -- <reason>` on the reported line or the SDK call."""
    if finding.code == "BL010":
        return ""
    for path, line in ((finding.path, finding.line), (finding.call.path, finding.call.line)):
        facts = facts_by_path.get(path)
        reason = realtime_reason(facts, line) if facts is not None else None
        if reason:
            return reason
    return ""


def _pragmas_without_reason(files: list[FileFacts]) -> list[Finding]:
    out = []
    for facts in files:
        for line, text in realtime_pragmas_without_reason(facts):
            where = Location(facts.path, line, 1)
            out.append(Finding(
                code="BL010",
                message="`# batchlint: realtime` needs a reason saying who waits: `# batchlint: realtime -- <reason>`",
                location=where, context=None, evidence=(), call=where, sdk_call="", client="",
            ))
    return out


def check_paths(paths: list[str], config: Config | None = None, jobs: int = 1, cache_dir: str | None = None,
                progress=None) -> CheckResult:
    """Check files and directories; the public entry point.

    `jobs` > 1 parses in that many processes (same results as 1); `cache_dir`
    keeps per-file results between runs (see cache.py)."""
    config = config or Config(root=os.getcwd())
    files, errors = discover(paths, config)
    sources: list[SourceFile] = []
    for path in files:
        source, error = read_source(path)
        if error is not None:
            errors.append(error)
        elif source is not None:
            sources.append(source)
    sources = _unique_modules(sources)
    cache = FactsCache(cache_dir) if cache_dir else None
    external, notices = find_schedules(paths, config)
    return check_sources(sources, config, errors, jobs=jobs, cache=cache, progress=progress,
                         external=tuple(external), scripts=console_scripts(paths), notices=tuple(notices))


def check_source(text: str, path: str = "<string>", config: Config | None = None, module: str | None = None,
                 apply_noqa: bool = True) -> CheckResult:
    """Check one file's text on its own (the flake8 plugin's single-file view)."""
    config = config or Config(root=os.getcwd())
    name = module or os.path.splitext(os.path.basename(path))[0] or "module"
    source = SourceFile(path, os.path.abspath(path), name, False, text)
    return check_sources([source], config, apply_noqa=apply_noqa)


def _unique_modules(sources: list[SourceFile]) -> list[SourceFile]:
    """Scripts in different folders often share a module name (`main`, `utils`).
    Give every file after the first a name built from its path, so two files
    never merge into one module."""
    seen: dict[str, int] = {}
    out = []
    for s in sources:
        count = seen.get(s.module, 0)
        seen[s.module] = count + 1
        if count:
            rel = os.path.relpath(s.abspath).replace(os.sep, "/")
            stem = rel[:-3] if rel.endswith(".py") else rel
            unique = ".".join(p.replace("-", "_") for p in stem.split("/") if p not in ("..", "."))
            s = replace(s, module=unique)
        out.append(s)
    return out

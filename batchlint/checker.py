"""The `check` entry points: discover -> (run cache) -> analyze -> result.

`check_paths` finds the files, answers from the run-level cache when nothing
changed, and otherwise reads the sources and hands them to analyze.py, which
is imported only then: a warm run loads discovery and the cache, not the
analysis.
"""

from __future__ import annotations

import functools
import os
from dataclasses import replace

from .cache import RunCache, ScheduleCache, facts_folder, runs_folder, schedules_folder, unsafe_link
from .config import Config, ConfigError
from .discovery import SourceFile, discover, display_path, module_part, read_source
from .external import console_scripts, read_schedules, schedule_file_kind, schedules_readable
from .facts_cache import FactsCache
from .model import CheckResult, FileError, Finding
from .project_root import (Scope, configured_root_problem, imported_packages, is_test_module, is_test_path,
                           partition, provided_packages, scope_for)


def default_jobs() -> int:
    return os.cpu_count() or 1


def check_paths(paths: list[str], config: Config | None = None, jobs: int = 1, cache_dir: str | None = None,
                progress=None, project_root: str = "", whole: bool = False, write_behind: bool = False) -> CheckResult:
    """Check files and directories; the public entry point.

    The project around the paths is analyzed and the findings in the paths
    reported (project_root.py); `project_root` (else `config.project_root`)
    names the project instead of the markers. `jobs` > 1 parses in that many
    processes (same results as 1): this one and children forked from it, so
    a caller running threads of its own should pass 1 (a fork copies locks
    those threads may hold). `cache_dir` keeps results between runs (see
    cache.py). `whole`: the project's result, not only the paths' (the
    flake8 plugin asks once and views it file by file). `write_behind`: the
    run-level cache entry, and a facts pack still being encoded, are written
    by forked processes while the caller shows the result (the CLI exits
    without waiting for them; cache.wait_for_writes() waits, and so does the
    next lookup in this process)."""
    config = config or Config(root=os.getcwd())
    if not project_root and config.project_root and config.source:  # a Config made in code is its caller's choice
        problem = configured_root_problem(config.project_root, config.source)
        if problem:
            from .config import ConfigError

            raise ConfigError(f"{config.source}: [tool.batchlint] `project-root` {problem}")
    scope = scope_for(paths, project_root or config.project_root)
    viewed = not (whole or scope.everything)
    result = _check_project(scope, config, jobs, cache_dir, progress, scope.reporter() if viewed else None,
                            write_behind)
    return _view(result, scope) if viewed else result


def _view(result: CheckResult, scope: Scope) -> CheckResult:
    """The project's result seen from the given paths: their findings, errors
    and file counts."""
    reports = scope.reporter()
    return replace(
        result,
        findings=tuple(f for f in result.findings if reports(f.path)),
        errors=tuple(e for e in result.errors if reports(e.path)),
        files_checked=sum(1 for path in result.checked_paths if reports(path)),
        files_parsed=sum(1 for path in result.parsed_paths if reports(path)),
        suppressed_findings=tuple((f, why) for f, why in result.suppressed_findings if reports(f.path)),
        suppressed=sum(1 for f, _ in result.suppressed_findings if reports(f.path)),
        checked_paths=(), parsed_paths=(),
    )


def _check_project(scope: Scope, config: Config, jobs: int, cache_dir: str | None, progress,
                   reports=None, write_behind: bool = False) -> CheckResult:
    """The whole result of the project(s) `scope` names: discover, answer from
    the run cache if nothing changed, else analyze each project apart.
    `reports`: the view the caller takes of it, if any (a cached result is
    decoded for that view only)."""
    files, errors, schedule_files = discover(list(scope.walk), config, also=schedule_file_kind)
    groups = list(partition(files, scope).items())
    schedule_groups = partition([path for path, _ in schedule_files], scope)
    kinds = dict(schedule_files)
    runs = run_key = None
    notices: list[str] = []
    scripts = [_scripts(folder, scope, notices) for folder, _ in groups]
    if not files:  # nothing to remember: no cache folder is made in a tree with no Python in it
        cache_dir = None
        if not errors:
            notices.append("batchlint: warning: no Python files found")
    if cache_dir and _linked(cache_dir, (runs_folder(cache_dir), schedules_folder(cache_dir)), notices):
        cache_dir = None
    if cache_dir:
        runs = RunCache(cache_dir)
        schedule_stamp = _stamp(schedule_files) + f"\0{schedules_readable()}"
        run_key = _run_key(scope, config, files, errors, schedule_stamp, scripts)
        cached = runs.get(run_key, reports)
        if cached is not None:
            return _with_notices(cached, notices)  # nothing it depends on changed
    if cache_dir and _linked(cache_dir, (facts_folder(cache_dir),), notices):
        cache_dir, runs = None, None  # no part of this cache is used
    cache = FactsCache(cache_dir, max(1, len(groups)), behind=write_behind) if cache_dir else None
    from . import analyze  # the analysis loads only when the cache cannot answer

    results = []
    provided = {folder: provided_packages(folder) for folder, _ in groups}
    for index, (folder, group) in enumerate(groups or [("", [])]):
        sources: list[SourceFile] = []
        for path in group:
            source, error = read_source(path)
            if error is not None:
                errors.append(error)
            elif source is not None:
                sources.append(source)
        # a nested project this one imports (a workspace member, `packages/core/src/core`) is read
        # with it, so calls into it resolve; its own findings come from its own analysis
        wanted = imported_packages(sources) - provided.get(folder, set())
        borrowed = [source for other, files in groups if other and other != folder and provided[other] & wanted
                    for source in (read_source(path)[0] for path in files) if source is not None]
        sources = _unique_modules(sources + borrowed)
        declared = [(path, kinds[path]) for path in schedule_groups.get(folder, ())]
        # read while the first round parses, only when some file needs analysis (analyze.check_sources)
        schedules = functools.partial(read_schedules, declared)
        if cache_dir and len(groups) == 1:  # one entry is kept: with several projects it would churn
            schedules = ScheduleCache(cache_dir).reader(_stamp(declared) + f"\0{schedules_readable()}", schedules)
        result = analyze.check_sources(sources, config, errors if index == 0 else None, jobs=jobs, cache=cache,
                                       progress=progress, schedules=schedules if declared else None,
                                       scripts=scripts[index] if groups else console_scripts(list(scope.walk)),
                                       release_texts=True)
        if borrowed:
            result = _only_in(result, {source.path for source in borrowed})
        results.append(result if config.include_tests else _without_tests(result, folder))
    if cache is not None:
        cache.save()
    result = _merged(results)
    if runs is not None:
        runs.put(run_key, result, background=write_behind)
    return _with_notices(result, notices)


def _scripts(folder: str, scope: Scope, notices: list[str]) -> dict[str, str]:
    """The [project.scripts] of one project. A malformed table in a project
    that holds none of the given paths (a neighbour analyzed only because the
    working directory is the project) is a warning, not the end of the run."""
    try:
        return console_scripts(list(scope.walk) if not folder else [folder])
    except ConfigError as exc:
        if not folder or any(_related(given, folder) for given in scope.given):
            raise
        notices.append(f"batchlint: warning: {exc}; its scripts are not read")
        return {}


def _related(path: str, folder: str) -> bool:
    """`path` is `folder`, inside it, or holds it."""
    return os.path.commonpath([path, folder]) in (path, folder)


def _only_in(result: CheckResult, borrowed: set[str]) -> CheckResult:
    """The result without what lies in another project's files (read only for their names)."""
    return replace(result, findings=tuple(f for f in result.findings if f.path not in borrowed),
                   errors=tuple(e for e in result.errors if e.path not in borrowed),
                   suppressed_findings=tuple((f, why) for f, why in result.suppressed_findings if f.path not in borrowed),
                   checked_paths=tuple(p for p in result.checked_paths if p not in borrowed),
                   parsed_paths=tuple(p for p in result.parsed_paths if p not in borrowed))


def _without_tests(result: CheckResult, folder: str) -> CheckResult:
    """Findings in the project's test code (project_root.is_test_path) move
    to the suppressed ones, with the reason; `include-tests = true` keeps them."""
    test_paths = {path for path in {f.path for f in result.findings} if is_test_path(path, folder)}
    if not test_paths:
        return result
    # a script under tests/ that runs as a program (module-level code, BL105) is not test code
    tests = [f for f in result.findings if f.path in test_paths
             and (f.code != "BL105" or is_test_module(os.path.basename(f.path)))]
    if not tests:
        return result
    hidden = {id(f) for f in tests}
    return replace(result, findings=tuple(f for f in result.findings if id(f) not in hidden),
                   suppressed=result.suppressed + len(tests),
                   suppressed_findings=(*result.suppressed_findings, *((f, "test code (include-tests = true to report it)")
                                                                       for f in tests)))


def _with_notices(result: CheckResult, notices: list[str]) -> CheckResult:
    return replace(result, notices=(*notices, *result.notices)) if notices else result


def _merged(results: list[CheckResult]) -> CheckResult:
    """One result from the results of the projects analyzed apart."""
    if len(results) == 1:
        return results[0]
    return CheckResult(
        findings=tuple(sorted((f for r in results for f in r.findings), key=Finding.sort_key)),
        errors=tuple(sorted({e for r in results for e in r.errors}, key=lambda e: (e.path, e.code))),
        files_checked=sum(r.files_checked for r in results),
        files_parsed=sum(r.files_parsed for r in results),
        suppressed=sum(r.suppressed for r in results),
        suppressed_findings=tuple(pair for r in results for pair in r.suppressed_findings),
        notices=tuple(dict.fromkeys(n for r in results for n in r.notices)),
        checked_paths=tuple(p for r in results for p in r.checked_paths),
        parsed_paths=tuple(p for r in results for p in r.parsed_paths),
    )


def _linked(cache_dir: str, folders: tuple[str, ...], notices: list[str]) -> bool:
    """Whether the cache holds a symbolic link (cache.unsafe_link); if so, one
    notice naming it: the run goes on without the cache."""
    link = unsafe_link(cache_dir, folders)
    if link:
        from .output.escape import clean  # the link's name is the committer's choice

        notices.append(f"batchlint: note: cache {clean(display_path(cache_dir))} not used: {clean(display_path(link))} "
                       "is a symbolic link: a cache folder may hold only batchlint's own files")
    return bool(link)


def _run_key(scope: Scope, config: Config, files: list[str], errors: list[FileError], schedule_stamp: str,
             scripts: list[dict]) -> str:
    """Everything a run's result depends on. Files count by path, size,
    modification time and mode, as ruff's cache counts them: a re-run stats
    the tree instead of reading it. (The per-file facts below it are keyed by
    content.)"""
    # the projects, not the given paths: every file of a project shares its entry
    parts = [os.getcwd(), repr((scope.roots, scope.split)), repr(config), repr(errors),
             repr([sorted(s.items()) for s in scripts]),
             _stamp([(f, "py") for f in files]), schedule_stamp]
    return RunCache.key(parts)


def _stamp(files: list[tuple[str, str]]) -> str:
    """The files' paths, kinds, sizes, modification times and modes, in one string."""
    parts = []
    for path, kind in files:
        try:
            st = os.stat(path)
            parts.append(f"{path}\0{kind}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_mode}")
        except OSError:
            parts.append(f"{path}\0{kind}\0missing")
    return "\n".join(parts)


def check_source(text: str, path: str = "<string>", config: Config | None = None, module: str | None = None,
                 apply_noqa: bool = True) -> CheckResult:
    """Check one file's text on its own (the flake8 plugin's single-file view)."""
    config = config or Config(root=os.getcwd())
    name = module or module_part(os.path.splitext(os.path.basename(path))[0]) or "module"
    source = SourceFile(path, os.path.abspath(path), name, False, text)
    from . import analyze

    return analyze.check_sources([source], config, apply_noqa=apply_noqa)


def _unique_modules(sources: list[SourceFile]) -> list[SourceFile]:
    """Scripts in different folders often share a module name (`main`, `utils`).
    Give every file after the first a name built from its path, so two files
    never merge into one module. A folder that holds a renamed file ends up
    with two spellings for its files (`common`, `tools.common`): tell each of
    its files both, so `import common` and `from . import common` name that
    folder's common.py, as they do when Python runs the script."""
    seen: set[str] = set()
    out = []
    folders: set[str] = set()  # holding a renamed file
    for s in sources:
        if s.module in seen:
            folders.add(os.path.dirname(s.abspath))
            s = replace(s, module=_module_from_path(s))
        seen.add(s.module)
        out.append(s)
    if not folders:
        return out
    spellings: dict[str, list[tuple[str, str]]] = {folder: [] for folder in folders}  # (spelling, module)
    for original, s in zip(sources, out):
        folder = os.path.dirname(s.abspath)
        if folder in spellings:
            other = original.module if s.module != original.module else _module_from_path(s)
            if other != s.module:
                spellings[folder].append((other, s.module))
    return [replace(s, renamed_neighbours=tuple(spellings[os.path.dirname(s.abspath)]))
            if os.path.dirname(s.abspath) in spellings else s for s in out]


def _module_from_path(source: SourceFile) -> str:
    """A module name built from the file's path: `tools/common.py` -> `tools.common`."""
    rel = os.path.relpath(source.abspath).replace(os.sep, "/")
    stem = rel[:-3] if rel.endswith(".py") else rel
    return ".".join(module_part(p.replace("-", "_")) for p in stem.split("/") if p not in ("..", "."))

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

from .cache import FactsCache, RunCache, ScheduleCache, facts_folder, runs_folder, schedules_folder, unsafe_link
from .config import Config
from .discovery import SourceFile, discover, display_path, module_part, read_source
from .external import console_scripts, read_schedules, schedule_file_kind, schedules_readable
from .model import CheckResult, FileError


def default_jobs() -> int:
    return os.cpu_count() or 1


def check_paths(paths: list[str], config: Config | None = None, jobs: int = 1, cache_dir: str | None = None,
                progress=None) -> CheckResult:
    """Check files and directories; the public entry point.

    `jobs` > 1 parses in that many processes (same results as 1): this one
    and children forked from it, so a caller running threads of its own
    should pass 1 (a fork copies locks those threads may hold). `cache_dir`
    keeps results between runs (see cache.py)."""
    config = config or Config(root=os.getcwd())
    files, errors, schedule_files = discover(paths, config, also=schedule_file_kind)
    scripts = console_scripts(paths)
    runs = run_key = None
    # read while the first round parses, only when some file needs analysis (analyze.check_sources)
    schedules = read = functools.partial(read_schedules, schedule_files)
    notices: list[str] = []
    if not files:  # nothing to remember: no cache folder is made in a tree with no Python in it
        cache_dir = None
        if not errors:
            notices.append("batchlint: warning: no Python files found")
    if cache_dir and _linked(cache_dir, (runs_folder(cache_dir), schedules_folder(cache_dir)), notices):
        cache_dir = None
    if cache_dir:
        runs = RunCache(cache_dir)
        schedule_stamp = _stamp(schedule_files) + f"\0{schedules_readable()}"
        run_key = _run_key(paths, config, files, errors, schedule_stamp, scripts)
        cached = runs.get(run_key)
        if cached is not None:
            return cached  # nothing it depends on changed
        schedules = ScheduleCache(cache_dir).reader(schedule_stamp, schedules)
    sources: list[SourceFile] = []
    for path in files:
        source, error = read_source(path)
        if error is not None:
            errors.append(error)
        elif source is not None:
            sources.append(source)
    sources = _unique_modules(sources)
    if cache_dir and _linked(cache_dir, (facts_folder(cache_dir),), notices):
        cache_dir, runs, schedules = None, None, read  # no part of this cache is used
    cache = FactsCache(cache_dir) if cache_dir else None
    from . import analyze  # the analysis loads only when the cache cannot answer

    result = analyze.check_sources(sources, config, errors, jobs=jobs, cache=cache, progress=progress,
                                   schedules=schedules if schedule_files else None, scripts=scripts)
    if runs is not None:
        runs.put(run_key, result)
    if notices:
        result = replace(result, notices=(*notices, *result.notices))
    return result


def _linked(cache_dir: str, folders: tuple[str, ...], notices: list[str]) -> bool:
    """Whether the cache holds a symbolic link (cache.unsafe_link); if so, one
    notice naming it: the run goes on without the cache."""
    link = unsafe_link(cache_dir, folders)
    if link:
        from .output.escape import clean  # the link's name is the committer's choice

        notices.append(f"batchlint: note: cache {clean(display_path(cache_dir))} not used: {clean(display_path(link))} "
                       "is a symbolic link: a cache folder may hold only batchlint's own files")
    return bool(link)


def _run_key(paths, config: Config, files: list[str], errors: list[FileError], schedule_stamp: str,
             scripts: dict) -> str:
    """Everything a run's result depends on. Files count by path, size,
    modification time and mode, as ruff's cache counts them: a re-run stats
    the tree instead of reading it. (The per-file facts below it are keyed by
    content.)"""
    parts = [os.getcwd(), repr(list(paths)), repr(config), repr(errors), repr(sorted(scripts.items())),
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

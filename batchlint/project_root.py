"""Which project a run analyzes, and which of its findings it reports.

The paths a user gives choose what is *reported*, not what is analyzed: a
wrapper's loop may sit in another file of the same project, so checking one
file alone would miss it (and an editor, lint-staged or flake8 passes single
files). The project is the nearest folder at or above the given paths that
holds a root marker (pyproject.toml, setup.cfg, setup.py, .git), unless
`--project-root` or the `project-root` key names it. With no marker found,
the given paths are the project, as before.

A folder below the project that holds a marker of its own is another
project (a monorepo's packages, vendored repositories): its files are
analyzed apart, so a repository's findings are the same checked alone or
inside a tree of unrelated ones. An explicit root makes the whole tree one
project (for a monorepo whose packages call each other).

Only the names of the markers are looked at (lstat), never their content,
and nothing above the root is read: the root is the analyzed tree.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def has_marker(directory: str) -> bool:
    return any(os.path.lexists(os.path.join(directory, name)) for name in MARKERS)


def _not_projects() -> frozenset[str]:
    """Folders that are never a project, whatever they hold: the filesystem's
    top, the home folder and the temporary folders. A stray `git init` or
    pyproject.toml there (seen: /tmp/.git) would make every file under it
    one project to read."""
    folders = {os.path.abspath(os.sep), os.path.expanduser("~"), "/tmp", "/var/tmp"}
    folders.update(os.environ[name] for name in ("TMPDIR", "TEMP", "TMP") if os.environ.get(name))
    return frozenset(os.path.abspath(f).rstrip(os.sep) or os.sep for f in folders)


def find_root(path: str) -> str | None:
    """The nearest folder at or above `path` (a file's own folder) that holds a
    root marker, as an absolute path; None when there is none below the
    folders that are never a project (_not_projects)."""
    current = os.path.abspath(path)
    if not os.path.isdir(current):
        current = os.path.dirname(current)
    stops = _not_projects()
    while current not in stops:
        if has_marker(current):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return None


@dataclass(frozen=True)
class Scope:
    walk: tuple[str, ...]  # what discovery walks: the project roots, then the given paths (an excluded one named)
    given: tuple[str, ...]  # absolute given paths: what is reported
    roots: tuple[str, ...]  # absolute project roots; () when the given paths are the project
    split: bool  # nested projects are analyzed apart (no explicit root)

    def reports(self, path: str) -> bool:
        """Whether a finding or error at `path` (as shown) lies in the given paths."""
        return self.reporter()(path)

    def reporter(self):
        """`reports` for many paths: the working directory read once, not per
        path (a one-file view of a 8,000-file project asks 16,000 times)."""
        cwd = os.getcwd()
        given = frozenset(self.given)
        prefixes = tuple(g.rstrip(os.sep) + os.sep for g in self.given)
        inside = cwd.rstrip(os.sep) + os.sep

        def reports(path: str) -> bool:
            if os.sep == "/" and "/." not in path and "//" not in path and not path.startswith("."):
                absolute = path if path.startswith("/") else inside + path  # normal already: as shown
            else:
                absolute = os.path.normpath(os.path.join(cwd, path))  # an absolute `path` stays itself
            return absolute in given or absolute.startswith(prefixes)
        return reports

    @property
    def everything(self) -> bool:
        """The given paths cover the whole analyzed tree: no filtering needed."""
        return not self.roots or all(self.reports(root) for root in self.roots)


def scope_for(paths: list[str], explicit_root: str = "") -> Scope:
    """The project(s) around `paths`. `explicit_root` (from --project-root or
    the config) wins over the markers."""
    given = tuple(dict.fromkeys(os.path.abspath(p) for p in paths))
    if explicit_root:
        roots: tuple[str, ...] = (os.path.abspath(explicit_root),)
        if not all(_inside(g, roots[0]) for g in given):  # a path outside it is its own project
            roots = _outermost((*roots, *(find_root(g) or g for g in given if not _inside(g, roots[0]))))
    else:
        # no marker above a path: the working directory is its project, when the
        # path is inside it (as ruff takes the working directory); else the paths alone
        found = [find_root(g) or _working_root(g) for g in given]
        if any(r is None for r in found):
            roots = ()
        else:
            roots = _outermost(found)
    walk = tuple(dict.fromkeys((*(_shown(r) for r in roots), *paths)))
    return Scope(walk, given, roots, split=not explicit_root)


def _working_root(path: str) -> str | None:
    here = os.getcwd()
    return here if _inside(path, here) and here not in _not_projects() else None


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def _outermost(folders) -> tuple[str, ...]:
    """The folders that are not inside another of them, in order."""
    unique = list(dict.fromkeys(folders))
    return tuple(f for f in unique if not any(o != f and _inside(f, o) for o in unique))


def _shown(path: str) -> str:
    """`path` relative to the working directory when inside it (as discovery shows files)."""
    rel = os.path.relpath(path)
    return path if rel == ".." or rel.startswith(".." + os.sep) else rel


def partition(files: list[str], scope: Scope) -> dict[str, list[str]]:
    """The discovered files grouped by project folder: each file goes with the
    nearest folder holding a marker, at or below the top it was found under;
    files under no marker (no root found) share the folder "". Discovery's
    order is kept. One group when nested projects are not split."""
    if not scope.split:
        return {scope.roots[0] if scope.roots else "": list(files)} if files else {}
    tops = scope.roots or scope.given
    nearest: dict[str, str] = {}  # folder -> its project's folder ("" for none)

    def project_of(folder: str) -> str:
        known = nearest.get(folder)
        if known is None:
            if has_marker(folder):
                known = folder
            elif any(_inside(folder, top) and folder != top for top in tops):
                known = project_of(os.path.dirname(folder))
            else:
                known = ""  # a top without a marker, or a file given by name: the loose files
            nearest[folder] = known
        return known

    groups: dict[str, list[str]] = {}
    by_folder: dict[str, str] = {}  # as discovery shows it: one abspath per folder, not per file
    for path in files:
        shown = os.path.dirname(path)
        project = by_folder.get(shown)
        if project is None:
            project = by_folder[shown] = project_of(os.path.abspath(shown))
        groups.setdefault(project, []).append(path)
    return groups


def cache_home(paths, config) -> str:
    """Where the cache lives by default: the configured or found project root
    (so every view of a project shares its entries), else the config's folder."""
    if config.project_root:
        return config.project_root
    if config.source:
        return config.root
    return find_root(paths[0] if paths else ".") or config.root


def is_test_path(path: str, folder: str = "") -> bool:
    """Whether `path` is test code of the project in `folder` ("" for the
    working directory): a `test_*.py` or `*_test.py` file, a `conftest.py`,
    or a file under a `tests`/`test` folder of the project. Calls made there
    (against mocked clients, in CI) are not production volume."""
    rel = os.path.relpath(os.path.abspath(path), folder or os.getcwd()).replace(os.sep, "/")
    parts = [p for p in rel.split("/") if p not in ("", ".", "..")]
    if not parts:
        return False
    if is_test_module(parts[-1]):
        return True
    # under a tests/ folder, a program of its own (a benchmark, a generator of tests) is not test code
    return any(p in ("tests", "test") for p in parts[:-1]) and not _is_program(path)


def is_test_module(name: str) -> bool:
    """A file name pytest or unittest collects, or a conftest.py."""
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


_MAIN_GUARD = re.compile(rb"^if\s+__name__\s*==\s*['\"]__main__['\"]", re.MULTILINE)


def _is_program(path: str) -> bool:
    """A `__main__` block at module level (the first 1 MB read)."""
    try:
        with open(path, "rb") as handle:
            return _MAIN_GUARD.search(handle.read(1 << 20)) is not None
    except OSError:
        return False


def configured_root_problem(root: str, config_file: str) -> str:
    """Why the `project-root` key's folder cannot be the project, or "". A
    configuration may come from a pull request: the key must not make a run
    read a tree it does not belong to, so the folder must hold the
    configuration file and a root marker, and be no home or temporary folder."""
    folder = os.path.abspath(root)
    if not os.path.isdir(folder):
        return "is not a folder"
    if not _inside(os.path.abspath(config_file), folder):
        return "must be this file's folder or a folder above it"
    if folder.rstrip(os.sep) in _not_projects() or not has_marker(folder):
        return f"must hold a {', '.join(MARKERS[:-1])} or {MARKERS[-1]} (and not be the home or a temporary folder)"
    return ""


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([A-Za-z_]\w*))", re.MULTILINE)


def provided_packages(folder: str) -> set[str]:
    """The top-level packages a project folder holds (`pkg/__init__.py`, or under `src/`)."""
    out: set[str] = set()
    if not folder:
        return out
    for base in (folder, os.path.join(folder, "src")):
        try:
            names = os.listdir(base)
        except OSError:
            continue
        out |= {name for name in names if os.path.isfile(os.path.join(base, name, "__init__.py"))}
    return out


def imported_packages(sources) -> set[str]:
    """Top-level names the sources import (`import a.b`, `from a import b`)."""
    return {a or b for source in sources for a, b in _IMPORT.findall(source.text)}

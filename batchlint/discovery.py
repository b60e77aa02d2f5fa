"""Find the files to check, read them, and decide which are worth a parse.

No parsing here: the prefilter is a text test, so most files of a real
repository never reach LibCST.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
from dataclasses import dataclass
import fnmatch

from .config import Config
from .model import FileError

MAX_FILE_BYTES = 5 * 1024 * 1024  # a larger .py file is generated data, not code to lint

SEED_WORDS = ("anthropic", "claude")  # "claude": a LiteLLM model name in a file not importing the SDK (prefilter.SURFACE_PACKAGES)


@dataclass(frozen=True, slots=True)  # slots: every file's stays to the end of a run
class SourceFile:
    path: str  # as shown to the user (relative to the working directory when inside it)
    abspath: str
    module: str
    is_package: bool
    text: str
    # Files in the same folder whose module was renamed for sharing its name
    # with a file elsewhere (checker._unique_modules): (name, new name) pairs.
    # Python finds a script's neighbours first, so its imports of them do too.
    renamed_neighbours: tuple[tuple[str, str], ...] = ()


def display_path(path: str, absolute: str = "") -> str:
    """`path` relative to the working directory, or absolute outside it.
    `absolute`: os.path.abspath(path), when the caller has it already."""
    absolute = absolute or os.path.abspath(path)
    cwd = os.getcwd()
    if absolute.startswith(cwd) and absolute[len(cwd):len(cwd) + 1] == os.sep:
        rel = absolute[len(cwd) + 1:]  # what relpath gives here, at a fifth of its cost
    else:
        try:
            rel = os.path.relpath(absolute, cwd)
        except ValueError:  # another drive on Windows
            return absolute
    return absolute if rel.startswith("..") else rel


class Excluder:
    """Exclude patterns compiled once. A pattern with a slash matches the path
    relative to the project root (the config file's folder, whatever path the
    command line names); one without matches any single name. The walk prunes
    excluded folders, so each folder and file needs only its own name and path
    tested, and a folder named on the command line is checked even when a
    pattern excludes it (as ruff does without --force-exclude)."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        names = [p.strip("/") for p in patterns if "/" not in p.strip("/")]
        paths = [p.strip("/").removeprefix("./") for p in patterns if "/" in p.strip("/")]
        self._name = re.compile("|".join(fnmatch.translate(p) for p in names)) if names else None
        self._path = re.compile("|".join(fnmatch.translate(p) for p in paths)) if paths else None

    def __call__(self, name: str, rel_path: str) -> bool:
        return bool(
            (self._name is not None and self._name.match(name))
            or (self._path is not None and self._path.match(rel_path))
        )


def discover(paths: list[str], config: Config, also=None) -> tuple[list[str], list[FileError], list[tuple[str, str]]]:
    """Python files under the given paths, in a stable order, minus excludes;
    and, in the same walk, other files `also(rel_path, name)` gives a kind for
    (schedule declarations), as (path, kind) pairs.

    A file named explicitly is always checked; directories are walked,
    following symlinks into directories not seen yet (so loops end). A link
    whose target is outside every directory given is not followed: a pull
    request cannot make a run read files outside its tree (one BL002 line)."""
    excluded = Excluder(tuple(config.exclude) + tuple(config.extend_exclude))
    found: list[str] = []
    others: list[tuple[str, str]] = []
    errors: list[FileError] = []
    seen: set[str] = set()  # real paths of the directories walked
    roots = tuple(os.path.realpath(p) for p in paths if os.path.isdir(p))
    for given in paths:
        if not os.path.lexists(given):
            errors.append(FileError(display_path(given), "no such file or directory", "BL002"))
            continue
        if os.path.isfile(given):
            found.append(given)
            continue
        if not os.path.isdir(given):
            errors.append(FileError(display_path(given), "not a regular file or directory", "BL002"))
            continue
        _walk(given, excluded, also, found, others, errors, seen, roots, _below_root(given, config.root))
    unique = list(dict.fromkeys(os.path.normpath(p) for p in found))
    return unique, errors, others


def _below_root(directory: str, root: str) -> str:
    """`directory` relative to the project root, "/"-separated ("" for the
    root itself, or for a folder outside it: patterns then apply below it)."""
    rel = os.path.relpath(os.path.abspath(directory), os.path.abspath(root))
    return "" if rel == "." or rel == ".." or rel.startswith(".." + os.sep) else rel.replace(os.sep, "/")


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _walk(top: str, excluded: Excluder, also, found: list[str], others: list[tuple[str, str]],
          errors: list[FileError], seen: set[str], roots: tuple[str, ...] = (), rel_top: str = "") -> None:
    """Depth first, names sorted, one scandir per directory (70% of the time
    os.walk plus a stat per directory took). Symlinked directories are
    followed; each directory is entered once, by its real path, so loops end
    and nothing is found twice. A real subdirectory's real path is its
    parent's plus its name, so only symlinks cost a realpath call."""
    stack = [(top, rel_top, os.path.realpath(top))]
    while stack:
        directory, rel_dir, real = stack.pop()
        if real in seen:
            continue  # a symlink loop, or a directory reached twice
        seen.add(real)
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            errors.append(FileError(display_path(directory), f"cannot read directory: {exc.strerror}", "BL002"))
            continue
        subdirectories = []
        for entry in entries:
            name = entry.name
            # Patterns apply below the path given on the command line (naming a
            # directory, even `build/` or a site-packages, means "check this"),
            # a pattern with a slash to the path from the project root.
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                is_directory = entry.is_dir()  # follows symlinks
            except OSError:
                is_directory = False
            if roots and (is_directory or name.endswith(".py") or also is not None) and entry.is_symlink() \
                    and not _inside(os.path.realpath(entry.path), roots) and not excluded(name, rel):
                if is_directory or name.endswith(".py"):
                    errors.append(FileError(display_path(entry.path), "a symbolic link to outside the analyzed tree; "
                                            "not followed", "BL002"))
                continue
            if is_directory:
                if not excluded(name, rel):
                    sub_real = os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(real, name)
                    subdirectories.append((entry.path, rel, sub_real))
            elif name.endswith(".py"):
                if not excluded(name, rel):
                    found.append(entry.path)
            elif also is not None:
                kind = also(rel, name)
                if kind:
                    others.append((entry.path, kind))
        stack.extend(reversed(subdirectories))


def decode_source(data: bytes) -> str:
    """Decode like the interpreter: BOM, then a PEP 263 cookie, else UTF-8.
    Raises ValueError with a one-line reason."""
    if b"\x00" in data:
        raise ValueError("file contains NUL bytes")
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif _plain_head(data):
        pass  # no cookie possible: tokenize.detect_encoding would say utf-8
    else:
        try:
            import tokenize  # costs 2 ms to import; a warm run reads no source

            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise ValueError(str(exc)) from None
        if encoding == "utf-8-sig":
            encoding = "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        raise ValueError(f"cannot decode as {encoding}{where}: {reason}") from None


def _plain_head(data: bytes) -> bool:
    """The first two lines (where a PEP 263 cookie may stand) are ASCII and
    do not say `coding`: most files, decoded without the tokenize module."""
    end = data.find(b"\n", data.find(b"\n") + 1)
    head = data if end < 0 else data[:end]
    return head.isascii() and b"coding" not in head


_prefix_cache: dict[str, tuple[str, ...]] = {}


def _package_parts(directory: str) -> tuple[str, ...]:
    """The package names a module in `directory` is inside, outermost first
    (one walk up, and one `__init__.py` test, per directory, not per file)."""
    cached = _prefix_cache.get(directory)
    if cached is None:
        cached = ()
        if os.path.isfile(os.path.join(directory, "__init__.py")):
            parent, name = os.path.split(directory)
            cached = (*_package_parts(parent), module_part(name)) if name else ()
        _prefix_cache[directory] = cached
    return cached


def module_part(name: str) -> str:
    """A file or folder name as one part of a module name. Parentheses
    (`script (1).py`, a copy's usual name) would read as calls in the
    symbolic values of analysis/project.py, so they become `_`."""
    return name.replace("(", "_").replace(")", "_") if "(" in name or ")" in name else name


def module_name(abspath: str) -> tuple[str, bool]:
    """Dotted module name from the package structure (`__init__.py` files)."""
    directory, filename = os.path.split(abspath)
    stem = module_part(filename[:-3] if filename.endswith(".py") else filename)
    is_package = stem == "__init__"
    parts = [*_package_parts(directory)] if is_package else [*_package_parts(directory), stem]
    return ".".join(p for p in parts if p) or stem, is_package


_MAX_SPELLING = 8  # folder and file names in the longest import spelling considered


def path_module_names(path: str) -> list[str]:
    """The dotted spellings an import may use for a file, from its path:
    `<cwd>/app/judge/common.py` -> [..., "app.judge.common", "judge.common"]. Folders
    without __init__.py (namespace packages, repos run from their root)
    import this way. One-part names are left out so that a project file
    `schedule.py` never shadows the `schedule` library."""
    # From the absolute path: a view run inside a package folder names its files
    # from there (`__init__.py`), yet their imports spell the folders above it
    # (`marker.processors.llm`). Spellings deeper than any import writes are left out.
    parts = [module_part(p) for p in path_module_parts(os.path.abspath(path))]
    return [".".join(parts[i:]) for i in range(max(0, len(parts) - _MAX_SPELLING), len(parts) - 1)]


def path_module_parts(path: str) -> list[str]:
    """A file's path as the folder and file names an import spells:
    `app/judge/__init__.py` -> ["app", "judge"]."""
    stem = path.replace("\\", "/").removesuffix(".py").removesuffix("/__init__")
    return [p for p in stem.split("/") if p and p not in (".", "..")]


class NotRegularFile(OSError):
    pass


class FileTooLarge(OSError):
    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def read_regular_file(path: str, max_bytes: int | None = None, follow_links: bool = True) -> bytes:
    """The bytes of a regular file (of at most `max_bytes`). It is opened
    without blocking and checked on the open descriptor, so a FIFO or device,
    even one swapped in after discovery, is never read; plain os calls, so a
    small file costs no buffer larger than itself. `follow_links=False`: a
    symbolic link at `path` is not opened (OSError). Raises OSError, with
    NotRegularFile and FileTooLarge among its kinds."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags if follow_links else flags | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path)
        if max_bytes is not None and st.st_size > max_bytes:
            raise FileTooLarge(st.st_size)
        chunks = [os.read(fd, st.st_size + 1)]  # one read: a regular file's short read is its end
        if len(chunks[0]) > st.st_size:  # it grew since fstat
            while chunks[-1]:
                chunks.append(os.read(fd, 1 << 16))
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if max_bytes is not None and len(data) > max_bytes:
        raise FileTooLarge(len(data))
    return data


def read_source(path: str) -> tuple[SourceFile | None, FileError | None]:
    abspath = os.path.abspath(path)
    shown = display_path(path, abspath)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except NotRegularFile:  # a FIFO or device named *.py would block or never end
        return None, FileError(shown, "not a regular file", "BL001")
    except FileTooLarge as exc:
        return None, FileError(shown, f"skipped: {exc.size // 1024} KiB is over the {MAX_FILE_BYTES // 1024 // 1024} MiB limit per file", "BL003")
    except OSError as exc:
        return None, FileError(shown, f"cannot read file: {exc.strerror or exc}", "BL001")
    try:
        text = decode_source(data)
    except ValueError as exc:
        return None, FileError(shown, str(exc), "BL001")
    module, is_package = module_name(abspath)
    return SourceFile(shown, abspath, module, is_package, text), None


def seed_pattern(config: Config) -> re.Pattern[str]:
    words = list(SEED_WORDS) + [f.rpartition(".")[2] for f in config.client_factories]
    return re.compile("|".join(re.escape(w) for w in words))

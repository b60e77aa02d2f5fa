"""Where the batch runtime lives in a project, how rewritten code imports it,
and whether `fix` may write it there.

The runtime (batchlint/runtime/claude_batch.py) is copied once per import root:
beside the top-level package of the rewritten code (`mypkg/_claude_batch.py`,
imported as `from mypkg import _claude_batch`), beside loose scripts
(`scripts/_claude_batch.py`, imported as `import _claude_batch`), or where
`[tool.batchlint] runtime-module` says. The copy starts with a header holding
the runtime's version and a hash of the rest, so a later `fix` can tell a copy
it wrote and may update from one the user edited, which it leaves alone.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass

from ..runtime import VERSION, source
from .files import TEMP_SUFFIX, WriteError

NAME = "_claude_batch"  # the module's file name and the name rewritten code binds it to
_HEADER = re.compile(r"# Written by batchlint fix: the Message Batches runtime \(version (\d+), sha256 ([0-9a-f]{16})\)\.")


@dataclass(frozen=True)
class Runtime:
    path: str  # the file, relative to the working directory like the findings' paths
    import_line: str  # the statement that binds NAME in a rewritten module
    module: str  # its dotted name (for sorting the import)


@dataclass(frozen=True)
class RuntimeWrite:
    """What `fix` does with one runtime file: "create", "update", "keep", "edited" or "foreign"."""

    path: str  # absolute: the file is written after planning, whatever the working directory is then
    action: str
    data: bytes = b""
    note: str = ""

    @property
    def usable(self) -> bool:
        return self.action != "foreign"

    @property
    def shown(self) -> str:
        return os.path.relpath(self.path)


@functools.cache
def text() -> str:
    """The runtime as written into a project: the header, then the module."""
    body = source()
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    return (f"# Written by batchlint fix: the Message Batches runtime (version {VERSION}, sha256 {digest}).\n"
            "# batchlint updates this file while it is as written; once you edit it, it is yours.\n" + body)


def locate(path: str, root: str, configured: str = "", imported: frozenset[str] = frozenset(),
           relative: bool = False) -> Runtime:
    """The runtime a rewrite of `path` imports. A loose script that imports a
    package of the project (`imported`: its top-level imports) shares that
    package's runtime, so a project has one copy."""
    if configured:
        package, _, name = configured.rpartition(".")
        target = os.path.join(root, *configured.split(".")) + ".py"
        alias = "" if name == NAME else f" as {NAME}"
        line = f"from {package} import {name}{alias}" if package else f"import {name}{alias}"
        return Runtime(os.path.relpath(target), line, configured)
    folder = os.path.dirname(os.path.abspath(path))
    top = None
    while _package(folder):
        top = folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if top is None:
        for package in sorted(imported):
            for base in (root, os.path.join(root, "src")):
                if os.path.isfile(os.path.join(base, package, "__init__.py")):
                    return Runtime(os.path.relpath(os.path.join(base, package, NAME + ".py")),
                                   f"from {package} import {NAME}", f"{package}.{NAME}")
        # a loose script of its own: the runtime goes beside it, imported from the script's folder
        # (relatively when the module imports its neighbours so: a folder imported as a namespace package)
        return Runtime(os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(path)), NAME + ".py")),
                       f"from . import {NAME}" if relative else f"import {NAME}", NAME)
    package = os.path.basename(top)
    return Runtime(os.path.relpath(os.path.join(top, NAME + ".py")), f"from {package} import {NAME}", f"{package}.{NAME}")


def _package(folder: str) -> bool:
    """A folder Python imports as a package: it holds `__init__.py` and its
    name is an identifier (a checkout named `my-tool` with an `__init__.py`
    of its own is no package an import can name)."""
    return os.path.basename(folder).isidentifier() and os.path.isfile(os.path.join(folder, "__init__.py"))


def module_name(path: str) -> str:
    """The dotted module name of `path`: its package's path from the top-level
    package, or the script's own name."""
    parts = [os.path.splitext(os.path.basename(path))[0]]
    folder = os.path.dirname(os.path.abspath(path))
    while _package(folder):
        parts.append(os.path.basename(folder))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    if parts[0] == "__init__" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(reversed(parts))


def plan_write(runtime_path: str) -> RuntimeWrite:
    """Whether to create, update or keep the runtime file at `runtime_path`."""
    shown = os.path.relpath(runtime_path)
    runtime_path = os.path.abspath(runtime_path)
    wanted = text()
    try:
        info = os.lstat(runtime_path)
    except FileNotFoundError:
        return RuntimeWrite(runtime_path, "create", wanted.encode("utf-8"), "wrote the batch runtime")
    except OSError as exc:
        return RuntimeWrite(runtime_path, "foreign", note=f"cannot read {shown}: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return RuntimeWrite(runtime_path, "foreign", note=f"{shown} is not a regular file")
    try:
        with open(runtime_path, "rb") as handle:
            current = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return RuntimeWrite(runtime_path, "foreign", note=f"cannot read {shown}: {exc}")
    first, _, rest = current.partition("\n")
    match = _HEADER.fullmatch(first)
    if match is None:
        return RuntimeWrite(runtime_path, "foreign",
                            note=f"{shown} exists and was not written by batchlint; set `runtime-module` in "
                                 "[tool.batchlint] to another module")
    if current == wanted:
        return RuntimeWrite(runtime_path, "keep")
    _, _, body = rest.partition("\n")
    edited = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16] != match.group(2)
    if edited:
        older = int(match.group(1)) < VERSION
        return RuntimeWrite(runtime_path, "edited", note=f"{shown} was edited since batchlint wrote it; left as it is"
                            + (f" (it is version {match.group(1)}, batchlint has version {VERSION})" if older else ""))
    return RuntimeWrite(runtime_path, "update", wanted.encode("utf-8"),
                        f"updated the batch runtime from version {match.group(1)} to {VERSION}")


def write_runtime(write: RuntimeWrite) -> str:
    """Create or update the runtime file (atomically; a file that appeared or
    changed since it was planned is left alone); what was done, for the user."""
    if write.action not in ("create", "update") or plan_write(write.path).action == "keep":
        return ""  # nothing to do, or written already for another file of this run
    folder = os.path.dirname(os.path.abspath(write.path))
    temporary = ""
    try:
        # named as files.py names its temporary files, so a later fix removes one a kill left behind
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{NAME}.py.", suffix=TEMP_SUFFIX)
        os.fchmod(descriptor, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(write.data)
            handle.flush()
            os.fsync(handle.fileno())
        if write.action == "create":
            os.link(temporary, write.path)  # fails if the file appeared meanwhile: never overwrite it
            os.unlink(temporary)
        elif plan_write(write.path).action == "update":  # still the copy batchlint wrote
            os.replace(temporary, write.path)
        else:
            os.unlink(temporary)
            return ""
    except OSError as exc:
        if temporary:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        raise WriteError(f"{write.shown}: cannot write the batch runtime: {exc.strerror or exc}") from None
    return write.note

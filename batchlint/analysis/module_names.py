"""Which project module a dotted name in an import means, seen from the
file that imports it.

A file is named by its package path (`app.judge.common`) and by the shorter
spellings its folders allow (`judge.common`, for code run from `app/`).
Those shorter spellings only work where Python could find them: through
folders without `__init__.py`, only for an importer under the folder that
must be on sys.path. A script inside a package folder may also import a
neighbour by its bare name, having put its own folder on sys.path.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

from ..discovery import _MAX_SPELLING, module_part, path_module_names, path_module_parts
from .facts import FileFacts

_TOKEN = re.compile(r"\(\)|[^.()]+")


class ModuleNames:
    """A file's path spellings (discovery.path_module_names: up to seven a
    file, mostly never imported) are not kept: each file is listed under the
    last part of its path, and a spelling looked up is matched against the
    files listed under its own last part, in the order of `files` (the first
    file a spelling names is the one it means), the answer kept. Every file's
    spellings held as a table were 0.5 KiB a file of a large project's peak."""

    def __init__(self, files: list[FileFacts], modules: dict[str, FileFacts]) -> None:
        self._modules = modules
        self._by_last: dict[str, FileFacts | list[FileFacts]] = {}  # a list only for two files or more
        self._spelled: dict[str, tuple[str, str] | None] = {}  # spelling looked up -> (module, namespace root)
        self._folders: dict[str, str] = {}  # one string per folder: most files share their roots
        self._suffixes: dict[str, str] = {}  # the dotted suffixes of module names (below)
        heads = set()
        # a spelling through folders without __init__.py imports only with the folder above
        # it on sys.path: whether some file has one (else no name is ever out of reach)
        self._namespaces = False
        for facts in files:
            parts = [module_part(p) for p in path_module_parts(os.path.abspath(facts.path))]
            if len(parts) < 2:
                continue  # no spelling of two parts or more
            first = max(0, len(parts) - _MAX_SPELLING)
            heads.update(part.partition(".")[0] for part in parts[first:-1])
            # (its longest spelling has the most dots: a folder name may hold some)
            self._namespaces = self._namespaces or ".".join(parts[first:]).count(".") > facts.module.count(".")
            last = parts[-1].rpartition(".")[2]
            listed = self._by_last.setdefault(last, facts)
            if listed is not facts:
                if isinstance(listed, list):
                    listed.append(facts)
                else:
                    self._by_last[last] = [listed, facts]
        for name in modules:
            parts = name.split(".")
            # `from app.llm import ask` may name src/app/llm.py; one-part suffixes
            # are not used, so a project module `schedule.py` inside a package
            # never shadows the `schedule` library.
            for i in range(1, len(parts) - 1):
                self._suffixes.setdefault(".".join(parts[i:]), name)
        # first dotted parts that can start a project module's name: most callees
        # (`os.path.join`, `json.loads`) are rejected by one set lookup
        self.heads = heads | {n.partition(".")[0] for n in (*modules, *self._suffixes)}
        # package folder -> {file stem: module}: a script there that puts its
        # folder on sys.path imports its neighbours by bare name (`from summarizer import f`)
        self._package_neighbours: dict[str, dict[str, str]] = defaultdict(dict)
        for facts in files:
            if "." in facts.module and not facts.module.endswith(".__init__"):
                folder, _, stem = facts.path.replace("\\", "/").rpartition("/")
                if stem.endswith(".py") and stem != "__init__.py":
                    self._package_neighbours[folder][stem[:-3]] = facts.module
        self.has_neighbours = bool(self._package_neighbours)

    def module_for(self, dotted: str) -> str | None:
        if dotted in self._modules:
            return dotted
        return self._suffix(dotted)

    def _suffix(self, dotted: str) -> str | None:
        """The module a shorter spelling names: a file's path spelling first, then a module name's suffix."""
        found = self._spelling(dotted)
        return found[0] if found is not None else self._suffixes.get(dotted)

    def _spelling(self, dotted: str) -> tuple[str, str] | None:
        """(module, namespace root or "") of the first file whose path spells `dotted`, or None."""
        listed = self._by_last.get(dotted.rpartition(".")[2])
        if listed is None:
            return None
        if dotted in self._spelled:
            return self._spelled[dotted]
        found = None
        for facts in listed if isinstance(listed, list) else (listed,):
            if dotted not in path_module_names(facts.path):
                continue
            if found is None:
                found = (facts.module, "")  # the first file spelled so is the one the spelling names
            if facts.module == found[0] and dotted.count(".") > facts.module.count("."):
                # the first file of that module reached only through the folders above its package
                root = _folder_above(facts.path, dotted)
                found = (found[0], self._folders.setdefault(root, root))
                break
        self._spelled[dotted] = found
        return found

    def out_of_reach(self, symbolic: str, importer: str) -> bool:
        """Whether `symbolic` names a project module that `importer` could not
        import: `from utils.utils import f` matched to a far-away
        `tools/meta/utils/utils.py` through folders without `__init__.py`
        resolves only with `tools/meta` on sys.path, which running or importing
        the importer puts there only when that folder holds it."""
        if not self._namespaces:
            return False
        names = _TOKEN.findall(symbolic.partition("()")[0])
        if not names or names[0] not in self.heads:
            return False
        for i in range(len(names), 0, -1):
            dotted = ".".join(names[:i])
            if dotted in self._modules:
                return False
            spelled = self._spelling(dotted)
            if spelled is not None and spelled[1]:
                root = spelled[1]
                folder = os.path.dirname(os.path.abspath(importer))
                return not (folder == root or folder.startswith(root.rstrip(os.sep) + os.sep))
            if spelled is not None or self._suffixes.get(dotted) is not None:
                return False
        return False

    def neighbour(self, head: str, importer: FileFacts) -> str | None:
        """The module of the file named `head` beside `importer` in its package folder."""
        module = self._package_neighbours.get(importer.path.replace("\\", "/").rpartition("/")[0], {}).get(head)
        return None if module == importer.module else module


def _folder_above(path: str, spelling: str) -> str:
    """The folder that must be on sys.path for `spelling` to name `path`, as an
    absolute path (a file's path is relative to the working directory, or
    absolute outside it): (`tools/meta/utils/utils.py`, `utils.utils`) -> `<cwd>/tools/meta`."""
    stem = os.path.abspath(path)
    stem = stem[:-3] if stem.endswith(".py") else stem
    stem = stem[: -len(os.sep + "__init__")] if stem.endswith(os.sep + "__init__") else stem
    for _ in range(spelling.count(".") + 1):
        stem = os.path.dirname(stem)
    return stem

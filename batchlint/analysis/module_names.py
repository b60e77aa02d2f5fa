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

from ..discovery import path_module_names
from .facts import FileFacts

_TOKEN = re.compile(r"\(\)|[^.()]+")


class ModuleNames:
    def __init__(self, files: list[FileFacts], modules: dict[str, FileFacts]) -> None:
        self._modules = modules
        self._suffixes: dict[str, str] = {}
        # a spelling through folders without __init__.py imports only with the
        # folder above it on sys.path: spelling -> that folder
        self._namespace_roots: dict[str, str] = {}
        folders: dict[str, str] = {}  # one string per folder: most files share their roots
        for facts in files:
            own_parts = facts.module.count(".") + 1
            for spelling in path_module_names(facts.path):
                if self._suffixes.setdefault(spelling, facts.module) == facts.module \
                        and spelling.count(".") + 1 > own_parts and spelling not in self._namespace_roots:
                    root = _folder_above(facts.path, spelling)
                    self._namespace_roots[spelling] = folders.setdefault(root, root)
        for name in modules:
            parts = name.split(".")
            # `from app.llm import ask` may name src/app/llm.py; one-part suffixes
            # are not used, so a project module `schedule.py` inside a package
            # never shadows the `schedule` library.
            for i in range(1, len(parts) - 1):
                self._suffixes.setdefault(".".join(parts[i:]), name)
        # first dotted parts that can start a project module's name: most callees
        # (`os.path.join`, `json.loads`) are rejected by one set lookup
        self.heads = {n.partition(".")[0] for n in (*modules, *self._suffixes)}
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
        return self._suffixes.get(dotted)

    def out_of_reach(self, symbolic: str, importer: str) -> bool:
        """Whether `symbolic` names a project module that `importer` could not
        import: `from utils.utils import f` matched to a far-away
        `tools/meta/utils/utils.py` through folders without `__init__.py`
        resolves only with `tools/meta` on sys.path, which running or importing
        the importer puts there only when that folder holds it."""
        if not self._namespace_roots:
            return False
        names = _TOKEN.findall(symbolic.partition("()")[0])
        if not names or names[0] not in self.heads:
            return False
        for i in range(len(names), 0, -1):
            dotted = ".".join(names[:i])
            if dotted in self._modules:
                return False
            root = self._namespace_roots.get(dotted)
            if root is not None:
                folder = os.path.dirname(os.path.abspath(importer))
                return not (folder == root or folder.startswith(root.rstrip(os.sep) + os.sep))
            if self._suffixes.get(dotted) is not None:
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

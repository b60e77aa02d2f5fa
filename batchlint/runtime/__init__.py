"""The batch runtime that `batchlint fix` writes into a project as `_claude_batch.py`.

Its source is the package `claude_batch/`, one module per job (settings,
store, batch, fan-out, interception, helpers). A project gets it as one
module, so it has one version and one hash to tell a copy `fix` may update
from one the user edited: source() joins the parts in the order of their
imports, their standard-library and SDK imports merged at the top and their
imports of each other dropped (they share one namespace there).

batchlint never imports it (it needs the anthropic SDK, which batchlint does
not depend on): the codemod reads its text with source().
"""

from __future__ import annotations

import ast
import functools
import graphlib
import sys
from pathlib import Path

PACKAGE = Path(__file__).with_name("claude_batch")
VERSION = 3  # the runtime's `__version__`; tests check they agree
_LINE = 100  # the longest import line written; longer ones are wrapped


class _Part:
    """One module of the package: what it imports and the code after that."""

    def __init__(self, path: Path):
        self.name = path.stem
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        body = list(tree.body)
        self.docstring = ast.get_source_segment(text, body.pop(0)) if ast.get_docstring(tree) is not None else ""
        self.imports: list[ast.Import | ast.ImportFrom] = []
        while body and isinstance(body[0], (ast.Import, ast.ImportFrom)):
            self.imports.append(body.pop(0))
        late = [node.lineno for node in ast.walk(ast.Module(body=body, type_ignores=[]))
                if isinstance(node, (ast.Import, ast.ImportFrom)) and node.col_offset == 0]
        if late:
            raise ValueError(f"{path.name}:{late[0]}: imports go at the top of a runtime module")
        # the code starts at the first statement after the imports, at its decorators if it has any
        start = min(node.lineno for node in [body[0], *getattr(body[0], "decorator_list", ())]) if body else 0
        self.code = "".join(text.splitlines(keepends=True)[start - 1:]) if body else ""
        self.needs = {node.module for node in self.imports if isinstance(node, ast.ImportFrom) and node.level == 1}
        self.defines = {name for node in body for name in _bound(node)}


def _bound(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [t.id for t in targets if isinstance(t, ast.Name)]
    return []


@functools.cache
def source() -> str:
    """The runtime module's text, as written into a project."""
    parts = {path.stem: _Part(path) for path in sorted(PACKAGE.glob("*.py")) if path.stem != "__init__"}
    order = list(graphlib.TopologicalSorter({name: part.needs for name, part in parts.items()}).static_order())
    seen: dict[str, str] = {}
    for name in order:
        for defined in sorted(parts[name].defines):
            if defined in seen:  # one namespace once joined: a second definition would replace the first
                raise ValueError(f"{defined} is defined in both {seen[defined]}.py and {name}.py")
            seen[defined] = name
    head = _Part(PACKAGE / "__init__.py").docstring
    imports = _merged([node for name in order for node in parts[name].imports])
    sections = [f"# {'-' * 8} {_summary(parts[name].docstring)}\n{parts[name].code.strip()}\n" for name in order]
    return f"{head}\n\nfrom __future__ import annotations\n\n{imports}\n\n" + "\n\n".join(sections)


def _summary(docstring: str) -> str:
    return docstring.strip('"').strip().splitlines()[0] if docstring else ""


def _merged(nodes: list[ast.Import | ast.ImportFrom]) -> str:
    """The parts' imports of other modules as one block: the standard library,
    then the rest, each as isort orders them (`import x` before `from x import
    y`, one line per `as` name)."""
    straight: set[str] = set()
    names: dict[str, set[str]] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            straight.update(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
        elif node.level == 0 and node.module != "__future__":
            names.setdefault(node.module, set()).update(a.name + (f" as {a.asname}" if a.asname else "")
                                                       for a in node.names)
    blocks = []
    for stdlib in (True, False):
        lines = [f"import {name}" for name in sorted(straight) if _is_stdlib(name) == stdlib]
        for module in sorted(m for m in names if _is_stdlib(m) == stdlib):
            plain = sorted(n for n in names[module] if " as " not in n)
            if plain:
                lines.append(_wrapped(f"from {module} import ", plain))
            lines += [f"from {module} import {alias}" for alias in sorted(n for n in names[module] if " as " in n)]
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _wrapped(start: str, names: list[str]) -> str:
    line = start + ", ".join(names)
    if len(line) <= _LINE:
        return line
    return start + "(\n" + "".join(f"    {name},\n" for name in names) + ")"


def _is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names

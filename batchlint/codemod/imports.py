"""Imports of a rewritten module: the runtime's import added where isort (and
ruff's `I` rules, default settings) would put it, and module-level imports that
the rewrite left unused removed (what ruff's F401 would flag).

Sections are ordered future, standard library, third party, first party; a
module is first party when the project root holds it (a folder or a `.py`
file, also under `src/`), as ruff decides by default. Within a section plain
`import x` statements come before `from x import y`, each sorted by module
name, and names imported from the same module share one statement.
"""

from __future__ import annotations

import ast
import os
import sys

import libcst as cst

from ..newer_syntax import parse as parse_any
from .syntax import dotted, is_docstring, line_break, one_a_line

_SECTIONS = ("future", "stdlib", "thirdparty", "firstparty", "localfolder")


def section_of(module: str, root: str, first_party: frozenset[str] = frozenset()) -> str:
    if module.startswith("."):
        return "localfolder"
    top = module.split(".")[0]
    if top == "__future__":
        return "future"
    if top in sys.stdlib_module_names:
        return "stdlib"
    if top in first_party:
        return "firstparty"
    for base in (root, os.path.join(root, "src")):
        if os.path.isdir(os.path.join(base, top)) or os.path.isfile(os.path.join(base, top + ".py")):
            return "firstparty"
    return "thirdparty"


def _module_of(small: cst.BaseSmallStatement) -> str:
    if isinstance(small, cst.Import):
        return dotted(small.names[0].name)
    return "." * len(small.relative) + (dotted(small.module) if small.module is not None else "")


def _sort_key(small: cst.BaseSmallStatement) -> tuple:
    # isort's default: `import x` before `from x import y`, then the module, case-insensitively
    return (isinstance(small, cst.ImportFrom), _module_of(small).lower())


def _member_key(name: str) -> tuple:
    # isort's order-by-type: CONSTANTS, Classes, then the rest
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return (kind, name.lower() if kind == 2 else name)


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
        and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))


def add_import(module: cst.Module, line: str, root: str, first_party: frozenset[str] = frozenset(),
               line_length: int = 88) -> cst.Module:
    """`module` with the import statement `line` (e.g. `from pkg import _claude_batch`) added;
    `first_party`: top-level names to count as first party (a module about to be written)."""
    new = cst.parse_statement(line)
    small = new.body[0]
    target = section_of(_module_of(small), root, first_party)
    body = list(module.body)
    start = 1 if body and is_docstring(body[0]) else 0
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    block = body[start:end]
    if isinstance(small, cst.ImportFrom):  # isort keeps one statement per module
        for index, statement in enumerate(block):
            old = statement.body[0]
            if isinstance(old, cst.ImportFrom) and not isinstance(old.names, cst.ImportStar) \
                    and _module_of(old) == _module_of(small) and old.lpar is None:
                merged = _laid_out(old.with_changes(names=[*old.names, *small.names]), line_length)
                body[start + index] = statement.with_changes(body=[merged])
                return module.with_changes(body=body)
        new = new.with_changes(body=[_laid_out(small, line_length)])
        small = new.body[0]
    order = _SECTIONS.index(target)
    key = (order, _sort_key(small))
    # before the first import that sorts after it (in a block isort keeps sorted, the same as counting
    # those that sort before; in one it does not, the neighbours still read in order)
    at = start + next((i for i, s in enumerate(block)
                       if (_SECTIONS.index(section_of(_module_of(s.body[0]), root, first_party)), _sort_key(s.body[0])) > key),
                      len(block))
    prev = body[at - 1] if at > start else None
    following = body[at] if at < len(body) else None

    def section(statement) -> str:
        return section_of(_module_of(statement.body[0]), root, first_party)

    if prev is None:  # first in the file's imports: it takes over what stood above the block
        new = new.with_changes(leading_lines=following.leading_lines if following is not None else ())
    else:
        new = new.with_changes(leading_lines=[cst.EmptyLine()] if section(prev) != target else [])
    if following is not None and at < end:  # an import after the new one
        if section(following) == target:
            kept = [line for line in following.leading_lines if line.comment is not None] if prev is None or section(prev) != target \
                else list(following.leading_lines)
            body[at] = following.with_changes(leading_lines=kept)
        elif prev is None:
            body[at] = following.with_changes(leading_lines=[cst.EmptyLine()])
    elif following is not None and not block:  # the first statement after imports that were not there
        blank = 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1
        body[at] = following.with_changes(leading_lines=[cst.EmptyLine()] * blank)
    body.insert(at, new)
    return module.with_changes(body=body)


def _laid_out(statement: cst.ImportFrom, line_length: int) -> cst.ImportFrom:
    """The names sorted; on one line if it fits, else one a line in parentheses (isort's style)."""
    names = sorted(statement.names, key=lambda a: _member_key(dotted(a.name)))
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    flat = statement.with_changes(names=[a.with_changes(comma=space if i < len(names) - 1 else cst.MaybeSentinel.DEFAULT)
                                         for i, a in enumerate(names)], lpar=None, rpar=None)
    if len(cst.Module([]).code_for_node(flat)) <= line_length:
        return flat

    return statement.with_changes(names=one_a_line(names), lpar=cst.LeftParen(whitespace_after=line_break("    ")),
                                  rpar=cst.RightParen(whitespace_before=cst.SimpleWhitespace("")))


def remove_unused(before: str, module: cst.Module, line_length: int = 88) -> cst.Module:
    """`module` without the module-level imports whose names the original
    source `before` used and the rewritten module no longer does."""
    try:
        used_before = _loaded(parse_any(before))
        used_after = _loaded(parse_any(module.code))
    except (SyntaxError, ValueError, RecursionError):
        return module
    gone = used_before - used_after
    if not gone:
        return module
    body, orphaned = [], None
    for statement in module.body:
        if orphaned is not None:  # the blank lines and comments above a removed import stay where they were
            if not statement.leading_lines:
                statement = statement.with_changes(leading_lines=orphaned)
            orphaned = None
        if _is_import_line(statement) and not isinstance(statement.body[0].names, cst.ImportStar):
            small = statement.body[0]
            kept = [a for a in small.names if _bound(a) not in gone]
            if not kept:
                orphaned = statement.leading_lines
                continue
            if len(kept) != len(small.names):
                if isinstance(small, cst.ImportFrom):
                    statement = statement.with_changes(body=[_laid_out(small.with_changes(names=kept), line_length)])
                else:
                    kept = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) if i == len(kept) - 1 else a
                            for i, a in enumerate(kept)]
                    statement = statement.with_changes(body=[small.with_changes(names=kept)])
        body.append(statement)
    return module.with_changes(body=body)


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return alias.asname.name.value
    return dotted(alias.name).split(".")[0]


def _loaded(tree: ast.AST) -> set[str]:
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for node in ast.walk(tree):  # names listed in __all__ count as used
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            names |= {e.value for e in getattr(node.value, "elts", ()) if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return names

"""Answers carried from one iteration to the next through files.

    for i, step in enumerate(steps):
        context = "".join(open(f"{earlier}-response.md").read() for earlier in steps[:i])
        answer = ask(f"{context}\\nWrite the {step} section")
        open(f"{step}-response.md", "w").write(answer)

Each answer is written to a file that a later iteration reads back into its
prompt: a chain, as if the answers were kept in a list. Told apart from the
common per-item pipeline (read the item's input, write its output) and from a
resume check (read the item's own output file) by the paths: the loop writes
answers to files of one shape (the same written parts, `"-response.md"`) and
reads files of that shape named by *other* values than the ones it writes
(`earlier` where it wrote `step`).
"""

from __future__ import annotations

import ast

from .astwalk import find_all, own_nodes, str_value

_WRITES = ("w", "a", "x")


def reads_back_answers(body: list[ast.stmt], answer_names: set[str], names_read) -> bool:
    """The loop writes an answer (a value reading `answer_names`) to a file
    and reads back a file of the same shape for other values."""
    if not answer_names:
        return False
    written: list[tuple[tuple[str, ...], frozenset[str]]] = []
    read: list[tuple[tuple[str, ...], frozenset[str]]] = []
    nodes = own_nodes(body)
    # the parts of a path the loop writes to are not a path it reads (`f"{sidx}.py"` in `join(out, f"{sidx}.py")`)
    in_written_paths = {id(sub) for node in nodes if isinstance(node, ast.Call)
                        for path in [_write_path(node)] if path is not None for sub in ast.walk(path)}
    for node in nodes:
        if isinstance(node, (ast.With, ast.AsyncWith)):  # `with open(p, "w") as f: f.write(answer)`
            for item in node.items:
                opened = _opened(item.context_expr, names_read)
                if opened is not None and opened[0] and isinstance(item.optional_vars, ast.Name) and any(
                        _writes_answer(call, answer_names, names_read) == item.optional_vars.id
                        for call in find_all(node.body, ast.Call)):
                    written.append(opened[1])
        if isinstance(node, ast.JoinedStr) and id(node) not in in_written_paths:
            # a path built here may be opened by a helper (`assemble(paths)`)
            shape = _shape(node, names_read)
            if shape is not None:
                read.append(shape)
        if not isinstance(node, ast.Call):
            continue
        opened = _opened(node, names_read)
        if opened is not None and not opened[0]:
            read.append(opened[1])
        target = _writes_answer(node, answer_names, names_read)
        if isinstance(target, ast.Call):  # `open(p, "w").write(answer)`, `Path(p).write_text(answer)`
            shape = _opened(target, names_read) or _opened(node, names_read)
            if shape is not None and shape[0]:
                written.append(shape[1])
    return any(w[0] == r[0] and w[1] != r[1] for w in written for r in read)


def _writes_answer(call: ast.Call, answer_names: set[str], names_read):
    """What a call writes an answer to: the handle's name (`f.write(answer)`,
    `json.dump(answer, f)`), the call opening it (`open(p, "w")` of
    `open(p, "w").write(answer)`), the writing call itself for
    `Path(p).write_text(answer)`, else None."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ("write", "writelines", "write_text", "dump"):
        return None
    if not names_read(*call.args, *(k.value for k in call.keywords)) & answer_names:
        return None
    target = call.args[1] if func.attr == "dump" and len(call.args) > 1 else func.value
    if func.attr == "write_text":
        return call
    if isinstance(target, ast.Name):
        return target.id
    return target if isinstance(target, ast.Call) else None


def _opened(node: ast.AST, names_read) -> tuple[bool, tuple[tuple[str, ...], frozenset[str]]] | None:
    """(for writing, (written parts of the path, names its fields read)) for
    `open(path[, mode])`, `Path(path).open(mode)`, `Path(path).write_text(...)`
    / `.read_text()`; None for anything else or a path with no written part."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    path: ast.AST | None = None
    mode = "r"
    if isinstance(func, ast.Name) and func.id == "open" and node.args:
        path = node.args[0]
        mode = _mode(node, 1)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) and func.value.args \
            and isinstance(func.value.func, (ast.Name, ast.Attribute)) \
            and (func.value.func.id if isinstance(func.value.func, ast.Name) else func.value.func.attr) == "Path":
        path = func.value.args[0]
        if func.attr == "open":
            mode = _mode(node, 0)
        elif func.attr in ("write_text", "write_bytes"):
            mode = "w"
        elif func.attr not in ("read_text", "read_bytes"):
            return None
    if path is None:
        return None
    shape = _shape(path, names_read)
    return None if shape is None else (any(m in mode for m in _WRITES), shape)


def _write_path(call: ast.Call) -> ast.AST | None:
    """The path a call opens for writing, or None."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "open" and call.args and any(m in _mode(call, 1) for m in _WRITES):
        return call.args[0]
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) and func.value.args and (
            func.attr in ("write_text", "write_bytes") or func.attr == "open" and any(m in _mode(call, 0) for m in _WRITES)):
        return func.value.args[0]
    return None


def _shape(path: ast.AST, names_read) -> tuple[tuple[str, ...], frozenset[str]] | None:
    """(the written parts of a path, the names its other parts read): an
    f-string's own text (`f"{out}{name}-response.md"` -> "-response.md"), else
    every string literal in the expression."""
    if isinstance(path, ast.JoinedStr):
        parts = tuple(p for p in (str_value(v) for v in path.values) if p)
    else:
        parts = tuple(p for p in (str_value(n) for n in find_all(path, ast.Constant)) if p)
    if not parts or not any("." in p or "/" in p for p in parts):
        return None  # no file name or folder written: not recognisably a path
    return parts, frozenset(names_read(path))


def _mode(call: ast.Call, position: int) -> str:
    if len(call.args) > position:
        return str_value(call.args[position]) or "r"
    return next((str_value(k.value) or "r" for k in call.keywords if k.arg == "mode"), "r")

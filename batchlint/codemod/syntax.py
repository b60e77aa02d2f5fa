"""What a piece of LibCST tree reads, writes and does: the facts the rewrite's
safety checks need (loop-carried dependence, side effects, control flow)."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

# Methods that change the object they are called on. A name whose method of
# this kind runs after the call is "written" there, for the dependence check.
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "add", "discard",
    "setdefault", "sort", "reverse", "appendleft", "extendleft", "popleft", "rotate", "put", "put_nowait",
    "write", "writelines", "send", "__setitem__",
})

# Calls whose point is an effect outside the program's values: output, I/O,
# storage, messaging. Before the Claude call they would run in a different
# order relative to the rest of the loop body once the loop is split in two.
SIDE_EFFECT_FUNCTIONS = frozenset({"print", "input", "exec", "breakpoint"})
SIDE_EFFECT_METHODS = frozenset({
    "write", "writelines", "send", "sendall", "post", "put", "patch", "delete", "unlink", "rmdir", "mkdir",
    "makedirs", "rename", "rmtree", "commit", "rollback", "execute", "executemany", "save", "flush", "log",
    "debug", "info", "warning", "warn", "error", "exception", "critical", "emit", "publish", "enqueue", "delay",
    "apply_async", "incr", "decr", "submit", "acquire", "release", "upload", "download", "touch", "write_text",
    "write_bytes", "system", "check_call", "check_output", "urlopen", "print",
})
# `time.sleep` before the call only paces the loop: it may stay where it is.
PACING_CALLS = frozenset({"time.sleep", "sleep", "asyncio.sleep"})


def dotted(node: cst.BaseExpression) -> str:
    """`a.b.c` for a Name/Attribute chain; "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


def callee_name(call: cst.Call) -> str:
    """The last name of what is called: `print`, `append` (of `out.append`), "" if computed."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


def root_name(node: cst.BaseExpression) -> str:
    """`x` of `x.a[0].b`; "" when the chain starts with something else."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


@dataclass
class Usage:
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)  # rebound, deleted, or changed in place
    calls: list[cst.Call] = field(default_factory=list)
    yields: bool = False
    returns: bool = False
    awaits: bool = False
    breaks: bool = False  # a break that leaves the scanned loop (not one of a nested loop)
    continues: bool = False


class _Scanner(cst.CSTVisitor):
    def __init__(self, usage: Usage) -> None:
        self.u = usage
        self.loop_depth = 0

    # reads ------------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> None:
        self.u.reads.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # not the attribute name
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # not the keyword
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        if node.default is not None:
            node.default.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            self._bind(alias.asname.name if alias.asname else cst.Name(dotted(alias.name).split(".")[0]))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._bind(alias.asname.name if alias.asname else alias.name)
        return False

    # writes -----------------------------------------------------------------
    def _bind(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.u.writes.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value)
        elif isinstance(target, (cst.Attribute, cst.Subscript)):
            root = root_name(target)
            if root:
                self.u.writes.add(root)  # changed in place
            target.visit(self)
        elif isinstance(target, cst.AsName):
            self._bind(target.name)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        self._bind(node.target)  # also visits what an attribute or subscript target reads
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        self._bind(node.target)
        if node.value is not None:
            node.value.visit(self)
        return False

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        self._bind(node.target)
        node.target.visit(self)
        node.value.visit(self)
        return False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        self._bind(node.target)
        node.value.visit(self)
        return False

    def visit_Del(self, node: cst.Del) -> bool:
        self._bind(node.target)
        return False

    def visit_WithItem(self, node: cst.WithItem) -> bool:
        node.item.visit(self)
        if node.asname is not None:
            self._bind(node.asname.name)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.u.writes.add(node.name.value)
        for decorator in node.decorators:
            decorator.visit(self)
        node.params.visit(self)
        # What a nested function reads is read when it runs; its own returns,
        # locals and loops are its own.
        self.u.reads |= scan(node.body).reads
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.u.writes.add(node.name.value)

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        node.iter.visit(self)  # the target is local to the comprehension
        for cond in node.ifs:
            cond.visit(self)
        if node.inner_for_in is not None:
            node.inner_for_in.visit(self)
        return False

    def visit_Call(self, node: cst.Call) -> None:
        self.u.calls.append(node)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in MUTATING_METHODS:
            root = root_name(node.func.value)
            if root:
                self.u.writes.add(root)

    # control flow -------------------------------------------------------------
    def visit_For(self, node: cst.For) -> bool:
        self._bind(node.target)
        node.iter.visit(self)
        self.loop_depth += 1
        node.body.visit(self)
        self.loop_depth -= 1
        if node.orelse is not None:
            node.orelse.visit(self)
        return False

    def visit_While(self, node: cst.While) -> None:
        self.loop_depth += 1

    def leave_While(self, original_node: cst.While) -> None:
        self.loop_depth -= 1

    def visit_Break(self, node: cst.Break) -> None:
        if self.loop_depth == 0:
            self.u.breaks = True

    def visit_Continue(self, node: cst.Continue) -> None:
        if self.loop_depth == 0:
            self.u.continues = True

    def visit_Return(self, node: cst.Return) -> None:
        self.u.returns = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.u.yields = True

    def visit_Await(self, node: cst.Await) -> None:
        self.u.awaits = True


def scan(*nodes: cst.CSTNode) -> Usage:
    """Facts about `nodes` as if they ran in sequence."""
    usage = Usage()
    scanner = _Scanner(usage)
    for node in nodes:
        node.visit(scanner)
    return usage


def side_effect_call(usage: Usage, local: set[str] = frozenset()) -> str:
    """The source of the first call in `usage` with an effect outside the values
    it computes (output, I/O, a change to an object not in `local`), else ""."""
    for call in usage.calls:
        if dotted(call.func) in PACING_CALLS:
            continue
        func = call.func
        if isinstance(func, cst.Name) and func.value in SIDE_EFFECT_FUNCTIONS:
            return code_of(func) + "(...)"
        if isinstance(func, cst.Attribute):
            name = func.attr.value
            if name in SIDE_EFFECT_METHODS or (name in MUTATING_METHODS and root_name(func.value) not in local):
                return code_of(func) + "(...)"
    return ""


def is_docstring(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def line_break(indent: str = "") -> cst.ParenthesizedWhitespace:
    """A line break inside brackets, the next line `indent` deeper than the statement."""
    return cst.ParenthesizedWhitespace(indent=True, last_line=cst.SimpleWhitespace(indent))


def one_a_line(items: list) -> list:
    """Bracketed items (arguments, dict elements, imported names) one a line,
    each with a trailing comma, the closing bracket on a line of its own."""
    return [item.with_changes(comma=cst.Comma(whitespace_after=line_break("    " if i < len(items) - 1 else "")))
            for i, item in enumerate(items)]


_EMPTY = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)

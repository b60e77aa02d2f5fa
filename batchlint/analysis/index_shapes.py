"""Syntax shapes the indexer asks about (no state): call-name tables, literal
sizes and counts, exits after a call, output shown, comment pragmas."""

from __future__ import annotations

import ast
import re

from ..boundary import clamp
from .astwalk import FUNCTION_DEFS, LOOPS, TRY, dotted_name, find_all, int_value, str_value, walk
from .dependence import names_read
from .index_builders import _SiteBuilder

# Calls whose arguments form a context of their own (fan-out wrappers); a call
# made inside their arguments records an "arg" construct naming them.
ARG_CONTEXT_CALLS = frozenset(
    {
        "gather", "as_completed", "wait", "create_task", "ensure_future", "submit",
        "run_in_executor", "start_soon", "map", "imap", "imap_unordered", "starmap",
        "map_async", "starmap_async", "apply_async", "to_thread", "run_coroutine_threadsafe",
        "apply", "progress_apply", "applymap", "transform", "agg", "aggregate", "spawn",
    }
)

# Calls whose keyword/positional text is kept (schedules, SDK calls, registrations).
TEXT_KEPT_CALLS = frozenset(
    {
        "create", "parse", "stream", "count_tokens", "Thread", "Process", "add_job",
        "add_schedule", "scheduled_job", "do", "every", "PythonOperator", "cron", "register",
        "schedule", "add_periodic_task", "periodic_task", "db_periodic_task", "task", "dag",
        "DAG", "function", "Cron", "Period", "crontab", "ScheduleDefinition", "serve",
        "deploy", "enqueue", "enqueue_in", "enqueue_at", "actor", "route", "add_url_rule",
        "on_schedule", "repeat", "timedelta", "create_schedule", "interval", "at",
        "PythonVirtualenvOperator", "BranchPythonOperator", "flow", "job", "asset", "op",
        "define_asset_job", "completion", "acompletion", "batch_completion", "text_completion",
    }
)

INPUT_CALLS = frozenset(
    {
        "builtins.input", "input", "getpass.getpass", "click.prompt", "typer.prompt",
        "prompt_toolkit.prompt", "sys.stdin.readline", "rich.prompt.Prompt.ask",
        "rich.prompt.Confirm.ask", "rich.prompt.IntPrompt.ask",
    }
)

# Packages whose prompts wait for a person, and their methods that read an answer.
INPUT_PACKAGES = ("prompt_toolkit.", "aioconsole.", "pyinputplus.", "InquirerPy.", "inquirer.")
INPUT_METHODS = frozenset({"prompt", "prompt_async", "ainput", "ask", "ask_async", "execute", "execute_async"}
                          | {"input" + kind for kind in ("", "Str", "Num", "Int", "Float", "Choice", "Menu", "YesNo")})

SHOW_CALLS = frozenset(
    {
        "print", "write", "send", "send_text", "send_json", "send_bytes", "emit", "write_stream",
        "echo", "stream_token", "sendall", "publish", "markdown", "put",
    }
)

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)
_PRAGMA = re.compile(r"#\s*batchlint:\s*(?P<text>.*)$")

_MAX_TEXT = 80


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        str_value(s) == "__main__" for s in sides
    )



def _mentions_cache_control(node: ast.AST, constants: set[str] = frozenset()) -> bool:
    """`cache_control` written anywhere in the node, or a name of one of
    `constants` (module constants that hold a breakpoint): one walk for both."""
    for n in find_all(node, (ast.Name, ast.Attribute, ast.keyword, ast.Constant)):
        if isinstance(n, ast.Name):
            if n.id in constants:
                return True
            text = n.id
        else:
            text = n.attr if isinstance(n, ast.Attribute) else n.arg if isinstance(n, ast.keyword) else n.value
        if isinstance(text, str) and "cache_control" in text:
            return True
    return False


def string_literals(node: ast.expr | None, most: int = 10) -> list[str]:
    """The strings of a written tuple/list/set of string literals (at most `most`
    of them, identifiers only: names getattr may look up), else []."""
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)) or not 0 < len(node.elts) <= most:
        return []
    names = [str_value(e) for e in node.elts]
    return names if all(n is not None and n.isidentifier() for n in names) else []


def _literal_count(node: ast.expr) -> int:
    """Items a loop runs over, when written in the code: range(N), [a, b, c], xs[:N];
    at most MAX_NUMBER (`range(10**400)` is written; nobody runs it)."""
    return clamp(_written_count(node))


def _written_count(node: ast.expr) -> int:
    if isinstance(node, ast.Call) and (dotted_name(node.func) or "") == "range":
        numbers = [int_value(a) for a in node.args]
        if numbers and not node.keywords and all(n is not None for n in numbers):
            start, stop = (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
            step = numbers[2] if len(numbers) > 2 and numbers[2] else 1
            return max(0, (stop - start + step - 1) // step)
        return 0
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        if all(not isinstance(e, ast.Starred) for e in node.elts):
            return len(node.elts)
        return 0
    if isinstance(node, ast.Subscript):
        inner = node.slice
        if isinstance(inner, ast.Slice) and inner.lower is None and inner.step is None and int_value(inner.upper) is not None:
            return int_value(inner.upper)
    return 0


def _fstring_fields(node: ast.expr) -> int:
    """f-string fields that hold a name, attribute or number (`f"ticket #{n}"`)."""
    return sum(
        1 for part in find_all(node, ast.FormattedValue)
        if isinstance(part.value, (ast.Name, ast.Attribute)) or int_value(part.value) is not None
    )


def _literal_text_size(node: ast.expr, constants: dict[str, int]) -> tuple[int, bool]:
    """(characters of literal text inside, whether computed content is there too).
    A bare name field (`{n}`) is a few tokens (see _fstring_fields), not computed
    content; an attribute (`{ticket.body}`) is read as computed: it is often a
    document."""
    chars, computed = 0, False

    def visit(part: ast.AST) -> bool:
        nonlocal chars, computed
        if isinstance(part, ast.FormattedValue) and (isinstance(part.value, ast.Name) or int_value(part.value) is not None):
            return False
        if isinstance(part, ast.Constant):
            if isinstance(part.value, (str, bytes)):
                chars += len(part.value)
        elif isinstance(part, ast.Name):
            if part.id in constants:
                chars += constants[part.id]
            else:
                computed = True
        elif isinstance(part, (ast.Call, ast.Subscript)):
            computed = True
        return True

    walk(node, visit)
    return chars, computed


def _receiver_text(func: ast.expr) -> str:
    """`df["text"].apply` -> `df[...].apply`: enough to name the method called."""
    if not isinstance(func, ast.Attribute):
        return ""
    base = func.value
    if isinstance(base, ast.Subscript):
        head = dotted_name(base.value) or "..."
        return f"{head}[...].{func.attr}"
    if isinstance(base, ast.Call):
        head = dotted_name(base.func) or _receiver_text(base.func) or "..."
        return f"{head}(...).{func.attr}"
    return f"(...).{func.attr}"


def _blocks_holding(container: ast.stmt):
    """The statement lists directly inside a compound statement."""
    if isinstance(container, (*LOOPS, ast.With, ast.AsyncWith, *FUNCTION_DEFS, ast.ClassDef)):
        yield container.body
    elif isinstance(container, ast.If):
        yield container.body
        yield container.orelse
    elif isinstance(container, TRY):
        yield container.body
        for handler in container.handlers:
            yield handler.body
        yield container.orelse
        yield container.finalbody


def _result_discarded(site: _SiteBuilder) -> bool:
    """The call is a statement of its own (`log(x)`, `await notify(x)`): its
    result goes nowhere, so no name in the loop can hold it."""
    statement = site.stmt_path[-1] if site.stmt_path else None
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value
    if isinstance(value, ast.Await):
        value = value.value
    return value is site.node


def _exits(stmt: ast.stmt) -> bool:
    return isinstance(stmt, (ast.Return, ast.Break))


def _if_exits(node: ast.If) -> bool:
    """Some branch of an if/elif/else chain returns or breaks (at any depth of
    nested ifs, not inside an inner loop or def)."""
    return _block_exits_deep(node.body) or _block_exits_deep(node.orelse)


def _tests_tainted(node: ast.If, tainted: set[str]) -> bool:
    """Any test in a nested if chain reads the result (`if "ok" in parsed: ... break`)."""
    for stmt in node.body:
        if isinstance(stmt, ast.If) and (names_read(stmt.test) & tainted or _tests_tainted(stmt, tainted)):
            return True
    return False


def _block_exits_deep(block: list[ast.stmt]) -> bool:
    for stmt in block:
        if _exits(stmt):
            return True
        if isinstance(stmt, ast.If) and _if_exits(stmt):
            return True
        if isinstance(stmt, (ast.With, ast.AsyncWith, ast.Try)) and _block_exits_deep(stmt.body):
            return True
    return False


def _is_range(loop: ast.For | ast.AsyncFor) -> bool:
    return isinstance(loop.iter, ast.Call) and (dotted_name(loop.iter.func) or "").endswith("range")


def stream_flag(block: list[ast.stmt], is_generator: bool) -> str:
    """What code does with a stream it receives: prints/sends it ("stream-shown"),
    only yields it on ("stream-yielded": shown or not by whoever consumes the
    generator, see chains.py), or neither ("stream-drained")."""
    if _shows_output(block, yields=False):
        return "stream-shown"
    return "stream-yielded" if is_generator or _shows_output(block) else "stream-drained"


def _shows_output(block: list[ast.stmt], yields: bool = True) -> bool:
    """Does this code print, yield, send or write what it receives?"""
    shown = False

    def visit(node: ast.AST) -> bool:
        nonlocal shown
        if yields and isinstance(node, (ast.Yield, ast.YieldFrom)):
            shown = True
        elif isinstance(node, ast.Call) and (dotted_name(node.func) or "").rpartition(".")[2] in SHOW_CALLS:
            shown = True
        return not shown

    walk(block, visit)
    return shown


def _scan_comments(source: str) -> tuple[tuple, tuple]:
    noqa, pragmas = [], []
    if "#" not in source:
        return (), ()
    for number, line in enumerate(source.splitlines(), start=1):
        if "#" not in line:
            continue
        match = _NOQA.search(line)
        if match:
            codes = match.group("codes") or ""
            noqa.append((number, ",".join(re.split(r"[,\s]+", codes.upper().strip())) if codes else ""))
        pragma = _PRAGMA.search(line)
        if pragma:
            text = pragma.group("text").strip()
            if not text.lower().startswith("noqa") or line.lstrip().startswith("#"):  # a file's noqa stands alone
                pragmas.append((number, text))
    return tuple(noqa), tuple(pragmas)


def selects_one_item(loop: ast.stmt, stmt_path: list) -> bool:
    """`for name in providers: if name == chosen: ask(name)`: the call runs for
    the one item equal to a value the loop does not change, so at most once
    per run of the loop (a person reading a command's output, not a batch)."""
    if not isinstance(loop, (ast.For, ast.AsyncFor)):
        return False
    targets = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    try:
        start = next(i for i, s in enumerate(stmt_path) if s is loop)
    except StopIteration:
        return False
    for container, child in zip(stmt_path[start:], stmt_path[start + 1:]):
        if isinstance(container, ast.If) and any(s is child for s in container.body) and _equals_target(container.test, targets):
            return True
    return False


def _equals_target(test: ast.expr, targets: set[str]) -> bool:
    """`name == chosen` (or one such test joined by `and`), `chosen` not read from the item."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_equals_target(value, targets) for value in test.values)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    left, right = test.left, test.comparators[0]
    for mine, other in ((left, right), (right, left)):
        if isinstance(mine, ast.Name) and mine.id in targets:
            return not any(isinstance(n, ast.Name) and n.id in targets for n in ast.walk(other))
    return False

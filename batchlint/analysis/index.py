"""One pass over one file's `ast` tree -> FileFacts.

The pass records every call site with the constructs around it (loops,
comprehensions, fan-out wrappers, lambdas, `__main__` guards), every function
and class, module-level bindings and imports. Names are resolved through the
file's own imports and bindings into symbolic dotted strings (see facts.py);
nothing is looked up in other files here, so the result depends on this file's
text alone and can be cached by its hash.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass, field

from ..boundary import clamp
from .astwalk import (
    FUNCTION_DEFS, LEAVES, LOOPS, TRY, Arg, call_args, dotted_name, fields, find_all, int_value, str_value, walk,
)
from .batched import from_runtime_module, is_batchify, is_runtime_source
from .dependence import LoopFlow, names_read
from .literals import literal_token
from .spans import SourceText
from .facts import (
    UNKNOWN,
    ClassFacts,
    Decorator,
    FileFacts,
    FunctionFacts,
    RequestFacts,
    ScheduleRef,
    Site,
    Span,
    Struct,
    param_token,
)

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

_SCALAR_ANNOTATIONS = frozenset(("builtins.str()", "builtins.int()", "builtins.float()", "builtins.bool()"))

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
        "define_asset_job",
    }
)

INPUT_CALLS = frozenset(
    {
        "builtins.input", "input", "getpass.getpass", "click.prompt", "typer.prompt",
        "prompt_toolkit.prompt", "sys.stdin.readline", "rich.prompt.Prompt.ask",
        "rich.prompt.Confirm.ask", "rich.prompt.IntPrompt.ask",
    }
)

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


@dataclass
class _SiteBuilder:
    node: ast.Call | None
    scope: str
    callee: str
    span: Span
    structs: list  # list of _StructBuilder, innermost first
    text: str
    ref_via: str = ""
    ref_arg: str = ""
    kwargs: tuple = ()
    args: tuple = ()
    flags: set = field(default_factory=set)
    stmt_path: tuple = ()
    callee_alts: tuple = ()
    request: RequestFacts | None = None
    arg_values: tuple = ()

    def dropped(self) -> bool:
        """A call of a builtin (`len(x)`, `print(...)`) can never reach Claude or
        register a job: facts() leaves it out once its constructs and flags
        have been used."""
        return self.node is not None and self.callee.startswith("builtins.")

    def freeze(self) -> Site:
        return Site(
            scope=self.scope,
            callee=self.callee,
            span=self.span,
            structs=tuple(s.freeze_for(self) for s in self.structs),
            text=self.text,
            ref_via=self.ref_via,
            ref_arg=self.ref_arg,
            kwargs=self.kwargs,
            args=self.args,
            flags=frozenset(self.flags),
            callee_alts=self.callee_alts,
            request=self.request,
            arg_values=self.arg_values,
        )


@dataclass
class _StructBuilder:
    kind: str
    label: str
    span: Span
    via: str = ""
    count: int = 0
    count_ref: str = ""  # range(BATCH_SIZE), rows[:LIMIT]: the bound's symbolic value
    flags: set = field(default_factory=set)  # flags for every site inside
    per_site: dict = field(default_factory=dict)  # id(site builder) -> extra flags
    sites: list = field(default_factory=list)

    def freeze_for(self, site: _SiteBuilder) -> Struct:
        flags = self.flags | self.per_site.get(id(site), set())
        return Struct(self.kind, self.label, self.span, self.via, frozenset(flags), self.count, self.count_ref)


@dataclass
class _Scope:
    kind: str  # "module" | "class" | "function"
    qual: str
    locals: dict = field(default_factory=dict)
    class_qual: str = ""
    structs: list = field(default_factory=list)  # open constructs, innermost last
    returns: list = field(default_factory=list)
    is_generator: bool = False
    attrs: dict = field(default_factory=dict)  # class scope: attribute bindings
    alts: dict = field(default_factory=dict)  # function scope: name -> every known value
    params: dict = field(default_factory=dict)  # function scope: name -> position (-1: keyword-only)
    mapped: dict = field(default_factory=dict)  # param name -> "fanout" | "loop"


class _Indexer:
    """Walks one module (children in source order, see astwalk) and records facts.

    `visit_<NodeType>` methods run before a node's children; returning False
    means the method walked the children it cares about itself."""

    def __init__(self, module: str, path: str, is_package: bool, text: SourceText,
                 renamed_neighbours: tuple[tuple[str, str], ...] = ()) -> None:
        self.source = text
        self.module = module
        self.path = path
        self.package = module if is_package else module.rpartition(".")[0]
        # longest first: `pkg.common` before `pkg`
        self.renamed_neighbours = sorted(renamed_neighbours, key=lambda pair: -len(pair[0]))
        self.imports: dict[str, str] = {}
        self.star_imports: list[str] = []
        self.module_defs: set[str] = set()
        self.variables: dict[str, str] = {}
        self.variable_alts: dict[str, list[str]] = {}
        self.string_constants: dict[str, int] = {}  # module-level NAME = "literal" -> length
        self.string_values: dict[str, str] = {}  # the same, for short literals (model ids)
        self.cached_constants: set[str] = set()  # constants holding a cache_control breakpoint
        self.functions: list[FunctionFacts] = []
        self.classes: dict[str, dict] = {}
        self.class_facts: list[ClassFacts] = []
        self.sites: list[_SiteBuilder] = []
        self.schedule_refs: list[ScheduleRef] = []
        self.scopes: list[_Scope] = [_Scope("module", module)]
        self.stmt_stack: list[ast.stmt] = []
        self.awaited: set[int] = set()
        self.imported_modules: set[str] = set()

    # ----------------------------------------------------------------- helpers
    @property
    def scope(self) -> _Scope:
        return self.scopes[-1]

    def _function_scope(self) -> _Scope | None:
        for scope in reversed(self.scopes):
            if scope.kind == "function":
                return scope
        return None

    def _code_scope(self) -> _Scope:
        """The scope whose code runs here: the innermost function, else the module."""
        return self._function_scope() or self.scopes[0]

    def _pos(self, node: ast.AST) -> Span:
        return self.source.span(node)

    # node type -> (visit function, child fields, is a statement). Shared by
    # all instances and holding plain functions: a per-instance table of bound
    # methods would be a reference cycle keeping every file's tree alive until
    # the garbage collector runs.
    _dispatch: dict[type, tuple] = {}

    def walk(self, node: ast.AST) -> None:
        tp = type(node)
        entry = self._dispatch.get(tp)
        if entry is None:
            handler = getattr(type(self), "visit_" + tp.__name__, None)
            entry = self._dispatch[tp] = (handler, fields(tp), issubclass(tp, ast.stmt))
        handler, names, is_statement = entry
        if is_statement:
            self.stmt_stack.append(node)
        if handler is None or handler(self, node) is not False:
            for name in names:
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast.AST) and type(item) not in LEAVES:
                            self.walk(item)
                elif isinstance(value, ast.AST) and type(value) not in LEAVES:
                    self.walk(value)
        if is_statement:
            self.stmt_stack.pop()

    def walk_body(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.walk(stmt)

    def run(self, module: ast.Module) -> None:
        for stmt in module.body:
            self._prepass(stmt)
        self.walk_body(module.body)
        module_sites = [s for s in self.sites if s.scope == self.module]
        self._settle_streams(module_sites, module.body, False)

    def resolve_name(self, name: str) -> str:
        for scope in reversed(self.scopes):
            if scope.kind == "function" and name in scope.locals:
                return scope.locals[name]
        if name in self.imports:
            return self.imports[name]
        if name in self.module_defs or name in self.variables:
            return f"{self.module}.{name}"
        if self.star_imports:
            return f"{self.star_imports[0]}.{name}" if len(self.star_imports) == 1 else UNKNOWN
        return f"builtins.{name}"

    def expr(self, node: ast.AST | None) -> str:
        """Symbolic string for an expression, or UNKNOWN."""
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Name):
            return self.resolve_name(node.id)
        if isinstance(node, ast.Attribute):
            base = self.expr(node.value)
            return UNKNOWN if base == UNKNOWN else f"{base}.{node.attr}"
        if isinstance(node, ast.Call):
            func = node.func
            name = dotted_name(func) or ""
            if name.rpartition(".")[2] == "partial" and node.args:
                return self.expr(node.args[0])  # functools.partial(f, ...) ~ f
            base = self.expr(func)
            return UNKNOWN if base == UNKNOWN else f"{base}()"
        if isinstance(node, ast.Await):
            return self.expr(node.value)
        if isinstance(node, ast.BoolOp):
            # `client or Anthropic()`: prefer the side that constructs something.
            left = self.expr(node.values[0])
            for value in node.values[1:]:
                right = self.expr(value)
                if right.endswith("()") and not left.endswith("()"):
                    left = right
                elif left == UNKNOWN:
                    left = right
            return left
        if isinstance(node, ast.IfExp):
            body, orelse = self.expr(node.body), self.expr(node.orelse)
            return body if body != UNKNOWN else orelse
        return UNKNOWN  # `None`, literals, anything computed

    def annotation_instance(self, node: ast.expr | None) -> str:
        """`client: Anthropic | None` -> "anthropic.Anthropic()"."""
        if node is None:
            return UNKNOWN
        quoted = str_value(node)
        if quoted is not None:
            try:
                node = ast.parse(quoted.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return UNKNOWN  # not an expression; unknown annotation
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | None
            for side in (node.left, node.right):
                if not (isinstance(side, ast.Constant) and side.value is None):
                    node = side
                    break
        if isinstance(node, ast.Subscript):  # Optional[X]
            head = dotted_name(node.value) or ""
            if head.rpartition(".")[2] == "Optional":
                inner = node.slice
                node = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
        base = self.expr(node) if isinstance(node, (ast.Name, ast.Attribute)) else UNKNOWN
        return UNKNOWN if base == UNKNOWN else f"{base}()"

    def bind(self, target: ast.AST, value: str) -> None:
        scope = self.scope
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element, UNKNOWN)
            return
        if isinstance(target, ast.Name):
            name = target.id
            if scope.kind == "function":
                # `call_api = a if ... else b` spread over branches: keep every value
                previous = scope.locals.get(name, UNKNOWN)
                if previous not in (UNKNOWN, value) and value != UNKNOWN:
                    known = scope.alts.setdefault(name, [previous])
                    if value not in known:
                        known.append(value)
                scope.locals[name] = value
            elif scope.kind == "class":
                scope.attrs.setdefault(name, value)
            else:
                previous = self.variables.get(name, UNKNOWN)
                if previous not in (UNKNOWN, value) and value != UNKNOWN:
                    known = self.variable_alts.setdefault(name, [previous])
                    if value not in known:
                        known.append(value)
                if value != UNKNOWN or name not in self.variables:
                    self.variables[name] = value
            return
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            # self.client = Anthropic() inside a method binds an instance attribute
            fn = self._function_scope()
            if fn is not None and fn.class_qual and target.value.id == "self":
                attrs = self.classes[fn.class_qual]["attrs"]
                if attrs.get(target.attr, UNKNOWN) == UNKNOWN:
                    attrs[target.attr] = value

    def _text_of(self, node: ast.AST) -> str:
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = dotted_name(node)
            if dotted:
                return dotted
        return _short(self.source.text(node))

    # ------------------------------------------------------------------ module
    def _prepass(self, stmt: ast.stmt) -> None:
        """Top-level names, so a function body may use a name defined below it."""
        if isinstance(stmt, (*FUNCTION_DEFS, ast.ClassDef)):
            self.module_defs.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._record_import(stmt, self.imports)
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    self.module_defs.add(t.id)
        elif isinstance(stmt, ast.AnnAssign):
            if isinstance(stmt.target, ast.Name):
                self.module_defs.add(stmt.target.id)
        elif isinstance(stmt, (ast.If, *TRY)):
            blocks = [stmt.body, stmt.orelse]
            if not isinstance(stmt, ast.If):
                blocks += [h.body for h in stmt.handlers]
            for block in blocks:
                for inner in block:
                    self._prepass(inner)

    def _neighbour(self, dotted: str) -> str:
        """`dotted` with a renamed neighbour's name replaced by its new one:
        `common.fetch` -> `tools.common.fetch` when ./common.py was renamed."""
        for name, renamed in self.renamed_neighbours:
            if dotted == name or dotted.startswith(name + "."):
                return renamed + dotted[len(name):]
        return dotted

    def _record_import(self, node: ast.Import | ast.ImportFrom, into: dict) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                full = alias.name
                self.imported_modules.add(full.partition(".")[0])
                if alias.asname is not None:
                    into[alias.asname] = self._neighbour(full)
                else:
                    head = full.partition(".")[0]
                    into[head] = self._neighbour(head)
            return
        base = node.module or ""
        if node.level:
            package = self.package
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}".strip(".") if base else package
        self.imported_modules.add((base or "").partition(".")[0])
        if node.names and node.names[0].name == "*":
            base = self._neighbour(base)
            if base and base not in self.star_imports:
                self.star_imports.append(base)
            return
        for alias in node.names:
            name = alias.name
            local = alias.asname if alias.asname is not None else name
            into[local] = self._neighbour(f"{base}.{name}" if base else name)

    # ------------------------------------------------------------ statements
    def visit_Import(self, node: ast.Import) -> bool:
        if self.scope.kind == "function":
            self._record_import(node, self.scope.locals)
        return False

    visit_ImportFrom = visit_Import

    def _note_string_constant(self, target: ast.AST, value: ast.expr) -> None:
        if self.scope.kind == "module" and isinstance(target, ast.Name):
            chars, computed = _literal_text_size(value, {})
            if chars and not computed:
                self.string_constants[target.id] = chars
            if _mentions_cache_control(value):
                self.cached_constants.add(target.id)
            literal = str_value(value)
            if literal is not None and len(literal) <= 100:
                self.string_values[target.id] = literal

    def visit_Assign(self, node: ast.Assign) -> bool | None:
        if isinstance(node.value, ast.Lambda) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self._named_lambda(node.targets[0], node.value)
            return False
        value = self.expr(node.value)
        if value == UNKNOWN and (self.scope.kind != "function" or isinstance(node.targets[0], ast.Attribute)):
            value = self._literal(node.value) or UNKNOWN  # MODEL = "claude-...", self.max_tokens = 8: request values
        for target in node.targets:
            self.bind(target, value)
            self._note_string_constant(target, node.value)
            self._maybe_schedule_table(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        value = self.expr(node.value) if node.value is not None else UNKNOWN
        if value == UNKNOWN and (self.scope.kind != "function" or isinstance(node.target, ast.Attribute)):
            value = self._literal(node.value) or UNKNOWN  # `model: str = "claude-..."` in a settings class
        # `client: Anthropic = field(default_factory=Anthropic)`: the annotation says more
        if value == UNKNOWN or value.rpartition(".")[2] in ("field()", "Field()"):
            annotated = self.annotation_instance(node.annotation)
            value = annotated if annotated != UNKNOWN else value
        self.bind(node.target, value)
        if node.value is not None:
            self._maybe_schedule_table(node.target, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.bind(node.target, self.expr(node.value))

    def visit_Return(self, node: ast.Return) -> None:
        fn = self._function_scope()
        if fn is not None and node.value is not None:
            value = self.expr(node.value)
            if value != UNKNOWN:
                fn.returns.append(value)

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        fn = self._function_scope()
        if fn is not None:
            fn.is_generator = True

    visit_YieldFrom = visit_Yield

    def visit_Await(self, node: ast.Await) -> None:
        self.awaited.add(id(node.value))

    # ------------------------------------------------------- schedule tables
    def _maybe_schedule_table(self, target: ast.AST, value: ast.expr) -> None:
        name = dotted_name(target) or ""
        last = name.rpartition(".")[2]
        if last in ("beat_schedule", "CELERY_BEAT_SCHEDULE", "CELERYBEAT_SCHEDULE") and isinstance(value, ast.Dict):
            self._beat_entries(value)
        elif last == "CRONJOBS" and isinstance(value, (ast.List, ast.Tuple)):
            for entry in value.elts:
                if isinstance(entry, (ast.Tuple, ast.List)) and len(entry.elts) >= 2:
                    cron = str_value(entry.elts[0])
                    func = str_value(entry.elts[1])
                    if cron and func:
                        self.schedule_refs.append(
                            ScheduleRef(func, "django-crontab CRONJOBS", repr(cron), self._pos(entry))
                        )

    def _beat_entries(self, table: ast.Dict) -> None:
        for key, value in zip(table.keys, table.values):
            if key is None or not isinstance(value, ast.Dict):  # `**other` spreads
                continue
            label = str_value(key) or ""
            task, schedule = None, ""
            for field_key, field_value in zip(value.keys, value.values):
                name = str_value(field_key) if field_key is not None else None
                if name == "task":
                    task = str_value(field_value)
                elif name == "schedule":
                    schedule = self.source.text(field_value)
            if task:
                self.schedule_refs.append(
                    ScheduleRef(task, f"Celery beat entry '{label}'", schedule, self.source.span_between(key, value))
                )

    # ------------------------------------------------------------ functions
    def _decorators(self, decorators: list[ast.expr]) -> tuple[Decorator, ...]:
        out = []
        for node in decorators:
            called = isinstance(node, ast.Call)
            func = node.func if called else node
            args, kwargs = (), ()
            if called:
                arguments = call_args(node)
                args = tuple(self._text_of(a.value) for a in arguments if a.keyword is None)
                kwargs = tuple((a.keyword, self._text_of(a.value)) for a in arguments if a.keyword is not None)
            out.append(Decorator(self.expr(func), self._text_of(func), called, args, kwargs))
        return tuple(out)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        outer = self.scope
        name = node.name
        for dec in node.decorator_list:
            self.walk(dec)
        decorators = self._decorators(node.decorator_list)
        class_qual = outer.qual if outer.kind == "class" else ""
        qual = f"{outer.qual}.{name}"
        parent_fn = self._function_scope()
        if outer.kind == "function":
            outer.locals[name] = qual
        scope = _Scope("function", qual, class_qual=class_qual)
        # Parameters: annotated ones are instances of their type; `self` is one of the class.
        params = node.args
        positional = params.posonlyargs + params.args
        defaults = [None] * (len(positional) - len(params.defaults)) + list(params.defaults)
        named = [(p, d, i) for i, (p, d) in enumerate(zip(positional, defaults))]
        named += [(p, d, -1) for p, d in zip(params.kwonlyargs, params.kw_defaults)]
        dec_names = {d.expr.rpartition(".")[2] for d in decorators}
        param_defaults = []
        for param, default, position in named:
            value = self.annotation_instance(param.annotation)
            if value in _SCALAR_ANNOTATIONS:
                value = UNKNOWN  # `model: str = ...`: what callers pass (request_values.py) says more than `str`
            if default is not None:
                known = self.expr(default) if isinstance(default, (ast.Name, ast.Attribute)) else self._literal(default)
                if known and known != UNKNOWN:
                    param_defaults.append((param.arg, known))
            if value == UNKNOWN and isinstance(default, (ast.Name, ast.Attribute)):
                value = self.expr(default)
            if position == 0 and class_qual and "staticmethod" not in dec_names:
                value = class_qual if "classmethod" in dec_names else f"{class_qual}()"
            if value == UNKNOWN:
                # untyped: the project stage may learn its type from what callers pass
                value = param_token(qual, position, param.arg)
            scope.locals[param.arg] = value
            scope.params[param.arg] = position
        for param in (params.vararg, params.kwarg):
            if param is not None:
                scope.locals[param.arg] = self.annotation_instance(param.annotation)
                scope.params[param.arg] = -1
        returns = []
        if node.returns is not None:
            ann = self.annotation_instance(node.returns)
            if ann != UNKNOWN:
                returns.append(ann)
        self.scopes.append(scope)
        before = len(self.sites)
        self.walk_body(node.body)
        self._settle_streams(self.sites[before:], node.body, scope.is_generator)
        self.scopes.pop()
        self.functions.append(
            FunctionFacts(
                qual=qual,
                name=name,
                span=self._pos(node),
                class_qual=class_qual,
                parent=parent_fn.qual if parent_fn is not None else "",
                is_async=isinstance(node, ast.AsyncFunctionDef),
                is_generator=scope.is_generator,
                decorators=decorators,
                returns=tuple(returns + scope.returns),
                header_line=SourceText.header_line(node),
                mapped_params=tuple((n, scope.params[n], k) for n, k in scope.mapped.items()),
                defaults=tuple(param_defaults),
            )
        )
        return False

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> bool:
        outer = self.scope
        for dec in node.decorator_list:
            self.walk(dec)
        decorators = self._decorators(node.decorator_list)
        bases = tuple(self.expr(base) for base in node.bases)
        qual = f"{outer.qual}.{node.name}"
        if outer.kind == "function":
            outer.locals[node.name] = qual
        scope = _Scope("class", qual)
        self.classes[qual] = {"attrs": scope.attrs}
        self.scopes.append(scope)
        self.walk_body(node.body)
        self.scopes.pop()
        self.class_facts.append(
            ClassFacts(
                qual=qual,
                name=node.name,
                span=self._pos(node),
                bases=bases,
                attrs=tuple(scope.attrs.items()),
                decorators=decorators,
            )
        )
        return False

    def _named_lambda(self, target: ast.Name, node: ast.Lambda) -> None:
        """`ask = lambda p: client.messages.create(...)` is a function named `ask`."""
        outer = self.scope
        qual = f"{outer.qual}.{target.id}"
        parent_fn = self._function_scope()
        scope = _Scope("function", qual)
        for param in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            scope.locals[param.arg] = UNKNOWN
        self.bind(target, qual)
        self.scopes.append(scope)
        self.walk(node.body)
        returned = self.expr(node.body)
        self.scopes.pop()
        self.functions.append(
            FunctionFacts(
                qual=qual,
                name=target.id,
                span=self._pos(node),
                class_qual="",
                parent=parent_fn.qual if parent_fn is not None else "",
                is_async=False,
                is_generator=False,
                decorators=(),
                returns=(returned,) if returned != UNKNOWN else (),
            )
        )

    def visit_Lambda(self, node: ast.Lambda) -> bool:
        code = self._code_scope()
        struct = _StructBuilder("lambda", "lambda", self._pos(node))
        code.structs.append(struct)
        self.walk(node.body)
        code.structs.pop()
        return False

    # ----------------------------------------------------------------- loops
    def _open(self, struct: _StructBuilder) -> None:
        self._code_scope().structs.append(struct)

    def _close(self) -> _StructBuilder:
        return self._code_scope().structs.pop()

    def visit_For(self, node: ast.For | ast.AsyncFor) -> bool:
        self.walk(node.iter)
        self.bind(node.target, UNKNOWN)
        iter_name = dotted_name(node.iter.func) if isinstance(node.iter, ast.Call) else dotted_name(node.iter)
        label = f"for loop over `{self._text_of(node.iter)}`"
        struct = _StructBuilder("for", label, self._pos(node), count=_literal_count(node.iter),
                                count_ref=self._bound_ref(node.iter))
        if iter_name and iter_name.rpartition(".")[2] == "range":
            struct.flags.add("range")
        if self.expr(node.iter) in ("sys.stdin", "builtins.input"):
            struct.flags.add("chat")
        self._open(struct)
        self.walk_body(node.body)
        self._close()
        self._finish_loop(struct, node, None)
        self.walk_body(node.orelse)
        return False

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> bool:
        struct = _StructBuilder("while", f"while loop `while {self._text_of(node.test)}`", self._pos(node))
        self._open(struct)
        self.walk(node.test)
        self.walk_body(node.body)
        self._close()
        self._finish_loop(struct, node, node.test)
        self.walk_body(node.orelse)
        return False

    def _comprehension(self, node, elements) -> bool:
        first, *inner = node.generators
        self.walk(first.iter)
        struct = _StructBuilder("comp", f"comprehension over `{self._text_of(first.iter)}`", self._pos(node),
                                count=_literal_count(first.iter), count_ref=self._bound_ref(first.iter))
        self._open(struct)
        for element in elements:
            self.walk(element)
        for cond in first.ifs:
            self.walk(cond)
        for comp in inner:
            self.walk(comp)
        self._close()
        return False

    def visit_ListComp(self, node: ast.ListComp) -> bool:
        return self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> bool:
        return self._comprehension(node, [node.key, node.value])

    def _finish_loop(self, struct: _StructBuilder, loop: ast.For | ast.AsyncFor | ast.While, test) -> None:
        """Per-site facts for a loop: loop-carried dependence, retry shape, early exit."""
        sites = [s for s in struct.sites if s.node is not None and not s.dropped()]  # no flags for what facts() drops
        if not sites:
            return
        # a discarded result can feed nothing: no dependence, no test of it
        discarded = [_result_discarded(site) for site in sites]
        flow = None
        if not all(discarded):
            fresh = set() if isinstance(loop, ast.While) else {n.partition(".")[0] for n in names_read(loop.target)}
            flow = LoopFlow(loop.body, test, fresh)
        for site, thrown_away in zip(sites, discarded):
            flags = set()
            if not thrown_away and flow.is_dependent(site.node):
                flags.add("dependent")
            elif not thrown_away and flow.test_reads_result(site.node):
                flags.add("retry")
            exit_kind = self._exit_after(loop, site, None if thrown_away else flow)
            if exit_kind:
                flags.add(exit_kind)
            if flags:
                struct.per_site[id(site)] = flags

    def _exit_after(self, loop: ast.stmt, site: _SiteBuilder, flow: LoopFlow | None) -> str:
        """'retry' if the loop returns/breaks right after the call succeeds,
        'breaks-on-result' if it leaves the loop on a test of the result.
        `flow` is None when the call's result is discarded."""
        path = site.stmt_path
        try:
            start = next(i for i, s in enumerate(path) if s is loop)
        except StopIteration:
            return ""
        if path and _exits(path[-1]):
            return "retry"  # `return client.messages.create(...)` inside the loop
        tainted = None
        result = ""
        for container, child in zip(path[start:], path[start + 1 :]):
            if container is not loop and isinstance(container, LOOPS):
                break  # a deeper loop: its break/return is not this loop's
            for block in _blocks_holding(container):
                idx = next((i for i, s in enumerate(block) if s is child), None)
                if idx is None:
                    continue
                for later in block[idx + 1 :]:
                    if _exits(later):
                        return "retry"
                    if isinstance(later, ast.If) and _if_exits(later):
                        if tainted is None:
                            tainted = flow.tainted_by(site.node) if flow is not None else set()
                        if names_read(later.test) & tainted or _tests_tainted(later, tainted):
                            result = "breaks-on-result"
            if isinstance(container, TRY) and any(s is child for s in container.body):
                if any(_exits(s) for s in container.orelse):
                    return "retry"
        # a retry loop that re-asks the same request until the answer is acceptable
        if result and isinstance(loop, ast.While) or (result and not isinstance(loop, ast.While) and _is_range(loop)):
            return "retry"
        return result

    # -------------------------------------------------------- if __main__
    def visit_If(self, node: ast.If) -> bool:
        if self.scope.kind == "module" and _is_main_guard(node.test):
            struct = _StructBuilder("main-guard", "`if __name__ == \"__main__\"` block", self._pos(node))
            self._open(struct)
            self.walk_body(node.body)
            self._close()
            self.walk_body(node.orelse)
            return False
        return True

    # ------------------------------------------------------------------ with
    def visit_With(self, node: ast.With | ast.AsyncWith) -> bool:
        before = len(self.sites)
        batching = None  # the item that batches what runs in the block
        for item in node.items:
            self.walk(item.context_expr)
            value = self.expr(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value)
            if batching is None and (is_batchify(value) or from_runtime_module(value)):
                batching = item.context_expr
        calls = {id(item.context_expr) for item in node.items if isinstance(item.context_expr, ast.Call)}
        new_sites = [s for s in self.sites[before:] if s.node is not None and id(s.node) in calls]
        if new_sites:
            # `with client.messages.stream(...) as s:` — is the stream shown or only drained?
            shown = _shows_output(node.body) or bool(self._function_scope() and self._function_scope().is_generator)
            for site in new_sites:
                site.flags.add("stream-shown" if shown else "stream-drained")
        if batching is None:
            self.walk_body(node.body)
            return False
        # batchling (or the batch runtime's own block) intercepts every Messages
        # request made inside the block, and in what it calls, and batches them
        keyword = "async with" if isinstance(node, ast.AsyncWith) else "with"
        self._open(_StructBuilder("batchify", f"`{keyword} {self._text_of(batching)}` block", self._pos(node)))
        self.walk_body(node.body)
        self._close()
        return False

    visit_AsyncWith = visit_With

    # ----------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> bool:
        code = self._code_scope()
        arguments = call_args(node)
        callee = self.expr(node.func)
        last = callee.rpartition(".")[2].rstrip("()") if callee != UNKNOWN else (dotted_name(node.func) or "").rpartition(".")[2]
        keep_text = last in TEXT_KEPT_CALLS
        kwargs = ()
        args = ()
        if keep_text:
            kwargs = tuple((a.keyword, self._text_of(a.value)) for a in arguments if a.keyword is not None)
            args = tuple(self._text_of(a.value) for a in arguments if a.keyword is None and not a.star)
        span = self._pos(node)
        func_text = dotted_name(node.func) or _receiver_text(node.func)
        if last == "do" and not dotted_name(node.func):
            func_text = _short(self.source.text(node.func))  # schedule.every(10).minutes.do: keep the schedule
        text = f"{func_text}(...)" if func_text else "call"
        site = _SiteBuilder(
            node=node,
            scope=code.qual,
            callee=callee,
            span=span,
            structs=list(reversed(code.structs)),
            text=text,
            kwargs=kwargs,
            args=args,
            stmt_path=tuple(self.stmt_stack),
        )
        if id(node) in self.awaited:
            site.flags.add("awaited")
        site.callee_alts = self._alternatives(node.func, callee)
        site.arg_values = self._arg_values(arguments)
        if last in ("create", "parse", "stream"):
            site.request = self._request_facts(node, arguments)
        self._note_mapped_params(node, arguments, code, callee, last)
        self._register(site, code)
        if callee in INPUT_CALLS or callee.startswith("questionary.") or callee.endswith(".input") and "Console" in callee:
            for struct in code.structs:
                if struct.kind in ("for", "while"):
                    struct.flags.add("chat")
        # Function references passed as arguments (executor.map(fn, xs), Thread(target=fn)).
        for index, arg in enumerate(arguments):
            # `add_job(wrapper, args=(job, ...))`: functions inside a tuple/list argument count too
            values = arg.value.elts if isinstance(arg.value, (ast.Tuple, ast.List)) else [arg.value]
            for value in values:
                ref = self._reference(value)
                if not ref:
                    continue
                # the same place and constructs as the call, naming the function passed
                self._register(
                    dataclasses.replace(
                        site, node=None, callee=ref, ref_via=callee, flags=set(), callee_alts=(), request=None, arg_values=(),
                        ref_arg=arg.keyword if arg.keyword is not None else str(index),
                    ),
                    code,
                )
        self.walk(node.func)
        if last in ARG_CONTEXT_CALLS:
            struct = _StructBuilder("arg", f"argument of `{text}`", span, via=callee)
            code.structs.append(struct)
            for arg in arguments:
                self.walk(arg.value)
            code.structs.pop()
        else:
            for arg in arguments:
                self.walk(arg.value)
        return False

    def _settle_streams(self, sites, body: list[ast.stmt], is_generator: bool) -> None:
        """A `stream=True` / `.stream()` call not consumed in a `with`: decide by the
        function as a whole whether what arrives is shown to someone."""
        pending = [
            s for s in sites
            if s.node is not None and not s.flags & {"stream-shown", "stream-drained"}
            and (("stream", "True") in s.kwargs or s.callee.endswith(".stream"))
        ]
        if pending:
            shown = is_generator or _shows_output(body)
            for site in pending:
                site.flags.add("stream-shown" if shown else "stream-drained")

    def _arg_values(self, arguments: list[Arg]) -> tuple[tuple[str, str], ...]:
        out = []
        position = 0
        for arg in arguments:
            if arg.star:
                out.append(("*", UNKNOWN))  # *args/**kwargs: positions after it, and any keyword, unknown
                break
            value = self.expr(arg.value) if isinstance(arg.value, (ast.Name, ast.Attribute, ast.Call)) else UNKNOWN
            if value == UNKNOWN:
                value = self._literal(arg.value) or UNKNOWN  # ClaudeProvider(model="claude-haiku-4-5")
            key = arg.keyword if arg.keyword is not None else str(position)
            if arg.keyword is None:
                position += 1
            # an argument not followed stays, as "?": request_values.py must not read a default for it
            out.append((key, UNKNOWN if value.startswith("builtins.") else value))
        return tuple(out)

    def _bound_ref(self, node: ast.expr) -> str:
        """The named bound of `range(N)` / `xs[:N]` (request_values.py resolves it), or ""."""
        bound = None
        if isinstance(node, ast.Call) and (dotted_name(node.func) or "") == "range" and len(node.args) == 1 and not node.keywords:
            bound = node.args[0]
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and node.slice.lower is None \
                and node.slice.step is None:
            bound = node.slice.upper
        if not isinstance(bound, (ast.Name, ast.Attribute)):
            return ""
        symbolic = self.expr(bound)
        return "" if symbolic == UNKNOWN else symbolic

    def _template_refs(self, node: ast.expr) -> list[str]:
        """Prompt text named, not written, in `messages` / `prompt`: a `"content"`
        (or the prompt itself) that is a name or `TEMPLATE.format(...)` from
        elsewhere (a parameter, an import). This file's constants are counted already."""
        values = [node]
        if isinstance(node, (ast.List, ast.Tuple)):
            values = [v for d in node.elts if isinstance(d, ast.Dict)
                      for k, v in zip(d.keys, d.values) if k is not None and str_value(k) == "content"]
        out = []
        for value in values:
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "format":
                value = value.func.value
                suffix = ".format()"
            else:
                suffix = ""
            if isinstance(value, ast.Name) and value.id in self.string_constants:
                continue
            if isinstance(value, (ast.Name, ast.Attribute)):
                symbolic = self.expr(value)
                if symbolic != UNKNOWN:
                    out.append(symbolic + suffix)
        return out

    def _literal(self, node: ast.AST | None) -> str:
        return literal_token(node, lambda n: _literal_text_size(n, self.string_constants))

    def _request_facts(self, node: ast.Call, arguments: list[Arg]) -> RequestFacts:
        model, max_tokens, prompt, system, dynamic, cached, fields = "", 0, 0, 0, False, False, 0
        refs = []  # values named, not written: the project resolves them (request_values.py)
        for arg in arguments:
            key = arg.keyword or ""
            named = isinstance(arg.value, (ast.Name, ast.Attribute)) and key in ("model", "max_tokens", "system")
            if named and not (isinstance(arg.value, ast.Name) and arg.value.id in self.string_constants):
                symbolic = self.expr(arg.value)
                if symbolic != UNKNOWN:
                    refs.append((key, symbolic))
                    if key == "system":
                        continue  # its size comes from what it resolves to (unknown: computed)
            if key == "model":
                model = str_value(arg.value) or ""
                if not model and isinstance(arg.value, ast.Name):
                    model = self.string_values.get(arg.value.id, "")  # MODEL = "claude-..." above
            elif key == "max_tokens" and int_value(arg.value) is not None:
                max_tokens = clamp(int_value(arg.value))
            elif key in ("system", "messages", "prompt"):
                chars, computed = _literal_text_size(arg.value, self.string_constants)
                prompt += chars
                dynamic = dynamic or computed
                fields += _fstring_fields(arg.value)
                if key == "system" and not computed:
                    system = chars
                refs += [("content", t) for t in self._template_refs(arg.value)]
            elif arg.star == "**":
                dynamic = True  # **params: sizes unknown
        cached = _mentions_cache_control(node, self.cached_constants)
        return RequestFacts(model, max_tokens, prompt, system, dynamic, cached, fields, tuple(refs))

    def _note_mapped_params(self, node: ast.Call, arguments: list[Arg], code: _Scope, callee: str, last: str) -> None:
        """Record parameters this function maps over items (see FunctionFacts.mapped_params)."""
        if code.kind != "function" or not code.params:
            return
        func = node.func
        if isinstance(func, ast.Name) and func.id in code.params:
            if any(s.kind in ("for", "while", "comp") for s in code.structs):
                code.mapped.setdefault(func.id, "loop")  # `for x in xs: f(x)`
            return
        if last not in ARG_CONTEXT_CALLS:
            return
        for arg in arguments:
            if isinstance(arg.value, ast.Name) and arg.value.id in code.params:
                kind = "loop" if callee in ("builtins.map", "builtins.filter") else "fanout"
                if code.mapped.get(arg.value.id) != "fanout":
                    code.mapped[arg.value.id] = kind

    def _alternatives(self, func: ast.expr, callee: str) -> tuple[str, ...]:
        head = func
        while isinstance(head, ast.Attribute):
            head = head.value
        if not isinstance(head, ast.Name):
            return ()
        for scope in reversed(self.scopes):
            if scope.kind == "function" and head.id in scope.locals:
                current = scope.locals[head.id]
                alts = scope.alts.get(head.id, ())
                return tuple(callee.replace(current, alt, 1) for alt in alts if alt != current and callee.startswith(current))
        return ()

    def _register(self, site: _SiteBuilder, code: _Scope) -> None:
        self.sites.append(site)
        for struct in code.structs:
            struct.sites.append(site)

    def _reference(self, value: ast.expr) -> str:
        """A symbolic function reference passed as an argument, or ''."""
        if isinstance(value, ast.Call) and (dotted_name(value.func) or "").rpartition(".")[2] == "partial":
            first = call_args(value)
            if first:
                value = first[0].value  # ex.map(partial(f, style="short"), rows) maps f
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            # Celery signatures: fn.s(...), fn.si(...), fn.signature(...)
            if value.func.attr in ("s", "si", "signature"):
                value = value.func.value
            else:
                return ""
        if not isinstance(value, (ast.Name, ast.Attribute)):
            return ""
        ref = self.expr(value)
        if ref == UNKNOWN or ref.endswith("()") or ref.startswith("builtins."):
            return ""
        return ref

    # ------------------------------------------------------------- results
    def release(self) -> None:
        """Break the site <-> construct links, a reference cycle: without this a
        file's builders and syntax tree stay alive until the garbage collector
        runs, which the analysis keeps switched off (analyze.py)."""
        for site in self.sites:
            site.structs = []

    def facts(self, noqa, pragmas) -> FileFacts:
        imports = list(self.imports.items()) + [("*", m) for m in self.star_imports]
        return FileFacts(
            path=self.path,
            module=self.module,
            imports=tuple(imports),
            variables=tuple(self.variables.items()),
            variable_alts=tuple((k, tuple(v)) for k, v in self.variable_alts.items()),
            functions=tuple(self.functions),
            classes=tuple(self.class_facts),
            sites=tuple(s.freeze() for s in self.sites if not s.dropped()),
            schedule_refs=tuple(self.schedule_refs),
            imported_modules=frozenset(m for m in self.imported_modules if m),
            noqa=noqa,
            pragmas=pragmas,
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


def _shows_output(block: list[ast.stmt]) -> bool:
    """Does this code print, yield, send or write what it receives?"""
    shown = False

    def visit(node: ast.AST) -> bool:
        nonlocal shown
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
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


def index_module(tree: ast.Module, path: str, module_name: str, is_package: bool = False, source: str = "",
                 renamed_neighbours: tuple[tuple[str, str], ...] = ()) -> FileFacts:
    """Index a module parsed by `ast`; `source` is the text it was parsed from
    (for spans in characters and for comments); `renamed_neighbours` as in
    SourceFile."""
    indexer = _Indexer(module_name, path, is_package, SourceText(source), renamed_neighbours)
    indexer.run(tree)
    noqa, pragmas = _scan_comments(source)
    facts = indexer.facts(noqa, pragmas)
    if is_runtime_source(module_name, source):
        facts = dataclasses.replace(facts, batch_runtime=True)
    indexer.release()
    return facts

"""One LibCST pass over one file -> FileFacts.

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

import libcst as cst

from .cstwalk import STATEMENT_TYPES, children, find_all, walk
from .dependence import LoopFlow, dotted_name, names_read
from .positions import Positions
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


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    left, right = test.left, test.comparisons[0].comparator
    names = {getattr(left, "value", None), getattr(right, "value", None)}
    return "__name__" in names and bool(names & {'"__main__"', "'__main__'"})


def _int_value(node: cst.Integer) -> int:
    """`1_000`, `0x10`: LibCST's evaluated_value compiles each literal; int() does not."""
    try:
        return int(node.value.replace("_", ""), 0)
    except ValueError:
        return int(node.value.replace("_", "").lstrip("0") or "0")


def _string_value(node: cst.BaseExpression) -> str | None:
    if not isinstance(node, cst.SimpleString):
        return None
    raw = node.value
    prefix = raw[: len(raw) - len(raw.lstrip("rRbBuUfF"))]
    if "b" in prefix.lower():
        return None
    body = raw[len(prefix):]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    inner = body[len(quote): len(body) - len(quote)]
    if "\\" not in inner:
        return inner  # no escapes: the text is what is written (LibCST's literal_eval compiles each one)
    try:
        value = node.evaluated_value
    except Exception:  # noqa: BLE001 - odd prefixes; treat as not a literal
        return None
    return value if isinstance(value, str) else None


def _body_statements(block: cst.BaseSuite) -> tuple:
    return tuple(block.body)


@dataclass
class _SiteBuilder:
    node: cst.Call | None
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
    flags: set = field(default_factory=set)  # flags for every site inside
    per_site: dict = field(default_factory=dict)  # id(site builder) -> extra flags
    sites: list = field(default_factory=list)

    def freeze_for(self, site: _SiteBuilder) -> Struct:
        flags = self.flags | self.per_site.get(id(site), set())
        return Struct(self.kind, self.label, self.span, self.via, frozenset(flags), self.count)


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
    """Walks one module (children in source order, see cstwalk) and records facts.

    `visit_<NodeType>` methods run before a node's children; returning False
    means the method walked the children it cares about itself."""

    def __init__(self, module: str, path: str, is_package: bool, positions: Positions) -> None:
        self.positions = positions
        self._handlers: dict[type, object] = {}
        self.module = module
        self.path = path
        self.package = module if is_package else module.rpartition(".")[0]
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
        self.stmt_stack: list[cst.CSTNode] = []
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

    def _pos(self, node: cst.CSTNode) -> Span:
        return self.positions.span(node)

    def walk(self, node: cst.CSTNode) -> None:
        tp = type(node)
        handler = self._handlers.get(tp, self)
        if handler is self:
            handler = getattr(self, "visit_" + tp.__name__, None)
            self._handlers[tp] = handler
        is_statement = tp in STATEMENT_TYPES
        if is_statement:
            self.stmt_stack.append(node)
        if handler is None or handler(node) is not False:
            for child in children(node):
                self.walk(child)
        if is_statement:
            self.stmt_stack.pop()

    def run(self, module: cst.Module) -> None:
        self.visit_Module(module)
        for stmt in module.body:
            self.walk(stmt)
        self.leave_Module(module)

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

    def expr(self, node: cst.BaseExpression | None) -> str:
        """Symbolic string for an expression, or UNKNOWN."""
        if node is None:
            return UNKNOWN
        if isinstance(node, cst.Name):
            if node.value in ("None", "True", "False"):
                return UNKNOWN  # `scheduler: BackgroundScheduler = None`: the annotation says more
            return self.resolve_name(node.value)
        if isinstance(node, cst.Attribute):
            base = self.expr(node.value)
            return UNKNOWN if base == UNKNOWN else f"{base}.{node.attr.value}"
        if isinstance(node, cst.Call):
            func = node.func
            name = dotted_name(func) or ""
            if name.rpartition(".")[2] == "partial" and node.args:
                return self.expr(node.args[0].value)  # functools.partial(f, ...) ~ f
            base = self.expr(func)
            return UNKNOWN if base == UNKNOWN else f"{base}()"
        if isinstance(node, cst.Await):
            return self.expr(node.expression)
        if isinstance(node, cst.BooleanOperation):
            # `client or Anthropic()`: prefer the side that constructs something.
            left, right = self.expr(node.left), self.expr(node.right)
            if right.endswith("()") and not left.endswith("()"):
                return right
            return left if left != UNKNOWN else right
        if isinstance(node, cst.IfExp):
            body, orelse = self.expr(node.body), self.expr(node.orelse)
            return body if body != UNKNOWN else orelse
        return UNKNOWN

    def annotation_instance(self, annotation: cst.Annotation | None) -> str:
        """`client: Anthropic | None` -> "anthropic.Anthropic()"."""
        if annotation is None:
            return UNKNOWN
        node = annotation.annotation
        if isinstance(node, cst.SimpleString):
            try:
                node = cst.parse_expression(node.evaluated_value)
            except Exception:  # noqa: BLE001 - not an expression; unknown annotation
                return UNKNOWN
        if isinstance(node, cst.BinaryOperation):  # X | None
            for side in (node.left, node.right):
                if not (isinstance(side, cst.Name) and side.value == "None"):
                    node = side
                    break
        if isinstance(node, cst.Subscript):  # Optional[X]
            head = dotted_name(node.value) or ""
            if head.rpartition(".")[2] == "Optional" and node.slice:
                inner = node.slice[0].slice
                if isinstance(inner, cst.Index):
                    node = inner.value
        base = self.expr(node) if isinstance(node, (cst.Name, cst.Attribute)) else UNKNOWN
        return UNKNOWN if base == UNKNOWN else f"{base}()"

    def bind(self, target: cst.BaseExpression, value: str) -> None:
        scope = self.scope
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind(element.value, UNKNOWN)
            return
        if isinstance(target, cst.Name):
            name = target.value
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
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            # self.client = Anthropic() inside a method binds an instance attribute
            fn = self._function_scope()
            if fn is not None and fn.class_qual and target.value.value == "self":
                attrs = self.classes[fn.class_qual]["attrs"]
                if attrs.get(target.attr.value, UNKNOWN) == UNKNOWN:
                    attrs[target.attr.value] = value

    def _text_of(self, node: cst.CSTNode) -> str:
        if isinstance(node, (cst.Name, cst.Attribute)):
            dotted = dotted_name(node)
            if dotted:
                return dotted
        return _short(self.positions.text(node))

    # ------------------------------------------------------------------ module
    def visit_Module(self, node: cst.Module) -> None:
        self._module = node
        for stmt in node.body:
            self._prepass(stmt)

    def _prepass(self, stmt: cst.CSTNode) -> None:
        """Top-level names, so a function body may use a name defined below it."""
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            self.module_defs.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    self._record_import(small, self.imports)
                elif isinstance(small, cst.Assign):
                    for t in small.targets:
                        if isinstance(t.target, cst.Name):
                            self.module_defs.add(t.target.value)
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    self.module_defs.add(small.target.value)
        elif isinstance(stmt, (cst.If, cst.Try)):
            blocks = [stmt.body]
            if isinstance(stmt, cst.If) and stmt.orelse is not None:
                blocks.append(stmt.orelse.body)
            if isinstance(stmt, cst.Try):
                blocks += [h.body for h in stmt.handlers]
                if stmt.orelse is not None:
                    blocks.append(stmt.orelse.body)
            for block in blocks:
                if isinstance(block, cst.IndentedBlock):
                    for inner in block.body:
                        self._prepass(inner)

    def _record_import(self, node: cst.Import | cst.ImportFrom, into: dict) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                self.imported_modules.add(full.partition(".")[0])
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    into[alias.asname.name.value] = full
                else:
                    head = full.partition(".")[0]
                    into[head] = head
            return
        base = dotted_name(node.module) if node.module is not None else ""
        if node.relative:
            package = self.package
            for _ in range(len(node.relative) - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}".strip(".") if base else package
        self.imported_modules.add((base or "").partition(".")[0])
        if isinstance(node.names, cst.ImportStar):
            if base and base not in self.star_imports:
                self.star_imports.append(base)
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            into[local] = f"{base}.{name}" if base else name

    # ------------------------------------------------------------ statements
    def visit_Import(self, node: cst.Import) -> bool:
        if self.scope.kind == "function":
            self._record_import(node, self.scope.locals)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if self.scope.kind == "function":
            self._record_import(node, self.scope.locals)
        return False

    def _note_string_constant(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if self.scope.kind == "module" and isinstance(target, cst.Name):
            chars, computed = _literal_text_size(value, {})
            if chars and not computed:
                self.string_constants[target.value] = chars
            if _mentions_cache_control(value):
                self.cached_constants.add(target.value)
            literal = _string_value(value)
            if literal is not None and len(literal) <= 100:
                self.string_values[target.value] = literal

    def visit_Assign(self, node: cst.Assign) -> bool | None:
        if isinstance(node.value, cst.Lambda) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self._named_lambda(node.targets[0].target, node.value)
            return False
        value = self.expr(node.value)
        for target in node.targets:
            self.bind(target.target, value)
            self._note_string_constant(target.target, node.value)
            self._maybe_schedule_table(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        value = self.expr(node.value) if node.value is not None else UNKNOWN
        # `client: Anthropic = field(default_factory=Anthropic)`: the annotation says more
        if value == UNKNOWN or value.rpartition(".")[2] in ("field()", "Field()"):
            annotated = self.annotation_instance(node.annotation)
            value = annotated if annotated != UNKNOWN else value
        self.bind(node.target, value)
        if node.value is not None:
            self._maybe_schedule_table(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bind(node.target, self.expr(node.value))

    def visit_Return(self, node: cst.Return) -> None:
        fn = self._function_scope()
        if fn is not None and node.value is not None:
            value = self.expr(node.value)
            if value != UNKNOWN:
                fn.returns.append(value)

    def visit_Yield(self, node: cst.Yield) -> None:
        fn = self._function_scope()
        if fn is not None:
            fn.is_generator = True

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(id(node.expression))

    # ------------------------------------------------------- schedule tables
    def _maybe_schedule_table(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        name = dotted_name(target) or ""
        last = name.rpartition(".")[2]
        if last in ("beat_schedule", "CELERY_BEAT_SCHEDULE", "CELERYBEAT_SCHEDULE") and isinstance(value, cst.Dict):
            self._beat_entries(value)
        elif last == "CRONJOBS" and isinstance(value, (cst.List, cst.Tuple)):
            for element in value.elements:
                entry = element.value
                if isinstance(entry, (cst.Tuple, cst.List)) and len(entry.elements) >= 2:
                    cron = _string_value(entry.elements[0].value)
                    func = _string_value(entry.elements[1].value)
                    if cron and func:
                        self.schedule_refs.append(
                            ScheduleRef(func, "django-crontab CRONJOBS", repr(cron), self._pos(entry))
                        )

    def _beat_entries(self, table: cst.Dict) -> None:
        for element in table.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.value, cst.Dict):
                continue
            label = _string_value(element.key) or ""
            task, schedule = None, ""
            for field_ in element.value.elements:
                if not isinstance(field_, cst.DictElement):
                    continue
                key = _string_value(field_.key)
                if key == "task":
                    task = _string_value(field_.value)
                elif key == "schedule":
                    schedule = self._module.code_for_node(field_.value)
            if task:
                self.schedule_refs.append(
                    ScheduleRef(task, f"Celery beat entry '{label}'", schedule, self._pos(element))
                )

    # ------------------------------------------------------------ functions
    def _decorators(self, decorators) -> tuple[Decorator, ...]:
        out = []
        for dec in decorators:
            node = dec.decorator
            called = isinstance(node, cst.Call)
            func = node.func if called else node
            args, kwargs = (), ()
            if called:
                args = tuple(self._text_of(a.value) for a in node.args if a.keyword is None)
                kwargs = tuple((a.keyword.value, self._text_of(a.value)) for a in node.args if a.keyword is not None)
            out.append(Decorator(self.expr(func), self._text_of(func), called, args, kwargs))
        return tuple(out)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        outer = self.scope
        name = node.name.value
        for dec in node.decorators:
            self.walk(dec)
        decorators = self._decorators(node.decorators)
        class_qual = outer.qual if outer.kind == "class" else ""
        qual = f"{outer.qual}.{name}"
        parent_fn = self._function_scope()
        if outer.kind == "function":
            outer.locals[name] = qual
        scope = _Scope("function", qual, class_qual=class_qual)
        # Parameters: annotated ones are instances of their type; `self` is one of the class.
        params = node.params
        positional = list(params.posonly_params) + list(params.params)
        dec_names = {d.expr.rpartition(".")[2] for d in decorators}
        for index, param in enumerate(positional + list(params.kwonly_params) + [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]):
            value = self.annotation_instance(param.annotation)
            if value == UNKNOWN and param.default is not None and isinstance(param.default, (cst.Name, cst.Attribute)):
                value = self.expr(param.default)
            if index == 0 and class_qual and param in positional and "staticmethod" not in dec_names:
                value = class_qual if "classmethod" in dec_names else f"{class_qual}()"
            if value == UNKNOWN and param in positional + list(params.kwonly_params):
                # untyped: the project stage may learn its type from what callers pass
                value = param_token(qual, index if param in positional else -1, param.name.value)
            scope.locals[param.name.value] = value
            scope.params[param.name.value] = index if param in positional else -1
        returns = []
        if node.returns is not None:
            ann = self.annotation_instance(node.returns)
            if ann != UNKNOWN:
                returns.append(ann)
        self.scopes.append(scope)
        before = len(self.sites)
        self.walk(node.body)
        self._settle_streams(self.sites[before:], node.body, scope.is_generator)
        self.scopes.pop()
        self.functions.append(
            FunctionFacts(
                qual=qual,
                name=name,
                span=self._pos(node),
                class_qual=class_qual,
                parent=parent_fn.qual if parent_fn is not None else "",
                is_async=node.asynchronous is not None,
                is_generator=scope.is_generator,
                decorators=decorators,
                returns=tuple(returns + scope.returns),
                header_line=self.positions.header_line(node),
                mapped_params=tuple((n, scope.params[n], k) for n, k in scope.mapped.items()),
            )
        )
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        outer = self.scope
        for dec in node.decorators:
            self.walk(dec)
        decorators = self._decorators(node.decorators)
        bases = tuple(self.expr(arg.value) for arg in node.bases)
        qual = f"{outer.qual}.{node.name.value}"
        if outer.kind == "function":
            outer.locals[node.name.value] = qual
        scope = _Scope("class", qual)
        self.classes[qual] = {"attrs": scope.attrs}
        self.scopes.append(scope)
        self.walk(node.body)
        self.scopes.pop()
        self.class_facts.append(
            ClassFacts(
                qual=qual,
                name=node.name.value,
                span=self._pos(node),
                bases=bases,
                attrs=tuple(scope.attrs.items()),
                decorators=decorators,
            )
        )
        return False

    def _named_lambda(self, target: cst.Name, node: cst.Lambda) -> None:
        """`ask = lambda p: client.messages.create(...)` is a function named `ask`."""
        outer = self.scope
        qual = f"{outer.qual}.{target.value}"
        parent_fn = self._function_scope()
        scope = _Scope("function", qual)
        for param in [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]:
            scope.locals[param.name.value] = UNKNOWN
        self.bind(target, qual)
        self.scopes.append(scope)
        self.walk(node.body)
        returned = self.expr(node.body)
        self.scopes.pop()
        self.functions.append(
            FunctionFacts(
                qual=qual,
                name=target.value,
                span=self._pos(node),
                class_qual="",
                parent=parent_fn.qual if parent_fn is not None else "",
                is_async=False,
                is_generator=False,
                decorators=(),
                returns=(returned,) if returned != UNKNOWN else (),
            )
        )

    def visit_Lambda(self, node: cst.Lambda) -> bool:
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

    def visit_For(self, node: cst.For) -> bool:
        self.walk(node.iter)
        self.bind(node.target, UNKNOWN)
        iter_name = dotted_name(node.iter.func) if isinstance(node.iter, cst.Call) else dotted_name(node.iter)
        label = f"for loop over `{self._text_of(node.iter)}`"
        struct = _StructBuilder("for", label, self._pos(node), count=_literal_count(node.iter))
        if iter_name and iter_name.rpartition(".")[2] == "range":
            struct.flags.add("range")
        if self.expr(node.iter) in ("sys.stdin", "builtins.input"):
            struct.flags.add("chat")
        self._open(struct)
        self.walk(node.body)
        self._close()
        self._finish_loop(struct, node, None)
        if node.orelse is not None:
            self.walk(node.orelse)
        return False

    def visit_While(self, node: cst.While) -> bool:
        struct = _StructBuilder("while", f"while loop `while {self._text_of(node.test)}`", self._pos(node))
        self._open(struct)
        self.walk(node.test)
        self.walk(node.body)
        self._close()
        self._finish_loop(struct, node, node.test)
        if node.orelse is not None:
            self.walk(node.orelse)
        return False

    def _comprehension(self, node, elements) -> bool:
        first = node.for_in
        self.walk(first.iter)
        struct = _StructBuilder("comp", f"comprehension over `{self._text_of(first.iter)}`", self._pos(node),
                                count=_literal_count(first.iter))
        self._open(struct)
        for element in elements:
            self.walk(element)
        for cond in first.ifs:
            self.walk(cond)
        if first.inner_for_in is not None:
            self.walk(first.inner_for_in)
        self._close()
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return self._comprehension(node, [node.elt])

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return self._comprehension(node, [node.key, node.value])

    def _finish_loop(self, struct: _StructBuilder, loop: cst.CSTNode, test) -> None:
        """Per-site facts for a loop: loop-carried dependence, retry shape, early exit."""
        sites = [s for s in struct.sites if s.node is not None]
        if not sites:
            return
        fresh = set()
        if isinstance(loop, cst.For):
            fresh = {n.partition(".")[0] for n in names_read(loop.target)}
        flow = LoopFlow(loop.body, test, fresh)
        for site in sites:
            flags = set()
            if flow.is_dependent(site.node):
                flags.add("dependent")
            elif flow.test_reads_result(site.node):
                flags.add("retry")
            exit_kind = self._exit_after(loop, site, flow)
            if exit_kind:
                flags.add(exit_kind)
            if flags:
                struct.per_site[id(site)] = flags

    def _exit_after(self, loop: cst.CSTNode, site: _SiteBuilder, flow: LoopFlow) -> str:
        """'retry' if the loop returns/breaks right after the call succeeds,
        'breaks-on-result' if it leaves the loop on a test of the result."""
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
            if container is not loop and isinstance(container, (cst.For, cst.While)):
                break  # a deeper loop: its break/return is not this loop's
            for block in _blocks_holding(container, child):
                stmts = _body_statements(block)
                idx = next((i for i, s in enumerate(stmts) if s is child), None)
                if idx is None:
                    continue
                for later in stmts[idx + 1 :]:
                    if _exits(later):
                        return "retry"
                    if isinstance(later, cst.If) and _if_exits(later):
                        if tainted is None:
                            tainted = flow.tainted_by(site.node)
                        if names_read(later.test) & tainted or _tests_tainted(later, tainted):
                            result = "breaks-on-result"
            if isinstance(container, cst.Try) and child in _body_statements(container.body):
                if container.orelse is not None and any(_exits(s) for s in _body_statements(container.orelse.body)):
                    return "retry"
        # a retry loop that re-asks the same request until the answer is acceptable
        if result and isinstance(loop, cst.While) or (result and isinstance(loop, cst.For) and _is_range(loop)):
            return "retry"
        return result

    # -------------------------------------------------------- if __main__
    def visit_If(self, node: cst.If) -> bool:
        if self.scope.kind == "module" and _is_main_guard(node.test):
            struct = _StructBuilder("main-guard", "`if __name__ == \"__main__\"` block", self._pos(node))
            self._open(struct)
            self.walk(node.body)
            self._close()
            if node.orelse is not None:
                self.walk(node.orelse)
            return False
        return True

    # ------------------------------------------------------------------ with
    def visit_With(self, node: cst.With) -> bool:
        self._with(node)
        return False

    def _with(self, node: cst.With) -> None:
        before = len(self.sites)
        for item in node.items:
            self.walk(item.item)
            if item.asname is not None:
                self.bind(item.asname.name, self.expr(item.item))
        calls = {id(item.item) for item in node.items if isinstance(item.item, cst.Call)}
        new_sites = [s for s in self.sites[before:] if s.node is not None and id(s.node) in calls]
        if new_sites:
            # `with client.messages.stream(...) as s:` — is the stream shown or only drained?
            shown = _shows_output(node.body) or bool(self._function_scope() and self._function_scope().is_generator)
            for site in new_sites:
                site.flags.add("stream-shown" if shown else "stream-drained")
        self.walk(node.body)

    # ----------------------------------------------------------------- calls
    def visit_Call(self, node: cst.Call) -> bool:
        code = self._code_scope()
        callee = self.expr(node.func)
        last = callee.rpartition(".")[2].rstrip("()") if callee != UNKNOWN else (dotted_name(node.func) or "").rpartition(".")[2]
        keep_text = last in TEXT_KEPT_CALLS
        kwargs = ()
        args = ()
        if keep_text:
            kwargs = tuple((a.keyword.value, self._text_of(a.value)) for a in node.args if a.keyword is not None)
            args = tuple(self._text_of(a.value) for a in node.args if a.keyword is None and not a.star)
        span = self._pos(node)
        func_text = dotted_name(node.func) or _receiver_text(node.func)
        if last == "do" and not dotted_name(node.func):
            func_text = _short(self.positions.text(node.func))  # schedule.every(10).minutes.do: keep the schedule
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
        site.arg_values = self._arg_values(node)
        if last in ("create", "parse", "stream"):
            site.request = self._request_facts(node)
        self._note_mapped_params(node, code, callee, last)
        self._register(site, code)
        if callee in INPUT_CALLS or callee.startswith("questionary.") or callee.endswith(".input") and "Console" in callee:
            for struct in code.structs:
                if struct.kind in ("for", "while"):
                    struct.flags.add("chat")
        # Function references passed as arguments (executor.map(fn, xs), Thread(target=fn)).
        for index, arg in enumerate(node.args):
            # `add_job(wrapper, args=(job, ...))`: functions inside a tuple/list argument count too
            values = [e.value for e in arg.value.elements] if isinstance(arg.value, (cst.Tuple, cst.List)) else [arg.value]
            for value in values:
                ref = self._reference(value)
                if not ref:
                    continue
                # the same place and constructs as the call, naming the function passed
                self._register(
                    dataclasses.replace(
                        site, node=None, callee=ref, ref_via=callee, flags=set(), callee_alts=(), request=None, arg_values=(),
                        ref_arg=arg.keyword.value if arg.keyword is not None else str(index),
                    ),
                    code,
                )
        self.walk(node.func)
        if last in ARG_CONTEXT_CALLS:
            struct = _StructBuilder("arg", f"argument of `{text}`", span, via=callee)
            code.structs.append(struct)
            for arg in node.args:
                self.walk(arg)
            code.structs.pop()
        else:
            for arg in node.args:
                self.walk(arg)
        return False

    def _settle_streams(self, sites, body: cst.CSTNode, is_generator: bool) -> None:
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

    def _arg_values(self, node: cst.Call) -> tuple[tuple[str, str], ...]:
        out = []
        position = 0
        for arg in node.args:
            if arg.star:
                break  # *args/**kwargs: positions after it are unknown
            value = self.expr(arg.value) if isinstance(arg.value, (cst.Name, cst.Attribute, cst.Call)) else UNKNOWN
            key = arg.keyword.value if arg.keyword is not None else str(position)
            if arg.keyword is None:
                position += 1
            if value != UNKNOWN and not value.startswith("builtins."):
                out.append((key, value))
        return tuple(out)

    def _request_facts(self, node: cst.Call) -> RequestFacts:
        model, max_tokens, prompt, system, dynamic, cached, fields = "", 0, 0, 0, False, False, 0
        for arg in node.args:
            key = arg.keyword.value if arg.keyword is not None else ""
            if key == "model":
                model = _string_value(arg.value) or ""
                if not model and isinstance(arg.value, cst.Name):
                    model = self.string_values.get(arg.value.value, "")  # MODEL = "claude-..." above
            elif key == "max_tokens" and isinstance(arg.value, cst.Integer):
                max_tokens = _int_value(arg.value)
            elif key in ("system", "messages", "prompt"):
                chars, computed = _literal_text_size(arg.value, self.string_constants)
                prompt += chars
                dynamic = dynamic or computed
                fields += _fstring_fields(arg.value)
                if key == "system" and not computed:
                    system = chars
            elif arg.keyword is None and arg.star == "**":
                dynamic = True  # **params: sizes unknown
        cached = _mentions_cache_control(node) or any(
            isinstance(n, cst.Name) and n.value in self.cached_constants for n in find_all(node, cst.Name)
        )
        return RequestFacts(model, max_tokens, prompt, system, dynamic, cached, fields)

    def _note_mapped_params(self, node: cst.Call, code: _Scope, callee: str, last: str) -> None:
        """Record parameters this function maps over items (see FunctionFacts.mapped_params)."""
        if code.kind != "function" or not code.params:
            return
        func = node.func
        if isinstance(func, cst.Name) and func.value in code.params:
            if any(s.kind in ("for", "while", "comp") for s in code.structs):
                code.mapped.setdefault(func.value, "loop")  # `for x in xs: f(x)`
            return
        if last not in ARG_CONTEXT_CALLS:
            return
        for arg in node.args:
            if isinstance(arg.value, cst.Name) and arg.value.value in code.params:
                kind = "loop" if callee in ("builtins.map", "builtins.filter") else "fanout"
                if code.mapped.get(arg.value.value) != "fanout":
                    code.mapped[arg.value.value] = kind

    def _alternatives(self, func: cst.BaseExpression, callee: str) -> tuple[str, ...]:
        head = func
        while isinstance(head, cst.Attribute):
            head = head.value
        if not isinstance(head, cst.Name):
            return ()
        for scope in reversed(self.scopes):
            if scope.kind == "function" and head.value in scope.locals:
                current = scope.locals[head.value]
                alts = scope.alts.get(head.value, ())
                return tuple(callee.replace(current, alt, 1) for alt in alts if alt != current and callee.startswith(current))
        return ()

    def _register(self, site: _SiteBuilder, code: _Scope) -> None:
        self.sites.append(site)
        for struct in code.structs:
            struct.sites.append(site)

    def _reference(self, value: cst.BaseExpression) -> str:
        """A symbolic function reference passed as an argument, or ''."""
        if isinstance(value, cst.Call) and (dotted_name(value.func) or "").rpartition(".")[2] == "partial" and value.args:
            value = value.args[0].value  # ex.map(partial(f, style="short"), rows) maps f
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            # Celery signatures: fn.s(...), fn.si(...), fn.signature(...)
            if value.func.attr.value in ("s", "si", "signature"):
                value = value.func.value
            else:
                return ""
        if not isinstance(value, (cst.Name, cst.Attribute)):
            return ""
        ref = self.expr(value)
        if ref == UNKNOWN or ref.endswith("()") or ref.startswith("builtins."):
            return ""
        return ref

    # ------------------------------------------------------------- results
    def leave_Module(self, original_node: cst.Module) -> None:
        module_sites = [s for s in self.sites if s.scope == self.module]
        self._settle_streams(module_sites, original_node, False)

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
            sites=tuple(s.freeze() for s in self.sites),
            schedule_refs=tuple(self.schedule_refs),
            imported_modules=frozenset(m for m in self.imported_modules if m),
            noqa=noqa,
            pragmas=pragmas,
        )


def _mentions_cache_control(node: cst.CSTNode) -> bool:
    return any("cache_control" in n.value for n in find_all(node, (cst.Name, cst.SimpleString)))


def _literal_count(node: cst.BaseExpression) -> int:
    """Items a loop runs over, when written in the code: range(N), [a, b, c], xs[:N]."""
    if isinstance(node, cst.Call) and (dotted_name(node.func) or "") == "range":
        values = [a.value for a in node.args if a.keyword is None]
        if values and all(isinstance(v, cst.Integer) for v in values):
            numbers = [_int_value(v) for v in values]
            start, stop = (0, numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])
            step = numbers[2] if len(numbers) > 2 and numbers[2] else 1
            return max(0, (stop - start + step - 1) // step)
        return 0
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        if all(not isinstance(e, cst.StarredElement) for e in node.elements):
            return len(node.elements)
        return 0
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        inner = node.slice[0].slice
        if isinstance(inner, cst.Slice) and inner.lower is None and isinstance(inner.upper, cst.Integer):
            return _int_value(inner.upper)
    return 0


def _fstring_fields(node: cst.BaseExpression) -> int:
    """f-string fields that hold a name or attribute: a few tokens each, not a document."""
    return sum(
        1 for part in find_all(node, cst.FormattedStringExpression)
        if isinstance(part.expression, (cst.Name, cst.Attribute, cst.Integer))
    )


def _literal_text_size(node: cst.BaseExpression, constants: dict[str, int]) -> tuple[int, bool]:
    """(characters of literal text inside, whether computed content is there too).
    Small f-string fields (`{n}`, `{ticket.id}`) are not computed content; see _fstring_fields."""
    chars, computed = 0, False
    small_fields = {id(p.expression) for p in find_all(node, cst.FormattedStringExpression)
                    if isinstance(p.expression, (cst.Name, cst.Attribute, cst.Integer))}
    for part in find_all(node, (cst.SimpleString, cst.FormattedStringText, cst.FormattedStringExpression, cst.Name, cst.Call, cst.Subscript)):
        if isinstance(part, cst.FormattedStringExpression) or id(part) in small_fields:
            continue
        if isinstance(part, cst.SimpleString):
            value = _string_value(part)
            chars += len(value) if value is not None else len(part.value)
        elif isinstance(part, cst.FormattedStringText):
            chars += len(part.value)
        elif isinstance(part, cst.Name) and part.value in constants:
            chars += constants[part.value]
        elif isinstance(part, cst.Name) and part.value in ("True", "False", "None"):
            continue
        else:
            computed = True
    return chars, computed


def _receiver_text(func: cst.BaseExpression) -> str:
    """`df["text"].apply` -> `df[...].apply`: enough to name the method called."""
    if not isinstance(func, cst.Attribute):
        return ""
    base = func.value
    if isinstance(base, cst.Subscript):
        head = dotted_name(base.value) or "..."
        return f"{head}[...].{func.attr.value}"
    if isinstance(base, cst.Call):
        head = dotted_name(base.func) or _receiver_text(base.func) or "..."
        return f"{head}(...).{func.attr.value}"
    return f"(...).{func.attr.value}"


def _blocks_holding(container: cst.CSTNode, child: cst.CSTNode):
    if isinstance(container, (cst.For, cst.While, cst.With, cst.FunctionDef, cst.ClassDef)):
        yield container.body
    elif isinstance(container, cst.If):
        yield container.body
        if container.orelse is not None:
            yield container.orelse.body if isinstance(container.orelse, cst.Else) else cst.IndentedBlock(body=[container.orelse])
    elif isinstance(container, (cst.Try, cst.TryStar)):
        yield container.body
        for handler in container.handlers:
            yield handler.body
        if container.orelse is not None:
            yield container.orelse.body
        if container.finalbody is not None:
            yield container.finalbody.body


def _exits(stmt: cst.CSTNode) -> bool:
    if isinstance(stmt, cst.SimpleStatementLine):
        return any(isinstance(s, (cst.Return, cst.Break)) for s in stmt.body)
    return False


def _if_exits(node: cst.If) -> bool:
    """Some branch of an if/elif/else chain returns or breaks (at any depth of
    nested ifs, not inside an inner loop or def)."""
    if _block_exits_deep(node.body):
        return True
    orelse = node.orelse
    if isinstance(orelse, cst.If):
        return _if_exits(orelse)
    if isinstance(orelse, cst.Else):
        return _block_exits_deep(orelse.body)
    return False


def _tests_tainted(node: cst.If, tainted: set[str]) -> bool:
    """Any test in a nested if chain reads the result (`if "ok" in parsed: ... break`)."""
    for stmt in _body_statements(node.body):
        if isinstance(stmt, cst.If) and (names_read(stmt.test) & tainted or _tests_tainted(stmt, tainted)):
            return True
    return False


def _block_exits_deep(block: cst.BaseSuite) -> bool:
    for stmt in _body_statements(block):
        if _exits(stmt):
            return True
        if isinstance(stmt, cst.If) and _if_exits(stmt):
            return True
        if isinstance(stmt, (cst.With, cst.Try)) and _block_exits_deep(stmt.body):
            return True
    return False


def _is_range(loop: cst.For) -> bool:
    return isinstance(loop.iter, cst.Call) and (dotted_name(loop.iter.func) or "").endswith("range")


def _shows_output(block: cst.CSTNode) -> bool:
    """Does this code print, yield, send or write what it receives?"""
    shown = False

    def visit(node: cst.CSTNode) -> bool:
        nonlocal shown
        if isinstance(node, cst.Yield):
            shown = True
        elif isinstance(node, cst.Call) and (dotted_name(node.func) or "").rpartition(".")[2] in SHOW_CALLS:
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
            pragmas.append((number, pragma.group("text").strip()))
    return tuple(noqa), tuple(pragmas)


def index_module(module: cst.Module, path: str, module_name: str, is_package: bool = False,
                 tree: ast.Module | None = None, source: str | None = None) -> FileFacts:
    """Index a parsed module. `tree` is the same source parsed by `ast`, used for
    positions; without it (or if it does not match) LibCST's provider is used.
    `source` is the text the module was parsed from (saves regenerating it)."""
    source = module.code if source is None else source
    indexer = _Indexer(module_name, path, is_package, Positions(module, tree, source))
    indexer.run(module)
    noqa, pragmas = _scan_comments(source)
    return indexer.facts(noqa, pragmas)

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

from .astwalk import FUNCTION_DEFS, LEAVES, call_args, fields, str_value
from .batched import is_runtime_source
from .facts import UNKNOWN, ClassFacts, Decorator, FileFacts, FunctionFacts, ScheduleRef, Span, param_token
from .index_builders import _Scope, _SiteBuilder, _StructBuilder
from .index_assign import AssignVisitor
from .index_calls import CallVisitor
from .index_loops import LoopVisitor
from .index_names import NameResolver
from .index_schedules import ScheduleTables
from .index_shapes import _scan_comments
from .learning import answers_fed_back, class_state
from .object_state import converses
from .spans import SourceText

_SCALAR_ANNOTATIONS = frozenset(("builtins.str()", "builtins.int()", "builtins.float()", "builtins.bool()"))
# annotations that say nothing of which function or object is passed: what callers pass says more
_OPAQUE_ANNOTATIONS = frozenset((
    "typing.Callable()", "collections.abc.Callable()", "typing.Any()", "builtins.object()",
    "builtins.callable()", "builtins.any()",  # `f: callable`, `data: any`: builtins written as types
))


class _Indexer(NameResolver, AssignVisitor, LoopVisitor, CallVisitor, ScheduleTables):
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
        self.input_functions: set[str] = set()  # quals of functions that read a person's input
        # A name defined by several `def`s (one per `if` branch): each gets its
        # own qual, `name#k` for all but the module's last, which imports reach;
        # a call names the one defined last before it (see visit_FunctionDef).
        self.def_counts: dict[str, int] = {}  # module-level def name -> how many
        self.shadowed_defs: set[int] = set()  # ids of module-level defs a later def replaces (run)
        self.current_defs: dict[str, str] = {}  # module-level name -> qual of the def seen last
        self._seen_defs: dict[str, int] = {}  # qual -> defs of it visited so far
        self.variables: dict[str, str] = {}
        self.variable_alts: dict[str, list[str]] = {}
        self.string_constants: dict[str, int] = {}  # module-level NAME = "literal" -> length
        self.string_values: dict[str, str] = {}  # the same, for short literals (model ids)
        self.script_paths: dict[str, str] = {}  # module names given a path ending in .py (script_runs.py)
        self.string_tuples: dict[str, list[str]] = {}  # module-level NAMES = ("a", "b"): a small set of literals
        self.registries: list[tuple[str, str, str]] = []  # see FileFacts.registries
        self.getattr_pick: dict[int, str] = {}  # getattr call -> the name chosen while listing alternatives
        self.cached_constants: set[str] = set()  # constants holding a cache_control breakpoint
        self.functions: list[FunctionFacts] = []
        self.classes: dict[str, dict] = {}
        self.provider_lists: set[tuple[str, str]] = set()  # (function or "", name) given a written list of provider names
        self.tuple_returns: dict[str, list[list[str]]] = {}  # function -> what each position of its returned tuple can hold
        self.class_facts: list[ClassFacts] = []
        self.sites: list[_SiteBuilder] = []
        self.schedule_refs: list[ScheduleRef] = []
        self.scopes: list[_Scope] = [_Scope("module", module)]
        self.stmt_stack: list[ast.stmt] = []
        self.awaited: set[int] = set()
        self.collected: set[int] = set()  # calls whose result only code gathers (stream-yielded, chains.py)
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
        # an undecorated def the module body defines again further down, directly in
        # both places, is never called: the later def replaced it before anything ran
        last_def = {stmt.name: id(stmt) for stmt in module.body if isinstance(stmt, FUNCTION_DEFS)}
        self.shadowed_defs = {id(stmt) for stmt in module.body if isinstance(stmt, FUNCTION_DEFS)
                              and not stmt.decorator_list and last_def[stmt.name] != id(stmt)}
        for stmt in module.body:
            self._prepass(stmt)
        self.walk_body(module.body)
        module_sites = [s for s in self.sites if s.scope == self.module]
        self._settle_streams(module_sites, module.body, False)

    # ------------------------------------------------------------ statements
    def visit_Import(self, node: ast.Import) -> bool:
        if self.scope.kind == "function":
            # `from .claude import generate` in one branch, `from .gpt import
            # generate` in another: every import is a value the name may hold
            imported: dict[str, str] = {}
            self._record_import(node, imported)
            for local, value in imported.items():
                self.bind(ast.Name(id=local, ctx=ast.Store()), value)
        return False

    visit_ImportFrom = visit_Import

    def visit_Yield(self, node: ast.Yield | ast.YieldFrom) -> None:
        fn = self._function_scope()
        if fn is not None:
            fn.is_generator = True

    visit_YieldFrom = visit_Yield

    def visit_Await(self, node: ast.Await) -> None:
        self.awaited.add(id(node.value))

    # ------------------------------------------------------- schedule tables
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

    def _def_qual(self, outer: _Scope, name: str) -> str:
        """The qual of a def: `outer.name`, or `outer.name#k` for a name defined
        again in the same module or function (`if engine == "openai": def api`
        ... `elif engine == "anthropic": def api`), so each branch's loop calls
        its own. Methods (overloads, property setters) keep one qual."""
        qual = f"{outer.qual}.{name}"
        if outer.kind == "class":
            return qual
        seen = self._seen_defs[qual] = self._seen_defs.get(qual, 0) + 1
        if outer.kind == "module":
            total = self.def_counts.get(name, 1)
            unique = qual if seen >= total else f"{qual}#{seen}"  # the last keeps the plain name
            self.current_defs[name] = unique
            return unique
        return qual if seen == 1 else f"{qual}#{seen}"

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        outer = self.scope
        name = node.name
        for dec in node.decorator_list:
            self.walk(dec)
        decorators = self._decorators(node.decorator_list)
        class_qual = outer.qual if outer.kind == "class" else ""
        qual = self._def_qual(outer, name)
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
            if value in _SCALAR_ANNOTATIONS or value in _OPAQUE_ANNOTATIONS:
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
            if str_value(default) is not None:  # `method="create"`: a name getattr may use
                scope.choices[param.arg] = [str_value(default)]
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
        self._unmap_retried(scope, self.sites[before:])
        self._mark_fed_back(node, scope, self.sites[before:])
        self.scopes.pop()
        is_method = bool(class_qual) and bool(positional) and positional[0].arg == "self"
        if is_method:  # learning.py reads its attributes once the class is walked, if the class changes any
            self.classes[class_qual]["methods_of"][name] = (node, scope.self_writes)
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
                returns=tuple(_annotation_unless_built(returns, scope.returns)),
                header_line=SourceText.header_line(node),
                mapped_params=tuple((n, scope.params[n], k) for n, k in scope.mapped.items()),
                defaults=tuple(param_defaults),
                extends=tuple(sorted(scope.extends)),
                shadowed=id(node) in self.shadowed_defs,
                writes_self=is_method and bool(scope.self_writes),
                # walked only for a function sending a `messages=` (the rest cannot)
                converses=converses(node) if any(
                    k == "messages" for site in self.sites[before:] if site.scope == qual for k, _ in site.kwargs) else "",
            )
        )
        return False

    visit_AsyncFunctionDef = visit_FunctionDef

    @staticmethod
    def _unmap_retried(scope: _Scope, sites: list[_SiteBuilder]) -> None:
        """`for attempt in range(2): raw = fetch(p); try: return parse(raw)`:
        a parameter called only in retry loops (or loops that pick one item)
        is asked again, not mapped over items."""
        if not scope.loop_calls:
            return  # most functions call no parameter in a loop: no table to build
        by_node = {id(site.node): site for site in sites if site.node is not None}
        for param, calls in scope.loop_calls.items():
            if scope.mapped.get(param) == "loop" and all(_retried(by_node.get(id(call))) for call in calls):
                del scope.mapped[param]

    def _mark_fed_back(self, node, scope: _Scope, sites: list[_SiteBuilder]) -> None:
        """Flag a call whose answer the function gives to another method of the
        same receiver (learning.py). Walked only when two methods of one
        receiver are called here, one answer kept, on no imported module
        (`os.path`, `st`): most functions call none."""
        qual = scope.qual
        methods: dict[str, set[str]] = {}
        answering: set[str] = set()  # receivers with a call whose answer is kept (not `logger.info(...)`)
        for site in sites:
            if site.node is not None and site.scope == qual and isinstance(site.node.func, ast.Attribute):
                receiver, _, method = site.callee.rpartition(".")
                root = site.node.func.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if not receiver or not isinstance(root, ast.Name) or root.id in self.imports \
                        or root is site.node.func.value and root.id == "self":
                    continue  # `self.step()`: object_state.py's; `os.path.join()`: a module's
                methods.setdefault(receiver, set()).add(method)
                if not (site.stmt_path and isinstance(site.stmt_path[-1], ast.Expr) and site.stmt_path[-1].value is site.node):
                    answering.add(receiver)
        if not any(len(methods[receiver]) > 1 for receiver in answering):
            return
        calls = [site.node for site in sites if site.node is not None and site.scope == qual]
        fed = answers_fed_back(node, calls, scope.assigns, set(scope.locals) | set(scope.params))
        for site in sites:
            if site.node is not None and id(site.node) in fed:
                site.flags |= fed[id(site.node)]

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
        # kinds: elements() of a list attribute; alts: other values self.x was given;
        # displays: attributes given one of each of several kinds (index_loops.py);
        # methods: the names its body defines (`getattr(self, f"_call_{name}")`, index_names.py)
        methods = [s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
        self.classes[qual] = {"attrs": scope.attrs, "kinds": {}, "alts": {}, "displays": set(), "methods": methods,
                              "methods_of": {}}
        self.scopes.append(scope)
        first = len(self.functions)
        self.walk_body(node.body)
        self.scopes.pop()
        state = class_state(self.classes[qual]["methods_of"])
        for i in range(first, len(self.functions)) if state else ():
            fn = self.functions[i]
            if fn.class_qual == qual and fn.name in state:  # learning.py: what its object learns
                self.functions[i] = dataclasses.replace(fn, state_writes=state[fn.name][0], state_reads=state[fn.name][1])
        self.class_facts.append(
            ClassFacts(
                qual=qual,
                name=node.name,
                span=self._pos(node),
                bases=bases,
                attrs=tuple(scope.attrs.items()),
                decorators=decorators,
                attr_alts=tuple((name, tuple(values)) for name, values in self.classes[qual]["alts"].items()),
            )
        )
        return False

    def visit_Lambda(self, node: ast.Lambda) -> bool:
        code = self._code_scope()
        struct = _StructBuilder("lambda", "lambda", self._pos(node))
        code.structs.append(struct)
        self.walk(node.body)
        code.structs.pop()
        return False

    # ------------------------------------------------------------- results
    def release(self) -> None:
        """Break the site <-> construct links, a reference cycle: without this a
        file's builders and syntax tree stay alive until the garbage collector
        runs, which the analysis keeps switched off (analyze.py)."""
        for site in self.sites:
            site.structs = []

    def _mark_input_helpers(self) -> None:
        """A loop that reads a person's input through a function of this file
        (`text = await self.get_user_input()` wrapping prompt_toolkit), or
        through a function calling one (`process(path)` that first asks which
        title to use), is a chat loop as if it called `input()` itself: each
        iteration waits for a person."""
        if not self.input_functions:
            return
        functions = {fn.qual for fn in self.functions}
        grown = True
        while grown:  # the functions of this file that call one reading input, and so on
            grown = False
            for site in self.sites:
                if site.scope in functions and site.scope not in self.input_functions \
                        and site.callee.replace("()", "") in self.input_functions:
                    self.input_functions.add(site.scope)
                    grown = True
        for site in self.sites:
            if site.callee.replace("()", "") in self.input_functions:
                for struct in site.structs:
                    if struct.kind in ("for", "while"):
                        struct.flags.add("chat")

    def facts(self, noqa, pragmas) -> FileFacts:
        self._mark_input_helpers()
        imports = list(self.imports.items()) + [("*", m) for m in self.star_imports]
        return FileFacts(
            path=self.path,
            module=self.module,
            imports=tuple(imports),
            variables=tuple(self.variables.items()),
            variable_alts=tuple((k, tuple(v)) for k, v in self.variable_alts.items()),
            registries=tuple(self.registries),
            functions=tuple(self.functions),
            classes=tuple(self.class_facts),
            sites=tuple(s.freeze() for s in self.sites if not s.dropped()),
            schedule_refs=tuple(self.schedule_refs),
            imported_modules=frozenset(m for m in self.imported_modules if m),
            noqa=noqa,
            pragmas=pragmas,
            input_functions=tuple(sorted(self.input_functions)),
        )


def _retried(site: _SiteBuilder | None) -> bool:
    """The innermost loop around the call asks it again until it succeeds, or picks one item."""
    loops = [struct for struct in site.structs if struct.kind in ("for", "while", "comp")] if site is not None else []
    return bool(loops) and bool(loops[0].per_site.get(id(site), set()) & {"retry", "once"})


def _annotation_unless_built(annotated: list[str], returned: list[str]) -> list[str]:
    """What a function returns: its annotation's type and its `return`s,
    except that a `return` building the annotated class itself says more
    (`-> Anthropic` over `return Anthropic(base_url=<another provider>)`)."""
    built = {value.rpartition(".")[2] for value in returned}
    return [a for a in annotated if a.rpartition(".")[2] not in built] + returned


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

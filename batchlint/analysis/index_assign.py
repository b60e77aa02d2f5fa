"""Assignments and returns, for the indexer (a mixin of index._Indexer): what
each name, attribute and tuple position is given, module constants that
size requests or name providers, registries filled by key, lambdas bound to
a name, and what a function returns."""

from __future__ import annotations

import ast

from .object_state import self_attribute
from .script_runs import script_path
from .astwalk import is_partial, str_value
from .facts import UNKNOWN, FunctionFacts
from .context_rules import ARQ_FUNCTIONS
from .index_builders import _Scope, _SiteBuilder
from .index_loops import names_providers, one_of_each
from .index_shapes import _literal_text_size, _mentions_cache_control, string_literals

# expressions that give one of several kinds of thing (NameResolver.elements)
_SEVERAL = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.IfExp)


class AssignVisitor:
    """Binds what assignments give and records what functions return."""

    def _note_string_constant(self, target: ast.AST, value: ast.expr) -> None:
        if isinstance(target, ast.Name) and names_providers(value):
            # `MODELS = {"openai": "gpt-4o", "anthropic": "claude-..."}`, at module level or in a function
            self.provider_lists.add((self.scope.qual if self.scope.kind == "function" else "", target.id))
        if self.scope.kind == "module" and isinstance(target, ast.Name):
            chars, computed = _literal_text_size(value, {})
            if chars and not computed:
                self.string_constants[target.id] = chars
            if _mentions_cache_control(value):
                self.cached_constants.add(target.id)
            literal = str_value(value)
            if literal is not None and len(literal) <= 100:
                self.string_values[target.id] = literal
            script = script_path(value)
            if script:  # `JOB = Path(__file__).parent / "one_job.py"`: a script subprocess calls may run
                self.script_paths[target.id] = script
            names = string_literals(value)
            if names:
                self.string_tuples[target.id] = names

    def _note_assignment(self, node: ast.stmt) -> None:
        fn = self._function_scope()
        if fn is not None:
            fn.assigns.append(node)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for element in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                    name = self_attribute(element)
                    if name:  # `self.x = ...`, `self.x[k] = ...`, `self.n += 1`
                        fn.self_writes.add(name)
            if not isinstance(node, ast.AugAssign) and node.value is not None and _empty_dict(node.value):
                # `clients = {}`, `clients: dict[str, Judge] = {}` (_note_cached_entry)
                fn.empty_dicts.update(t.id for t in targets if isinstance(t, ast.Name))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._note_assignment(node)

    def visit_Assign(self, node: ast.Assign) -> bool | None:
        self._note_assignment(node)
        if isinstance(node.value, ast.Lambda) and len(node.targets) == 1 and \
                (isinstance(node.targets[0], ast.Name) or self._self_attribute(node.targets[0])):
            self._named_lambda(node.targets[0], node.value)
            return False
        value = self.expr(node.value)
        if value == UNKNOWN and (self.scope.kind != "function" or isinstance(node.targets[0], ast.Attribute)):
            value = self._literal(node.value) or UNKNOWN  # MODEL = "claude-...", self.max_tokens = 8: request values
        several = isinstance(node.value, _SEVERAL) or isinstance(node.value, ast.Call) and (
            isinstance(node.value.func, ast.IfExp) or isinstance(node.value.func, ast.Name) and node.value.func.id == "getattr")
        kinds = self.elements(node.value) if several else []
        self._note_arq_functions(node)
        for target in node.targets:
            self._bind_assigned(target, node.value, value, kinds)
            self._note_string_constant(target, node.value)
            self._maybe_schedule_table(target, node.value)
            self._note_registry(target, node.value)

    def _bind_assigned(self, target: ast.expr, given: ast.expr, value: str, kinds: list[str]) -> None:
        """Bind what an assignment gives: each kind of a display or of a
        conditional expression's branches (`providers = [A(), B()]`, as
        branches would), else its value; and note a partial (index_calls.py)
        and a display of one of each kind (index_loops.py) given to a name."""
        if isinstance(target, ast.Tuple) and self._bind_unpacked(target, given):
            return
        several = len(kinds) > 1
        for element in kinds if several and (isinstance(target, ast.Name) or self._self_attribute(target)) else [value]:
            self.bind(target, element)
        if several and self._self_attribute(target):
            self.classes[self._function_scope().class_qual]["kinds"][target.attr] = kinds
        if several and one_of_each(given):
            self._note_display(target)
        if is_partial(given) and isinstance(target, ast.Name):
            self.scope.partials[target.id] = given

    def _note_arq_functions(self, node: ast.Assign) -> None:
        """`class WorkerSettings: functions = [summarize, embed]`: arq runs each
        listed function as a task of its worker, as if handed to a call of
        `arq.worker.func` (context_rules.REGISTRATION_RULES)."""
        scope = self.scope
        if not (scope.kind == "class" and scope.qual.rpartition(".")[2] == "WorkerSettings"
                and "arq" in self.imported_modules and isinstance(node.value, (ast.List, ast.Tuple))
                and any(isinstance(t, ast.Name) and t.id == "functions" for t in node.targets)):
            return
        code = self._code_scope()
        for element in node.value.elts:
            ref = self._reference(element)
            if ref:
                self._register(_SiteBuilder(node=None, scope=code.qual, callee=ref, span=self._pos(element),
                                            structs=list(reversed(code.structs)), text="functions = [...]",
                                            ref_via=ARQ_FUNCTIONS, ref_arg="0"), code)

    def _bind_unpacked(self, target: ast.Tuple, given: ast.expr) -> bool:
        """`a, b = x, y` and `mode, provider = setup(argv)` with `setup` a function
        of this file returning a tuple: each name gets its position's value."""
        if any(isinstance(e, ast.Starred) for e in target.elts):
            return False
        if isinstance(given, (ast.Tuple, ast.List)) and len(given.elts) == len(target.elts):
            values = [[self.expr(e)] for e in given.elts]
        elif isinstance(given, ast.Call) and self.expr(given.func) in self.tuple_returns:
            values = self.tuple_returns[self.expr(given.func)]
        else:
            return False
        if len(values) != len(target.elts):
            return False
        for element, held in zip(target.elts, values):
            for value in held or [UNKNOWN]:  # each value a branch returned, as branches would bind them
                self.bind(element, value)
        return True

    def _note_registry(self, target: ast.AST, value: ast.expr) -> None:
        """Dicts of functions, classes or clients looked up by key
        (`REGISTRY[name](row)`): filled by a decorator (`REGISTRY[key] = fn` on
        its parameter), written out (`REGISTRY = {"a": f, "b": Anthropic()}`),
        or assigned entry by entry at module level."""
        if isinstance(target, ast.Name) and self.scope.kind == "module" and isinstance(value, ast.Dict):
            registry = self.resolve_name(target.id)
            refs = []
            for key, member in zip(value.keys, value.values):
                if key is None and isinstance(member, (ast.Name, ast.Attribute)):  # {**claude_models, ...}
                    spread = self.expr(member)
                    if spread != UNKNOWN:
                        self.registries.append(("spread", registry, spread))
                    continue
                ref = self._reference(member) if member is not None else ""
                if not ref and isinstance(member, ast.Call):
                    ref = self.expr(member)  # `{"fast": Anthropic(), ...}`: what the call builds
                if ref and ref != UNKNOWN and ref not in refs:
                    refs.append(ref)
            self.registries.extend(("member", registry, ref) for ref in refs)
            return
        if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)):
            return
        registry = self.module_level_name(target.value.id)
        if not registry:
            self._note_cached_entry(target.value, value)
            return
        fn = self._function_scope()
        if fn is None:
            ref = self._reference(value)
            if not ref and isinstance(value, ast.Call):
                ref = self.expr(value)  # `clients[name] = make_client(name)`: what the call builds
            if ref and ref != UNKNOWN:
                self.registries.append(("member", registry, ref))
        elif isinstance(value, ast.Name) and value.id in fn.params:
            self.registries.append(("store", fn.qual, registry))

    def _note_cached_entry(self, collection: ast.Name, value: ast.expr) -> None:
        """`clients = {}`, then `clients[name] = make_client(name)` in a function:
        an entry of the local dict is spelled as the dict (index_names.py), so
        the dict stands for what its entries are given, as a display of one
        kind of thing does. Only for a dict the function starts empty: a record
        (`row["answer"] = ...`) keeps what it was."""
        fn = self._function_scope()
        if fn is not None and collection.id in fn.empty_dicts and isinstance(value, (ast.Call, ast.Name, ast.Attribute)):
            given = self.expr(value)
            if given != UNKNOWN:
                self.bind(collection, given)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._note_assignment(node)
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
            if isinstance(node.value, ast.Tuple) and not any(isinstance(e, ast.Starred) for e in node.value.elts):
                # `return mode, provider`: what each position can hold (a name bound on
                # several branches, each value), for `mode, p = setup()` in this file
                known = self.tuple_returns.setdefault(fn.qual, [[] for _ in node.value.elts])
                if len(known) == len(node.value.elts):
                    for held, element in zip(known, node.value.elts):
                        values = [self.expr(element)]
                        if isinstance(element, ast.Name) and fn is self.scope:
                            values += fn.alts.get(element.id, ())
                        held += [v for v in values if v != UNKNOWN and v not in held]
            if isinstance(node.value, ast.Name) and fn is self.scope:
                # a name bound on several branches: the function may return any of them
                fn.returns.extend(alt for alt in fn.alts.get(node.value.id, ()) if alt not in fn.returns)

    def _named_lambda(self, target: ast.Name | ast.Attribute, node: ast.Lambda) -> None:
        """`ask = lambda p: client.messages.create(...)` is a function named `ask`;
        `self.ask = lambda p: ...` in a method, a function nested in that method."""
        outer = self.scope
        name = target.id if isinstance(target, ast.Name) else target.attr
        qual = f"{outer.qual}.{name}"
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
                name=name,
                span=self._pos(node),
                class_qual="",
                parent=parent_fn.qual if parent_fn is not None else "",
                is_async=False,
                is_generator=False,
                decorators=(),
                returns=(returned,) if returned != UNKNOWN else (),
            )
        )


def _empty_dict(value: ast.expr) -> bool:
    """`{}` or `dict()`."""
    return isinstance(value, ast.Dict) and not value.keys or isinstance(value, ast.Call) and \
        isinstance(value.func, ast.Name) and value.func.id == "dict" and not value.args and not value.keywords

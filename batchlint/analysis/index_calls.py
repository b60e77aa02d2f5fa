"""Call sites for the indexer (a mixin of index._Indexer): callee, arguments,
request facts, function references passed along, streams."""

from __future__ import annotations

import ast
import dataclasses
import re

from ..boundary import clamp
from .astwalk import TRY, Arg, call_args, dotted_name, int_value, is_partial, str_value
from .facts import UNKNOWN, RequestFacts
from .literals import literal_token
from .script_runs import SCRIPT_RUNNER_NAMES, script_run
from .object_state import self_attribute
from .dependence import MUTATORS
from .index_builders import _Scope, _SiteBuilder, _StructBuilder
from .index_shapes import (
    ARG_CONTEXT_CALLS, INPUT_CALLS, INPUT_METHODS, INPUT_PACKAGES, TEXT_KEPT_CALLS, _fstring_fields, _literal_text_size, _mentions_cache_control,
    _receiver_text, _short, stream_flag,
)


class CallVisitor:
    """Records each call and the functions it passes on."""

    # ----------------------------------------------------------------- calls
    def visit_Call(self, node: ast.Call) -> bool:
        code = self._code_scope()
        func = node.func
        if isinstance(func, ast.Attribute) and code.kind == "function" and (
                (isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name) and func.value.func.id == "super")
                or (node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "self")):
            # `super().run(xs)` / `Base.run(self, xs)`: an override that runs the
            # base method too (project.py, _inherited_only)
            code.extends.add(func.attr)
        if isinstance(func, ast.Attribute) and func.attr in MUTATORS and code.kind == "function":
            name = self_attribute(func.value)
            if name:  # `self.history.append(x)`: the method changes its object (learning.py)
                code.self_writes.add(name)
        arguments = call_args(node)
        callee = self.expr(node.func)
        if callee != UNKNOWN:
            last = callee.rpartition(".")[2].rstrip("()")
        else:  # `df["text"].apply(...)`: the method name still says what the call does
            last = node.func.attr if isinstance(node.func, ast.Attribute) else ""
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
        runs = script_run(node, callee, self.script_paths) if last in SCRIPT_RUNNER_NAMES else ""
        if runs:  # `subprocess.run([sys.executable, "one_job.py", item])` (script_runs.py)
            site.flags.add(runs)
        if id(node) in self.collected:
            site.flags.add("collected")  # its result is only gathered in code (`"".join(gen(p))`)
        if last in ("join", "list", "tuple") and (callee == UNKNOWN or callee.startswith("builtins.") or last == "join"):
            self.collected.update(id(a.value) for a in arguments if isinstance(a.value, ast.Call))
        site.callee_alts = self._alternatives(node.func, callee) + self._getattr_alternatives(node.func, callee)
        site.arg_values = self._arg_values(arguments)
        if last in ("create", "parse", "stream", "completion", "acompletion", "batch_completion", "text_completion"):
            site.request = self._request_facts(node, arguments)
        self._note_mapped_params(node, arguments, code, callee, last)
        self._register(site, code)
        if self._reads_user_input(callee, node) and not _off_the_normal_path(self.stmt_stack):
            for struct in code.structs:
                if struct.kind in ("for", "while"):
                    struct.flags.add("chat")
            if code.kind == "function":
                self.input_functions.add(code.qual)
        # Function references passed as arguments (executor.map(fn, xs), Thread(target=fn)).
        for index, arg in enumerate(arguments):
            # `add_job(wrapper, args=(job, ...))`: functions inside a tuple/list argument count too
            values = arg.value.elts if isinstance(arg.value, (ast.Tuple, ast.List)) else [arg.value]
            for value in values:
                ref = self._reference(value)
                if not ref:
                    continue
                # the same place and constructs as the call, naming the function passed
                forwarded = _forwarded(site.arg_values, index) if last in FORWARDING and arg.keyword is None else ()
                bound = self._partial_arguments(value)
                if bound:  # `pool.map(partial(grade, grade_fn=judge), rows)`: grade's grade_fn is judge
                    shift = sum(1 for key, _ in bound if key.isdigit())
                    forwarded = bound + tuple((str(int(k) + shift), v) if k.isdigit() else (k, v) for k, v in forwarded)
                self._register(
                    dataclasses.replace(
                        site, node=None, callee=ref, ref_via=callee, flags=set(), request=None,
                        callee_alts=self._alternatives(value, ref) if isinstance(value, (ast.Name, ast.Attribute)) else (),
                        arg_values=forwarded, ref_arg=arg.keyword if arg.keyword is not None else str(index),
                    ),
                    code,
                )
        if last in FUNCTION_MAPS and isinstance(node.func, ast.Attribute) and arguments:
            # `enrich.map(rows)`: a Modal function run once per item, in containers side by side
            ref = self._reference(node.func.value)
            if ref:
                self._register(dataclasses.replace(site, node=None, callee=ref, ref_via=callee, flags=set(), request=None,
                                                   callee_alts=(), arg_values=(), ref_arg="self"), code)
        self.walk(node.func)
        if last in ARG_CONTEXT_CALLS:
            struct = _StructBuilder("arg", f"argument of `{text}`", span, via=callee)
            code.structs.append(struct)
            for arg in arguments:
                self.walk(arg.value)
            code.structs.pop()
        else:
            for index, arg in enumerate(arguments):
                if isinstance(arg.value, ast.Lambda) and callee != UNKNOWN:
                    # `run_parallel(xs, lambda x: ask(x))`: if the project function maps that
                    # parameter over items, the lambda's calls repeat (contexts.py)
                    position = arg.keyword if arg.keyword is not None else str(index)
                    code.structs.append(_StructBuilder("arg", f"argument of `{text}`", span, via=callee,
                                                       flags={f"param={position}"}))
                    self.walk(arg.value)
                    code.structs.pop()
                else:
                    self.walk(arg.value)
        return False

    def _reads_user_input(self, callee: str, call: ast.Call) -> bool:
        """A call that waits for a person to type (a chat CLI's prompt): `input()`,
        `PromptSession().prompt()` / `await session.prompt_async()`, questionary,
        `aioconsole.ainput()`, a rich Console's `input`."""
        if callee in INPUT_CALLS or callee.startswith("questionary.") or callee.endswith(".input") and "Console" in callee:
            return True
        func = call.func
        last = callee.rpartition(".")[2]
        if callee.startswith(INPUT_PACKAGES) and last in INPUT_METHODS:
            return True
        # `self.session.prompt(...)`: the session's type is not known in this pass;
        # in a file using prompt_toolkit, a `.prompt`/`.prompt_async` method is its
        if isinstance(func, ast.Attribute) and func.attr in ("prompt", "prompt_async") \
                and "prompt_toolkit" in self.imported_modules:
            return True
        # `input_provider.get_user_input()`: an object that reads the person's line,
        # often an abstract provider whose terminal subclass lives in a file not parsed;
        # given something (`self.get_user_input(row)`), it reads that instead
        return isinstance(func, ast.Attribute) and bool(_USER_INPUT_METHOD.match(func.attr)) \
            and not call.args and not call.keywords

    def _settle_streams(self, sites, body: list[ast.stmt], is_generator: bool) -> None:
        """A `stream=True` / `.stream()` call not consumed in a `with`: decide by the
        function as a whole whether what arrives is shown to someone."""
        pending = [
            s for s in sites
            if s.node is not None and not s.flags & {"stream-shown", "stream-drained", "stream-yielded"}
            and (("stream", "True") in s.kwargs or s.callee.endswith(".stream"))
        ]
        if pending:
            flag = stream_flag(body, is_generator)
            for site in pending:
                site.flags.add(flag)

    def _arg_values(self, arguments: list[Arg]) -> tuple[tuple[str, str], ...]:
        out = []
        position = 0
        for arg in arguments:
            if arg.star:
                out.append(("*", UNKNOWN))  # *args/**kwargs: positions after it, and any keyword, unknown
                break
            value = self.expr(arg.value) if isinstance(arg.value, (ast.Name, ast.Attribute, ast.Call)) else UNKNOWN
            value = self._anthropic_alternative(arg.value) or value
            if value == UNKNOWN:
                value = self._literal(arg.value) or UNKNOWN  # ClaudeProvider(model="claude-haiku-4-5")
            if value == UNKNOWN and isinstance(arg.value, ast.Subscript):
                value = self.expr(arg.value)  # Loader(MODEL_DICT[name]): an entry of a registry
            key = arg.keyword if arg.keyword is not None else str(position)
            if arg.keyword is None:
                position += 1
            # an argument not followed stays, as "?": request_values.py must not read a default for it
            out.append((key, UNKNOWN if value.startswith("builtins.") else value))
        return tuple(out)

    def _anthropic_alternative(self, node: ast.expr) -> str:
        """A local bound on several branches (`client = anthropic.Anthropic()`
        on one, `openai.OpenAI()` on another): the Anthropic value, which the
        call may pass (chain_walk.py follows each caller's own argument)."""
        if not isinstance(node, ast.Name):
            return ""
        for scope in reversed(self.scopes):
            if scope.kind == "function" and node.id in scope.locals:
                return next((alt for alt in scope.alts.get(node.id, ()) if alt.startswith("anthropic.")), "")
        return ""

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
        if code.kind != "function":
            return
        func = node.func
        if isinstance(func, ast.Name) and func.id not in code.params and func.id not in code.locals:
            self._note_closure_call(func.id, code)
        if not code.params and not code.closure_calls:
            return
        if isinstance(func, ast.Name) and (func.id in code.params or func.id in code.closure_calls):
            if any(s.kind in ("for", "while", "comp") for s in code.structs):
                for param in self._params_behind(func.id, code):
                    code.mapped.setdefault(param, "loop")  # `for x in xs: f(x)`
                    code.loop_calls.setdefault(param, []).append(node)
            return
        if last not in ARG_CONTEXT_CALLS:
            return
        for arg in arguments:
            if isinstance(arg.value, ast.Name):
                kind = "loop" if callee in ("builtins.map", "builtins.filter") else "fanout"
                for param in self._params_behind(arg.value.id, code):
                    if code.mapped.get(param) != "fanout":
                        code.mapped[param] = kind

    @staticmethod
    def _params_behind(name: str, code: _Scope) -> list[str]:
        """The parameters of `code` that calling or mapping `name` calls: the
        parameter itself, or those a nested function of that name calls."""
        if name in code.params:
            return [name]
        return sorted(code.closure_calls.get(name, ()))

    def _note_closure_call(self, name: str, code: _Scope) -> None:
        """`unit_func(item)` inside `def wrap(item)` nested in `run_parallel(items,
        unit_func)`: the enclosing function's parameter, called by `wrap`."""
        nested = code.qual.rpartition(".")[2]
        for outer in reversed(self.scopes[:-1]):
            if outer.kind != "function":
                return
            if name in outer.params:
                outer.closure_calls.setdefault(nested, set()).add(name)
                return
            if name in outer.locals:
                return

    def _alternatives(self, func: ast.expr, callee: str) -> tuple[str, ...]:
        head = func
        while isinstance(head, (ast.Attribute, ast.Subscript)):  # `adapters[name].generate`: adapters
            head = head.value
        if not isinstance(head, ast.Name):
            return ()
        for scope in reversed(self.scopes):
            if scope.kind == "function" and head.id in scope.locals:
                current = scope.locals[head.id]
                alts = scope.alts.get(head.id, ())
                return tuple(callee.replace(current, alt, 1) for alt in alts if alt != current and callee.startswith(current))
        return ()

    def _getattr_alternatives(self, func: ast.expr, callee: str) -> tuple[str, ...]:
        """`getattr(self, name)(row)` with `name` one of several literals: the
        callee spelled with each of the others."""
        head = func
        while isinstance(head, (ast.Attribute, ast.Call)):
            if isinstance(head, ast.Call) and isinstance(head.func, ast.Name) and head.func.id == "getattr":
                break
            head = head.value if isinstance(head, ast.Attribute) else head.func
        if not isinstance(head, ast.Call):
            return ()
        alts = self.getattr_values(head, self.getattr_choices(head)[1:], func)
        return tuple(alt for alt in dict.fromkeys(alts) if alt not in (UNKNOWN, callee))

    def _register(self, site: _SiteBuilder, code: _Scope) -> None:
        self.sites.append(site)
        for struct in code.structs:
            struct.sites.append(site)

    def _partial_arguments(self, value: ast.expr) -> tuple[tuple[str, str], ...]:
        """What `functools.partial(f, ...)` binds, numbered from f's first parameter
        (also through a name given the partial: `fn = partial(f, k=v)`, `pool.map(fn, xs)`)."""
        if isinstance(value, ast.Name):
            value = self.scope.partials.get(value.id, value)
        if is_partial(value):
            return _forwarded(self._arg_values(call_args(value)), 0)
        return ()

    def _reference(self, value: ast.expr) -> str:
        """A symbolic function reference passed as an argument, or ''."""
        if is_partial(value):
            first = call_args(value)
            if first:
                value = first[0].value  # ex.map(partial(f, style="short"), rows) maps f
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            # Celery signatures: fn.s(...), fn.si(...), fn.signature(...)
            if value.func.attr in ("s", "si", "signature"):
                value = value.func.value
            else:
                return ""
        if isinstance(value, ast.Subscript):  # executor.submit(REGISTRY[name], row)
            ref = self.expr(value)
            return ref if ref.endswith("[]") else ""
        if not isinstance(value, (ast.Name, ast.Attribute)):
            return ""
        ref = self.expr(value)
        if ref == UNKNOWN or ref.endswith("()") or ref.startswith("builtins."):
            return ""
        return ref


# Methods of a function handle that run it once per item (Modal's `Function.map`).
FUNCTION_MAPS = frozenset(("map", "starmap", "for_each"))

# Calls that run the function they are handed with the arguments after it:
# `pool.submit(f, a, b)`, `asyncio.to_thread(f, a)`, `loop.run_in_executor(None, f, a)`.
FORWARDING = frozenset(("submit", "to_thread", "run_in_executor", "start_soon", "spawn"))


def _forwarded(arg_values: tuple[tuple[str, str], ...], index: int) -> tuple[tuple[str, str], ...]:
    """The arguments a forwarding call passes on to the function at position
    `index`, numbered from that function's first parameter."""
    out = []
    for key, value in arg_values:
        if key == "*":
            out.append((key, value))
            break
        if not key.isdigit():
            out.append((key, value))
        elif int(key) > index:
            out.append((str(int(key) - index - 1), value))
    return tuple(out)


_USER_INPUT_METHOD = re.compile(r"_*(?:(?:get|read|request|await|wait_for)_)?user_input$|_*(?:prompt|ask)_user$")


def _off_the_normal_path(path: list[ast.stmt]) -> bool:
    """The statement runs only when a flag is on: `if verbose:` / `if
    args.debug:` holding `input("Press Enter...")`, inside the innermost
    loop or function. A debugging pause off by default asks nobody on a
    normal run; nor does one in an `except` handler (a pause when calls
    fail). A flag around a whole chat loop (`if interactive: while True:
    ...`) does not count."""
    for outer, inner in zip(reversed(path[:-1]), reversed(path[1:])):
        if isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef, ast.For, ast.AsyncFor, ast.While)):
            return False
        if isinstance(outer, ast.If) and inner in outer.body and _is_flag(outer.test):
            return True
        if isinstance(outer, TRY) and any(inner in handler.body for handler in outer.handlers):
            return True  # `except ...: input("API failed, press Enter to retry")`: only when calls fail
    return False


def _is_flag(test: ast.expr) -> bool:
    """`verbose`, `self.debug`, `args.step_through`: a setting tested as it is."""
    while isinstance(test, ast.Attribute):
        test = test.value
    return isinstance(test, ast.Name)

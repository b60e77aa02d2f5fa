"""Decide, for one reported Claude call, whether the loop around it can become
a batch without changing what the program does — and if not, why not.

The check stage has already decided that nobody waits on the call; this stage
only asks whether the *shape* of the code lets batchlint split it into
"build every request" and "use every result, in order". It reads a LibCST
tree and returns a Rewrite (nodes to replace) or a Refusal (a reason):
shapes.py holds those, statements.py the rules for what may run before the call.
"""

from __future__ import annotations


import libcst as cst

from ..analysis.clients import supports_batches
from ..analysis.surfaces import remedy
from ..newer_syntax import parse as parse_any
from .positions import Positions
from .shapes import RESPONSE, ComprehensionRewrite, LoopRewrite, Refusal, Rewrite, derived_name  # noqa: F401 - re-exported
from .statements import (_bound_name, _fresh_names, _is_pacing, _link, _names_in_order, _names_outside_comprehensions,
                         _plain_target, _prefix_statement_refusal)
from .syntax import callee_name, code_of, dotted, scan, side_effect_call

_BATCHABLE_METHODS = ("messages.create", "beta.messages.create")
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
# Calls that consume a whole iterable, so a generator expression passed to
# them can be evaluated up front.
_CONSUMERS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "dict", "sum", "max", "min", "join", "Counter"})
_DROPPED_KWARGS = frozenset({"timeout"})  # an HTTP timeout: meaningless per batch request


class Planner:
    """Plans over one parsed module.

    Parents come from one walk of the tree and positions from the `ast` tree
    matched to it (codemod/positions.py), not from LibCST's metadata
    providers: on a module that already holds the inserted helpers those cost
    ~0.2 s a file, most of a second `fix`."""

    def __init__(self, module: cst.Module, source: str) -> None:
        self.module = module
        self.parents: dict[int, cst.CSTNode] = {}
        self._calls_in_order: list[cst.Call] = []
        _link(module, self.parents, self._calls_in_order)
        try:
            tree = parse_any(source)
        except (SyntaxError, ValueError):  # LibCST accepted what CPython does not: positions by fallback
            tree = None
        self.positions = Positions(module, tree, source)
        self.lines = source.splitlines()
        self._calls: dict[tuple[int, int], list[cst.Call]] | None = None

    # ----------------------------------------------------------------- lookup
    def call_at(self, line: int, column: int) -> cst.Call | None:
        """The Call node starting at (line, 1-based column)."""
        # `get_client().messages.create(...)`: two calls start here; the outermost is the request.
        calls = self.calls_at(line, column)
        return calls[-1] if calls else None

    def calls_at(self, line: int, column: int) -> list[cst.Call]:
        """Every Call node starting at (line, 1-based column), innermost first."""
        if self._calls is None:
            self._calls = {}
            for node in self._calls_in_order:
                span = self.positions.span(node)
                self._calls.setdefault((span.line, span.column), []).append(node)
            for calls in self._calls.values():
                calls.sort(key=lambda c: (self.positions.span(c).end_line, self.positions.span(c).end_column))
        return self._calls.get((line, column), [])

    def line_of(self, node: cst.CSTNode) -> int:
        return self.positions.span(node).line

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(id(node))

    # ------------------------------------------------------------------- plan
    def plan(self, call_line: int, call_column: int, report_line: int, report_column: int,
             client: str, method: str, call_path: str = "", helper=None) -> Rewrite | Refusal:
        """`call_*` is the SDK call, `report_*` where check reported it (the
        loop's own call of a helper, when the SDK call is inside that helper;
        `call_path` names the helper's file when it is another one, and
        `helper` is what helpers.plan_helper made of it)."""
        refusal = self._check_method(client, method)  # what the API call is decides first
        if refusal:
            return refusal
        if call_path or (call_line, call_column) != (report_line, report_column):
            where = f"{call_path}:{call_line}" if call_path else f"line {call_line}"
            if helper is None:
                return Refusal(f"the Claude call ({where}) is made inside a function that the loop at line "
                               f"{report_line} calls; batchlint rewrites loops whose own body makes the call")
            if isinstance(helper, Refusal):
                return helper
            return self._plan_helper_call(report_line, report_column, client, helper)
        return self._plan(call_line, call_column, client)

    def _plan_helper_call(self, line: int, column: int, client: str, helper) -> Rewrite | Refusal:
        calls = self.calls_at(line, column)
        if not calls:
            return Refusal("the call was not found in the file (it changed since it was analyzed)")
        names = {helper.name} | self.aliases_of(helper.name)
        # `llm.summarize(q).split()`: both calls start here; the loop's call of the helper is the one named so
        call = next((c for c in calls if callee_name(c) in names), calls[-1])
        if self._enclosing_repetition(call) is None:  # a task or job that makes one call per run
            return Refusal("no loop, comprehension or asyncio.gather around the call in its function")
        func = call.func
        if isinstance(func, cst.Attribute) and not (isinstance(func.value, cst.Name) and func.value.value in self.imported_modules()):
            # `self.summarize(d)`, `backend.summarize(d)`: an object, maybe of another class at run time
            return Refusal(f"the loop calls `{code_of(func)}()` on an object, not on an imported module; "
                           "batchlint cannot tell which function runs")
        if callee_name(call) not in names:
            return Refusal(f"the loop calls `{code_of(func)}()`, which reaches the Claude call in `{helper.name}()` "
                           "through more functions; batchlint splits a helper the loop calls directly")
        for arg in call.args:
            if arg.star:
                return Refusal(f"the loop passes `{arg.star}` arguments to `{helper.name}()`")
        call_expr, is_async = self.awaited(call)
        # an async wrapper's coroutine that asyncio.gather awaits: the comprehension planner handles the gather
        if is_async != helper.is_async and not (helper.is_async and self._gathered(call)):
            return Refusal(f"`{helper.name}()` is awaited differently from its Claude call (a coroutine passed on?)")
        return self._walk_out(call, call_expr, is_async, client, helper)

    def _gathered(self, call: cst.Call) -> bool:
        """`asyncio.gather(*[f(x) for x in xs])`, awaited: `call` is the element."""
        comp = self.parent(call)
        arg = self.parent(comp) if isinstance(comp, _COMPREHENSIONS) and getattr(comp, "elt", None) is call else None
        gather = self.parent(arg) if isinstance(arg, cst.Arg) and arg.star == "*" else None
        return isinstance(gather, cst.Call) and dotted(gather.func) in ("asyncio.gather", "gather") \
            and isinstance(self.parent(gather), cst.Await)

    def _imports(self):
        """(statement, import node, alias, bound name) for each name a module-level import binds."""
        for statement in self.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Import) or (isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar)):
                    for alias in small.names:
                        if alias.asname is not None:
                            bound = alias.asname.name.value
                        else:
                            bound = dotted(alias.name).split(".")[0]
                        yield statement, small, alias, bound

    def aliases_of(self, name: str) -> set[str]:
        """Names this module binds to `name` with `from ... import name as alias`."""
        return {bound for _, small, alias, bound in self._imports()
                if isinstance(small, cst.ImportFrom) and alias.asname is not None and dotted(alias.name) == name}

    def imported_modules(self) -> set[str]:
        """Names this module binds with imports at module level (`import llm`, `import a.b as llm`,
        `from a import llm`: the last may bind a module; the analysis resolved the call to a function in it)."""
        return {bound for *_, bound in self._imports()}

    def imports_relatively(self) -> bool:
        """A module-level `from . import x` / `from .x import y`: the module lives in a package."""
        return any(isinstance(small, cst.ImportFrom) and small.relative for _, small, _, _ in self._imports())

    def imported_tops(self) -> set[str]:
        """The top-level modules this module imports at module level (`acme_support` of `from acme_support.llm import ask`)."""
        tops = set()
        for _, small, alias, _ in self._imports():
            if isinstance(small, cst.ImportFrom):
                if not small.relative and small.module is not None:
                    tops.add(dotted(small.module).split(".")[0])
            else:
                tops.add(dotted(alias.name).split(".")[0])
        return tops

    def import_of(self, called: str) -> cst.SimpleStatementLine | None:
        """The module-level `from ... import` statement that binds `called`."""
        return next((statement for statement, small, alias, bound in self._imports()
                     if isinstance(small, cst.ImportFrom) and bound == called and isinstance(alias.name, cst.Name)), None)

    def _check_method(self, client: str, method: str) -> Refusal | None:
        if remedy(client):
            return Refusal(f"{remedy(client)}; batchlint rewrites calls of the Anthropic SDK's own client")
        if not supports_batches(client):
            return Refusal(f"`{client}` has no Message Batches API")
        if method.endswith(".stream"):
            return Refusal(f"`{method}` streams the response as it is generated; a batch returns whole messages")
        if method.endswith(".parse"):
            return Refusal(f"`{method}` validates a structured output client-side; batchlint rewrites messages.create "
                           "and beta.messages.create (ask for JSON output and parse each batch result)")
        if method not in _BATCHABLE_METHODS:
            return Refusal(f"`{method}` has no batch form batchlint can write (it rewrites messages.create and beta.messages.create)")
        return None

    def _plan(self, call_line: int, call_column: int, client: str) -> Rewrite | Refusal:
        call = self.call_at(call_line, call_column)
        if call is None:
            return Refusal("the call was not found in the file (it changed since it was analyzed)")
        refusal = self._check_call(call)
        if refusal:
            return refusal
        call_expr, is_async = self.awaited(call)
        return self._walk_out(call, call_expr, is_async, client)

    def awaited(self, call: cst.Call) -> tuple[cst.BaseExpression, bool]:
        """(the call, or the `await` around it; whether it is awaited)."""
        parent = self.parent(call)
        return (parent, True) if isinstance(parent, cst.Await) else (call, False)

    def _walk_out(self, call: cst.Call, call_expr: cst.BaseExpression, is_async: bool, client: str,
                  helper=None) -> Rewrite | Refusal:
        """Walk outward from the call to the first repetition, watching what lies between."""
        node: cst.CSTNode = call_expr
        while True:
            parent = self.parent(node)
            if parent is None or isinstance(parent, (cst.Module, cst.FunctionDef, cst.ClassDef)):
                return Refusal("no loop, comprehension or asyncio.gather around the call in its function")
            if isinstance(parent, cst.Lambda):
                return Refusal("the call is inside a lambda; batchlint rewrites loops whose body makes the call")
            if isinstance(parent, (cst.BooleanOperation, cst.IfExp)) and node is not getattr(parent, "test", None) \
                    and node is not getattr(parent, "left", None):
                return Refusal("the call is in a conditional expression (`and`, `or`, `x if c else y`): not every item makes it")
            if isinstance(parent, cst.While):
                return Refusal(f"`while` loop (line {self.line_of(parent)}): the items are not known before the loop runs")
            if isinstance(parent, _COMPREHENSIONS):
                return self._plan_comprehension(parent, node, call, call_expr, is_async, helper)
            if isinstance(parent, cst.For) and node is not parent.iter:
                if client.startswith("Async") and not is_async:
                    return Refusal("the async client's coroutine is not awaited here (collected and awaited elsewhere)")
                return self._plan_for(parent, call, call_expr, is_async, helper)
            if isinstance(parent, cst.Try):
                return Refusal("a try/except around the call handles API errors one item at a time")
            if isinstance(parent, (cst.With,)):
                return Refusal(f"the call is inside a `with` block (line {self.line_of(parent)}) in the loop")
            if isinstance(parent, cst.If) and node is parent.test:
                node = parent  # `if client.messages.create(...)...:`: every item makes the call
                continue
            if isinstance(parent, (cst.If,)):
                return Refusal(f"the call is inside an `if` (line {self.line_of(parent)}) in the loop body; "
                               "batchlint rewrites calls every kept item makes (filter with `continue` before the call)")
            node = parent

    def _check_call(self, call: cst.Call) -> Refusal | None:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "create":
            return Refusal(f"the call is not spelled `<client>.messages.create(...)` (it is `{code_of(func)[:60]}(...)`)")
        resource = dotted(func.value) or code_of(func.value)
        if "with_raw_response" in resource or "with_streaming_response" in resource:
            return Refusal("`with_raw_response`/`with_streaming_response`: the code reads HTTP details a batch result does not have")
        for arg in call.args:
            if arg.keyword is None and not arg.star:
                return Refusal("the call passes positional arguments")
            if arg.star == "*":
                return Refusal("the call spreads `*args`")
            name = arg.keyword.value if arg.keyword else ""
            if name == "stream" and not (isinstance(arg.value, cst.Name) and arg.value.value == "False"):
                return Refusal("the response is streamed (`stream=`); a batch returns whole messages")
            if name in ("extra_headers", "extra_query"):
                return Refusal(f"`{name}` has no per-request place in a batch")
            if name == "betas":
                return Refusal("`betas=` applies to a whole batch, not one request")
        return None

    def _enclosing_repetition(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """A loop or comprehension around `node` within the same function, if any."""
        parent = self.parent(node)
        while parent is not None and not isinstance(parent, (cst.Module, cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            if isinstance(parent, (cst.For, cst.While, *_COMPREHENSIONS)):
                return parent
            parent = self.parent(parent)
        return None

    def _resource_refusal(self, call: cst.Call, local: set[str], changed: set[str]) -> Refusal | None:
        used = scan(call.func).reads
        varying = sorted(used & local)
        if varying:
            return Refusal(f"the client depends on the item (`{code_of(call.func)}` reads `{varying[0]}`)")
        changed_here = sorted(used & changed)
        if changed_here:
            return Refusal(f"the client is changed inside the loop (`{changed_here[0]}`)")
        return None

    # -------------------------------------------------------------- for loops
    def _plan_for(self, loop: cst.For, call: cst.Call, call_expr: cst.BaseExpression, is_async: bool,
                  helper=None) -> Rewrite | Refusal:
        outer = self._enclosing_repetition(loop)
        if outer is not None:
            return Refusal(f"the call is in nested loops (line {self.line_of(loop)} inside line {self.line_of(outer)}); "
                           "batchlint rewrites one loop level")
        if not isinstance(loop.body, cst.IndentedBlock):
            return Refusal("the loop body is on the same line as `for`")
        body = list(loop.body.body)
        statement = call_expr
        while self.parent(statement) is not loop.body:
            statement = self.parent(statement)
        index = body.index(statement)
        prefix, suffix = body[:index], body[index + 1:]
        target_names = _names_in_order(loop.target)
        if not target_names or not _plain_target(loop.target):
            return Refusal("the loop target is not a plain name or tuple of names")
        # What each part does.
        pre = scan(*prefix) if prefix else scan(cst.Pass())
        own = _fresh_names(prefix) - set(target_names)  # values each item's statements make afresh
        for stmt in prefix:
            refusal = _prefix_statement_refusal(stmt, own)
            if refusal:
                return refusal
        local = set(target_names) | pre.writes
        effect = side_effect_call(pre, local)
        if effect:
            return Refusal(f"`{effect}` runs before the call; the rewrite would run it for every item before any result is used")
        args = scan(*[a for a in call.args])
        effect = side_effect_call(args, local)
        if effect:
            return Refusal(f"the request's arguments call `{effect}`, which the rewrite would run before earlier items' results are used")
        result_name = "" if helper is not None else _bound_name(statement, call_expr)
        rest = [statement] if not result_name else []
        post = scan(*(rest + suffix)) if (rest or suffix) else scan(cst.Pass())
        # The statement holding the call may also bind or change names (`x = ...` of the result).
        stmt_usage = scan(statement)
        changed = post.writes | stmt_usage.writes
        if result_name:
            changed.add(result_name)
        # The loop's own iterable counts too: a body that appends to it adds items.
        # The loop variables are bound afresh for every item: the body changing
        # the current item (`ticket.summary = ...`) does not reach the next request.
        request_reads = (((pre.reads | args.reads) - pre.writes) - set(target_names)) | scan(loop.iter).reads
        depends = sorted(request_reads & changed)
        if depends:
            return Refusal(f"loop-carried dependence: the request reads `{depends[0]}`, which the loop body changes after the call")
        refusal = self._resource_refusal(call, local, changed) if helper is None else None
        if refusal:
            return refusal
        if post.yields or pre.yields or args.yields:
            return Refusal("the loop yields: its consumer takes items one at a time as they are produced")
        if post.returns or pre.returns:
            return Refusal("`return` inside the loop: it may end the loop depending on a response")
        if post.breaks:
            return Refusal("`break` after the call: the loop may stop early depending on a response")
        if pre.breaks and loop.orelse is not None:
            return Refusal("`break` before the call in a loop with an `else:` clause")
        if is_async and pre.awaits and any(not _is_pacing(c) for c in pre.calls if self.parent(c) and isinstance(self.parent(c), cst.Await)):
            return Refusal("an `await` before the call would be reordered against earlier items' results")
        # Each item carries its loop variables and the names the rest of the body
        # reads; a name bound before the call and not read after it keeps, after
        # the build loop, the value the original left (an inner loop's variable
        # may even be unbound for some items, so it must not be carried blindly).
        saved = tuple(dict.fromkeys(target_names)) + tuple(sorted((pre.writes - set(target_names)) & post.reads))
        if pre.continues or pre.breaks:
            after = self._names_read_after(loop)
            stale = sorted(after & set(saved))
            if stale:
                return Refusal(f"`{stale[0]}` is read after the loop, and with the filter before the call it would hold a different item")
        return LoopRewrite(loop, statement, index, call_expr, call, result_name, saved, is_async, helper)

    def _names_read_after(self, loop: cst.For) -> set[str]:
        """Names read by statements after `loop` in its enclosing function (or module)."""
        reads: set[str] = set()
        node: cst.CSTNode = loop
        parent = self.parent(node)
        while parent is not None and not isinstance(node, cst.FunctionDef):
            body = parent.body if isinstance(parent, (cst.IndentedBlock, cst.Module)) else None
            index = next((i for i, s in enumerate(body) if s is node), None) if isinstance(body, (list, tuple)) else None
            if index is not None:
                later = list(body)[index + 1:]
                if later:
                    reads |= scan(*later).reads
            if isinstance(parent, (cst.For, cst.While)):
                reads |= scan(parent).reads  # an enclosing loop runs everything again
            elif isinstance(parent, (cst.If, cst.Try, cst.With)):
                reads |= scan(parent).reads  # its other branches and handlers may follow
            node, parent = parent, self.parent(parent)
        return reads

    # ---------------------------------------------------------- comprehensions
    def _plan_comprehension(self, comp, child, call, call_expr, is_async, helper=None) -> Rewrite | Refusal:
        if isinstance(comp, cst.DictComp):
            if child is not comp.value:
                return Refusal("the call is in the key or loop part of a dict comprehension")
        elif child is not comp.elt:
            return Refusal("the call is in the loop part of the comprehension, not its element")
        outer = self._enclosing_repetition(comp)
        if outer is not None:
            return Refusal(f"the comprehension (line {self.line_of(comp)}) is inside a loop (line {self.line_of(outer)}); "
                           "batchlint rewrites one loop level")
        targets: list[str] = []
        for_in = comp.for_in
        while for_in is not None:
            if not _plain_target(for_in.target):
                return Refusal("a comprehension target is not a plain name or tuple of names")
            targets += [n for n in _names_in_order(for_in.target) if n not in targets]
            for cond in for_in.ifs:
                if side_effect_call(scan(cond)):
                    return Refusal("a comprehension condition has an effect the rewrite would reorder")
            for_in = for_in.inner_for_in
        element = comp.value if isinstance(comp, cst.DictComp) else comp.elt
        elt = scan(element)
        if elt.yields or (isinstance(comp, cst.DictComp) and scan(comp.key).yields):
            return Refusal("the comprehension yields")
        args = scan(*call.args)
        effect = side_effect_call(args, set(targets))
        if effect:
            return Refusal(f"the request's arguments call `{effect}`, which the rewrite would run up front")
        refusal = self._resource_refusal(call, set(targets), set())
        if refusal:
            return refusal
        gather = False
        replace: cst.BaseExpression = comp
        parent = self.parent(comp)
        if not is_async:
            # The element is a coroutine when the client is async and nothing awaits it here.
            arg = parent if isinstance(parent, cst.Arg) else None
            call_node = self.parent(arg) if arg is not None else None
            if arg is not None and arg.star == "*" and isinstance(call_node, cst.Call) and dotted(call_node.func) in ("asyncio.gather", "gather"):
                if child is not call_expr and element is not call:
                    return Refusal("the gathered coroutine is wrapped in other code")
                if len(call_node.args) != 1:
                    extra = [a.keyword.value for a in call_node.args if a.keyword]
                    if "return_exceptions" in extra:
                        return Refusal("`asyncio.gather(..., return_exceptions=True)` turns per-item failures into values")
                    return Refusal("asyncio.gather takes more than the one comprehension")
                awaited = self.parent(call_node)
                if not isinstance(awaited, cst.Await):
                    return Refusal("the asyncio.gather is not awaited where it is made")
                gather, replace, is_async = True, awaited, True
            elif isinstance(comp, cst.GeneratorExp):
                if not (arg is not None and isinstance(call_node, cst.Call) and len(call_node.args) == 1
                        and callee_name(call_node) in _CONSUMERS):
                    return Refusal("a generator expression runs its calls lazily, as its consumer asks for items")
        elif isinstance(comp, cst.GeneratorExp):
            return Refusal("an async generator expression runs its calls lazily")
        statement = self._hoistable(replace, comp)
        if helper is not None:
            # the helper's request builder returns two values per item: the requests are
            # added in `for` statements before the comprehension, whose names then leak
            if statement is None or (isinstance(comp, cst.GeneratorExp) and not gather):
                return Refusal(f"the comprehension calls `{helper.name}()`, which makes the Claude call; batchlint "
                               "splits a helper called from a comprehension only when it is assigned, returned or "
                               "passed to a consumer as a whole statement")
            scope = self.parent(statement)
            while scope is not None and not isinstance(scope, (cst.FunctionDef, cst.Module)):
                scope = self.parent(scope)
            elsewhere = _names_outside_comprehensions(scope)
            taken = sorted(set(targets) & elsewhere)
            if taken:
                return Refusal(f"the comprehension calls `{helper.name}()`, and its variable `{taken[0]}` is used "
                               "elsewhere in the function; the rewrite adds the requests in a `for` loop, which would "
                               "rebind it")
        return ComprehensionRewrite(replace, comp, call_expr, call, tuple(targets), is_async, gather, statement, helper)

    def _hoistable(self, replace: cst.BaseExpression, comp: cst.BaseExpression):
        """The simple statement holding `replace` when the requests can be added
        in a statement before it: the statement is `x = <it>`, `return <it>`
        or `<it>` alone (or passes it straight to a consumer such as `list()`)."""
        value, parent = replace, self.parent(replace)
        if isinstance(parent, cst.Arg) and isinstance(self.parent(parent), cst.Call):
            consumer = self.parent(parent)
            if len(consumer.args) != 1 or scan(consumer.func).calls:
                return None
            value, parent = consumer, self.parent(consumer)
        if not (isinstance(parent, (cst.Assign, cst.AnnAssign, cst.Return, cst.Expr)) and parent.value is value):
            return None
        if isinstance(parent, cst.Assign) and not all(isinstance(t.target, cst.Name) for t in parent.targets):
            return None
        statement = self.parent(parent)
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1 \
                or not isinstance(self.parent(statement), (cst.IndentedBlock, cst.Module)):
            return None
        for_in = comp.for_in
        while for_in is not None:
            if for_in.asynchronous is not None:
                return None  # `async for` clauses: the requests cannot be added by a plain generator
            for_in = for_in.inner_for_in
        return statement


# ------------------------------------------------------------------ helpers

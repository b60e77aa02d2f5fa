"""Apply planned rewrites to a LibCST module: loops and comprehensions become
"build every request, run one batch, use each result in order", and the
helper functions they call are inserted once, with their imports.

Everything not rewritten keeps its exact text: nodes are replaced by identity,
and the replacements reuse the original argument, target and body nodes.
"""

from __future__ import annotations

import functools
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from .helpers import derived_functions
from .plan import PENDING, RESPONSE, ComprehensionRewrite, LoopRewrite, Rewrite, SplitRewrite, derived_name
from .syntax import is_docstring

_SPACE = cst.SimpleWhitespace(" ")
STATE, PARAMS = "_batchlint_state", "_batchlint_params"  # what a helper's request builder returns
_TEMPLATE = Path(__file__).with_name("template.py")  # read as text: importing it would import the SDK
# Module imports each template function needs, and the template functions it calls.
_IMPORTS = {
    "_batchlint_requests": ("hashlib", "json"),
    "_batchlint_record": ("anthropic",),
    "_batchlint_results": ("anthropic",),
    "_batchlint_submit": (),
    "_batchlint_collect": ("anthropic", "os", "time"),
    "_batchlint_batch": (),
    "_batchlint_submit_async": (),
    "_batchlint_collect_async": ("anthropic", "asyncio", "os", "time"),
    "_batchlint_batch_async": (),
    "_batchlint_split": (),
    "_batchlint_split_async": (),
}
_CALLS = {
    "_batchlint_requests": (),
    "_batchlint_submit": ("_batchlint_requests",),
    "_batchlint_record": (),
    "_batchlint_results": (),
    "_batchlint_collect": ("_batchlint_requests", "_batchlint_record", "_batchlint_results"),
    "_batchlint_batch": ("_batchlint_submit", "_batchlint_collect"),
    "_batchlint_submit_async": ("_batchlint_requests",),
    "_batchlint_collect_async": ("_batchlint_requests", "_batchlint_record", "_batchlint_results"),
    "_batchlint_batch_async": ("_batchlint_submit_async", "_batchlint_collect_async"),
    # not template functions: what a --split rewrite calls
    "_batchlint_split": ("_batchlint_submit", "_batchlint_collect"),
    "_batchlint_split_async": ("_batchlint_submit_async", "_batchlint_collect_async"),
}
HELPER_NOTE = "# Added by `batchlint fix`: send requests through the Message Batches API (half price)."


def apply(module: cst.Module, rewrites: list[Rewrite], helpers=(), imports=()) -> cst.Module:
    """The module with every rewrite applied and the helpers it needs added.

    `helpers`: helpers.Helper values whose function is in this module; the
    functions derived from each are inserted after it. `imports`: (statement,
    new statement) pairs; the new `from ... import` goes right after the one
    that imports the helper."""
    if not rewrites and not helpers:
        return module
    module = module.visit(_Rewriter(rewrites, helpers, imports))
    if not rewrites:
        return module
    needed = _closure([_helper_for(r) for r in rewrites])
    return add_helpers(module, needed)


def helper_name(rewrite: Rewrite) -> str:
    return "_batchlint_batch_async" if rewrite.is_async else "_batchlint_batch"


def _helper_for(rewrite: Rewrite) -> str:
    if isinstance(rewrite, SplitRewrite):
        return "_batchlint_split_async" if rewrite.is_async else "_batchlint_split"
    return helper_name(rewrite)


class _Rewriter(cst.CSTTransformer):
    def __init__(self, rewrites: list[Rewrite], helpers=(), imports=()) -> None:
        self.by_node = {id(r.node): r for r in rewrites}
        self.helpers = {id(h.function): h for h in helpers}
        self.imports = {id(statement): new for statement, new in imports}

    def on_leave(self, original_node, updated_node):
        if id(original_node) in self.helpers:
            return cst.FlattenSentinel([updated_node, *derived_functions(self.helpers[id(original_node)])])
        if id(original_node) in self.imports:
            return cst.FlattenSentinel([updated_node, self.imports[id(original_node)]])
        rewrite = self.by_node.get(id(original_node))
        if rewrite is None:
            return updated_node
        if isinstance(rewrite, LoopRewrite):
            return cst.FlattenSentinel(_split_loop(rewrite))
        if isinstance(rewrite, SplitRewrite):
            return cst.FlattenSentinel(_submit_and_collect(rewrite))
        return _comprehension(rewrite)


# ---------------------------------------------------------------- pieces
def _item(names: tuple[str, ...]) -> cst.BaseExpression:
    """What one item carries: `doc`, or `(i, doc, prompt)`."""
    if len(names) == 1:
        return cst.Name(names[0])
    return cst.Tuple([cst.Element(cst.Name(n)) for n in names])


def _params(call: cst.Call) -> cst.Call:
    """`dict(<the call's own arguments>)`: the request params, evaluated where the call was."""
    return cst.Call(func=cst.Name("dict"), args=call.args, whitespace_before_args=call.whitespace_before_args)


def _batch_call(rewrite: Rewrite, requests: cst.BaseExpression) -> cst.BaseExpression:
    # `client.messages` of `client.messages.create`, or the helper's
    resource = rewrite.resource() if isinstance(rewrite, LoopRewrite) else rewrite.call.func.value
    call = cst.Call(
        func=cst.Name(helper_name(rewrite)),
        args=[cst.Arg(resource, comma=cst.Comma(whitespace_after=_SPACE)), cst.Arg(requests)],
    )
    return cst.Await(call) if rewrite.is_async else call


def _pair(item: cst.BaseExpression, other: cst.BaseExpression, parens: bool = True) -> cst.Tuple:
    elements = [cst.Element(item, comma=cst.Comma(whitespace_after=_SPACE)), cst.Element(other)]
    return cst.Tuple(elements) if parens else cst.Tuple(elements, lpar=[], rpar=[])


def _split_loop(r: LoopRewrite) -> list[cst.BaseStatement]:
    loop = r.loop
    body = list(loop.body.body)
    prefix, suffix = body[: r.index], body[r.index + 1:]
    statement = r.statement
    # 1. collect the requests (and what each item needs later) in the original loop
    saved, params = r.saved, _params(r.call)
    built: list[cst.BaseStatement] = []
    if r.helper is not None:  # the helper's own request builder gives (state, params)
        saved, params = (*r.saved, STATE), cst.Name(PARAMS)
        built.append(cst.SimpleStatementLine([cst.Assign(
            targets=[cst.AssignTarget(_pair(cst.Name(STATE), cst.Name(PARAMS), parens=False))],
            value=r.call.with_changes(func=derived_name(r.call, r.helper.request)),
        )], leading_lines=statement.leading_lines))
    append = cst.SimpleStatementLine(
        body=[cst.Expr(cst.Call(
            func=cst.Attribute(cst.Name(PENDING), cst.Name("append")),
            args=[cst.Arg(_pair(_item(saved), params))],
        ))],
        leading_lines=() if built else statement.leading_lines,
    )
    init = cst.SimpleStatementLine(
        body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(PENDING))], value=cst.List([]))],
        leading_lines=loop.leading_lines,
    )
    build = loop.with_changes(body=loop.body.with_changes(body=[*prefix, *built, append]), orelse=None, leading_lines=())
    # 2. run the batch, then the rest of the body per item, in the original order
    result = r.result_name or RESPONSE
    rest: list[cst.BaseStatement] = []
    if r.helper is not None:  # the helper's finisher turns the response into what the helper returned
        finish: cst.BaseExpression = cst.Call(derived_name(r.call, r.helper.finish), args=[
            cst.Arg(cst.Name(STATE), star="*", comma=cst.Comma(whitespace_after=_SPACE)), cst.Arg(cst.Name(RESPONSE))])
        if r.helper.finish_is_async:
            finish = cst.Await(finish)
        rest.append(statement.deep_replace(r.call_expr, finish))
    elif not r.result_name:
        rest.append(statement.deep_replace(r.call_expr, cst.Name(RESPONSE)))
    rest += suffix
    if not rest:
        rest = [cst.SimpleStatementLine([cst.Pass()])]
    collect = cst.For(
        target=_pair(_item(saved), cst.Name(result), parens=False),
        iter=_batch_call(r, cst.Name(PENDING)),
        body=loop.body.with_changes(body=rest),
        orelse=loop.orelse,
    )
    return [init, build, collect]


def _forward(params: cst.Parameters, first: list[cst.Arg] = ()) -> list[cst.Arg]:
    """Arguments that pass a function's own parameters on unchanged."""
    args = list(first)
    for param in (*params.posonly_params, *params.params):
        args.append(cst.Arg(cst.Name(param.name.value)))
    if isinstance(params.star_arg, cst.Param):
        args.append(cst.Arg(cst.Name(params.star_arg.name.value), star="*"))
    for param in params.kwonly_params:
        args.append(cst.Arg(cst.Name(param.name.value), keyword=cst.Name(param.name.value),
                            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    if params.star_kwarg is not None:
        args.append(cst.Arg(cst.Name(params.star_kwarg.name.value), star="**"))
    return [a.with_changes(comma=cst.Comma(whitespace_after=_SPACE)) if i < len(args) - 1 else a for i, a in enumerate(args)]


def _submit_and_collect(r: SplitRewrite) -> list[cst.FunctionDef]:
    """f -> f (now submit + collect), submit_f, collect_f(batch_ids, ...)."""
    f, loop = r.function, r.loop
    name = f.name.value
    init, build, collect = _split_loop(loop)
    index = list(f.body.body).index(loop.loop)
    after = list(f.body.body)[index + 1:]
    suffix = "_async" if r.is_async else ""
    resource = loop.resource()

    def helper(helper_name: str, *args: cst.BaseExpression) -> cst.BaseExpression:
        call = cst.Call(cst.Name(helper_name + suffix),
                        args=[cst.Arg(a, comma=cst.Comma(whitespace_after=_SPACE)) for a in args[:-1]] + [cst.Arg(args[-1])])
        return cst.Await(call) if r.is_async else call

    submit_return = cst.SimpleStatementLine([cst.Return(helper("_batchlint_submit", resource, cst.Name(PENDING)))])
    submit = f.with_changes(
        name=cst.Name(f"submit_{name}"), decorators=[], returns=None,
        body=f.body.with_changes(body=[*r.before, init, build, submit_return]),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine(), cst.EmptyLine(comment=cst.Comment(
            f"# `batchlint fix --split`: schedule submit_{name}() now and collect_{name}(<its return value>, ...) later."))],
    )
    collect = collect.with_changes(iter=helper("_batchlint_collect", resource, cst.Name("batch_ids"), cst.Name(PENDING)))
    params = f.params
    alone = not (params.posonly_params or params.params or params.kwonly_params or params.star_kwarg
                 or isinstance(params.star_arg, cst.Param))
    batch_ids = cst.Param(cst.Name("batch_ids"), comma=cst.MaybeSentinel.DEFAULT if alone else cst.Comma(whitespace_after=_SPACE))
    if params.posonly_params:
        params = params.with_changes(posonly_params=[batch_ids, *params.posonly_params])
    else:
        params = params.with_changes(params=[batch_ids, *params.params])
    collector = f.with_changes(
        name=cst.Name(f"collect_{name}"), decorators=[], params=params,
        body=f.body.with_changes(body=[*r.before, init, build, collect, *after]),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )
    both = cst.Call(cst.Name(f"collect_{name}"), args=_forward(f.params, [cst.Arg(
        cst.Await(cst.Call(cst.Name(f"submit_{name}"), args=_forward(f.params))) if r.is_async
        else cst.Call(cst.Name(f"submit_{name}"), args=_forward(f.params)))]))
    docstring = [s for s in f.body.body[:1] if is_docstring(s)]
    whole = f.with_changes(body=f.body.with_changes(body=[*docstring, cst.SimpleStatementLine(
        [cst.Return(cst.Await(both) if r.is_async else both)])]))
    return [whole, submit, collector]


def _comprehension(r: ComprehensionRewrite) -> cst.BaseExpression:
    comp = r.comp
    requests = cst.ListComp(elt=_pair(_item(r.saved), _params(r.call)), for_in=comp.for_in)
    for_in = cst.CompFor(
        target=_pair(_item(r.saved), cst.Name(RESPONSE), parens=False),
        iter=_batch_call(r, requests),
    )
    if r.gather:  # `await asyncio.gather(*[<call> for ...])` is the list of responses
        return cst.ListComp(elt=cst.Name(RESPONSE), for_in=for_in, lpar=r.replace.lpar, rpar=r.replace.rpar)
    if isinstance(comp, cst.DictComp):
        return comp.with_changes(value=comp.value.deep_replace(r.call_expr, cst.Name(RESPONSE)) if comp.value is not r.call_expr
                                 else cst.Name(RESPONSE), for_in=for_in)
    elt = cst.Name(RESPONSE) if comp.elt is r.call_expr else comp.elt.deep_replace(r.call_expr, cst.Name(RESPONSE))
    return comp.with_changes(elt=elt, for_in=for_in)


# ---------------------------------------------------------------- helpers
@functools.cache
def _template_functions(newline: str = "\n") -> dict[str, cst.FunctionDef]:
    """The template's functions, with `newline` inside their multi-line strings too."""
    source = _TEMPLATE.read_text(encoding="utf-8").replace("\n", newline)
    module = cst.parse_module(source)
    return {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}


def _closure(names: list[str]) -> list[str]:
    """The helpers named and those they call, in the template's order."""
    wanted: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            stack += _CALLS[name]
    wanted -= {"_batchlint_split", "_batchlint_split_async"}
    return [n for n in _template_functions() if n in wanted]


def defined_functions(module: cst.Module) -> set[str]:
    return {s.name.value for s in module.body if isinstance(s, cst.FunctionDef)}


def add_helpers(module: cst.Module, names: list[str]) -> cst.Module:
    """Insert the helper functions a module lacks after its imports, and their imports."""
    missing = [n for n in names if n not in defined_functions(module)]
    if not missing:
        return module
    functions = _template_functions(module.default_newline)
    blank = cst.EmptyLine()
    note = cst.EmptyLine(comment=cst.Comment(HELPER_NOTE))
    nodes = [functions[n].with_changes(leading_lines=[blank, blank] + ([note] if i == 0 else []))
             for i, n in enumerate(missing)]
    body = list(module.body)
    at = _after_imports(body)
    if at < len(body):
        body[at] = body[at].with_changes(leading_lines=[blank, blank, *_strip_blank(body[at].leading_lines)])
    # Imports are added by LibCST's AddImportsVisitor, run on the module's
    # leading import block alone: on the whole module (helpers included) it
    # costs ~0.2 s a file, most of a fix's time.
    context = CodemodContext()
    for name in missing:
        for imported in _IMPORTS[name]:
            AddImportsVisitor.add_needed_import(context, imported)
    head = AddImportsVisitor(context).transform_module(module.with_changes(body=body[:at], footer=()))
    return module.with_changes(header=head.header, body=[*head.body, *nodes, *body[at:]])


def _strip_blank(lines) -> list:
    lines = list(lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return lines


def _after_imports(body: list[cst.BaseStatement]) -> int:
    """Index just past the module's leading docstring, `__future__` and import statements."""
    at = 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom)) or (index == 0 and isinstance(s, cst.Expr)
                                                                 and isinstance(s.value, (cst.SimpleString, cst.ConcatenatedString)))
                for s in statement.body):
            at = index + 1
            continue
        break
    return at

"""Apply planned rewrites to a LibCST module: loops and comprehensions become
"add every request to a batch, then use each result in order" through the
runtime module the project imports (`_claude_batch`, written by fix/runtime_file.py).

Everything not rewritten keeps its exact text: nodes are replaced by identity,
and the replacements reuse the original argument, target and body nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .helpers import derived_functions
from .replay import ReplayRewrite
from .replay_build import one_argument_a_line, replay_nodes
from .plan import RESPONSE, ComprehensionRewrite, LoopRewrite, Rewrite, derived_name
from .shapes import runtime_attr
from .syntax import line_break

_SPACE = cst.SimpleWhitespace(" ")
STATE, PARAMS = "_batchlint_state", "_batchlint_params"  # what a helper's request builder returns


@dataclass(frozen=True)
class Emit:
    """How one rewrite calls the runtime: its state key, whether it waits for
    the batch (False: the non-blocking form for scheduled jobs), and the local
    name of the Batch object (loops only)."""

    key: str
    wait: bool = True
    var: str = "batch"
    response: str = RESPONSE  # the name of a response the original code did not name
    indent: int = 0  # columns before the statement the Batch is made in
    line_length: int = 88
    indent_unit: int = 4  # the module's indentation step
    taken: frozenset[str] = frozenset()  # names used in the rewritten code's function (or module)


def apply(module: cst.Module, rewrites: list[Rewrite], emits: dict[int, Emit], helpers=()) -> cst.Module:
    """The module with every rewrite applied (`emits` by id of the rewrite's node).

    `helpers`: helpers.Helper values whose function is in this module; the
    functions derived from each are inserted after it. Imports are added by imports.py."""
    if not rewrites and not helpers:
        return module
    return module.visit(_Rewriter(rewrites, emits, helpers))


class _Rewriter(cst.CSTTransformer):
    def __init__(self, rewrites: list[Rewrite], emits: dict[int, Emit], helpers=()) -> None:
        self.by_node = {id(r.node): r for r in rewrites}
        self.emits = emits
        self.helpers = {id(h.function): h for h in helpers}

    def on_leave(self, original_node, updated_node):
        if id(original_node) in self.helpers:
            return cst.FlattenSentinel([updated_node, *derived_functions(self.helpers[id(original_node)])])
        rewrite = self.by_node.get(id(original_node))
        if rewrite is None:
            return updated_node
        emit = self.emits[id(original_node)]
        if isinstance(rewrite, ReplayRewrite):
            fit = lambda statement, depth: _fitted_call(statement, emit.indent + depth * emit.indent_unit, emit.line_length)  # noqa: E731
            fit_expression = lambda expression: one_argument_a_line(expression, emit.indent, emit.line_length)  # noqa: E731
            replaced = replay_nodes(rewrite, _key(emit), set(emit.taken), fit, fit_expression)
            if isinstance(replaced, list):
                return cst.FlattenSentinel(replaced)
            if isinstance(replaced, cst.BaseStatement):
                return replaced
            return one_argument_a_line(replaced, emit.indent, emit.line_length)
        if isinstance(rewrite, LoopRewrite):
            return cst.FlattenSentinel(_split_loop(rewrite, emit))
        if rewrite.statement is not None:
            return cst.FlattenSentinel(_hoisted_comprehension(rewrite, emit))
        return _comprehension(rewrite, emit)


# ---------------------------------------------------------------- pieces
def _item(names: tuple[str, ...]) -> cst.BaseExpression:
    """What one item carries: `doc`, or `(i, doc, prompt)`."""
    if len(names) == 1:
        return cst.Name(names[0])
    return cst.Tuple([cst.Element(cst.Name(n)) for n in names])


def _with_item(call: cst.Call, func: cst.BaseExpression, item: cst.BaseExpression) -> cst.Call:
    """`func(item, <the call's own arguments>)`, laid out as the call was (one
    argument a line stays one argument a line)."""
    ws = call.whitespace_before_args
    after = ws if isinstance(ws, cst.ParenthesizedWhitespace) else _SPACE
    return call.with_changes(func=func, args=[cst.Arg(item, comma=cst.Comma(whitespace_after=after)), *call.args])


def _args(*values: cst.BaseExpression, keywords: dict | None = None) -> list[cst.Arg]:
    args = [cst.Arg(v) for v in values]
    for name, value in (keywords or {}).items():
        args.append(cst.Arg(value, keyword=cst.Name(name),
                            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    return [a.with_changes(comma=cst.Comma(whitespace_after=_SPACE)) if i < len(args) - 1 else a for i, a in enumerate(args)]


def _options(emit: Emit) -> dict:
    return {} if emit.wait else {"wait": cst.Name("False")}


def _resource(rewrite: Rewrite) -> cst.BaseExpression:
    # `client.messages` of `client.messages.create`, or the helper's
    if isinstance(rewrite, LoopRewrite):
        return rewrite.resource()
    if rewrite.helper is not None:
        return cst.Call(derived_name(rewrite.call, rewrite.helper.messages))
    return rewrite.call.func.value


def _key(emit: Emit) -> cst.SimpleString:
    return cst.SimpleString(repr(emit.key) if '"' in emit.key else f'"{emit.key}"')


def _batch_statement(r: Rewrite, emit: Emit, leading_lines) -> cst.SimpleStatementLine:
    """`batch = _claude_batch.Batch(<messages>, "<key>")`."""
    call = cst.Call(runtime_attr("Batch"), args=_args(_resource(r), _key(emit), keywords=_options(emit)))
    statement = cst.SimpleStatementLine([cst.Assign(targets=[cst.AssignTarget(cst.Name(emit.var))], value=call)],
                                        leading_lines=leading_lines)
    return _fitted(statement, emit.indent, emit.line_length)


def _fitted(statement: cst.SimpleStatementLine, indent: int, line_length: int) -> cst.SimpleStatementLine:
    """A one-line statement the rewrite wrote, its outermost call's arguments
    moved to a line of their own when it would pass the line length (as black
    does); a statement already on several lines is left as it is."""
    text = cst.Module([]).code_for_node(statement.with_changes(leading_lines=())).rstrip("\n")
    if "\n" in text or indent + len(text) <= line_length:
        return statement
    small = statement.body[0]
    call = getattr(small, "value", None)
    if isinstance(call, (cst.ListComp, cst.SetComp)) or (isinstance(call, cst.DictComp) and call.for_in.inner_for_in is None):
        # element and `for` on lines of their own, as black lays out a long comprehension
        opening, closing = ("lbracket", "rbracket") if hasattr(call, "lbracket") else ("lbrace", "rbrace")
        call = call.with_changes(**{
            opening: getattr(call, opening).with_changes(whitespace_after=line_break("    ")),
            closing: getattr(call, closing).with_changes(whitespace_before=line_break("")),
            "for_in": call.for_in.with_changes(whitespace_before=line_break("    "))})
        return statement.with_changes(body=[small.with_changes(value=call)])
    if not isinstance(call, cst.Call) or not call.args:
        return statement
    args = list(call.args)
    args[-1] = args[-1].with_changes(whitespace_after_arg=line_break(""), comma=cst.MaybeSentinel.DEFAULT)
    call = call.with_changes(args=args, whitespace_before_args=line_break("    "))
    return statement.with_changes(body=[small.with_changes(value=call)])


def _fitted_call(statement: cst.SimpleStatementLine, indent: int, line_length: int) -> cst.SimpleStatementLine:
    """_fitted, then one argument a line when the arguments' own line is still too long (as black does)."""
    fitted = _fitted(statement, indent, line_length)
    text = cst.Module([]).code_for_node(fitted.with_changes(leading_lines=()))
    if all(indent + len(line) <= line_length for line in text.splitlines()):
        return fitted
    small = statement.body[0]
    return statement.with_changes(body=[small.with_changes(
        value=one_argument_a_line(small.value, line_length + 1, line_length))])


def _request_statement(r: Rewrite, indent: int, line_length: int) -> cst.SimpleStatementLine:
    """`_batchlint_state, _batchlint_params = _batchlint_request_<helper>(<the loop's arguments>)`."""
    return _fitted(cst.SimpleStatementLine([cst.Assign(
        targets=[cst.AssignTarget(_pair(cst.Name(STATE), cst.Name(PARAMS), parens=False))],
        value=r.call.with_changes(func=derived_name(r.call, r.helper.request)))]), indent, line_length)


def _add_with_state(batch: cst.Name, saved: tuple[str, ...]) -> cst.Call:
    """`batch.add((<saved>, _batchlint_state), **_batchlint_params)`."""
    return cst.Call(cst.Attribute(batch, cst.Name("add")), args=[
        cst.Arg(_item((*saved, STATE)), comma=cst.Comma(whitespace_after=_SPACE)), cst.Arg(cst.Name(PARAMS), star="**")])


def _finish_call(r: Rewrite, response: str) -> cst.BaseExpression:
    """`_batchlint_finish_<helper>(*_batchlint_state, <response>)`, awaited if it awaits."""
    finish: cst.BaseExpression = cst.Call(derived_name(r.call, r.helper.finish), args=[
        cst.Arg(cst.Name(STATE), star="*", comma=cst.Comma(whitespace_after=_SPACE)), cst.Arg(cst.Name(response))])
    return cst.Await(finish) if r.helper.finish_is_async else finish


def _results(batch: cst.Name, is_async: bool) -> cst.Call:
    return cst.Call(cst.Attribute(batch, cst.Name("aresults" if is_async else "results")))


def _over_results(comp, r: ComprehensionRewrite, element: cst.BaseExpression, for_in: cst.CompFor):
    """The comprehension reading `for_in`, with `element` where the call was."""
    if isinstance(comp, cst.DictComp):
        return comp.with_changes(value=element if comp.value is r.call_expr else comp.value.deep_replace(r.call_expr, element),
                                 for_in=for_in)
    return comp.with_changes(elt=element if comp.elt is r.call_expr else comp.elt.deep_replace(r.call_expr, element),
                             for_in=for_in)


def _pair(item: cst.BaseExpression, other: cst.BaseExpression, parens: bool = True) -> cst.Tuple:
    elements = [cst.Element(item, comma=cst.Comma(whitespace_after=_SPACE)), cst.Element(other)]
    return cst.Tuple(elements) if parens else cst.Tuple(elements, lpar=[], rpar=[])


def _split_loop(r: LoopRewrite, emit: Emit) -> list[cst.BaseStatement]:
    loop = r.loop
    body = list(loop.body.body)
    prefix, suffix = body[: r.index], body[r.index + 1:]
    statement = r.statement
    batch = cst.Name(emit.var)
    # 1. add the requests (and what each item needs later) to the batch in the original loop
    built: list[cst.BaseStatement] = []
    if r.helper is not None:  # the helper's own request builder gives (state, params)
        built.append(_request_statement(r, emit.indent + emit.indent_unit, emit.line_length).with_changes(
            leading_lines=statement.leading_lines))
        saved = (*r.saved, STATE)
        request = _add_with_state(batch, r.saved)
    else:
        saved = r.saved
        request = _with_item(r.call, cst.Attribute(batch, cst.Name("add")), _item(saved))
    adding = cst.SimpleStatementLine(body=[cst.Expr(request)], leading_lines=() if built else statement.leading_lines)
    init = _batch_statement(r, emit, loop.leading_lines)
    build = loop.with_changes(body=loop.body.with_changes(body=[*prefix, *built, adding]), orelse=None, leading_lines=())
    # 2. the rest of the body per result, in the original order
    result = r.result_name or emit.response
    rest: list[cst.BaseStatement] = []
    if r.helper is not None:  # the helper's finisher turns the response into what the helper returned
        rest.append(statement.deep_replace(r.call_expr, _finish_call(r, emit.response)))
    elif not r.result_name:
        rest.append(statement.deep_replace(r.call_expr, cst.Name(emit.response)))
    rest += suffix
    if not rest:
        rest = [cst.SimpleStatementLine([cst.Pass()])]
    collect = cst.For(
        target=_pair(_item(saved), cst.Name(result), parens=False),
        iter=_results(batch, r.is_async),
        body=loop.body.with_changes(body=rest),
        orelse=loop.orelse,
        asynchronous=cst.Asynchronous() if r.is_async else None,
    )
    return [init, build, collect]


def _hoisted_comprehension(r: ComprehensionRewrite, emit: Emit) -> list[cst.BaseStatement]:
    """`x = [<call> for d in docs if ok(d)]` becomes: the Batch;
    `batch.extend(_claude_batch.request(d, ...) for d in docs if ok(d))`, laid out
    as the comprehension was; then `x = [<response> for d, <response> in batch.results()]`."""
    comp, statement = r.comp, r.statement
    batch = cst.Name(emit.var)
    init = _batch_statement(r, emit, statement.leading_lines)
    opening = getattr(comp, "lbracket", getattr(comp, "lbrace", None))
    closing = getattr(comp, "rbracket", getattr(comp, "rbrace", None))
    saved = r.saved
    if r.helper is not None:  # `for` statements: the helper's request builder gives (state, params) per item
        saved = (*r.saved, STATE)
        adding = _helper_requests(r, emit, batch, comp)
    else:
        requests = cst.GeneratorExp(elt=_with_item(r.call, runtime_attr("request"), _item(saved)), for_in=comp.for_in,
                                    lpar=[], rpar=[])
        adding = cst.SimpleStatementLine([cst.Expr(cst.Call(
            cst.Attribute(batch, cst.Name("extend")),
            args=[cst.Arg(requests, whitespace_after_arg=closing.whitespace_before if closing else cst.SimpleWhitespace(""))],
            whitespace_before_args=opening.whitespace_after if opening else cst.SimpleWhitespace(""),
        ))])
    element = _finish_call(r, emit.response) if r.helper is not None else cst.Name(emit.response)
    results = cst.CompFor(
        target=_pair(_item(saved), cst.Name(emit.response), parens=False),
        iter=_results(batch, r.is_async),
        asynchronous=cst.Asynchronous() if r.is_async else None,
    )
    if r.gather:
        new = cst.ListComp(elt=element, for_in=results)
    else:  # brackets without the line breaks of the original: _fitted lays it out again if it is too long
        new = _over_results(comp, r, element, results)
        new = new.with_changes(**{name: type(getattr(new, name))() for name in ("lbracket", "rbracket", "lbrace", "rbrace")
                                  if hasattr(new, name)})
    last = _fitted(statement.deep_replace(r.replace, new).with_changes(leading_lines=()), emit.indent, emit.line_length)
    return [init, adding, last]


def _helper_requests(r: ComprehensionRewrite, emit: Emit, batch: cst.Name, comp) -> cst.BaseStatement:
    """The comprehension's clauses as `for`/`if` statements that add each
    item's request: `for t in tweets: state, params = _batchlint_request_f(t);
    batch.add((t, state), **params)`."""
    clauses = []
    for_in = comp.for_in
    while for_in is not None:
        clauses.append(for_in)
        for_in = for_in.inner_for_in
    depth = emit.indent + emit.indent_unit * (len(clauses) + sum(len(c.ifs) for c in clauses))
    inner: list[cst.BaseStatement] = [_request_statement(r, depth, emit.line_length),
                                      cst.SimpleStatementLine([cst.Expr(_add_with_state(batch, r.saved))])]
    for clause in reversed(clauses):
        for condition in reversed(clause.ifs):
            inner = [cst.If(test=condition.test, body=cst.IndentedBlock(inner))]
        inner = [cst.For(target=clause.target, iter=clause.iter, body=cst.IndentedBlock(inner))]
    return inner[0]


def _comprehension(r: ComprehensionRewrite, emit: Emit) -> cst.BaseExpression:
    comp = r.comp
    requests = cst.ListComp(elt=_with_item(r.call, runtime_attr("request"), _item(r.saved)), for_in=comp.for_in)
    for_in = cst.CompFor(
        target=_pair(_item(r.saved), cst.Name(emit.response), parens=False),
        iter=cst.Call(runtime_attr("aresults" if r.is_async else "results"),
                      args=_args(_resource(r), _key(emit), requests, keywords=_options(emit))),
        asynchronous=cst.Asynchronous() if r.is_async else None,
    )
    if r.gather:  # `await asyncio.gather(*[<call> for ...])` is the list of responses
        return cst.ListComp(elt=cst.Name(emit.response), for_in=for_in, lpar=r.replace.lpar, rpar=r.replace.rpar)
    return _over_results(comp, r, cst.Name(emit.response), for_in)

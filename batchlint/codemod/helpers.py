"""Loops whose Claude call sits one function away: `for t in tickets:
summarize(t)`, with `summarize()` making the call. The rewrite cannot move the
call out of the helper, so it derives three functions from it, inserted after
it in its own module (the helper itself stays, for its other callers):

    _batchlint_request_<name>(<same parameters>)  -> (state, params)
        the helper's statements before the call, and the call's arguments
    _batchlint_finish_<name>(*state, response)
        the helper's statements from the call on, with the response given
    _batchlint_messages_<name>()
        the `messages` resource the helper calls (`client.messages`)

This module decides whether a helper allows that (a Helper, or a Refusal) and
builds the three functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from .shapes import Refusal
from .statements import _bound_name, _prefix_statement_refusal
from .syntax import code_of, is_docstring, line_break, one_a_line, scan, side_effect_call

_STOPS = (cst.For, cst.While, cst.If, cst.Try, cst.With, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
          cst.GeneratorExp, cst.BooleanOperation, cst.IfExp)

_KINDS = {cst.For: "a `for` loop", cst.While: "a `while` loop", cst.If: "an `if`", cst.Try: "a `try`",
          cst.With: "a `with` block", cst.Lambda: "a lambda", cst.ListComp: "a comprehension", cst.SetComp: "a comprehension",
          cst.DictComp: "a comprehension", cst.GeneratorExp: "a generator expression",
          cst.BooleanOperation: "an `and`/`or`", cst.IfExp: "a conditional expression"}


@dataclass(frozen=True)
class Helper:
    path: str  # the helper's file, as check reported it
    function: cst.FunctionDef
    index: int  # position of the statement that makes the call in the function body
    call_expr: cst.BaseExpression  # the call, or the `await` around it
    call: cst.Call
    result_name: str  # `message` of `message = client.messages.create(...)`, else ""
    state: tuple[str, ...]  # parameters, then names the statements before the call bind
    is_async: bool
    # The function's statements, with a `with <limiter>:` around the call
    # flattened away (`index` counts in these); None: the function's own body.
    statements: tuple | None = None
    dropped: str = ""  # that `with` statement's first line, when there was one

    @property
    def name(self) -> str:
        return self.function.name.value

    @property
    def request(self) -> str:
        return f"_batchlint_request_{self.name}"

    @property
    def finish(self) -> str:
        return f"_batchlint_finish_{self.name}"

    @property
    def messages(self) -> str:
        return f"_batchlint_messages_{self.name}"

    def body(self) -> list[cst.BaseStatement]:
        return list(self.statements if self.statements is not None else self.function.body.body)

    def finish_body(self) -> list[cst.BaseStatement]:
        """The helper's statements from the call on, the response in place of the call."""
        body = self.body()
        rest = body[self.index + 1:]
        if not self.result_name:
            rest = [body[self.index].deep_replace(self.call_expr, cst.Name(self.response)), *rest]
        return rest or [cst.SimpleStatementLine([cst.Pass()])]

    @property
    def response(self) -> str:
        return self.result_name or "_batchlint_response"

    @property
    def finish_is_async(self) -> bool:
        """Whether the finisher still awaits something once the call is gone."""
        return scan(*self.finish_body()).awaits


def plan_helper(planner, call: cst.Call, path: str):
    """A Helper for the module-level function around `call`, or a Refusal."""
    refusal = planner._check_call(call)
    if refusal:
        return refusal
    call_expr, is_async = planner.awaited(call)
    # What the function is decides first (a method may not even run at run time) ...
    function = planner.parent(call_expr)
    while function is not None and not isinstance(function, (cst.FunctionDef, cst.Module, cst.ClassDef)):
        function = planner.parent(function)
    if not isinstance(function, cst.FunctionDef):
        return Refusal("the Claude call is not inside a function")
    name = function.name.value
    where = f"`{name}()` ({path}:{planner.line_of(function)})"
    if not isinstance(planner.parent(function), cst.Module):
        return Refusal(f"the Claude call is inside {where}, a method or nested function; batchlint splits module-level "
                       "helpers (a method may belong to another class at run time)")
    if function.decorators:
        return Refusal(f"the Claude call is inside {where}, which is decorated (`@{code_of(function.decorators[0].decorator)}`); "
                       "the rewrite would bypass the decorator")
    # ... then where in it the call is.
    node: cst.CSTNode = call_expr
    body, limiter = list(function.body.body), None
    while True:
        parent = planner.parent(node)
        if isinstance(parent, cst.With) and node is parent.body and _limiter(parent) \
                and planner.parent(parent) is function.body and limiter is None:
            # `async with semaphore:` around the call: it only limits concurrent calls,
            # and a batch makes none; its statements count as the function's own
            limiter, at = parent, body.index(parent)
            body = body[:at] + list(parent.body.body) + body[at + 1:]
            node = parent
            break
        if isinstance(parent, _STOPS):
            return Refusal(f"the Claude call inside the called function is in {_KINDS.get(type(parent), 'a construct')} "
                           f"(line {planner.line_of(parent)}); batchlint splits helpers whose body makes the call once, "
                           "unconditionally")
        if parent is function.body:
            statement = node
            break
        statement = node
        node = parent
    index = body.index(statement)
    prefix = body[:index]
    for stmt in prefix:
        refusal = _prefix_statement_refusal(stmt)
        if refusal:
            return Refusal(f"in {where}: {refusal.reason}")
    pre = scan(*prefix) if prefix else scan(cst.Pass())
    params = _param_names(function.params)
    local = set(params) | pre.writes
    effect = side_effect_call(pre, local) or side_effect_call(scan(*call.args), local)
    if effect:
        return Refusal(f"in {where}: `{effect}` runs before the call; the rewrite would run it for every item first")
    if pre.awaits:
        return Refusal(f"in {where}: an `await` before the call")
    if pre.returns:
        return Refusal(f"in {where}: a `return` before the call")
    if scan(function.body).yields:
        return Refusal(f"{where} is a generator")
    function_locals = scan(function.body).writes | set(params)
    varying = sorted(scan(call.func).reads & function_locals)
    if varying:
        return Refusal(f"in {where}: the client comes from `{varying[0]}`, a parameter or local of the helper; "
                       "batchlint needs it to be module-level")
    state = tuple(params) + tuple(sorted(pre.writes - set(params)))
    dropped = code_of(limiter).splitlines()[0].strip() if limiter is not None else ""
    return Helper(path, function, index, call_expr, call, _bound_name(statement, call_expr), state, is_async,
                  tuple(body) if limiter is not None else None, dropped)


def _limiter(block: cst.With) -> bool:
    """`with lock:` / `async with semaphore:`: each item a plain name or attribute,
    bound to nothing (`with open(p) as f` makes a resource: not one of these)."""
    return all(item.asname is None and isinstance(item.item, (cst.Name, cst.Attribute)) for item in block.items)


def _param_names(params: cst.Parameters) -> list[str]:
    out = [p.name.value for p in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg.name.value)
    out += [p.name.value for p in params.kwonly_params]
    if params.star_kwarg is not None:
        out.append(params.star_kwarg.name.value)
    return out


# ------------------------------------------------------------------ building
def _docstring(text: str) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{text}"""'))])


def _tuple(names: tuple[str, ...]) -> cst.Tuple:
    return cst.Tuple([cst.Element(cst.Name(n)) for n in names]) if len(names) != 1 else \
        cst.Tuple([cst.Element(cst.Name(names[0]), comma=cst.Comma())])


def derived_functions(helper: Helper) -> list[cst.FunctionDef]:
    """The three functions the rewrite calls instead of the helper."""
    f = helper.function
    body = helper.body()
    prefix = [s for i, s in enumerate(body[: helper.index]) if not (i == 0 and is_docstring(s))]
    blank = cst.EmptyLine()
    params_dict = dict_of(helper.call)
    returned = cst.Tuple([cst.Element(_tuple(helper.state), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                          cst.Element(params_dict)], lpar=[], rpar=[])
    if len("    return " + cst.Module([]).code_for_node(returned)) > 88:  # a one-line call: a dict one key a line
        params_dict = _one_key_a_line(params_dict)
    request = f.with_changes(
        name=cst.Name(helper.request), decorators=[], returns=None, asynchronous=None,
        body=f.body.with_changes(body=[
            _docstring("Added by batchlint fix: the request the wrapper above sends, and its state."),
            *prefix,
            cst.SimpleStatementLine([cst.Return(cst.Tuple([cst.Element(_tuple(helper.state), comma=cst.Comma(
                whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(params_dict)], lpar=[], rpar=[]))]),
        ]),
        leading_lines=[blank, blank],
    )
    rest = helper.finish_body()
    finish_params = cst.Parameters(params=[cst.Param(cst.Name(n)) for n in (*helper.state, helper.response)])
    finish = f.with_changes(
        name=cst.Name(helper.finish), decorators=[], returns=None, params=finish_params,
        asynchronous=f.asynchronous if helper.finish_is_async else None,
        body=f.body.with_changes(body=[
            _docstring("Added by batchlint fix: what the wrapper above does with the response."), *rest]),
        leading_lines=[blank, blank],
    )
    messages = cst.FunctionDef(
        name=cst.Name(helper.messages), params=cst.Parameters(),
        body=cst.IndentedBlock([
            _docstring("Added by batchlint fix: the Messages API the wrapper above calls."),
            cst.SimpleStatementLine([cst.Return(helper.call.func.value)]),
        ]),
        leading_lines=[blank, blank],
    )
    return [request, finish, messages]


def dict_of(call: cst.Call) -> cst.Dict:
    """`{"model": ..., **common}`: a call's keyword arguments as a dict display,
    laid out as the call was (ruff's C408 flags `dict(model=...)`)."""
    elements: list[cst.BaseDictElement] = []
    for arg in call.args:
        if arg.star == "**":
            element = cst.StarredDictElement(arg.value, comma=arg.comma, whitespace_before_value=arg.whitespace_after_star)
        else:
            element = cst.DictElement(cst.SimpleString(f'"{arg.keyword.value}"'), arg.value, comma=arg.comma,
                                      whitespace_before_colon=cst.SimpleWhitespace(""),
                                      whitespace_after_colon=cst.SimpleWhitespace(" "))
        elements.append(element)
    last = call.args[-1].whitespace_after_arg if call.args else cst.SimpleWhitespace("")
    return cst.Dict(elements, lbrace=cst.LeftCurlyBrace(whitespace_after=call.whitespace_before_args),
                    rbrace=cst.RightCurlyBrace(whitespace_before=last))


def _one_key_a_line(display: cst.Dict) -> cst.Dict:
    if "\n" in cst.Module([]).code_for_node(display):
        return display  # laid out over lines already, as the call was

    return display.with_changes(elements=one_a_line(list(display.elements)),
                                lbrace=cst.LeftCurlyBrace(whitespace_after=line_break("    ")),
                                rbrace=cst.RightCurlyBrace(whitespace_before=cst.SimpleWhitespace("")))

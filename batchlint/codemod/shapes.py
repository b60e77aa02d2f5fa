"""What the planner decides for one reported call: a Rewrite (the nodes to
replace and what the rewrite needs to know) or a Refusal (the reason)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

# What the calls look like once rewritten: names the codemod introduces.
RESPONSE = "_batchlint_response"
RUNTIME = "_claude_batch"  # the name the runtime module is bound to in a rewritten module


def runtime_attr(attr: str) -> cst.Attribute:
    """`_claude_batch.<attr>`."""
    return cst.Attribute(cst.Name(RUNTIME), cst.Name(attr))


@dataclass(frozen=True)
class Refusal:
    reason: str


@dataclass(frozen=True)
class LoopRewrite:
    """A `for` loop split into a build loop and a collect loop."""

    loop: cst.For
    statement: cst.BaseStatement  # the statement of the loop body that holds the call
    index: int  # its position in the loop body
    call_expr: cst.BaseExpression  # the call, or the `await` around it
    call: cst.Call
    result_name: str  # the name the statement binds the response to, or "" (then RESPONSE)
    saved: tuple[str, ...]  # names each item carries from the build loop to the collect loop
    is_async: bool
    helper: object | None = None  # helpers.Helper when `call` is a call of the function that makes the Claude call

    @property
    def node(self) -> cst.CSTNode:
        return self.loop

    def resource(self) -> cst.BaseExpression:
        """The `messages` the batch goes to: `client.messages`, or `_batchlint_messages_<helper>()`."""
        if self.helper is None:
            return self.call.func.value
        return cst.Call(derived_name(self.call, self.helper.messages))


def derived_name(helper_call: cst.Call, name: str) -> cst.BaseExpression:
    """`name`, spelled the way the loop reaches the helper: `summarize` -> `name`, `llm.summarize` -> `llm.name`."""
    func = helper_call.func
    if isinstance(func, cst.Attribute):
        return func.with_changes(attr=cst.Name(name))
    return cst.Name(name)


@dataclass(frozen=True)
class ComprehensionRewrite:
    """A comprehension (or an asyncio.gather over one) whose element makes the call."""

    replace: cst.BaseExpression  # the node replaced: the comprehension, or the `await asyncio.gather(...)`
    comp: cst.BaseExpression  # the comprehension
    call_expr: cst.BaseExpression
    call: cst.Call
    saved: tuple[str, ...]
    is_async: bool
    gather: bool
    # The statement the comprehension is in, when the batch can be built in
    # statements before it; None to rewrite the expression in place.
    statement: cst.SimpleStatementLine | None = None
    helper: object | None = None  # helpers.Helper when `call` is a call of the function that makes the Claude call

    @property
    def node(self) -> cst.CSTNode:
        return self.statement if self.statement is not None else self.replace


Rewrite = LoopRewrite | ComprehensionRewrite

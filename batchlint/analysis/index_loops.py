"""Loops, comprehensions, `if __main__` and `with` blocks for the indexer
(a mixin of index._Indexer): the constructs around a call and per-site loop facts."""

from __future__ import annotations

import ast
import functools
import re

from .astwalk import LOOPS, TRY, argument_nodes, dotted_name, str_value
from .batched import from_runtime_module, is_batchify
from .dependence import LoopFlow, names_read
from .facts import UNKNOWN
from .index_builders import _SiteBuilder, _StructBuilder
from .index_shapes import (
    _blocks_holding, _exits, _if_exits, _is_main_guard, _is_range, _literal_count, _result_discarded, _shows_output,
    _tests_tainted, selects_one_item, stream_flag, string_literals,
)
from .object_state import same_inputs, stored_names


def one_of_each(node: ast.expr) -> bool:
    """A list, tuple or set display that names no kind twice
    (`[Claude("a"), Claude("b")]` repeats a request)."""
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return False
    texts = [ast.dump(e.func) if isinstance(e, ast.Call) else ast.dump(e) for e in node.elts]
    return len(set(texts)) == len(texts)


# Written model ids: a loop over one of each, at most one of them Claude's,
# asks each model once (`for name, model in {"openai": "gpt-4o", "anthropic":
# "claude-sonnet-4-5"}.items()`), no repetition. Bare provider or company
# names ("openai", "anthropic") are not enough: a digest may loop over those.
_CLAUDE_MODEL = re.compile(r"(?:^|[/.])claude[-.\d]", re.I)
_OTHER_MODEL = re.compile(
    r"^(?:[\w.-]+/)?(?:gpt-?\d|chatgpt-|o[134](?:-|$)|gemini-|mistral-|mixtral-|codestral|llama-?\d|deepseek-|"
    r"qwen|grok-|command-|phi-?\d|gemma)", re.I)


def names_providers(node: ast.expr | None) -> bool:
    """A written list, tuple, set or dict of model ids (a dict by its values,
    else its keys; `(provider, model)` pairs by their model) naming at most
    one Claude model and some other provider's."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("items", "keys", "values") \
            and not node.args:
        node = node.func.value
    if isinstance(node, ast.Dict):
        values = [str_value(v) for v in node.values]
        names = values if all(v is not None for v in values) else [str_value(k) if k is not None else None for k in node.keys]
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        names = [_model_of(e) for e in node.elts]
    else:
        return False
    if len(names) < 2 or any(name is None for name in names):
        return False
    claude = sum(bool(_CLAUDE_MODEL.search(name)) for name in names)
    others = sum(bool(_OTHER_MODEL.match(name)) for name in names)
    return claude <= 1 and others >= 1 and claude + others == len(names)


def _model_of(element: ast.expr) -> str | None:
    """A string, or the model id of a written `(provider, model)` pair."""
    if isinstance(element, ast.Tuple):
        texts = [str_value(e) for e in element.elts]
        return next((t for t in texts if t and (_CLAUDE_MODEL.search(t) or _OTHER_MODEL.match(t))), None)
    return str_value(element)


_UNBOUND = object()  # a name a comprehension's target shadows had no value before it


class LoopVisitor:
    """Opens and closes the constructs that repeat or guard a call."""

    # ----------------------------------------------------------------- loops
    def _open(self, struct: _StructBuilder) -> None:
        self._code_scope().structs.append(struct)

    def _close(self) -> _StructBuilder:
        return self._code_scope().structs.pop()

    def visit_For(self, node: ast.For | ast.AsyncFor) -> bool:
        if isinstance(node.iter, ast.Call) and not _shows_output(node.body):
            self.collected.add(id(node.iter))  # `for chunk in stream_text(p): buf += chunk`
        self.walk(node.iter)
        kinds = self.elements(node.iter) if isinstance(node.target, ast.Name) else [UNKNOWN]
        for element in kinds:
            self.bind(node.target, element)  # `for p in self.providers: p.query(q)`: each kind it holds
        if isinstance(node.target, ast.Name):
            names = string_literals(node.iter) or (
                self.string_tuples.get(node.iter.id, []) if isinstance(node.iter, ast.Name) else [])
            if names:  # `for name in ("summarize", "classify"): getattr(self, name)(row)`
                self._code_scope().choices[node.target.id] = names
        iter_name = dotted_name(node.iter.func) if isinstance(node.iter, ast.Call) else dotted_name(node.iter)
        label = f"for loop over `{self._text_of(node.iter)}`"
        struct = _StructBuilder("for", label, self._pos(node), count=_literal_count(node.iter),
                                count_ref=self._bound_ref(node.iter))
        if iter_name and iter_name.rpartition(".")[2] == "range":
            struct.flags.add("range")
        if len(kinds) > 1 and self._given_one_of_each(node.iter) or self._names_providers(node.iter):
            struct.flags.add("kinds")  # `for p in [ClaudeProvider(), OpenAIProvider()]`: one request to each
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
        if not inner and (isinstance(first.target, ast.Name) and self._given_one_of_each(first.iter)
                          and len(self.elements(first.iter)) > 1 or self._names_providers(first.iter)):
            struct.flags.add("kinds")  # `[p.query(q) for p in (claude, gpt)]`: one request to each
        self._open(struct)
        saved = self._bind_comprehension_targets(node.generators)
        for element in elements:
            self.walk(element)
        for cond in first.ifs:
            self.walk(cond)
        for comp in inner:
            self.walk(comp)
        self._close()
        for name, held in saved.items():  # the targets are the comprehension's own names
            for table, value in zip((self.scope.locals, self.scope.alts), held):
                if value is _UNBOUND:
                    table.pop(name, None)
                else:
                    table[name] = value
        return False

    def _given_one_of_each(self, iterable: ast.expr) -> bool:
        """A display of one of each of several kinds, or a name or `self`
        attribute given one (not a name bound to several collections on
        several branches)."""
        if isinstance(iterable, ast.Name):
            return self.scope.kind == "function" and iterable.id in self.scope.displays
        if self._self_attribute(iterable):
            return iterable.attr in self.classes[self._function_scope().class_qual]["displays"]
        return one_of_each(iterable)

    def _names_providers(self, iterable: ast.expr) -> bool:
        """A written list of model or provider names (names_providers), or a
        name of this function or the module given one (`MODELS = {...}`;
        `MODELS.items()`)."""
        if names_providers(iterable):
            return True
        node = iterable
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
            node = node.func.value
        if not isinstance(node, ast.Name):
            return False
        if self.scope.kind == "function" and node.id in self.scope.locals:
            return (self.scope.qual, node.id) in self.provider_lists
        return ("", node.id) in self.provider_lists and self.module_level_name(node.id) != ""

    def _note_display(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name) and self.scope.kind == "function":
            self.scope.displays.add(target.id)
        elif self._self_attribute(target):
            self.classes[self._function_scope().class_qual]["displays"].add(target.attr)

    def _bind_comprehension_targets(self, generators) -> dict[str, tuple]:
        """`[p.query(q) for p in self.providers]`: inside a function, each target
        holds what its iterable holds while the comprehension is walked; what
        each name held before (its value and alternatives), to restore after."""
        saved: dict[str, tuple] = {}
        if self.scope.kind != "function":
            return saved
        for comp in generators:
            if not isinstance(comp.target, ast.Name):
                continue
            name = comp.target.id
            if name not in saved:
                saved[name] = (self.scope.locals.pop(name, _UNBOUND), self.scope.alts.pop(name, _UNBOUND))
            for element in self.elements(comp.iter):
                self.bind(comp.target, element)
        return saved

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
        dependent = [not thrown_away and flow.is_dependent(site.node) for site, thrown_away in zip(sites, discarded)]
        if any(dependent) and not all(dependent):
            # rounds that continue a dependent request's conversation are as dependent
            # (`text, history = ask(archive)`, then an inner loop of reflection rounds
            # on `history`): a call in a dependent inner loop that reads what it answered
            derived = set().union(*(flow.derived_from(s.node) for s, d in zip(sites, dependent) if d))
            dependent = [d or (_in_dependent_inner_loop(s, struct) and
                               bool(derived & names_read(*argument_nodes(s.node))))
                         for s, d in zip(sites, dependent)]
        assigned = functools.cache(lambda: stored_names(loop))  # walked once, if a method call asks
        for site, thrown_away, is_dependent in zip(sites, discarded, dependent):
            flags = set()
            if is_dependent:
                flags.add("dependent")
            elif not thrown_away and flow.test_reads_result(site.node):
                flags.add("retry")
            exit_kind = self._exit_after(loop, site, None if thrown_away else flow)
            if exit_kind:
                flags.add(exit_kind)
            if selects_one_item(loop, site.stmt_path):
                flags.add("once")
            if not is_dependent and same_inputs(site.node, assigned):
                flags.add("same-inputs")  # dependent if the method changes its object (contexts.py)
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
                    if _exits(later) or isinstance(later, TRY) and later.body and _exits(later.body[-1]):
                        return "retry"  # also `try: return json.loads(reply...)`, validated, else asked again
                    if isinstance(later, ast.If) and _if_exits(later):
                        if tainted is None:
                            tainted = flow.derived_from(site.node) if flow is not None else set()
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
            flag = stream_flag(node.body, bool(self._function_scope() and self._function_scope().is_generator))
            for site in new_sites:
                site.flags.add(flag)
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


def _in_dependent_inner_loop(site: _SiteBuilder, outer: _StructBuilder) -> bool:
    """The site sits in a loop inside `outer` whose iterations depend on each other."""
    return any(struct is not outer and "dependent" in struct.per_site.get(id(site), ()) for struct in site.structs)

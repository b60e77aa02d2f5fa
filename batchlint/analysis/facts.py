"""What one file says, as plain picklable values (the output of analysis.index).

Expressions are kept as *symbolic dotted strings*: names resolved through the
file's imports and local bindings, `()` marking a call. For example, inside a
method of `acme.providers.Provider`, `self.client.messages.create` becomes
`acme.providers.Provider().client.messages.create`. The project stage
(analysis.project) evaluates these strings across files; `?` stands for a value
the indexer could not follow.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

UNKNOWN = "?"


class _Fact:
    """Base of the fact classes: slotted dataclasses, hashed by value and never
    changed after they are built (nothing assigns to a field; treat them as
    frozen). Not `frozen=True`: a frozen dataclass sets each field through
    `object.__setattr__`, which made building, unpickling (facts come back from
    worker processes) and decoding cached facts about 3x slower. Pickled as
    (class, field values), which loads with one constructor call."""

    __slots__ = ()
    _values: operator.attrgetter  # set below, per class, once the fields are known

    def __reduce__(self):
        return type(self), self._values(self)


@dataclass(slots=True, unsafe_hash=True)
class Span(_Fact):
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int  # 1-based, exclusive


@dataclass(slots=True, unsafe_hash=True)
class Struct(_Fact):
    """A construct enclosing a call site, between the call and its function."""

    kind: str  # "for" | "while" | "comp" | "arg" | "lambda" | "main-guard" | "batchify"
    label: str  # human text, e.g. "for loop over `rows`"
    span: Span
    via: str = ""  # kind "arg": symbolic callee of the call this sits in
    # Per-site facts about this construct: "retry" (returns/breaks after the
    # call succeeds), "dependent" (next call reads this call's result),
    # "breaks-on-result", "chat" (reads input() each turn), "range".
    flags: frozenset[str] = frozenset()
    count: int = 0  # items per run when the code says: range(N), a literal list, xs[:N]
    count_ref: str = ""  # range(BATCH_SIZE), xs[:LIMIT]: the named bound, resolved by request_values.py


@dataclass(slots=True, unsafe_hash=True)
class RequestFacts(_Fact):
    """What a Messages call's own arguments say about its size (for estimates)."""

    model: str = ""  # literal model id, "" when computed
    max_tokens: int = 0  # literal max_tokens, 0 when computed
    prompt_chars: int = 0  # characters of literal text in system + messages
    system_chars: int = 0  # characters of a literal (or module-constant) system prompt
    dynamic: bool = False  # the prompt also holds computed content (a document, a row)
    cache_control: bool = False  # the request already marks a cache breakpoint
    fields: int = 0  # small f-string fields inside literal text (`f"ticket #{n}"`)
    # model / max_tokens / system / message content named rather than written (`model=FAST_MODEL`,
    # `self.max_tokens`): keyword -> symbolic value, resolved by request_values.py
    refs: tuple[tuple[str, str], ...] = ()
    # where each value came from once resolved: keyword -> "acme/llm.py:9 FAST_MODEL"
    sources: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class Site(_Fact):
    """A call, or a function passed by reference as an argument of a call."""

    scope: str  # qualified name of the enclosing function, or the module name
    callee: str  # symbolic string of what is called / referenced
    span: Span
    structs: tuple[Struct, ...]  # innermost first
    text: str  # short source text, for messages
    ref_via: str = ""  # for a reference: symbolic callee of the call it is passed to
    ref_arg: str = ""  # for a reference: keyword name or positional index
    kwargs: tuple[tuple[str, str], ...] = ()  # keyword -> short source text
    args: tuple[str, ...] = ()  # positional arguments, short source text
    flags: frozenset[str] = frozenset()  # "stream-shown", "stream-drained", "awaited"
    callee_alts: tuple[str, ...] = ()  # other values of a name bound in several branches
    request: RequestFacts | None = None  # for calls spelled like a Messages request
    # symbolic values of the arguments, ("0", ...) by position or ("name", ...) by
    # keyword: what a callee's untyped parameter receives here
    arg_values: tuple[tuple[str, str], ...] = ()


PARAM_PREFIX = "!param/"  # an untyped parameter: "!param/<function qual, / for .>/<position>/<name>"


def param_token(function_qual: str, position: int, name: str) -> str:
    return f"{PARAM_PREFIX}{function_qual.replace('.', '/')}/{position}/{name}"


def parse_param_token(token: str) -> tuple[str, int, str] | None:
    """(function qual, position, name) of a param_token, or None."""
    parts = token[len(PARAM_PREFIX):].split("/") if token.startswith(PARAM_PREFIX) else ()
    if len(parts) < 3 or not parts[-2].lstrip("-").isdigit():
        return None
    return ".".join(parts[:-2]), int(parts[-2]), parts[-1]


@dataclass(slots=True, unsafe_hash=True)
class Decorator(_Fact):
    expr: str  # symbolic string of the decorator (without the call)
    text: str
    called: bool
    args: tuple[str, ...] = ()
    kwargs: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class FunctionFacts(_Fact):
    qual: str
    name: str
    span: Span
    class_qual: str  # "" unless a method
    parent: str  # enclosing function qual for nested functions, else ""
    is_async: bool
    is_generator: bool
    decorators: tuple[Decorator, ...]
    returns: tuple[str, ...]  # symbolic strings of returned values / annotation instance
    header_line: int = 0  # first line of the definition, decorators included
    # Parameters this function applies to many items: (name, position, "fanout"|"loop").
    # `def map_with_progress(f, xs): ... pool.imap(f, xs)` makes a caller's
    # `map_with_progress(fn, rows)` a fan-out of `fn`.
    mapped_params: tuple[tuple[str, int, str], ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()  # parameter -> symbolic default (literals: literals.py)
    extends: tuple[str, ...] = ()  # the base-class methods it calls through `super().name(...)`
    shadowed: bool = False  # a module-level def that a later def of the name replaces
    writes_self: bool = False  # a method that leaves something on its object (object_state.py)
    converses: str = ""  # it sends, as messages=, a list kept across its calls that it adds to: "module" | "self" (object_state.py)
    # attributes of its object it changes, and the changing ones it reads (learning.py)
    state_writes: tuple[str, ...] = ()
    state_reads: tuple[str, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class ClassFacts(_Fact):
    qual: str
    name: str
    span: Span
    bases: tuple[str, ...]
    attrs: tuple[tuple[str, str], ...]  # class attributes and self.x = ... bindings
    decorators: tuple[Decorator, ...] = ()
    # self.x bound to other things too (`if ...: self.engine = A() elif ...: self.engine = B()`)
    attr_alts: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class ScheduleRef(_Fact):
    """A function named by a string in a schedule table (Celery beat, CRONJOBS)."""

    target: str  # dotted task name as written
    label: str
    schedule: str  # source text of the schedule expression
    span: Span


@dataclass(slots=True, unsafe_hash=True)
class FileFacts(_Fact):
    path: str
    module: str
    imports: tuple[tuple[str, str], ...]  # local name -> dotted
    variables: tuple[tuple[str, str], ...]  # module-level name -> symbolic value
    functions: tuple[FunctionFacts, ...]
    classes: tuple[ClassFacts, ...]
    sites: tuple[Site, ...]
    schedule_refs: tuple[ScheduleRef, ...] = ()
    imported_modules: frozenset[str] = frozenset()  # top-level packages imported
    noqa: tuple[tuple[int, str], ...] = ()  # line -> "" (blanket) or "BL101,BL102"
    pragmas: tuple[tuple[int, str], ...] = field(default=())  # line -> text after "batchlint:"
    variable_alts: tuple[tuple[str, tuple[str, ...]], ...] = ()  # module names bound differently in branches
    # registries (see registries.py): ("store", function qual, registry) for
    # `REGISTRY[key] = fn` on a parameter, ("member", registry, reference) for
    # `REGISTRY = {"a": f}` / `REGISTRY["a"] = f` at module level, ("spread",
    # registry, other dict) for `REGISTRY = {**other}`
    registries: tuple[tuple[str, str, str], ...] = ()
    # the batch runtime `batchlint fix` writes (`_claude_batch.py`, or the
    # `# Written by batchlint fix` header): its Claude calls are never candidates
    batch_runtime: bool = False
    # functions of this file that read a person's input, directly or through
    # another of the file (input_readers.py follows them across files)
    input_functions: tuple[str, ...] = ()


CLASSES = (Span, Struct, RequestFacts, Site, Decorator, FunctionFacts, ClassFacts, ScheduleRef, FileFacts)
for _cls in CLASSES:
    _cls._values = operator.attrgetter(*_cls.__slots__)

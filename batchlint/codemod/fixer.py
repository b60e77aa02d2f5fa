"""`batchlint fix`: from check findings to rewritten files.

The codemod consumes the check stage's findings (it never re-decides whether
anybody waits on a call); per file it plans each finding's rewrite or refusal,
applies the rewrites in one pass, makes sure the result parses, and hands back
plain values: the new bytes and a FixStatus per finding. Writing is separate.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, replace

import libcst as cst

from ..model import CONTEXT_CODES, CheckResult, Finding, FixStatus
from ..newer_syntax import parse as parse_any
from . import files
from .helpers import derived_functions, plan_helper
from .imports import add_import, remove_unused
from ..analysis.clients import supports_batches
from ..analysis.surfaces import remedy
from .plan import RESPONSE, LoopRewrite, Planner, Refusal, Rewrite
from .replay import ReplayRewrite, plan_replay, stop_caught_around
from .shapes import RUNTIME
from .rewrite import Emit, apply
from .runtime_file import RuntimeWrite, locate, module_name, plan_write
from .style import line_length
from .syntax import code_of
from .tiers import tier_of
from .syntax import scan

# Findings about a call's context, and those about clients/APIs that cannot
# batch: each gets a FixStatus.
CANDIDATE_CODES = frozenset(CONTEXT_CODES.values()) | {"BL106", "BL107"}


@dataclass(frozen=True)
class FileFix:
    path: str
    original: files.ReadFile | None
    fixed: bytes | None  # None: nothing to change (or the file could not be read/parsed)
    statuses: tuple[tuple[Finding, FixStatus], ...]
    error: str = ""
    encoding: str = "utf-8"  # of both versions (LibCST writes a module back in its own encoding)
    note: str = ""  # what else changed: functions derived from a helper that loops elsewhere call
    runtime: RuntimeWrite | None = None  # the runtime module this file's rewrites import


def plan_result(result: CheckResult, unsafe: bool = True, only: frozenset[str] | None = None,
                root: str = ".", runtime_module: str = "", within: tuple[str, ...] = (),
                replay: bool = True) -> list[FileFix]:
    """A FileFix for every file with batch candidates (and every file holding a
    helper those rewrites split). Files that define helpers come first, so a
    loop is never written to call a function its helper's file lacks.

    Every candidate gets a FixStatus with its tier; only safe fixes are
    applied unless `unsafe`, and with `only` (paths) only findings in those files."""
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.code in CANDIDATE_CODES:
            by_path.setdefault(finding.location.path, []).append(finding)  # the file the loop is in
    session = _Session(unsafe, only, root, runtime_module)
    session.within = tuple(os.path.abspath(p) for p in within)
    session.replay = replay
    return session.plan(by_path)


def plan_file(path: str, findings: list[Finding], root: str = ".", runtime_module: str = "") -> FileFix:
    """The FileFix of `path` alone for these findings (every tier applied)."""
    return next((f for f in _Session(True, None, root, runtime_module).plan({path: findings}) if f.path == path),
                FileFix(path, None, None, ()))


@dataclass(frozen=True)
class _Unparsed:
    reason: str
    error: bool = True  # a file that cannot be read or parsed (exit 2), not just one batchlint will not rewrite


@dataclass
class _Parsed:
    original: files.ReadFile
    module: cst.Module
    planner: Planner
    tail: bytes  # trailing blanks after the last newline, put back as they were


class _Session:
    """One planning run: each file parsed once, each helper planned once."""

    def __init__(self, unsafe: bool, only: frozenset[str] | None, root: str, runtime_module: str) -> None:
        self.unsafe, self.only, self.root, self.runtime_module = unsafe, only, root, runtime_module
        self.within: tuple[str, ...] = ()  # `fix PATHS`: a helper's file outside them is not edited
        self.replay = True  # False: the split rewrite alone (its own reasons, for tests)
        self.runtimes: dict[str, RuntimeWrite] = {}
        self.line_length = line_length(root)
        self.parsed: dict[str, _Parsed | _Unparsed] = {}
        self.helpers: dict[tuple, object] = {}
        self.present: set[int] = set()  # helpers whose derived functions an earlier fix already added

    def locate(self, path: str, parsed: _Parsed):
        return locate(path, self.root, self.runtime_module, frozenset(parsed.planner.imported_tops()),
                      parsed.planner.imports_relatively())

    def runtime(self, path: str) -> RuntimeWrite:
        if path not in self.runtimes:
            self.runtimes[path] = plan_write(path)
        return self.runtimes[path]

    def parse(self, path: str) -> _Parsed | _Unparsed:
        if path not in self.parsed:
            self.parsed[path] = _parse(path)
        return self.parsed[path]

    def helper(self, path: str, line: int, column: int):
        if self.within and not any(os.path.abspath(path) == w or os.path.abspath(path).startswith(w + os.sep)
                                   for w in self.within):
            return Refusal(f"the Claude call's function is in {path}, outside the paths given to fix; "
                           "the split rewrite would have to edit it")
        key = (path, line, column)
        if key not in self.helpers:
            self.helpers[key] = self._plan_helper(path, line, column)
        return self.helpers[key]

    def _plan_helper(self, path: str, line: int, column: int):
        parsed = self.parse(path)
        if isinstance(parsed, _Unparsed):
            return Refusal(f"the Claude call is in {path}, which cannot be rewritten: {parsed.reason}")
        call = parsed.planner.call_at(line, column)
        if call is None:
            return Refusal(f"the Claude call was not found in {path} (it changed since it was analyzed)")
        helper = plan_helper(parsed.planner, call, path)
        if isinstance(helper, Refusal):
            return helper
        existing = {s.name.value: s for s in parsed.module.body if isinstance(s, cst.FunctionDef)}
        derived = derived_functions(helper)
        names = [f.name.value for f in derived]
        if any(n in existing for n in names):
            same = all(n in existing and _code(existing[n]) == _code(f) for n, f in zip(names, derived))
            if not same:
                return Refusal(f"{path} already has `{names[0]}` (from an earlier fix) and `{helper.name}()` changed "
                               "since; delete the three `_batchlint_*_{helper.name}` functions and run fix again")
            self.present.add(id(helper.function))
        return helper

    def plan(self, by_path: dict[str, list[Finding]]) -> list[FileFix]:
        statuses: dict[str, list[tuple[Finding, FixStatus]]] = {}
        rewrites: dict[str, dict[int, Rewrite]] = {}
        helpers: dict[str, dict[int, object]] = {}
        imports: dict[str, dict[int, str]] = {}  # the `from ... import` lines of derived functions
        errors: dict[str, str] = {}
        for path, findings in sorted(by_path.items()):
            parsed = self.parse(path)
            if isinstance(parsed, _Unparsed):
                statuses[path] = [(f, FixStatus(False, parsed.reason)) for f in findings]
                if parsed.error:
                    errors[path] = parsed.reason
                continue
            try:
                statuses[path], found, used, imported = self._plan_path(path, parsed, findings)
            except Exception as exc:  # noqa: BLE001 - one file's trouble costs its own rewrites, never the run
                statuses[path] = [(f, FixStatus(False, _failure(exc))) for f in findings]
                continue
            if found:
                rewrites[path] = found
            for helper in used:
                helpers.setdefault(helper.path, {})[id(helper.function)] = helper
            if imported:
                imports[path] = imported
        out = []
        for path in sorted(set(statuses) | set(helpers), key=lambda p: (p not in helpers, p)):
            parsed = self.parse(path)
            if isinstance(parsed, _Unparsed):
                out.append(FileFix(path, None, None, tuple(statuses.get(path, ())), errors.get(path, "")))
                continue
            out.append(self._apply(path, parsed, statuses.get(path, []), rewrites.get(path, {}),
                                   helpers.get(path, {}), imports.get(path, {}) if path in rewrites else {}))
        failed = {f.path for f in out if f.error == _NOT_PARSED}
        if failed:  # a helper file that failed takes the loops that rely on it along
            out = [self._without_helpers_in(f, failed) if f.path not in failed else f for f in out]
        return out

    def _plan_path(self, path: str, parsed: _Parsed, findings: list[Finding]):
        """(statuses, rewrites by node id, helpers to split, imports to add) of one file's findings."""
        imports: dict[int, str] = {}
        outcomes = []
        for f in sorted(findings, key=Finding.sort_key):
            elsewhere = f.call.path if f.call.path != f.location.path else ""
            helper = None
            if elsewhere or (f.call.line, f.call.column) != (f.location.line, f.location.column):
                helper = self.helper(f.call.path, f.call.line, f.call.column)
            outcome = parsed.planner.plan(f.call.line, f.call.column, f.location.line, f.location.column,
                                          f.client, f.sdk_call, elsewhere, helper)
            if elsewhere and not isinstance(outcome, Refusal):
                outcome = self._import_for(parsed, outcome, imports)
            outcomes.append((f, outcome))
        statuses: list[tuple[Finding, FixStatus]] = []
        rewrites: dict[int, Rewrite] = {}
        helpers = []
        written = self.runtime(self.locate(path, parsed).path)
        for finding, outcome in _one_call_per_node(outcomes):
            if isinstance(outcome, Refusal) and self.replay:
                outcome = _replayed(parsed.planner, finding, outcome, self._sdk_planner(finding, parsed))
            if isinstance(outcome, Refusal):
                statuses.append((finding, FixStatus(False, outcome.reason)))
                continue
            if not written.usable:
                statuses.append((finding, FixStatus(False, written.note)))
                continue
            safety, why = tier_of(finding, outcome, parsed.planner)
            applied = (safety == "safe" or self.unsafe) and (self.only is None or os.path.relpath(path) in self.only)
            statuses.append((finding, FixStatus(True, _describe(outcome, parsed.planner), safety, why, applied)))
            if not applied:
                continue
            rewrites.setdefault(id(outcome.node), outcome)
            helper = getattr(outcome, "helper", None)
            if helper is not None and id(helper.function) not in self.present:
                helpers.append(helper)
        return statuses, rewrites, helpers, imports

    def _sdk_planner(self, finding: Finding, parsed: _Parsed) -> Planner | None:
        """The planner of the file that makes the SDK call."""
        if finding.call.path == finding.location.path:
            return parsed.planner
        other = self.parse(finding.call.path)
        return other.planner if isinstance(other, _Parsed) else None

    def _import_for(self, parsed: _Parsed, outcome, imports: dict):
        """A loop calling a helper from another module by a bare name needs the
        derived functions imported next to the helper's own import."""
        loop = outcome
        helper = loop.helper
        if not isinstance(loop.call.func, cst.Name):
            return outcome  # `llm.summarize(...)`: `llm._batchlint_request_summarize(...)` needs nothing
        names = [helper.request, helper.finish, helper.messages]
        bound = scan(*[s for s in parsed.module.body if isinstance(s, cst.SimpleStatementLine)]).writes
        if all(n in bound for n in names):
            return outcome
        statement = parsed.planner.import_of(loop.call.func.value)
        if statement is None:
            return Refusal(f"cannot see the module-level `from ... import` of `{loop.call.func.value}` to import "
                           "the functions the rewrite derives from it")
        old = next(s for s in statement.body if isinstance(s, cst.ImportFrom))
        source = "." * len(old.relative) + (cst.Module([]).code_for_node(old.module) if old.module is not None else "")
        imports[id(statement)] = f"from {source} import {', '.join(names)}"
        return outcome

    def _apply(self, path, parsed, statuses, rewrites, helpers, imports) -> FileFix:
        encoding = parsed.module.encoding
        if not rewrites and not helpers:
            return FileFix(path, parsed.original, None, tuple(statuses), encoding=encoding)
        runtime = self.locate(path, parsed)
        try:
            module = apply(parsed.module, list(rewrites.values()), _emits(path, rewrites, statuses, parsed.planner, self.line_length),
                           list(helpers.values()))
            for line in imports.values():  # the functions derived from a helper in another module
                module = add_import(module, line, self.root, line_length=self.line_length)
            if rewrites:
                module = remove_unused(parsed.module.code, module, self.line_length)
                if RUNTIME not in scan(*[s for s in module.body if isinstance(s, cst.SimpleStatementLine)]).writes:
                    folder = os.path.dirname(os.path.abspath(runtime.path))
                    mine = frozenset({runtime.module.split(".")[0]}) if folder in (
                        os.path.abspath(self.root), os.path.join(os.path.abspath(self.root), "src")) else frozenset()
                    module = add_import(module, runtime.import_line, self.root, mine, self.line_length)
            new = module.bytes + parsed.tail
            parse_any(new.decode(encoding) if isinstance(new, bytes) else new)  # never write what does not parse
        except RecursionError as exc:  # a file too deeply nested for LibCST's recursive walks
            return FileFix(path, parsed.original, None, tuple((f, FixStatus(False, _failure(exc))) for f, _ in statuses),
                           encoding=encoding)
        except Exception as exc:  # noqa: BLE001 - a rewrite that fails to build or parse is refused, never written
            reason = f"the rewritten file would not parse ({type(exc).__name__}); left as it is"
            return FileFix(path, parsed.original, None, tuple((f, FixStatus(False, reason)) for f, _ in statuses),
                           _NOT_PARSED, encoding)
        note = ", ".join(f"{h.name}()" for h in helpers.values())
        return FileFix(path, parsed.original, new, tuple(statuses), encoding=encoding,
                       note=f"added the request/finish functions of {note}" if note else "",
                       runtime=self.runtime(runtime.path) if rewrites else None)

    def _without_helpers_in(self, file_fix: FileFix, failed: set[str]) -> FileFix:
        hit = [f for f, s in file_fix.statuses if s.fixable and _helper_path(f) in failed]
        if not hit:
            return file_fix
        reason = "the file of the helper this loop calls could not be rewritten; left as it is"
        statuses = [(f, FixStatus(False, reason)) if f in hit else (f, s) for f, s in file_fix.statuses]
        keep = [f for f, s in statuses if s.fixable]
        again = _Session(self.unsafe, self.only, self.root, self.runtime_module).plan({file_fix.path: keep}) if keep else []
        kept = next((f for f in again if f.path == file_fix.path), None)
        if kept is None:
            return FileFix(file_fix.path, file_fix.original, None, tuple(statuses), encoding=file_fix.encoding)
        return replace(kept, statuses=tuple(statuses))


_NOT_PARSED = "the rewritten file would not parse"


def _helper_path(finding: Finding) -> str:
    return finding.call.path if finding.call.path != finding.location.path else ""


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[node.with_changes(leading_lines=())]).code


def _replayed(planner: Planner, finding: Finding, refusal: Refusal, sdk_planner: Planner | None):
    """The record/replay rewrite of a call the split rewrite refused, when the
    call is one a batch can make; its own refusal when it finds a fan-out."""
    if finding.sdk_call not in ("messages.create", "beta.messages.create") or not supports_batches(finding.client) \
            or remedy(finding.client):  # LangChain, LiteLLM, the OpenAI SDK: not the Anthropic SDK's call
        return refusal
    if sdk_planner is None:
        return refusal
    sdk_call = sdk_planner.call_at(finding.call.line, finding.call.column)
    handed = sdk_call.args[0].value if sdk_call is not None and sdk_call.args else None
    if isinstance(handed, cst.Attribute) and handed.attr.value == "create" and not (
            isinstance(sdk_call.func, cst.Attribute) and sdk_call.func.attr.value == "create"):
        # `asyncio.to_thread(client.messages.create, ...)`: the method runs in another thread
        return Refusal(f"the Claude method is handed to `{code_of(sdk_call.func)}(...)`, which calls it "
                       "elsewhere; batchlint rewrites direct calls")
    caught = stop_caught_around(sdk_planner, sdk_call)
    if caught:
        return caught
    calls = planner.calls_at(finding.location.line, finding.location.column)
    if not calls:
        return refusal
    direct = finding.call == finding.location or (
        (finding.call.path, finding.call.line, finding.call.column)
        == (finding.location.path, finding.location.line, finding.location.column))
    call = calls[-1] if direct else calls[0]
    if direct and planner._check_call(call) is not None:  # streamed, per-call headers: no batch form
        return refusal
    passed = _PASSED_TO.search(finding.message)
    outcome = plan_replay(planner, call, direct, passed.groups() if passed else ("", ""))
    if isinstance(outcome, Refusal) and outcome.reason.startswith("no loop"):
        return refusal
    return outcome


_PASSED_TO = re.compile(r"^`([^`]+)\(\)` \(passed to `([^`]+)`\)")


def _one_call_per_node(outcomes):
    """One rewrite per loop: a loop that makes two Claude calls is left alone,
    or the second call would stay synchronous."""
    per_node: dict[int, set] = {}
    for _, outcome in outcomes:
        if not isinstance(outcome, (Refusal, ReplayRewrite)):
            per_node.setdefault(id(outcome.node), set()).add(id(outcome.call_expr))
    for finding, outcome in outcomes:
        if not isinstance(outcome, (Refusal, ReplayRewrite)) and len(per_node[id(outcome.node)]) > 1:
            outcome = Refusal(f"the loop makes {len(per_node[id(outcome.node)])} Claude calls; "
                              "batchlint rewrites a loop that makes one")
        yield finding, outcome


# A state key is written into the code as a string literal: any character of a
# file name (a newline, a byte that is not UTF-8) becomes `_`.
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.:#-]")


def _emits(path: str, rewrites: dict[int, Rewrite], statuses, planner: Planner, length: int) -> dict[int, Emit]:
    """Each rewrite's state key (module:function, #n for a function's later
    batches), its form (scheduled jobs do not wait) and its Batch variable."""
    scheduled = {id(r.node) for finding, status in statuses if status.fixable and finding.code == "BL103"
                 for r in rewrites.values() if _same_call(r, finding, planner)}
    module = module_name(path)
    seen: dict[str, int] = {}
    emits = {}
    for node_id, rewrite in sorted(rewrites.items(), key=lambda item: planner.line_of(item[1].node)):
        scope, qualname = _scope(rewrite.node, planner)
        base = _KEY_UNSAFE.sub("_", f"{module}:{qualname}" if qualname else module)
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base}#{seen[base]}"
        usage = scan(scope)
        taken = usage.reads | usage.writes
        var = next(n for n in ("batch", "claude_batch", *(f"batch_{i}" for i in range(2, 99))) if n not in taken)
        response = next((n for n in ("response", "message", "reply") if n not in taken), RESPONSE)
        span = planner.positions.span(rewrite.node)
        indent = span.column - 1
        if isinstance(rewrite, ReplayRewrite) and rewrite.kind not in ("for", "pool"):
            # an expression replaced in place: what follows it on its last line counts toward the length
            span = planner.positions.span(rewrite.call if rewrite.kind == "map" else rewrite.node)
            dedent = len(planner.module.default_indent) if rewrite.node is not rewrite.call and rewrite.kind == "map" else 0
            indent = span.column - 1 - dedent
            if 0 < span.end_line <= len(planner.lines):
                indent += len(planner.lines[span.end_line - 1]) - (span.end_column - 1)
        emits[node_id] = Emit(key, node_id not in scheduled, var, response, indent, length,
                              len(planner.module.default_indent.replace("\t", "    ")), frozenset(taken))
    return emits


def _same_call(rewrite: Rewrite, finding: Finding, planner: Planner) -> bool:
    span = planner.positions.span(rewrite.call)
    return (span.line, span.column) in ((finding.location.line, finding.location.column), (finding.call.line, finding.call.column))


def _scope(node: cst.CSTNode, planner: Planner) -> tuple[cst.CSTNode, str]:
    """The function (or module) around `node`, and its qualified name."""
    names, scope = [], None
    parent = planner.parent(node)
    while parent is not None and not isinstance(parent, cst.Module):
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef)):
            names.append(parent.name.value)
            scope = scope or parent
        parent = planner.parent(parent)
    return scope or planner.module, ".".join(reversed(names))
def _failure(exc: BaseException) -> str:
    """Why a file's rewrite was given up, for its findings' fix status."""
    if isinstance(exc, RecursionError):
        return "too deeply nested to rewrite (RecursionError); left as it is"
    return f"internal error while planning the rewrite ({type(exc).__name__}: {exc}); left as it is"


def _parse(path: str) -> _Parsed | _Unparsed:
    try:
        return _parse_file(path)
    except Exception as exc:  # noqa: BLE001 - LibCST's recursive walks (a 600-deep expression) stop at this file
        return _Unparsed(_failure(exc), error=False)


def _parse_file(path: str) -> _Parsed | _Unparsed:
    try:
        original = files.read(path)
    except files.WriteError as exc:
        return _Unparsed(str(exc))
    if reason := files.line_ending_problem(original.data):  # before planning: a rewrite could not keep them
        return _Unparsed(reason, error=False)
    # LibCST drops blank lines before trailing spaces that have no newline
    # after them; keep such a tail aside and put it back unchanged.
    body = original.data.rstrip(b" \t\f")
    tail = original.data[len(body):]
    try:
        module = cst.parse_module(body)
    except Exception as exc:  # noqa: BLE001 - LibCST raises several kinds; any means "cannot rewrite"
        return _Unparsed(f"{path}: cannot parse for rewriting: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    if module.bytes != body:
        return _Unparsed("LibCST does not reproduce this file byte for byte; left as it is", error=False)
    try:
        source = body.decode(module.encoding)
    except (UnicodeDecodeError, LookupError):
        return _Unparsed(f"{path}: cannot decode as {module.encoding}")
    return _Parsed(original, module, Planner(module, source), tail)


def _describe(rewrite, planner: Planner) -> str:
    line = planner.line_of(rewrite.node)
    if isinstance(rewrite, ReplayRewrite):
        what = {"for": "loop", "map": f"`{rewrite.mapper}()`", "gather": "asyncio.gather",
                "pool": "thread pool"}.get(rewrite.kind, "comprehension")
        if rewrite.kind == "pool":
            return (f"the thread pool at line {line} becomes `_claude_batch.Pool`: the calls submitted to it run "
                    "through `_claude_batch.fan_out` when a result is first asked for (record/replay)")
        return (f"the {what} at line {line} becomes `_claude_batch.{'afan_out' if rewrite.is_async else 'fan_out'}`: "
                "its items' Claude requests are recorded, sent as one batch per round of dependent calls, "
                "and answered when the items run again (record/replay)")
    if isinstance(rewrite, LoopRewrite) and rewrite.helper is not None:
        name = rewrite.helper.name
        return (f"the loop at line {line} becomes one Message Batches job: {name}()'s request and the rest of it "
                f"run as _batchlint_request_{name}() and _batchlint_finish_{name}() around the batch")
    if isinstance(rewrite, LoopRewrite):
        return f"the loop at line {line} becomes one Message Batches job, then the rest of its body runs per result in order"
    if rewrite.gather:
        return f"the asyncio.gather at line {line} becomes one Message Batches job"
    return f"the comprehension at line {line} becomes one Message Batches job"


def text_edits(old: str, new: str) -> tuple[tuple[int, int, str], ...]:
    """The line-level differences of two texts as (char offset in old, chars deleted, text inserted)."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    offsets = [0]
    for line in old_lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append((offsets[i1], offsets[i2] - offsets[i1], "".join(new_lines[j1:j2])))
    return tuple(edits)


def annotate(result: CheckResult, with_edits: bool = False) -> CheckResult:
    """The result with a FixStatus on each batch candidate (for JSON, SARIF,
    --show-context); `with_edits` adds each fixable finding's own edits."""
    status: dict[int, FixStatus] = {}
    for file_fix in plan_result(result):
        for finding, fix_status in file_fix.statuses:
            # SARIF edits are of one file; a rewrite that also changes its helper's file has none
            if with_edits and fix_status.fixable and not _helper_path(finding):
                alone = plan_file(file_fix.path, [finding])
                if alone.fixed is not None:
                    old = alone.original.data.decode(alone.encoding)
                    fix_status = replace(fix_status, edits=text_edits(old, alone.fixed.decode(alone.encoding)))
            status[id(finding)] = fix_status
    findings = tuple(replace(f, fix=status[id(f)]) if id(f) in status else f for f in result.findings)
    return replace(result, findings=findings)

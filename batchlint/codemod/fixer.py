"""`batchlint fix`: from check findings to rewritten files.

The codemod consumes the check stage's findings (it never re-decides whether
anybody waits on a call); per file it plans each finding's rewrite or refusal,
applies the rewrites in one pass, makes sure the result parses, and hands back
plain values: the new bytes and a FixStatus per finding. Writing is separate.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, replace

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from ..model import CONTEXT_CODES, CheckResult, Finding, FixStatus
from . import files
from .plan import LoopRewrite, Planner, Refusal, Rewrite, SplitRewrite
from .rewrite import apply

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

    @property
    def rewrites(self) -> int:
        return sum(1 for _, s in self.statuses if s.fixable)


def plan_result(result: CheckResult, split: bool = False) -> list[FileFix]:
    """A FileFix for every file with batch candidates."""
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.code in CANDIDATE_CODES:
            by_path.setdefault(finding.location.path, []).append(finding)  # the file the loop is in
    return [plan_file(path, findings, split) for path, findings in sorted(by_path.items())]


def plan_file(path: str, findings: list[Finding], split: bool = False) -> FileFix:
    try:
        original = files.read(path)
    except files.WriteError as exc:
        return _unfixable(path, findings, str(exc), error=str(exc))
    # LibCST drops blank lines before trailing spaces that have no newline
    # after them; keep such a tail aside and put it back unchanged.
    body = original.data.rstrip(b" \t\f")
    tail = original.data[len(body):]
    try:
        module = cst.parse_module(body)
    except Exception as exc:  # noqa: BLE001 - LibCST raises several kinds; any means "cannot rewrite"
        reason = f"{path}: cannot parse for rewriting: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        return _unfixable(path, findings, reason, original=original, error=reason)
    if module.bytes != body:
        return _unfixable(path, findings, "LibCST does not reproduce this file byte for byte; left as it is", original=original)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    planner = Planner(module, wrapper.resolve(ParentNodeProvider), wrapper.resolve(PositionProvider))
    outcomes = [(f, planner.plan(f.call.line, f.call.column, f.location.line, f.location.column, f.client, f.sdk_call,
                                 split, f.call.path if f.call.path != f.location.path else ""))
                for f in sorted(findings, key=Finding.sort_key)]
    # One rewrite per loop (or function, with --split): a loop that makes two
    # Claude calls is left alone, or the second call would stay synchronous.
    per_node: dict[int, set] = {}
    for _, outcome in outcomes:
        if not isinstance(outcome, Refusal):
            per_node.setdefault(id(outcome.node), set()).add(id(outcome.call_expr if not isinstance(outcome, SplitRewrite) else outcome.loop.call_expr))
    statuses: list[tuple[Finding, FixStatus]] = []
    rewrites: dict[int, Rewrite] = {}
    for finding, outcome in outcomes:
        if not isinstance(outcome, Refusal) and len(per_node[id(outcome.node)]) > 1:
            where = "function" if isinstance(outcome, SplitRewrite) else "loop"
            outcome = Refusal(f"the {where} makes {len(per_node[id(outcome.node)])} Claude calls; batchlint rewrites a {where} that makes one")
        if isinstance(outcome, Refusal):
            statuses.append((finding, FixStatus(False, outcome.reason)))
            continue
        rewrites.setdefault(id(outcome.node), outcome)
        statuses.append((finding, FixStatus(True, _describe(outcome, planner))))
    if not rewrites:
        return FileFix(path, original, None, tuple(statuses), encoding=module.encoding)
    try:
        new = apply(module, list(rewrites.values())).bytes + tail
        ast.parse(new)
    except Exception as exc:  # noqa: BLE001 - a rewrite that fails to build or parse is refused, never written
        reason = f"the rewritten file would not parse ({type(exc).__name__}); left as it is"
        return _unfixable(path, findings, reason, original=original)
    return FileFix(path, original, new, tuple(statuses), encoding=module.encoding)


def _describe(rewrite, planner: Planner) -> str:
    line = planner.line_of(rewrite.node)
    if isinstance(rewrite, SplitRewrite):
        name = rewrite.function.name.value
        return (f"`{name}` (line {line}) is split into submit_{name}(), which creates the batch and returns its ids, "
                f"and collect_{name}(batch_ids, ...), which finishes the work; {name}() calls both")
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


def _unfixable(path: str, findings: list[Finding], reason: str, original=None, error: str = "") -> FileFix:
    return FileFix(path, original, None, tuple((f, FixStatus(False, reason)) for f in findings), error)


def annotate(result: CheckResult, with_edits: bool = False) -> CheckResult:
    """The result with a FixStatus on each batch candidate (for JSON, SARIF,
    --show-context); `with_edits` adds each fixable finding's own edits."""
    status: dict[int, FixStatus] = {}
    for file_fix in plan_result(result):
        for finding, fix_status in file_fix.statuses:
            if with_edits and fix_status.fixable:
                alone = plan_file(file_fix.path, [finding])
                if alone.fixed is not None:
                    old = alone.original.data.decode(alone.encoding)
                    fix_status = replace(fix_status, edits=text_edits(old, alone.fixed.decode(alone.encoding)))
            status[id(finding)] = fix_status
    findings = tuple(replace(f, fix=status[id(f)]) if id(f) in status else f for f in result.findings)
    return replace(result, findings=findings)

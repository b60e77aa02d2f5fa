"""Judging the chains chain_walk.py walks outward from each SDK call.

A chain is the list of call sites from the SDK call up to a function with a
context of its own (a handler, a job, a task, a script) or to a function no
analyzed code calls. A chain is a batch candidate when nothing on it has a
person waiting or a loop-carried dependence, and it has either a repetition
(loop, map, fan-out) or a scheduled/worker context. It is reported at the
outermost repetition — the call in the loop — or, without one, at the call
inside the job; the code names the strongest context on the chain.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass

from ..boundary import stage_failure
from ..model import CONTEXT_CODES, ContextKind, FileError, Finding, Location
from ..money import usd
from ..project_root import is_test_module
from ..savings.estimate import Settings, Usage, estimate
from ..savings.pricing import PriceTable
from .batched import BatchedPaths
from .chain_walk import Chain, ChainWalker, Frame
from .clients import SdkCall
from .context_rules import ALREADY_BATCHED, INTERACTIVE, OFFLINE, SCHEDULED, WORKER
from .contexts import Classifier
from .facts import FileFacts, Site
from .groups import Groups
from .packed import PackedFindings
from .project import Project
from .request_values import resolve_loops, resolve_request
from .surfaces import remedy

_KIND_OF_CONTEXT = {SCHEDULED: ContextKind.SCHEDULED, WORKER: ContextKind.WORKER, OFFLINE: ContextKind.OFFLINE}

CODE_NO_BATCH_CLIENT = "BL106"
CODE_LEGACY = "BL107"


def _fn_name(qual: str) -> str:
    # `api#2`: the second `def api` of its scope (index.py) reads as `api()`
    return qual.rpartition(".")[2].partition("#")[0] + "()" if qual else "module code"


@dataclass(frozen=True, slots=True)
class Verdict:
    report: Frame
    kind: ContextKind
    chain: Chain


def judge(chain: Chain) -> Verdict | None:
    terminal = chain.terminal
    if terminal is not None and terminal.kind in (INTERACTIVE, "not-batchable", ALREADY_BATCHED):
        return None
    # The outermost repetition is the batch: a dataset loop around a helper that
    # samples n times is one batch per run of the dataset loop, reported there.
    report = next((f for f in reversed(chain.frames) if f.facts.repetition is not None), None)
    kinds = [f.facts.repetition for f in chain.frames if f.facts.repetition is not None]
    context_kind = _KIND_OF_CONTEXT.get(terminal.kind) if terminal is not None else None
    if report is None:
        if context_kind in (ContextKind.SCHEDULED, ContextKind.WORKER):
            return Verdict(chain.frames[-1], context_kind, chain)
        return None  # a one-off call, or nothing known about who calls it
    if context_kind is not None:
        kinds.append(context_kind)
    return Verdict(report, max(kinds, key=lambda k: k.strength), chain)


def fan_out_scopes(verdict: Verdict) -> list[str]:
    """The code of a candidate's fan-out: the function (or module code) holding
    the reported loop or job call, and every function on the chain below it,
    down to the SDK call's. Callers above the fan-out are not part of it."""
    frames = verdict.chain.frames
    upto = next(i for i, frame in enumerate(frames) if frame is verdict.report)
    return list(dict.fromkeys(f.site.scope for f in frames[: upto + 1]))


def _loc(path: str, site: Site) -> Location:
    span = site.span
    return Location(path, span.line, span.column, span.end_line, span.end_column)


def _call_text(site: Site) -> str:
    return site.text[:-5] if site.text.endswith("(...)") else site.text


def _evidence(verdict: Verdict, sdk: SdkCall, others: list = ()) -> tuple[str, ...]:
    frames = verdict.chain.frames
    first = frames[0]
    lines = [f"`{_call_text(first.site)}` ({sdk.client}.{sdk.method}) in {_fn_name(first.function)} at {first.path}:{first.site.span.line}"]
    for other, other_sdk, _facts, _site in others:  # `if system:` / `else:` each make the call
        call = other.chain.frames[0]
        lines.append(f"and `{_call_text(call.site)}` ({other_sdk.client}.{other_sdk.method}) in "
                     f"{_fn_name(call.function)} at {call.path}:{call.site.span.line}")
    for below, frame in zip(frames, frames[1:]):
        how = f"in {frame.facts.repetition_label} " if frame.facts.repetition else ""
        lines.append(
            f"{_fn_name(below.function)} called {how}in {_fn_name(frame.function)} at {frame.path}:{frame.site.span.line}"
        )
    terminal = verdict.chain.terminal
    if terminal is not None:
        schedule = f", schedule {terminal.schedule}" if terminal.schedule else ""
        lines.append(f"{_fn_name(frames[-1].function)}: {terminal.label}{schedule} at {terminal.where}")
    else:
        lines.append(f"{_fn_name(frames[-1].function)} is not called from any analyzed code")
    return tuple(lines)


_WHY = "nobody waits on each response; send these requests as one Message Batch (50% cheaper)"
_WHY_JOB = "nobody waits on it; submit it as a Message Batch and collect the result later (50% cheaper)"


def _message(verdict: Verdict, sdk: SdkCall) -> tuple[str, str, str]:
    """The code, the full message, and the short one the default text line shows."""
    frame = verdict.report
    facts = frame.facts
    terminal = verdict.chain.terminal
    sdk_text = _call_text(verdict.chain.frames[0].site)
    if frame is verdict.chain.frames[0]:
        subject = short_subject = f"Claude call `{sdk_text}`"
    elif frame.site.ref_via:
        name = frame.site.callee.rpartition(".")[2]
        subject = f"`{name}()` (passed to `{_call_text(frame.site)}`) reaches Claude (`{sdk_text}`)"
        short_subject = f"`{name}()` reaches Claude"
    else:
        subject = f"`{_call_text(frame.site)}()` reaches Claude (`{sdk_text}`)"
        short_subject = f"`{_call_text(frame.site)}()` reaches Claude"
    short_where = f"in {terminal.label}" if terminal else ""
    if facts.repetition is not None:
        where = short_where = f"in {facts.repetition_label}"
        if terminal is not None and terminal.kind in (SCHEDULED, WORKER, OFFLINE):
            where += f", inside {terminal.label}"
        why = _WHY
    else:
        where = f"in {terminal.label}" if terminal else ""
        if terminal is not None and terminal.kind == SCHEDULED:
            where += " (one call per run; still, nobody waits on a scheduled run)"
        why = _WHY_JOB
    summary = f"{short_subject} {short_where}".rstrip()
    if not sdk.batchable_client:
        return CODE_NO_BATCH_CLIENT, (
            f"{subject} {where}: nobody waits on it, but `{sdk.client}` cannot use the Message Batches API; "
            "use a first-party `anthropic.Anthropic` client (or the provider's own batch inference) to get the batch discount"
        ), f"{summary}; `{sdk.client}` cannot batch"
    if sdk.role == "legacy":
        return CODE_LEGACY, (
            f"{subject} {where}: legacy Text Completions call; move it to the Messages API first, "
            "then to a Message Batch (the batch API accepts only Messages requests)"
        ), f"{summary}; legacy Text Completions"
    message = f"{subject} {where}: {why}"
    if sdk.role == "stream":
        message += "; the stream is only drained in code, never shown, so a non-streaming batch request gives the same result"
    if remedy(sdk.client):  # LangChain, LiteLLM, instructor, OpenAI SDK: other code gets the discount
        message += f" [`{sdk.client}`: {remedy(sdk.client)}]"
    if sdk.inferred:
        message += " [client type inferred from the call's arguments]"
    return CONTEXT_CODES[verdict.kind], message, summary


_VOLUME = re.compile(r"\bvolume\s*=\s*(\S+)")


def _usage(verdict: Verdict, sdk_site: Site, sdk_path: str, pragmas: dict[str, dict[int, str]]) -> Usage:
    """The plain volume facts of one finding, for the estimate stage."""
    terminal = verdict.chain.terminal
    loops = tuple(loop for f in verdict.chain.frames for loop in f.facts.loops)
    # `# batchlint: volume=5000/day` on the SDK call, any call site or loop on the chain, or the job
    lines = [(sdk_path, sdk_site.span.line)]
    for frame in verdict.chain.frames:
        lines.append((frame.path, frame.site.span.line))
        if frame.facts.repetition:
            path, _, line = frame.facts.repetition_where.rpartition(":")
            lines.append((path, int(line)))
    if terminal is not None and terminal.where:
        path, _, line = terminal.where.rpartition(":")
        if line.isdigit():
            lines.append((path, int(line)))
    hint = ""
    for path, line in reversed(lines):  # outermost first: the job's own figure wins
        match = _VOLUME.search(pragmas.get(path, {}).get(line, ""))
        if match:
            hint = match.group(1)
            break
    return Usage(
        kind=verdict.kind,
        schedule=terminal.schedule if terminal is not None and terminal.kind == SCHEDULED else "",
        loop_counts=loops,
        request=sdk_site.request,
        volume_hint=hint,
    )


def findings_for(project: Project, classifier: Classifier, prices: PriceTable | None = None,
                 settings: Settings | None = None, errors: list[FileError] | None = None,
                 test_callers: bool = True) -> list[Finding]:
    """The findings of every SDK call, sorted. With `errors` given, a call whose
    classification or estimate fails costs only its own findings: one BL003
    line naming its file goes to `errors` (without, the failure propagates).
    `test_callers=False`: a chain that starts in test code (a test function
    driving production code with a mock or a fixture) is no production volume."""
    return packed_findings_for(project, classifier, prices, settings, errors, test_callers).unpack()


def packed_findings_for(project: Project, classifier: Classifier, prices: PriceTable | None = None,
                        settings: Settings | None = None, errors: list[FileError] | None = None,
                        test_callers: bool = True) -> PackedFindings:
    """findings_for, the findings held packed (packed.py): the caller unpacks
    them once it has let go of the project.

    One finding per reported call site and code, however many SDK calls (say,
    both branches of an if) reach it: a group of verdicts, whose best makes
    the finding and whose others are named in it. A group's finding is made
    as soon as the call that first reaches it is judged, and its verdicts let
    go: held until every call was judged, they were the peak of a large run
    (50,000 files: 30 MiB). A later call that reaches the same group (rare)
    has it made again at the end, from the verdicts of the calls that reach
    it, walked again (groups.py)."""
    walker = ChainWalker(project, classifier)
    batched = BatchedPaths(project)
    pragmas = {f.path: dict(f.pragmas) for f in project.files if f.pragmas}
    out = PackedFindings()
    calls = project.sdk_calls

    def verdicts_of(index: int) -> list[tuple[tuple, tuple[Verdict, SdkCall, FileFacts, Site]]]:
        site, facts, sdk = calls[index]
        return [((verdict.report.path, verdict.report.site.span, _code_family(verdict, sdk)), (verdict, sdk, facts, site))
                for verdict in _verdicts(project, walker, batched, site, facts, sdk, test_callers)]

    def make(order: int, group: list[tuple[Verdict, SdkCall, FileFacts, Site]]) -> tuple[str, Exception] | None:
        best = group[0]
        for entry in group[1:]:
            if _better(entry[0], best[0]):
                best = entry
        verdict, sdk, facts, site = best
        others = {}
        for other in group:  # the other SDK calls, once each, in source order
            where = (other[2].path, other[3].span.line, other[3].span.column)
            if other[3] is not site and where not in others:
                others[where] = other
        try:
            out.extend(_finding(project, verdict, sdk, facts, site, pragmas, prices, settings,
                                [others[w] for w in sorted(others)]), order)
        except Exception as exc:  # one file's trouble costs its findings only (Groups.estimate_failures)
            if errors is None:
                raise
            return facts.path, exc
        return None

    groups = Groups(calls, verdicts_of, make, out.retract)
    for index, (site, facts, sdk) in enumerate(calls):
        if groups.failed(facts.path):
            continue  # its findings are left out: its other calls need no judging
        if _stream_shown(project, site):
            continue  # tokens stream to someone who is reading them
        if sdk.role == "stream" and not site.flags & {"stream-drained", "stream-yielded"}:
            continue
        try:
            judged = verdicts_of(index)
        except Exception as exc:  # noqa: BLE001 - see _failed
            groups.classify_failed(facts.path)
            _failed(errors, set(), facts.path, "classify its Claude calls", exc)
            continue
        groups.add(index, judged)
    groups.finish()
    for path, exc in groups.estimate_failures():
        _failed(errors, set(), path, "estimate the cost of its Claude calls", exc)
    out.drop(groups.failed_paths())
    return out


def _verdicts(project: Project, walker: ChainWalker, batched: BatchedPaths, site: Site, facts: FileFacts, sdk: SdkCall,
              test_callers: bool) -> list[Verdict]:
    """The verdicts of one SDK call's chains: the candidates among them."""
    verdicts = []
    chains = walker.chains(site, facts.path)
    for chain in chains:
        verdict = judge(chain)
        if verdict is None or batched.reaches_batch(fan_out_scopes(verdict)):
            continue
        if batched.deferred(site, sdk.client, [f.site.scope for f in chain.frames]):
            continue
        verdicts.append(verdict)
    if verdicts:
        verdicts = _not_waited_on(verdicts, chains)
    if verdicts and not test_callers:
        verdicts = [v for v in verdicts if not _test_rooted(v, project.is_test)]
    return verdicts


def _not_waited_on(verdicts: list[Verdict], chains: list[Chain]) -> list[Verdict]:
    """The verdicts whose reported loop or job call no person waits on along
    any path. A helper's loop that a nightly script runs and a request handler
    runs too is the handler's latency as well: rewritten, the handler would
    wait for a batch. Only a repetition above the shared part (the script's
    own loop over the helper) stays a candidate."""
    waited = {id(frame.site) for chain in chains
              if chain.terminal is not None and chain.terminal.kind == INTERACTIVE
              for frame in chain.frames}
    return [v for v in verdicts if id(v.report.site) not in waited]


def _test_rooted(verdict: Verdict, is_test) -> bool:
    """Production code reached only from a test (a test function driving it
    with a mock or a fixture). A finding located in test code is left to the
    checker, which moves it to the suppressed ones with its reason; a script
    under tests/ that runs as a program is production."""
    top = verdict.chain.frames[-1].path
    if verdict.report.path == top or not is_test(top) or is_test(verdict.report.path):
        return False
    terminal = verdict.chain.terminal
    return not (terminal is not None and terminal.kind == OFFLINE and not is_test_module(os.path.basename(top)))


def _stream_shown(project: Project, site: Site) -> bool:
    """Tokens reach a reader: printed or sent where they arrive, or yielded by a
    generator that some caller does not merely gather (`"".join(gen(p))`,
    `for t in gen(p): buf += t`)."""
    if "stream-shown" in site.flags:
        return True
    if "stream-yielded" not in site.flags:
        return False
    callers = project.callers.get(site.scope, ())
    return not callers or not all("collected" in edge.site.flags for edge in callers)


def _failed(errors: list[FileError] | None, failed: set[str], path: str, stage: str, exc: Exception) -> None:
    """Record that a stage failed on one file (once per file), or re-raise
    when the caller keeps no errors."""
    if errors is None:
        raise exc
    if path not in failed:
        failed.add(path)
        errors.append(stage_failure(path, stage, exc))


def _finding(project: Project, verdict: Verdict, sdk: SdkCall, facts: FileFacts, site: Site, pragmas: dict,
             prices: PriceTable | None, settings: Settings | None, others: list = ()) -> list[Finding]:
    """One verdict's finding (and its cacheable-prefix finding), with the estimate.
    `others`: the further (verdict, sdk, facts, site) the same report site reaches."""
    code, message, summary = _message(verdict, sdk)
    terminal = verdict.chain.terminal
    cost = None
    if prices is not None:
        usage = _usage(verdict, site, facts.path, pragmas)
        frames = [(f.function, f.site, f.path) for f in verdict.chain.frames]
        usage = dataclasses.replace(usage, request=resolve_request(project, usage.request, frames),
                                    loop_counts=resolve_loops(project, usage.loop_counts, frames))
        cost = estimate(usage, prices, settings or Settings())
    finding = Finding(
        code=code,
        message=message,
        summary=summary,
        location=_loc(verdict.report.path, verdict.report.site),
        context=verdict.kind,
        evidence=_evidence(verdict, sdk, others),
        call=_loc(facts.path, site),
        sdk_call=sdk.method,
        client=sdk.client,
        scheduled_by=(terminal.schedule if terminal is not None and terminal.kind == SCHEDULED else ""),
        extra=(("job", terminal.label),) if terminal is not None else (),
        estimate=cost,
        anchors=tuple(dict.fromkeys(_anchors(project, verdict, facts.path, site) + tuple(
            (o_facts.path, o_site.span.line, o_site.span.end_line) for _v, _s, o_facts, o_site in others))),
        other_calls=tuple(_loc(o_facts.path, o_site) for _v, _s, o_facts, o_site in others),
    )
    if cost is not None and cost.monthly_batch_cached is not None and code == CONTEXT_CODES.get(verdict.kind):
        return [finding, _cacheable_prefix_finding(finding, cost)]
    return [finding]


CODE_CACHEABLE = "BL201"


def _anchors(project: Project, verdict: Verdict, sdk_path: str, sdk_site: Site) -> tuple[tuple[str, int, int], ...]:
    report = verdict.report.site
    out = [(verdict.report.path, report.span.line, report.span.end_line), (sdk_path, sdk_site.span.line, sdk_site.span.end_line)]
    for frame in verdict.chain.frames:
        fn = project.function(frame.function) if frame.function else None
        facts = project.file_of_function(frame.function) if fn else None
        if fn is not None and facts is not None:
            out.append((facts.path, fn.header_line or fn.span.line, fn.span.line))
    terminal = verdict.chain.terminal
    if terminal is not None and terminal.where:
        path, _, line = terminal.where.rpartition(":")
        if line.isdigit():
            out.append((path, int(line), int(line)))
    return tuple(dict.fromkeys(out))


def _cacheable_prefix_finding(candidate: Finding, cost) -> Finding:
    """BL201 at the SDK call: where `cache_control` goes."""
    prefix = next((a.value for a in cost.assumptions if a.name == "cacheable prefix tokens"), "?")
    return Finding(
        code=CODE_CACHEABLE,
        message=(
            f"this batch candidate sends the same ~{prefix}-token system prompt with every request and no "
            "`cache_control`: mark it cacheable; caching stacks with the batch discount "
            f"(~{usd(cost.monthly_batch_cached)}/month instead of {usd(cost.monthly_batch)} in batch)"
        ),
        summary=f"same ~{prefix}-token system prompt with every batch request and no `cache_control`",
        location=candidate.call,
        context=candidate.context,
        evidence=(f"batch candidate reported at {candidate.path}:{candidate.line} ({candidate.code})", *candidate.evidence),
        call=candidate.call,
        sdk_call=candidate.sdk_call,
        client=candidate.client,
        scheduled_by=candidate.scheduled_by,
        extra=candidate.extra,
        estimate=cost,
        anchors=candidate.anchors,
    )


def _code_family(verdict: Verdict, sdk: SdkCall) -> str:
    if not sdk.batchable_client:
        return CODE_NO_BATCH_CLIENT
    return CODE_LEGACY if sdk.role == "legacy" else "context"


def _better(new: Verdict, old: Verdict) -> bool:
    if new.kind.strength != old.kind.strength:
        return new.kind.strength > old.kind.strength
    return len(new.chain.frames) < len(old.chain.frames)


CODE_UNCLASSIFIED = "BL110"


def unclassified_calls(project: Project, classifier: Classifier, errors: list[FileError] | None = None) -> list[Finding]:
    """--strict: SDK calls on which no chain reaches any known context — neither a
    job, a script, a loop, nor a handler, chat loop or dependent loop. `errors`
    as for findings_for."""
    walker = ChainWalker(project, classifier)
    batched = BatchedPaths(project)
    out = []
    failed: set[str] = set()
    for site, facts, sdk in project.sdk_calls:
        if _stream_shown(project, site) or batched.reaches_batch([site.scope]):
            continue  # shown to a reader, or beside the code's own batch call (a fallback)
        try:
            chains = walker.chains(site, facts.path)
        except Exception as exc:  # noqa: BLE001 - see _failed
            _failed(errors, failed, facts.path, "classify its Claude calls", exc)
            continue
        if any(ch.terminal is not None or any(f.facts.repetition for f in ch.frames) for ch in chains):
            continue
        location = _loc(facts.path, site)
        out.append(Finding(
            code=CODE_UNCLASSIFIED,
            message=(f"Claude call `{_call_text(site)}` in no context batchlint recognises: if a person waits on it, "
                     "say so with `# batchlint: realtime -- <who waits>`; if not, it belongs in a Message Batch"),
            summary=f"Claude call `{_call_text(site)}` in no known context: batch it or declare it realtime",
            location=location, context=None,
            evidence=_evidence(Verdict(chains[0].frames[0], ContextKind.LOOP, chains[0]), sdk) if chains else (),
            call=location, sdk_call=sdk.method, client=sdk.client,
        ))
    out.sort(key=Finding.sort_key)
    return out

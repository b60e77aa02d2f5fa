"""Measured usage in place of the estimate's defaults, per call site.

A finding takes the measured requests made at its SDK call (the file and
line of the first frame outside the SDK). When one SDK call serves several
findings (a helper called from three jobs), each takes the requests whose
recorded frames pass through its own reported line; OTLP spans carry no
frames, so there only a call site serving one finding is measured.

With requests measured, the estimate becomes:

    monthly cost = runs per month x calls per run (measured) x mean cost of a measured request

Runs per month still come from the code or a default (a trace is one run,
not a month), a `# batchlint: volume=` hint still states calls per month,
and each request is priced on the model it reports, with its cache reads
and writes at cache prices. A request is already what was sent, so the
prompt-caching line of the static estimate is dropped.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter

from ..model import Assumption, CheckResult, Estimate, Finding, Location
from ..savings.pricing import Price, PriceTable
from .files import Call


def apply_usage(result: CheckResult, calls: list[Call], table: PriceTable) -> CheckResult:
    by_site: dict[tuple[str, int], list[Finding]] = {}
    for finding in result.findings:
        if finding.estimate is not None:
            by_site.setdefault((finding.call.path, finding.call.line), []).append(finding)
    used: set[int] = set()
    replaced: dict[int, Finding] = {}
    for group in by_site.values():
        at_call = [i for i, c in enumerate(calls) if _at(c.path, c.line, group[0].call)]
        shared = len({(f.location.path, f.location.line) for f in group}) > 1
        for finding in group:
            mine = [i for i in at_call if not shared or any(_at(p, n, finding.location) for p, n in calls[i].stack)]
            if mine:
                used.update(mine)
                estimate = measured_estimate(finding.estimate, [calls[i] for i in mine], table)
                replaced[id(finding)] = dataclasses.replace(finding, estimate=estimate)
    findings = tuple(replaced.get(id(f), f) for f in result.findings)
    notices = result.notices
    if len(used) < len(calls):
        notices += ((f"batchlint: {len(calls) - len(used)} of {len(calls)} measured requests match no reported call "
                     "(requests someone waits on, or code outside the paths checked)"),)
    return dataclasses.replace(result, findings=findings, notices=notices)


def _at(path: str, line: int, where: Location) -> bool:
    return where.line <= line <= max(where.line, where.end_line) and same_file(path, where.path)


def same_file(measured: str, reported: str) -> bool:
    """A measured path (absolute in a trace; anything in OTLP) names the
    reported one: the same file here, or one ends with the other's parts
    (a trace made in another checkout or container); two absolute paths
    must share the file and at least its folder."""
    if not measured:
        return False
    if os.path.isabs(measured) and os.path.normcase(measured) == os.path.normcase(os.path.abspath(reported)):
        return True
    a = [p for p in measured.replace("\\", "/").split("/") if p not in ("", ".")]
    b = [p for p in reported.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in b or not a or not b:
        return False
    if os.path.isabs(measured) and os.path.isabs(reported):  # two machines: the folders above differ
        common = 0
        while common < min(len(a), len(b)) and a[-1 - common] == b[-1 - common]:
            common += 1
        return common >= 2
    n = min(len(a), len(b))
    return a[-n:] == b[-n:]


def _price(model: str, table: PriceTable) -> tuple[Price, bool]:
    price = table.get(model)
    if price is not None:
        return price, True
    return table.get(table.default_model) or next(iter(table.prices.values())), False


def _cost(call: Call, price: Price) -> float:
    total_input = call.input_tokens + call.cache_read + call.cache_write
    if price.long_prompt_threshold and total_input > price.long_prompt_threshold:
        return (call.input_tokens * price.long_input + call.output_tokens * price.long_output
                + call.cache_read * (price.long_cache_read or price.cache_read)
                + call.cache_write * price.cache_write_5m) / 1e6
    return (call.input_tokens * price.input + call.output_tokens * price.output
            + call.cache_read * price.cache_read + call.cache_write * price.cache_write_5m) / 1e6


def measured_estimate(static: Estimate, calls: list[Call], table: PriceTable) -> Estimate:
    notes = {a.name: a for a in static.assumptions}
    runs = len({c.run for c in calls})
    per_run = len(calls) / runs
    sources = " and ".join(sorted({"trace" if c.source == "trace" else "OTLP spans" for c in calls}))
    out = [notes["runs per month"]] if "runs per month" in notes else []
    hint = notes.get("calls per month")
    if hint is not None and hint.source.startswith("hint"):
        calls_per_month = float(hint.value)
        out.append(hint)
    else:
        runs_per_month = float(notes["runs per month"].value) if "runs per month" in notes else 30.0
        calls_per_month = runs_per_month * per_run
        out.append(Assumption("calls per run", f"{per_run:g}", f"measured: {len(calls)} requests in {runs} run{'s' if runs != 1 else ''} ({sources})"))
    models = Counter(c.model for c in calls)
    model = models.most_common(1)[0][0]
    price, known = _price(model, table)
    unknown = sorted(m for m in models if table.get(m) is None)
    mean_cost = sum(_cost(c, _price(c.model, table)[0]) for c in calls) / len(calls)
    out.append(Assumption("model", price.model,
                          "measured" + (f" (also {', '.join(m for m in models if m != model)})" if len(models) > 1 else "")
                          if known else f"default (measured model {model!r} not in the price table)"))
    if unknown and known:
        out.append(Assumption("unpriced models", ", ".join(unknown), "default: priced on the default model"))
    mean_in = sum(c.input_tokens + c.cache_read + c.cache_write for c in calls) / len(calls)
    mean_out = sum(c.output_tokens for c in calls) / len(calls)
    cached = sum(c.cache_read + c.cache_write for c in calls) / len(calls)
    out.append(Assumption("input tokens per call", f"{mean_in:.0f}", f"measured: mean of {len(calls)} requests"
                          + (f", {cached:.0f} of them cache reads and writes" if cached else "")))
    out.append(Assumption("output tokens per call", f"{mean_out:.0f}", f"measured: mean of {len(calls)} requests"))
    now = calls_per_month * mean_cost
    batch = now * table.batch_discount
    cheaper = table.cheapest_same_generation(price)
    cheaper_cost = None
    if cheaper is not None:
        cheaper_cost = calls_per_month * sum(_cost(c, cheaper) for c in calls) / len(calls) * table.batch_discount
    return Estimate(
        model=price.model, calls_per_month=calls_per_month, input_tokens=mean_in, output_tokens=mean_out,
        monthly_now=now, monthly_batch=batch, monthly_saving=now - batch, monthly_batch_cached=None,
        cheaper_model=cheaper.model if cheaper else "", monthly_batch_cheaper=cheaper_cost,
        assumptions=tuple(out),
    )

"""Monthly cost of one candidate now, in batch, and what stacks on top.

monthly cost = runs per month x calls per run x price of one call

Each number comes from the code when it says (a cron string, `range(500)`,
`max_tokens=256`, a literal system prompt), else from a default a team can
override in `[tool.batchlint.savings]`, and a `# batchlint: volume=5000/day`
comment beats both. Every number used is recorded as an Assumption with its
source, so a reader can see what to correct. Offline and deterministic.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..analysis.facts import RequestFacts
from ..boundary import MAX_NUMBER, clamp
from ..cache_codec import as_written
from ..model import Assumption, ContextKind, Estimate
from .pricing import Price, PriceTable

DAYS_PER_MONTH = 30.0
SECONDS_PER_MONTH = DAYS_PER_MONTH * 86400
_MAX_CALLS = float(MAX_NUMBER) ** 2  # calls a month: bounded, so every cost stays a finite number


@dataclass(frozen=True)
class Settings:
    """Defaults for what the code does not say ([tool.batchlint.savings])."""

    runs_per_month: dict = field(default_factory=lambda: {
        "scheduled": 30.0,  # a job with no readable schedule: daily
        "worker": 3000.0,  # task runs a month (one call each unless it loops)
        "offline": 4.0,  # a script someone runs weekly
        "loop": 30.0,
        "fan-out": 30.0,
    })
    items_per_run: float = 100.0
    output_fill: float = 0.5  # share of max_tokens a response uses
    chars_per_token: float = 3.5
    dynamic_input_tokens: float = 500.0  # computed prompt parts (documents, rows)
    field_tokens: float = 8.0  # one small f-string field (`{ticket.id}`)
    default_max_tokens: int = 1024
    min_cacheable_tokens: int = 1024


@dataclass(frozen=True)
class Usage:
    """What the analysis knows about one finding's volume, as plain values."""

    kind: ContextKind
    schedule: str = ""  # source text of the schedule, if any
    loop_counts: tuple[tuple[str, int], ...] = ()  # (label, items per run or 0) per repetition
    request: RequestFacts | None = None
    volume_hint: str = ""  # text after `volume=` in a `# batchlint:` comment


# --------------------------------------------------------------- schedules
_MACROS = {"@yearly": 1 / 12, "@annually": 1 / 12, "@monthly": 1.0, "@weekly": DAYS_PER_MONTH / 7,
           "@daily": DAYS_PER_MONTH, "@midnight": DAYS_PER_MONTH, "@hourly": DAYS_PER_MONTH * 24}
_CRON = re.compile(r"""["']\s*((?:[\d*/,\-A-Za-z?]+\s+){4,5}[\d*/,\-A-Za-z?]+)\s*["']""")
_FIELD_SIZES = (60, 24, 31, 12, 7)
_UNITS = {"second": 1, "seconds": 1, "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600,
          "day": 86400, "days": 86400, "week": 604800, "weeks": 604800}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _field_count(text: str, size: int) -> float:
    """How many values a cron field matches (`*`, `*/15`, `1,2,3`, `9-17`, `MON-FRI`)."""
    total = 0.0
    for part in str(text).strip().strip("'\"").split(","):
        part = part.strip().lower()
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = max(1, int(step_text)) if step_text.isdigit() else 1
        if part in ("*", "?", ""):
            span = size
        elif "-" in part:
            low, high = part.split("-", 1)
            if low.isdigit() and high.isdigit():
                span = int(high) - int(low) + 1
            else:
                days = [d[:3] for d in _WEEKDAYS]
                span = (days.index(high[:3]) - days.index(low[:3]) + 1) if low[:3] in days and high[:3] in days else size
        elif step > 1 and part.isdigit():
            span = size - int(part)  # "5/15": from 5, every 15
        else:
            span = 1
        total += max(1.0, span / step)
    return max(1.0, min(total, float(size)))


def _cron_runs(fields: list[str]) -> float:
    if len(fields) == 6:  # with seconds (Quartz / AWS style): drop the first
        fields = fields[1:]
    minute, hour, dom, month, dow = (fields + ["*"] * 5)[:5]
    per_day = _field_count(minute, 60) * _field_count(hour, 24)
    dom_all = dom.strip() in ("*", "?")
    dow_all = dow.strip() in ("*", "?")
    if dom_all and dow_all:
        days = DAYS_PER_MONTH
    elif dow_all:
        days = _field_count(dom, 31) * DAYS_PER_MONTH / 30.5
    elif dom_all:
        days = _field_count(dow, 7) * DAYS_PER_MONTH / 7
    else:
        days = min(DAYS_PER_MONTH, _field_count(dom, 31) + _field_count(dow, 7) * DAYS_PER_MONTH / 7)
    months = _field_count(month, 12) / 12
    return per_day * days * months


def _kwargs(text: str) -> dict[str, str]:
    return {k: v.strip("'\" ") for k, v in re.findall(r"(\w+)\s*=\s*([^,()]+)", text)}


def runs_per_month(schedule: str) -> float | None:
    """Runs a month of a schedule written in code, or None when it cannot be
    read: an interval of 0 (`rate(0 minutes)`) or of a number too large to
    read is unknown. At most one run a second."""
    try:
        runs = _runs_per_month(schedule)
    except (ArithmeticError, ValueError):  # 0 or 400-digit intervals: ZeroDivision, Overflow, int() limits
        return None
    if runs is None or not 0 < runs < float("inf"):
        return None
    return min(runs, SECONDS_PER_MONTH)


def _runs_per_month(schedule: str) -> float | None:
    text = schedule.strip()
    if not text:
        return None
    lowered = text.lower()
    for macro, runs in _MACROS.items():
        if macro in lowered:
            return runs
    match = _CRON.search(text)
    if match:
        return _cron_runs(match.group(1).split())
    aws = re.search(r"\bcron\(\s*([\d*/,\-a-z?]+(?:\s+[\d*/,\-a-z?#lw]+){5})\s*\)", lowered)
    if aws:  # AWS cron(min hour day month weekday year): drop the year
        return _cron_runs(aws.group(1).split()[:5])
    rate = re.search(r"rate\(\s*(\d+)\s+(\w+)\s*\)", lowered)  # AWS rate(5 minutes)
    if rate:
        return SECONDS_PER_MONTH / (int(rate.group(1)) * _UNITS.get(rate.group(2), 86400))
    every = re.search(r"every\((\d*)\)\.(\w+)", lowered)  # schedule.every(10).minutes / .every().monday
    if every:
        count = int(every.group(1) or 1)
        unit = every.group(2)
        if unit in _WEEKDAYS:
            return DAYS_PER_MONTH / 7
        if unit in _UNITS:
            return SECONDS_PER_MONTH / (count * _UNITS[unit])
    kwargs = _kwargs(text)
    if "crontab(" in lowered or ('"cron"' in lowered or "'cron'" in lowered or "trigger=cron" in lowered.replace(" ", "")):
        # Celery/Huey crontab() fields default to "*"; APScheduler's fields below
        # the most significant one given default to their minimum.
        apscheduler = "crontab(" not in lowered
        fields = {"minute": "*", "hour": "*", "day": "*", "month": "*", "day_of_week": "*"}
        given = {k: v for k, v in kwargs.items() if k in ("minute", "hour", "day", "day_of_month", "month", "day_of_week", "month_of_year")}
        for key, value in given.items():
            fields[{"day_of_month": "day", "month_of_year": "month"}.get(key, key)] = value
        if apscheduler:
            order = ["month", "day", "day_of_week", "hour", "minute"]
            explicit = [i for i, k in enumerate(order) if k in fields and fields[k] != "*" and k in {
                {"day_of_month": "day", "month_of_year": "month"}.get(g, g) for g in given}]
            if explicit:
                for k in order[max(explicit) + 1:]:
                    fields[k] = "0"
        return _cron_runs([fields["minute"], fields["hour"], fields["day"], fields["month"], fields["day_of_week"]])
    seconds = sum(float(kwargs[k]) * _UNITS[k] for k in kwargs if k in _UNITS and _number(kwargs[k]))
    if seconds > 0:  # "interval", minutes=30 / timedelta(hours=1) / Period(days=1) / interval=60
        return SECONDS_PER_MONTH / seconds
    if "interval" in kwargs and _number(kwargs["interval"]):
        return SECONDS_PER_MONTH / float(kwargs["interval"])
    number = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(?:,|$)", text)  # Celery beat / add_periodic_task seconds
    if number and float(number.group(1)) > 0:
        return SECONDS_PER_MONTH / float(number.group(1))
    return None


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------- hints
_HINT = re.compile(r"^\s*([\d_,.]+)\s*(?:/\s*(run|hour|day|week|month))?\s*$")
_PER = {"hour": DAYS_PER_MONTH * 24, "day": DAYS_PER_MONTH, "week": DAYS_PER_MONTH / 7, "month": 1.0}


def parse_volume_hint(text: str) -> tuple[float, str] | None:
    """`5000/day` -> (5000, "day"); `200/run` or `200` -> (200, "run")."""
    match = _HINT.match(text)
    if not match:
        return None
    try:
        amount = float(match.group(1).replace("_", "").replace(",", ""))
    except ValueError:
        return None
    return clamp(amount), match.group(2) or "run"  # `volume=1e400` is a billion


# ---------------------------------------------------------------- estimate
@functools.lru_cache(maxsize=4096)
def _note(name: str, value: str, source: str) -> Assumption:
    """An assumption, one object for equal ones: every finding of a large
    project keeps its notes to the end of the run, and most repeat ("30",
    "default for a loop context"): 0.8 KiB a finding otherwise."""
    return Assumption(name, value, source)


def estimate(usage: Usage, table: PriceTable, settings: Settings = Settings()) -> Estimate:
    notes: list[Assumption] = []
    kind = usage.kind.value

    runs = runs_per_month(usage.schedule) if usage.schedule else None
    if runs is not None:
        notes.append(_note("runs per month", f"{runs:g}", f"code: {usage.schedule}"))
    else:
        runs = settings.runs_per_month.get(kind, 30.0)
        notes.append(_note("runs per month", f"{runs:g}", f"default for a {kind} context"))

    calls_per_run = 1.0
    unknown_loop = False
    for label, count in usage.loop_counts:
        count = clamp(count)
        if count:
            calls_per_run = min(calls_per_run * count, _MAX_CALLS)
            notes.append(_note("items per run", str(count), f"code: {label}"))
        elif usage.kind is ContextKind.WORKER and label.startswith("while loop"):
            # a worker's `while` loop over a queue is the stream of tasks itself,
            # already counted by the worker's runs per month
            notes.append(_note("items per run", "1", f"{label} drains a queue: counted as the task stream"))
        else:
            unknown_loop = True
    if unknown_loop:
        calls_per_run *= settings.items_per_run
        notes.append(_note("items per run", f"{settings.items_per_run:g}", "default for a loop of unknown length"))
    calls = min(runs * calls_per_run, _MAX_CALLS)

    hint = parse_volume_hint(usage.volume_hint) if usage.volume_hint else None
    if hint is not None:
        amount, per = hint
        calls = min(amount * runs if per == "run" else amount * _PER[per], _MAX_CALLS)
        notes.append(_note("calls per month", f"{calls:g}", f"hint: volume={usage.volume_hint}"))

    request = usage.request or RequestFacts()
    sources = dict(request.sources)  # values the code names elsewhere: where they were found
    price, model_note = _price_for(request.model, table, sources.get("model", ""))
    notes.append(model_note)
    max_tokens = clamp(request.max_tokens or settings.default_max_tokens)
    notes.append(_note("max_tokens", str(max_tokens), _code(sources.get("max_tokens", "")) if request.max_tokens else "default"))
    output_tokens = max_tokens * settings.output_fill
    notes.append(_note("output tokens per call", f"{output_tokens:g}", f"max_tokens x {settings.output_fill:g} fill (default)"))
    literal_tokens = request.prompt_chars / settings.chars_per_token
    dynamic = settings.dynamic_input_tokens if (request.dynamic or not request.prompt_chars) else 0.0
    fields = request.fields * settings.field_tokens
    input_tokens = literal_tokens + dynamic + fields
    notes.append(_note("input tokens per call", f"{input_tokens:.0f}",
                            f"{request.prompt_chars} literal chars / {settings.chars_per_token:g}"
                            + (f" + {request.fields} f-string fields x {settings.field_tokens:g}" if fields else "")
                            + (f" + {dynamic:g} for computed parts (default)" if dynamic else "")
                            + (f"; system prompt from {sources['system']}" if "system" in sources else "")
                            + (f"; prompt template from {sources['prompt template']}" if "prompt template" in sources else "")))

    per_call_now = _call_cost(price, input_tokens, output_tokens)
    monthly_now = calls * per_call_now
    monthly_batch = monthly_now * table.batch_discount

    cached = None
    prefix = request.system_chars / settings.chars_per_token
    if prefix >= settings.min_cacheable_tokens and not request.cache_control:
        reads = max(0.0, calls - runs) * prefix * price.cache_read
        writes = runs * prefix * price.cache_write_5m
        rest = calls * ((input_tokens - prefix) * price.input + output_tokens * price.output)
        cached = (reads + writes + rest) / 1e6 * table.batch_discount
        notes.append(_note("cacheable prefix tokens", f"{prefix:.0f}", "literal system prompt without cache_control"
                                + (f" ({sources['system']})" if "system" in sources else "")))

    cheaper = table.cheapest_same_generation(price)
    cheaper_cost = calls * _call_cost(cheaper, input_tokens, output_tokens) * table.batch_discount if cheaper else None
    return _one_of(Estimate(
        model=price.model,
        calls_per_month=calls,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        monthly_now=monthly_now,
        monthly_batch=monthly_batch,
        monthly_saving=monthly_now - monthly_batch,
        monthly_batch_cached=cached,
        cheaper_model=cheaper.model if cheaper else "",
        monthly_batch_cheaper=cheaper_cost,
        assumptions=tuple(notes),
    ))


_ESTIMATES: dict[tuple, Estimate] = {}


def _one_of(estimate: Estimate) -> Estimate:
    """One object for equal estimates, as _note does for assumptions: the
    findings of a large project keep theirs to the end of the run, and loops
    with the same model and defaults cost the same (0.26 KiB a finding).
    Equal means the same text once written: 3000 and 3000.0, 0.0 and -0.0
    are told apart (float.hex). Bounded: a long-lived process checks many projects."""
    key = as_written(estimate)
    kept = _ESTIMATES.get(key)
    if kept is None:
        if len(_ESTIMATES) >= 4096:
            _ESTIMATES.clear()
        kept = _ESTIMATES[key] = estimate
    return kept



def _code(where: str) -> str:
    return f"code: {where}" if where else "code"


def _price_for(model: str, table: PriceTable, where: str = "") -> tuple[Price, Assumption]:
    price = table.get(model) if model else None
    if price is not None:
        source = _code(where) + (", price unverified" if price.unverified else "") + (f", price from {price.source}" if price.source != "shipped table" else "")
        return price, _note("model", model, source)
    fallback = table.get(table.default_model) or next(iter(table.prices.values()))
    why = f"model {model!r} not in the price table" if model else "model not written as a literal"
    return fallback, _note("model", fallback.model, f"default ({why})")


def _call_cost(price: Price, input_tokens: float, output_tokens: float) -> float:
    if price.long_prompt_threshold and input_tokens > price.long_prompt_threshold:
        return (input_tokens * price.long_input + output_tokens * price.long_output) / 1e6
    return (input_tokens * price.input + output_tokens * price.output) / 1e6

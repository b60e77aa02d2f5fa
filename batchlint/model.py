"""Plain values passed between the stages: nothing here does any work."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ContextKind(str, Enum):
    """Why nobody waits on a call. Ordered from weakest to strongest evidence."""

    LOOP = "loop"
    FAN_OUT = "fan-out"
    OFFLINE = "offline"
    WORKER = "worker"
    SCHEDULED = "scheduled"

    @property
    def strength(self) -> int:
        return _STRENGTH[self]


_STRENGTH = {
    ContextKind.LOOP: 1,
    ContextKind.FAN_OUT: 2,
    ContextKind.OFFLINE: 3,
    ContextKind.WORKER: 4,
    ContextKind.SCHEDULED: 5,
}

# One rule code per context kind (BL101-BL105).
CONTEXT_CODES = {
    ContextKind.LOOP: "BL101",
    ContextKind.FAN_OUT: "BL102",
    ContextKind.SCHEDULED: "BL103",
    ContextKind.WORKER: "BL104",
    ContextKind.OFFLINE: "BL105",
}


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in a file. Lines are 1-based, columns are 1-based (as ruff prints them)."""

    path: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def short(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class FixStatus:
    """Whether `batchlint fix` can rewrite a finding's loop, and why not; the fix's tier."""

    fixable: bool
    reason: str  # why not; or, when fixable, what the rewrite does
    safety: str = ""  # when fixable: "safe", or "unsafe" (applied only with --unsafe-fixes)
    unsafe_because: str = ""  # what a caller could observe change, for an unsafe fix
    applied: bool = True  # whether this run of `fix` applies it (tier allowed, file selected)
    # When asked for (SARIF): this finding's rewrite alone as text edits of the
    # original file, (char offset, chars deleted, text inserted).
    edits: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True)
class Assumption:
    """One number an estimate used, and where it came from."""

    name: str
    value: str
    source: str  # "code" | "default" | "hint" | "config" | "table" | "measured", then details

    @property
    def basis(self) -> str:
        """What the figure rests on: "measured" (a trace or OTLP spans), "default"
        (batchlint's or the configured default, in whole or part), else "code"
        (the code, a volume hint, the price table)."""
        if self.source.startswith("measured"):
            return "measured"
        if self.source.startswith("default") or "(default" in self.source or "default)" in self.source:
            return "default"
        return "code"


@dataclass(frozen=True, slots=True)
class Estimate:
    """A finding's monthly cost now, in batch, and what stacks on top (savings.estimate)."""

    model: str
    calls_per_month: float
    input_tokens: float  # per call
    output_tokens: float  # per call
    monthly_now: float
    monthly_batch: float
    monthly_saving: float
    monthly_batch_cached: float | None  # batch plus prompt caching of the stable prefix
    cheaper_model: str
    monthly_batch_cheaper: float | None  # batch on the cheapest line of the generation (information)
    assumptions: tuple[Assumption, ...]

    @property
    def basis(self) -> str:
        """"default" when a figure the cost is made of (runs, calls, model,
        max_tokens, input tokens) rests on a default; else "measured" when
        any is measured; else "code". Output tokens follow max_tokens: the
        0.5 fill is part of the model, not a guess about this call."""
        notes = [a for a in self.assumptions if a.name in _COST_FIGURES]
        if any(a.name == "calls per month" and a.source.startswith("hint") for a in notes):
            notes = [a for a in notes if a.name not in ("runs per month", "items per run")]  # the hint states them
        bases = {a.basis for a in notes}
        return "default" if "default" in bases else "measured" if "measured" in bases else "code"


_COST_FIGURES = frozenset(("runs per month", "items per run", "calls per run", "calls per month", "model",
                           "max_tokens", "input tokens per call"))


@dataclass(frozen=True, slots=True)  # slots (as Location, Estimate): a large project's findings all stay to the end
class Finding:
    code: str
    message: str
    location: Location  # the outermost call site inside the batch context
    context: ContextKind | None  # None for findings about a pragma, not a call's context
    evidence: tuple[str, ...]  # innermost first: SDK call, then each step outward
    call: Location  # the SDK call expression this finding reaches
    sdk_call: str  # e.g. "messages.create"
    client: str  # e.g. "anthropic.Anthropic"
    scheduled_by: str = ""  # e.g. "Celery beat 'nightly' crontab(hour=4)"; empty if unknown
    extra: tuple[tuple[str, str], ...] = field(default=())
    estimate: Estimate | None = None  # filled by the estimate stage (savings.estimate)
    # The line ranges the finding rests on, (path, first, last): the report site,
    # the SDK call, and the header (decorators to def) of each function on the
    # chain. A change to any of them makes the finding new (--diff-base).
    anchors: tuple[tuple[str, int, int], ...] = ()
    fix: FixStatus | None = None  # filled for batch candidates when asked (JSON, SARIF, `fix`)
    summary: str = ""  # the message in a few words, for the one-line text output ("" : the message)
    # further SDK calls the same report site reaches (both branches of an `if system:`)
    other_calls: tuple[Location, ...] = ()

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def short_message(self) -> str:
        return self.summary or self.message

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.code, self.call)


@dataclass(frozen=True)
class FileError:
    """A file batchlint could not read or parse; reported and the run continues."""

    path: str
    message: str
    code: str = "BL001"
    line: int = 0  # where in the file (a syntax error's own place); 0: the file as a whole
    column: int = 0


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    errors: tuple[FileError, ...]
    files_checked: int
    files_parsed: int
    suppressed: int = 0
    # (finding, why): `# noqa`, or the reason of a `# batchlint: realtime -- <reason>` pragma
    suppressed_findings: tuple = ()
    notices: tuple[str, ...] = ()  # one-line notes for stderr (e.g. YAML files skipped)
    # the files read and the files parsed, as shown: a view of the project from
    # some of its paths counts its own (checker._view); empty in a view
    checked_paths: tuple[str, ...] = ()
    parsed_paths: tuple[str, ...] = ()

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


@dataclass(frozen=True, order=True)
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
    source: str  # "code" | "default" | "hint" | "config" | "table"


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
    # further SDK calls the same report site reaches (both branches of an `if system:`)
    other_calls: tuple[Location, ...] = ()

    @property
    def path(self) -> str:
        return self.location.path

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

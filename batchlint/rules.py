"""Every code batchlint emits: one place for names, summaries and doc links."""

from __future__ import annotations

from dataclasses import dataclass

DOCS_BASE = "https://github.com/batchlint/batchlint/blob/main/docs/rules"


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str

    @property
    def doc_url(self) -> str:
        return f"{DOCS_BASE}/{self.code}.md"


RULES: tuple[RuleInfo, ...] = (
    RuleInfo("BL001", "unreadable-file", "A file could not be read, decoded or parsed; it was skipped."),
    RuleInfo("BL002", "bad-path", "A path given on the command line does not exist or cannot be listed."),
    RuleInfo("BL003", "file-over-limit", "A file is too large or too deeply nested to analyze; it was skipped."),
    RuleInfo("BL010", "realtime-without-reason", "A `# batchlint: realtime` pragma must say who waits: `# batchlint: realtime -- <reason>`."),
    RuleInfo("BL011", "unused-noqa", "A `# noqa: BL...` comment suppresses nothing on its line (as ruff's RUF100): remove it."),
    RuleInfo("BL101", "claude-call-in-loop", "Synchronous Claude call in a loop over items: nobody waits on each response."),
    RuleInfo("BL102", "claude-call-fan-out", "Synchronous Claude calls fanned out (gather, thread/process pools): batch them instead."),
    RuleInfo("BL103", "claude-call-in-scheduled-job", "Synchronous Claude call in a scheduled job (cron, beat, Airflow, ...)."),
    RuleInfo("BL104", "claude-call-in-worker", "Synchronous Claude call in a background worker (task queue task, thread)."),
    RuleInfo("BL105", "claude-call-in-offline-script", "Synchronous Claude calls in an offline entry point processing a dataset."),
    RuleInfo("BL106", "no-batch-client", "Batchable Claude call on a client without Message Batches support (Bedrock, Vertex, Foundry)."),
    RuleInfo("BL107", "legacy-completions", "Legacy Text Completions call in a batch context: migrate to Messages, then batch."),
    RuleInfo("BL110", "unclassified-claude-call", "--strict: a Claude call in no known context; declare it realtime or move it to a batch."),
    RuleInfo("BL201", "cacheable-prefix", "Batch candidate sends a large unchanging system prompt without cache_control."),
)

BY_CODE = {rule.code: rule for rule in RULES}

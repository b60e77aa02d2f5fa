"""The bundled sample project: its expected findings are pinned here.

fixtures/EXPECTED.md explains each line; this list must match it."""

from __future__ import annotations

import os
from pathlib import Path

from batchlint import check_paths
from batchlint.config import Config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

EXPECTED = [
    ("acme_support/async_pipeline.py", 44, "BL105"),
    ("acme_support/feedback.py", 33, "BL101"),
    ("acme_support/jobs/compliance.py", 32, "BL106"),
    ("acme_support/jobs/scheduler.py", 33, "BL103"),
    ("acme_support/jobs/scheduler.py", 42, "BL103"),
    ("acme_support/kb.py", 35, "BL102"),
    ("acme_support/kb.py", 49, "BL104"),
    ("acme_support/management/commands/backfill_summaries.py", 25, "BL105"),
    ("acme_support/tasks.py", 41, "BL104"),
    ("acme_support/tasks.py", 42, "BL104"),
    ("acme_support/tasks.py", 52, "BL103"),
    ("acme_support/tasks.py", 65, "BL103"),
    ("acme_support/tasks.py", 94, "BL104"),
    ("dags/legacy_export.py", 31, "BL107"),
    ("dags/ticket_enrichment.py", 37, "BL103"),
    ("dags/ticket_enrichment.py", 48, "BL103"),
    ("scripts/compare_vendors.py", 27, "BL105"),
    ("scripts/run_eval.py", 45, "BL105"),
    ("scripts/run_eval.py", 50, "BL105"),
]


def _run():
    old = os.getcwd()
    os.chdir(FIXTURES)
    try:
        return check_paths(["."], Config(root=str(FIXTURES)))
    finally:
        os.chdir(old)


def test_fixture_findings_are_pinned():
    result = _run()
    assert sorted((f.path, f.line, f.code) for f in result.findings) == EXPECTED
    assert result.errors == ()


def test_fixture_findings_are_priced_on_the_models_their_code_names():
    by_site = {(f.path, f.line): f.estimate for f in _run().findings}
    triage = by_site[("acme_support/jobs/scheduler.py", 42)]  # model=FAST_MODEL, imported from acme_support.llm
    feedback = by_site[("acme_support/feedback.py", 33)]  # ClaudeProvider(model="claude-haiku-4-5", max_tokens=8)
    assert (triage.model, feedback.model) == ("claude-haiku-5-5", "claude-haiku-4-5")
    notes = {a.name: a for a in feedback.assumptions}
    assert notes["max_tokens"].value == "8" and notes["max_tokens"].source.startswith("code: acme_support/feedback.py:21")
    # the headline EXPECTED.md and the README state
    assert round(sum(e.monthly_saving for e in by_site.values() if e is not None)) == 65


def test_expected_md_lists_every_reported_line():
    table = (FIXTURES / "EXPECTED.md").read_text()
    for path, line, code in EXPECTED:
        assert f"`{path}:{line}`" in table, (path, line)


def test_findings_carry_evidence_and_the_sdk_call():
    result = _run()
    by_line = {(f.path, f.line): f for f in result.findings}
    grade = by_line[("scripts/run_eval.py", 45)]
    assert grade.call.path == "acme_support/llm.py"  # the SDK call sits in the helper
    assert any("pool.map" in step for step in grade.evidence)
    assert any("__main__" in step for step in grade.evidence)
    digest = by_line[("acme_support/tasks.py", 52)]
    assert "crontab(hour=4, minute=0)" in digest.scheduled_by
    assert any("Celery beat" in step for step in digest.evidence)
    bedrock = by_line[("acme_support/jobs/compliance.py", 32)]
    assert "cannot use the Message Batches API" in bedrock.message


def test_interactive_code_in_fixtures_is_quiet():
    result = _run()
    quiet_files = {"acme_support/web/api.py", "acme_support/web/routes.py", "acme_support/chat_cli.py",
                   "acme_support/ui/streamlit_app.py", "acme_support/agent.py", "acme_support/batch_report.py",
                   "scripts/one_off.py", "acme_support/notify.py"}
    assert not {f.path for f in result.findings} & quiet_files

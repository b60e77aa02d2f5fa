"""The savings arithmetic, pinned: schedules, defaults, hints, prices, stacking."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from batchlint.analysis.facts import RequestFacts
from batchlint.cli import main
from batchlint.model import ContextKind
from batchlint.savings import load_prices, settings_from
from batchlint.savings.estimate import Usage, estimate, parse_volume_hint, runs_per_month

from helpers import check

TABLE = load_prices()


@pytest.mark.parametrize(
    "schedule, runs",
    [
        ("crontab(hour=4, minute=0)", 30),  # Celery crontab
        ("crontab(minute=0, hour='*/3')", 240),
        ("crontab()", 43200),  # every minute
        ('"0 4 * * *"', 30),  # cron string (Airflow, Modal, Dagster, Prefect)
        ('"*/15 * * * *"', 2880),
        ('"0 9 * * MON-FRI"', 30 * 5 / 7),
        ('"0 0 1 * *"', 30 / 30.5),
        ("@daily", 30),
        ("@hourly", 720),
        ("@weekly", 30 / 7),
        ('"cron", hour=6, id="x"', 30),  # APScheduler: minute defaults to 0
        ('"cron", hour=1, minute=30', 30),
        ('"interval", minutes=30', 1440),  # APScheduler interval
        ("3600.0, refresh.s()", 720),  # Celery beat seconds / add_periodic_task
        ("timedelta(hours=1)", 720),
        ("schedule.every(10).minutes.do(job)", 4320),  # `schedule`
        ('schedule.every().day.at("07:00").do(job)', 30),
        ("schedule.every().monday.do(job)", 30 / 7),
        ('modal.Cron("0 9 * * *")', 30),
        ("modal.Period(days=1)", 30),
        ("rate(5 minutes)", 8640),  # AWS
        ("cron(0 3 * * ? *)", 30),
        ("cron(0/15 * * * ? *)", 2880),
        ("interval=60", 43200),  # Prefect serve(interval=60)
    ],
)
def test_runs_per_month_from_schedules(schedule, runs):
    assert runs_per_month(schedule) == pytest.approx(runs)


def test_unreadable_schedule_is_none():
    assert runs_per_month("get_schedule()") is None


@pytest.mark.parametrize("text, parsed", [("5000/day", (5000, "day")), ("200", (200, "run")), ("1_000/month", (1000, "month")), ("lots", None)])
def test_volume_hints(text, parsed):
    assert parse_volume_hint(text) == parsed


def test_every_number_of_a_plain_estimate():
    request = RequestFacts(model="claude-sonnet-5", max_tokens=400, prompt_chars=350, dynamic=False)
    est = estimate(Usage(ContextKind.SCHEDULED, schedule="@daily", loop_counts=(("for loop", 50),), request=request), TABLE)
    assert est.calls_per_month == 30 * 50
    assert est.input_tokens == pytest.approx(100)  # 350 chars / 3.5
    assert est.output_tokens == 200  # 400 x 0.5
    per_call = (100 * 2.0 + 200 * 10.0) / 1e6  # sonnet-5: $2 / $10 per MTok
    assert est.monthly_now == pytest.approx(1500 * per_call)
    assert est.monthly_batch == pytest.approx(est.monthly_now / 2)
    assert est.monthly_saving == pytest.approx(est.monthly_now / 2)
    assert est.cheaper_model == "claude-haiku-5-5"
    assert est.monthly_batch_cheaper == pytest.approx(1500 * (100 * 0.1 + 200 * 0.5) / 1e6 / 2)
    sources = {a.name: a.source for a in est.assumptions}
    assert sources["runs per month"] == "code: @daily"
    assert sources["items per run"] == "code: for loop"
    assert sources["model"] == "code"


@pytest.mark.parametrize("kind, runs", [(ContextKind.SCHEDULED, 30), (ContextKind.WORKER, 3000), (ContextKind.OFFLINE, 4), (ContextKind.LOOP, 30), (ContextKind.FAN_OUT, 30)])
def test_defaults_per_context_kind(kind, runs):
    est = estimate(Usage(kind), TABLE)
    assert est.calls_per_month == runs
    assert est.model == "claude-sonnet-5"  # default model
    assert est.output_tokens == 512  # default max_tokens 1024 x 0.5
    assert est.input_tokens == 500  # nothing literal: the default for computed parts
    notes = {a.name: a.source for a in est.assumptions}
    assert notes["runs per month"].startswith("default")
    assert notes["model"].startswith("default")


def test_unknown_loop_length_uses_the_default_once():
    usage = Usage(ContextKind.LOOP, loop_counts=(("outer", 0), ("inner", 0), ("sample", 5)))
    assert estimate(usage, TABLE).calls_per_month == 30 * 5 * 100


def test_volume_hint_beats_the_guesses():
    usage = Usage(ContextKind.LOOP, loop_counts=(("rows", 0),), volume_hint="5000/day")
    est = estimate(usage, TABLE)
    assert est.calls_per_month == 150000
    assert any(a.source == "hint: volume=5000/day" for a in est.assumptions)
    per_run = estimate(Usage(ContextKind.SCHEDULED, schedule="@hourly", volume_hint="20/run"), TABLE)
    assert per_run.calls_per_month == 720 * 20


def test_prompt_caching_stacks_on_batch_for_a_large_literal_system_prompt():
    system = 3.5 * 4000  # 4,000 tokens of system prompt
    request = RequestFacts(model="claude-opus-5", max_tokens=100, prompt_chars=int(system) + 350, system_chars=int(system))
    est = estimate(Usage(ContextKind.SCHEDULED, schedule="@daily", loop_counts=(("docs", 100),), request=request), TABLE)
    assert est.monthly_batch_cached is not None and est.monthly_batch_cached < est.monthly_batch
    calls, runs, prefix = 3000, 30, 4000
    expected = ((calls - runs) * prefix * 0.50 + runs * prefix * 6.25 + calls * (100 * 5.0 + 50 * 25.0)) / 1e6 / 2
    assert est.monthly_batch_cached == pytest.approx(expected)
    already = estimate(Usage(ContextKind.SCHEDULED, request=RequestFacts(system_chars=int(system), cache_control=True)), TABLE)
    assert already.monthly_batch_cached is None


def test_haiku_5_5_long_prompt_tier():
    short = estimate(Usage(ContextKind.LOOP, request=RequestFacts(model="claude-haiku-5-5", max_tokens=100, prompt_chars=3500)), TABLE)
    long = estimate(Usage(ContextKind.LOOP, request=RequestFacts(model="claude-haiku-5-5", max_tokens=100, prompt_chars=3500 * 110)), TABLE)
    assert short.monthly_now == pytest.approx(30 * (1000 * 0.10 + 50 * 0.50) / 1e6)
    assert long.monthly_now == pytest.approx(30 * (110000 * 0.50 + 50 * 2.50) / 1e6)


def test_dated_ids_and_unknown_models():
    dated = estimate(Usage(ContextKind.LOOP, request=RequestFacts(model="claude-haiku-4-5-20251001")), TABLE)
    assert dated.model == "claude-haiku-4-5-20251001"
    unknown = estimate(Usage(ContextKind.LOOP, request=RequestFacts(model="claude-next-9")), TABLE)
    assert unknown.model == "claude-sonnet-5"
    assert "not in the price table" in {a.name: a.source for a in unknown.assumptions}["model"]


def test_config_overrides_prices_and_defaults():
    table = load_prices({"default-model": "claude-haiku-4-5", "models": {"claude-sonnet-5": {"input": 1.0, "output": 5.0}}})
    negotiated = estimate(Usage(ContextKind.LOOP, request=RequestFacts(model="claude-sonnet-5", max_tokens=200, prompt_chars=350)), table)
    assert negotiated.monthly_now == pytest.approx(30 * (100 * 1.0 + 100 * 5.0) / 1e6)
    assert estimate(Usage(ContextKind.LOOP), table).model == "claude-haiku-4-5"
    settings = settings_from((("output-fill", 1.0), ("runs-per-month", (("loop", 10.0),))))
    assert estimate(Usage(ContextKind.LOOP), TABLE, settings).calls_per_month == 10
    assert estimate(Usage(ContextKind.LOOP, request=RequestFacts(max_tokens=300)), TABLE, settings).output_tokens == 300


def test_findings_carry_estimates_from_the_code(tmp_path):
    files = {
        "jobs.py": """
            import anthropic
            from celery import Celery

            app = Celery("x")
            client = anthropic.Anthropic()
            MODEL = "claude-haiku-4-5"
            app.conf.beat_schedule = {"label": {"task": "jobs.label_all", "schedule": 3600.0}}

            @app.task
            def label_all():
                for ticket in range(250):  # batchlint: volume=300/run
                    client.messages.create(model=MODEL, max_tokens=20, messages=[{"role": "user", "content": "Label this ticket."}])
        """,
    }
    result = check(tmp_path, files)
    (finding,) = result.findings
    est = finding.estimate
    assert est.model == "claude-haiku-4-5"
    assert est.calls_per_month == 720 * 300  # hourly beat x the hint's 300 per run
    assert est.output_tokens == 10


def test_models_command_lists_the_table():
    out = CliRunner().invoke(main, ["models", "--isolated"]).output
    assert "claude-haiku-5-5" in out and "claude-opus-4-5-20251101" in out
    assert "default model" in out


BIG_SYSTEM = "You are a meticulous support analyst. " * 120  # ~1,300 tokens


def test_bl201_reports_a_cacheable_prefix_at_the_sdk_call(tmp_path):
    files = {
        "jobs.py": f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = "{BIG_SYSTEM}"

            def label_all(rows):
                for row in rows:  # expect: BL101
                    client.messages.create(model="claude-sonnet-5", max_tokens=50, system=SYSTEM, messages=[{{"role": "user", "content": row}}])  # expect: BL201
        """,
    }
    result = check(tmp_path, files)
    codes = sorted((f.line, f.code) for f in result.findings)
    assert codes == [(7, "BL101"), (7, "BL201")] or codes == [(6, "BL101"), (7, "BL201")]
    bl201 = next(f for f in result.findings if f.code == "BL201")
    assert "cache_control" in bl201.message and bl201.location == bl201.call


def test_bl201_is_quiet_when_cache_control_is_already_set(tmp_path):
    files = {
        "jobs.py": f"""
            import anthropic
            client = anthropic.Anthropic()
            SYSTEM = [{{"type": "text", "text": "{BIG_SYSTEM}", "cache_control": {{"type": "ephemeral"}}}}]

            def label_all(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-5", max_tokens=50, system=SYSTEM, messages=[{{"role": "user", "content": row}}])
        """,
    }
    assert sorted(f.code for f in check(tmp_path, files).findings) == ["BL101"]


def test_a_worker_draining_a_queue_is_not_counted_twice():
    usage = Usage(ContextKind.WORKER, loop_counts=(("while loop `while True`", 0),))
    assert estimate(usage, TABLE).calls_per_month == 3000


def test_prefect_serve_gives_the_flow_its_schedule(tmp_path):
    files = {
        "flows.py": """
            import anthropic
            from prefect import flow

            client = anthropic.Anthropic()

            @flow
            def refresh():
                client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])  # expect: BL103

            if __name__ == "__main__":
                refresh.serve(name="refresh", cron="*/30 * * * *")
        """,
    }
    (finding,) = check(tmp_path, files).findings
    assert finding.code == "BL103" and finding.estimate.calls_per_month == 1440


def test_a_tiny_figure_prints_as_under_a_cent_never_as_zero(tmp_path, monkeypatch):
    from batchlint.money import usd, usd_whole

    assert [usd(v) for v in (0, 0.004, 0.005, 0.41, 1234.5)] == ["$0.00", "<$0.01", "$0.01", "$0.41", "$1,234.50"]
    assert [usd_whole(v) for v in (0.004, 0.41, 216.4)] == ["<$0.01", "$0.41", "$216"]
    # a loop of two tiny requests a month: the finding and the summary say so
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.py").write_text(
        "import anthropic\nclient = anthropic.Anthropic()\nfor d in range(2):\n"
        "    client.messages.create(model='claude-haiku-4-5', max_tokens=1, messages=[{'role': 'user', 'content': 'x'}])\n")
    from click.testing import CliRunner
    from batchlint.cli import main
    out = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", "."]).stdout
    assert "$0.00" not in out and "<$0.01" in out, out

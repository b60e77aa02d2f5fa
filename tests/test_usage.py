"""--usage: measured requests (a `batchlint trace` file, OTLP GenAI spans) in
place of the estimate's defaults, matched to findings by call site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchlint.cli import main
from batchlint.savings import load_prices
from batchlint.usage.apply import apply_usage, same_file
from batchlint.usage.files import load_usage

from helpers import check

DATA = Path(__file__).resolve().parent / "data" / "usage"
PRICES = load_prices()

NIGHTLY = '''"""Nightly labels."""
import anthropic

CRONJOBS = [("0 3 * * *", "jobs.nightly.run")]

client = anthropic.Anthropic()


def run(rows):
    for row in rows:
        client.messages.create(model="claude-sonnet-5", max_tokens=500, messages=[{"role": "user", "content": row}])
'''


def _project(tmp_path):
    return check(tmp_path, {"jobs/__init__.py": "", "jobs/nightly.py": NIGHTLY})


def _hand_priced() -> float:
    """The three sample requests on claude-haiku-4-5, priced by hand: 30 runs a month."""
    p = PRICES.get("claude-haiku-4-5")
    requests = [(1200, 300, 0, 2000), (1100, 280, 2000, 0), (1000, 320, 2000, 0)]
    per_run = sum(i * p.input + o * p.output + r * p.cache_read + w * p.cache_write_5m for i, o, r, w in requests) / 1e6
    return 30 * per_run


@pytest.mark.parametrize("sample", ["trace_sample.jsonl", "otlp_genai.json"])
def test_trace_and_otlp_samples_give_the_same_figures(tmp_path, sample):
    calls = load_usage([str(DATA / sample)])
    assert [(c.model, c.input_tokens, c.output_tokens, c.cache_read, c.cache_write) for c in calls] == [
        ("claude-haiku-4-5", 1200, 300, 0, 2000), ("claude-haiku-4-5", 1100, 280, 2000, 0),
        ("claude-haiku-4-5", 1000, 320, 2000, 0)]  # OTLP: the openai span and the job span are not Claude requests
    assert {(c.path, c.line) for c in calls} == {("/srv/app/jobs/nightly.py", 11)}
    (finding,) = apply_usage(_project(tmp_path), calls, PRICES).findings
    est = finding.estimate
    assert (est.model, est.calls_per_month, round(est.input_tokens), round(est.output_tokens)) == ("claude-haiku-4-5", 90, 3100, 300)
    assert est.monthly_now == pytest.approx(_hand_priced())
    assert est.monthly_batch == pytest.approx(_hand_priced() / 2)
    notes = {a.name: (a.value, a.basis) for a in est.assumptions}
    assert notes["calls per run"] == ("3", "measured") and notes["model"] == ("claude-haiku-4-5", "measured")
    assert notes["runs per month"] == ("30", "code")
    assert est.basis == "measured"


def test_without_usage_the_same_finding_is_priced_from_the_code(tmp_path):
    (finding,) = _project(tmp_path).findings
    assert finding.estimate.model == "claude-sonnet-5"
    assert finding.estimate.basis == "default"  # a loop of unknown length: 100 items per run


def test_requests_made_elsewhere_leave_the_estimate_alone(tmp_path):
    result = _project(tmp_path)
    calls = [c for c in load_usage([str(DATA / "trace_sample.jsonl")])]
    moved = [c.__class__(**{**c.__dict__, "line": 30}) for c in calls]  # another line of the file
    applied = apply_usage(result, moved, PRICES)
    assert applied.findings == result.findings
    assert applied.notices[-1].startswith("batchlint: 3 of 3 measured requests match no reported call")


HELPER = {
    "app/__init__.py": "",
    "app/llm.py": "import anthropic\nclient = anthropic.Anthropic()\n\n\ndef ask(text):\n"
                  "    return client.messages.create(model='claude-sonnet-5', max_tokens=100, messages=[{'role': 'user', 'content': text}])\n",
    "app/a.py": "from app.llm import ask\n\n\ndef job_a(rows):\n    for row in rows:\n        ask(row)\n",
    "app/b.py": "from app.llm import ask\n\n\ndef job_b(rows):\n    for row in rows:\n        ask(row)\n",
}


def _helper_call(path_line: str, stack: list[str], tokens: int) -> str:
    return json.dumps({"v": 1, "run": "r", "site": path_line, "stack": [path_line, *stack], "model": "claude-haiku-4-5",
                       "input_tokens": tokens, "output_tokens": 10})


def test_a_helper_serving_two_loops_is_measured_per_loop_by_the_recorded_frames(tmp_path):
    result = check(tmp_path, HELPER)
    trace = tmp_path / "t.jsonl"
    site = str(tmp_path / "app" / "llm.py") + ":6"
    lines = [_helper_call(site, [str(tmp_path / "app" / "a.py") + ":6"], 100) for _ in range(4)]
    lines += [_helper_call(site, [str(tmp_path / "app" / "b.py") + ":6"], 900)]
    trace.write_text("\n".join(lines) + "\n")
    findings = {f.path: f.estimate for f in apply_usage(result, load_usage([str(trace)]), PRICES).findings}
    assert findings["app/a.py"].input_tokens == 100 and findings["app/a.py"].calls_per_month == 30 * 4
    assert findings["app/b.py"].input_tokens == 900 and findings["app/b.py"].calls_per_month == 30 * 1


def test_a_helper_serving_two_loops_is_not_measured_from_frameless_spans(tmp_path):
    result = check(tmp_path, HELPER)
    spans = json.loads((DATA / "otlp_genai.json").read_text())
    for span in spans["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        for attr in span["attributes"]:
            if attr["key"] == "code.file.path":
                attr["value"]["stringValue"] = "app/llm.py"
            if attr["key"] == "code.line.number":
                attr["value"]["intValue"] = "6"
    otlp = tmp_path / "spans.json"
    otlp.write_text(json.dumps(spans))
    applied = apply_usage(result, load_usage([str(otlp)]), PRICES)
    assert applied.findings == result.findings  # which loop made them is not known


@pytest.mark.parametrize("measured, reported, same", [
    ("/srv/app/jobs/nightly.py", "jobs/nightly.py", True),
    ("jobs/nightly.py", "src/jobs/nightly.py", True),
    ("/srv/app/jobs/nightly.py", "jobs/daily.py", False),
    ("/srv/app/other/nightly.py", "jobs/nightly.py", False),
    ("", "jobs/nightly.py", False),
    ("/srv/app/jobs/nightly.py", "/home/ci/checkout/jobs/nightly.py", True),
    ("/srv/app/jobs/nightly.py", "/home/ci/checkout/tasks/nightly.py", False),
])
def test_measured_paths_match_by_their_tail(measured, reported, same):
    assert same_file(measured, reported) is same


# ---------------------------------------------------------------- bad files
@pytest.mark.parametrize("content, says", [
    ("not json at all\n", "t.jsonl:1: not a JSON line"),
    ('{"v": 1, "model": "claude-haiku-4-5", "input_tokens": -5}\n', "t.jsonl:1: `input_tokens` is not a token count"),
    ('{"hello": "world"}\n', "t.jsonl:1: not a `batchlint trace` record"),
    ("", "t.jsonl: empty usage file"),
    ('{"resourceSpans": {"spans": []}}', "t.jsonl: `resourceSpans` is not a list"),
])
def test_a_bad_usage_file_is_one_line_and_exit_2(tmp_path, content, says):
    (tmp_path / "job.py").write_text(NIGHTLY)
    (tmp_path / "t.jsonl").write_text(content)
    for command in ("check", "report"):
        result = CliRunner().invoke(main, [command, "--no-cache", "--usage", str(tmp_path / "t.jsonl"), str(tmp_path / "job.py")])
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and says in result.stderr and result.stderr.startswith("batchlint: error: ")


def test_a_missing_usage_file_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["report", "--usage", str(tmp_path / "nope.jsonl"), str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "nope.jsonl: cannot read usage file" in result.stderr


def test_report_says_how_much_rests_on_defaults(tmp_path):
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "nightly.py").write_text(NIGHTLY)
    (tmp_path / "jobs" / "__init__.py").write_text("")
    runner = CliRunner()
    static = runner.invoke(main, ["report", "--no-cache", str(tmp_path)])
    assert "(100%) rests on defaults; none on measured usage" in static.output
    measured = runner.invoke(main, ["report", "--no-cache", "--format", "json", "--usage", str(DATA / "trace_sample.jsonl"), str(tmp_path)])
    totals = json.loads(measured.stdout)["totals"]
    assert totals["saving_on_defaults"] == 0 and totals["saving_measured"] == totals["monthly_usd"]["saving"] > 0


def test_show_context_tags_each_estimate_by_what_it_rests_on(tmp_path):
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "nightly.py").write_text(NIGHTLY)
    (tmp_path / "jobs" / "__init__.py").write_text("")
    runner = CliRunner()
    static = runner.invoke(main, ["check", "--no-cache", "--show-context", str(tmp_path)]).stdout
    measured = runner.invoke(main, ["check", "--no-cache", "--show-context", "--usage", str(DATA / "otlp_genai.json"), str(tmp_path)]).stdout
    assert "; rests on defaults)" in static and "; measured)" not in static
    assert "; measured)" in measured and "calls per run = 3 (measured: 3 requests in 1 run (OTLP spans))" in measured

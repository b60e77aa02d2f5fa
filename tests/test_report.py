"""`batchlint report`: ranked, grouped, totalled; every format renders it."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from batchlint.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def report(*args: str) -> str:
    old = os.getcwd()
    os.chdir(FIXTURES)
    try:
        result = CliRunner().invoke(main, ["report", "--no-cache", "-j", "1", *args, "."], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0
    return result.output


def test_json_report_is_ranked_and_totals_add_up():
    data = json.loads(report("--format", "json"))
    savings = [c["estimate"]["monthly_usd"]["saving"] for c in data["candidates"]]
    assert len(savings) == 19 and savings == sorted(savings, reverse=True)
    totals = data["totals"]["monthly_usd"]
    assert abs(totals["saving"] - sum(savings)) < 0.05
    assert abs(totals["now"] - 2 * totals["batch"]) < 0.05  # batch is half price
    assert abs(sum(g["monthly_usd"]["saving"] for g in data["by_job"]) - totals["saving"]) < 0.05
    assert abs(sum(g["monthly_usd"]["saving"] for g in data["by_file"]) - totals["saving"]) < 0.05
    assert {c["job"] for c in data["candidates"]} >= {"Celery beat entry 'nightly-digest'"}


def test_text_and_markdown_reports():
    text = report()
    assert text.startswith("Synchronous Claude calls nobody waits on: 19 candidates")
    assert "By job:" in text and "By file:" in text
    markdown = report("--format", "markdown", "--top", "5")
    assert markdown.startswith("## batchlint")
    assert markdown.count("\n| ") >= 5 and "… 14 more" in markdown


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.external = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and "://" in value:
                self.external.append(value)


def test_html_report_is_self_contained_with_a_chart():
    page = report("--format", "html")
    checker = _Checker()
    checker.feed(page)
    assert "svg" in checker.tags and "rect" in checker.tags and "table" in checker.tags
    assert checker.external == []  # no network assets
    assert "<script" not in page


def test_report_escapes_hostile_names(tmp_path):
    (tmp_path / "evil<b>.py").write_text(
        "import anthropic\nc = anthropic.Anthropic()\nfor x in range(3):\n    c.messages.create(model='m', max_tokens=1, messages=[])\n"
    )
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        page = CliRunner().invoke(main, ["report", "--no-cache", "--format", "html", "."]).output
    finally:
        os.chdir(old)
    assert "evil<b>" not in page and "evil&lt;b&gt;" in page


def test_progress_is_reported_while_files_are_analyzed():
    from batchlint import check_paths
    from batchlint.config import Config

    seen = []
    old = os.getcwd()
    os.chdir(FIXTURES)
    try:
        result = check_paths(["."], Config(root=str(FIXTURES)), progress=lambda done, total: seen.append((done, total)))
    finally:
        os.chdir(old)
    assert result.files_parsed > 10
    assert seen and seen[-1][0] == seen[-1][1] == result.files_parsed  # every parsed file counted
    assert all(done <= total for done, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

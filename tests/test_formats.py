"""SARIF (valid against the official 2.1.0 schema), GitHub annotations, Markdown."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from batchlint.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMA = json.loads((Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json").read_text())


def run(root: Path, *args: str) -> str:
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, ["check", "--no-cache", "-j", "1", *args], catch_exceptions=False).output
    finally:
        os.chdir(old)


def test_sarif_is_valid_and_carries_rules_findings_and_savings():
    sarif = json.loads(run(FIXTURES, "--format", "sarif", ".", "data/missing.jsonl"))
    jsonschema.validate(sarif, SCHEMA)
    run_ = sarif["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert {"BL101", "BL103", "BL201"} <= set(rules)
    assert rules["BL103"]["helpUri"].endswith("/docs/rules/BL103.md") and rules["BL103"]["help"]["markdown"]
    results = run_["results"]
    assert len(results) == 19
    helper = next(r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "scripts/run_eval.py"
                  and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 45)
    assert helper["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "acme_support/llm.py"
    assert helper["properties"]["monthlySavingUsd"] > 0
    assert len({r["partialFingerprints"]["batchlint/v1"] for r in results}) == 19
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["descriptor"]["id"] == "BL002"


def test_sarif_with_no_findings_is_valid(tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    jsonschema.validate(json.loads(run(tmp_path, "--format", "sarif", ".")), SCHEMA)


def test_github_annotations_escape_what_they_print(tmp_path):
    (tmp_path / "a,b:c.py").write_text(
        "import anthropic\nc = anthropic.Anthropic()\ndef f(rows):\n    for r in rows:\n        c.messages.create(model='m', max_tokens=1, messages=[r])\n"
    )
    out = run(tmp_path, "--format", "github", ".")
    (line,) = out.splitlines()
    assert line.startswith("::warning file=a%2Cb%3Ac.py,line=5,col=9,")
    assert "title=BL101::" in line and "\n" not in line


def test_markdown_summary_for_a_pull_request():
    out = run(FIXTURES, "--format", "markdown", ".")
    assert out.startswith("### batchlint\n\nThis code has **19 synchronous Claude calls nobody waits on**, about **$")
    assert out.count("\n| BL") == 19

"""Cron jobs of hosting platforms declared beside the code: Render's
render.yaml (`type: cron`) and Railway's railway.json / railway.toml
(`deploy.cronSchedule`). The script they start is a scheduled job, so a
single call in it is reported (BL103); the same script with no such
declaration is a one-off run, not reported."""

from __future__ import annotations

import pytest
from helpers import ONE_CALL_MAIN, ONE_CALL_MAIN_LINE, check, triples

RENDER = """services:
  - type: web
    name: api
    startCommand: gunicorn app:app
  - type: cron
    name: daily-digest
    runtime: python
    schedule: "0 8 * * *"
    rootDir: jobs
    buildCommand: pip install -r requirements.txt
    startCommand: python digest.py
"""

RAILWAY_JSON = '{"deploy": {"startCommand": "python jobs/digest.py", "cronSchedule": "0 8 * * *"}}'
RAILWAY_TOML = '[deploy]\nstartCommand = "cd jobs && python digest.py"\ncronSchedule = "0 8 * * *"\n'


@pytest.mark.parametrize("name, text, kind", [
    pytest.param("render.yaml", RENDER, "Render cron job", id="render-cron-service"),
    pytest.param("railway.json", RAILWAY_JSON, "Railway cron job", id="railway-json"),
    pytest.param("railway.toml", RAILWAY_TOML, "Railway cron job", id="railway-toml"),
])
def test_a_platform_cron_job_makes_its_script_scheduled(tmp_path, name, text, kind):
    result = check(tmp_path, {"jobs/digest.py": ONE_CALL_MAIN, name: text})
    assert triples(result) == [("jobs/digest.py", ONE_CALL_MAIN_LINE, "BL103")]
    assert f"cron `0 8 * * *` by {kind} {name}:" in result.findings[0].message


@pytest.mark.parametrize("name, text", [
    pytest.param("render.yaml", RENDER.replace("type: cron", "type: worker"), id="neg-a-render-worker-not-a-cron"),
    pytest.param("railway.json", '{"deploy": {"startCommand": "python jobs/digest.py"}}', id="neg-railway-without-a-schedule"),
    pytest.param("railway.toml", "[deploy\nstartCommand = 'python jobs/digest.py'", id="neg-railway-toml-that-does-not-parse"),
    pytest.param("render.yaml", RENDER.replace("python digest.py", "python report.py"), id="neg-the-cron-runs-another-script"),
    pytest.param(None, None, id="neg-no-declaration"),
])
def test_without_a_platform_cron_the_script_is_a_one_off(tmp_path, name, text):
    files = {"jobs/digest.py": ONE_CALL_MAIN}
    if name:
        files[name] = text
    result = check(tmp_path, files)
    assert not result.findings, [f.message for f in result.findings]

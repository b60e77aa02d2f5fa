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


RENDER_DOCKER = """services:
  - type: cron
    name: weekly-digest
    runtime: docker
    schedule: "0 8 * * *"
    dockerfilePath: ./docker/Dockerfile
"""

DOCKERFILE = """FROM python:3.11 AS build
CMD ["python", "jobs/report.py"]

FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install \\
    anthropic
# the image's command
{command}
"""


@pytest.mark.parametrize("command", [
    pytest.param('CMD ["python", "jobs/digest.py"]', id="exec-form-cmd"),
    pytest.param("CMD python jobs/digest.py", id="shell-form-cmd"),
    pytest.param('ENTRYPOINT ["python"]\nCMD ["jobs/digest.py"]', id="entrypoint-then-cmd"),
    pytest.param('ENTRYPOINT ["python", "jobs/digest.py"]', id="entrypoint-alone"),
])
def test_a_render_docker_cron_runs_its_dockerfile_s_command(tmp_path, command):
    files = {"jobs/digest.py": ONE_CALL_MAIN, "render.yaml": RENDER_DOCKER,
             "docker/Dockerfile": DOCKERFILE.format(command=command)}
    result = check(tmp_path, files)
    assert triples(result) == [("jobs/digest.py", ONE_CALL_MAIN_LINE, "BL103")]
    assert "cron `0 8 * * *` by Render cron job render.yaml:" in result.findings[0].message


@pytest.mark.parametrize("files", [
    pytest.param({"docker/Dockerfile": DOCKERFILE.format(command='CMD ["python", "jobs/report.py"]')},
                 id="neg-the-image-runs-another-script"),
    pytest.param({"docker/Dockerfile": DOCKERFILE.format(command="")}, id="neg-the-final-stage-names-no-command"),
    pytest.param({"docker/Dockerfile": DOCKERFILE.format(command='ENTRYPOINT python -m other\nCMD ["jobs/digest.py"]')},
                 id="neg-a-shell-form-entrypoint-ignores-cmd"),
    pytest.param({}, id="neg-no-dockerfile"),
    pytest.param({"Dockerfile": DOCKERFILE.format(command='CMD ["python", "jobs/digest.py"]')},
                 id="neg-a-dockerfile-not-where-the-service-names-it"),
])
def test_a_render_docker_cron_whose_image_runs_something_else_is_no_schedule_of_the_script(tmp_path, files):
    result = check(tmp_path, {"jobs/digest.py": ONE_CALL_MAIN, "render.yaml": RENDER_DOCKER, **files})
    assert not result.findings, [f.message for f in result.findings]


def test_a_render_docker_command_wins_and_a_dockerfile_outside_the_tree_is_never_read(tmp_path):
    import os

    files = {"jobs/digest.py": ONE_CALL_MAIN, "docker/Dockerfile": DOCKERFILE.format(command='CMD ["python", "x.py"]')}
    command = RENDER_DOCKER + '    dockerCommand: python jobs/digest.py\n'
    assert triples(check(tmp_path / "a", {**files, "render.yaml": command})) == [
        ("jobs/digest.py", ONE_CALL_MAIN_LINE, "BL103")]
    # a folder on the way that links outside the tree: the Dockerfile there (which would name the script) is not read
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text(DOCKERFILE.format(command='CMD ["python", "jobs/digest.py"]'))
    tree = tmp_path / "b"
    tree.mkdir()
    os.symlink(outside, tree / "docker")
    for path in ("../outside/Dockerfile", "/etc/Dockerfile"):
        assert not check(tree, {"jobs/digest.py": ONE_CALL_MAIN, "render.yaml": RENDER_DOCKER.replace(
            "./docker/Dockerfile", path)}, allow_errors=True).findings
    linked = check(tree, {"jobs/digest.py": ONE_CALL_MAIN, "render.yaml": RENDER_DOCKER}, allow_errors=True)
    assert not linked.findings and [e.code for e in linked.errors] == ["BL002"]  # the walk's own line for the link

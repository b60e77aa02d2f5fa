"""Schedules declared outside Python make their scripts scheduled contexts."""

from __future__ import annotations

import json
import os
import sys

import pytest
from click.testing import CliRunner

import batchlint.analyze as analyze
import batchlint.checker as entry_points
import batchlint.external as external
from batchlint import check_paths
from batchlint.cli import main
from batchlint.config import Config
from batchlint.external import oncalendar_to_cron

from helpers import ONE_CALL_MAIN, ONE_CALL_MAIN_LINE, check, expected, triples, write

ONE_CALL_MODULE = """
import anthropic

anthropic.Anthropic().messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[])
"""


SAM_TEMPLATE = """
Resources:
  Nightly:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Events:
        Every:
          Type: Schedule
          Properties:
            Schedule: cron(0 12 * * ? *)
"""


def single(result):
    (finding,) = result.findings
    return finding


def test_github_workflow_running_a_module_and_a_script(tmp_path):
    result = check(tmp_path, {
        ".github/workflows/digest.yml": """
            name: digest
            on:
              schedule:
                - cron: "0 6 * * *"
              workflow_dispatch:
            jobs:
              run:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - run: python -m acme.digest
                  - run: |
                      cd app
                      python scripts/report.py --since yesterday
        """,
        "acme/__init__.py": "",
        "acme/digest.py": ONE_CALL_MAIN,
        "app/scripts/report.py": ONE_CALL_MODULE,
        # what `python scripts/report.py` would name without the `cd app` before it
        "scripts/report.py": ONE_CALL_MODULE,
        "scripts/unscheduled.py": ONE_CALL_MODULE,
    })
    assert triples(result) == [("acme/digest.py", ONE_CALL_MAIN_LINE, "BL103"), ("app/scripts/report.py", 3, "BL103")]
    digest = next(f for f in result.findings if f.path == "acme/digest.py")
    assert "cron `0 6 * * *` by GitHub Actions workflow .github/workflows/digest.yml:4" in digest.message
    assert "one call per run" in digest.message
    assert digest.estimate.calls_per_month == 30


def test_gitlab_scheduled_pipeline(tmp_path):
    result = check(tmp_path, {
        ".gitlab-ci.yml": """
            cleanup:
              rules:
                - if: $CI_PIPELINE_SOURCE == "schedule"
              script:
                - pip install -r requirements.txt
                - python jobs/cleanup.py
            test:
              script:
                - python jobs/other.py
        """,
        "jobs/cleanup.py": ONE_CALL_MODULE,
        "jobs/other.py": ONE_CALL_MODULE,
    })
    finding = single(result)
    assert finding.path == "jobs/cleanup.py" and "a schedule set outside the code" in finding.message


def test_kubernetes_cronjob_container_command(tmp_path):
    result = check(tmp_path, {
        "deploy/cronjob.yaml": """
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: nightly
            spec:
              schedule: "*/30 * * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                        - name: job
                          image: acme/app
                          command: ["python", "/srv/app/job.py"]
                          args: ["--all"]
        """,
        "job.py": ONE_CALL_MAIN,
    })
    finding = single(result)
    assert finding.code == "BL103" and finding.estimate.calls_per_month == 1440


def test_helm_template_cronjob(tmp_path):
    result = check(tmp_path, {
        "chart/templates/cron.yaml": """
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: {{ .Release.Name }}-digest
            spec:
              schedule: "0 2 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                        - name: digest
                          image: "{{ .Values.image }}"
                          command: ["python", "-m", "acme.digest"]
        """,
        "acme/__init__.py": "",
        "acme/digest.py": ONE_CALL_MAIN,
    })
    assert single(result).estimate.calls_per_month == 30


def test_crontab_line_with_environment_and_redirections(tmp_path):
    result = check(tmp_path, {
        "deploy/crontab": """
            MAILTO=ops@example.com
            # m h dom mon dow command
            0 3 * * * cd /app && PYTHONPATH=/app /usr/bin/python3 /app/jobs/nightly.py --all >> /var/log/nightly.log 2>&1
            30 * * * * python manage.py refresh_embeddings
        """,
        "jobs/nightly.py": ONE_CALL_MAIN,
        "app/management/commands/refresh_embeddings.py": """
            import anthropic
            from django.core.management.base import BaseCommand

            client = anthropic.Anthropic()

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
        """,
    })
    assert triples(result) == [("app/management/commands/refresh_embeddings.py", 8, "BL103"), ("jobs/nightly.py", ONE_CALL_MAIN_LINE, "BL103")]
    runs = sorted(f.estimate.calls_per_month for f in result.findings)
    assert runs == [30, 720]


def test_systemd_timer_and_service(tmp_path):
    result = check(tmp_path, {
        "deploy/report.timer": """
            [Timer]
            OnCalendar=Mon *-*-* 09:00
            Persistent=true
        """,
        "deploy/report.service": """
            [Service]
            ExecStart=/usr/bin/python3 /opt/app/weekly.py
        """,
        "weekly.py": ONE_CALL_MAIN,
    })
    assert single(result).estimate.calls_per_month == pytest.approx(30 / 7)


@pytest.mark.parametrize("value, cron", [("daily", "@daily"), ("hourly", "@hourly"), ("*-*-* 03:15:00", "15 03 * * *"),
                                         ("Mon..Fri *-*-* 09:00", "00 09 * * 1-5"), ("nonsense", "")])
def test_oncalendar_to_cron(value, cron):
    assert oncalendar_to_cron(value) == cron


def test_serverless_and_sam_handlers(tmp_path):
    result = check(tmp_path, {
        "serverless.yml": """
            service: digests
            functions:
              digest:
                handler: handler.run
                events:
                  - schedule: rate(1 hour)
              api:
                handler: handler.api
                events:
                  - http: {path: /x, method: get}
        """,
        "handler.py": """
            import anthropic
            client = anthropic.Anthropic()

            def run(event, context):
                client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])

            def api(event, context):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
        """,
        "sam/template.yaml": SAM_TEMPLATE,
        "sam/src/app.py": """
            import anthropic

            def lambda_handler(event, context):
                anthropic.Anthropic().messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
        """,
    })
    assert triples(result) == [("handler.py", 5, "BL103"), ("sam/src/app.py", 4, "BL103")]
    assert sorted(f.estimate.calls_per_month for f in result.findings) == [30, 720]


def test_procfile_clock_and_console_script(tmp_path):
    result = check(tmp_path, {
        "Procfile": "web: gunicorn app:app\nclock: python clock.py\n",
        "clock.py": ONE_CALL_MAIN,
        "pyproject.toml": '[project]\nname = "acme"\nversion = "1"\n[project.scripts]\nnightly = "acme.cli:nightly"\n',
        ".github/workflows/nightly.yml": 'on:\n  schedule:\n    - cron: "15 1 * * *"\njobs:\n  n:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nightly --dry-run\n',
        "acme/__init__.py": "",
        "acme/cli.py": """
            import anthropic

            def nightly():
                anthropic.Anthropic().messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
        """,
    })
    assert triples(result) == [("acme/cli.py", 4, "BL103"), ("clock.py", ONE_CALL_MAIN_LINE, "BL103")]


def test_without_pyyaml_yaml_files_are_skipped_with_one_notice(tmp_path, monkeypatch):
    monkeypatch.setattr(external, "yaml", None)
    result = check(tmp_path, {
        ".github/workflows/a.yml": 'on:\n  schedule:\n    - cron: "0 6 * * *"\njobs: {}\n',
        ".github/workflows/b.yml": 'on:\n  schedule:\n    - cron: "0 7 * * *"\njobs: {}\n',
        "job.py": ONE_CALL_MAIN,
    })
    assert result.findings == () and result.errors == ()
    (notice,) = result.notices
    assert "2 YAML schedule file(s) skipped" in notice


def test_externally_scheduled_findings_reach_sarif_and_report(tmp_path):
    check(tmp_path, {"deploy/crontab": "0 3 * * * python job.py\n", "job.py": ONE_CALL_MAIN})
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        sarif = json.loads(CliRunner().invoke(main, ["check", "--no-cache", "--format", "sarif", "."]).output)
        report = json.loads(CliRunner().invoke(main, ["report", "--no-cache", "--format", "json", "."]).output)
    finally:
        os.chdir(old)
    assert sarif["runs"][0]["results"][0]["ruleId"] == "BL103"
    assert report["candidates"][0]["job"].startswith("`main` run on cron `0 3 * * *` by crontab deploy/crontab:1")


def test_system_crontab_user_column_and_command_wrappers(tmp_path):
    result = check(tmp_path, {
        "etc/cron.d/acme": "0 4 * * * deploy timeout 600 nice -n 10 /usr/bin/python3 /srv/job.py\n",
        "job.py": ONE_CALL_MAIN,
    })
    assert triples(result) == [("job.py", ONE_CALL_MAIN_LINE, "BL103")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_like_a_manifest_is_skipped_not_waited_on(tmp_path):
    (tmp_path / "job.py").write_text(
        "import anthropic\n\nclient = anthropic.Anthropic()\n\nif __name__ == '__main__':\n"
        "    for row in open('rows.txt'):\n"
        "        client.messages.create(model='m', max_tokens=1, messages=[{'role': 'user', 'content': row}])\n"
    )
    os.mkfifo(tmp_path / "cronjob.yaml")  # opening it for reading without O_NONBLOCK would block forever
    result = check(tmp_path)
    assert [f.code for f in result.findings] == ["BL105"]


LAMBDA = """
import anthropic

def lambda_handler(event, context):
    anthropic.Anthropic().messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
"""

GITHUB_NIGHTLY = """
on:
  schedule:
    - cron: "0 6 * * *"
{defaults}jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: {run}
"""


@pytest.mark.parametrize("name, files, scheduled", [
    (
        # two repositories side by side; the other one's file sorts first
        "a workflow runs its own repository's script",
        {
            "zeta/.github/workflows/digest.yml": GITHUB_NIGHTLY.format(defaults="", run="python3 digest.py"),
            "zeta/digest.py": ONE_CALL_MAIN,
            "alpha/src/digest.py": ONE_CALL_MAIN,
        },
        ("zeta/digest.py", ONE_CALL_MAIN_LINE),
    ),
    (
        "a workflow's working-directory",
        {
            ".github/workflows/digest.yml": GITHUB_NIGHTLY.format(
                defaults="defaults:\n  run:\n    working-directory: jobs\n", run="python digest.py"),
            "jobs/digest.py": ONE_CALL_MAIN,
            "digest.py": ONE_CALL_MAIN,
        },
        ("jobs/digest.py", ONE_CALL_MAIN_LINE),
    ),
    (
        "a cd before the command",
        {
            ".github/workflows/digest.yml": GITHUB_NIGHTLY.format(defaults="", run="cd services/b && python digest.py"),
            "services/a/digest.py": ONE_CALL_MAIN,
            "services/b/digest.py": ONE_CALL_MAIN,
        },
        ("services/b/digest.py", ONE_CALL_MAIN_LINE),
    ),
    (
        "a GitLab job's cd, across script lines",
        {
            ".gitlab-ci.yml": """
                nightly:
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "schedule"
                  script:
                    - cd services/b
                    - python digest.py
            """,
            "services/a/digest.py": ONE_CALL_MAIN,
            "services/b/digest.py": ONE_CALL_MAIN,
        },
        ("services/b/digest.py", ONE_CALL_MAIN_LINE),
    ),
    (
        "a SAM function's CodeUri",
        {
            "sam/template.yaml": SAM_TEMPLATE,
            "sam/src/app.py": LAMBDA,
            "api/app.py": LAMBDA,
        },
        ("sam/src/app.py", 4),
    ),
    (
        "a serverless service's folder",
        {
            "svc/serverless.yml": """
                service: digests
                functions:
                  nightly:
                    handler: app.lambda_handler
                    events:
                      - schedule: rate(1 day)
            """,
            "svc/app.py": LAMBDA,
            "api/app.py": LAMBDA,
        },
        ("svc/app.py", 4),
    ),
])
def test_a_declared_command_names_the_file_where_it_runs_not_a_namesake(tmp_path, name, files, scheduled):
    """Several files share the name a schedule gives (`digest.py`,
    `app.lambda_handler`); the one the declaration runs is the one in its
    checkout, working directory or code folder. Each namesake is analyzed
    too (each imports the SDK), so picking by name alone would schedule
    the wrong one; only the right one is reported, as a scheduled job."""
    result = check(tmp_path, files)
    assert [(path, line) for path, line, _code in triples(result)] == [scheduled]
    assert [f.code for f in result.findings] == ["BL103"]
    assert result.files_parsed == sum(1 for path in files if path.endswith(".py"))


def test_commands_in_follows_relative_cds_and_gives_up_on_the_rest():
    commands_in = external._commands_in
    assert commands_in("cd app && python a.py\npython b.py; cd .. ; python c.py", "repo") == [
        ("python a.py", os.path.join("repo", "app")), ("python b.py", os.path.join("repo", "app")), ("python c.py", "repo")]
    for cd in ("cd $HOME", "cd ~/x", "cd -", "cd /srv/app", "cd `pwd`"):
        assert commands_in(f"{cd}\npython a.py", "repo") == [("python a.py", "")]
    assert commands_in("cd app\npython a.py", "") == [("python a.py", "")]  # nowhere known to start from
    assert external._checkout_root(os.path.join("repo", ".github", "workflows")) == "repo"
    assert external._checkout_root(os.path.join(".github", "workflows")) == "."
    assert external._checkout_root(os.path.join("deploy", "ci")) == ""


WORKFLOW = 'on:\n  schedule:\n    - cron: "0 3 * * *"\njobs:\n  run:\n    steps:\n      - run: python digest.py\n'


@pytest.mark.parametrize("jobs", [1, 2])
def test_schedule_files_are_read_once_while_the_sdk_files_parse(tmp_path, monkeypatch, jobs):
    """Read during the first round, before its project is built (so a
    parallel run overlaps the reading with the children's parse), once, in
    this process; the findings are those of a serial run."""
    events = []
    real_read, real_project = entry_points.read_schedules, analyze.Project
    monkeypatch.setattr(entry_points, "read_schedules", lambda files: events.append(("read", os.getpid())) or real_read(files))
    monkeypatch.setattr(analyze, "Project", lambda *args: events.append(("project", os.getpid())) or real_project(*args))
    files = {".github/workflows/digest.yml": WORKFLOW, "digest.py": ONE_CALL_MAIN}
    files.update({f"pkg/mod{n}.py": ONE_CALL_MODULE for n in range(8)})  # enough files to fork for
    write(tmp_path, files)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = check_paths([str(tmp_path)], Config(root=str(tmp_path)), jobs=jobs)
    finally:
        os.chdir(old)
    assert [event for event in events if event[0] == "read"] == [("read", os.getpid())]
    assert events.index(("read", os.getpid())) < events.index(("project", os.getpid()), 1)  # 0: the empty start
    assert triples(result) == [("digest.py", ONE_CALL_MAIN_LINE, "BL103")]


@pytest.mark.parametrize("name, python", [
    ("no file imports the SDK", "import json\n\nprint(json.dumps({}))\n"),
    ("the SDK is imported, never called", "from anthropic.types import Message\n\nprint(Message)\n"),
])
def test_schedules_say_nothing_without_a_claude_call(tmp_path, monkeypatch, name, python):
    """Without PyYAML a workflow is skipped with a notice; with no Claude
    call in the project there is nothing to schedule, so no notice, and with
    no file to analyze the schedule files are not even read."""
    monkeypatch.setattr(external, "yaml", None)
    reads = []
    real_read = entry_points.read_schedules
    monkeypatch.setattr(entry_points, "read_schedules", lambda files: reads.append(1) or real_read(files))
    result = check(tmp_path, {".github/workflows/digest.yml": WORKFLOW, "digest.py": python})
    assert result.findings == () and result.notices == ()
    if "no file" in name:
        assert reads == []


_OPENED: list[str] | None = None  # paths opened while a test records them (sys.addaudithook cannot be removed)


def _record_opens(event, args):
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX paths and links")
@pytest.mark.parametrize("unit", ["{decoy}/report.service", "../../decoy/report.service", "linked.service", "report.service"])
def test_a_timer_unit_outside_its_folder_is_never_opened(tmp_path, unit):
    """`Unit=/etc/passwd` or `../`: only a unit file beside the timer is read,
    never through a link; the last case is the one that is read."""
    global _OPENED
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "report.service").write_text("[Service]\nExecStart=/usr/bin/python3 /opt/app/weekly.py\n")
    root = tmp_path / "repo"
    write(root, {"deploy/report.timer": f"[Timer]\nOnCalendar=daily\nUnit={unit.format(decoy=decoy)}\n",
                 "weekly.py": ONE_CALL_MAIN})
    (root / "deploy/linked.service").symlink_to(decoy / "report.service")
    if unit == "report.service":
        (root / "deploy/report.service").write_text((decoy / "report.service").read_text())
    if not hasattr(sys, "_batchlint_test_hook"):
        sys.addaudithook(_record_opens)
        sys._batchlint_test_hook = True
    _OPENED = []
    try:
        result = check(root)
    finally:
        opened, _OPENED = _OPENED, None
    scheduled = [f for f in result.findings if f.code == "BL103"]
    if unit == "report.service":
        assert scheduled and any(p.endswith("deploy/report.service") for p in opened)
    else:
        # nothing outside was named to open; the link (linked.service) was
        # opened with O_NOFOLLOW, which refuses it: its text would schedule weekly.py
        assert not scheduled
        assert not [p for p in opened if os.path.abspath(p).startswith(str(decoy))]


@pytest.mark.skipif(os.name == "nt", reason="POSIX paths")
def test_paths_in_schedule_files_never_lead_out_of_the_tree(tmp_path):
    """Every kind of schedule file naming places outside the tree (absolute,
    `../`): nothing there is opened; the declarations match no analyzed file."""
    global _OPENED
    decoy = tmp_path / "decoy"
    write(decoy, {"job.py": ONE_CALL_MAIN, "job.service": "[Service]\nExecStart=python3 job.py\n"})
    root = tmp_path / "repo"
    outside = str(decoy)
    write(root, {
        "deploy/a.timer": f"[Timer]\nOnCalendar=daily\nUnit={outside}/job.service\n",
        "deploy/b.timer": "[Timer]\nOnCalendar=daily\nUnit=../../decoy/job.service\n",
        "crontab": f"0 3 * * * python {outside}/job.py\n0 4 * * * cd ../decoy && python job.py\n",
        "Procfile": f"clock: cd {outside} && python job.py\n",
        ".github/workflows/n.yml": ("on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  n:\n    steps:\n"
                                    f"      - run: python job.py\n        working-directory: {outside}\n"
                                    "      - run: cd ../../decoy && python job.py\n"),
        "template.yaml": ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                          f"      Handler: job.main\n      CodeUri: {outside}\n      Events:\n"
                          "        Nightly:\n          Type: Schedule\n          Properties:\n            Schedule: rate(1 day)\n"),
        "serverless.yml": "functions:\n  f:\n    handler: ../decoy/job.main\n    events:\n      - schedule: rate(1 day)\n",
        "app.py": "import anthropic\n",
    })
    before = {p.name: p.read_bytes() for p in decoy.iterdir()}
    if not hasattr(sys, "_batchlint_test_hook"):
        sys.addaudithook(_record_opens)
        sys._batchlint_test_hook = True
    _OPENED = []
    try:
        result = check(root)
    finally:
        opened, _OPENED = _OPENED, None
    assert result.findings == ()
    assert [p for p in opened if os.path.abspath(p).startswith(outside)] == []
    assert any(p.endswith("app.py") for p in opened)  # the recording works
    assert {p.name: p.read_bytes() for p in decoy.iterdir()} == before


HELPER_MAIN = """
import asyncio

import anthropic

client = anthropic.Anthropic()


def summarize(text):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": text}])


async def main():
    summary = summarize(open("papers.txt").read())  # expect: BL103
    print(summary)


if __name__ == "__main__":
    asyncio.run(main())
"""


@pytest.mark.parametrize("script", [
    pytest.param(HELPER_MAIN, id="asyncio-run-of-main-reported-at-the-helper-call-in-main"),
    pytest.param(HELPER_MAIN.replace("async def main", "def main").replace("asyncio.run(main())", "main()"),
                 id="main-reported-at-the-helper-call-in-main"),
    pytest.param(HELPER_MAIN.replace("asyncio.run(main())", "for _ in range(3):\n        asyncio.run(main())  # expect: BL103")
                 .replace("  # expect: BL103\n    print", "\n    print"),
                 id="a-loop-over-main-is-reported-at-the-loop"),
])
def test_a_scheduled_scripts_job_is_the_function_its_main_block_calls(tmp_path, script):
    files = {"deploy/crontab": "0 3 * * * python digest.py\n", "digest.py": script}
    found = triples(check(tmp_path, files))
    assert found == expected(files)
    if "for _ in range" not in script:
        result = check(tmp_path, files)
        assert result.findings[0].message.count("`main` run on cron `0 3 * * *` by crontab deploy/crontab:1") == 1


def test_an_unscheduled_scripts_main_is_no_job(tmp_path):
    files = {"digest.py": HELPER_MAIN.replace("  # expect: BL103", "")}
    assert triples(check(tmp_path, files)) == []

"""Cloud Scheduler jobs in deploy scripts: an HTTP Cloud Function that only a
scheduler calls serves nobody, so its fan-out is a scheduled job (BL103); the
same function without such a job stays a handler a person waits on."""

from __future__ import annotations

import pytest
from helpers import check, expected, run

from batchlint.external_gcloud import read_gcloud

FUNCTION = """
import concurrent.futures

import anthropic
import functions_framework

client = anthropic.Anthropic()


def summarise(paper):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=200, messages=[{"role": "user", "content": paper}])


@functions_framework.http
def weekly_digest(request):
    papers = request.get_json()["papers"]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(summarise, p) for p in papers]  # expect: BL103
    return {"summaries": [f.result().content[0].text for f in futures]}
"""

LITERAL_URL = """#!/bin/bash
set -euo pipefail
gcloud functions deploy weekly_digest --runtime python312 --trigger-http --source .
gcloud scheduler jobs create http weekly-digest-job --schedule="0 19 * * 6" \\
    --uri="https://europe-west1-acme.cloudfunctions.net/weekly_digest" --http-method=POST
"""

DESCRIBED_URL = """#!/bin/bash
REGION="${REGION:-europe-west1}"
deploy_function() {
    local name="$1"
    local entry_point="$2"
    gcloud functions deploy "${name}" --gen2 --region="${REGION}" --entry-point="${entry_point}" --trigger-http
}
deploy_function "weekly_digest" "weekly_digest"
DIGEST_URL=$(gcloud functions describe weekly_digest \\
    --gen2 --region="${REGION}" --format="value(serviceConfig.uri)" 2>/dev/null)
# Saturdays 19:00 UTC
gcloud scheduler jobs create http digest-weekly \\
    --location="${REGION}" \\
    --schedule="0 19 * * 6" \\
    --uri="${DIGEST_URL}" \\
    --http-method=POST || true
"""

PUBSUB = """
deploy:
\tgcloud functions deploy digest --entry-point weekly_digest --trigger-topic nightly-digest --source .
\tgcloud scheduler jobs create pubsub nightly --schedule "0 3 * * *" --topic projects/acme/topics/nightly-digest --message-body go
"""


@pytest.mark.parametrize("script_name, script", [
    pytest.param("deploy.sh", LITERAL_URL, id="a-literal-cloudfunctions-url"),
    pytest.param("deploy.sh", DESCRIBED_URL, id="a-url-from-gcloud-functions-describe-through-a-shell-function"),
    pytest.param("Makefile", PUBSUB, id="a-pubsub-job-on-the-functions-trigger-topic"),
])
def test_an_http_function_only_a_scheduler_calls_is_a_scheduled_job(tmp_path, script_name, script):
    function = FUNCTION if "http" in script else FUNCTION.replace("functions_framework.http", "functions_framework.cloud_event")
    files = {"main.py": function, script_name: script}
    assert run(tmp_path, files) == expected(files)
    (finding,) = check(tmp_path).findings
    assert "Cloud Scheduler job" in finding.message and f"{script_name}:" in finding.message


@pytest.mark.parametrize("script", [
    pytest.param(None, id="neg-no-deploy-script"),
    pytest.param(LITERAL_URL.replace("net/weekly_digest", "net/other_function"), id="neg-the-job-calls-another-function"),
    pytest.param(LITERAL_URL.replace("gcloud scheduler jobs create http weekly-digest-job", "gcloud scheduler jobs list"),
                 id="neg-no-job-created"),
    pytest.param(LITERAL_URL.replace("https://europe-west1-acme.cloudfunctions.net/weekly_digest", "$SOME_URL"),
                 id="neg-a-url-batchlint-cannot-place"),
])
def test_without_a_scheduler_calling_it_the_function_is_a_handler(tmp_path, script):
    files = {"main.py": FUNCTION.replace("  # expect: BL103", "")}
    if script is not None:
        files["deploy.sh"] = script
    assert run(tmp_path, files) == []


def test_read_gcloud_names_entry_point_source_and_line():
    script = ("gcloud functions deploy digest --entry-point=run_digest --source=functions/digest --trigger-http\n"
              "gcloud scheduler jobs create http j --schedule='*/30 * * * *' "
              "--uri=https://us-central1-p.cloudfunctions.net/digest\n")
    assert read_gcloud(script, "ops/deploy.sh", "ops") == [
        ("*/30 * * * *", "run_digest", "ops/functions/digest", "ops/deploy.sh:2")]


@pytest.mark.parametrize("script", [
    "gcloud scheduler jobs create http j --schedule='0 3 * * * --uri=\"https://x.cloudfunctions.net/f\n",  # open quote
    "gcloud scheduler jobs create http\n",
    "gcloud scheduler jobs create http j --uri\n",
    "X=$(gcloud functions describe\ngcloud scheduler jobs create http j --uri=$X\n",
    "\\\n\\\n",
])
def test_broken_scripts_give_no_job_and_no_error(script):
    assert read_gcloud(script, "deploy.sh", ".") == []


def test_a_broken_deploy_script_does_not_stop_the_run(tmp_path):
    (tmp_path / "deploy.sh").write_bytes(b"gcloud scheduler jobs create http \xff\xfe 'unclosed\n")
    files = {"job.py": "import anthropic\nclient = anthropic.Anthropic()\nfor t in ['a', 'b']:\n"
                       "    client.messages.create(model='claude-haiku-4-5', max_tokens=5, messages=[])  # expect: BL105\n"}
    assert run(tmp_path, files) == expected(files)

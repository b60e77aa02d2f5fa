"""A health or credentials check (`check_health`, `ping`, `test_connection`,
`validate_api_key`) asks whether the API answers now: never a batch
candidate, even in a loop over providers or a scheduled job. The same loop
over a real workload is."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

PROVIDERS = """
    import anthropic

    client = anthropic.Anthropic()


    def {name}(model):
        try:
            client.messages.create(model=model, max_tokens=5, messages=[{{"role": "user", "content": "Hello"}}])
            return True
        except Exception:
            return False


    if __name__ == "__main__":
        for model in ["claude-haiku-4-5", "claude-sonnet-4-5"]:
            print(model, {name}(model)){mark}
"""


@pytest.mark.parametrize("name", ["check_health", "health_check", "ping", "_ping", "test_connection", "validate_api_key",
                                  "is_healthy", "healthcheck"])
def test_a_health_check_in_a_loop_is_not_reported(tmp_path, name):
    result = check(tmp_path, {"job.py": textwrap.dedent(PROVIDERS.format(name=name, mark=""))})
    assert not result.findings, [f.message for f in result.findings]


@pytest.mark.parametrize("name", ["classify", "check_grammar", "ping_pong_story", "health_summary"])
def test_a_workload_named_otherwise_is_reported(tmp_path, name):
    files = {"job.py": textwrap.dedent(PROVIDERS.format(name=name, mark="  # expect: BL105"))}
    assert run(tmp_path, files) == expected(files)


def test_a_health_check_a_cron_job_runs_is_not_reported(tmp_path):
    files = {
        "monitor.py": textwrap.dedent(PROVIDERS.format(name="check_health", mark="")),
        "crontab": "*/5 * * * * python monitor.py\n",
    }
    result = check(tmp_path, files)
    assert not result.findings, [f.message for f in result.findings]

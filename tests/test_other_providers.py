"""The anthropic SDK pointed at another provider's Anthropic-compatible
endpoint (`base_url="https://api.minimaxi.com/anthropic"`) sends no request
to Claude and has no Message Batches API: its calls are not reported. A base
URL on Anthropic's host, on this machine (a local proxy) or not written in the
code keeps the client a Claude client."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

JOB = """
    import os

    from anthropic import Anthropic

    ENDPOINT = "https://api.minimaxi.com/anthropic"


    def scoring_client() -> Anthropic:
        return Anthropic(api_key=os.environ["KEY"], base_url={url})


    def score(articles):
        client = scoring_client()
        for article in articles:
            client.messages.create(model="some-model", max_tokens=300, messages=[{{"role": "user", "content": article}}]){mark}


    if __name__ == "__main__":
        score(["a", "b"])
"""


@pytest.mark.parametrize("url", [
    pytest.param('"https://api.minimaxi.com/anthropic"', id="a-written-url"),
    pytest.param("ENDPOINT", id="a-module-constant"),
    pytest.param('"https://api.deepseek.com/anthropic/"', id="another-provider"),
])
def test_a_client_of_another_providers_endpoint_is_not_reported(tmp_path, url):
    result = check(tmp_path, {"job.py": textwrap.dedent(JOB.format(url=url, mark=""))})
    assert not result.findings, [f.message for f in result.findings]


@pytest.mark.parametrize("url", [
    pytest.param('"https://api.anthropic.com"', id="anthropics-own-host"),
    pytest.param('"http://localhost:4000"', id="a-local-proxy"),
    pytest.param('os.environ["BASE_URL"]', id="a-url-set-at-run-time"),
    pytest.param("None", id="no-url"),
])
def test_a_claude_client_is_reported(tmp_path, url):
    files = {"job.py": textwrap.dedent(JOB.format(url=url, mark="  # expect: BL105"))}
    assert run(tmp_path, files) == expected(files)

"""Values handed on in shapes the call graph must follow: a registry reached
through a local alias, an object returned inside a tuple, a function a helper
starts as a process for each of its callers."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check, expected, run

PROVIDERS = """
    import sys

    import anthropic


    class Provider:
        def summarize(self, text):
            raise NotImplementedError


    class ClaudeProvider(Provider):
        def __init__(self):
            self.client = anthropic.Anthropic()

        def summarize(self, text):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": text}])


    class EchoProvider(Provider):
        def summarize(self, text):
            return text[:100]

"""

ALIAS = PROVIDERS + """
    _API_PROVIDERS = {"claude": ClaudeProvider, "echo": EchoProvider}


    def _registry_for_mode(mode):
        return _API_PROVIDERS


    def create_provider(mode, name):
        registry = _registry_for_mode(mode)
        provider_class = registry[name]
        return provider_class()


    if __name__ == "__main__":
        provider = create_provider("api", sys.argv[1])
        for path in sys.argv[2:]:
            print(provider.summarize(open(path).read()))  # expect: BL105
"""


@pytest.mark.parametrize("source", [
    pytest.param(ALIAS, id="a-registry-through-a-local-alias"),
    pytest.param(ALIAS.replace('"claude": ClaudeProvider, ', "").replace("  # expect: BL105", ""),
                 id="neg-the-registry-holds-no-claude-provider"),
])
def test_a_registry_read_through_a_local_alias(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)


TUPLE = PROVIDERS + """
    def setup(argv):
        mode = argv[1] if len(argv) > 1 else "api"
        return mode, ClaudeProvider()


    def main(argv):
        mode, provider = setup(argv)
        for path in argv[2:]:
            print(provider.summarize(open(path).read()))  # expect: BL105


    if __name__ == "__main__":
        main(sys.argv)
"""


@pytest.mark.parametrize("source", [
    pytest.param(TUPLE, id="an-object-returned-in-a-tuple"),
    pytest.param(TUPLE.replace("return mode, ClaudeProvider()", "return ClaudeProvider(), mode").replace(
        "  # expect: BL105", ""), id="neg-the-other-position-is-unpacked"),
    pytest.param(TUPLE.replace("mode, provider = setup(argv)", "mode, provider = sys.argv[1], EchoProvider()").replace(
        "  # expect: BL105", ""), id="neg-a-written-tuple-of-another-provider"),
    pytest.param(TUPLE.replace("return mode, ClaudeProvider()",
                               "if mode == \"api\":\n            provider = ClaudeProvider()\n        else:\n"
                               "            provider = EchoProvider()\n        return mode, provider"),
                 id="a-returned-name-bound-on-branches"),
    pytest.param(TUPLE.replace("mode, provider = setup(argv)", "mode, provider = sys.argv[1], ClaudeProvider()"),
                 id="a-written-tuple"),
])
def test_an_object_returned_or_written_in_a_tuple(tmp_path, source):
    files = {"job.py": textwrap.dedent(source)}
    assert run(tmp_path, files) == expected(files)


QUEUE = """
    from multiprocessing import Process


    def handle_queue(function: callable, data: any):
        process = Process(target=function, args=(data,))
        process.start()
"""

WORKERS = """
    import anthropic

    client = anthropic.Anthropic()


    def review_merge_request(data):
        note = client.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=[{"role": "user", "content": data["diff"]}])  # expect: BL104
        print(note)


    def count_push(data):
        print(len(data["commits"]))
"""

HOOKS = """
    from flask import Flask, request

    from queue_helper import handle_queue
    from workers import count_push, review_merge_request

    app = Flask(__name__)


    @app.post("/merge-request")
    def merge_request():
        handle_queue(review_merge_request, request.get_json())
        return {"status": "queued"}


    @app.post("/push")
    def push():
        handle_queue(count_push, request.get_json())
        return {"status": "queued"}
"""


def test_each_function_a_helper_starts_as_a_process_is_a_background_worker(tmp_path):
    files = {"queue_helper.py": textwrap.dedent(QUEUE), "workers.py": textwrap.dedent(WORKERS), "hooks.py": textwrap.dedent(HOOKS)}
    assert run(tmp_path, files) == expected(files)


def test_a_helper_that_calls_the_function_itself_is_the_handlers_own_work(tmp_path):
    files = {"queue_helper.py": textwrap.dedent(QUEUE.replace(
                 "process = Process(target=function, args=(data,))\n        process.start()", "return function(data)")),
             "workers.py": textwrap.dedent(WORKERS.replace("  # expect: BL104", "")), "hooks.py": textwrap.dedent(HOOKS)}
    result = check(tmp_path, files)
    assert not result.findings, [f.message for f in result.findings]

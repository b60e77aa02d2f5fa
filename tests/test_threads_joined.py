"""Threads a function starts and joins are that function's own work, run
concurrently: a request handler calling it keeps its user waiting (not
reported), a script calling it is a loop over chunks (reported at the loop).
A thread started and left is a background worker."""

from __future__ import annotations

import pytest
from helpers import check, expected, run

WORK = """import threading

import anthropic

client = anthropic.Anthropic()


def summarise(text, index, out):
    message = client.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=[{"role": "user", "content": text}])
    out[index] = message.content[0].text


def timeline(chunks):
    out = [None] * len(chunks)
    threads = []
    for index, chunk in enumerate(chunks):
        t = threading.Thread(target=summarise, args=(chunk, index, out)){mark}
        threads.append(t)
        t.start()
    for t in threads:
        t.join()
    return out
"""

HANDLER = """

from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["POST"])
def upload(request):
    return Response({"timeline": timeline(request.data["chunks"])})
"""

SCRIPT = """

if __name__ == "__main__":
    print(timeline(open("chunks.txt").read().split("\\n\\n")))
"""


def test_threads_joined_in_a_handlers_helper_keep_its_user_waiting(tmp_path):
    result = check(tmp_path, {"views.py": WORK.replace("{mark}", "") + HANDLER})
    assert not result.findings, [f.message for f in result.findings]


@pytest.mark.parametrize("source", [
    pytest.param(WORK.replace("{mark}", "  # expect: BL105") + SCRIPT, id="joined-threads-in-a-script-are-a-loop-over-chunks"),
    pytest.param(WORK.replace("{mark}", "").replace("    for t in threads:\n        t.join()\n", "")
                 .replace("    message = client.messages.create(", "    message = client.messages.create(  # expect: BL104\n        ")
                 + SCRIPT, id="threads-started-and-left-are-background-workers"),
])
def test_threads_in_a_script(tmp_path, source):
    files = {"job.py": source}
    assert run(tmp_path, files) == expected(files)

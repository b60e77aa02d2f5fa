"""Fix safety: which rewrites are safe, which unsafe and why, side by side."""

from __future__ import annotations

import textwrap

import pytest

from batchlint import check_paths
from batchlint.codemod.fixer import plan_result
from batchlint.config import Config

HEAD = "import time\nimport anthropic\nfrom celery import shared_task\nclient = anthropic.Anthropic()\n"
CALL = "r = client.messages.create(model='m', max_tokens=5, messages=[d])"


def script(body: str) -> str:
    return HEAD + "\n\ndef main(docs):\n" + textwrap.indent(textwrap.dedent(body), "    ") + \
        "\n\nif __name__ == '__main__':\n    main(['a', 'b'])\n"


CASES = {
    # an offline script nobody times: safe
    "plain loop in a script": (script(f"for d in docs:\n    {CALL}\n    print(r)\n"), "safe", ""),
    "an except around the loop that does not read it": (
        script(f"try:\n    for d in docs:\n        {CALL}\n        print(r)\nexcept KeyError:\n    print('no key')\n"), "safe", ""),
    # the same loop, where something a caller sees would change: unsafe
    "the clock read before the call": (
        script(f"for d in docs:\n    started = time.time()\n    {CALL}\n    print(r, time.time() - started)\n"),
        "unsafe", "runs before the call: it is now read when the request is queued"),
    "an except that reads the loop's variable": (
        script(f"try:\n    for i, d in enumerate(docs):\n        {CALL}\n        print(r)\nexcept Exception:\n"
               f"    print('resume from', i)\n"),
        "unsafe", "an `except` around the loop reads `i`"),
    "a lazy source": (script(f"for d in open('rows.txt'):\n    {CALL}\n    print(r)\n"), "unsafe", "read lazily"),
    "a library loop nobody is seen calling": (
        HEAD + f"\n\ndef label(docs):\n    for d in docs:\n        {CALL}\n        print(r)\n", "unsafe", "no entry point was seen"),
    "a worker task": (HEAD + f"\n\n@shared_task\ndef label(docs):\n    for d in docs:\n        {CALL}\n        print(r)\n",
                      "unsafe", "background worker"),
    "a scheduled job": (HEAD + f"\nCRONJOBS = [('0 3 * * *', 'job.label')]\n\n\ndef label():\n    for d in ['a']:\n"
                        f"        {CALL}\n        print(r)\n", "unsafe", "scheduled job"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_fix_has_its_tier(tmp_path, monkeypatch, name):
    source, safety, why = CASES[name]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.py").write_text(source)
    planned = plan_result(check_paths(["."], Config(root=str(tmp_path))), unsafe=False)
    [status] = [s for f in planned for _, s in f.statuses]
    assert status.fixable, status.reason
    assert status.safety == safety and why in status.unsafe_because, (status.safety, status.unsafe_because)
    # only safe fixes are applied without --unsafe-fixes
    [file_fix] = [f for f in planned if f.path == "job.py"]
    assert (file_fix.fixed is not None) == (safety == "safe") == status.applied



"""Record/replay rewrites end to end: each program in fix_cases/replay runs
before and after `fix` against the fake API through the real SDK. The output
must be identical, no synchronous Messages call may be left, and the number
of batches must be the number of dependent calls per item (the `# rounds:`
line). A second `fix` changes nothing."""

from __future__ import annotations


import pytest

from test_fix import CASES, rewrite_and_compare

REPLAY = sorted(p.name for p in (CASES / "replay").glob("*.py"))


@pytest.mark.parametrize("name", REPLAY)
def test_replay_keeps_output_in_one_batch_per_round_of_dependent_calls(tmp_path, name):
    source = (CASES / "replay" / name).read_text()
    rounds = int(source.splitlines()[0].removeprefix("# rounds:"))
    path = tmp_path / name
    path.write_text(source)
    text, batches = rewrite_and_compare(path, polls_to_end=1)
    assert b"fan_out(" in text or b"_claude_batch.Pool(" in text
    assert batches == rounds
    assert not (tmp_path / ".claude_batch").exists() or not list((tmp_path / ".claude_batch").glob("*.json"))


def test_there_are_enough_replay_cases():
    assert len(REPLAY) >= 15


def test_fix_of_a_folder_never_edits_a_helper_outside_it(tmp_path):
    """`fix scripts/` analyzes the project but leaves pkg/llm.py as it is; the
    loop that calls its wrapper gets the record/replay rewrite instead."""
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text("[tool.batchlint]\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    helper = ('import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef summarize(text):\n'
              '    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=20,\n'
              '                                   messages=[{"role": "user", "content": text}])\n'
              '    return reply.content[0].text\n')
    (tmp_path / "pkg" / "llm.py").write_text(helper)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "run.py").write_text(
        'from pkg.llm import summarize\n\n\ndef main():\n    for doc in ["a", "b"]:\n        print(summarize(doc))\n\n\n'
        'if __name__ == "__main__":\n    main()\n')
    done = subprocess.run([sys.executable, "-m", "batchlint", "fix", "--no-cache", "--unsafe-fixes", "scripts"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "pkg" / "llm.py").read_text() == helper
    assert "_claude_batch.fan_out(process_doc" in (tmp_path / "scripts" / "run.py").read_text()


def _statuses(tmp_path, source):
    path = tmp_path / "job.py"
    path.write_text(source)
    result, planned = fix_plan(path)
    return [s for f in planned for _, s in f.statuses]


def fix_plan(path):
    import os

    from batchlint import check_paths
    from batchlint.codemod.fixer import plan_result
    from batchlint.config import Config

    old = os.getcwd()
    os.chdir(path.parent)
    try:
        result = check_paths([path.name], Config(root=str(path.parent)))
        return result, plan_result(result)
    finally:
        os.chdir(old)


HEAD = 'import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef ask(p):\n    try:\n        return client.messages.create(model="m", max_tokens=5, messages=[p])\n    except anthropic.APIError:\n        return None\n\n\n'


@pytest.mark.parametrize("body, safety, why", [
    # the body makes the call itself, with a print before it (held): safe
    ('def main():\n    for d in ["a", "b"]:\n        print(d)\n        r = client.messages.create(model="m", max_tokens=5, messages=[d])\n'
     '        print(r)\n', "safe", ""),
    # through a wrapper batchlint does not check: unsafe, naming it
    ('def main():\n    for d in ["a", "b"]:\n        print(ask(d))\n', "unsafe", "runs `ask()` again"),
    # items that can skip the call finish a round earlier: unsafe
    ('def main():\n    out = []\n    for d in ["a", ""]:\n        print(d)\n        if not d:\n            continue\n'
     '        out.append(client.messages.create(model="m", max_tokens=5, messages=[d]))\n    print(out)\n',
     "unsafe", "skip the call"),
])
def test_replay_tiers(tmp_path, body, safety, why):
    statuses = _statuses(tmp_path, HEAD + body + '\n\nif __name__ == "__main__":\n    main()\n')
    assert [s.fixable for s in statuses] == [True]
    assert statuses[0].safety == safety and why in statuses[0].unsafe_because
    assert "fan_out" in statuses[0].reason


@pytest.mark.parametrize("body, fixable", [
    # `summary` is bound in another branch too, and read in the loop only after the loop binds it
    ('def main(one):\n    if one:\n        summary = "x"\n        print(summary)\n    else:\n        for d in ["a", "b"]:\n'
     '            if d:\n                print(d)\n                summary = ask(d)\n                print(summary)\n', True),
    # the loop's last value is what the code after it prints: refused
    ('def main():\n    summary = None\n    for d in ["a", "b"]:\n        print(d)\n        summary = ask(d)\n'
     '    print(summary)\n', False),
    # rebound after the loop before anything reads it: the loop's copy is unseen
    ('def main():\n    for d in ["a", "b"]:\n        print(d)\n        summary = ask(d)\n        print(summary)\n'
     '    summary = "done"\n    print(summary)\n', True),
    # `_` holds nothing anyone reads
    ('def main():\n    _ = None\n    for _ in range(2):\n        print(ask("same"))\n', True),
    # a `with ... as f` after the loop binds `f` before its body reads it: the loop's `f` is unseen
    ('def main():\n    for d in ["a", "b"]:\n        with open(d) as f:\n            print(ask(f.read()))\n'
     '    with open("out") as f:\n        print(f.read())\n', True),
    # ... but one whose opening reads the loop's `f` (`with f:`) sees it: refused
    ('def main():\n    for d in ["a", "b"]:\n        with open(d) as f:\n            print(ask(f.read()))\n'
     '    with f:\n        print(f.closed)\n', False),
    # ... and a `with` that binds another name leaves the loop's `f` for its body to read: refused
    ('def main():\n    for d in ["a", "b"]:\n        with open(d) as f:\n            print(ask(f.read()))\n'
     '    with open("out") as g:\n        print(f.name, g.name)\n', False),
])
def test_names_the_loop_binds_are_followed_through_branches_and_later_code(tmp_path, body, fixable):
    statuses = _statuses(tmp_path, HEAD + body + '\n\nif __name__ == "__main__":\n    main()\n')
    assert statuses and all(s.fixable == fixable for s in statuses), [s.reason for s in statuses]

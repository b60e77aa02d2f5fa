"""`batchlint fix` end to end: each program in fix_cases/rewrite runs before and
after the rewrite against the fake API (tests/fakeapi.py) through the real
anthropic SDK; the output must be identical and the rewritten program must
make no synchronous Messages call. Each program in fix_cases/refuse must be
reported, refused with its reason, and left byte-identical."""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from batchlint import check_paths
from batchlint.fix_command import write_file_fix
from batchlint.codemod.fixer import plan_result
from batchlint.config import Config

from fakeapi import FakeAPI
from inprocess import run_program

CASES = Path(__file__).resolve().parent / "fix_cases"
# the programs docs/fix.md shows count too (but the scheduled job, which tests/test_fix_lifecycle.py runs)
REWRITE = sorted([f"rewrite/{p.name}" for p in (CASES / "rewrite").glob("*.py")]
                 + [f"docs/{p.name}" for p in (CASES / "docs").glob("*.py") if p.name != "nightly.py"])
REFUSE = sorted(p.name for p in (CASES / "refuse").glob("*.py"))


def run(path: Path, api: FakeAPI) -> subprocess.CompletedProcess:
    """The program in this process (tests/inprocess.py): before and after the rewrite alike."""
    env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, "ANTHROPIC_API_KEY": "test-key",
           "CLAUDE_BATCH_POLL_SECONDS": "0.01", "PYTHONHASHSEED": "0"}
    return run_program(path, env)


def fix(path: Path):
    """Check the file, plan its fixes, write them; the FileFix values."""
    old = os.getcwd()
    os.chdir(path.parent)
    try:
        result = check_paths([path.name], Config(root=str(path.parent)))
        planned = plan_result(result)
        for file_fix in planned:
            if file_fix.fixed is not None:
                write_file_fix(file_fix)
        return result, planned
    finally:
        os.chdir(old)


def rewrite_and_compare(path: Path, polls_to_end: int = 2) -> tuple[bytes, int]:
    """Run the program, `fix` it, run it again: the same output, every former
    synchronous call sent in a batch, none left; a second `fix` changes
    nothing. The rewritten bytes and the number of batches the run made."""
    with FakeAPI(polls_to_end=polls_to_end) as api:
        before = run(path, api)
        assert before.returncode == 0, before.stderr
        sync_calls = len(api.requests)
    assert sync_calls > 0

    result, planned = fix(path)
    statuses = [s for f in planned for _, s in f.statuses]
    assert statuses and all(s.fixable for s in statuses), [s.reason for s in statuses]
    text = path.read_bytes()
    ast.parse(text)

    with FakeAPI(polls_to_end=polls_to_end) as api:
        after = run(path, api)
        assert after.returncode == 0, after.stderr
        assert api.requests == []  # no synchronous Messages call is left
        assert len(api.batch_requests) == sync_calls
        batches = len(api.batches)
    assert after.stdout == before.stdout

    # A second fix changes nothing: no candidates left, the helper is not added twice.
    result, planned = fix(path)
    assert not [f for f in result.findings if f.code.startswith("BL1")], [(f.code, f.line) for f in result.findings]
    assert path.read_bytes() == text
    return text, batches


@pytest.mark.parametrize("name", REWRITE)
def test_rewrite_keeps_output_and_makes_no_synchronous_calls(tmp_path, name):
    path = tmp_path / Path(name).name
    shutil.copy(CASES / name, path)
    rewrite_and_compare(path)


@pytest.mark.parametrize("name", REFUSE)
def test_refusal_gives_a_reason_and_leaves_the_file_alone(tmp_path, name):
    path = tmp_path / name
    source = (CASES / "refuse" / name).read_bytes()
    path.write_bytes(source)
    expected = source.decode().splitlines()[0].removeprefix("# refuse:").strip()
    result, planned = fix(path)
    statuses = [s for f in planned for _, s in f.statuses]
    assert statuses, "no batch candidate reported"
    assert all(not s.fixable for s in statuses)
    reasons = " | ".join(s.reason for s in statuses)
    assert expected.lower() in reasons.lower(), reasons
    assert path.read_bytes() == source


def test_there_are_enough_cases():
    assert len(REWRITE) >= 20 and len(REFUSE) >= 10


@pytest.mark.parametrize("name", ["rewrite/for_enumerate.py", "docs/routing.py"])
def test_rewritten_programs_survive_expired_and_overloaded_results(tmp_path, name):
    """Partial failures on the first attempts are retried; the output is unchanged."""
    path = tmp_path / Path(name).name
    shutil.copy(CASES / name, path)
    with FakeAPI() as api:
        before = run(path, api)
    fix(path)

    def outcome(custom_id, attempt):
        index = int(hashlib.sha256(custom_id.encode()).hexdigest()[:8], 16)  # custom ids are the runtime's own
        if attempt == 1 and index % 2 == 0:
            return "expired"
        if attempt <= 2 and index % 3 == 1:
            return "errored:overloaded_error"
        return "succeeded"

    with FakeAPI(outcome=outcome) as api:
        after = run(path, api)
        assert after.returncode == 0, after.stderr
        assert len(api.batches) >= 2
    assert after.stdout == before.stdout


def test_a_rewritten_program_fails_loudly_on_invalid_requests(tmp_path):
    path = tmp_path / "for_basic.py"
    shutil.copy(CASES / "rewrite" / path.name, path)
    fix(path)

    def outcome(custom_id, attempt):  # the second request of the batch is invalid
        return "errored:invalid_request_error" if custom_id == api.batch_requests[1]["custom_id"] else "succeeded"

    with FakeAPI(outcome=outcome) as api:
        after = run(path, api)
        assert after.returncode != 0
        assert "1 of" in after.stderr and "batch requests failed" in after.stderr and "item 1" in after.stderr
        assert len(api.batches) == 1  # not retried


def test_loops_calling_a_wrapper_in_another_module_are_rewritten_through_derived_functions(tmp_path):
    """llm.summarize() makes the call; job.py imports it by name, report.py uses
    `llm.summarize`. Both loops become batches; llm.py gains the request, finish
    and messages functions once; summarize() itself stays for other callers."""
    package = tmp_path / "package"
    shutil.copytree(CASES / "package", package)
    before = {}
    with FakeAPI() as api:
        for script in ("job.py", "report.py"):
            proc = run(package / script, api)
            assert proc.returncode == 0, proc.stderr
            before[script] = (proc.stdout, len(api.requests))
            api.requests.clear()
    llm_before = (package / "llm.py").read_text()
    old = os.getcwd()
    os.chdir(package)
    try:
        planned = plan_result(check_paths(["."], Config(root=str(package))))
    finally:
        os.chdir(old)
    assert [f.path for f in planned][0] == "llm.py"  # the helper's file is written first
    fixable = [s.fixable for f in planned for _, s in f.statuses]
    assert fixable == [True, True], [s.reason for f in planned for _, s in f.statuses]
    for file_fix in planned:
        write_file_fix(file_fix)
    llm_after = (package / "llm.py").read_text()
    assert llm_after.count("def _batchlint_request_summarize(") == 1
    assert "def summarize(text, *, words=20):" in llm_after and llm_before.splitlines()[0] == llm_after.splitlines()[0]
    # the derived functions join the import of the wrapper, which job.py no longer uses
    job = (package / "job.py").read_text()
    assert ("from llm import (\n    _batchlint_finish_summarize,\n    _batchlint_messages_summarize,\n"
            "    _batchlint_request_summarize,\n)\n") in job and "summarize," not in job.replace("_summarize,", "")
    assert "llm._batchlint_request_summarize(question)" in (package / "report.py").read_text()
    for script in ("job.py", "report.py"):
        with FakeAPI() as api:
            proc = run(package / script, api)
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout == before[script][0]
            assert api.requests == [] and len(api.batch_requests) == before[script][1]
    texts = {p.name: p.read_bytes() for p in package.glob("*.py")}
    os.chdir(package)
    try:
        again = plan_result(check_paths(["."], Config(root=str(package))))
    finally:
        os.chdir(old)
    assert all(f.fixed is None for f in again)
    assert texts == {p.name: p.read_bytes() for p in package.glob("*.py")}

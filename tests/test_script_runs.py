"""A script run once per item as a child process (`subprocess.run([sys.executable,
"archive_one.py", job])` in a loop) makes its `__main__` block's Claude call a
loop's: reported at the loop that runs it. A script run once, one whose path is
computed, or one the project does not hold is not followed."""

from __future__ import annotations

import pytest
from helpers import expected, run

ONE_JOB = """
import sys

import anthropic

client = anthropic.Anthropic()


def main(job_dir):
    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=128,
                                   messages=[{"role": "user", "content": job_dir}])
    print(reply.content[0].text)


if __name__ == "__main__":
    main(sys.argv[1])
"""

BATCH = """
import os
import subprocess
import sys

if __name__ == "__main__":
    for job_dir in sys.argv[1:]:
        RUN  # mark
"""


def _files(run_line: str, reported: bool, script: str = "scripts/archive_one.py") -> dict[str, str]:
    batch = BATCH.replace("RUN", run_line).replace("# mark", "# expect: BL105" if reported else "")
    return {script: ONE_JOB, "scripts/batch.py": batch}


@pytest.mark.parametrize("files", [
    pytest.param(_files('subprocess.run([sys.executable, "archive_one.py", job_dir], check=True)', True),
                 id="a-list-beside-the-runner"),
    pytest.param(_files('subprocess.check_call(["python", "scripts/archive_one.py", job_dir])', True),
                 id="a-path-from-the-project-root"),
    pytest.param(_files('os.system(f"python scripts/archive_one.py {job_dir}")', True), id="os-system-with-an-f-string"),
    pytest.param(_files('subprocess.run([sys.executable, "-m", "jobs.archive_one", job_dir])', True,
                        script="jobs/archive_one.py"), id="a-module-run-with-dash-m"),
])
def test_a_script_run_per_item_is_reported_at_the_loop(tmp_path, files):
    assert expected(files)
    assert run(tmp_path, files) == expected(files)


@pytest.mark.parametrize("files", [
    pytest.param({"scripts/archive_one.py": ONE_JOB, "scripts/batch.py": BATCH.replace(
        "    for job_dir in sys.argv[1:]:\n        RUN  # mark",
        '    subprocess.run([sys.executable, "archive_one.py", sys.argv[1]], check=True)')},
                 id="neg-run-once"),
    pytest.param(_files('subprocess.run([sys.executable, os.path.join("scripts", "archive_one.py"), job_dir])', False),
                 id="neg-a-computed-path"),
    pytest.param(_files('subprocess.run([sys.executable, "other_tool.py", job_dir])', False),
                 id="neg-a-script-the-project-does-not-hold"),
])
def test_a_script_run_once_or_not_found_is_not_reported(tmp_path, files):
    assert run(tmp_path, files) == []


def test_a_script_without_a_main_block_is_followed_too(tmp_path):
    script = ONE_JOB.replace('if __name__ == "__main__":\n    main(sys.argv[1])', "main(sys.argv[1])")
    files = _files('subprocess.run([sys.executable, "archive_one.py", job_dir], check=True)', True)
    files["scripts/archive_one.py"] = script
    assert "__main__" not in script
    assert run(tmp_path, files) == expected(files)

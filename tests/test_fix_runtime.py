"""Where `fix` puts the batch runtime, when it may write or update it, how the
rewritten module imports it, and what linters say of the result."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner

from batchlint.cli import main
from batchlint.codemod import runtime_file
from batchlint.codemod.imports import add_import, remove_unused
from batchlint.runtime import VERSION

ROOT = Path(__file__).resolve().parent.parent
LOOP = ('import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef main(docs):\n    for d in docs:\n'
        '        r = client.messages.create(model="m", max_tokens=5, messages=[d])\n        print(r)\n\n\n'
        'if __name__ == "__main__":\n    main(["a"])\n')


def fix(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "batchlint", "fix", "--no-cache", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


# ------------------------------------------------------------------ placement
def test_a_package_gets_the_runtime_beside_its_top_level_package(tmp_path, monkeypatch):
    tree(tmp_path, {"mypkg/__init__.py": "", "mypkg/jobs/__init__.py": "", "mypkg/jobs/nightly.py": ""})
    monkeypatch.chdir(tmp_path)
    runtime = runtime_file.locate("mypkg/jobs/nightly.py", str(tmp_path))
    assert (runtime.path, runtime.import_line) == ("mypkg/_claude_batch.py", "from mypkg import _claude_batch")
    assert runtime_file.module_name("mypkg/jobs/nightly.py") == "mypkg.jobs.nightly"


def test_a_folder_whose_name_is_no_identifier_is_not_a_package(tmp_path, monkeypatch):
    """A checkout named `security-review` holding an `__init__.py` of its own:
    no import can name it, so its subpackage is the top-level package (it
    was `from security-review import _claude_batch`, which does not parse)."""
    tree(tmp_path, {"security-review/__init__.py": "", "security-review/core/__init__.py": "",
                    "security-review/core/triage.py": ""})
    monkeypatch.chdir(tmp_path)
    runtime = runtime_file.locate("security-review/core/triage.py", str(tmp_path))
    assert (runtime.path, runtime.import_line) == ("security-review/core/_claude_batch.py", "from core import _claude_batch")
    assert runtime_file.module_name("security-review/core/triage.py") == "core.triage"
    project = tmp_path / "security-review"
    (project / "core" / "triage.py").write_text(
        "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
        "def triage(findings):\n    out = []\n    for finding in findings:\n"
        "        out.append(client.messages.create(model=\"claude-haiku-4-5\", max_tokens=50, "
        "messages=[{\"role\": \"user\", \"content\": finding}]))\n    return out\n")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["fix", "--unsafe-fixes", "--no-cache", "."])
    assert "rewrote 1 loop" in result.output, result.output
    rewritten = (project / "core" / "triage.py").read_text()
    ast.parse(rewritten)
    assert "from core import _claude_batch" in rewritten


def test_a_loose_script_gets_it_beside_itself_unless_it_imports_a_project_package(tmp_path, monkeypatch):
    tree(tmp_path, {"mypkg/__init__.py": "", "scripts/label.py": ""})
    monkeypatch.chdir(tmp_path)
    alone = runtime_file.locate("scripts/label.py", str(tmp_path))
    assert (alone.path, alone.import_line) == ("scripts/_claude_batch.py", "import _claude_batch")
    shared = runtime_file.locate("scripts/label.py", str(tmp_path), imported=frozenset({"mypkg", "json"}))
    assert (shared.path, shared.import_line) == ("mypkg/_claude_batch.py", "from mypkg import _claude_batch")
    # a third-party package of the same name elsewhere does not count: only the project's own
    assert runtime_file.locate("scripts/label.py", str(tmp_path), imported=frozenset({"requests"})).path \
        == "scripts/_claude_batch.py"


def test_runtime_module_setting_chooses_the_place_and_the_import(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runtime = runtime_file.locate("a/b.py", str(tmp_path), "mypkg.batching")
    assert (runtime.path, runtime.import_line) == ("mypkg/batching.py", "from mypkg import batching as _claude_batch")
    top = runtime_file.locate("a/b.py", str(tmp_path), "claude_runtime")
    assert top.import_line == "import claude_runtime as _claude_batch"


def test_one_runtime_for_a_project_whose_scripts_import_its_package(tmp_path):
    tree(tmp_path, {"pyproject.toml": "[tool.batchlint]\n", "mypkg/__init__.py": "",
                    "mypkg/llm.py": LOOP, "scripts/run.py": "from mypkg import llm\n\n" + LOOP})
    proc = fix(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("_claude_batch.py")) == ["mypkg/_claude_batch.py"]
    assert "from mypkg import _claude_batch, llm" in (tmp_path / "scripts/run.py").read_text()


# ------------------------------------------------------------- write, update
def test_the_runtime_header_names_the_version_and_the_hash_of_the_rest():
    first, second, rest = runtime_file.text().split("\n", 2)
    assert first.startswith(f"# Written by batchlint fix: the Message Batches runtime (version {VERSION}, sha256 ")
    assert runtime_file.plan_write("/nonexistent/_claude_batch.py").action == "create"


def test_an_unchanged_copy_is_kept_an_older_one_updated_an_edited_one_left_alone(tmp_path):
    path = tmp_path / "_claude_batch.py"
    path.write_text(runtime_file.text())
    assert runtime_file.plan_write(str(path)).action == "keep"
    # an older copy batchlint wrote: its header's hash matches its own (older) body
    import hashlib
    body = "# an older runtime\n"
    path.write_text(f"# Written by batchlint fix: the Message Batches runtime (version 0, sha256 "
                    f"{hashlib.sha256(body.encode()).hexdigest()[:16]}).\n# note\n{body}")
    update = runtime_file.plan_write(str(path))
    assert update.action == "update" and "version 0 to" in update.note
    assert runtime_file.write_runtime(update) and path.read_text() == runtime_file.text()
    # the user edits it: never overwritten, and batchlint says so
    path.write_text(path.read_text() + "# my tweak\n")
    edited = runtime_file.plan_write(str(path))
    assert edited.action == "edited" and "was edited" in edited.note
    assert runtime_file.write_runtime(edited) == "" and path.read_text().endswith("# my tweak\n")


def test_a_file_of_that_name_batchlint_did_not_write_refuses_the_fixes_that_would_import_it(tmp_path):
    tree(tmp_path, {"label.py": LOOP, "_claude_batch.py": "HELLO = 1\n"})
    proc = fix(tmp_path)
    assert "not written by batchlint" in proc.stderr
    assert (tmp_path / "label.py").read_text() == LOOP
    assert (tmp_path / "_claude_batch.py").read_text() == "HELLO = 1\n"


def test_the_runtime_is_never_written_through_a_link(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("SECRET = 1\n")
    project = tmp_path / "p"
    tree(project, {"label.py": LOOP})
    (project / "_claude_batch.py").symlink_to(outside)
    proc = fix(project)
    assert "is not a regular file" in proc.stderr
    assert outside.read_text() == "SECRET = 1\n" and (project / "label.py").read_text() == LOOP


def test_a_file_that_appears_while_fix_runs_is_not_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "_claude_batch.py"
    write = runtime_file.plan_write(str(path))
    path.write_text("# mine\n")  # appeared after planning
    with pytest.raises(Exception, match="cannot write the batch runtime"):
        runtime_file.write_runtime(write)
    assert path.read_text() == "# mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["_claude_batch.py"]  # no temporary file left


# -------------------------------------------------------------------- imports
def _module(text: str) -> cst.Module:
    return cst.parse_module(text)


@pytest.mark.parametrize("before, after", [
    # a first-party package that is already imported: one statement, names sorted
    ("import os\n\nfrom mypkg import store\n\nx = 1\n", "import os\n\nfrom mypkg import _claude_batch, store\n\nx = 1\n"),
    # no first-party section yet: a new one after the third-party imports
    ("import os\n\nimport anthropic\n\nx = 1\n", "import os\n\nimport anthropic\n\nfrom mypkg import _claude_batch\n\nx = 1\n"),
    # sorted into an existing first-party section
    ('"""Doc."""\n\nimport anthropic\n\nfrom mypkg.a import b\nfrom mypkg.z import y\n',
     '"""Doc."""\n\nimport anthropic\n\nfrom mypkg import _claude_batch\nfrom mypkg.a import b\nfrom mypkg.z import y\n'),
    # no imports at all: after the docstring, two blank lines before a def
    ('"""Doc."""\n\ndef f():\n    pass\n', '"""Doc."""\n\nfrom mypkg import _claude_batch\n\n\ndef f():\n    pass\n'),
])
def test_the_runtime_import_goes_where_isort_puts_it(tmp_path, before, after):
    (tmp_path / "mypkg").mkdir()
    assert add_import(_module(before), "from mypkg import _claude_batch", str(tmp_path)).code == after


def test_a_long_from_import_is_wrapped_one_name_a_line(tmp_path):
    (tmp_path / "mypkg").mkdir()
    new = add_import(_module("from mypkg.llm import ask\n"), "from mypkg.llm import _batchlint_request_ask, "
                     "_batchlint_finish_ask, _batchlint_messages_ask", str(tmp_path), line_length=60).code
    assert new == ("from mypkg.llm import (\n    _batchlint_finish_ask,\n    _batchlint_messages_ask,\n"
                   "    _batchlint_request_ask,\n    ask,\n)\n")


def test_imports_the_rewrite_left_unused_are_removed_and_others_kept():
    before = "import os\nfrom anthropic.types import Message, Usage\n\nm: Message = f()\nu: Usage = g()\nos.getcwd()\n"
    after = _module("import os\nfrom anthropic.types import Message, Usage\n\nm = f()\nu: Usage = g()\nos.getcwd()\n")
    assert remove_unused(before, after).code == "import os\nfrom anthropic.types import Usage\n\nm = f()\nu: Usage = g()\nos.getcwd()\n"
    # a name that was never used (F401 already) is not batchlint's to remove
    assert remove_unused("import json\n", _module("import json\n")).code == "import json\n"


# ------------------------------------------------------------ linters, output
ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))


@pytest.mark.skipif(not os.path.exists(ruff), reason="ruff is a test extra")
def test_the_rewritten_fixtures_add_no_ruff_finding(tmp_path):
    """`fix --unsafe-fixes` on the sample project: ruff's default rules and its
    isort rules find nothing in the rewritten files or the runtime."""
    project = tmp_path / "fixtures"
    shutil.copytree(ROOT / "fixtures", project, ignore=shutil.ignore_patterns(".batchlint_cache"))
    rules = ["--isolated", "--no-cache", "--select", "E4,E7,E9,F,I", "--output-format", "concise"]
    before = subprocess.run([ruff, "check", *rules, "."], cwd=project, capture_output=True, text=True)
    assert before.returncode == 0, before.stdout
    proc = fix(project, "--unsafe-fixes")
    assert proc.returncode == 0, proc.stderr
    rewritten = [line.split(":")[0] for line in proc.stderr.splitlines() if ": rewrote " in line]
    assert len(rewritten) >= 4, proc.stderr
    after = subprocess.run([ruff, "check", *rules, "."], cwd=project, capture_output=True, text=True)
    assert after.returncode == 0, after.stdout
    assert len(list(project.rglob("_claude_batch.py"))) == 1


def test_fix_lists_unsafe_fixes_and_applies_them_only_when_asked(tmp_path):
    scheduled = LOOP.replace('if __name__ == "__main__":\n    main(["a"])\n', "") + 'CRONJOBS = [("0 3 * * *", "job.main")]\n'
    tree(tmp_path, {"job.py": scheduled})
    listed = fix(tmp_path, "--isolated")
    assert listed.returncode == 0
    assert "job.py:8:13: BL103 unsafe fix not applied (a scheduled job" in listed.stderr
    assert (tmp_path / "job.py").read_text() == scheduled
    diff = fix(tmp_path, "--isolated", "--diff")
    assert diff.returncode == 1 and "BL103 unsafe fix:" in diff.stderr and "wait=False" in diff.stdout
    applied = fix(tmp_path, "--isolated", "--unsafe-fixes")
    assert applied.returncode == 0 and 'Batch(client.messages, "job:main", wait=False)' in (tmp_path / "job.py").read_text()


def test_split_is_gone_with_a_pointer(tmp_path):
    proc = fix(tmp_path, "--split")
    assert proc.returncode == 2 and "non-blocking form" in proc.stderr


def test_lines_the_rewrite_adds_stay_within_the_line_length(tmp_path):
    """A wrapper whose call is on one line: its request builder lays the dict
    out one key a line; the loop's long names are wrapped as black would."""
    helper = ("import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef summarize_thread(text, style):\n"
              "    reply = client.messages.create(model='claude-haiku-4-5', max_tokens=300, "
              "messages=[{'role': 'user', 'content': text}], system=style)\n    return reply.content[0].text\n")
    loop = ("from llm import summarize_thread\n\n\ndef main(tickets):\n    for ticket in tickets:\n"
            "        print(summarize_thread(ticket, 'Summarize this support conversation in a few words, please'))\n\n\n"
            "if __name__ == '__main__':\n    main(['a'])\n")
    tree(tmp_path, {"llm.py": helper, "job.py": loop})
    before = {name: (tmp_path / name).read_text().splitlines() for name in ("llm.py", "job.py")}
    proc = fix(tmp_path, "--isolated")
    assert proc.returncode == 0 and "rewrote 1 loop" in proc.stderr, proc.stderr
    for name, old in before.items():
        added = [line for line in (tmp_path / name).read_text().splitlines() if line not in old]
        assert added and all(len(line) <= 88 for line in added), [line for line in added if len(line) > 88]

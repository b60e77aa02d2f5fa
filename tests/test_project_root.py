"""Paths choose what is reported, not what is analyzed (project_root.py).

The single-file, subfolder and flake8 views of a project equal the project
view restricted to them; a project's findings do not depend on unrelated
projects beside it in the same tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import write

from batchlint import check_paths
from batchlint.config import Config
from batchlint.project_root import find_root, scope_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def places(findings) -> list[tuple[str, int, int, str]]:
    return sorted((os.path.abspath(f.path), f.line, f.column, f.code) for f in findings)


def in_dir(directory, fn):
    old = os.getcwd()
    os.chdir(directory)
    try:
        return fn()
    finally:
        os.chdir(old)


def view(directory, paths, config) -> list[tuple[str, int, int, str]]:
    """check_paths(paths) run in `directory`: the places of its findings, absolute."""
    return in_dir(directory, lambda: places(check_paths(paths, config).findings))


def views_equal_project(top: Path, config: Config | None = None) -> int:
    """Assert every file's and every folder's view equals the project view
    restricted to it; the number of project findings."""
    config = config or Config(root=str(top))
    by_file = view(top, ["."], config)
    files = sorted(p for p in top.rglob("*.py") if ".batchlint_cache" not in p.parts)
    for path in files:
        assert view(top, [str(path.relative_to(top))], config) == [p for p in by_file if p[0] == str(path)], path
    for folder in sorted({p.parent for p in files} - {top}):
        inside = [p for p in by_file if p[0].startswith(str(folder) + os.sep)]
        assert view(top, [str(folder.relative_to(top))], config) == inside, folder
        # from inside the folder, with no path given (`cd scripts && batchlint check`)
        assert view(folder, ["."], config) == inside, folder
    return len(by_file)


def test_fixtures_views_equal_the_project_view():
    assert views_equal_project(FIXTURES) == 19


def test_fixtures_is_its_own_project_from_the_checkout():
    assert find_root(str(FIXTURES / "acme_support" / "tasks.py")) == str(FIXTURES)
    result = in_dir(FIXTURES.parent, lambda: check_paths(["fixtures"], Config()))
    assert len(result.findings) == 19
    single = in_dir(FIXTURES.parent, lambda: check_paths(["fixtures/acme_support/tasks.py"], Config()))
    assert [f.line for f in single.findings] == [41, 42, 52, 65, 94]
    assert (single.files_checked, single.files_parsed) == (1, 1)


WRAPPER = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "app/__init__.py": "",
    "app/llm.py": '''
        import anthropic

        client = anthropic.Anthropic()


        def ask(prompt):
            return client.messages.create(model="claude-haiku-5-5", max_tokens=10,
                                          messages=[{"role": "user", "content": prompt}])
        ''',
    "scripts/run.py": '''
        from app.llm import ask


        def main(rows):
            for row in rows:
                ask(row)  # expect: BL101
        ''',
    "scripts/plain.py": "x = 1\n",
}


def test_single_file_finds_the_wrapper_in_another_file(tmp_path):
    write(tmp_path, WRAPPER)
    single = in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], Config()))
    assert [(f.path, f.line, f.code) for f in single.findings] == [("scripts/run.py", 6, "BL101")]
    assert views_equal_project(tmp_path) == 1


def test_without_a_root_marker_the_working_directory_is_the_project(tmp_path):
    """As ruff does: a file named inside the working directory is reported as
    the working directory's analysis sees it; outside it, the paths alone."""
    write(tmp_path, {k: v for k, v in WRAPPER.items() if k != "pyproject.toml"})
    assert find_root(str(tmp_path / "scripts" / "run.py")) is None  # pytest's folders hold no marker
    whole = in_dir(tmp_path, lambda: check_paths(["."], Config()))
    assert [(f.path, f.line) for f in whole.findings] == [("scripts/run.py", 6)]
    single = in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], Config()))
    assert [(f.path, f.line) for f in single.findings] == [("scripts/run.py", 6)]  # the wrapper is read
    alone = in_dir(tmp_path / "scripts", lambda: check_paths([str(tmp_path / "app" / "llm.py")], Config()))
    assert alone.findings == ()  # outside the working directory: the path alone


def test_project_root_option_and_key(tmp_path):
    files = {k: v for k, v in WRAPPER.items() if k != "pyproject.toml"}
    write(tmp_path, files)
    explicit = in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], Config(), project_root=str(tmp_path)))
    assert [f.line for f in explicit.findings] == [6]
    in_code = in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], Config(project_root=str(tmp_path))))
    assert in_code.findings == explicit.findings  # a Config made in code, read from no file: its caller's choice too
    (tmp_path / "scripts" / "pyproject.toml").write_text('[tool.batchlint]\nproject-root = ".."\n')
    (tmp_path / "setup.cfg").write_text("")  # the key's folder must be a project (see below)
    from batchlint.config import find_config, load_config

    config = load_config(find_config(str(tmp_path / "scripts")))
    assert config.project_root == str(tmp_path)
    keyed = in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], config))
    assert [f.line for f in keyed.findings] == [6]
    # without the key, scripts/ is a project of its own (its pyproject.toml): the wrapper is not in it
    alone = in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], Config()))
    assert alone.findings == ()


def test_temporary_and_home_folders_are_never_a_root(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    assert find_root(str(tmp_path / "sub")) is None
    (tmp_path / "sub" / "setup.cfg").write_text("")
    assert find_root(str(tmp_path / "sub")) == str(tmp_path / "sub")


def test_scope_reports_only_given_paths(tmp_path):
    write(tmp_path, WRAPPER)
    scope = in_dir(tmp_path, lambda: scope_for(["scripts"]))
    assert scope.roots == (str(tmp_path),)
    assert scope.reports(str(tmp_path / "scripts" / "run.py"))
    assert not scope.reports(str(tmp_path / "scripts_old" / "run.py"))  # a prefix is not a folder
    assert not scope.everything


# Two unrelated repositories whose modules share names: inside one tree,
# `from llm import ask` in `quiet/` must not reach `loud/`'s llm.py.
MONOREPO = {
    "loud/.git/HEAD": "ref: refs/heads/main\n",
    "loud/llm.py": WRAPPER["app/llm.py"],
    "loud/run.py": '''
        from llm import ask


        def main(rows):
            for row in rows:
                ask(row)  # expect: BL101
        ''',
    "quiet/setup.py": "",
    "quiet/llm.py": '''
        def ask(prompt):
            return prompt.upper()
        ''',
    "quiet/run.py": '''
        from llm import ask


        def main(rows):
            for row in rows:
                ask(row)
        ''',
    "loose.py": "import anthropic\n",
}


@pytest.mark.parametrize("outer_marker", [False, True])
def test_a_repository_gives_the_same_findings_alone_and_inside_a_tree(tmp_path, outer_marker):
    write(tmp_path, MONOREPO)
    if outer_marker:
        (tmp_path / "pyproject.toml").write_text("")
    tree = in_dir(tmp_path, lambda: check_paths(["."], Config()))
    for repo in ("loud", "quiet"):
        inside = [p for p in view(tmp_path, ["."], Config()) if p[0].startswith(str(tmp_path / repo) + os.sep)]
        assert view(tmp_path / repo, ["."], Config()) == inside, repo
    assert [(f.path, f.line) for f in tree.findings] == [("loud/run.py", 6)]
    assert views_equal_project(tmp_path) == 1


def test_an_explicit_root_makes_the_tree_one_project(tmp_path):
    write(tmp_path, MONOREPO)
    scope = in_dir(tmp_path, lambda: scope_for(["."], str(tmp_path)))
    assert not scope.split
    split = in_dir(tmp_path, lambda: scope_for(["."]))
    assert split.split


def flake8(*args: str, cwd: Path) -> list[tuple[str, int, int, str]]:
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select", "BL", *args], check=False, cwd=cwd, capture_output=True,
                          text=True)
    assert proc.returncode in (0, 1), proc.stderr
    out = []
    for line in proc.stdout.splitlines():
        path, row, col, rest = line.split(":", 3)
        out.append((os.path.abspath(os.path.join(cwd, path)), int(row), int(col), rest.split()[0]))
    return sorted(out)


def test_flake8_view_equals_the_project_view(tmp_path):
    project = in_dir(FIXTURES, lambda: check_paths(["."], Config()))
    hidden = [f for f, why in project.suppressed_findings if why == "noqa"]
    expected = view(FIXTURES, ["."], Config())
    assert flake8(".", cwd=FIXTURES) == expected
    assert flake8("--disable-noqa", ".", cwd=FIXTURES) == in_dir(FIXTURES, lambda: places((*project.findings, *hidden)))
    one = str(FIXTURES / "scripts" / "run_eval.py")
    assert flake8("scripts/run_eval.py", cwd=FIXTURES) == [p for p in expected if p[0] == one]
    assert [p[1:] for p in expected if p[0] == one]  # a finding that needs another file
    write(tmp_path, WRAPPER)
    assert [p[1:] for p in flake8("scripts/run.py", cwd=tmp_path)] == [(6, 9, "BL101")]


TESTS = {
    "pyproject.toml": "",
    "app/llm.py": WRAPPER["app/llm.py"],
    "app/jobs.py": '''
        from app.llm import ask


        def nightly(rows):
            for row in rows:
                ask(row)  # expect: BL101
        ''',
    "tests/test_llm.py": '''
        from app.llm import ask


        def test_many(rows):
            for row in rows:
                ask(row)
        ''',
    "app/conftest.py": '''
        from app.llm import ask


        def seed(rows):
            for row in rows:
                ask(row)
        ''',
    "app/llm_test.py": '''
        from app.llm import ask


        def check_all(rows):
            return [ask(row) for row in rows]
        ''',
}


def test_test_code_is_not_reported_unless_asked(tmp_path):
    write(tmp_path, TESTS)
    default = in_dir(tmp_path, lambda: check_paths(["."], Config()))
    assert [(f.path, f.line) for f in default.findings] == [("app/jobs.py", 6)]
    assert {f.path for f, why in default.suppressed_findings if why.startswith("test code")} == {
        "tests/test_llm.py", "app/conftest.py", "app/llm_test.py"}
    included = in_dir(tmp_path, lambda: check_paths(["."], Config(include_tests=True)))
    assert sorted(f.path for f in included.findings) == ["app/conftest.py", "app/jobs.py", "app/llm_test.py",
                                                          "tests/test_llm.py"]
    # a folder named like a test only counts inside the project
    from batchlint.project_root import is_test_path

    assert not is_test_path(str(tmp_path / "app" / "jobs.py"), str(tmp_path))
    assert is_test_path(str(tmp_path / "tests" / "x.py"), str(tmp_path))
    assert not is_test_path(str(tmp_path / "testing" / "x.py"), str(tmp_path))
    # a program of its own under tests/ (a benchmark script run as a job) is not test code
    bench = tmp_path / "tests" / "benchmarks" / "run_eval.py"
    bench.parent.mkdir(parents=True)
    bench.write_text('def main():\n    pass\n\n\nif __name__ == "__main__":\n    main()\n')
    helper = tmp_path / "tests" / "benchmarks" / "fixtures_data.py"
    helper.write_text("ROWS = []\n")
    assert not is_test_path(str(bench), str(tmp_path)) and is_test_path(str(helper), str(tmp_path))
    # and a module-level script under tests/ (BL105) is reported, while a test module is not
    write(tmp_path / "tests" / "evals", {
        "likert.py": "import anthropic\n\nclient = anthropic.Anthropic()\nrows = ['a', 'b']\n"
                     "out = [client.messages.create(model='m', max_tokens=5, messages=[r]) for r in rows]\n",
        "test_likert.py": "import anthropic\n\nclient = anthropic.Anthropic()\nrows = ['a', 'b']\n"
                          "out = [client.messages.create(model='m', max_tokens=5, messages=[r]) for r in rows]\n",
    })
    found = in_dir(tmp_path, lambda: check_paths(["."], Config()))
    assert "tests/evals/likert.py" in {f.path for f in found.findings}
    assert "tests/evals/test_likert.py" in {f.path for f, _ in found.suppressed_findings}


def test_include_tests_key(tmp_path):
    from batchlint.config import ConfigError, load_config

    (tmp_path / "pyproject.toml").write_text("[tool.batchlint]\ninclude-tests = true\n")
    assert load_config(str(tmp_path / "pyproject.toml")).include_tests is True
    (tmp_path / "pyproject.toml").write_text("[tool.batchlint]\ninclude-tests = 1\n")
    with pytest.raises(ConfigError, match="include-tests"):
        load_config(str(tmp_path / "pyproject.toml"))


def test_diff_base_with_changed_files_reports_from_the_project(tmp_path):
    """lint-staged / review bots pass the changed files: the finding in the
    changed file needs the wrapper in a file that did not change."""
    from click.testing import CliRunner
    from test_gate import git

    from batchlint.cli import main

    write(tmp_path, {**WRAPPER, "scripts/run.py": "from app.llm import ask\n\n\ndef main(rows):\n    return rows\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    write(tmp_path, {"scripts/run.py": WRAPPER["scripts/run.py"]})  # the loop is new

    def check(*args):
        return in_dir(tmp_path, lambda: CliRunner().invoke(main, ["check", "--no-cache", "-j", "1", "--diff-base", "HEAD",
                                                                   *args], catch_exceptions=False))

    changed = check("scripts/run.py")
    assert changed.exit_code == 1 and "scripts/run.py:6:9: BL101" in changed.output
    assert check("app/llm.py").exit_code == 0  # the finding is not located there
    assert check(".").output.count("BL101") == 1


@pytest.mark.parametrize("outer_marker", [False, True])
def test_fixtures_give_the_same_findings_inside_a_tree_of_other_repositories(tmp_path, outer_marker):
    import shutil

    shutil.copytree(FIXTURES, tmp_path / "sample", ignore=shutil.ignore_patterns(".batchlint_cache"))
    # neighbours whose modules share the sample's names (llm, tasks, acme_support.kb)
    write(tmp_path, {**{f"other/{k}": v for k, v in MONOREPO.items() if k.startswith("quiet/")},
                     "other/tasks.py": "from llm import ask\n\n\ndef enrich_ticket(t):\n    return ask(t)\n",
                     "vendored/acme_support/__init__.py": "", "vendored/.git/HEAD": "x\n",
                     "vendored/acme_support/kb.py": "def translate(x):\n    return x\n"})
    if outer_marker:
        (tmp_path / "setup.cfg").write_text("")

    def relative(top):
        return [(os.path.relpath(p[0], top),) + p[1:] for p in view(top, ["."], Config())]

    alone = relative(tmp_path / "sample")
    inside = [p for p in relative(tmp_path) if p[0].startswith("sample" + os.sep)]
    assert len(alone) == 19
    assert [(os.path.join("sample", p[0]),) + p[1:] for p in alone] == inside


def test_a_configured_root_must_hold_the_config_and_a_marker(tmp_path):
    """A pyproject.toml from a pull request must not point the run at a tree
    it does not belong to."""
    from batchlint.config import ConfigError, load_config

    write(tmp_path, {**WRAPPER, "elsewhere/x.py": "import anthropic\n"})
    (tmp_path / "scripts" / "pyproject.toml").write_text('[tool.batchlint]\nproject-root = ".."\n')
    config = load_config(str(tmp_path / "scripts" / "pyproject.toml"))
    assert [f.line for f in in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], config)).findings] == [6]
    for value, problem in (("../elsewhere", "must be this file's folder or a folder above it"),
                           ("../..", "must hold a pyproject.toml"),  # above the project: no marker there
                           ("../missing", "is not a folder")):
        (tmp_path / "scripts" / "pyproject.toml").write_text(f'[tool.batchlint]\nproject-root = "{value}"\n')
        config = load_config(str(tmp_path / "scripts" / "pyproject.toml"))
        with pytest.raises(ConfigError, match=problem):
            in_dir(tmp_path, lambda config=config: check_paths(["scripts/run.py"], config))
    # the command line is the user's own choice: no marker needed
    (tmp_path / "pyproject.toml").unlink()
    explicit = in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], Config(), project_root=str(tmp_path)))
    assert [f.line for f in explicit.findings] == [6]
    in_code = in_dir(tmp_path, lambda: check_paths(["scripts/run.py"], Config(project_root=str(tmp_path))))
    assert in_code.findings == explicit.findings  # a Config made in code, read from no file: its caller's choice too


@pytest.mark.parametrize("config_there", ["none", "a key pointing elsewhere"])
def test_the_project_root_option_is_the_user_s_choice_whatever_the_configuration(tmp_path, config_there):
    """`--project-root` on the command line names the project even where no
    configuration file is inside it, or one names another root."""
    import json

    from click.testing import CliRunner

    from batchlint.cli import main

    tree = tmp_path / "tree"
    write(tree, {**WRAPPER, "elsewhere/x.py": "import anthropic\n"})
    (tree / "pyproject.toml").unlink()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    if config_there != "none":  # the configuration found for the path names a root the key may not name
        (tree / "scripts" / "pyproject.toml").write_text('[tool.batchlint]\nproject-root = "../elsewhere"\n')
    out = in_dir(elsewhere, lambda: CliRunner().invoke(
        main, ["check", "--no-cache", "--format", "json", "--project-root", str(tree), str(tree / "scripts" / "run.py")]))
    assert out.exit_code == 1, out.output
    assert [f["line"] for f in json.loads(out.output)["findings"]] == [6]  # the wrapper's caller: the project was read


def test_a_nested_project_the_root_imports_is_read_with_it(tmp_path):
    """A workspace member (`packages/core/` with its own pyproject.toml, a
    `src/` layout) is a project of its own, but the root project imports its
    package: calls into it resolve, and each finding is reported once."""
    write(tmp_path, {
        "pyproject.toml": "",
        "packages/core/pyproject.toml": "",
        "packages/core/src/corelib/__init__.py": "",
        "packages/core/src/corelib/llm.py": WRAPPER["app/llm.py"],
        "packages/core/src/corelib/batch.py": '''
            from corelib.llm import ask


            def label_all(rows):
                for row in rows:
                    ask(row)
            ''',
        "jobs/__init__.py": "",
        "jobs/nightly.py": '''
            from corelib.llm import ask


            def main(rows):
                for row in rows:
                    ask(row)
            ''',
    })
    found = sorted((f.path, f.line) for f in in_dir(tmp_path, lambda: check_paths(["."], Config())).findings)
    assert found == [("jobs/nightly.py", 6), ("packages/core/src/corelib/batch.py", 6)]
    unrelated = dict(MONOREPO)  # and a neighbour that imports nothing of it still changes nothing
    write(tmp_path / "other", {k: v for k, v in unrelated.items() if k.startswith("quiet/")})
    again = sorted((f.path, f.line) for f in in_dir(tmp_path, lambda: check_paths(["."], Config())).findings)
    assert again == found


@pytest.mark.parametrize("marker", [None, "pyproject.toml"])
def test_the_view_equality_script(tmp_path, marker):
    """scripts/view_equality.py measures the evaluation repositories
    (docs/evaluation.md); here it runs on generated ones, with a root marker
    and without (the shape whose narrow views differed before the working
    directory counted as the project)."""
    files = {path: text for path, text in WRAPPER.items() if path != "pyproject.toml"}
    if marker:
        files[marker] = ""
    write(tmp_path / "repo", files)
    script = Path(__file__).resolve().parent.parent / "scripts" / "view_equality.py"
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "repo")],
                          capture_output=True, text=True, check=False)
    assert proc.stdout.splitlines() == [f"{tmp_path / 'repo'}: 1 files with findings, 0 views differ"], proc.stderr
    assert proc.returncode == 0


def test_a_namespace_import_gives_the_same_findings_from_inside_a_subfolder(tmp_path):
    """`from models import claude` (models/ without __init__.py) in
    evaluation/run.py: run from evaluation/, the files outside it carry
    absolute paths and the import must bind as it does from the root."""
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'bench'\n",
        "models/claude.py": WRAPPER["app/llm.py"],
        "evaluation/run.py": '''
            import sys

            sys.path.append("..")
            from models import claude

            if __name__ == "__main__":
                for row in open("rows.txt"):
                    claude.ask(row)  # expect: BL105
            ''',
    })
    assert views_equal_project(tmp_path) == 1


REACHED_FROM_TESTS = {
    "pyproject.toml": "",
    "app/__init__.py": "",
    "app/claude.py": '''
        import anthropic


        class ClaudeService:
            def __init__(self):
                self.client = anthropic.Anthropic()

            def __call__(self, prompt):
                return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                                   messages=[{"role": "user", "content": prompt}])
        ''',
    "app/meta.py": '''
        class MetaProcessor:
            def __init__(self, service):
                self.service = service

            def __call__(self, prompts):
                return [self.service(p) for p in prompts]
        ''',
    "tests/test_meta.py": '''
        from app.claude import ClaudeService
        from app.meta import MetaProcessor


        def test_meta():
            MetaProcessor(ClaudeService())(["a", "b"])
        ''',
}


def test_production_code_reached_only_from_a_test_is_not_reported(tmp_path):
    """The service that reaches Claude is handed in only by a test: no
    production volume (`include-tests = true` reports it). A script that
    hands it in too makes it production."""
    files = dict(REACHED_FROM_TESTS)
    write(tmp_path / "a", files)
    assert in_dir(tmp_path / "a", lambda: check_paths(["."], Config())).findings == ()
    included = in_dir(tmp_path / "a", lambda: check_paths(["."], Config(include_tests=True)))
    assert [(f.path, f.code) for f in included.findings] == [("app/meta.py", "BL101")]
    files["run.py"] = ("from app.claude import ClaudeService\nfrom app.meta import MetaProcessor\n\n"
                       "if __name__ == '__main__':\n    MetaProcessor(ClaudeService())(['a', 'b'])\n")
    write(tmp_path / "b", files)
    assert [(f.path, f.code) for f in in_dir(tmp_path / "b", lambda: check_paths(["."], Config())).findings] == [
        ("app/meta.py", "BL105")]


def test_a_library_loop_whose_only_visible_caller_is_its_test_is_reported_as_uncalled(tmp_path):
    """A decoder's own pool map over prompts, called by name from a config at
    run time and, visibly, only by its integration test: a loop with no known
    entry point (BL102 here), as if the test were not there."""
    write(tmp_path, {
        "pyproject.toml": "",
        "lib/__init__.py": "",
        "lib/decoders.py": '''
            from multiprocessing.pool import ThreadPool

            import anthropic

            client = anthropic.Anthropic()


            def _one(prompt):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])


            def anthropic_completions(prompts):
                with ThreadPool(4) as p:
                    return p.map(_one, prompts)  # expect: BL102
            ''',
        "tests/test_decoders.py": '''
            from lib.decoders import anthropic_completions


            def test_completions():
                assert anthropic_completions(["a"])
            ''',
    })
    found = in_dir(tmp_path, lambda: check_paths(["."], Config()))
    assert [(f.path, f.line, f.code) for f in found.findings] == [("lib/decoders.py", 14, "BL102")]
    assert "not called from any analyzed code" in found.findings[0].evidence[-1]


@pytest.mark.parametrize("test_functions", [3, 250])
def test_a_large_test_suite_does_not_hide_the_production_loop(tmp_path, test_functions):
    """Chains through tests are walked after the production ones: a suite
    that drives one loader in many ways (each test a chain) must not use up
    the walk's bound before another loader's loop, which the CLI runs, is
    reached (bilingual_book_maker: 147 chains through one test file)."""
    tests = "".join(f"\n\ndef test_{i}():\n    assert MdLoader().run(['x'])\n" for i in range(test_functions))
    write(tmp_path, {
        "pyproject.toml": "",
        "aaa_tests/test_md.py": "from zz_app.loaders import MdLoader\n" + tests,
        "zz_app/__init__.py": "",
        "zz_app/translator.py": '''
            import anthropic

            client = anthropic.Anthropic()


            def translate(text):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])
            ''',
        "zz_app/loaders.py": '''
            from zz_app.translator import translate


            class MdLoader:
                def run(self, lines):
                    return [translate(line) for line in lines]


            class TxtLoader:
                def run(self, lines):
                    out = []
                    for line in lines:
                        out.append(translate(line))  # expect: BL105
                    return out
            ''',
        "zz_app/cli.py": '''
            import sys

            from zz_app.loaders import TxtLoader

            if __name__ == "__main__":
                TxtLoader().run(open(sys.argv[1]).readlines())
            ''',
    })
    found = in_dir(tmp_path, lambda: check_paths(["."], Config()))
    assert [(f.path, f.line, f.code) for f in found.findings] == [
        ("zz_app/loaders.py", 6, "BL101"), ("zz_app/loaders.py", 13, "BL105")]


def test_the_flake8_view_of_a_crlf_file_is_the_project_view(tmp_path):
    """flake8 hands the plugin a CRLF file's lines with plain newlines: still
    the file on disk, so the answer comes from the project analysis (the loop
    over a wrapper in another file), not from the file alone."""
    write(tmp_path, WRAPPER)
    run = tmp_path / "scripts" / "run.py"
    run.write_bytes(run.read_bytes().replace(b"\n", b"\r\n"))
    assert [p[1:] for p in flake8("scripts/run.py", cwd=tmp_path)] == [(6, 9, "BL101")]


def test_a_view_inside_a_package_folder_resolves_imports_spelled_from_above(tmp_path):
    """Run inside marker/processors/llm/ (marker/ has no __init__.py), the
    folder's own __init__.py is `__init__.py` to the working directory, yet
    llm_meta.py imports its base class as `marker.processors.llm`: the
    spellings come from the absolute path, so the view equals the project's."""
    write(tmp_path, {
        "pyproject.toml": "",
        "marker/services/__init__.py": '''
            import anthropic


            class Service:
                def __init__(self):
                    self.client = anthropic.Anthropic()

                def __call__(self, prompt):
                    return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                                       messages=[{"role": "user", "content": prompt}])
            ''',
        "marker/processors/__init__.py": "",
        "marker/processors/llm/__init__.py": '''
            from marker.services import Service


            class BaseLLMProcessor:
                def __init__(self, service: Service):
                    self.service = service
            ''',
        "marker/processors/llm/meta.py": '''
            from marker.processors.llm import BaseLLMProcessor
            from marker.services import Service


            class Meta(BaseLLMProcessor):
                def run(self, prompts, fallback: Service = None):
                    return [self.service(p) for p in prompts]  # expect: BL101
            ''',
    })
    assert views_equal_project(tmp_path) == 1


def test_a_neighbour_project_with_a_bad_scripts_table_is_a_warning(tmp_path):
    """Checked from a folder with no marker (the working directory is the
    project), a neighbour project's malformed [project.scripts] warns and the
    run goes on; the project holding the given path still fails on its own."""
    write(tmp_path / "mine", {path: text for path, text in WRAPPER.items() if path != "pyproject.toml"})
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "pyproject.toml").write_text('project = "not a table"\n')
    (tmp_path / "other" / "job.py").write_text("x = 1\n")
    result = in_dir(tmp_path, lambda: check_paths(["mine"], Config()))
    assert [(f.path, f.code) for f in result.findings] == [("mine/scripts/run.py", "BL101")]
    assert any("other" in n and "its scripts are not read" in n for n in result.notices)
    from batchlint.config import ConfigError

    with pytest.raises(ConfigError):
        in_dir(tmp_path, lambda: check_paths(["other"], Config()))

"""Hostile or odd input (issue 22): valid code, odd names, deep expressions,
hostile YAML and config. Each costs at most the findings of the file it is
in; the run goes on, with one line naming the file, and JSON stays valid.
Every hostile file is generated here, never committed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchlint.cli import main

from helpers import check, triples

LOOP = (
    "import anthropic\n"
    "client = anthropic.Anthropic()\n"
    "def main(rows):\n"
    "    for row in rows:\n"
    "        client.messages.create(model='claude-haiku-4-5', max_tokens=5, messages=[])\n"
)


def cli(tmp_path: Path, *args: str):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, [*args, "--no-cache", "."], catch_exceptions=False)
    finally:
        os.chdir(old)


# ------------------------------------------------------------ valid code, odd names
def test_class_based_on_a_parameter_keeps_the_run(tmp_path):
    factory = "def make(base):\n    class Wrapped(base):\n        pass\n    return Wrapped\n"
    result = check(tmp_path, {"a.py": LOOP + factory, "b.py": LOOP})
    assert triples(result) == [("a.py", 5, "BL101"), ("b.py", 5, "BL101")]


def test_class_based_on_a_parameter_still_resolves_project_bases(tmp_path):
    # the fix must not stop ordinary project bases from resolving
    files = {
        "a.py": LOOP + "class Base:\n    def run(self, rows):\n        main(rows)\n"
                       "class Child(Base):\n    pass\n"
                       "def make(base):\n    class Wrapped(base):\n        pass\n    return Wrapped\n",
    }
    result = check(tmp_path, files)
    from batchlint.analysis.project import Project
    from batchlint.discovery import read_source
    from batchlint.parsing import parse_file

    source, _ = read_source(str(tmp_path / "a.py"))
    project = Project([parse_file(source)[0]])
    assert project.subclasses[f"{source.module}.Base"] == [f"{source.module}.Child"]
    assert triples(result) == [("a.py", 5, "BL101")]


@pytest.mark.parametrize("name", ["script (1).py", "x(1).py", "x)(.py", "plain.py"])
def test_parentheses_in_a_file_name_keep_its_findings(tmp_path, name):
    result = check(tmp_path, {name: LOOP, "other.py": LOOP})
    assert triples(result) == sorted([(name, 5, "BL101"), ("other.py", 5, "BL101")])


def test_parentheses_in_a_package_folder_keep_its_findings(tmp_path):
    files = {"pkg (copy)/__init__.py": "", "pkg (copy)/job.py": LOOP}
    assert triples(check(tmp_path, files)) == [("pkg (copy)/job.py", 5, "BL101")]


# ------------------------------------------------------------ deep expressions and the rewrite planner
CHAIN = "X = " + " + ".join(["1"] * 400) + "\n"
DEEP = {"chain": CHAIN, "unary": "X = " + "-" * 600 + "1\n", "attribute": "X = a" + ".b" * 600 + "\n"}


@pytest.mark.parametrize("tail", DEEP.values(), ids=DEEP.keys())
@pytest.mark.parametrize("args", [("fix", "--diff"), ("check", "--format", "json"), ("check", "--format", "sarif"),
                                  ("check", "--show-context")], ids=["fix", "json", "sarif", "context"])
def test_deep_expression_leaves_its_file_unfixed_and_the_run_goes_on(tmp_path, args, tail):
    (tmp_path / "deep.py").write_text(LOOP + tail)
    (tmp_path / "good.py").write_text(LOOP)
    result = cli(tmp_path, *args)
    assert "Traceback" not in result.output
    if args[0] == "fix":
        assert result.exit_code == 1  # --diff with something to fix
        assert "deep.py:5:9: BL101 not fixed: too deeply nested to rewrite" in result.stderr
        assert "+++ b/good.py" in result.stdout and "deep.py" not in result.stdout
    elif args[-1] in ("json", "sarif"):
        data = json.loads(result.stdout)
        if args[-1] == "json":
            fixes = {f["path"]: f["fix"] for f in data["findings"]}
            assert fixes["good.py"]["fixable"] is True
            assert fixes["deep.py"] == {"fixable": False, "reason": "too deeply nested to rewrite (RecursionError); left as it is",
                                        "safety": None, "unsafe_because": None}
    else:
        assert "fix: not fixable: too deeply nested to rewrite" in result.stdout
        assert "fix: fixable (" in result.stdout


# ------------------------------------------------------------ one file's trouble costs that file only
def _raise_for_bad(original, path_of):
    """`original`, raising for the file bad.py (whose path `path_of(args)` gives)."""
    def patched(*args, **kwargs):
        if os.path.basename(str(path_of(*args, **kwargs))) == "bad.py":
            raise ValueError("boom")
        return original(*args, **kwargs)
    return patched


def _stage_patches(monkeypatch, stage: str) -> None:
    from batchlint import parsing, suppression
    from batchlint.analysis import chains, project

    if stage == "index":
        monkeypatch.setattr(parsing, "index_module", _raise_for_bad(parsing.index_module, lambda tree, path, *a, **k: path))
    elif stage == "project":
        original = project.Project._build_graph
        monkeypatch.setattr(project.Project, "_build_graph", _raise_for_bad(
            original, lambda self, **k: "bad.py" if any(f.path.endswith("bad.py") for f in self.files) else ""))
    elif stage == "classify":
        original = chains.ChainWalker.chains
        monkeypatch.setattr(chains.ChainWalker, "chains", _raise_for_bad(original, lambda self, site, path: path))
    elif stage == "estimate":
        monkeypatch.setattr(chains, "_usage", _raise_for_bad(chains._usage, lambda verdict, site, path, pragmas: path))
    elif stage == "suppress":
        monkeypatch.setattr(suppression, "realtime_suppression",
                            _raise_for_bad(suppression.realtime_suppression, lambda facts, finding: finding.path))


STAGES = {"index": "index", "project": "resolve its names across files", "classify": "classify its Claude calls",
          "estimate": "estimate the cost", "suppress": "read its suppression comments"}


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_failing_on_one_file_costs_that_file_only(tmp_path, monkeypatch, stage, jobs):
    _stage_patches(monkeypatch, stage)
    files = {"bad.py": LOOP, **{f"good{i}.py": LOOP for i in range(4)}}
    from helpers import write

    write(tmp_path, files)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        from batchlint import check_paths
        from batchlint.config import Config

        result = check_paths(["."], Config(root=str(tmp_path)), jobs=jobs)
    finally:
        os.chdir(old)
    assert triples(result) == [(f"good{i}.py", 5, "BL101") for i in range(4)]
    assert [(e.path, e.code) for e in result.errors] == [("bad.py", "BL003")]
    assert "boom" in result.errors[0].message
    if stage != "index":
        assert STAGES[stage] in result.errors[0].message


def test_a_stage_failure_is_one_line_and_exit_1(tmp_path, monkeypatch):
    _stage_patches(monkeypatch, "classify")
    (tmp_path / "bad.py").write_text(LOOP)
    (tmp_path / "good.py").write_text(LOOP)
    result = cli(tmp_path, "check")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "bad.py:1:1: BL003 internal error while trying to classify its Claude calls" in result.stdout
    assert "good.py:5:9: BL101" in result.stdout


def test_keyboard_interrupt_still_ends_the_run(tmp_path, monkeypatch):
    from batchlint.analysis import chains

    def interrupted(self, site, path):
        raise KeyboardInterrupt
    monkeypatch.setattr(chains.ChainWalker, "chains", interrupted)
    with pytest.raises(KeyboardInterrupt):
        check(tmp_path, {"good.py": LOOP})


def test_planner_failing_on_one_file_leaves_it_unfixed(tmp_path, monkeypatch):
    from batchlint.codemod import plan

    original = plan.Planner.plan

    def patched(self, *args, **kwargs):
        if "BAD" in self.module.code:
            raise ValueError("boom")
        return original(self, *args, **kwargs)
    monkeypatch.setattr(plan.Planner, "plan", patched)
    (tmp_path / "bad.py").write_text(LOOP + "# BAD\n")
    (tmp_path / "good.py").write_text(LOOP)
    result = cli(tmp_path, "fix", "--diff")
    assert "Traceback" not in result.output
    assert "bad.py:5:9: BL101 not fixed: internal error while planning the rewrite (ValueError: boom)" in result.stderr
    assert "+++ b/good.py" in result.stdout and "bad.py" not in result.stdout


# ------------------------------------------------------------ hostile YAML and schedule files
ONE_CALL = "import anthropic\nanthropic.Anthropic().messages.create(model='claude-haiku-4-5', max_tokens=5, messages=[])\n"
GOOD_WORKFLOW = "on:\n  schedule:\n    - cron: '0 6 * * *'\njobs:\n  digest:\n    steps:\n      - run: python good.py\n"


def _bomb(depth: int = 9) -> str:
    """A billion laughs: `depth` levels of nine aliases each (9**9 values expanded)."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, depth):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


BOMB = _bomb()
LAST = "*l8"
HOSTILE_YAML = {
    "github-bomb": (".github/workflows/bomb.yml",
                    "on:\n  schedule:\n    - cron: '0 1 * * *'\n" + BOMB + f"jobs:\n  x:\n    steps:\n      - run: {LAST}\n"),
    "gitlab-bomb": (".gitlab-ci.yml", BOMB + f"job:\n  script: {LAST}\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n"),
    "cronjob-bomb": ("k8s/cron.yaml", "kind: CronJob\n" + BOMB + "spec:\n  schedule: '0 1 * * *'\n  jobTemplate:\n    spec:\n"
                     f"      template:\n        spec:\n          containers:\n            - command: {LAST}\n"),
    "self-alias": (".github/workflows/loop.yml", "on:\n  schedule:\n    - cron: '0 1 * * *'\njobs: &j\n  x: *j\n"),
}


@pytest.mark.parametrize("case", HOSTILE_YAML, ids=HOSTILE_YAML.keys())
def test_yaml_alias_bomb_is_refused_with_one_notice(tmp_path, case):
    name, text = HOSTILE_YAML[case]
    result = check(tmp_path, {name: text, ".github/workflows/good.yml": GOOD_WORKFLOW, "good.py": ONE_CALL})
    assert triples(result) == [("good.py", 2, "BL103")]  # the good workflow is still read
    notice = f"batchlint: note: {name}: schedule file skipped: its YAML aliases expand to over 100,000 values (an alias bomb?)"
    assert result.notices == (notice,)


def test_yaml_with_few_aliases_is_read(tmp_path):
    workflow = ("on:\n  schedule:\n    - cron: '0 6 * * *'\n" + _bomb(3) +
                "jobs:\n  digest:\n    steps:\n      - run: python good.py\n        env: {x: *l2}\n")
    result = check(tmp_path, {".github/workflows/good.yml": workflow, "good.py": ONE_CALL})
    assert triples(result) == [("good.py", 2, "BL103")] and result.notices == ()


ODD_SHAPES = {
    "cron-int": (".github/workflows/w.yml", "on:\n  schedule:\n    - cron: 5\njobs:\n  x:\n    steps:\n      - run: python bad.py\n"),
    "cron-list": (".github/workflows/w.yml", "on:\n  schedule:\n    - cron: [1, 2]\njobs:\n  x:\n    steps:\n      - run: python bad.py\n"),
    "jobs-list": (".github/workflows/w.yml", "on:\n  schedule:\n    - cron: '0 1 * * *'\njobs:\n  - python bad.py\n"),
    "steps-5": (".github/workflows/w.yml", "on:\n  schedule:\n    - cron: '0 1 * * *'\njobs:\n  x:\n    steps: 5\n"),
    "gitlab-rules-str": (".gitlab-ci.yml", "job:\n  script: python bad.py\n  rules: schedule\n  only: schedules\n"),
    "spec-list": ("k8s/cron.yaml", "kind: CronJob\nspec:\n  - python bad.py\n"),
    "containers-str": ("k8s/cron.yaml", ("kind: CronJob\nspec:\n  schedule: '0 1 * * *'\n  jobTemplate:\n    spec:\n"
                                         "      template:\n        spec:\n          containers: python bad.py\n")),
    "command-5": ("k8s/cron.yaml", ("kind: CronJob\nspec:\n  schedule: '0 1 * * *'\n  jobTemplate:\n    spec:\n"
                                    "      template:\n        spec:\n          containers:\n            - command: 5\n")),
    "functions-list": ("serverless.yml", "functions:\n  - bad.main\n"),
    "events-5": ("serverless.yml", "functions:\n  f:\n    handler: bad.main\n    events: 5\n"),
    "resources-list": ("template.yaml", "Resources:\n  - bad.main\n"),
    "sam-events-list": ("template.yaml", "Resources:\n  F:\n    Properties:\n      Handler: bad.main\n      Events:\n        - x\n"),
    "deep": ("k8s/cron.yaml", "kind: CronJob\nspec: " + "[" * 20000 + "]" * 20000 + "\n"),
}


@pytest.mark.parametrize("case", ODD_SHAPES, ids=ODD_SHAPES.keys())
def test_yaml_of_an_odd_shape_declares_nothing_and_the_run_goes_on(tmp_path, case):
    name, text = ODD_SHAPES[case]
    files = {name: text, ".github/workflows/good.yml": GOOD_WORKFLOW, "good.py": ONE_CALL, "bad.py": ONE_CALL}
    result = check(tmp_path, files)
    assert triples(result) == [("good.py", 2, "BL103")]  # bad.py: no schedule read, one call, nothing to say
    assert result.notices == ()


def test_a_reader_failing_on_one_file_is_one_notice(tmp_path, monkeypatch):
    from batchlint import external

    def broken(text, path, base):
        raise ValueError("boom")
    monkeypatch.setitem(external._READERS, "gitlab", broken)
    files = {".gitlab-ci.yml": "x: schedule\n", ".github/workflows/good.yml": GOOD_WORKFLOW, "good.py": ONE_CALL}
    result = check(tmp_path, files)
    assert triples(result) == [("good.py", 2, "BL103")]
    assert result.notices == ("batchlint: note: .gitlab-ci.yml: schedule file skipped: cannot read it (ValueError: boom)",)


def test_workflow_over_the_size_limit_is_skipped_with_a_notice(tmp_path):
    big = GOOD_WORKFLOW.replace("good.py", "bad.py") + "#" * (1024 * 1024) + "\n"
    files = {".github/workflows/big.yml": big, ".github/workflows/good.yml": GOOD_WORKFLOW, "good.py": ONE_CALL,
             "bad.py": ONE_CALL}
    result = check(tmp_path, files)
    assert triples(result) == [("good.py", 2, "BL103")]
    (notice,) = result.notices
    assert notice.startswith("batchlint: note: .github/workflows/big.yml: schedule file skipped: ")
    assert notice.endswith("bytes is over the 1 MiB limit")


def test_workflow_just_under_the_size_limit_is_read(tmp_path):
    text = GOOD_WORKFLOW + "#" * (1024 * 1024 - len(GOOD_WORKFLOW) - 2) + "\n"
    result = check(tmp_path, {".github/workflows/good.yml": text, "good.py": ONE_CALL})
    assert triples(result) == [("good.py", 2, "BL103")] and result.notices == ()


@pytest.mark.parametrize("value, cron", [("Mon..Tue..Wed *-*-* 01:00", ""), ("Mon..Fri *-*-* 09:00", "00 09 * * 1-5")])
def test_oncalendar_with_a_broken_range_is_unknown(value, cron):
    from batchlint.external import oncalendar_to_cron

    assert oncalendar_to_cron(value) == cron


def test_systemd_timer_with_a_broken_range_still_schedules_its_service(tmp_path):
    files = {"x.timer": "[Timer]\nOnCalendar=Mon..Tue..Wed *-*-* 01:00\n", "x.service": "[Service]\nExecStart=python good.py\n",
             "good.py": ONE_CALL}
    result = check(tmp_path, files)
    assert triples(result) == [("good.py", 2, "BL103")]


# ------------------------------------------------------------ configuration
BAD_CONFIG = {
    "tool-int": ("tool = 5\n", "`tool` must be a table"),
    "project-str": ('project = "x"\n[tool.batchlint]\n', "`project` must be a table"),
    "scripts-list": ("[project]\nscripts = [1]\n[tool.batchlint]\n", "`[project] scripts` must be a table"),
    "scripts-int-value": ("[project]\nscripts = {a = 1}\n[tool.batchlint]\n", "`[project] scripts` must be a table"),
    "chars-per-token-0": ("[tool.batchlint.savings]\nchars-per-token = 0\n", "`chars-per-token` must be a positive number"),
    "items-400-digits": ("[tool.batchlint.savings]\nitems-per-run = " + "9" * 400 + "\n", "`items-per-run` must be at most 1,000,000,000"),
    "items-inf": ("[tool.batchlint.savings]\nitems-per-run = inf\n", "`items-per-run` must be a finite number"),
    "fill-nan": ("[tool.batchlint.savings]\noutput-fill = nan\n", "`output-fill` must be a non-negative number"),
    "runs-inf": ("[tool.batchlint.savings.runs-per-month]\nloop = inf\n", "`runs-per-month.loop` must be a finite number"),
    "price-nan": ("[tool.batchlint.pricing.models.m]\ninput = nan\noutput = 1\n", "`models.m.input` must be a non-negative number"),
    "price-huge": ("[tool.batchlint.pricing.models.m]\ninput = 1e300\noutput = 1\n", "`models.m.input` must be at most"),
}


@pytest.mark.parametrize("case", BAD_CONFIG, ids=BAD_CONFIG.keys())
def test_bad_config_value_is_exit_2_naming_file_and_key(tmp_path, case):
    text, message = BAD_CONFIG[case]
    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "a.py").write_text(LOOP)
    result = cli(tmp_path, "check", "--config", "pyproject.toml", "--format", "json")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and "pyproject.toml: " in line and message in line
    assert result.stdout == ""


GOOD_CONFIG = {
    "chars-per-token": "[tool.batchlint.savings]\nchars-per-token = 0.5\n",
    "items-at-limit": "[tool.batchlint.savings]\nitems-per-run = 1_000_000_000\n",
    "items-zero": "[tool.batchlint.savings]\nitems-per-run = 0\n",
    "scripts": "[project]\nscripts = {digest = \"a:main\"}\n[tool.batchlint]\n",
}


@pytest.mark.parametrize("case", GOOD_CONFIG, ids=GOOD_CONFIG.keys())
def test_config_values_within_bounds_are_taken(tmp_path, case):
    (tmp_path / "pyproject.toml").write_text(GOOD_CONFIG[case])
    (tmp_path / "a.py").write_text(LOOP)
    result = cli(tmp_path, "check", "--config", "pyproject.toml", "--format", "json")
    assert result.exit_code == 1, result.output
    assert [f["code"] for f in _strict_json(result.stdout)["findings"]] == ["BL101"]


# ------------------------------------------------------------ numbers in analyzed code
def _strict_json(text: str):
    def refuse(constant):
        raise AssertionError(f"invalid JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


HUGE = "1" + "0" * 400
CALL = "client.messages.create(model='claude-haiku-4-5', max_tokens={tokens}, messages=[])"


def _loop(head: str, tokens: str = "5", comment: str = "") -> str:
    return (f"import anthropic\nclient = anthropic.Anthropic()\nrows = []\n"
            f"for row in {head}:{comment}\n    {CALL.format(tokens=tokens)}\n")


NUMBERS = {
    "range-literal": (_loop(f"range({HUGE})"), "items per run", "1000000000"),
    "range-power": (_loop("range(10**400)"), "items per run", "100"),  # not a literal: unknown, the default
    "slice": (_loop(f"rows[:{HUGE}]"), "items per run", "1000000000"),
    "max-tokens": (_loop("rows", tokens=HUGE), "max_tokens", "1000000000"),
    "volume": (_loop("rows", comment="  # batchlint: volume=" + "9" * 400 + "/run"), "calls per month", "4e+09"),
    "range-ok": (_loop("range(500)"), "items per run", "500"),
}


@pytest.mark.parametrize("case", NUMBERS, ids=NUMBERS.keys())
def test_huge_numbers_in_code_are_clamped_and_json_stays_valid(tmp_path, case):
    source, name, value = NUMBERS[case]
    (tmp_path / "a.py").write_text(source)
    result = cli(tmp_path, "check", "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    (finding,) = _strict_json(result.stdout)["findings"]
    assumptions = {a["name"]: a["value"] for a in finding["estimate"]["assumptions"]}
    assert assumptions[name] == value
    assert finding["estimate"]["monthly_usd"]["now"] < 1e30


def test_deeply_nested_huge_loops_keep_the_estimate_finite(tmp_path):
    nested = "".join("    " * i + f"for a{i} in range({HUGE}):\n" for i in range(19))
    source = "import anthropic\nclient = anthropic.Anthropic()\n" + nested + "    " * 19 + CALL.format(tokens=HUGE) + "\n"
    (tmp_path / "a.py").write_text(source)
    check_json = _strict_json(cli(tmp_path, "check", "--format", "json").stdout)
    assert [f["code"] for f in check_json["findings"]] == ["BL105"] and check_json["errors"] == []
    assert check_json["findings"][0]["estimate"]["calls_per_month"] == 1e18  # clamped, not infinite
    for args in (("check", "--format", "json"), ("report", "--format", "json")):
        result = cli(tmp_path, *args)
        assert "Traceback" not in result.output
        _strict_json(result.stdout)
    sarif = cli(tmp_path, "check", "--format", "sarif")
    _strict_json(sarif.stdout)


SCHEDULED = ("import anthropic\nfrom apscheduler.schedulers.blocking import BlockingScheduler\nsched = BlockingScheduler()\n"
             "client = anthropic.Anthropic()\n@sched.scheduled_job('interval', {interval})\ndef job():\n    {call}\n")


@pytest.mark.parametrize("interval, runs", [("seconds=0", "30"), ("seconds=" + "9" * 400, "30"), ("minutes=0", "30"),
                                            ("interval=0", "30"), ("hours=1", "720")])
def test_zero_or_unreadable_interval_is_an_unknown_schedule(tmp_path, interval, runs):
    (tmp_path / "a.py").write_text(SCHEDULED.format(interval=interval, call=CALL.format(tokens="5")))
    result = cli(tmp_path, "check", "--format", "json")
    assert "Traceback" not in result.output
    (finding,) = _strict_json(result.stdout)["findings"]
    assert {a["name"]: a["value"] for a in finding["estimate"]["assumptions"]}["runs per month"] == runs


@pytest.mark.parametrize("schedule, runs", [("rate(0 minutes)", None), ("rate(" + "9" * 5000 + " minutes)", None),
                                            ("every(0).minutes", None), ("'interval', interval=0", None),
                                            ("rate(5 minutes)", 8640.0),
                                            ("rate(1 second)", 2592000.0)])
def test_runs_per_month_of_zero_and_unreadable_intervals(schedule, runs):
    from batchlint.savings.estimate import runs_per_month

    assert runs_per_month(schedule) == runs


def test_serverless_rate_zero_is_an_unknown_schedule(tmp_path):
    files = {"serverless.yml": "functions:\n  f:\n    handler: job.main\n    events:\n      - schedule: rate(0 minutes)\n",
             "job.py": "import anthropic\nclient = anthropic.Anthropic()\ndef main(event, context):\n"
                       f"    {CALL.format(tokens='5')}\n"}
    result = check(tmp_path, files)
    (finding,) = result.findings
    assert finding.code == "BL103" and result.errors == ()
    assert ("runs per month", "30") in {(a.name, a.value) for a in finding.estimate.assumptions}


# ------------------------------------------------------------ a directory named like a file
def test_a_directory_named_x_py_is_walked_as_a_folder(tmp_path):
    files = {"x.py/inner.py": LOOP, "pkg.py/__init__.py": LOOP, "plain.py": LOOP}
    result = check(tmp_path, files)
    assert triples(result) == [("pkg.py/__init__.py", 5, "BL101"), ("plain.py", 5, "BL101"), ("x.py/inner.py", 5, "BL101")]
    assert result.files_checked == 3  # the folders themselves are not files to read


def test_a_directory_named_x_py_given_on_the_command_line_is_walked(tmp_path):
    (tmp_path / "x.py").mkdir()
    (tmp_path / "x.py" / "inner.py").write_text(LOOP)
    result = cli(tmp_path / "x.py", "check")  # cli() passes "."; from the parent, name the folder itself
    assert "inner.py:5:9: BL101" in result.stdout
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        named = CliRunner().invoke(main, ["check", "--no-cache", "x.py"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert named.exit_code == 1 and "x.py/inner.py:5:9: BL101" in named.stdout and "BL001" not in named.stdout


@pytest.mark.parametrize("value, bounded", [(7, 7), (2.5, 2.5), (0, 0), (-5, 0), (10**400, 10**9), (float("inf"), 10**9),
                                            (float("nan"), 0), (float("-inf"), 0)])
def test_clamp(value, bounded):
    from batchlint.boundary import clamp

    assert clamp(value) == bounded

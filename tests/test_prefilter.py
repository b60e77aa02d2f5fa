"""The prefilter: a file that never mentions the SDK is parsed only when it
names a Claude-reaching function *and* imports something that can bring it in.

Each case pairs a caller that must be parsed (its loop is a finding) with one
that names the same function but imports an unrelated module of the same
name, which must not be parsed at all."""

from __future__ import annotations

import os

import pytest

import batchlint.analyze as checker
from batchlint.discovery import SourceFile
from batchlint.prefilter import import_targets

from helpers import check, expected, triples

HELPER = """
import anthropic

client = anthropic.Anthropic()


def summarize(text):
    return client.messages.create(model="claude-haiku-5-5", max_tokens=50, messages=[{"role": "user", "content": text}])
"""

UNRELATED = """
def summarize(text):
    return text[:10]
"""


def caller(import_line: str, call: str = "summarize(t)", expect: bool = True) -> str:
    marker = "  # expect: BL105" if expect else ""
    return f"{import_line}\n\nif __name__ == \"__main__\":\n    for t in open(\"tickets.txt\"):\n        {call}{marker}\n"


@pytest.fixture
def parsed(monkeypatch):
    """Paths (relative) of every file this run parses."""
    seen: list[str] = []
    real = checker.parse_file

    def recording(source, *args, **kwargs):
        seen.append(source.path.replace(os.sep, "/"))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(checker, "parse_file", recording)
    return seen


CASES = {
    "absolute import": {
        "acme/__init__.py": "",
        "acme/llm.py": HELPER,
        "jobs/run.py": caller("from acme.llm import summarize"),
    },
    "module imported, attribute call": {
        "acme/__init__.py": "",
        "acme/llm.py": HELPER,
        "jobs/run.py": caller("from acme import llm", "llm.summarize(t)"),
    },
    "dotted import": {
        "acme/__init__.py": "",
        "acme/llm.py": HELPER,
        "jobs/run.py": caller("import acme.llm", "acme.llm.summarize(t)"),
    },
    "re-export through the package": {
        "acme/__init__.py": "from .llm import summarize\n",
        "acme/llm.py": HELPER,
        "jobs/run.py": caller("from acme import summarize"),
    },
    "relative import": {
        "acme/__init__.py": "",
        "acme/llm.py": HELPER,
        "acme/run.py": caller("from .llm import summarize"),
    },
    "sibling scripts": {
        "scripts/llm.py": HELPER,
        "scripts/run.py": caller("from llm import summarize"),
    },
}


def with_lookalike(name: str) -> dict[str, str]:
    """A case plus the same function name and module word in another
    package, which must never be parsed."""
    return {
        **CASES[name],
        "other/__init__.py": "",
        "other/llm.py": UNRELATED,
        "other/run.py": caller("from other.llm import summarize", expect=False),
    }


@pytest.mark.parametrize("name", CASES)
def test_caller_that_imports_the_helper_is_parsed(tmp_path, parsed, name):
    files = with_lookalike(name)
    assert triples(check(tmp_path, files)) == expected(files)
    caller_path = next(p for p, text in files.items() if "expect: BL105" in text)
    assert caller_path in parsed
    assert "other/run.py" not in parsed and "other/llm.py" not in parsed


def test_name_without_an_import_that_can_bring_it_is_not_parsed(tmp_path, parsed):
    files = {
        "acme/__init__.py": "",
        "acme/llm.py": HELPER,
        "jobs/run.py": caller("from acme.llm import summarize"),
        # mentions `summarize` and the word `acme`, but imports nothing of it
        "docs/notes.py": '"""acme: summarize() lives in acme.llm."""\nfrom textwrap import shorten as summarize\n',
    }
    assert triples(check(tmp_path, files)) == expected(files)
    assert "docs/notes.py" not in parsed


def _source(module: str, text: str, is_package: bool = False) -> SourceFile:
    return SourceFile(module.replace(".", "/") + ".py", "/x.py", module, is_package, text)


def test_import_targets_reads_every_import_form():
    text = (
        "import os, acme.llm as l\n"
        "from acme.jobs import (\n    run,\n)\n"
        "from . import sibling\n"
        "from ..common.util import helper\n"
        "    import lazy.mod  # inside a function\n"
        "x = 'from nowhere import this'  # not at the start of a line\n"
        "import importlib; importlib.import_module('not.read')  # the word again, later on the line\n"
        "from first import a; import second  # only a line's first statement counts\n"
        "import last"  # no final newline
    )
    got = import_targets(_source("pkg.sub.mod", text))
    assert {"os", "acme", "acme.llm", "acme.jobs", "pkg.sub", "pkg.common.util", "common.util", "lazy", "lazy.mod"} <= got
    assert {"importlib", "first", "last"} <= got
    assert not {"nowhere", "not.read", "second"} & got
    assert {"pkg.sub.sibling", "sibling"} <= got  # `from . import sibling`: the name is a module


def test_import_targets_of_a_script_importing_its_neighbours_relatively():
    text = "from . import common, llm as model\nfrom . import (\n    helpers,  # shared\n    io,\n)\n"
    assert import_targets(_source("job", text)) >= {"common", "llm", "helpers", "io"}


def test_a_relative_import_with_a_space_after_its_dots():
    # `from . timelinemaker import x` is valid Python (the dots are their own token)
    got = import_targets(_source("app.views", "from . timelinemaker import analyze\nfrom .. shared import util\n"))
    assert {"app.timelinemaker", "shared"} <= got


def test_relative_import_in_a_package_init():
    got = import_targets(_source("pkg.sub", "from .llm import ask\n", is_package=True))
    assert "pkg.sub.llm" in got


def test_seed_is_an_sdk_import_not_a_mention(tmp_path, parsed):
    files = {
        # names Claude only in a string (a LiteLLM model id) and a comment: no SDK call can be here
        "router.py": '# anthropic models go through litellm\nMODEL = "anthropic/claude-haiku-5-5"\n',
        # imports the SDK inside a function: parsed, and its loop found
        "batch.py": (
            "def run(rows):\n"
            "    import anthropic\n"
            "    client = anthropic.Anthropic()\n"
            "    for r in rows:\n"
            "        client.messages.create(model='m', max_tokens=1, messages=[])  # expect: BL101\n"
        ),
    }
    assert triples(check(tmp_path, files)) == expected(files)
    assert parsed == ["batch.py"]


def test_a_configured_client_factory_seeds_without_an_sdk_import(tmp_path, parsed):
    from batchlint.config import Config

    files = {
        "jobs.py": (
            "from vendor import make_llm_client  # wraps anthropic\n"
            "client = make_llm_client()\n"
            "def run(rows):\n"
            "    for r in rows:\n"
            "        client.messages.create(model='m', max_tokens=1, messages=[])  # expect: BL101\n"
        ),
    }
    config = Config(root=str(tmp_path), client_factories=("vendor.make_llm_client",))
    assert triples(check(tmp_path, files, config=config)) == expected(files)
    assert parsed == ["jobs.py"]


def test_modules_a_relevant_file_hands_a_carrier_to_are_parsed_its_other_imports_are_not(tmp_path, parsed):
    files = {
        "evals/__init__.py": "",
        # never names the SDK or the sampler: reached because a relevant file passes it one
        "evals/runner.py": (
            "def run_eval(sampler, rows):\n"
            "    return [sampler.ask(r) for r in rows]  # expect: BL101\n"
        ),
        "evals/clock.py": "import datetime\n\ndef today():\n    return datetime.date.today().isoformat()\n",
        "evals/report.py": "import json\n\ndef write(results, path):\n    json.dump(results, open(path, 'w'))\n",
        "evals/main.py": (
            "import anthropic\n"
            "from evals.runner import run_eval\n"
            "from evals.clock import today\n"
            "from evals.report import write\n\n"
            "class Sampler:\n"
            "    def __init__(self):\n"
            "        self.client = anthropic.Anthropic()\n\n"
            "    def ask(self, text):\n"
            "        return self.client.messages.create(model='m', max_tokens=5, messages=[{'role': 'user', 'content': text}])\n\n"
            "def main():\n"
            "    print('run of', today())\n"
            "    results = run_eval(Sampler(), ['a', 'b'])\n"
            "    write(results, 'out.json')\n"
        ),
    }
    assert triples(check(tmp_path, files)) == expected(files)
    assert "evals/runner.py" in parsed
    assert "evals/clock.py" not in parsed  # called with nothing to pass on: it cannot call Claude
    assert "evals/report.py" not in parsed  # handed results and a path, nothing that can call Claude


CARRIER_RUNNER = (
    "def run_all(llm, rows):\n"
    "    return [{call} for r in rows]  # expect: {code}\n"
)
FORMATTER = "def fmt(rows, width):\n    return [r[:width] for r in rows]\n"


@pytest.mark.parametrize("name, main, call, code", [
    (
        "a client made here",
        "import anthropic\n\ndef main():\n    llm = anthropic.Anthropic()\n",
        "llm.messages.create(model='m', max_tokens=5, messages=[{'role': 'user', 'content': r}])", "BL105",
    ),
    (
        "an object whose class, in a third module, reaches Claude",
        "from sampler import ClaudeSampler\n\ndef main():\n    llm = ClaudeSampler()\n",
        "llm(r)", "BL105",
    ),
    (
        "a function that reaches Claude",
        "from sampler import ask as llm\n\ndef main():\n",
        "llm(r)", "BL105",
    ),
])
def test_a_module_handed_a_claude_carrier_is_parsed_one_handed_plain_values_is_not(tmp_path, parsed, name, main, call, code):
    """The caller holds no Claude-reaching code itself (it only makes a
    client or an object, or names a function), so the file it hands them to
    mentions nothing relevant: only the value passed says it matters."""
    files = {
        "sampler.py": (
            "import anthropic\n\n"
            "class ClaudeSampler:\n"
            "    def __init__(self):\n"
            "        self.client = anthropic.Anthropic()\n\n"
            "    def __call__(self, text):\n"
            "        return self.client.messages.create(model='m', max_tokens=5, messages=[{'role': 'user', 'content': text}])\n\n"
            "def ask(text):\n"
            "    return ClaudeSampler()(text)\n"
        ),
        "runner.py": CARRIER_RUNNER.format(call=call, code=code),
        "formatting.py": FORMATTER,
        "main.py": (
            main
            + "    from formatting import fmt\n"
            + "    rows = fmt(['a', 'b'], 10)\n"
            + "    from runner import run_all\n"
            + "    return run_all(llm, rows)\n\n"
            + "if __name__ == '__main__':\n    main()\n"
        ),
    }
    assert triples(check(tmp_path, files)) == expected(files)
    assert "runner.py" in parsed
    assert "formatting.py" not in parsed  # handed a list and a number: it cannot call Claude


def test_part_of_a_client_is_a_carrier_what_a_call_returned_is_not(tmp_path, parsed):
    """`client.messages` handed on can still make calls; the message a call
    returned cannot, so neither the module it is handed to nor one that
    imports it by name is worth a parse."""
    files = {
        "main.py": (
            "import anthropic\n"
            "from report import save\n"
            "from runner import run_all\n\n"
            "client = anthropic.Anthropic()\n"
            "reply = client.messages.create(model='m', max_tokens=5, messages=[{'role': 'user', 'content': 'hi'}])\n"
            "save(reply)\n"
            "run_all(client.messages, ['a', 'b'])\n"
        ),
        "runner.py": (
            "def run_all(api, rows):\n"
            "    return [api.create(model='m', max_tokens=5, messages=[{'role': 'user', 'content': r}]) for r in rows]  # expect: BL105\n"
        ),
        "report.py": "def save(reply):\n    print(reply.content[0].text)\n",
        "digest.py": "from main import reply\n\nprint(reply.content[0].text)\n",
    }
    assert triples(check(tmp_path, files)) == expected(files)
    assert "runner.py" in parsed
    assert "report.py" not in parsed and "digest.py" not in parsed


def _findings(result):
    return sorted((f.path.replace(os.sep, "/"), f.line, f.column, f.code, f.message) for f in result.findings)


def _every_file_parsed(monkeypatch):
    monkeypatch.setattr(checker, "seed_test", lambda config: (lambda source: True))


def test_the_sample_project_gives_the_same_findings_as_parsing_every_file(monkeypatch):
    """The prefilter is only a saving: on fixtures/ its findings equal those
    of a run that parses every file, message for message."""
    from test_fixture_project import _run

    filtered = _run()
    _every_file_parsed(monkeypatch)
    everything = _run()
    assert filtered.files_parsed < everything.files_parsed == everything.files_checked
    assert _findings(filtered) == _findings(everything) != []


@pytest.mark.parametrize("name", CASES)
def test_each_import_case_gives_the_same_findings_as_parsing_every_file(tmp_path, monkeypatch, name):
    files = with_lookalike(name)
    filtered = check(tmp_path, files)
    _every_file_parsed(monkeypatch)
    everything = check(tmp_path, files)
    assert filtered.files_parsed < everything.files_parsed
    assert _findings(filtered) == _findings(everything) != []

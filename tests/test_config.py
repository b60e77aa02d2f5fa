"""[tool.batchlint]: keys, validation, and project knowledge (factories, contexts)."""

from __future__ import annotations

import pytest

from batchlint.config import Config, ConfigError, config_from_table

from helpers import check, triples


def test_unknown_key_names_key_and_file():
    with pytest.raises(ConfigError, match=r"pyproject.toml: unknown key `exlude`"):
        config_from_table({"exlude": []}, "pyproject.toml")


@pytest.mark.parametrize(
    "table, message",
    [
        ({"select": "BL1"}, "`select` must be a list"),
        ({"select": ["E501"]}, "`E501` is not a batchlint code"),
        ({"per-file-ignores": {"tests/*": "BL101"}}, "must map to a list of codes"),
        ({"client-factories": [1]}, "`client-factories` must be a list of non-empty strings"),
        ({"client-factories": ["myapp/llm.py:get_client"]}, "`myapp/llm.py:get_client` is not a dotted name"),
        ({"client-factories": ["myapp..get_client"]}, "is not a dotted name"),
        ({"interactive-contexts": ["app.route("]}, "`app.route\\(` is not a dotted name"),
        ({"pricing": {"default-model": "claude-sonet-5"}}, "`default-model` `claude-sonet-5` is not in the price table "
                                                           "\\(did you mean `claude-sonnet-5`"),
    ],
)
def test_bad_values(table, message):
    with pytest.raises(ConfigError, match=message):
        config_from_table(table, "pyproject.toml")


@pytest.mark.parametrize("table", [
    {"client-factories": ["myapp.llm.get_client", "myapp.llm.Clients.*", "shared_llm.*client", "make_?"]},
    {"pricing": {"default-model": "claude-haiku-4-5"}},
    {"pricing": {"default-model": "in-house-model", "models": {"in-house-model": {"input": 1, "output": 2}}}},
])
def test_good_values_beside_the_bad_ones(table):
    assert config_from_table(table, "pyproject.toml").source == "pyproject.toml"


def test_select_ignore_longest_prefix_wins():
    config = Config(select=("BL",), ignore=("BL1",))
    assert not config.code_enabled("BL101")
    config = Config(select=("BL", "BL103"), ignore=("BL1",))
    assert config.code_enabled("BL103") and not config.code_enabled("BL101")


FACTORY_PROJECT = {
    "myapp/__init__.py": "",
    "myapp/llm.py": """
        from myapp.vendor import make_llm_client

        def get_client():
            return make_llm_client()
    """,
    "myapp/vendor.py": """
        def make_llm_client():
            raise NotImplementedError  # resolved at run time in this codebase
    """,
    "myapp/jobs.py": """
        from myapp.llm import get_client

        def relabel(rows):
            client = get_client()
            for row in rows:
                client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[])
    """,
}


def test_client_factory_from_config(tmp_path):
    assert triples(check(tmp_path, FACTORY_PROJECT)) == []
    config = Config(root=str(tmp_path), client_factories=("myapp.vendor.make_llm_client",))
    assert triples(check(tmp_path, config=config)) == [("myapp/jobs.py", 6, "BL101")]


CUSTOM_CONTEXTS = {
    "jobs.py": """
        import anthropic
        from acme.infra import cron_job, http_endpoint

        client = anthropic.Anthropic()

        @cron_job("0 3 * * *")
        def nightly():
            client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[])

        @http_endpoint("/x")
        def handler(rows):
            for row in rows:
                client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[])
    """,
}


def test_configured_batch_and_interactive_contexts(tmp_path):
    assert triples(check(tmp_path, CUSTOM_CONTEXTS)) == [("jobs.py", 13, "BL101")]
    config = Config(root=str(tmp_path), batch_contexts=("acme.infra.cron_*",), interactive_contexts=("acme.infra.http_*",))
    assert triples(check(tmp_path, config=config)) == [("jobs.py", 8, "BL103")]


def test_exclude_and_per_file_ignores(tmp_path):
    files = {
        "jobs.py": "import anthropic\nc = anthropic.Anthropic()\nfor x in []:\n    c.messages.create(model='m', max_tokens=1, messages=[])\n",
        "legacy/old.py": "import anthropic\nc = anthropic.Anthropic()\nfor x in []:\n    c.messages.create(model='m', max_tokens=1, messages=[])\n",
    }
    result = check(tmp_path, files, Config(root=str(tmp_path), extend_exclude=("legacy",)))
    assert [p for p, _l, _c in triples(result)] == ["jobs.py"]
    result = check(tmp_path, config=Config(root=str(tmp_path), per_file_ignores=(("legacy/*", ("BL1",)),)))
    assert [p for p, _l, _c in triples(result)] == ["jobs.py"]


def test_excludes_apply_below_the_given_path(tmp_path):
    loop = "import anthropic\nc = anthropic.Anthropic()\nfor x in []:\n    c.messages.create(model='m', max_tokens=1, messages=[])\n"
    files = {"build/gen/jobs.py": loop, "build/gen/.venv/lib.py": loop}
    from helpers import write
    write(tmp_path, files)
    import os
    from batchlint import check_paths
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert [f.path for f in check_paths(["."], Config(root=str(tmp_path))).findings] == []
        assert [f.path for f in check_paths(["build"], Config(root=str(tmp_path))).findings] == ["build/gen/jobs.py"]
    finally:
        os.chdir(old)


@pytest.mark.parametrize("table", [
    {"select": ["BL999"]},
    {"ignore": ["BL9"]},
    {"pricing": {"models": {"claude-x": {"input": 1}}}},
    {"pricing": {"models": {"claude-x": {"input": 1, "output": -2}}}},
    {"pricing": {"currency": "EUR"}},
    {"savings": {"runs-per-month": {"nightly": 30}}},
    {"savings": {"output-fill": "half"}},
])
def test_unknown_selectors_and_bad_savings_tables_are_errors(table):
    with pytest.raises(ConfigError):
        config_from_table(table, "pyproject.toml")


def test_per_file_ignores_are_relative_to_the_project_root(tmp_path):
    import os
    from batchlint import check_paths
    from helpers import write

    loop = "import anthropic\nc = anthropic.Anthropic()\nfor x in []:\n    c.messages.create(model='m', max_tokens=1, messages=[])\n"
    write(tmp_path, {"proj/legacy/old.py": loop, "proj/jobs.py": loop})
    config = Config(root=str(tmp_path / "proj"), per_file_ignores=(("legacy/*", ("BL1",)),))
    old = os.getcwd()
    os.chdir(tmp_path)  # run from outside the project root
    try:
        paths = [f.path for f in check_paths(["proj"], config).findings]
    finally:
        os.chdir(old)
    assert paths == ["proj/jobs.py"]

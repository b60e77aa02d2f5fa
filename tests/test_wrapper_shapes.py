"""Wrapper shapes that reach Claude indirectly: getattr, registries, row methods."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from click.testing import CliRunner
from helpers import check, expected, run

from batchlint.cli import main

HEAD = """
    import anthropic

    client = anthropic.Anthropic()

"""
MAIN = """

    if __name__ == "__main__":
        main(["a", "b"])
"""


def _files(body: str) -> dict[str, str]:
    return {"job.py": "".join(textwrap.dedent(part) for part in (HEAD, body, MAIN))}


@pytest.mark.parametrize("body", [
    pytest.param("""
        def main(rows):
            for row in rows:
                getattr(client.messages, "create")(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])  # expect: BL105
    """, id="getattr-literal-method"),
    pytest.param("""
        def ask(prompt, method="create"):
            return getattr(client.messages, method)(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])

        def main(rows):
            for row in rows:
                ask(row)  # expect: BL105
    """, id="getattr-name-from-a-parameter-default"),
    pytest.param("""
        def ask(prompt, api="messages"):
            return getattr(client, api).create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])

        def main(rows):
            for row in rows:
                ask(row)  # expect: BL105
    """, id="getattr-client-attribute-then-create"),
    pytest.param("""
        class Pipeline:
            def summarize(self, row):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])

            def count(self, row):
                return len(row)

            def run(self, rows):
                for row in rows:
                    for step in ("count", "summarize"):
                        getattr(self, step)(row)  # expect: BL105

        def main(rows):
            Pipeline().run(rows)
    """, id="getattr-over-a-tuple-of-method-names"),
    pytest.param("""
        STEPS = ("count", "summarize")

        class Pipeline:
            def summarize(self, row):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])

            def count(self, row):
                return len(row)

            def run(self, rows):
                for row in rows:
                    for step in STEPS:
                        getattr(self, step)(row)  # expect: BL105

        def main(rows):
            Pipeline().run(rows)
    """, id="getattr-over-a-module-tuple-of-method-names"),
    pytest.param("""
        class Pipeline:
            def summarize(self, row):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])

            def count(self, row):
                return len(row)

            def run(self, rows):
                for row in rows:
                    for step in ("count",):
                        getattr(self, step)(row)

        def main(rows):
            Pipeline().run(rows)
    """, id="neg-getattr-names-that-do-not-reach-claude"),
    pytest.param("""
        class Pipeline:
            def summarize(self, row):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])

            def run(self, rows, step):
                for row in rows:
                    getattr(self, step)(row)

        def main(rows):
            Pipeline().run(rows, input("step? "))
    """, id="neg-getattr-name-not-known"),
])
def test_getattr_shapes(tmp_path, body):
    files = _files(body)
    assert run(tmp_path, files) == expected(files)


REGISTRY = """
    API_REGISTRY = {}

    def register_api(name):
        def deco(fn):
            API_REGISTRY[name] = fn
            return fn
        return deco
"""


@pytest.mark.parametrize("files", [
    pytest.param({
        "registry.py": REGISTRY,
        "providers.py": """
            import anthropic
            from registry import register_api

            client = anthropic.Anthropic()

            @register_api("anthropic")
            def call_anthropic(prompt):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])

            @register_api("echo")
            def call_echo(prompt):
                return prompt
        """,
        "run.py": """
            import providers
            from registry import API_REGISTRY

            def main(rows, provider="anthropic"):
                for row in rows:
                    API_REGISTRY[provider](row)  # expect: BL105

            if __name__ == "__main__":
                main(["a"])
        """,
    }, id="decorator-registry-indexed-in-a-loop"),
    pytest.param({
        "run.py": """
            from concurrent.futures import ThreadPoolExecutor

            import anthropic

            client = anthropic.Anthropic()

            def call_anthropic(prompt):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])

            HANDLERS = {"anthropic": call_anthropic}

            def main(rows, provider="anthropic"):
                with ThreadPoolExecutor() as pool:
                    futures = [pool.submit(HANDLERS[provider], row) for row in rows]  # expect: BL105
                return [f.result() for f in futures]

            if __name__ == "__main__":
                main(["a"])
        """,
    }, id="written-dict-registry-submitted-to-a-pool"),
    pytest.param({
        "registry.py": REGISTRY,
        "providers.py": """
            import anthropic
            from registry import register_api

            client = anthropic.Anthropic()

            @register_api("echo")
            def call_echo(prompt):
                return prompt

            def not_registered(prompt):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])
        """,
        "run.py": """
            import providers
            from registry import API_REGISTRY

            def main(rows, provider="echo"):
                for row in rows:
                    API_REGISTRY[provider](row)

            if __name__ == "__main__":
                main(["a"])
        """,
    }, id="neg-registry-whose-members-do-not-reach-claude"),
    pytest.param({
        "run.py": """
            import anthropic

            client = anthropic.Anthropic()

            def call_anthropic(prompt):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])

            def main(rows):
                handlers = {}
                for row in rows:
                    handlers[row](row)

            if __name__ == "__main__":
                main(["a"])
        """,
    }, id="neg-local-dict-is-not-a-registry"),
])
def test_function_registries(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


ROW_CLASS = """
    class Labeler:
        def __init__(self):
            self.client = anthropic.Anthropic()

        def _call(self, text):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])

        def _label_row(self, row):
            return self._call(row["text"]).content[0].text

"""


@pytest.mark.parametrize("body", [
    pytest.param("""
        def label(self, df):
            df["label"] = df["text"].apply(lambda t: self._call(t))  # expect: BL105
    """, id="lambda-over-a-column-through-self"),
    pytest.param("""
        def label(self, df):
            df["label"] = df.apply(lambda row: self._label_row(row), axis=1)  # expect: BL105
    """, id="lambda-over-rows-through-a-chain-of-self-calls"),
    pytest.param("""
        def label(self, df):
            for _, row in df.iterrows():
                df.loc[_, "label"] = self._label_row(row)  # expect: BL105
    """, id="iterrows-loop-through-a-chain-of-self-calls"),
    pytest.param("""
        def label(self, df):
            df["label"] = df["text"].apply(lambda t: t.upper())
            return self._call("summarize: " + ",".join(df["label"]))
    """, id="neg-per-row-lambda-without-claude-and-one-summary-call"),
])
def test_methods_called_per_row(tmp_path, body):
    method = textwrap.indent(textwrap.dedent(body), "    ")
    files = {"job.py": "".join(textwrap.dedent(part) for part in (HEAD, ROW_CLASS)) + method + textwrap.dedent("""

        def main(df):
            Labeler().label(df)


        if __name__ == "__main__":
            main(None)
    """)}
    assert run(tmp_path, files) == expected(files)


BRANCHES = """
    def ask(prompt, system=None):
        if system:
            resp = client.messages.create(model="claude-haiku-4-5", max_tokens=5, system=system, messages=[{"role": "user", "content": prompt}])
        else:
            resp = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])
        return resp

    def main(rows):
        for row in rows:
            ask(row)
"""


def _sarif_related(tmp_path, files) -> list[int]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        output = CliRunner().invoke(main, ["check", "--no-cache", "--format", "sarif", "."], catch_exceptions=False).output
    finally:
        os.chdir(old)
    (result,) = json.loads(output)["runs"][0]["results"]
    return [r["physicalLocation"]["region"]["startLine"] for r in result.get("relatedLocations", [])]


def test_a_loop_reaching_both_branches_names_both_calls(tmp_path):
    files = _files(BRANCHES)
    (finding,) = check(tmp_path, files).findings
    assert finding.call.line == 8 and [c.line for c in finding.other_calls] == [10]
    assert any("at job.py:8" in line for line in finding.evidence)
    assert any(line.startswith("and `client.messages.create`") and "at job.py:10" in line for line in finding.evidence)
    assert _sarif_related(tmp_path, files) == [8, 10]


def test_a_loop_reaching_one_call_names_only_it(tmp_path):
    files = _files(BRANCHES.replace("if system:", "if False:").replace(
        "        else:\n            resp = client.messages.create(", "        else:\n            resp = dict(").replace(
        "messages=[{\"role\": \"user\", \"content\": prompt}])\n        return", "messages=prompt)\n        return"))
    (finding,) = check(tmp_path, files).findings
    assert finding.other_calls == ()
    assert not any(line.startswith("and ") for line in finding.evidence)
    assert _sarif_related(tmp_path, files) == [8]

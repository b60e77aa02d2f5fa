"""Wrapper shapes that reach Claude indirectly: getattr, registries, row methods."""

from __future__ import annotations

import textwrap

import pytest
from helpers import expected, run

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

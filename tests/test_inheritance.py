"""Calls resolved through class hierarchies: overrides, mixins, many subclasses."""

from __future__ import annotations

from collections import defaultdict

from helpers import check, expected, run, write

from batchlint.analysis import hierarchy

BASE = """
    import anthropic

    class Base:
        def __init__(self):
            self.client = anthropic.Anthropic()

        def ask(self, prompt):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[])

        def grade(self, text):
            return self.ask(text)
"""

CASE = """
    import anthropic
    from base import Base

    class Case{n}(Base):
        def run(self, rows):
            for row in rows:
                self.grade(row)  # expect: BL101
"""


def test_inherited_helper_called_in_a_loop_of_each_subclass(tmp_path):
    files = {"base.py": BASE, **{f"case_{n}.py": CASE.format(n=n) for n in range(3)}}
    assert run(tmp_path, files) == expected(files)


def test_override_that_does_not_call_claude_is_not_reported_through_the_base(tmp_path):
    # virtual dispatch: Base.grade -> self.ask reaches Quiet.ask too, which never calls Claude;
    # the loop calling Quiet's own `echo` is silent, Loud's loop over the inherited one reports
    files = {
        "base.py": BASE,
        "cases.py": """
            from base import Base

            class Quiet(Base):
                def echo(self, text):
                    return text

                def run(self, rows):
                    for row in rows:
                        self.echo(row)

            class Loud(Base):
                def run(self, rows):
                    for row in rows:
                        self.grade(row)  # expect: BL101
        """,
    }
    assert run(tmp_path, files) == expected(files)


class _CountingDict(defaultdict):
    lookups = 0

    def get(self, key, default=None):
        _CountingDict.lookups += 1
        return super().get(key, default)


def _subclass_lookups(tmp_path, monkeypatch, classes: int) -> int:
    root = tmp_path / str(classes)
    write(root, {"base.py": BASE, **{f"case_{n}.py": CASE.format(n=n) for n in range(classes)}})
    monkeypatch.setattr(hierarchy, "defaultdict", _CountingDict)
    _CountingDict.lookups = 0
    check(root)
    return _CountingDict.lookups


def test_subclass_walks_grow_linearly_with_the_number_of_subclasses(tmp_path, monkeypatch):
    # Every subclass calls an inherited method of one base: the base's subclasses
    # are walked once, not once per call site (which grew as the square of the
    # class count in lookups, and the cube in time with list-membership checks).
    small = _subclass_lookups(tmp_path, monkeypatch, 20)
    large = _subclass_lookups(tmp_path, monkeypatch, 80)
    assert large < 6 * small, (small, large)  # 4x the classes; quadratic would be ~16x


MIXIN_BASE = """
    class BaseEval:
        def run(self, rows):
            for row in rows:
                self._get_completion(row)  # expect: BL105

        def _score(self, row):
            return len(row)
"""


def test_method_supplied_by_a_mixin_beside_the_base(tmp_path):
    files = {
        "evals/__init__.py": "",
        "evals/base.py": MIXIN_BASE,
        "evals/claude.py": """
            import anthropic

            from evals.base import BaseEval

            class ClaudeMixin:
                def _get_completion(self, prompt):
                    return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])

            class ClaudeEval(ClaudeMixin, BaseEval):
                def __init__(self):
                    self.client = anthropic.Anthropic()
        """,
        "main.py": """
            from evals.claude import ClaudeEval

            if __name__ == "__main__":
                ClaudeEval().run(["a"])
        """,
    }
    assert run(tmp_path, files) == expected(files)


def test_mixin_method_that_does_not_reach_claude_is_silent(tmp_path):
    files = {
        "evals/__init__.py": "",
        "evals/base.py": MIXIN_BASE.replace("  # expect: BL105", ""),
        "evals/echo.py": """
            import anthropic

            from evals.base import BaseEval

            class EchoMixin:
                def _get_completion(self, prompt):
                    return prompt

            class EchoEval(EchoMixin, BaseEval):
                pass

            def unrelated(client: anthropic.Anthropic):
                return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[])
        """,
        "main.py": """
            from evals.echo import EchoEval

            if __name__ == "__main__":
                EchoEval().run(["a"])
        """,
    }
    assert run(tmp_path, files) == expected(files) == []

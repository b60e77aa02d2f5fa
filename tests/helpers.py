"""Inline-marker helpers for small-project tests (flake8-async style).

A case is a dict of relative path -> source text. Lines that must be reported
carry a trailing `# expect: BL101` comment (several codes: `# expect: BL101, BL107`);
every other line must stay silent. A test is then

    assert run(tmp_path, files) == expected(files)
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

from batchlint import check_paths
from batchlint.config import Config

_MARK = re.compile(r"#\s*expect:\s*(BL\d+(?:\s*,\s*BL\d+)*)")


def source_text(text: str) -> str:
    """The text as written to disk: dedented, leading blank line dropped."""
    return textwrap.dedent(text).lstrip("\n")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source_text(text), encoding="utf-8")


def check(tmp_path: Path, files: dict[str, str] | None = None, config: Config | None = None,
          allow_errors: bool = False):
    """Write the files (if any) and run batchlint over tmp_path with tmp_path as the cwd."""
    if files:
        write(tmp_path, files)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = check_paths([str(tmp_path)], config or Config(root=str(tmp_path)))
    finally:
        os.chdir(old)
    if not allow_errors:
        # A snippet that does not parse would make every negative case pass vacuously.
        assert not result.errors, [(e.path, e.code, e.message) for e in result.errors]
    return result


def check_tree(root: Path, **kwargs):
    """batchlint over the tree at `root`, run from inside it (keyword
    arguments go to check_paths: jobs, cache_dir, ...)."""
    old = os.getcwd()
    os.chdir(root)
    try:
        return check_paths(["."], Config(root=str(root)), **kwargs)
    finally:
        os.chdir(old)


def triples(result) -> list[tuple[str, int, str]]:
    return sorted((f.path.replace(os.sep, "/"), f.line, f.code) for f in result.findings)


def run(tmp_path: Path, files: dict[str, str], config: Config | None = None) -> list[tuple[str, int, str]]:
    """Sorted (path, line, code) of every finding."""
    return triples(check(tmp_path, files, config))


def expected(files: dict[str, str]) -> list[tuple[str, int, str]]:
    """Sorted (path, line, code) of every `# expect:` marker in the files."""
    out = []
    for name, text in files.items():
        for number, line in enumerate(source_text(text).splitlines(), start=1):
            match = _MARK.search(line)
            if match:
                out += [(name, number, code.strip()) for code in match.group(1).split(",")]
    return sorted(out)


# a scheduled script's job is the function its `__main__` block calls: the finding is
# on the call in that function's body (line 7), not on `main()` (line 11)
ONE_CALL_MAIN_LINE = 7
ONE_CALL_MAIN = """
import anthropic

client = anthropic.Anthropic()


def main():
    client.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": "Daily digest"}])


if __name__ == "__main__":
    main()
"""


# A small project with a helper and a loop over it (the cache tests share it)
CACHE_PROJECT = {
    "llm.py": """
        import anthropic
        client = anthropic.Anthropic()

        def ask(prompt):
            return client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])
    """,
    "jobs.py": """
        from llm import ask

        def label(rows):
            return [ask(r) for r in rows]
    """,
}

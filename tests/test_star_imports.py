"""Names brought in by `from x import *`: one star import, several in one
module (each module looked up, the last one's name winning as in Python), and
builtins that stay builtins in a module that star-imports."""

from __future__ import annotations

import pytest
from helpers import expected, run

LLM = """
import anthropic

client = anthropic.Anthropic()


def grade(text):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=200,
                                  messages=[{"role": "user", "content": text}])
"""

OTHER = """
def grade_offline(text):
    return len(text)
"""

OTHER_GRADE = """
def grade(text):
    return len(text)
"""

MAIN = """
import os
IMPORTS

if __name__ == "__main__":
    for name in os.listdir("essays"):
        print(len(name))
        grade(open(name).read())MARK
"""


def _files(imports: str, other: str, reported: bool) -> dict[str, str]:
    main = MAIN.replace("IMPORTS", imports).replace("MARK", "  # expect: BL105" if reported else "")
    return {"llm.py": LLM, "other.py": other, "main.py": main}


@pytest.mark.parametrize("files", [
    pytest.param(_files("from llm import *", OTHER, True), id="one-star-import"),
    pytest.param(_files("from llm import *\nfrom other import *", OTHER, True), id="the-first-of-two-star-imports"),
    pytest.param(_files("from other import *\nfrom llm import *", OTHER, True), id="the-second-of-two-star-imports"),
    pytest.param(_files("from other import *\nfrom llm import *", OTHER_GRADE, True), id="the-later-star-import-wins"),
    pytest.param(_files("from llm import *\nfrom other import *", OTHER_GRADE, False),
                 id="neg-a-later-star-import-rebinds-the-name-to-no-claude-call"),
])
def test_names_from_star_imports(tmp_path, files):
    assert run(tmp_path, files) == expected(files)

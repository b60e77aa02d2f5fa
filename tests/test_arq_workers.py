"""arq workers list their task functions in `WorkerSettings.functions`
(bare, or wrapped in `arq.worker.func`): each is a background worker's task
(BL104). Without arq, a class of that name is just a class."""

from __future__ import annotations

import pytest
from helpers import expected, run

TASK = """import anthropic
{imports}

client = anthropic.Anthropic()


async def process_doc(ctx, pages):
    for page in pages:
        client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{{"role": "user", "content": page}}]){mark}


class WorkerSettings:
    functions = [{listed}]
"""


@pytest.mark.parametrize("imports, listed, mark", [
    pytest.param("from arq.connections import RedisSettings", "process_doc", "  # expect: BL104", id="a-listed-task"),
    pytest.param("from arq.worker import func", "func(process_doc, timeout=60)", "  # expect: BL104",
                 id="a-task-wrapped-in-func"),
    pytest.param("", "process_doc", "  # expect: BL101", id="neg-no-arq-a-class-of-that-name-is-just-a-class"),
])
def test_arq_worker_settings_functions(tmp_path, imports, listed, mark):
    files = {"worker.py": TASK.format(imports=imports, listed=listed, mark=mark)}
    assert run(tmp_path, files) == expected(files)

"""Code that already batches is neither reported nor rewritten (issue 18, point 4).

Each case pairs a shape that batches already (nothing reported) with its
near-miss (ids `neg-...`): the same code without the batching, or with it off
the candidate's path, which must still be reported. `guard-...` cases were
never reported and must stay so. Lines marked `# expect: CODE` must be
reported and nothing else may be (see tests/helpers.py). The rule is in
docs/contexts.md#code-that-already-batches.
"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from batchlint.cli import main
from batchlint.config import Config

from helpers import expected, run, source_text, write

CREATE = 'client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])'
REQUEST = '{"custom_id": str(i), "params": {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": row}]}}'

CASES = [
    # ------------------------------------------- a messages.batches call on the path
    pytest.param({
        "fallback.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows, use_batch=True):
                if use_batch:
                    requests = [{REQUEST} for i, row in enumerate(rows)]
                    return client.messages.batches.create(requests=requests).id
                return [{CREATE} for row in rows]
        """,
    }, id="same-function-batches-create-with-synchronous-fallback"),
    pytest.param({
        "fallback.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows, use_batch=True):
                return [{CREATE} for row in rows]  # expect: BL101

            def submit(rows):
                requests = [{REQUEST} for i, row in enumerate(rows)]
                return client.messages.batches.create(requests=requests).id
        """,
    }, id="neg-batches-create-in-an-unrelated-function"),
    pytest.param({
        "retry.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def collect(batch_id, rows):
                out = {{}}
                for result in client.messages.batches.results(batch_id):
                    if result.result.type == "succeeded":
                        out[result.custom_id] = result.result.message
                    else:
                        row = rows[result.custom_id]
                        out[result.custom_id] = {CREATE}
                return out
        """,
    }, id="loop-over-batch-results-retrying-failed-items"),
    pytest.param({
        "submit.py": """
            import asyncio
            import anthropic

            client = anthropic.Anthropic()
            aclient = anthropic.AsyncAnthropic()

            def submit_chunks(chunks):
                return [client.messages.batches.create(requests=chunk).id for chunk in chunks]

            def watch(batch_ids):
                for batch_id in batch_ids:
                    print(client.beta.messages.batches.retrieve(batch_id).processing_status)
                    for result in client.messages.batches.results(batch_id):
                        print(result.custom_id)

            async def submit_all(chunks):
                return await asyncio.gather(*(aclient.messages.batches.create(requests=c) for c in chunks))
        """,
    }, id="guard-loops-whose-calls-are-the-batch-api-itself-were-never-candidates"),
    pytest.param({
        "status.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def status(batch_id):
                return client.messages.batches.retrieve(batch_id).processing_status

            def label_all(rows):
                return [{CREATE} for row in rows]  # expect: BL101
        """,
    }, id="neg-batches-retrieve-only-in-another-function"),
    pytest.param({
        "poll.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def label_all(batch_ids, rows):
                for batch_id in batch_ids:
                    print(client.messages.batches.retrieve(batch_id).processing_status)
                return [{CREATE} for row in rows]  # expect: BL101
        """,
    }, id="neg-batches-retrieve-in-the-same-function-is-not-batching"),
    pytest.param({
        "helper.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def submit_batch(requests):
                return client.messages.batches.create(requests=requests)

            def ask(row):
                return {CREATE}

            def label_all(rows):
                try:
                    return submit_batch([{REQUEST} for i, row in enumerate(rows)])
                except anthropic.APIError:
                    return [ask(row) for row in rows]
        """,
    }, id="loop-in-a-function-whose-helper-calls-batches-create"),
    pytest.param({
        "llm.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def submit_batch(requests):
                return client.beta.messages.batches.create(requests=requests)

            def ask(row):
                return {CREATE}
        """,
        "jobs.py": f"""
            from llm import ask, client, submit_batch

            def label_all(rows):
                if len(rows) > 100:
                    return client.beta.messages.batches.create(requests=[])
                return [ask(row) for row in rows]

            def label_big(rows):
                batch = submit_batch([{REQUEST} for i, row in enumerate(rows)])
                if batch is None:
                    return [ask(row) for row in rows]
                return batch

            def label_plain(rows):
                return [ask(row) for row in rows]  # expect: BL101
        """,
    }, id="cross-file-helper-and-beta-batches"),
    pytest.param({
        "depth.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def create(requests):
                return client.messages.batches.create(requests=requests)

            def submit(requests):
                return create(requests)

            def submit_all(requests):
                return submit(requests)

            def two_away(rows):
                submit(rows)
                return [{CREATE} for row in rows]

            def three_away(rows):
                submit_all(rows)
                return [{CREATE} for row in rows]  # expect: BL101
        """,
    }, id="a-batch-call-at-most-two-project-calls-away"),
    pytest.param({
        "dispatch.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def submit(rows):
                return client.messages.batches.create(requests=[{REQUEST} for i, row in enumerate(rows)])

            def run_sync(rows):
                return [{CREATE} for row in rows]  # expect: BL101

            def main(rows, batch):
                return submit(rows) if batch else run_sync(rows)
        """,
    }, id="neg-a-dispatcher-above-the-fan-out-is-not-its-code"),
    pytest.param({
        "aio.py": f"""
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def ask(row):
                return await {CREATE}

            async def label_all(rows):
                try:
                    return await client.messages.batches.create(requests=[{REQUEST} for i, row in enumerate(rows)])
                except anthropic.RateLimitError:
                    return await asyncio.gather(*(ask(row) for row in rows))

            async def label_plain(rows):
                return await asyncio.gather(*(ask(row) for row in rows))  # expect: BL102
        """,
    }, id="async-batches-create-and-gather-fallback"),
    pytest.param({
        "untyped.py": f"""
            import anthropic

            class Labeler:
                def __init__(self, client):
                    self.client = client

                def label_all(self, rows):
                    if len(rows) > 1000:
                        return self.client.messages.batches.create(requests=[])
                    return [self.{CREATE} for row in rows]

                def label_plain(self, rows):
                    return [self.{CREATE} for row in rows]  # expect: BL101
        """,
    }, id="untyped-client-batches-call-spelled-like-the-sdk"),
    pytest.param({
        "script.py": f"""
            import anthropic

            client = anthropic.Anthropic()
            rows = open("rows.txt").read().splitlines()

            def submit(rows):
                return client.messages.batches.create(requests=[{REQUEST} for i, row in enumerate(rows)])

            if __name__ == "__main__":
                try:
                    print(submit(rows).id)
                except anthropic.APIError:
                    for row in rows:
                        print({CREATE})
        """,
    }, id="module-code-whose-loop-falls-back-beside-a-batch-submit"),
    # ------------------------------------------------------- batchling's batchify()
    pytest.param({
        "aio.py": f"""
            import asyncio
            import anthropic
            from batchling import batchify

            client = anthropic.AsyncAnthropic()

            async def ask(row):
                return await {CREATE}

            async def main(rows):
                async with batchify():
                    return await asyncio.gather(*(ask(row) for row in rows))

            async def plain(rows):
                return await asyncio.gather(*(ask(row) for row in rows))  # expect: BL102
        """,
    }, id="async-with-batchify-around-gather"),
    pytest.param({
        "aio.py": f"""
            import asyncio
            import anthropic
            import batchling

            client = anthropic.AsyncAnthropic()

            async def main(rows):
                async with batchling.batchify(max_wait=2.0) as batcher:
                    out = [await {CREATE} for row in rows]
                for row in rows[:3]:
                    out.append(await {CREATE})  # expect: BL101
                return out
        """,
    }, id="import-batchling-block-and-a-loop-after-it"),
    pytest.param({
        "sync.py": f"""
            import anthropic
            from batchling import batchify

            client = anthropic.Anthropic()
            ctx = batchify()

            def main(rows):
                session = batchify()
                with open("out.txt", "w") as out, session:
                    for row in rows:
                        out.write(str({CREATE}))
                for row in rows:
                    print({CREATE})  # expect: BL101
        """,
    }, id="with-batchify-bound-to-a-name-then-a-loop-outside"),
    pytest.param({
        "coros.py": f"""
            import asyncio
            import anthropic
            from batchling import batchify

            client = anthropic.AsyncAnthropic()
            sync_client = anthropic.Anthropic()

            def build_tasks(rows):
                return [{CREATE} for row in rows]

            async def main(rows):
                tasks = [{CREATE} for row in rows]
                more = build_tasks(rows)
                early = [await {CREATE} for row in rows]  # expect: BL101
                now = [sync_{CREATE} for row in rows]  # expect: BL101
                async with batchify():
                    return await asyncio.gather(*tasks, *more)
        """,
    }, id="coroutines-built-before-the-block-and-awaited-inside"),
    pytest.param({
        "coros.py": f"""
            import asyncio
            import anthropic
            from batchling import batchify

            client = anthropic.AsyncAnthropic()

            def build_tasks(rows):
                return [{CREATE} for row in rows]  # expect: BL101

            async def main(rows):
                async with batchify():
                    return await asyncio.gather(*build_tasks(rows))

            async def elsewhere(rows):
                return await asyncio.gather(*build_tasks(rows))
        """,
    }, id="neg-coroutines-also-gathered-where-no-block-is"),
    pytest.param({
        "fanout.py": f"""
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def ask(row):
                return await {CREATE}

            async def label_all(rows):
                return await asyncio.gather(*(ask(row) for row in rows))
        """,
        "run.py": """
            import asyncio
            from batchling import batchify
            from fanout import label_all

            async def main(rows):
                async with batchify():
                    return await label_all(rows)

            if __name__ == "__main__":
                asyncio.run(main(["a", "b"]))
        """,
    }, id="a-module-whose-fan-out-runs-inside-a-batchify-block"),
    pytest.param({
        "fanout.py": f"""
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def ask(row):
                return await {CREATE}

            async def label_all(rows):
                return await asyncio.gather(*(ask(row) for row in rows))  # expect: BL102
        """,
        "run.py": """
            import asyncio
            from batchling import batchify
            from fanout import label_all

            async def batched(rows):
                async with batchify():
                    return await label_all(rows)

            async def unbatched(rows):
                return await label_all(rows)
        """,
    }, id="neg-the-same-fan-out-also-called-outside-the-block"),
    pytest.param({
        "aio.py": f"""
            import asyncio
            import anthropic
            from mylib import batchify

            client = anthropic.AsyncAnthropic()

            async def main(rows):
                async with batchify():
                    return [await {CREATE} for row in rows]  # expect: BL101
        """,
    }, id="neg-a-batchify-from-another-library"),
    # ------------------------------------------------------------- the runtime itself
    pytest.param({
        "pkg/__init__.py": "",
        "pkg/_claude_batch.py": """
            import anthropic

            class Batch:
                def __init__(self, client: anthropic.Anthropic):
                    self.client = client
                    self.items = []

                def add(self, item, **params):
                    self.items.append((item, params))

                def passthrough(self):
                    # a mock client: the original synchronous calls
                    return [(item, self.client.messages.create(**params)) for item, params in self.items]

                def results(self):
                    if not isinstance(self.client, anthropic.Anthropic):
                        return self.passthrough()
                    batch = self.client.messages.batches.create(requests=[])
                    return [(item, r) for item, r in zip(self.items, self.client.messages.batches.results(batch.id))]
        """,
        "pkg/jobs.py": """
            import anthropic

            from pkg import _claude_batch

            client = anthropic.Anthropic()

            def label_all(rows):
                batch = _claude_batch.Batch(client)
                for row in rows:
                    batch.add(row, model="claude-haiku-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])
                return [r for _, r in batch.results()]

            def label_plain(rows):
                batch = _claude_batch.Batch(client)
                for row in rows:
                    batch.add(row, model="claude-haiku-4-5", max_tokens=64, messages=[])
                out = [r for _, r in batch.results()]
                return out + [client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[]) for row in rows]  # expect: BL101
        """,
    }, id="runtime-module-and-a-rewritten-loop"),
    pytest.param({
        "app/__init__.py": "",
        "app/_claude_batch.py": """
            import anthropic

            class Messages:
                def __init__(self, client: anthropic.Anthropic):
                    self.client = client

                def create(self, **params):
                    return self.client.messages.create(**params)

            class Batch:
                def __init__(self, client: anthropic.Anthropic):
                    self.messages = Messages(client)

            class Lazy:
                def __init__(self, client):
                    self.messages = client.messages

            def replay(client):
                return Batch(client)
        """,
        "app/jobs.py": f"""
            import anthropic

            from app._claude_batch import Batch, Lazy, replay

            def label_all(client, rows):
                batch = Batch(client)
                return [batch.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[]) for row in rows]

            def label_lazy(client, rows):
                batch = Lazy(client)
                return [batch.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[]) for row in rows]

            def label_replayed(client: anthropic.Anthropic, rows):
                with replay(client):
                    return [{CREATE} for row in rows]

            def label_plain(client: anthropic.Anthropic, rows):
                return [{CREATE} for row in rows]  # expect: BL101
        """,
    }, id="runtime-methods-spelled-like-the-sdk-and-its-with-block"),
    pytest.param({
        "tools/batching.py": f"""
            # Written by batchlint fix 0.3.0 -- do not edit; `batchlint fix` updates it.
            import anthropic

            def run_all(client, rows):
                return [{CREATE} for row in rows]
        """,
        "tools/other.py": f"""
            import anthropic

            HEADER = "# Written by batchlint fix"  # only in a string: not the runtime's header

            def run_all(client: anthropic.Anthropic, rows):
                return [{CREATE} for row in rows]  # expect: BL101
        """,
    }, id="runtime-by-its-header-line"),
    pytest.param({
        "claude_batch_utils.py": f"""
            import anthropic

            client = anthropic.Anthropic()

            def run_all(rows):
                return [{CREATE} for row in rows]  # expect: BL101
        """,
    }, id="neg-a-module-named-like-the-runtime"),
]


@pytest.mark.parametrize("files", CASES)
def test_already_batched(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


def _without_batching(text: str) -> str:
    """The same code with the batching taken out: batchify imported from
    elsewhere, batch calls renamed to something that is not the Batch API."""
    return (text.replace("from batchling import", "from mylib import")
                .replace("import batchling", "import mylib as batchling")
                .replace("batches.create", "batches_create").replace("batches.results", "batches_results"))


@pytest.mark.parametrize("files", [c for c in CASES if not c.id.startswith(("neg-", "guard-", "runtime"))])
def test_each_shape_is_a_candidate_without_its_batching(tmp_path, files):
    """Not vacuous: with the batching taken out, each silenced shape is reported."""
    plain = {name: _without_batching(text) for name, text in files.items()}
    assert len(run(tmp_path, plain)) > len(expected(plain))


def test_the_runtime_is_a_candidate_under_another_name(tmp_path):
    """Not vacuous: the runtime's pass-through loop is reported once the module is
    not recognisable as the runtime (renamed, its header gone)."""
    cases = {c.id: c.values[0] for c in CASES}
    files = dict(cases["runtime-by-its-header-line"])
    files["tools/batching.py"] = files["tools/batching.py"].replace("# Written by batchlint fix", "# Written by hand")
    for case in ("runtime-module-and-a-rewritten-loop", "runtime-methods-spelled-like-the-sdk-and-its-with-block"):
        files.update({name.replace("_claude_batch", "claude_batch"): text.replace("_claude_batch", "claude_batch")
                      for name, text in cases[case].items()})
    found = run(tmp_path, files)
    assert ("tools/batching.py", 5, "BL101") in found
    assert ("pkg/claude_batch.py", 13, "BL101") in found
    assert {("app/jobs.py", line, "BL101") for line in (7, 11, 15)} <= set(found)  # resolved, inferred, with block


def test_fix_leaves_batched_code_byte_identical(tmp_path):
    """`fix` rewrites the plain loop and nothing that batches already."""
    cases = {c.id: c.values[0] for c in CASES}
    files = {
        "fallback.py": cases["same-function-batches-create-with-synchronous-fallback"]["fallback.py"],
        "aio.py": f"""
            import asyncio
            import anthropic
            from batchling import batchify

            client = anthropic.AsyncAnthropic()

            async def ask(row):
                return await {CREATE}

            async def main(rows):
                async with batchify():
                    return await asyncio.gather(*(ask(row) for row in rows))
        """,
        "plain.py": f"""
            import anthropic

            client = anthropic.Anthropic()
            rows = ["a", "b"]
            for row in rows:
                print({CREATE}.content[0].text)
        """,
    }
    write(tmp_path, files)
    before = {name: (tmp_path / name).read_bytes() for name in files}
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(main, ["fix", "--no-cache", "."], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plain.py").read_bytes() != before["plain.py"]
    for name in ("fallback.py", "aio.py"):
        assert (tmp_path / name).read_bytes() == before[name] == source_text(files[name]).encode()
    assert "plain.py" in result.output and "fallback.py" not in result.output and "aio.py" not in result.output


def test_strict_mode_asks_nothing_of_batched_code(tmp_path):
    """--strict (BL110) wants an answer for every unclassified call: not for the
    runtime's, a call inside a batchify() block, or a fallback beside a batch call."""
    files = {
        "_claude_batch.py": """
            import anthropic

            def passthrough(client: anthropic.Anthropic, params):
                return client.messages.create(**params)
        """,
        "calls.py": f"""
            import anthropic
            from batchling import batchify

            client = anthropic.Anthropic()

            def inside(row):
                with batchify():
                    return {CREATE}

            def fallback(row, requests):
                try:
                    return client.messages.batches.create(requests=requests)
                except anthropic.APIError:
                    return {CREATE}

            def unclassified(row):
                return {CREATE}  # expect: BL110
        """,
    }
    assert run(tmp_path, files, Config(root=str(tmp_path), strict=True)) == expected(files)

"""Which receivers are Claude clients: spellings of the client, its wrappers,
and look-alikes. Most cases put the call in a plain loop (BL101) so only the
client recognition is under test."""

from __future__ import annotations

import pytest

from helpers import expected, run

CASES = [
    # ------------------------------------------------------- constructor spellings
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="anthropic-dot-Anthropic"),
    pytest.param({
        "m.py": """
            import anthropic as ant

            client = ant.Anthropic()

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="import-anthropic-as-alias"),
    pytest.param({
        "m.py": """
            from anthropic import Anthropic as A

            client = A(max_retries=5)

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="from-import-Anthropic-as-A"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Client()

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="anthropic-Client-alias"),
    pytest.param({
        "m.py": """
            import anthropic

            def run(rows):
                for row in rows:
                    anthropic.Anthropic().messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="inline-constructor"),
    pytest.param({
        "m.py": """
            import anthropic

            def run(rows):
                with anthropic.Anthropic() as client:
                    for row in rows:
                        client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="with-client-as-context-manager"),
    pytest.param({
        "m.py": """
            from anthropic import AsyncAnthropic

            client = AsyncAnthropic()

            async def run(rows):
                out = []
                for row in rows:
                    out.append(await client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}]))  # expect: BL101
                return out
        """,
    }, id="async-client-awaited-in-loop"),
    pytest.param({
        "m.py": """
            import asyncio
            from anthropic import AsyncAnthropic

            client = AsyncAnthropic()

            async def run(rows):
                return await asyncio.gather(*[client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": r}]) for r in rows])  # expect: BL102
        """,
    }, id="async-client-gathered"),
    pytest.param({
        "m.py": """
            from anthropic import AnthropicAWS

            client = AnthropicAWS()

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="AnthropicAWS-first-party"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.AnthropicGoogleCloud()

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="AnthropicGoogleCloud-first-party"),
    # ------------------------------------------------------- instance attributes / parameters
    pytest.param({
        "m.py": """
            from anthropic import Anthropic

            class Summarizer:
                def __init__(self):
                    self.client = Anthropic()

                def summarize_all(self, rows):
                    for row in rows:
                        self.client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="self-client-set-in-init"),
    pytest.param({
        "m.py": """
            from anthropic import Anthropic

            def run(client: Anthropic, rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="param-annotated-Anthropic"),
    pytest.param({
        "m.py": """
            from typing import Optional
            from anthropic import Anthropic

            def run(rows, client: Optional[Anthropic] = None):
                client = client or Anthropic()
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="param-annotated-Optional-Anthropic"),
    pytest.param({
        "m.py": """
            from typing import Optional
            import anthropic

            def run(rows, client: Optional[anthropic.Anthropic] = None):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="param-annotated-Optional-dotted-no-rebind"),
    pytest.param({
        "m.py": """
            from __future__ import annotations
            from anthropic import Anthropic

            def run(rows, client: Anthropic | None = None):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="param-annotated-Anthropic-or-None"),
    pytest.param({
        "m.py": """
            import anthropic

            class Grader:
                client: anthropic.Anthropic

                def grade_all(self, rows):
                    return [self.client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": r}]) for r in rows]  # expect: BL101
        """,
    }, id="class-attribute-annotation"),
    # ------------------------------------------------------- wrappers and SDK paths
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()

            def run(rows):
                for row in rows:
                    client.with_options(timeout=5).messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="with-options"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()

            def run(rows):
                for row in rows:
                    raw = client.messages.with_raw_response.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
                    print(raw.headers.get("request-id"))
        """,
    }, id="messages-with-raw-response"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()

            def run(rows):
                for row in rows:
                    client.with_raw_response.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="client-with-raw-response"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()

            def run(rows):
                for row in rows:
                    client.beta.messages.create(model="claude-sonnet-4-5", max_tokens=64, betas=["x"], messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="beta-messages-create"),
    pytest.param({
        "m.py": """
            import anthropic
            from pydantic import BaseModel

            class Label(BaseModel):
                area: str

            client = anthropic.Anthropic()

            def run(rows):
                for row in rows:
                    client.messages.parse(model="claude-sonnet-4-5", max_tokens=64, output_format=Label, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="messages-parse"),
    # ------------------------------------------------------- factories and aliases
    pytest.param({
        "m.py": """
            import os
            from anthropic import Anthropic

            def get_client() -> Anthropic:
                return make_it_somehow(os.environ["KEY"])

            def run(rows):
                client = get_client()
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="factory-annotated-return"),
    pytest.param({
        "m.py": """
            import functools
            import anthropic

            @functools.lru_cache
            def get_client():
                return anthropic.Anthropic(max_retries=4)

            def run(rows):
                for row in rows:
                    get_client().messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="factory-returning-Anthropic"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()
            call_api = client.messages.create

            def run(rows):
                for row in rows:
                    call_api(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="module-alias-of-bound-method"),
    pytest.param({
        "m.py": """
            import anthropic

            def run(rows):
                client = anthropic.Anthropic()
                call_api = client.messages.create
                for row in rows:
                    call_api(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="local-alias-of-bound-method"),
    pytest.param({
        "clients.py": """
            import anthropic

            client = anthropic.Anthropic()
        """,
        "job.py": """
            from clients import client

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="client-imported-from-other-module"),
    pytest.param({
        "app/__init__.py": "",
        "app/config.py": """
            from anthropic import Anthropic

            def make_client() -> Anthropic:
                return Anthropic()
        """,
        "app/job.py": """
            from . import config

            CLIENT = config.make_client()

            def run(rows):
                for row in rows:
                    CLIENT.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="factory-in-other-module-relative-import"),
    pytest.param({
        "m.py": """
            import anthropic

            def run(client, rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="untyped-param-inferred-from-shape-when-anthropic-imported"),
    pytest.param({
        "llm.py": """
            import anthropic

            CLIENTS = {}

            def setup():
                CLIENTS["main"] = anthropic.Anthropic()
        """,
        "worker.py": """
            def run(client, rows):
                for row in rows:
                    client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="untyped-param-in-a-file-without-the-sdk-of-a-project-using-it-full-shape"),
    pytest.param({
        "llm.py": "import anthropic\n",
        "worker.py": """
            def run(client, rows):
                for row in rows:
                    client.messages.create(model=MODEL, messages=[{"role": "user", "content": row}])
        """,
    }, id="neg-untyped-param-in-a-file-without-the-sdk-no-max-tokens"),
    pytest.param({
        "llm.py": "import openai\n",
        "worker.py": """
            def run(client, rows):
                for row in rows:
                    client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": row}])
        """,
    }, id="neg-untyped-param-full-shape-in-a-project-without-the-sdk"),
    pytest.param({
        "llm.py": "import anthropic\n",
        "sms.py": """
            def run(client, rows):
                for row in rows:
                    client.messages.create(to=row, body="hello", max_tokens=64)
        """,
    }, id="neg-untyped-param-another-librarys-messages-create-in-a-project-using-the-sdk"),
    # ------------------------------------------------------- not Claude clients
    pytest.param({
        "m.py": """
            def run(client, rows):
                for row in rows:
                    client.messages.create(model="x", max_tokens=64, messages=[{"role": "user", "content": row}])
        """,
    }, id="neg-untyped-param-no-anthropic-import"),
    pytest.param({
        "m.py": """
            import anthropic
            from mailer import Client

            client = Client()

            def run(rows):
                for row in rows:
                    client.messages.create(to=row, body="hello")
        """,
    }, id="neg-other-library-client"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()

            def run(rows):
                for row in rows:
                    client.models.retrieve("claude-sonnet-4-5")
                    client.messages.batches.retrieve(row)
        """,
    }, id="neg-non-message-sdk-calls"),
    # ------------------------------------------------------- clients without Batches
    pytest.param({
        "m.py": """
            from anthropic import AnthropicBedrock

            client = AnthropicBedrock(aws_region="us-east-1")

            def run(rows):
                for row in rows:
                    client.messages.create(model="anthropic.claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL106
        """,
    }, id="bedrock-in-loop-BL106"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.AnthropicVertex(region="us-east5", project_id="p")

            def run(rows):
                return [client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": r}]) for r in rows]  # expect: BL106
        """,
    }, id="vertex-in-comprehension-BL106"),
    pytest.param({
        "m.py": """
            from anthropic import AnthropicFoundry

            client = AnthropicFoundry()

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL106
        """,
    }, id="foundry-in-loop-BL106"),
    pytest.param({
        "m.py": """
            from anthropic import AsyncAnthropicBedrock
            from celery import Celery

            app = Celery("x")
            client = AsyncAnthropicBedrock()

            @app.task
            async def redact(text):
                await client.messages.create(model="anthropic.claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": text}])  # expect: BL106
        """,
    }, id="async-bedrock-in-worker-BL106"),
    pytest.param({
        "web.py": """
            from anthropic import AnthropicBedrock
            from flask import Flask, request

            app = Flask(__name__)
            client = AnthropicBedrock()

            @app.post("/ask")
            def ask():
                for part in request.json["parts"]:
                    client.messages.create(model="anthropic.claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": part}])
                return {}
        """,
    }, id="neg-bedrock-in-handler"),
    pytest.param({
        "web.py": """
            import anthropic
            from fastapi import FastAPI

            app = FastAPI()
            client = anthropic.AnthropicVertex(region="us-east5", project_id="p")

            @app.get("/ask")
            def ask(q: str):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": q}])
        """,
    }, id="neg-vertex-in-handler"),
    # ------------------------------------------------------- legacy completions
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()

            def run(rows):
                for row in rows:
                    client.completions.create(model="claude-2.1", max_tokens_to_sample=256, prompt=f"{anthropic.HUMAN_PROMPT} {row}{anthropic.AI_PROMPT}")  # expect: BL107
        """,
    }, id="legacy-completions-in-loop-BL107"),
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import Celery

            app = Celery("x")
            client = anthropic.Anthropic()

            @app.task
            def complete(prompt):
                client.completions.create(model="claude-2.1", max_tokens_to_sample=256, prompt=prompt)  # expect: BL107
        """,
    }, id="legacy-completions-in-worker-BL107"),
    pytest.param({
        "web.py": """
            import anthropic
            from flask import Flask, request

            app = Flask(__name__)
            client = anthropic.Anthropic()

            @app.post("/complete")
            def complete():
                return client.completions.create(model="claude-2.1", max_tokens_to_sample=256, prompt=request.json["p"]).completion
        """,
    }, id="neg-legacy-completions-in-handler"),
    # ------------------------------------------------------- more holders of a client
    pytest.param({
        "m.py": """
            from dataclasses import dataclass, field
            import anthropic

            @dataclass
            class Labeler:
                client: anthropic.Anthropic = field(default_factory=anthropic.Anthropic)
                model: str = "claude-haiku-4-5"

                def label_all(self, rows):
                    return [self.client.messages.create(model=self.model, max_tokens=16, messages=[{"role": "user", "content": r}]) for r in rows]  # expect: BL101
        """,
    }, id="dataclass-field-default-factory"),
    pytest.param({
        "m.py": """
            from anthropic import Anthropic

            class Labeler:
                client: Anthropic = None

                def label_all(self, rows):
                    return [self.client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": r}]) for r in rows]  # expect: BL101
        """,
    }, id="class-attribute-annotated-with-None-default"),
    pytest.param({
        "m.py": """
            import anthropic

            def run(rows, client=anthropic.Anthropic()):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="param-default-client"),
    pytest.param({
        "m.py": """
            import os
            import anthropic

            client = anthropic.Anthropic() if os.environ.get("ANTHROPIC_API_KEY") else None

            def run(rows):
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="client-conditional-expression"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()
            messages_api = client.messages

            def run(rows):
                for row in rows:
                    messages_api.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": row}])  # expect: BL101
        """,
    }, id="alias-of-messages-resource"),
    pytest.param({
        "m.py": """
            import anthropic

            client = anthropic.Anthropic()
            ask = lambda prompt: client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": prompt}])

            def run(rows):
                for row in rows:
                    ask(row)  # expect: BL101
        """,
    }, id="lambda-alias-called-in-loop"),
]


@pytest.mark.parametrize("files", CASES)
def test_client(tmp_path, files):
    assert run(tmp_path, files) == expected(files)

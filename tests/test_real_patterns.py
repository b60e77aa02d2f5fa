"""Shapes met in public eval harnesses, pipelines and bots (rewritten, not copied).

Each case is a small project; lines marked `# expect: CODE` must be reported
and nothing else may be."""

from __future__ import annotations

import textwrap

import pytest

from helpers import check, expected, triples

CASES = {
    # A sampler object held by its base type; evals map a nested fn over rows
    # through a project helper that uses a thread pool.
    "sampler-through-base-type-and-map-helper": {
        "evals/types.py": """
            class SamplerBase:
                def __call__(self, messages):
                    raise NotImplementedError
        """,
        "evals/claude_sampler.py": """
            import anthropic
            from evals.types import SamplerBase

            class ClaudeSampler(SamplerBase):
                def __init__(self):
                    self.client = anthropic.Anthropic()

                def __call__(self, messages):
                    return self.client.messages.create(model="claude-sonnet-5", max_tokens=100, messages=messages)
        """,
        "evals/common.py": """
            from multiprocessing.pool import ThreadPool

            def map_with_progress(f, xs, num_threads=8):
                with ThreadPool(num_threads) as pool:
                    return list(pool.imap(f, xs))
        """,
        "evals/mmlu.py": """
            from evals import common
            from evals.types import SamplerBase

            class MMLUEval:
                def __call__(self, sampler: SamplerBase):
                    def fn(row):
                        return sampler([{"role": "user", "content": row}])

                    return common.map_with_progress(fn, self.rows)  # expect: BL102
        """,
    },
    # The API function is chosen in branches; the dataset loop calls the alias.
    "alias-chosen-in-branches": {
        "run_api.py": """
            import anthropic

            def call_v1(prompt, client):
                return client.completions.create(model="claude-2", prompt=prompt, max_tokens_to_sample=100)

            def call_v2(prompt, client):
                return client.messages.create(model="claude-sonnet-5", max_tokens=100, messages=[{"role": "user", "content": prompt}])

            def infer(dataset, model):
                client = anthropic.Anthropic()
                if "claude-3" in model:
                    call_api = call_v2
                else:
                    call_api = call_v1
                for datum in dataset:
                    call_api(datum["text"], client)  # expect: BL101, BL107
        """,
    },
    # Retrying until the answer parses is not a loop over items; the caller's map is.
    "parse-retry-loop-inside-mapped-fn": {
        "grade.py": """
            import json
            from concurrent.futures import ThreadPoolExecutor
            import anthropic

            client = anthropic.Anthropic()

            def grade(item):
                while True:
                    resp = client.messages.create(model="claude-haiku-5-5", max_tokens=50, messages=[{"role": "user", "content": item}])
                    parsed = json.loads(resp.content[0].text)
                    if "score" in parsed:
                        if parsed["score"] in (0, 1):
                            break
                return parsed

            def grade_all(items):
                with ThreadPoolExecutor(8) as ex:
                    return list(ex.map(grade, items))  # expect: BL102
        """,
    },
    # Agent loop: history kept in an object, exit through `else: return`.
    "agent-loop-through-object-history": {
        "agent.py": """
            from anthropic import Anthropic

            class Agent:
                def __init__(self, tools):
                    self.client = Anthropic()
                    self.history = History()
                    self.tools = tools

                def _params(self):
                    return {"model": "claude-sonnet-5", "max_tokens": 1024, "messages": self.history.format()}

                def run(self, user_input):
                    self.history.add("user", user_input)
                    while True:
                        response = self.client.messages.create(**self._params())
                        self.history.add("assistant", response.content)
                        calls = [b for b in response.content if b.type == "tool_use"]
                        if calls:
                            self.history.add("user", run_tools(calls))
                        else:
                            return response
        """,
    },
    # A job function passed to a scheduler wrapper inside `args=(...)`;
    # the scheduler is typed only by a module-level annotation.
    "job-passed-in-args-tuple": {
        "state.py": """
            from apscheduler.schedulers.background import BackgroundScheduler

            scheduler: BackgroundScheduler = None
        """,
        "automations.py": """
            import anthropic
            import state

            client = anthropic.Anthropic()

            def run_with_lock(func, lock_name, *args):
                return func(*args)

            def scheduled_digest(user):
                return client.messages.create(model="claude-haiku-5-5", max_tokens=200, messages=[])  # expect: BL103

            def schedule(user, trigger):
                state.scheduler.add_job(run_with_lock, trigger=trigger, args=(scheduled_digest, "lock", user))
        """,
    },
    # Folders without __init__.py still import by their dotted path.
    "namespace-package-import": {
        "app/judge/common.py": """
            import anthropic

            def judge(prompt):
                return anthropic.Anthropic().messages.create(model="claude-sonnet-5", max_tokens=10, messages=[])
        """,
        "app/judge/run_judgment.py": """
            from app.judge.common import judge

            if __name__ == "__main__":
                for match in load_matches():
                    judge(match)  # expect: BL105
        """,
    },
    # A retry loop returning on success: one request, not many.
    "retry-loop-is-not-repetition": {
        "client.py": """
            import time
            import anthropic

            client = anthropic.Anthropic()

            def generate(prompt, max_retries=3):
                for attempt in range(max_retries):
                    try:
                        resp = client.messages.create(model="claude-sonnet-5", max_tokens=10, messages=[{"role": "user", "content": prompt}])
                        return resp.content[0].text
                    except anthropic.RateLimitError:
                        time.sleep(2 ** attempt)

            def generate_batch(prompts):
                return [generate(p) for p in prompts]  # expect: BL101
        """,
    },
    # Writing the answer back into the loop's own item is not loop-carried.
    "result-written-into-loop-item": {
        "tag.py": """
            import csv
            import anthropic

            client = anthropic.Anthropic()

            def tag(path):
                for row in csv.DictReader(open(path)):
                    area = client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[{"role": "user", "content": row["comment"]}])  # expect: BL101
                    row["area"] = area.content[0].text
        """,
    },
    # The same helper from a Flask handler and from a scheduled job.
    "helper-from-handler-and-job": {
        "llm.py": """
            import anthropic
            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-haiku-5-5", max_tokens=100, messages=[{"role": "user", "content": text}])
        """,
        "web.py": """
            from flask import Flask
            from llm import summarize
            app = Flask(__name__)

            @app.get("/summary/<int:id>")
            def summary(id):
                return summarize(load(id))
        """,
        "jobs.py": """
            import schedule
            from llm import summarize

            def digest():
                summarize(load_all())  # expect: BL103

            schedule.every().day.at("07:00").do(digest)
        """,
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_world_shape(tmp_path, name):
    files = CASES[name]
    assert triples(check(tmp_path, files)) == expected(files)


PARTIAL_AND_FACTORY = {
    # Decoder classes picked by a factory; the job fn is bound with partial and
    # submitted to a pool. The sampling loop inside codegen is not the batch:
    # the dataset loop around it is.
    "model.py": """
        import anthropic

        class DecoderBase:
            def codegen(self, message, num_samples=1):
                raise NotImplementedError

        class OpenAIDecoder(DecoderBase):
            def codegen(self, message, num_samples=1):
                return []

        class AnthropicDecoder(DecoderBase):
            def __init__(self):
                self.client = anthropic.Anthropic()

            def codegen(self, message, num_samples=1):
                return [self.client.messages.create(model="claude-sonnet-5", max_tokens=100, messages=[message]) for _ in range(num_samples)]

        def make_model(backend):
            if backend == "openai":
                return OpenAIDecoder()
            return AnthropicDecoder()
    """,
    "run.py": """
        from concurrent.futures import ThreadPoolExecutor
        from functools import partial
        from model import make_model

        def judge(item, strict):
            model = make_model("anthropic")
            return model.codegen({"role": "user", "content": item})

        def main(dataset):
            judge_fn = partial(judge, strict=True)
            with ThreadPoolExecutor(8) as ex:
                futures = [ex.submit(judge_fn, x) for x in dataset]  # expect: BL102
            for item in dataset:
                judge(item, False)  # expect: BL101
    """,
}


def test_factory_of_several_classes_partial_and_outermost_loop(tmp_path):
    assert triples(check(tmp_path, PARTIAL_AND_FACTORY)) == expected(PARTIAL_AND_FACTORY)


def test_route_on_an_app_from_an_unanalyzed_package_is_interactive(tmp_path):
    files = {
        "views.py": """
            import anthropic
            from myproj.factory import app  # not among the analyzed files

            client = anthropic.Anthropic()

            @app.route("/summaries")
            def summaries(rows):
                return [client.messages.create(model="m", max_tokens=5, messages=[]) for r in rows]
        """,
    }
    assert triples(check(tmp_path, files)) == []


def test_periodic_task_schedule_keeps_its_interval(tmp_path):
    files = {
        "tasks.py": """
            import anthropic
            from celery import Celery

            app = Celery("x")
            client = anthropic.Anthropic()

            @app.on_after_configure.connect
            def setup(sender, **kwargs):
                sender.add_periodic_task(3600.0, refresh.s(), name="refresh")

            @app.task
            def refresh():
                client.messages.create(model="m", max_tokens=5, messages=[])  # expect: BL103
        """,
    }
    result = check(tmp_path, files)
    assert triples(result) == expected(files)
    assert result.findings[0].scheduled_by.startswith("3600.0")


HELD_OUT_D = {
    # a keyword argument named like a local is not a read of that local
    "kwname.py": """
        import anthropic
        client = anthropic.Anthropic()

        def explain(steps, tpl):
            for step in steps:
                prompt = tpl.format(result=step.output)
                response = client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": prompt}])  # expect: BL101
                result = response.content[0].text
    """,
    # a comprehension variable is not the loop's variable of the same name
    "compvar.py": """
        import anthropic
        client = anthropic.Anthropic()

        def rate(batches):
            for batch in batches:
                pairs = [str(conv) for conv in batch]
                rated = client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": pairs}])  # expect: BL101
                for j, conv in enumerate(batch):
                    conv["rating"] = rated
    """,
    # nested loops in one function: the outermost is the batch
    "nested.py": """
        import anthropic
        client = anthropic.Anthropic()

        def generate(categories):
            for cat, tools in categories.items():
                for i in range(3):
                    client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": cat}])  # expect: BL101
    """,
    # a thread a request handler starts serves that request (SSE back to the user)
    "sse.py": """
        import threading
        import anthropic
        from fastapi import FastAPI

        app = FastAPI()
        client = anthropic.Anthropic()

        def run_pipeline(product):
            return client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": product}])

        @app.post("/analyze")
        async def analyze(product: str):
            def run():
                run_pipeline(product)
            threading.Thread(target=run, daemon=True).start()
            return {"ok": True}
    """,
}


def test_held_out_d_shapes(tmp_path):
    result = check(tmp_path, HELD_OUT_D)
    assert triples(result) == expected(HELD_OUT_D)
    nested = next(f for f in result.findings if f.path == "nested.py")
    assert "categories.items()" in nested.message  # the outer loop is the batch, and it is named


UNTYPED_PARAMETER = {
    # the client wrapper comes from a factory and travels as an untyped parameter
    "llm.py": """
        import anthropic

        class BaseLLM:
            def generate(self, prompt):
                raise NotImplementedError

        class ClaudeLLM(BaseLLM):
            def __init__(self):
                self.client = anthropic.Anthropic()

            def generate(self, prompt):
                return self.client.messages.create(model="claude-sonnet-5", max_tokens=100, messages=[{"role": "user", "content": prompt}])

        def get_client(provider) -> BaseLLM:
            return ClaudeLLM()
    """,
    "enrich.py": """
        from llm import get_client

        def _enrich_batch(pairs, llm):
            return [llm.generate(p) for p in pairs]

        def _describe(item, llm):
            return llm.generate(item)

        def enrich(qa_pairs, provider):
            llm = get_client(provider)
            for i in range(0, len(qa_pairs), 10):
                _enrich_batch(qa_pairs[i:i + 10], llm)  # expect: BL101
            _describe("summary", llm)
    """,
}


def test_untyped_parameter_takes_what_its_callers_pass(tmp_path):
    assert triples(check(tmp_path, UNTYPED_PARAMETER)) == expected(UNTYPED_PARAMETER)


def test_untyped_parameter_with_disagreeing_callers_stays_unknown(tmp_path):
    files = {
        "m.py": """
            import anthropic

            class Mailer:
                def generate(self, x):
                    return x

            def run(llm, rows):
                for r in rows:
                    llm.generate(r)

            def main(rows):
                run(anthropic.Anthropic(), rows)
                run(Mailer(), rows)
        """,
    }
    assert triples(check(tmp_path, files)) == []


MIXED_PROVIDER_CLIENT = {
    # a harness builds Anthropic() or OpenAI() by model name and hands the
    # client down through parameters; another script hands down OpenAI() only
    "review.py": """
        def ask(msg, client, model):
            if "claude" in model:
                return client.messages.create(model=model, max_tokens=5, messages=[{"role": "user", "content": msg}])
            return client.chat.completions.create(model=model, messages=[{"role": "user", "content": msg}])

        def review(paper, client, model):
            return ask(paper, client, model)
    """,
    "bench.py": """
        import sys

        import anthropic
        import openai
        from review import review

        def review_one(paper, model):
            if model.startswith("claude"):
                client = anthropic.Anthropic()
            else:
                client = openai.OpenAI()
            return review(paper, client, model)

        if __name__ == "__main__":
            for paper in sys.argv[2:]:
                review_one(paper, sys.argv[1])  # expect: BL105
    """,
    "launch.py": """
        import sys

        import openai
        from review import review

        if __name__ == "__main__":
            for idea in sys.argv[1:]:
                review(idea, openai.OpenAI(), "gpt-4o")
    """,
}


def test_a_client_that_may_be_anthropic_is_followed_per_caller(tmp_path):
    """`client` is Anthropic() on one branch and OpenAI() on another: it may
    be Claude, so the parameters it fills may be; a caller that passes only
    OpenAI() down the same path is no path to Claude."""
    assert triples(check(tmp_path, MIXED_PROVIDER_CLIENT)) == expected(MIXED_PROVIDER_CLIENT)


def test_a_client_handed_on_by_submit_is_judged_per_caller(tmp_path):
    files = dict(MIXED_PROVIDER_CLIENT)
    files["launch.py"] = files["launch.py"].replace(
        "                review(idea, openai.OpenAI(), \"gpt-4o\")",
        "                with ThreadPoolExecutor(4) as pool:\n"
        "                    pool.submit(review, idea, openai.OpenAI(), \"gpt-4o\")").replace(
        "import openai", "from concurrent.futures import ThreadPoolExecutor\n\n        import openai")
    assert "pool.submit(review, idea, openai.OpenAI()" in files["launch.py"]
    assert triples(check(tmp_path, files)) == expected(files)


def test_a_client_that_is_never_anthropic_is_not_followed(tmp_path):
    files = dict(MIXED_PROVIDER_CLIENT)
    files["bench.py"] = files["bench.py"].replace("anthropic.Anthropic()", "openai.OpenAI(base_url=None)").replace(
        "  # expect: BL105", "")
    assert triples(check(tmp_path, files)) == []


TEMPLATE_CLIENT = {
    # the base class builds its client through a method each provider overrides
    "providers.py": """
        import abc

        import anthropic
        import openai


        class Provider(abc.ABC):
            def __init__(self, settings):
                self.settings = settings
                self.client = self.make_client()

            @abc.abstractmethod
            def make_client(self):
                raise NotImplementedError


        class AnthropicProvider(Provider):
            def make_client(self):
                return anthropic.Anthropic()

            def ask(self, text):
                return self.client.messages.create(messages=[{"role": "user", "content": text}], **self.settings)


        class OpenAIProvider(Provider):
            def make_client(self):
                return openai.OpenAI()

            def ask(self, text):
                return self.client.chat.completions.create(messages=[{"role": "user", "content": text}], **self.settings)
    """,
    "run.py": """
        import sys

        from providers import AnthropicProvider, OpenAIProvider

        if __name__ == "__main__":
            claude = AnthropicProvider({"model": "claude-haiku-4-5", "max_tokens": 100})
            gpt = OpenAIProvider({"model": "gpt-4o"})
            for line in open(sys.argv[1]):
                claude.ask(line)  # expect: BL105
            for line in open(sys.argv[2]):
                gpt.ask(line)
    """,
}


def test_an_attribute_a_base_class_builds_through_an_overridden_method(tmp_path):
    """`self.client = self.make_client()` in the base class: on a subclass's
    object, `self` is the subclass and its override builds the client."""
    assert triples(check(tmp_path, TEMPLATE_CLIENT)) == expected(TEMPLATE_CLIENT)


def test_the_base_class_in_a_module_without_the_sdk_is_read(tmp_path):
    """The same, with the base class in a module of its own that never
    imports the SDK: a file importing the SDK has its base classes read
    before anything is known to reach Claude (the request spreads its
    settings, so its spelling alone does not say Claude)."""
    providers = textwrap.dedent(TEMPLATE_CLIENT["providers.py"])
    base, _, rest = providers.partition("class AnthropicProvider(Provider):")
    files = {
        "base.py": base.replace("import anthropic\nimport openai\n", ""),
        "providers.py": "import anthropic\nimport openai\n\nfrom base import Provider\n\n\nclass AnthropicProvider(Provider):" + rest,
        "run.py": TEMPLATE_CLIENT["run.py"],
    }
    assert "import anthropic" not in files["base.py"] and "class Provider(abc.ABC)" in files["base.py"]
    assert triples(check(tmp_path, files)) == expected(files)


FUNCTION_FACTORY = """
    import sys
    from typing import Callable, Protocol

    import anthropic
    import openai


    def complete_gpt(prompt):
        return openai.OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])


    def complete_claude(prompt):
        return anthropic.Anthropic().messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": prompt}])


    class Completer(Protocol):
        def __call__(self, prompt: str) -> str: ...


    def pick(vendor)ANNOTATION:
        if vendor == "openai":
            return complete_gpt
        if vendor == "anthropic":
            return complete_claude
        raise ValueError(vendor)


    if __name__ == "__main__":
        complete = pick(sys.argv[1])
        for prompt in sys.argv[2:]:
            complete(prompt)  # expect: BL105
"""


@pytest.mark.parametrize("annotation", ["", " -> Completer", " -> Callable[[str], str]"])
def test_a_factory_returning_one_of_several_functions(tmp_path, annotation):
    """What the factory returns may be any of its functions, not only the
    first `return`; a Protocol or Callable annotation says less than that."""
    files = {"bench.py": FUNCTION_FACTORY.replace("ANNOTATION", annotation)}
    assert triples(check(tmp_path, files)) == expected(files)


def test_a_factory_of_functions_none_of_which_calls_claude(tmp_path):
    files = {"bench.py": FUNCTION_FACTORY.replace("ANNOTATION", "").replace("return complete_claude", "return complete_gpt")
             .replace("  # expect: BL105", "")}
    assert triples(check(tmp_path, files)) == []


def test_function_applied_by_a_helper_through_its_parameter_is_one_finding(tmp_path):
    """`run_all(ask, rows)` where run_all loops `f(x)`: the hand-off and the
    call through the parameter are the same requests, reported once (at the
    loop); when the helper's callers pass different functions the parameter
    stays unknown and each hand-off is reported instead."""
    helper = """
        import anthropic

        def ask(text):
            return anthropic.Anthropic().messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": text}])

        def shout(text):
            return ask(text.upper())

        def run_all(f, rows):
            return [f(r) for r in rows]MARKER
    """
    one_caller = {
        "m.py": helper.replace("MARKER", "  # expect: BL105") + """
        if __name__ == "__main__":
            run_all(ask, ["a", "b"])
        """,
    }
    assert triples(check(tmp_path / "one", one_caller)) == expected(one_caller)
    two_callers = {
        "m.py": helper.replace("MARKER", "") + """
        if __name__ == "__main__":
            run_all(ask, ["a", "b"])  # expect: BL105
            run_all(shout, ["c"])  # expect: BL105
        """,
    }
    assert triples(check(tmp_path / "two", two_callers)) == expected(two_callers)


OVERRIDDEN_LOOP = """
    import sys

    import anthropic


    class Backend:
        def answer(self, question):
            raise NotImplementedError

        def answer_all(self, questions):
            return [self.answer(q) for q in questions]  # expect-if-inherited: BL105


    class EchoBackend(Backend):
        def answer(self, question):
            return question


    class ClaudeBackend(Backend):
        def __init__(self):
            self.client = anthropic.Anthropic()

        def answer(self, question):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": question}])

        def answer_all(self, questions):
            OVERRIDE


    if __name__ == "__main__":
        backend = EchoBackend() if sys.argv[1] == "echo" else ClaudeBackend()
        backend.answer_all(sys.argv[2:])
"""


@pytest.mark.parametrize("override, reported", [
    pytest.param("return self.client.messages.batches.create(requests=[{'custom_id': str(i), 'params': {'model': "
                 "'claude-haiku-4-5', 'max_tokens': 50, 'messages': [{'role': 'user', 'content': q}]}} "
                 "for i, q in enumerate(questions)])", False, id="neg-claude-overrides-the-loop-with-the-batch-api"),
    pytest.param("print('answering', len(questions))\n            return super().answer_all(questions)", True,
                 id="the-override-runs-the-base-loop-through-super"),
    pytest.param("return Backend.answer_all(self, questions) if questions else []", True,
                 id="the-override-calls-the-base-method-by-name"),
])
def test_a_base_class_loop_a_subclass_overrides(tmp_path, override, reported):
    """The base class's default loop over `self.answer()` runs for a
    subclass only if the subclass inherits the loop, or runs it itself."""
    source = OVERRIDDEN_LOOP.replace("OVERRIDE", override)
    source = source.replace("# expect-if-inherited: BL105", "# expect: BL105" if reported else "")
    files = {"backends.py": source}
    assert triples(check(tmp_path, files)) == expected(files)


BRANCH_IMPORTS = {
    "gen/__init__.py": "",
    "gen/claude.py": """
        import anthropic


        def respond(query):
            return anthropic.Anthropic().messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": query}])
    """,
    "gen/gpt.py": """
        import openai


        def respond(query):
            return openai.OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": query}])
    """,
    "gen/utils.py": """
        def pick(model):
            if model.startswith("claude"):
                from .claude import respond
            elif model.startswith("gpt"):
                from .gpt import respond
            else:
                raise ValueError(model)
            return respond


        def run_all(fn, queries):
            for k in queries:
                queries[k]["response"] = fn(queries[k]["question"])  # expect: BL105
    """,
    "main.py": """
        import json
        import sys

        from gen.utils import pick, run_all

        if __name__ == "__main__":
            run_all(pick(sys.argv[1]), json.load(open(sys.argv[2])))
    """,
}


def test_a_factory_importing_its_function_on_each_branch(tmp_path):
    """`from .claude import respond` on one branch, `from .gpt import
    respond` on another, then `return respond`: it may return either."""
    assert triples(check(tmp_path, BRANCH_IMPORTS)) == expected(BRANCH_IMPORTS)
    files = dict(BRANCH_IMPORTS)
    files["gen/utils.py"] = files["gen/utils.py"].replace("from .claude import respond", "from .gpt import respond").replace(
        "  # expect: BL105", "")
    assert triples(check(tmp_path / "neg", files)) == []


REDEFINED = """
    import anthropic

    client = anthropic.Anthropic()


    def ask(text):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": text}])


    FIRST
    def summarize_all(texts):
        return [ask(t) for t in texts]EXPECT


    def summarize_all(texts):
        return ask("\\n".join(texts))
"""


@pytest.mark.parametrize("decorator, expect", [
    pytest.param("", "", id="neg-an-undecorated-def-the-module-defines-again-is-dead"),
    pytest.param("@app.task", "  # expect: BL101", id="a-decorated-one-is-registered-before-it-is-replaced"),
])
def test_a_def_replaced_by_a_later_def_of_its_name(tmp_path, decorator, expect):
    """The module body defines `summarize_all` twice: the first is replaced
    before anything can call it, unless a decorator registered it first."""
    source = REDEFINED.replace("FIRST", decorator).replace("EXPECT", expect)
    if decorator:
        source = source.replace("import anthropic\n", "import anthropic\n\n    app = None\n", 1)
    files = {"summaries.py": source}
    assert triples(check(tmp_path, files)) == expected(files)

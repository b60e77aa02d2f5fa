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


TRANSLATORS = """
    import anthropic


    class Base:
        def __init__(self, key):
            self.key = key

        def translate(self, text):
            raise NotImplementedError


    class Claude(Base):
        def __init__(self, key):
            super().__init__(key)
            self.client = anthropic.Anthropic(api_key=key)

        def translate(self, text):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])


    class Echo(Base):
        def translate(self, text):
            return text


    MODEL_DICT = {"claude": Claude, "echo": Echo}
"""
LOADERS = """
    class BaseLoader:
        def run(self):
            raise NotImplementedError


    class TxtLoader(BaseLoader):
        def __init__(self, path, model, key):
            self.path = path
            self.translate_model = model(key)

        def run(self):
            for line in open(self.path):
                self.translate_model.translate(line)  # expect: BL105


    LOADER_DICT = {"txt": TxtLoader}
"""


@pytest.mark.parametrize("files", [
    pytest.param({
        "translators.py": TRANSLATORS,
        "loaders.py": LOADERS,
        "cli.py": """
            import sys

            from loaders import LOADER_DICT
            from translators import MODEL_DICT


            def main(argv):
                translate_model = MODEL_DICT.get(argv[1])
                book_loader = LOADER_DICT.get(argv[2])
                loader = book_loader(argv[3], translate_model, "key")
                loader.run()


            if __name__ == "__main__":
                main(sys.argv)
        """,
    }, id="classes-chosen-from-dicts-by-get-then-instantiated-by-a-constructor"),
    pytest.param({
        "translators.py": TRANSLATORS,
        "loaders.py": LOADERS,
        "cli.py": """
            import sys

            from loaders import LOADER_DICT
            from translators import MODEL_DICT


            def main(argv):
                loader = LOADER_DICT[argv[2]](argv[3], MODEL_DICT[argv[1]], "key")
                loader.run()


            if __name__ == "__main__":
                main(sys.argv)
        """,
    }, id="classes-chosen-from-dicts-by-subscript"),
    pytest.param({
        "translators.py": TRANSLATORS.replace('"claude": Claude, ', ""),
        "loaders.py": LOADERS.replace("  # expect: BL105", ""),
        "cli.py": """
            import sys

            from loaders import LOADER_DICT
            from translators import MODEL_DICT


            def main(argv):
                translate_model = MODEL_DICT.get(argv[1])
                loader = LOADER_DICT.get(argv[2])(argv[3], translate_model, "key")
                loader.run()


            if __name__ == "__main__":
                main(sys.argv)
        """,
    }, id="neg-dict-of-classes-none-of-which-calls-claude"),
    pytest.param({
        "clients.py": """
            import anthropic

            CLIENTS = {"fast": anthropic.Anthropic(), "slow": anthropic.Anthropic(timeout=600)}
        """,
        "job.py": """
            from clients import CLIENTS


            def main(rows, tier="fast"):
                for row in rows:
                    CLIENTS.get(tier).messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])  # expect: BL105


            if __name__ == "__main__":
                main(["a"])
        """,
    }, id="dict-of-clients"),
    pytest.param({
        "job.py": """
            import anthropic

            SETTINGS = {"model": "claude-haiku-4-5", "retries": 3}


            def main(rows):
                for row in rows:
                    SETTINGS.get("model").upper()


            if __name__ == "__main__":
                main(["a"])
        """,
    }, id="neg-dict-of-settings"),
])
def test_class_and_client_registries(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


HANDLERS = """
    import anthropic


    class BaseHandler:
        def __init__(self, model_name):
            self.model_name = model_name

        def inference(self, case):
            raise NotImplementedError


    class ClaudeHandler(BaseHandler):
        def inference(self, case):
            return anthropic.Anthropic().messages.create(model=self.model_name, max_tokens=5, messages=[{"role": "user", "content": case}])


    class EchoHandler(BaseHandler):
        def inference(self, case):
            return case
"""
MODEL_CONFIG = """
    from dataclasses import dataclass

    from handlers import ClaudeHandler, EchoHandler


    @dataclass
    class ModelConfig:
        model_name: str
        model_handler: str
        is_fc_model: bool = True


    claude_models = {"claude-x": ModelConfig(model_name="claude-x", model_handler=ClaudeHandler)}
    echo_models = {"echo": ModelConfig(model_name="echo", model_handler=EchoHandler, is_fc_model=False)}
    MODEL_CONFIG_MAPPING = {**claude_models, **echo_models}
"""
GENERATE = """
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from config import MODEL_CONFIG_MAPPING


    def build_handler(name):
        config = MODEL_CONFIG_MAPPING[name]
        return config.model_handler(model_name=config.model_name)


    def infer(handler, case):
        return handler.inference(case)


    def main(name, cases):
        handler = build_handler(name)
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(infer, handler, case) for case in cases]  # expect: BL105
        return [f.result() for f in futures]


    if __name__ == "__main__":
        main(sys.argv[1], sys.argv[2:])
"""


@pytest.mark.parametrize("files", [
    pytest.param({"handlers.py": HANDLERS, "config.py": MODEL_CONFIG, "generate.py": GENERATE},
                 id="handler-class-in-a-dataclass-field-of-spread-dicts-submitted-with-its-arguments"),
    pytest.param({"handlers.py": HANDLERS,
                  "config.py": MODEL_CONFIG.replace("model_handler=ClaudeHandler", "model_handler=EchoHandler"),
                  "generate.py": GENERATE.replace("  # expect: BL105", "")},
                 id="neg-no-configuration-names-the-claude-handler"),
    pytest.param({"handlers.py": HANDLERS, "config.py": MODEL_CONFIG,
                  "generate.py": GENERATE.replace("pool.submit(infer, handler, case)", "pool.submit(infer, EchoHandler('e'), case)")
                  .replace("from config import MODEL_CONFIG_MAPPING", "from config import MODEL_CONFIG_MAPPING\n    from handlers import EchoHandler")
                  .replace("  # expect: BL105", "")},
                 id="neg-the-submitted-handler-is-another-class"),
])
def test_fields_and_forwarded_arguments(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


MODEL_LISTS = """
    from concurrent.futures import ThreadPoolExecutor

    import anthropic


    class ClaudeModel:
        def __init__(self):
            self.client = anthropic.Anthropic()

        def classify(self, text):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])


    class EchoModel:
        def classify(self, text):
            return text


    MODELS = [ClaudeModel()]


    class Router:
        def __init__(self, model):
            self.models = [model]

        def classify(self, text):
            return self.models[0].classify(text)


    def main(texts):
        router = Router(ClaudeModel())
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(router.classify, texts))  # expect: BL105


    if __name__ == "__main__":
        main(["a", "b"])
"""


@pytest.mark.parametrize("files", [
    pytest.param({"job.py": MODEL_LISTS}, id="model-kept-in-a-one-element-list-attribute"),
    pytest.param({"job.py": MODEL_LISTS.replace("self.models[0].classify", "self.models[-1].classify")},
                 id="last-element"),
    pytest.param({"job.py": MODEL_LISTS.replace("return self.models[0].classify(text)",
                                                "chosen = self.models\n            return chosen[0].classify(text)")},
                 id="through-a-local"),
    pytest.param({"job.py": MODEL_LISTS.replace("router = Router(ClaudeModel())", "router = None")
                  .replace("pool.map(router.classify, texts)", "pool.map(lambda t: MODELS[0].classify(t), texts)")},
                 id="module-level-list"),
    pytest.param({"job.py": MODEL_LISTS.replace("Router(ClaudeModel())", "Router(EchoModel())").replace("  # expect: BL105", "")},
                 id="neg-the-list-holds-another-model"),
    pytest.param({"job.py": MODEL_LISTS.replace("self.models = [model]", "self.models = [model, EchoModel()]")
                  .replace("  # expect: BL105", "")},
                 id="neg-a-list-of-two-kinds-is-no-one-thing"),
    pytest.param({"job.py": MODEL_LISTS.replace("self.models[0].classify", "self.models['first'].classify")
                  .replace("  # expect: BL105", "")},
                 id="neg-a-key-is-not-a-position"),
])
def test_an_element_of_a_list_stands_for_the_list(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


PROVIDERS = """
    from concurrent.futures import ThreadPoolExecutor

    import anthropic
    import openai


    class ClaudeProvider:
        def __init__(self):
            self.client = anthropic.Anthropic()

        def query(self, q):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": q}])


    class OpenAIProvider:
        def __init__(self):
            self.client = openai.OpenAI()

        def query(self, q):
            return self.client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])


    def run(questions):
        providers = [ClaudeProvider(), OpenAIProvider()]
        with ThreadPoolExecutor() as pool:
            for provider in providers:
                for q in questions:
                    pool.submit(provider.query, q)  # expect: BL105


    if __name__ == "__main__":
        run(["a"])
"""

PROVIDERS_ATTRIBUTE = """
    class QA:
        def __init__(self):
            self.providers = [ClaudeProvider(), OpenAIProvider()]

        def run(self, questions):
            with ThreadPoolExecutor() as pool:
                for provider in self.providers:
                    for q in questions:
                        pool.submit(provider.query, q)  # expect: BL105


    if __name__ == "__main__":
        QA().run(["a"])
"""


@pytest.mark.parametrize("files", [
    pytest.param({"job.py": PROVIDERS}, id="a-local-list-of-two-kinds-handed-on"),
    pytest.param({"job.py": PROVIDERS.replace("        providers = [ClaudeProvider(), OpenAIProvider()]\n", "")
                  .replace("for provider in providers:", "for provider in (OpenAIProvider(), ClaudeProvider()):")},
                 id="a-display-of-two-kinds"),
    pytest.param({"job.py": PROVIDERS.replace("pool.submit(provider.query, q)", "provider.query(q)")},
                 id="called-directly"),
    pytest.param({"job.py": PROVIDERS[:PROVIDERS.index("    def run(")] + PROVIDERS_ATTRIBUTE},
                 id="an-attribute-given-a-list-of-two-kinds"),
    pytest.param({"job.py": PROVIDERS.replace("for provider in providers:", "futures = [pool.submit(p.query, q) for p in providers for q in questions]  # expect: BL105\n            for provider in []:")
                  .replace("pool.submit(provider.query, q)  # expect: BL105", "pool.submit(provider.query, q)")},
                 id="a-comprehension-over-the-list"),
    pytest.param({"job.py": PROVIDERS.replace("for provider in providers:", "first = [provider for provider in providers][0]\n            provider = OpenAIProvider()\n            for _ in range(3):")
                  .replace("  # expect: BL105", "")},
                 id="neg-a-comprehensions-variable-is-its-own-a-later-name-is-another-kind"),
    pytest.param({"job.py": PROVIDERS.replace("[ClaudeProvider(), OpenAIProvider()]", "[OpenAIProvider()]")
                  .replace("  # expect: BL105", "")},
                 id="neg-the-list-holds-no-claude-provider"),
    pytest.param({"job.py": PROVIDERS.replace("for provider in providers:", "for provider in questions:")
                  .replace("  # expect: BL105", "")},
                 id="neg-the-loop-is-over-something-else"),
])
def test_a_loop_variable_holds_each_kind_its_list_holds(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


ENGINES = """
    import anthropic


    class EchoEngine:
        def respond(self, prompt):
            return prompt


    class ClaudeEngine:
        def __init__(self):
            self.client = anthropic.Anthropic()

        def respond(self, prompt):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])


    class Agent:
        def __init__(self, name):
            if name.startswith("echo"):
                self.engine = EchoEngine()
            elif name.startswith("claude"):
                self.engine = ClaudeEngine()

        def solve(self, task):
            return self.engine.respond(task)


    def make_engine(name):
        if name == "echo":
            return EchoEngine()
        return ClaudeEngine()


    class Wrapper:
        def __init__(self, engine):
            self.engine = engine

        def respond(self, prompt):
            return self.engine.respond(prompt)


    def wrapped(name):
        if name == "echo":
            return Wrapper(EchoEngine())
        return Wrapper(ClaudeEngine())


    def main(tasks, name):
        for task in tasks:
            USE  # expect: BL105


    if __name__ == "__main__":
        main(["a", "b"], "claude")
"""


@pytest.mark.parametrize("use", [
    pytest.param("Agent(name).solve(task)", id="an-attribute-given-the-claude-object-on-a-later-branch"),
    pytest.param("make_engine(name).respond(task)", id="a-factory-returning-the-claude-object-on-a-later-return"),
    pytest.param("wrapped(name).respond(task)", id="a-wrapper-built-around-objects-of-several-classes"),
    pytest.param("Outside", id="an-attribute-whose-first-branch-is-an-object-of-a-class-outside-the-project"),
    pytest.param("EchoEngine().respond(task)", id="neg-the-object-is-known-not-claude"),
    pytest.param("Wrapper(EchoEngine()).respond(task)", id="neg-the-only-wrapper-built-here-holds-no-claude"),
])
def test_an_object_of_one_of_several_classes(tmp_path, use):
    files = {"job.py": ENGINES.replace("USE", use)}
    if use.startswith("Outside"):  # the first branch's class is in no analyzed file
        files = {"job.py": ENGINES.replace("USE", "Agent(name).solve(task)").replace(
            "self.engine = EchoEngine()", "from vendor.engines import OpenAIEngine\n                self.engine = OpenAIEngine()")}
    if use.startswith(("EchoEngine", "Wrapper(EchoEngine")):
        files = {"job.py": files["job.py"].replace("  # expect: BL105", "").replace("return Wrapper(ClaudeEngine())", "return None")}
    assert run(tmp_path, files) == expected(files)


HANDED_IN = """
    import functools
    from concurrent.futures import ThreadPoolExecutor

    import anthropic

    client = anthropic.Anthropic()


    class ClaudeProvider:
        def generate(self, prompt):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])


    class EchoProvider:
        def generate(self, prompt):
            return prompt


    def judge(text):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": text}])


    def echo(text):
        return text


    def grade(record, grade_fn):
        return grade_fn(record["text"])


    def make_adapter(name):
        return ClaudeProvider()


    def run(records, models):
        with ThreadPoolExecutor(8) as pool:
            USE  # expect: BL105


    if __name__ == "__main__":
        run([{"text": "a"}], ["claude"])
"""


@pytest.mark.parametrize("use", [
    pytest.param("list(pool.map(functools.partial(grade, grade_fn=judge), records))  # expect: BL105",
                 id="partial-binds-the-claude-function"),
    pytest.param("grade_one = functools.partial(grade, grade_fn=judge)\n"
                 "            list(pool.map(grade_one, records))  # expect: BL105",
                 id="a-name-given-the-partial"),
    pytest.param("list(pool.map(functools.partial(grade, grade_fn=echo), records))",
                 id="neg-partial-binds-another-function"),
    pytest.param("adapters = {m: make_adapter(m) for m in models}\n"
                 "            for m in models:\n"
                 "                [adapters[m].generate(r['text']) for r in records]  # expect: BL105",
                 id="a-dict-comprehension-of-adapters-read-by-name"),
    pytest.param("adapters = {'claude': ClaudeProvider()}\n"
                 "            for m in models:\n"
                 "                [adapters[m].generate(r['text']) for r in records]  # expect: BL105",
                 id="a-dict-display-of-adapters-read-by-name"),
    pytest.param("adapters = {'echo': EchoProvider(), 'claude': ClaudeProvider()}\n"
                 "            for m in models:\n"
                 "                [adapters[m].generate(r['text']) for r in records]  # expect: BL105",
                 id="a-dict-display-of-two-kinds-read-by-name"),
    pytest.param("adapters = {m: EchoProvider() for m in models}\n"
                 "            for m in models:\n"
                 "                [adapters[m].generate(r['text']) for r in records]",
                 id="neg-the-dict-holds-no-claude-adapter"),
    pytest.param("adapters = {'claude': ClaudeProvider(), 'echo': EchoProvider()}\n"
                 "            for m in models:\n"
                 "                [adapters['echo'].generate(r['text']) for r in records]",
                 id="neg-a-written-key-reads-a-field-not-every-entry"),
])
def test_functions_and_objects_handed_in(tmp_path, use):
    files = {"job.py": HANDED_IN.replace("USE  # expect: BL105", use)}
    assert run(tmp_path, files) == expected(files)


CHOSEN_CLASS = """
    import sys

    import anthropic


    class EchoModel:
        def ask(self, prompt):
            return prompt


    class ClaudeModel:
        def __init__(self):
            self.client = anthropic.Anthropic()

        def ask(self, prompt):
            return self.client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])


    name = sys.argv[1]
    model_class = EchoModel if "echo" in name else ClaudeModel if "claude" in name else EchoModel
    llm = model_class()
    for question in ["q1", "q2"]:
        print(llm.ask(question))  # expect: BL105
"""


@pytest.mark.parametrize("files", [
    pytest.param({"job.py": CHOSEN_CLASS}, id="a-module-variable-chosen-by-a-chained-conditional"),
    pytest.param({"job.py": CHOSEN_CLASS.replace("ClaudeModel if", "EchoModel if").replace("  # expect: BL105", "")},
                 id="neg-no-branch-chooses-the-claude-class"),
])
def test_a_class_chosen_on_branches(tmp_path, files):
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


# Shapes from the blind set G (docs/evaluation.md), each beside its negative.
PROVIDER = """
    from langchain_anthropic import ChatAnthropic
    from langchain_openai import ChatOpenAI

    ROLES = {"default": ("gpt-4o", "openai"), "careful": ("claude-sonnet-4-5", "anthropic")}


    def get_llm(role):
        model, provider = ROLES[role]
        if provider == "openai":
            return ChatOpenAI(model=model)
        elif provider == "anthropic":
            return ChatAnthropic(model=model)
        raise ValueError(provider)
"""
OPENAI_ONLY = """
    from langchain_openai import ChatOpenAI


    def get_llm(role):
        return ChatOpenAI(model=role)
"""
LOOP_OVER_LLM = """
    from llms import get_llm

    if __name__ == "__main__":
        for text in ["a", "b"]:
            get_llm("careful").invoke(text){mark}
"""
PIPE = """
    from langchain_anthropic import ChatAnthropic
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    prompt = ChatPromptTemplate.from_messages([("user", "Title for {{text}}")])
    llm = {model}


    def titles(texts):
        chain = prompt | llm | StrOutputParser()
        return [chain.invoke({{"text": t}}) for t in texts]{mark}


    if __name__ == "__main__":
        titles(["a", "b"])
"""
CALLABLE_POOL = """
    from concurrent.futures import ThreadPoolExecutor
    from typing import Callable

    import anthropic

    client = anthropic.Anthropic()


    def ask(item):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{{"role": "user", "content": item}}])


    def run_parallel(items, unit_func: {annotation}, workers=4):
        def wrap(tag, item):
            return unit_func(item)

        with ThreadPoolExecutor(workers) as ex:
            futures = [ex.submit(wrap, None, it) for it in items]{mark}
        return [f.result() for f in futures]


    def shout(item):
        return item.upper()


    if __name__ == "__main__":
        run_parallel(["a", "b"], ask){caller_mark}
        run_parallel(["c"], shout)
"""
AIRFLOW = """
    import anthropic
    from airflow.decorators import dag, task

    client = anthropic.Anthropic()


    @task
    def translate(text, lang):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{{"role": "user", "content": lang + text}}])  # expect: BL103


    @task
    def translate_all(text, langs):
        return {{lang: translate.{attr}(text, lang) for lang in langs}}{mark}


    @dag(schedule="@daily")
    def translations():
        translate_all("hello", ["fr", "de"])


    translations()
"""
SUMMARIZER = """
    import anthropic

    client = anthropic.Anthropic()


    def summarize(text):
        return client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": text}])
"""
DIGEST = """
    import os
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from summarizer import {name}

    if __name__ == "__main__":
        for line in open("feeds.txt"):
            {name}(line){mark}
"""


def _dedent(files: dict[str, str]) -> dict[str, str]:
    return {path: textwrap.dedent(text) for path, text in files.items()}


SET_G = [
    # a factory whose first return is not Claude: every return counts
    pytest.param({"llms.py": PROVIDER, "run.py": LOOP_OVER_LLM.format(mark="  # expect: BL105")}, id="provider-factory"),
    pytest.param({"llms.py": OPENAI_ONLY, "run.py": LOOP_OVER_LLM.format(mark="")}, id="neg-provider-factory-openai-only"),
    # LangChain pipes: the chain's invoke is the model's
    pytest.param({"titles.py": PIPE.format(model='ChatAnthropic(model="claude-haiku-4-5")', mark="  # expect: BL105")},
                 id="langchain-pipe"),
    pytest.param({"titles.py": PIPE.replace("from langchain_anthropic import ChatAnthropic", "from langchain_openai import ChatOpenAI")
                  .format(model='ChatOpenAI(model="gpt-4o")', mark="")}, id="neg-langchain-pipe-openai"),
    # a parameter annotated only `Callable` still holds what callers pass
    # (callers pass different functions, so the closure's call is followed
    # from each caller: the helper maps its parameter over items)
    pytest.param({"pool.py": CALLABLE_POOL.format(annotation="Callable", mark="", caller_mark="  # expect: BL105")},
                 id="callable-parameter"),
    pytest.param({"pool.py": CALLABLE_POOL.format(annotation="Callable[[str], str]", mark="", caller_mark="  # expect: BL105")},
                 id="callable-subscript-parameter"),
    pytest.param({"pool.py": CALLABLE_POOL.format(annotation="Callable", mark="", caller_mark="").replace(
        'run_parallel(["a", "b"], ask)', 'run_parallel(["a", "b"], shout)')}, id="neg-callable-parameter-not-claude"),
    pytest.param({"pool.py": CALLABLE_POOL.format(annotation="Callable", mark="  # expect: BL105", caller_mark="").replace(
        '        run_parallel(["c"], shout)\n', '')}, id="callable-parameter-one-caller"),
    # an Airflow task calling another task's function in a loop
    pytest.param({"dags/translate.py": AIRFLOW.format(attr="function", mark="  # expect: BL103")}, id="airflow-task-function"),
    pytest.param({"dags/translate.py": AIRFLOW.format(attr="override", mark="")}, id="neg-airflow-task-override"),
    # a script in a package folder importing its neighbour by its bare name
    pytest.param({"src/__init__.py": "", "src/summarizer.py": SUMMARIZER,
                  "src/digest.py": DIGEST.format(name="summarize", mark="  # expect: BL105")}, id="script-imports-neighbour-in-package"),
    pytest.param({"src/__init__.py": "", "src/summarizer.py": SUMMARIZER,
                  "src/digest.py": DIGEST.format(name="shorten", mark="")}, id="neg-neighbour-lacks-the-name"),
]


@pytest.mark.parametrize("files", SET_G)
def test_set_g_shapes(tmp_path, files):
    files = _dedent(files)
    assert run(tmp_path, files) == expected(files)


PREFECT_ONCE = """
    import anthropic
    from prefect import flow, task

    client = anthropic.Anthropic()


    @task
    def meaning():
        return client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "?"}])  # expect: BL103


    @flow
    def life():
        print(meaning())
"""


def test_a_flow_calling_its_task_once_adds_no_second_finding(tmp_path):
    """Callers of a task are followed only to a loop: a flow that runs the
    task once is the same one call per run, reported once, in the task."""
    files = _dedent({"flow.py": PREFECT_ONCE})
    assert run(tmp_path, files) == expected(files)
    looped = _dedent({"flow.py": PREFECT_ONCE.replace("print(meaning())", "for _ in range(3):\n            print(meaning.fn())  # expect: BL103")})
    assert run(tmp_path / "looped", looped) == expected(looped)


LAMBDA_TO_HELPER = {
    "helpers.py": """
        def run_all(items, f):
            return [f(i) for i in items]


        def first(items, f):
            return f(items[0])
    """,
    "job.py": """
        import anthropic
        from helpers import first, run_all

        client = anthropic.Anthropic()


        def ask(x):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": x}])


        def every(xs):
            return run_all(xs, lambda x: ask(x))  # expect: BL101


        def one(xs):
            return first(xs, lambda x: ask(x))
    """,
}


def test_a_lambda_handed_to_a_helper_that_maps_it(tmp_path):
    """`run_all(xs, lambda x: ask(x))` repeats the lambda's call when the
    project helper maps that parameter over items; `first(xs, lambda ...)`
    calls it once. The helper's file is parsed for it (prefilter)."""
    files = _dedent(LAMBDA_TO_HELPER)
    assert run(tmp_path, files) == expected(files)


BRANCH_DEFS = {
    "run.py": """
        import sys

        import anthropic
        import openai


        def claude_req(p):
            return anthropic.Anthropic().messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": p}])


        def openai_req(p):
            return openai.OpenAI().chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": p}])


        def main(engine, items):
            if engine == "openai":
                def api(p):
                    return openai_req(p)
                for p in items:
                    print(api(p))
            elif engine == "anthropic":
                def api(p):
                    return claude_req(p)
                for p in items:
                    print(api(p))  # expect: BL105


        if __name__ == "__main__":
            main(sys.argv[1], sys.argv[2:])
            if sys.argv[1] == "openai":
                def ask(p):
                    return openai_req(p)
            else:
                def ask(p):
                    return claude_req(p)
            for p in sys.argv[2:]:
                print(ask(p))  # expect: BL105
    """,
    "other.py": """
        from run import ask

        for q in ["a", "b"]:
            ask(q)  # expect: BL105
    """,
}


def test_a_name_defined_in_each_branch_calls_its_own_def(tmp_path):
    """`def api` in the openai branch and again in the anthropic branch: each
    branch's loop calls its own. At module level the last def is what an
    import names (other.py), and a call after the branches names it too."""
    files = _dedent(BRANCH_DEFS)
    assert run(tmp_path, files) == expected(files)


CLASS_PASSED = {
    "translate.py": """
        import anthropic


        class Claude:
            def __init__(self, key):
                self.client = anthropic.Anthropic(api_key=key)

            def translate(self, text):
                return self.client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": text}])


        class Upper:
            def __init__(self, key):
                self.key = key

            def translate(self, text):
                return text.upper()


        class Loader:
            def __init__(self, model_cls, key):
                self.model = model_cls(key)

            def run(self, lines):
                for line in lines:
                    print(self.model.translate(line)){mark}


        def main():
            Loader({cls}, "key").run(["a", "b"])
    """,
}


@pytest.mark.parametrize("cls, mark", [("Claude", "  # expect: BL101"), ("Upper", "")])
def test_a_class_passed_to_a_constructor_and_instantiated_there(tmp_path, cls, mark):
    """`Loader(Claude, key)` with `self.model = model_cls(key)`: the attribute
    holds what the caller passed once parameters resolve."""
    files = _dedent({k: v.replace("{cls}", cls).replace("{mark}", mark) for k, v in CLASS_PASSED.items()})
    assert run(tmp_path, files) == expected(files)


TO_THREAD = """
    import asyncio

    import anthropic
    import openai


    async def ask(client, question):
        return await asyncio.to_thread(METHOD, model="MODEL", max_tokens=50, messages=[{"role": "user", "content": question}])


    async def main(questions):
        client = CLIENT
        return [await ask(client, q) for q in questions]EXPECT


    if __name__ == "__main__":
        asyncio.run(main(["a", "b"]))
"""


@pytest.mark.parametrize("method, client, model, expect", [
    pytest.param("client.messages.create", "anthropic.Anthropic()", "claude-haiku-4-5", "  # expect: BL105",
                 id="sdk-method-handed-to-to-thread"),
    pytest.param("client.chat.completions.create", "openai.OpenAI()", "gpt-4o", "",
                 id="neg-another-sdks-method-handed-to-to-thread"),
])
def test_an_sdk_method_handed_to_a_thread(tmp_path, monkeypatch, method, client, model, expect):
    """`await asyncio.to_thread(client.messages.create, model=..., ...)`: the
    method handed over is called there, with the arguments after it. `fix`
    refuses it (it rewrites direct calls)."""
    files = {"job.py": textwrap.dedent(TO_THREAD).replace("METHOD", method).replace("CLIENT", client)
             .replace("MODEL", model).replace("EXPECT", expect)}
    assert run(tmp_path, files) == expected(files)
    if expect:
        monkeypatch.chdir(tmp_path)
        output = CliRunner().invoke(main, ["fix", "--diff", "--unsafe-fixes", "--no-cache", "."]).output
        assert "the Claude method is handed to `asyncio.to_thread(...)`" in output and "+++" not in output, output


SAME_NAME_WRAPPER = """
    import anthropic

    client = anthropic.Anthropic()


    class Provider:
        def generate(self, prompt):
            raise NotImplementedError


    class ClaudeProvider(Provider):
        def generate(self, prompt):
            return client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": prompt}])


    class EchoProvider(Provider):
        def generate(self, prompt):
            return prompt


    class Wrapper:
        def __init__(self, provider):
            self.provider = provider

        def generate(self, prompt):
            return self.provider.generate(prompt)


    def make(name):
        return Wrapper(ClaudeProvider()) if name == "claude" else Wrapper(EchoProvider())


    def main(prompts, name):
        wrapper = make(name)
        for prompt in prompts:
            wrapper.generate(prompt)  # expect: BL105


    if __name__ == "__main__":
        main(["a"], "claude")
"""


@pytest.mark.parametrize("files", [
    pytest.param({"job.py": SAME_NAME_WRAPPER}, id="a-wrapper-method-calling-the-same-name-on-the-object-it-holds"),
    pytest.param({"job.py": SAME_NAME_WRAPPER.replace("Wrapper(ClaudeProvider())", "Wrapper(EchoProvider())")
                  .replace("  # expect: BL105", "")}, id="neg-it-holds-no-claude-provider"),
])
def test_a_method_of_the_object_an_attribute_holds_is_not_a_method_of_self(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


@pytest.mark.parametrize("loop, reported", [
    pytest.param("for provider in [ClaudeProvider(), OpenAIProvider()]:\n    provider.query(question)", False,
                 id="neg-one-question-to-each-of-two-providers"),
    pytest.param("answers = [p.query(question) for p in (ClaudeProvider(), OpenAIProvider())]", False,
                 id="neg-a-comprehension-asking-each-provider-once"),
    pytest.param("for provider in [ClaudeProvider(), ClaudeProvider(), OpenAIProvider()]:\n    provider.query(question)",
                 True, id="a-display-naming-the-claude-provider-twice-repeats-it"),
    pytest.param("providers = [ClaudeProvider(), OpenAIProvider()]\nfor provider in providers:\n    provider.query(question)",
                 False, id="neg-a-name-given-one-of-each"),
    pytest.param("if question:\n    rows = ClaudeProvider().rows()\nelse:\n    rows = OpenAIProvider().rows()\n"
                 "for row in rows:\n    ClaudeProvider().query(row)", True,
                 id="a-name-given-several-collections-on-branches-is-still-a-repetition"),
])
def test_a_loop_over_one_of_each_kind_repeats_nothing(tmp_path, loop, reported):
    providers = textwrap.dedent(PROVIDERS[:PROVIDERS.index("    def run(")])
    compare = "def compare(question):\n" + textwrap.indent(loop + ("  # expect: BL105" if reported else ""), "    ")
    files = {"job.py": providers + compare + '\n\n\nif __name__ == "__main__":\n    compare("a")\n'}
    assert run(tmp_path, files) == expected(files)

"""A request's model / max_tokens / system resolved across files, like calls
are: each path that gives the value from the code, next to the case where it
must stay a default (computed, or differing between callers)."""

from __future__ import annotations

from helpers import check

LOOP = """
from {module} import {name}

def job(rows):
    for row in rows:
        {call}
"""


def _assumptions(tmp_path, files) -> dict[str, tuple[str, str]]:
    result = check(tmp_path, files)
    assert len(result.findings) == 1, [(f.path, f.line, f.code) for f in result.findings]
    return {a.name: (a.value, a.source) for a in result.findings[0].estimate.assumptions}


def _client_module(model_line: str, extra: str = "") -> str:
    return f"""
import anthropic
{model_line}
client = anthropic.Anthropic()
{extra}
"""


def _job(model_expr: str, imports: str, max_tokens: str = "100", system: str = "") -> str:
    system_kw = f", system={system}" if system else ""
    return f"""
import anthropic
{imports}
client = anthropic.Anthropic()

def job(rows):
    for row in rows:
        client.messages.create(model={model_expr}, max_tokens={max_tokens}{system_kw}, messages=[{{"role": "user", "content": row}}])
"""


# ------------------------------------------------------- imported constants
def test_model_imported_from_another_module(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/llm.py": 'FAST_MODEL = "claude-haiku-5-5"\nimport anthropic\n',
        "app/job.py": _job("FAST_MODEL", "from app.llm import FAST_MODEL"),
    })
    assert notes["model"] == ("claude-haiku-5-5", "code: app.llm.FAST_MODEL")


def test_model_imported_but_computed_stays_a_default(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/llm.py": 'import os\nimport anthropic\nFAST_MODEL = os.environ["MODEL"]\n',
        "app/job.py": _job("FAST_MODEL", "from app.llm import FAST_MODEL"),
    })
    assert notes["model"][1].startswith("default")


def test_model_reexported_by_a_package_and_read_as_an_attribute(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "from app.models import FAST_MODEL\n",
        "app/models.py": 'FAST_MODEL = "claude-haiku-4-5"\n',
        "app/job.py": _job("app.FAST_MODEL", "import app"),
    })
    assert notes["model"] == ("claude-haiku-4-5", "code: app.models.FAST_MODEL")


def test_max_tokens_and_system_imported(tmp_path):
    system = "You label support tickets. " * 20  # 540 characters, a long literal
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/prompts.py": f'SYSTEM = "{system}"\nLIMIT = 64\nMODEL = "claude-haiku-5-5"\n',
        "app/job.py": _job("MODEL", "from app.prompts import LIMIT, MODEL, SYSTEM", max_tokens="LIMIT", system="SYSTEM"),
    })
    assert notes["max_tokens"] == ("64", "code: app.prompts.LIMIT")
    _value, source = notes["input tokens per call"]
    assert source.startswith(f"{len(system) + 15} literal chars")  # + "role", "user", "content"
    assert "system prompt from app.prompts.SYSTEM" in source


def test_system_imported_but_computed_counts_as_computed_content(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/prompts.py": 'import os\nSYSTEM = open("system.txt").read()\nMODEL = "claude-haiku-5-5"\n',
        "app/job.py": _job("MODEL", "from app.prompts import MODEL, SYSTEM", system="SYSTEM"),
    })
    _value, source = notes["input tokens per call"]
    assert "for computed parts (default)" in source and "system prompt from" not in source


# ----------------------------------------------- constructor and self.x
PROVIDER = """
import anthropic

class Provider:
    def __init__(self, model: str = "claude-sonnet-4-6", max_tokens: int = 256):
        self.client = anthropic.Anthropic()
        self.model = model
        self.max_tokens = max_tokens

    def complete(self, prompt):
        return self.client.messages.create(model=self.model, max_tokens=self.max_tokens,
                                           messages=[{"role": "user", "content": prompt}])
"""


def test_self_attribute_set_from_the_constructor_argument(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/providers.py": PROVIDER,
        "app/tag.py": LOOP.format(module="app.providers", name="Provider", call="provider.complete(row)")
        + 'provider = Provider(model="claude-haiku-4-5", max_tokens=8)\n',
    })
    assert notes["model"] == ("claude-haiku-4-5", "code: app/tag.py:6 Provider(model=...)")
    assert notes["max_tokens"] == ("8", "code: app/tag.py:6 Provider(max_tokens=...)")


def test_self_attribute_from_constructions_that_disagree_stays_a_default(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/providers.py": PROVIDER,
        "app/tag.py": LOOP.format(module="app.providers", name="Provider", call="provider.complete(row)")
        + 'provider = Provider(model="claude-haiku-4-5")\nother = Provider(model="claude-opus-4-6")\n',
    })
    assert notes["model"][1].startswith("default")
    assert notes["max_tokens"] == ("256", "code: default of __init__(max_tokens=...)")  # neither passes it


def test_parameter_default_when_the_constructor_leaves_it_out(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/providers.py": PROVIDER,
        "app/tag.py": LOOP.format(module="app.providers", name="Provider", call="provider.complete(row)")
        + "provider = Provider()\n",
    })
    assert notes["model"] == ("claude-sonnet-4-6", "code: default of __init__(model=...)")


def test_computed_constructor_argument_is_not_read_as_the_default(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/providers.py": PROVIDER,
        "app/tag.py": LOOP.format(module="app.providers", name="Provider", call="provider.complete(row)")
        + 'import os\nprovider = Provider(os.environ["MODEL"] + "-latest")\n',
    })
    assert notes["model"][1].startswith("default")


def test_client_wrapper_from_a_cached_factory(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": 'MODEL = "claude-haiku-4-5"\n',
        "app/providers.py": PROVIDER + """
import functools
from app.config import MODEL

@functools.lru_cache(maxsize=None)
def get_provider():
    return Provider(model=MODEL)
""",
        "app/tag.py": LOOP.format(module="app.providers", name="get_provider", call="get_provider().complete(row)"),
    })
    assert notes["model"] == ("claude-haiku-4-5", "code: app.config.MODEL")


def test_client_wrapper_from_a_cached_factory_reading_the_environment_stays_a_default(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/providers.py": PROVIDER + """
import functools
import os

@functools.lru_cache(maxsize=None)
def get_provider():
    return Provider(model=os.environ["MODEL"])
""",
        "app/tag.py": LOOP.format(module="app.providers", name="get_provider", call="get_provider().complete(row)"),
    })
    assert notes["model"][1].startswith("default")
    assert notes["max_tokens"] == ("256", "code: default of __init__(max_tokens=...)")


# ------------------------------------------------- helper parameters
HELPER = """
import anthropic
client = anthropic.Anthropic()

def ask(prompt, model="claude-sonnet-5", *, limit=1024):
    return client.messages.create(model=model, max_tokens=limit, messages=[{"role": "user", "content": prompt}])
"""


def test_helper_parameter_takes_what_the_chain_passes(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/llm.py": HELPER + 'FAST = "claude-haiku-5-5"\n',
        "app/job.py": LOOP.format(module="app.llm", name="FAST, ask", call="ask(row, FAST, limit=32)"),
    })
    assert notes["model"] == ("claude-haiku-5-5", "code: app.llm.FAST")
    assert notes["max_tokens"][0] == "32"


def test_helper_called_with_star_arguments_stays_a_default(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/llm.py": HELPER,
        "app/job.py": LOOP.format(module="app.llm", name="ask", call="ask(row, **options)").replace("rows):", "rows, options):"),
    })
    assert notes["model"][1].startswith("default") and notes["max_tokens"] == ("1024", "default")


# ------------------------------------------------------- settings
def test_django_settings_value(tmp_path):
    notes = _assumptions(tmp_path, {
        "proj/__init__.py": "",
        "proj/settings.py": 'DEBUG = False\nCLAUDE_MODEL = "claude-haiku-4-5"\n',
        "proj/job.py": _job("settings.CLAUDE_MODEL", "from django.conf import settings"),
    })
    assert notes["model"] == ("claude-haiku-4-5", "code: proj.settings.CLAUDE_MODEL")


def test_settings_modules_that_disagree_stay_a_default(tmp_path):
    notes = _assumptions(tmp_path, {
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
        "proj/settings/dev.py": 'CLAUDE_MODEL = "claude-haiku-4-5"\n',
        "proj/settings/prod.py": 'CLAUDE_MODEL = "claude-opus-4-6"\n',
        "proj/job.py": _job("settings.CLAUDE_MODEL", "from django.conf import settings"),
    })
    assert notes["model"][1].startswith("default")


def test_settings_object_class_attribute(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": 'class Settings:\n    model: str = "claude-haiku-5-5"\n    debug = False\n\nsettings = Settings()\n',
        "app/job.py": _job("settings.model", "from app.config import settings"),
    })
    assert notes["model"] == ("claude-haiku-5-5", "code: app.config.Settings.model")


def test_settings_object_attribute_set_at_run_time_stays_a_default(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": 'import os\nclass Settings:\n    model = os.getenv("MODEL")\n\nsettings = Settings()\n',
        "app/job.py": _job("settings.model", "from app.config import settings"),
    })
    assert notes["model"][1].startswith("default")


# ------------------------------------------------------- loop bounds
def test_loop_bound_imported_from_a_settings_module(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": "BATCH_SIZE = 250\n",
        "app/job.py": """
import anthropic
from app.config import BATCH_SIZE
client = anthropic.Anthropic()

def job(rows):
    for row in rows[:BATCH_SIZE]:
        client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": row}])
""",
    })
    assert notes["items per run"] == ("250", "code: for loop over `rows[:BATCH_SIZE]`, app.config.BATCH_SIZE")


def test_loop_bound_computed_stays_a_default(tmp_path):
    notes = _assumptions(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": "import os\nBATCH_SIZE = int(os.environ['BATCH'])\n",
        "app/job.py": """
import anthropic
from app.config import BATCH_SIZE
client = anthropic.Anthropic()

def job():
    for n in range(BATCH_SIZE):
        client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": str(n)}])
""",
    })
    assert notes["items per run"] == ("100", "default for a loop of unknown length")


# ------------------------------------------------------- prompt templates
TEMPLATED = {
    "app/__init__.py": "",
    "app/prompts.py": 'TEMPLATE = "Which product area is this comment about? Answer in one word.\\n\\nComment: {comment}"\n',
    "app/providers.py": PROVIDER,
}


def test_prompt_template_imported_and_passed_through_a_method(tmp_path):
    notes = _assumptions(tmp_path, {
        **TEMPLATED,
        "app/tag.py": LOOP.format(module="app.prompts", name="TEMPLATE", call="provider.complete(TEMPLATE.format(comment=row))")
        + "from app.providers import Provider\nprovider = Provider()\n",
    })
    template = len("Which product area is this comment about? Answer in one word.\n\nComment: {comment}")
    _value, source = notes["input tokens per call"]
    assert source.startswith(f"{template + 15} literal chars")  # + "role", "user", "content"
    assert "+ 500 for computed parts (default)" in source  # what fills {comment}
    assert "prompt template from app.prompts.TEMPLATE" in source


def test_prompt_built_at_run_time_adds_no_literal_text(tmp_path):
    notes = _assumptions(tmp_path, {
        **TEMPLATED,
        "app/tag.py": LOOP.format(module="app.prompts", name="TEMPLATE", call="provider.complete(build(row))")
        + "from app.providers import Provider\nprovider = Provider()\n\ndef build(row):\n    return str(row)\n",
    })
    _value, source = notes["input tokens per call"]
    assert source.startswith("15 literal chars") and "prompt template" not in source

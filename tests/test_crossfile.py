"""Chains that cross files: the finding goes to the outermost call site in the
batch context, never into the helper's body."""

from __future__ import annotations

import pytest

from helpers import check, expected, run

LLM = """
    import anthropic

    client = anthropic.Anthropic()

    def ask(prompt):
        return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": prompt}])
"""

CASES = [
    pytest.param({
        "llm.py": LLM,
        "eval.py": """
            from llm import ask

            def run_eval(rows):
                scores = []
                for row in rows:
                    scores.append(ask(row["question"]))  # expect: BL101
                return scores
        """,
    }, id="helper-called-from-loop-in-other-file"),
    pytest.param({
        "llm.py": LLM,
        "eval.py": """
            import sys
            import llm

            def main(path):
                for line in open(path):
                    llm.ask(line)  # expect: BL105

            if __name__ == "__main__":
                main(sys.argv[1])
        """,
    }, id="helper-via-module-attribute-from-main-script-loop"),
    pytest.param({
        "llm.py": LLM,
        "web.py": """
            from flask import Flask, request
            from llm import ask

            app = Flask(__name__)

            @app.post("/ask")
            def assistant_ask():
                return {"answer": ask(request.json["q"]).content[0].text}
        """,
    }, id="neg-helper-called-only-from-flask-handler"),
    pytest.param({
        "llm.py": LLM,
        "web.py": """
            from flask import Flask, request
            from llm import ask

            app = Flask(__name__)

            @app.post("/ask")
            def assistant_ask():
                return {"answer": ask(request.json["q"]).content[0].text}
        """,
        "eval.py": """
            from llm import ask

            def run_eval(rows):
                return [ask(r) for r in rows]  # expect: BL101
        """,
    }, id="helper-called-from-handler-and-loop"),
    pytest.param({
        "providers.py": """
            from anthropic import Anthropic

            class ClaudeProvider:
                def __init__(self, model="claude-sonnet-4-5"):
                    self.client = Anthropic()
                    self.model = model

                def complete(self, prompt):
                    resp = self.client.messages.create(model=self.model, max_tokens=256, messages=[{"role": "user", "content": prompt}])
                    return resp.content[0].text
        """,
        "feedback.py": """
            import csv
            from providers import ClaudeProvider

            def tag_feedback_csv(path):
                provider = ClaudeProvider()
                with open(path) as fh:
                    for row in csv.DictReader(fh):
                        row["tag"] = provider.complete(row["text"])  # expect: BL101
        """,
    }, id="provider-method-via-instance-in-loop"),
    pytest.param({
        "providers.py": """
            from anthropic import Anthropic

            class ClaudeProvider:
                def __init__(self):
                    self.client = Anthropic()

                def complete(self, prompt):
                    return self.client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": prompt}])
        """,
        "feedback.py": """
            from providers import ClaudeProvider

            class Tagger:
                def __init__(self, provider: ClaudeProvider):
                    self.provider = provider

                def tag_all(self, rows):
                    return [self.provider.complete(r) for r in rows]  # expect: BL101
        """,
    }, id="provider-held-as-annotated-attribute"),
    pytest.param({
        "base.py": """
            import anthropic

            class BaseProvider:
                def __init__(self):
                    self.client = anthropic.Anthropic()

                def complete(self, prompt):
                    return self.client.messages.create(model=self.model, max_tokens=256, messages=[{"role": "user", "content": prompt}])
        """,
        "claude.py": """
            from base import BaseProvider

            class ClaudeProvider(BaseProvider):
                model = "claude-sonnet-4-5"
        """,
        "run.py": """
            from claude import ClaudeProvider

            def label(rows):
                provider = ClaudeProvider()
                for row in rows:
                    provider.complete(row)  # expect: BL101
        """,
    }, id="method-inherited-from-base-class"),
    pytest.param({
        "base.py": """
            import anthropic

            class BaseProvider:
                def __init__(self):
                    self.client = anthropic.Anthropic()

                def complete(self, prompt):
                    return self.client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": prompt}])
        """,
        "summarizer.py": """
            from base import BaseProvider

            class Summarizer(BaseProvider):
                def summarize_all(self, docs):
                    return [self.complete(d) for d in docs]  # expect: BL101
        """,
    }, id="inherited-method-called-on-self-in-subclass"),
    pytest.param({
        "llm.py": LLM,
        "grading.py": """
            from llm import ask

            def grade_one(row):
                return ask(row["answer"])
        """,
        "run_eval.py": """
            from concurrent.futures import ThreadPoolExecutor
            from grading import grade_one

            def grade_all(rows):
                with ThreadPoolExecutor(8) as pool:
                    return list(pool.map(grade_one, rows))  # expect: BL102
        """,
    }, id="function-passed-to-threadpool-map-in-other-module"),
    pytest.param({
        "llm.py": LLM,
        "grading.py": """
            from llm import ask

            def grade_one(row):
                return ask(row["answer"])
        """,
        "run_eval.py": """
            import sys
            from concurrent.futures import ThreadPoolExecutor
            import grading

            def main(rows):
                with ThreadPoolExecutor(8) as pool:
                    return list(pool.map(grading.grade_one, rows))  # expect: BL105

            if __name__ == "__main__":
                main(sys.argv[1:])
        """,
    }, id="module-attribute-passed-to-threadpool-map-under-main"),
    pytest.param({
        "llm.py": LLM,
        "worker.py": """
            import queue
            from llm import ask

            todo = queue.Queue()

            def drain():
                while True:
                    ask(todo.get())  # expect: BL104
        """,
        "app.py": """
            import threading
            import worker

            def start():
                threading.Thread(target=worker.drain, daemon=True).start()
        """,
    }, id="thread-target-in-other-module"),
    pytest.param({
        "llm.py": LLM,
        "jobs.py": """
            from llm import ask

            def refresh_faq():
                ask("Rewrite the FAQ")  # expect: BL103
        """,
        "scheduler.py": """
            from apscheduler.schedulers.background import BackgroundScheduler
            from jobs import refresh_faq

            scheduler = BackgroundScheduler()
            scheduler.add_job(refresh_faq, "cron", hour=1)
        """,
    }, id="apscheduler-add-job-of-function-in-other-module"),
    pytest.param({
        "pkg/__init__.py": """
            from .llm import ask
        """,
        "pkg/llm.py": LLM,
        "batch_job.py": """
            from pkg import ask

            def run(rows):
                for row in rows:
                    ask(row)  # expect: BL101
        """,
    }, id="helper-re-exported-from-package-init"),
    pytest.param({
        "llm.py": LLM,
        "tasks.py": """
            from celery import Celery
            from llm import ask

            app = Celery("x")

            @app.task
            def enrich_ticket(ticket_id):
                ask(str(ticket_id))  # expect: BL104
        """,
        "web.py": """
            from flask import Flask
            from tasks import enrich_ticket

            app = Flask(__name__)

            @app.post("/tickets/<int:ticket_id>")
            def intake(ticket_id):
                enrich_ticket.delay(ticket_id)
                return {}
        """,
    }, id="celery-task-enqueued-by-handler-still-worker"),
    # A chain of three helpers in three files, into a Celery task scheduled by
    # beat in a fourth file.
    pytest.param({
        "llm.py": """
            import anthropic

            client = anthropic.Anthropic()

            def call_claude(prompt):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=[{"role": "user", "content": prompt}])
        """,
        "summaries.py": """
            from llm import call_claude

            def summarize_ticket(ticket):
                return call_claude("Summarize: " + ticket)
        """,
        "digest.py": """
            from summaries import summarize_ticket

            def build_digest(tickets):
                return "\\n".join(summarize_ticket(t) for t in tickets)  # expect: BL103
        """,
        "tasks.py": """
            from celery import Celery
            from celery.schedules import crontab
            from digest import build_digest

            app = Celery("support")
            app.conf.beat_schedule = {
                "nightly-digest": {"task": "tasks.nightly_digest", "schedule": crontab(hour=4, minute=0)},
            }

            @app.task
            def nightly_digest():
                return build_digest(load_tickets())

            def load_tickets():
                return []
        """,
    }, id="three-helpers-into-beat-task-loop-in-middle"),
    pytest.param({
        "llm.py": """
            import anthropic

            client = anthropic.Anthropic()

            def call_claude(prompt):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=[{"role": "user", "content": prompt}])
        """,
        "summaries.py": """
            from llm import call_claude

            def summarize_ticket(ticket):
                return call_claude("Summarize: " + ticket)
        """,
        "digest.py": """
            from summaries import summarize_ticket

            def build_digest(ticket):
                return {"summary": summarize_ticket(ticket)}
        """,
        "tasks.py": """
            from celery import Celery
            from digest import build_digest

            app = Celery("support")

            @app.task
            def weekly_digest():
                return build_digest(latest_ticket())  # expect: BL103

            def latest_ticket():
                return ""
        """,
        "celeryconfig.py": """
            from celery.schedules import crontab

            beat_schedule = {
                "weekly-digest": {"task": "tasks.weekly_digest", "schedule": crontab(day_of_week=1, hour=5)},
            }
        """,
    }, id="three-helpers-into-beat-task-no-loop"),
    pytest.param({
        "llm.py": LLM,
        "reports.py": """
            from llm import ask

            def summarize_batch(rows):
                return [ask(r) for r in rows]  # a handler waits on this loop too
        """,
        "web.py": """
            from flask import Flask, request
            from reports import summarize_batch

            app = Flask(__name__)

            @app.post("/summaries")
            def summaries():
                return {"out": summarize_batch(request.json[:5])}
        """,
        "backfill.py": """
            import json
            import sys
            from reports import summarize_batch

            if __name__ == "__main__":
                summarize_batch(json.load(open(sys.argv[1])))
        """,
    }, id="neg-loop-helper-called-from-handler-and-main-script"),
    pytest.param({
        "base.py": """
            class Provider:
                def complete(self, prompt):
                    raise NotImplementedError
        """,
        "claude.py": """
            import anthropic
            from base import Provider

            class ClaudeProvider(Provider):
                def __init__(self):
                    self.client = anthropic.Anthropic()

                def complete(self, prompt):
                    return self.client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": prompt}])
        """,
        "run.py": """
            from base import Provider

            def label(provider: Provider, rows):
                for row in rows:
                    provider.complete(row)  # expect: BL101
        """,
    }, id="override-reached-through-base-type-annotation"),
    pytest.param({
        "llm.py": LLM,
        "support/__init__.py": "",
        "support/jobs.py": """
            from celery import shared_task
            from llm import ask

            @shared_task(name="digest.nightly")
            def nightly():
                ask("digest")  # expect: BL103
        """,
        "celeryconfig.py": """
            beat_schedule = {
                "nightly": {"task": "digest.nightly", "schedule": 3600.0},
            }
        """,
    }, id="beat-entry-by-explicit-task-name"),
    pytest.param({
        "llm.py": LLM,
        "tasks.py": """
            from celery import shared_task
            from llm import ask

            @shared_task
            def refresh_faq():
                ask("faq")  # expect: BL103
        """,
        "celery_app.py": """
            from celery import Celery
            import tasks

            app = Celery("support")

            @app.on_after_configure.connect
            def setup(sender, **kwargs):
                sender.add_periodic_task(600.0, tasks.refresh_faq.s(), name="faq")
        """,
    }, id="add-periodic-task-of-task-in-other-module"),
    pytest.param({
        "tools/a/run.py": """
            import anthropic

            client = anthropic.Anthropic()

            def main():
                for q in ["a", "b"]:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": q}])  # expect: BL105

            if __name__ == "__main__":
                main()
        """,
        "tools/b/run.py": """
            import anthropic

            client = anthropic.Anthropic()

            def main():
                print(client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "one"}]))

            if __name__ == "__main__":
                main()
        """,
    }, id="two-scripts-with-the-same-module-name"),
    pytest.param({
        "llm/__init__.py": """
            import anthropic

            client = anthropic.Anthropic()
        """,
        "jobs/__init__.py": "",
        "jobs/label.py": """
            from llm import client

            def label(rows):
                return {r: client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": r}]) for r in rows}  # expect: BL101
        """,
    }, id="client-from-package-init"),
]

@pytest.mark.parametrize("files", CASES)
def test_crossfile(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


def _case(case_id):
    return next(p.values[0] for p in CASES if p.id == case_id)


@pytest.mark.parametrize(
    "case_id, reported, steps, places, beat",
    [
        pytest.param(
            "three-helpers-into-beat-task-no-loop",
            ("tasks.py", 8, "BL103"),
            ("call_claude", "summarize_ticket", "build_digest", "weekly_digest"),
            ("llm.py:6", "summaries.py:4", "digest.py:4", "tasks.py:8"),
            ("Celery beat entry 'weekly-digest'", "celeryconfig.py:4"),
            id="no-loop",
        ),
        pytest.param(
            "three-helpers-into-beat-task-loop-in-middle",
            ("digest.py", 4, "BL103"),
            ("call_claude", "summarize_ticket", "build_digest", "nightly_digest"),
            ("llm.py:6", "summaries.py:4", "digest.py:4", "tasks.py:12"),
            ("Celery beat entry 'nightly-digest'", "tasks.py:7"),
            id="loop-in-middle",
        ),
    ],
)
def test_chain_evidence_names_every_step(tmp_path, case_id, reported, steps, places, beat):
    result = check(tmp_path, _case(case_id))
    assert [(f.path, f.line, f.code) for f in result.findings] == [reported]
    finding = result.findings[0]
    assert (finding.call.path, finding.call.line) == ("llm.py", 6)
    assert finding.context.value == "scheduled"
    assert finding.evidence[0].startswith("`client.messages.create`")
    text = "\n".join(finding.evidence)
    for step in steps:
        assert step in text, (step, finding.evidence)
    for where in places:
        assert where in text, (where, finding.evidence)
    for piece in beat:
        assert piece in finding.evidence[-1], (piece, finding.evidence)
    assert "crontab(" in finding.scheduled_by


ASK_CLAUDE = """
import anthropic

client = anthropic.Anthropic()


def ask(text):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": text}])
"""


def test_script_folders_sharing_module_names_keep_their_own_neighbours(tmp_path):
    """Two projects side by side, each a folder of scripts with a common.py
    and a job.py (as in a monorepo). The second folder's files are renamed
    so no two files merge into one module; its scripts must still import
    their own neighbours, under either spelling, as Python does when it
    runs them: `import common`, `from . import common`, and from a renamed
    script, `from . import llm` (a neighbour that kept its name)."""
    loop = 'if __name__ == "__main__":\n    for row in open("rows.txt"):\n        {call}{mark}\n'
    files = {
        # alpha sorts first: its common.py and job.py keep the plain names
        "alpha/common.py": "def ask(text):\n    return text.upper()\n",
        "alpha/job.py": "import common\n\n" + loop.format(call="common.ask(row)", mark=""),
        "beta/common.py": ASK_CLAUDE,
        "beta/llm.py": ASK_CLAUDE,
        "beta/run.py": "import common\n\n" + loop.format(call="common.ask(row)", mark="  # expect: BL105"),
        "beta/run_relative.py": "from . import common\n\n" + loop.format(call="common.ask(row)", mark="  # expect: BL105"),
        "beta/job.py": "from . import llm\n\n" + loop.format(call="llm.ask(row)", mark="  # expect: BL105"),
    }
    assert run(tmp_path, files) == expected(files)


def test_a_namespace_spelling_binds_only_where_python_could_import_it(tmp_path):
    """`from utils.utils import ask` names tools/meta/utils/utils.py (no
    __init__.py on the way) only with tools/meta on sys.path: for scripts in
    tools/meta and below. A copy of the script saved three folders away would
    raise ImportError there, so its loop reaches no Claude call."""
    loop = "from utils.utils import ask\n\nfor row in open('rows.txt'):\n    ask(row){mark}\n"
    files = {
        "tools/meta/utils/utils.py": ASK_CLAUDE,
        "tools/meta/generate.py": loop.format(mark="  # expect: BL105"),
        "tools/meta/steps/regenerate.py": loop.format(mark="  # expect: BL105"),
        "tools/samples/history/generate_copy.py": loop.format(mark=""),
    }
    assert run(tmp_path, files) == expected(files)

"""Contexts and exclusions, positive and negative side by side.

Each case is a small project; lines marked `# expect: CODE` must be reported
and nothing else may be (see tests/helpers.py)."""

from __future__ import annotations

import pytest

from helpers import expected, run

# A helper whose loop a FastAPI route runs (the handler-and-script cases below).
PAGES = """
    import anthropic

    client = anthropic.Anthropic()

    def extract_topics(pages):
        return [client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": p}]) for p in pages]
"""
PAGES_ROUTE = """
    from fastapi import FastAPI
    from pages import extract_topics

    app = FastAPI()

    @app.post("/analyze")
    def analyze(pages: list[str]):
        return extract_topics(pages)
"""

CASES = [
    # ------------------------------------------------------------------ loops
    pytest.param({
        "loops.py": """
            import anthropic

            client = anthropic.Anthropic()

            def summarize_all(rows):
                out = []
                for row in rows:
                    out.append(client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": row}]))  # expect: BL101
                return out
        """,
    }, id="for-loop-over-list"),
    pytest.param({
        "single.py": """
            import anthropic

            client = anthropic.Anthropic()

            def summarize(row):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": row}])
        """,
    }, id="neg-single-call-no-context"),
    pytest.param({
        "drain.py": """
            import queue
            import anthropic

            client = anthropic.Anthropic()
            jobs = queue.Queue()

            def drain():
                while not jobs.empty():
                    item = jobs.get()
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": item}])  # expect: BL101
                    print(resp.id)
        """,
    }, id="while-over-queue"),
    pytest.param({
        "comp.py": """
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows):
                return [client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": r}]) for r in rows]  # expect: BL101
        """,
    }, id="list-comprehension"),
    pytest.param({
        "comp.py": """
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows):
                return {client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": r}]).content[0].text for r in rows}  # expect: BL101
        """,
    }, id="set-comprehension"),
    pytest.param({
        "comp.py": """
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows):
                return {r: client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": r}]) for r in rows}  # expect: BL101
        """,
    }, id="dict-comprehension"),
    pytest.param({
        "comp.py": """
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows):
                return list(client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": r}]) for r in rows)  # expect: BL101
        """,
    }, id="generator-expression"),
    pytest.param({
        "llm.py": """
            import anthropic

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def summarize_all(rows):
                return list(map(summarize, rows))  # expect: BL101
        """,
    }, id="builtin-map"),
    pytest.param({
        "frame.py": """
            import anthropic
            import pandas as pd

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def enrich(path):
                df = pd.read_csv(path)
                df["summary"] = df["text"].apply(summarize)  # expect: BL101
                return df
        """,
    }, id="pandas-series-apply"),
    pytest.param({
        "frame.py": """
            import anthropic
            import pandas as pd

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def enrich(path):
                df = pd.read_csv(path)
                df["summary"] = df.text.apply(summarize)  # expect: BL101
                return df
        """,
    }, id="pandas-attribute-column-apply"),
    pytest.param({
        "frame.py": """
            import anthropic
            import pandas as pd

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def enrich(path):
                df = pd.read_csv(path)
                df["summary"] = df.apply(lambda row: summarize(row["text"]), axis=1)  # expect: BL101
                return df
        """,
    }, id="pandas-dataframe-apply-lambda"),
    # ---------------------------------------------------------------- fan-out
    pytest.param({
        "fan.py": """
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def summarize(doc):
                return await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": doc}])

            async def summarize_all(docs):
                return await asyncio.gather(*[summarize(d) for d in docs])  # expect: BL102
        """,
    }, id="asyncio-gather-list-comprehension"),
    pytest.param({
        "fan.py": """
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def summarize(doc):
                return await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": doc}])

            async def summarize_all(docs):
                return await asyncio.gather(*(summarize(d) for d in docs))  # expect: BL102
        """,
    }, id="asyncio-gather-starred-generator"),
    pytest.param({
        "fan.py": """
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def summarize(doc):
                return await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": doc}])

            async def summarize_pair(a, b):
                return await asyncio.gather(summarize(a), summarize(b))
        """,
    }, id="neg-asyncio-gather-two-fixed-calls-no-context"),
    pytest.param({
        "fan.py": """
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def summarize(doc):
                return await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": doc}])

            async def summarize_all(docs):
                async with asyncio.TaskGroup() as tg:
                    for d in docs:
                        tg.create_task(summarize(d))  # expect: BL102
        """,
    }, id="taskgroup-create-task-in-loop"),
    pytest.param({
        "fan.py": """
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def summarize(doc):
                return await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": doc}])

            async def summarize_all(docs):
                tasks = []
                for d in docs:
                    tasks.append(asyncio.create_task(summarize(d)))  # expect: BL102
                return await asyncio.gather(*tasks)
        """,
    }, id="asyncio-create-task-in-loop"),
    pytest.param({
        "pool.py": """
            from concurrent.futures import ThreadPoolExecutor
            import anthropic

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def summarize_all(rows):
                with ThreadPoolExecutor(max_workers=8) as ex:
                    return list(ex.map(summarize, rows))  # expect: BL102
        """,
    }, id="threadpool-map"),
    pytest.param({
        "pool.py": """
            from concurrent.futures import ThreadPoolExecutor, as_completed
            import anthropic

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def summarize_all(rows):
                with ThreadPoolExecutor(max_workers=8) as ex:
                    futures = []
                    for row in rows:
                        futures.append(ex.submit(summarize, row))  # expect: BL102
                    return [f.result() for f in as_completed(futures)]
        """,
    }, id="threadpool-submit-in-loop"),
    pytest.param({
        "pool.py": """
            import concurrent.futures
            import anthropic

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def summarize_all(rows):
                with concurrent.futures.ThreadPoolExecutor(8) as ex:
                    futures = [ex.submit(summarize, row) for row in rows]  # expect: BL102
                    return [f.result() for f in futures]
        """,
    }, id="threadpool-submit-in-comprehension"),
    pytest.param({
        "mp.py": """
            import multiprocessing
            import anthropic

            def summarize(text):
                client = anthropic.Anthropic()
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def summarize_all(rows):
                with multiprocessing.Pool(4) as pool:
                    return pool.map(summarize, rows)  # expect: BL102
        """,
    }, id="multiprocessing-pool-map"),
    pytest.param({
        "mp.py": """
            from multiprocessing import Pool
            import anthropic

            def summarize(text):
                client = anthropic.Anthropic()
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def summarize_all(rows):
                pool = Pool(4)
                return pool.imap_unordered(summarize, rows)  # expect: BL102
        """,
    }, id="multiprocessing-pool-imap-unordered"),
    # -------------------------------------------------------------- scheduled
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import Celery
            from celery.schedules import crontab

            app = Celery("support")
            client = anthropic.Anthropic()

            app.conf.beat_schedule = {
                "nightly-digest": {"task": "tasks.nightly_digest", "schedule": crontab(hour=4, minute=0)},
            }

            @app.task
            def nightly_digest():
                for ticket in load_tickets():
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": ticket}])  # expect: BL103

            def load_tickets():
                return []
        """,
    }, id="celery-beat-schedule-string-name-loop"),
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import Celery
            from celery.schedules import crontab

            app = Celery("support")
            client = anthropic.Anthropic()

            app.conf.beat_schedule = {
                "faq": {"task": "tasks.refresh_faq", "schedule": crontab(minute=0)},
            }

            @app.task
            def refresh_faq():
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "faq"}])  # expect: BL103
        """,
    }, id="celery-beat-schedule-single-call"),
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import Celery

            app = Celery("support")
            client = anthropic.Anthropic()

            @app.on_after_configure.connect
            def setup_periodic_tasks(sender, **kwargs):
                sender.add_periodic_task(3600.0, refresh_faq.s())

            @app.task
            def refresh_faq():
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "faq"}])  # expect: BL103
        """,
    }, id="celery-add-periodic-task"),
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery.decorators import periodic_task
            from celery.schedules import crontab

            client = anthropic.Anthropic()

            @periodic_task(run_every=crontab(hour=3, minute=0))
            def weekly_report():
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "report"}])  # expect: BL103
        """,
    }, id="celery-periodic-task-decorator"),
    pytest.param({
        "jobs.py": """
            import anthropic
            from apscheduler.schedulers.background import BackgroundScheduler

            client = anthropic.Anthropic()
            scheduler = BackgroundScheduler()

            def triage_stale_tickets():
                for ticket in []:
                    client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[{"role": "user", "content": ticket}])  # expect: BL103

            scheduler.add_job(triage_stale_tickets, "interval", minutes=30)
        """,
    }, id="apscheduler-add-job"),
    pytest.param({
        "jobs.py": """
            import anthropic
            from apscheduler.schedulers.blocking import BlockingScheduler

            client = anthropic.Anthropic()
            scheduler = BlockingScheduler()

            @scheduler.scheduled_job("cron", hour=6)
            def morning_briefing():
                client.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=[{"role": "user", "content": "brief"}])  # expect: BL103
        """,
    }, id="apscheduler-scheduled-job-decorator"),
    pytest.param({
        "runner.py": """
            import time
            import schedule
            import anthropic

            client = anthropic.Anthropic()

            def job():
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "ping"}])  # expect: BL103

            schedule.every(10).minutes.do(job)

            while True:
                schedule.run_pending()
                time.sleep(1)
        """,
    }, id="schedule-every-do"),
    pytest.param({
        "dags/enrich.py": """
            import anthropic
            from airflow.decorators import dag, task

            client = anthropic.Anthropic()

            @dag(schedule="@daily", catchup=False)
            def ticket_enrichment():
                @task
                def label(rows):
                    out = []
                    for row in rows:
                        out.append(client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": row}]))  # expect: BL103
                    return out

                label([])

            ticket_enrichment()
        """,
    }, id="airflow-dag-task-decorators"),
    pytest.param({
        "dags/export.py": """
            from datetime import datetime
            import anthropic
            from airflow import DAG
            from airflow.operators.python import PythonOperator

            client = anthropic.Anthropic()

            def export_conversations():
                for convo in []:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": convo}])  # expect: BL103

            with DAG("export", schedule="0 2 * * *", start_date=datetime(2024, 1, 1)) as dag:
                PythonOperator(task_id="export", python_callable=export_conversations)
        """,
    }, id="airflow-python-operator"),
    pytest.param({
        "flows.py": """
            import anthropic
            from prefect import flow

            client = anthropic.Anthropic()

            @flow
            def nightly_summaries():
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "summary"}])  # expect: BL103
        """,
    }, id="prefect-flow"),
    pytest.param({
        "assets.py": """
            import anthropic
            from dagster import asset

            client = anthropic.Anthropic()

            @asset
            def ticket_summaries(tickets):
                return [client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": t}]) for t in tickets]  # expect: BL103
        """,
    }, id="dagster-asset"),
    pytest.param({
        "modal_app.py": """
            import anthropic
            import modal

            app = modal.App("digest")

            @app.function(schedule=modal.Cron("0 6 * * *"))
            def daily_digest():
                client = anthropic.Anthropic()
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "digest"}])  # expect: BL103
        """,
    }, id="modal-function-with-cron-schedule"),
    pytest.param({
        "modal_app.py": """
            import anthropic
            import modal

            app = modal.App("digest")

            @app.function()
            def answer(question):
                client = anthropic.Anthropic()
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": question}])
        """,
    }, id="neg-modal-function-not-scheduled"),
    pytest.param({
        "hueyjobs.py": """
            import anthropic
            from huey import RedisHuey, crontab

            huey = RedisHuey("support")
            client = anthropic.Anthropic()

            @huey.periodic_task(crontab(minute="0", hour="*/3"))
            def refresh_macros():
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "macros"}])  # expect: BL103
        """,
    }, id="huey-periodic-task"),
    pytest.param({
        "worker.py": """
            import anthropic
            from arq import cron

            client = anthropic.AsyncAnthropic()

            async def nightly(ctx):
                await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "nightly"}])  # expect: BL103

            class WorkerSettings:
                cron_jobs = [cron(nightly, hour=3, minute=0)]
        """,
    }, id="arq-cron"),
    pytest.param({
        "jobs.py": """
            import anthropic

            client = anthropic.Anthropic()

            def summarize_ticket(ticket_id):
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": str(ticket_id)}])  # expect: BL104
        """,
        "web.py": """
            from flask import Flask
            from redis import Redis
            from rq import Queue
            from jobs import summarize_ticket

            app = Flask(__name__)
            q = Queue(connection=Redis())

            @app.post("/tickets/<int:ticket_id>/summarize")
            def request_summary(ticket_id):
                q.enqueue(summarize_ticket, ticket_id)
                return {"queued": True}
        """,
    }, id="rq-enqueue-from-handler-is-worker"),
    # ---------------------------------------------------------------- workers
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import Celery

            app = Celery("support")
            client = anthropic.Anthropic()

            @app.task
            def enrich_ticket(ticket_id):
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": str(ticket_id)}])  # expect: BL104
        """,
    }, id="celery-app-task-single-call"),
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import shared_task

            client = anthropic.Anthropic()

            @shared_task(bind=True, max_retries=3)
            def translate_reply(self, reply):
                for lang in ("de", "fr"):
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": lang + reply}])  # expect: BL104
        """,
    }, id="celery-shared-task-with-loop"),
    pytest.param({
        "jobs.py": """
            import anthropic
            from rq.decorators import job

            client = anthropic.Anthropic()

            @job("default")
            def summarize(text):
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])  # expect: BL104
        """,
    }, id="rq-job-decorator"),
    pytest.param({
        "actors.py": """
            import anthropic
            import dramatiq

            client = anthropic.Anthropic()

            @dramatiq.actor(max_retries=3)
            def classify(text):
                client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": text}])  # expect: BL104
        """,
    }, id="dramatiq-actor"),
    pytest.param({
        "hueyjobs.py": """
            import anthropic
            from huey import RedisHuey

            huey = RedisHuey("support")
            client = anthropic.Anthropic()

            @huey.task()
            def classify(text):
                client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": text}])  # expect: BL104
        """,
    }, id="huey-task"),
    pytest.param({
        "bg.py": """
            import queue
            import threading
            import anthropic

            client = anthropic.Anthropic()
            work = queue.Queue()

            def translation_worker():
                while True:
                    item = work.get()
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": item}])  # expect: BL104
                    work.task_done()

            def start():
                threading.Thread(target=translation_worker, daemon=True).start()
        """,
    }, id="threading-thread-target"),
    pytest.param({
        "bg.py": """
            import threading
            import anthropic

            client = anthropic.Anthropic()

            def warm_up():
                client.messages.create(model="claude-haiku-4-5", max_tokens=8, messages=[{"role": "user", "content": "hi"}])  # expect: BL104

            threading.Thread(target=warm_up).start()
        """,
    }, id="threading-thread-target-single-call"),
    # ------------------------------------------------------ offline entry points
    pytest.param({
        "app/__init__.py": "",
        "app/management/__init__.py": "",
        "app/management/commands/__init__.py": "",
        "app/management/commands/backfill.py": """
            import anthropic
            from django.core.management.base import BaseCommand

            client = anthropic.Anthropic()

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    for ticket in Ticket.objects.filter(closed=True):
                        client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": ticket.body}])  # expect: BL105
        """,
    }, id="django-management-command-loop"),
    pytest.param({
        "app/__init__.py": "",
        "app/management/__init__.py": "",
        "app/management/commands/__init__.py": "",
        "app/management/commands/explain.py": """
            import anthropic
            from django.core.management.base import BaseCommand

            client = anthropic.Anthropic()

            class Command(BaseCommand):
                def add_arguments(self, parser):
                    parser.add_argument("ticket_id")

                def handle(self, *args, **options):
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": options["ticket_id"]}])
                    self.stdout.write(resp.content[0].text)
        """,
    }, id="neg-django-management-command-single-call"),
    pytest.param({
        "scripts/run_eval.py": """
            import json
            import sys
            import anthropic

            client = anthropic.Anthropic()

            def main(path):
                rows = [json.loads(line) for line in open(path)]
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": row["q"]}])  # expect: BL105

            if __name__ == "__main__":
                main(sys.argv[1])
        """,
    }, id="main-script-loop"),
    pytest.param({
        "scripts/one_off.py": """
            import sys
            import anthropic

            client = anthropic.Anthropic()

            def main(question):
                resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": question}])
                print(resp.content[0].text)

            if __name__ == "__main__":
                main(sys.argv[1])
        """,
    }, id="neg-main-script-single-call"),
    pytest.param({
        "scripts/inline.py": """
            import anthropic

            if __name__ == "__main__":
                client = anthropic.Anthropic()
                for q in ["a", "b", "c"]:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": q}])  # expect: BL105
        """,
    }, id="main-guard-inline-loop"),
    pytest.param({
        "scripts/pipeline.py": """
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def enrich(doc):
                return await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": doc}])

            async def main(docs):
                return await asyncio.gather(*(enrich(d) for d in docs))  # expect: BL105

            if __name__ == "__main__":
                asyncio.run(main(["a", "b"]))
        """,
    }, id="main-script-gather-offline-beats-fanout"),
    # -------------------------------------------------- interactive: negatives
    pytest.param({
        "web.py": """
            import anthropic
            from flask import Flask, request

            app = Flask(__name__)
            client = anthropic.Anthropic()

            @app.route("/summarize", methods=["POST"])
            def summarize():
                resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": request.json["text"]}])
                return {"summary": resp.content[0].text}
        """,
    }, id="neg-flask-route"),
    pytest.param({
        "web.py": """
            import anthropic
            from flask import Flask, request

            app = Flask(__name__)
            client = anthropic.Anthropic()

            @app.post("/bulk")
            def bulk_summaries():
                out = []
                for text in request.json["texts"][:10]:
                    out.append(client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}]).content[0].text)
                return {"summaries": out}
        """,
    }, id="neg-flask-loop-inside-handler"),
    pytest.param({
        "api.py": """
            import asyncio
            import anthropic
            from fastapi import FastAPI

            app = FastAPI()
            client = anthropic.AsyncAnthropic()

            async def draft(text, tone):
                return await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": tone + text}])

            @app.post("/drafts")
            async def create_draft(text: str):
                return await draft(text, "neutral")

            @app.post("/reply-options")
            async def reply_options(text: str):
                return await asyncio.gather(*(draft(text, tone) for tone in ("warm", "brief", "formal")))
        """,
    }, id="neg-fastapi-handler-and-gather-in-handler"),
    pytest.param({
        "support/__init__.py": "",
        "support/views.py": """
            import anthropic
            from django.http import JsonResponse

            client = anthropic.Anthropic()

            def summarize(request):
                texts = request.POST.getlist("text")
                out = [client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": t}]).content[0].text for t in texts]
                return JsonResponse({"summaries": out})
        """,
        "support/urls.py": """
            from django.urls import path
            from support import views

            urlpatterns = [path("summarize/", views.summarize)]
        """,
    }, id="neg-django-function-view-with-loop"),
    pytest.param({
        "views.py": """
            import anthropic
            from rest_framework.views import APIView
            from rest_framework.response import Response

            client = anthropic.Anthropic()

            class SummaryView(APIView):
                def post(self, request):
                    out = []
                    for text in request.data["texts"]:
                        out.append(client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}]).content[0].text)
                    return Response({"summaries": out})
        """,
    }, id="neg-drf-apiview-with-loop"),
    pytest.param({
        "star.py": """
            import anthropic
            from starlette.applications import Starlette
            from starlette.responses import JSONResponse
            from starlette.routing import Route

            client = anthropic.AsyncAnthropic()

            async def summarize(request):
                body = await request.json()
                out = []
                for text in body["texts"]:
                    resp = await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])
                    out.append(resp.content[0].text)
                return JSONResponse(out)

            app = Starlette(routes=[Route("/summarize", summarize, methods=["POST"])])
        """,
    }, id="neg-starlette-route-with-loop"),
    pytest.param({
        "aio.py": """
            import anthropic
            from aiohttp import web

            client = anthropic.AsyncAnthropic()

            async def handle(request):
                body = await request.json()
                resp = await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": body["text"]}])
                return web.json_response({"text": resp.content[0].text})

            app = web.Application()
            app.add_routes([web.post("/summarize", handle)])
        """,
    }, id="neg-aiohttp-handler"),
    pytest.param({
        "ui.py": """
            import anthropic
            import streamlit as st

            client = anthropic.Anthropic()

            tickets = st.multiselect("Tickets", ["a", "b", "c"])
            if st.button("Summarize"):
                for t in tickets[:5]:
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": t}])
                    st.write(resp.content[0].text)
        """,
    }, id="neg-streamlit-loop"),
    pytest.param({
        "demo.py": """
            import anthropic
            import gradio as gr

            client = anthropic.Anthropic()

            def summarize_many(text):
                parts = text.split("\\n\\n")
                return "\\n".join(client.messages.create(model="claude-sonnet-4-5", max_tokens=128, messages=[{"role": "user", "content": p}]).content[0].text for p in parts)

            demo = gr.Interface(fn=summarize_many, inputs="text", outputs="text")
            demo.launch()
        """,
    }, id="neg-gradio-interface-with-loop"),
    pytest.param({
        "bot.py": """
            import anthropic
            import chainlit as cl

            client = anthropic.AsyncAnthropic()

            @cl.on_message
            async def on_message(message: cl.Message):
                resp = await client.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=[{"role": "user", "content": message.content}])
                await cl.Message(content=resp.content[0].text).send()
        """,
    }, id="neg-chainlit-handler"),
    pytest.param({
        "slack.py": """
            import anthropic
            from slack_bolt import App

            app = App()
            client = anthropic.Anthropic()

            @app.command("/summarize-channel")
            def summarize_channel(ack, command, say):
                ack()
                for msg in fetch_history(command["channel_id"]):
                    resp = client.messages.create(model="claude-haiku-4-5", max_tokens=128, messages=[{"role": "user", "content": msg}])
                    say(resp.content[0].text)

            def fetch_history(channel):
                return []
        """,
    }, id="neg-slack-bolt-command-with-loop"),
    pytest.param({
        "disc.py": """
            import anthropic
            import discord

            intents = discord.Intents.default()
            bot = discord.Client(intents=intents)
            client = anthropic.AsyncAnthropic()

            @bot.event
            async def on_message(message):
                if message.author == bot.user:
                    return
                resp = await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": message.content}])
                await message.channel.send(resp.content[0].text)
        """,
    }, id="neg-discord-handler"),
    pytest.param({
        "ws.py": """
            import anthropic
            from fastapi import FastAPI, WebSocket

            app = FastAPI()
            client = anthropic.AsyncAnthropic()

            @app.websocket("/ws")
            async def chat(websocket: WebSocket):
                await websocket.accept()
                while True:
                    text = await websocket.receive_text()
                    resp = await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])
                    await websocket.send_text(resp.content[0].text)
        """,
    }, id="neg-websocket-handler"),
    pytest.param({
        "chat.py": """
            import anthropic

            client = anthropic.Anthropic()

            def main():
                while True:
                    question = input("> ")
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": question}])
                    print(resp.content[0].text)

            if __name__ == "__main__":
                main()
        """,
    }, id="neg-input-chat-loop-under-main"),
    # ----------------------------------------------------------------- streams
    pytest.param({
        "stream.py": """
            import anthropic

            client = anthropic.Anthropic()

            def show_answers(questions):
                for q in questions:
                    with client.messages.stream(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": q}]) as stream:
                        for text in stream.text_stream:
                            print(text, end="", flush=True)

            if __name__ == "__main__":
                show_answers(["a", "b"])
        """,
    }, id="neg-stream-printed-in-loop"),
    pytest.param({
        "stream.py": """
            import anthropic

            client = anthropic.Anthropic()

            def stream_answers(questions):
                for q in questions:
                    with client.messages.stream(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": q}]) as stream:
                        for text in stream.text_stream:
                            yield text
        """,
    }, id="neg-stream-yielded-in-loop"),
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import Celery

            app = Celery("support")
            client = anthropic.Anthropic()

            @app.task
            def long_reports(topics):
                out = []
                for topic in topics:
                    with client.messages.stream(model="claude-sonnet-4-5", max_tokens=8000, messages=[{"role": "user", "content": topic}]) as stream:  # expect: BL104
                        out.append(stream.get_final_message())
                return out
        """,
    }, id="stream-drained-in-worker-loop"),
    pytest.param({
        "stream.py": """
            import anthropic

            client = anthropic.Anthropic()

            def long_reports(topics):
                out = []
                for topic in topics:
                    with client.messages.stream(model="claude-sonnet-4-5", max_tokens=8000, messages=[{"role": "user", "content": topic}]) as stream:  # expect: BL101
                        out.append(stream.get_final_message())
                return out
        """,
    }, id="stream-drained-in-loop"),
    pytest.param({
        "stream.py": """
            import anthropic

            client = anthropic.Anthropic()

            def show_answers(questions):
                for q in questions:
                    events = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, stream=True, messages=[{"role": "user", "content": q}])
                    for event in events:
                        if event.type == "content_block_delta":
                            print(event.delta.text, end="")
        """,
    }, id="neg-stream-true-printed-in-loop"),
    # ------------------------------------------------- loop-carried: negatives
    pytest.param({
        "convo.py": """
            import anthropic

            client = anthropic.Anthropic()

            def interview(questions):
                history = []
                for q in questions:
                    history.append({"role": "user", "content": q})
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=history)
                    history.append({"role": "assistant", "content": resp.content[0].text})
                return history

            if __name__ == "__main__":
                interview(["a", "b"])
        """,
    }, id="neg-conversation-history-loop"),
    pytest.param({
        "agent.py": """
            import anthropic

            client = anthropic.Anthropic()
            TOOLS = []

            def run_tools(resp):
                return [{"type": "tool_result", "tool_use_id": b.id, "content": "ok"} for b in resp.content if b.type == "tool_use"]

            def run_agent(task):
                messages = [{"role": "user", "content": task}]
                resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, tools=TOOLS, messages=messages)
                while resp.stop_reason == "tool_use":
                    messages.append({"role": "assistant", "content": resp.content})
                    messages.append({"role": "user", "content": run_tools(resp)})
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, tools=TOOLS, messages=messages)
                return resp
        """,
    }, id="neg-agent-tool-use-while-stop-reason"),
    pytest.param({
        "agent.py": """
            import anthropic
            from celery import Celery

            app = Celery("support")
            client = anthropic.Anthropic()
            TOOLS = []

            def resolve(ticket):
                messages = [{"role": "user", "content": ticket}]
                while True:
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, tools=TOOLS, messages=messages)
                    messages.append({"role": "assistant", "content": resp.content})
                    if resp.stop_reason != "tool_use":
                        break
                    messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": b.id, "content": "ok"} for b in resp.content if b.type == "tool_use"]})
                return resp

            @app.task
            def auto_resolve(ticket):
                return resolve(ticket)
        """,
    }, id="neg-agent-while-true-break-in-celery-task"),
    pytest.param({
        "rolling.py": """
            import anthropic

            client = anthropic.Anthropic()

            def rolling_summary(chunks):
                summary = ""
                for chunk in chunks:
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=[{"role": "user", "content": f"Summary so far: {summary}\\n\\nNew text: {chunk}"}])
                    summary = resp.content[0].text
                return summary

            if __name__ == "__main__":
                rolling_summary(["a", "b"])
        """,
    }, id="neg-running-summary-loop"),
    pytest.param({
        "retry.py": """
            import time
            import anthropic

            client = anthropic.Anthropic()

            def ask(prompt):
                for attempt in range(3):
                    try:
                        return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": prompt}])
                    except anthropic.APIError:
                        time.sleep(2 ** attempt)
                raise RuntimeError("gave up")
        """,
    }, id="neg-retry-loop"),
    pytest.param({
        "retry.py": """
            import time
            import anthropic

            client = anthropic.Anthropic()

            def ask(prompt):
                for attempt in range(3):
                    try:
                        return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": prompt}])
                    except anthropic.APIError:
                        time.sleep(2 ** attempt)
                raise RuntimeError("gave up")

            def ask_all(prompts):
                return [ask(p) for p in prompts]  # expect: BL101
        """,
    }, id="retry-loop-helper-called-from-loop"),
    # ------------------------------------------------ not message calls: negatives
    pytest.param({
        "tokens.py": """
            import anthropic

            client = anthropic.Anthropic()

            def budget(rows):
                total = 0
                for row in rows:
                    total += client.messages.count_tokens(model="claude-sonnet-4-5", messages=[{"role": "user", "content": row}]).input_tokens
                return total

            if __name__ == "__main__":
                budget(["a"])
        """,
    }, id="neg-count-tokens-in-loop"),
    pytest.param({
        "batch.py": """
            import anthropic
            from celery import Celery

            app = Celery("support")
            client = anthropic.Anthropic()

            @app.task
            def submit_reviews(rows):
                for chunk in (rows[i:i + 1000] for i in range(0, len(rows), 1000)):
                    client.messages.batches.create(requests=[{"custom_id": str(i), "params": {"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": [{"role": "user", "content": r}]}} for i, r in enumerate(chunk)])
        """,
    }, id="neg-batches-create-in-worker-loop"),
    pytest.param({
        "app/__init__.py": "",
        "app/management/__init__.py": "",
        "app/management/commands/__init__.py": "",
        "app/management/commands/notes.py": """
            import anthropic
            from django.core.management.base import BaseCommand

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    for ticket in Ticket.objects.all():
                        ticket.messages.create(body="closed by backfill", author=None)
        """,
    }, id="neg-django-orm-related-manager-in-loop"),
    pytest.param({
        "vendors.py": """
            import anthropic
            from openai import OpenAI

            openai_client = OpenAI()

            def compare(rows):
                for row in rows:
                    openai_client.chat.completions.create(model="gpt-4o", max_tokens=256, messages=[{"role": "user", "content": row}])
                    openai_client.completions.create(model="gpt-3.5-turbo-instruct", max_tokens=256, prompt=row)

            if __name__ == "__main__":
                compare(["a"])
        """,
    }, id="neg-openai-client-in-loop"),
    pytest.param({
        "notify.py": """
            import anthropic

            class _MessageBox:
                def create(self, to, body):
                    return {"to": to, "body": body}

            class Inbox:
                def __init__(self):
                    self.messages = _MessageBox()

            def notify_agents(agents):
                inbox = Inbox()
                for agent in agents:
                    inbox.messages.create(to=agent, body="digest ready")

            if __name__ == "__main__":
                notify_agents(["a"])
        """,
    }, id="neg-unrelated-class-messages-create"),
    pytest.param({
        "sms.py": """
            from twilio.rest import Client

            client = Client("sid", "token")

            def page(numbers):
                for n in numbers:
                    client.messages.create(to=n, from_="+15550100", body="on call")

            if __name__ == "__main__":
                page(["+1555"])
        """,
    }, id="neg-twilio-client-named-client"),
    # ------------------------------------------- look-alikes next to real calls
    pytest.param({
        "tokens.py": """
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows):
                for row in rows:
                    msgs = [{"role": "user", "content": row}]
                    if client.messages.count_tokens(model="claude-haiku-4-5", messages=msgs).input_tokens > 5000:
                        continue
                    client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=msgs)  # expect: BL101
        """,
    }, id="count-tokens-next-to-create-in-loop"),
    pytest.param({
        "app/__init__.py": "",
        "app/management/__init__.py": "",
        "app/management/commands/__init__.py": "",
        "app/management/commands/backfill.py": """
            import anthropic
            from django.core.management.base import BaseCommand

            client = anthropic.Anthropic()

            class Command(BaseCommand):
                def handle(self, *args, **options):
                    for ticket in Ticket.objects.filter(summary=""):
                        resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": ticket.body}])  # expect: BL105
                        ticket.messages.create(body=resp.content[0].text)
        """,
    }, id="orm-related-manager-next-to-claude-in-command"),
    pytest.param({
        "compare.py": """
            import anthropic
            from openai import OpenAI

            claude = anthropic.Anthropic()
            gpt = OpenAI()

            def main(rows):
                for row in rows:
                    claude.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": row}])  # expect: BL105
                    gpt.chat.completions.create(model="gpt-4o", max_tokens=256, messages=[{"role": "user", "content": row}])

            if __name__ == "__main__":
                main(["a"])
        """,
    }, id="openai-next-to-claude-in-main-loop"),
    pytest.param({
        "bulk.py": """
            import anthropic

            client = anthropic.Anthropic()

            def answer_each(questions):
                results = []
                for q in questions:
                    messages = [{"role": "user", "content": q}]
                    resp = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=messages)  # expect: BL101
                    results.append(resp.content[0].text)
                return results
        """,
    }, id="fresh-messages-per-item-is-not-history"),
    pytest.param({
        "label.py": """
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows):
                for row in rows:
                    text = row["text"]
                    answer = client.messages.create(model="claude-x", max_tokens=10, messages=[{"role": "user", "content": text}])  # expect: BL101
                    row["answer"] = answer

            def label_after(rows):
                prev = ""
                for row in rows:
                    text = row["text"] + prev
                    answer = client.messages.create(model="claude-x", max_tokens=10, messages=[{"role": "user", "content": text}])
                    row["answer"] = answer
                    prev = answer.content[0].text
        """,
    }, id="answer-stored-into-the-item-a-local-was-read-from"),
    pytest.param({
        "retry.py": """
            import time
            import anthropic

            client = anthropic.Anthropic()

            def label_all(rows):
                out = []
                for row in rows:
                    for attempt in range(3):
                        try:
                            resp = client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": row}])  # expect: BL101
                            break
                        except anthropic.RateLimitError:
                            time.sleep(2 ** attempt)
                    out.append(resp)
                return out
        """,
    }, id="retry-loop-nested-in-loop-over-items"),
    pytest.param({
        "retry.py": """
            import time
            import anthropic

            client = anthropic.Anthropic()

            def ask(prompt):
                while True:
                    try:
                        return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": prompt}])
                    except anthropic.RateLimitError:
                        time.sleep(5)
        """,
    }, id="neg-while-true-retry-loop"),
    pytest.param({
        "llm.py": """
            import anthropic

            client = anthropic.Anthropic()

            def ask(prompt):
                return client.messages.create(model="claude-x", max_tokens=10, messages=[{"role": "user", "content": prompt}]).content[0].text
        """,
        "grade.py": """
            import json

            from llm import ask

            def grade(prompt):
                tries, ok = 0, False
                while tries < 3 and not ok:
                    text = ask(prompt)
                    try:
                        parsed = json.loads(text)
                        ok = True
                    except ValueError:
                        tries += 1
                return parsed

            def grade_else(prompt):
                tries, ok = 0, False
                while tries < 3 and not ok:
                    text = ask(prompt)
                    try:
                        parsed = json.loads(text)
                    except ValueError:
                        tries += 1
                    else:
                        ok = True
                return parsed

            def grade_queue(queue):
                ok, results = False, []
                while queue and not ok:
                    item = queue.pop()
                    text = ask(item)  # expect: BL101
                    try:
                        results.append(json.loads(text))
                        ok = len(results) > 10
                    except ValueError:
                        pass
                return results

            def grade_rows(rows):
                out = []
                for row in rows:
                    text = ask(row)  # expect: BL101
                    try:
                        out.append(json.loads(text))
                        ok = True
                    except ValueError:
                        ok = False
                return out
        """,
    }, id="neg-retry-until-the-answer-parses-beside-a-queue-and-rows-with-try"),
    pytest.param({
        "llm.py": """
            import anthropic

            client = anthropic.Anthropic()

            def ask(prompt):
                return client.messages.create(model="claude-x", max_tokens=10, messages=[{"role": "user", "content": prompt}]).content[0].text
        """,
        "write.py": """
            from llm import ask

            def write(prompt):
                tries, done = 0, False
                while not done and tries <= 3:
                    tries += 1
                    out = ask(prompt)
                    if not out or len(out) < 300:
                        continue
                    done = True
                return out

            def rebuilt_each_try(question):
                response, attempts = None, 0
                while response is None and attempts < 3:
                    messages = question.strip()
                    response = ask(messages)
                    attempts += 1
                return response

            def first_answers(items, limit):
                i, results = 0, []
                while i < len(items) and len(results) < limit:
                    results.append(ask(items[i]))  # expect: BL101
                    i += 1
                return results

            def until_answered(prompt):
                ret, retries = None, 0
                while ret is None and retries < 3:
                    ret = ask(prompt + f" (attempt {retries})")
                    retries += 1
                return ret

            def drain(queue):
                done, outs = False, []
                while not done:
                    item = queue.get()
                    if item is None:
                        done = True
                        continue
                    out = ask(item)  # expect: BL101
                    if not out:
                        continue
                    outs.append(out)
                return outs
        """,
    }, id="neg-retry-until-long-enough-beside-a-queue-worker"),
    pytest.param({
        "api.py": """
            import anthropic
            from fastapi import BackgroundTasks, FastAPI

            app = FastAPI()
            client = anthropic.Anthropic()

            def summarize_and_store(ticket_id: int, text: str):
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])  # expect: BL104

            @app.post("/tickets/{ticket_id}")
            def create_ticket(ticket_id: int, text: str, background_tasks: BackgroundTasks):
                background_tasks.add_task(summarize_and_store, ticket_id, text)
                return {"ok": True}
        """,
    }, id="fastapi-background-task-is-worker"),
    pytest.param({
        "slack.py": """
            import threading
            import anthropic
            from slack_bolt import App

            app = App()
            client = anthropic.Anthropic()

            def digest_channel(channel):
                for msg in fetch_history(channel):
                    # the person who typed /digest waits for the digest: a thread a
                    # handler starts serves that request when it posts the answer back
                    # (held-out evaluation: an SSE endpoint did the same), so nothing is reported
                    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=128, messages=[{"role": "user", "content": msg}])
                    app.client.chat_postMessage(channel=channel, text=reply.content[0].text)

            @app.command("/digest")
            def digest(ack, command):
                ack("Working on it")
                threading.Thread(target=digest_channel, args=(command["channel_id"],)).start()

            def fetch_history(channel):
                return []
        """,
    }, id="thread-started-from-slack-handler-serves-the-user"),
    # ------------------------------------------------ more spellings of each context
    pytest.param({
        "runner.py": """
            import schedule
            import anthropic

            client = anthropic.Anthropic()

            def morning_brief():
                client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": "brief"}])  # expect: BL103

            schedule.every().day.at("06:30").do(morning_brief)
        """,
    }, id="schedule-every-day-at-do"),
    pytest.param({
        "modal_app.py": """
            import anthropic
            import modal

            app = modal.App("digest")

            @app.function(schedule=modal.Period(hours=4))
            def refresh(rows=()):
                client = anthropic.Anthropic()
                for row in rows:
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": row}])  # expect: BL103
        """,
    }, id="modal-function-with-period-schedule-loop"),
    pytest.param({
        "support/__init__.py": "",
        "support/tasks.py": """
            import anthropic
            from huey import crontab
            from huey.contrib.djhuey import periodic_task

            client = anthropic.Anthropic()

            @periodic_task(crontab(hour="2", minute="0"))
            def nightly_tags():
                client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": "tags"}])  # expect: BL103
        """,
    }, id="djhuey-periodic-task"),
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import Task

            client = anthropic.Anthropic()

            class SummarizeTask(Task):
                def run(self, text):
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])  # expect: BL104
        """,
    }, id="celery-class-based-task-run"),
    pytest.param({
        "cli.py": """
            import anthropic
            import click

            client = anthropic.Anthropic()

            @click.command()
            @click.argument("path")
            def label_file(path):
                for line in open(path):
                    client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": line}])  # expect: BL105
        """,
    }, id="click-command-loop"),
    pytest.param({
        "cli.py": """
            import anthropic
            import click

            client = anthropic.Anthropic()

            @click.command()
            @click.argument("question")
            def ask(question):
                click.echo(client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": question}]).content[0].text)
        """,
    }, id="neg-click-command-single-call"),
    pytest.param({
        "par.py": """
            import anthropic
            from joblib import Parallel, delayed

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def summarize_all(rows):
                return Parallel(n_jobs=8)(delayed(summarize)(r) for r in rows)  # expect: BL102
        """,
    }, id="joblib-parallel-delayed"),
    pytest.param({
        "pool.py": """
            import functools
            from concurrent.futures import ThreadPoolExecutor
            import anthropic

            client = anthropic.Anthropic()

            def summarize(text, style):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": style + text}])

            def summarize_all(rows):
                with ThreadPoolExecutor(8) as ex:
                    return list(ex.map(functools.partial(summarize, style="short"), rows))  # expect: BL102
        """,
    }, id="threadpool-map-of-partial"),
    pytest.param({
        "pool.py": """
            from concurrent.futures import ThreadPoolExecutor
            import anthropic

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            def summarize_all(rows):
                with ThreadPoolExecutor(8) as ex:
                    futures = [ex.submit(lambda r=r: summarize(r)) for r in rows]  # expect: BL102
                return [f.result() for f in futures]
        """,
    }, id="threadpool-submit-lambda-in-comprehension"),
    pytest.param({
        "fan.py": """
            import asyncio
            import anthropic

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            async def summarize_all(rows):
                return await asyncio.gather(*(asyncio.to_thread(summarize, r) for r in rows))  # expect: BL102
        """,
    }, id="gather-of-to-thread"),
    pytest.param({
        "fan.py": """
            import asyncio
            import anthropic

            client = anthropic.Anthropic()

            def summarize(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])

            async def summarize_all(rows):
                loop = asyncio.get_running_loop()
                futs = []
                for r in rows:
                    futs.append(loop.run_in_executor(None, summarize, r))  # expect: BL102
                return await asyncio.gather(*futs)
        """,
    }, id="run-in-executor-in-loop"),
    pytest.param({
        "scripts/pipeline.py": """
            import asyncio
            import anthropic

            client = anthropic.AsyncAnthropic()

            async def enrich(doc):
                return await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": doc}])

            async def main(docs):
                async with asyncio.TaskGroup() as tg:
                    for d in docs:
                        tg.create_task(enrich(d))  # expect: BL105

            if __name__ == "__main__":
                asyncio.run(main(["a", "b"]))
        """,
    }, id="main-asyncio-run-taskgroup"),
    pytest.param({
        "tasks.py": """
            import anthropic
            from celery import Celery

            app = Celery("support")
            client = anthropic.Anthropic()

            @app.task
            def long_report(topic):
                with client.messages.stream(model="claude-sonnet-4-5", max_tokens=16000, messages=[{"role": "user", "content": topic}]) as stream:  # expect: BL104
                    text = "".join(stream.text_stream)
                return text
        """,
    }, id="stream-joined-in-worker"),
    pytest.param({
        "stream.py": """
            import anthropic

            client = anthropic.Anthropic()

            def collect(topics):
                out = []
                for topic in topics:
                    events = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, stream=True, messages=[{"role": "user", "content": topic}])  # expect: BL101
                    out.append([e for e in events])
                return out
        """,
    }, id="stream-true-collected-in-loop"),
    # ------------------------------------------------ more interactive spellings
    pytest.param({
        "api.py": """
            import anthropic
            from fastapi import APIRouter

            router = APIRouter()
            client = anthropic.Anthropic()

            @router.post("/labels")
            def labels(texts: list[str]):
                return [client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": t}]) for t in texts]
        """,
    }, id="neg-fastapi-router-with-comprehension"),
    pytest.param({
        "bp.py": """
            import anthropic
            from flask import Blueprint, request

            bp = Blueprint("labels", __name__)
            client = anthropic.Anthropic()

            @bp.route("/labels", methods=["POST"])
            def labels():
                return {"labels": [client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": t}]).content[0].text for t in request.json]}
        """,
    }, id="neg-flask-blueprint-with-comprehension"),
    pytest.param({
        "web.py": """
            import anthropic
            from flask import Flask, request

            app = Flask(__name__)
            client = anthropic.Anthropic()

            def labels():
                return {"labels": [client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": t}]).content[0].text for t in request.json]}

            app.add_url_rule("/labels", view_func=labels, methods=["POST"])
        """,
    }, id="neg-flask-add-url-rule"),
    pytest.param({
        "views.py": """
            import anthropic
            from django.http import JsonResponse
            from django.views import View

            client = anthropic.Anthropic()

            class LabelView(View):
                def post(self, request):
                    out = [client.messages.create(model="claude-haiku-4-5", max_tokens=16, messages=[{"role": "user", "content": t}]).content[0].text for t in request.POST.getlist("t")]
                    return JsonResponse({"labels": out})
        """,
    }, id="neg-django-class-based-view"),
    pytest.param({
        "bot.py": """
            import anthropic
            import discord
            from discord.ext import commands

            bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())
            client = anthropic.Anthropic()

            @bot.command()
            async def summarize(ctx, *urls):
                for url in urls:
                    resp = client.messages.create(model="claude-haiku-4-5", max_tokens=128, messages=[{"role": "user", "content": url}])
                    await ctx.send(resp.content[0].text)
        """,
    }, id="neg-discord-bot-command-with-loop"),
    pytest.param({
        "demo.py": """
            import anthropic
            import gradio as gr

            client = anthropic.Anthropic()

            def respond(text):
                return client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}]).content[0].text

            with gr.Blocks() as demo:
                box = gr.Textbox()
                out = gr.Textbox()
                btn = gr.Button("Go")
                btn.click(fn=respond, inputs=box, outputs=out)
        """,
    }, id="neg-gradio-blocks-click"),
    pytest.param({
        "wsserver.py": """
            import asyncio
            import anthropic
            import websockets

            client = anthropic.AsyncAnthropic()

            async def handler(websocket):
                async for text in websocket:
                    resp = await client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": text}])
                    await websocket.send(resp.content[0].text)

            async def main():
                async with websockets.serve(handler, "localhost", 8765):
                    await asyncio.Future()

            if __name__ == "__main__":
                asyncio.run(main())
        """,
    }, id="neg-websockets-serve-handler"),
    pytest.param({
        "slack.py": """
            import anthropic
            from slack_bolt import App

            app = App()
            client = anthropic.Anthropic()

            @app.event("app_mention")
            def mention(event, say):
                say(client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": event["text"]}]).content[0].text)
        """,
    }, id="neg-slack-bolt-event"),
    # A loop that a request handler runs is the handler's latency, even when a
    # script runs the same loop too; the script's own loop over it is not.
    pytest.param({
        "pages.py": PAGES,
        "api.py": PAGES_ROUTE,
        "main.py": """
            from pages import extract_topics

            extract_topics(["one page", "another page"])
        """,
    }, id="neg-helper-loop-run-by-handler-and-script"),
    pytest.param({
        "pages.py": PAGES,
        "api.py": PAGES_ROUTE,
        "backfill.py": """
            from pages import extract_topics

            for deck in ["deck one", "deck two"]:
                extract_topics([deck])  # expect: BL105
        """,
    }, id="script-loop-over-helper-a-handler-also-runs"),
    pytest.param({
        "pages.py": """
            import anthropic

            client = anthropic.Anthropic()

            def extract_topics(pages):
                return [client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=[{"role": "user", "content": p}]) for p in pages]  # expect: BL105
        """,
        "main.py": """
            from pages import extract_topics

            extract_topics(["one page", "another page"])
        """,
    }, id="helper-loop-run-by-script-only"),
]


@pytest.mark.parametrize("files", CASES)
def test_context(tmp_path, files):
    assert run(tmp_path, files) == expected(files)


def test_rule_matching_skips_by_prefix_without_changing_any_answer():
    """patterns.matches tests a pattern's literal prefix before fnmatch: the
    answer must be fnmatchcase's for every rule pattern."""
    from fnmatch import fnmatchcase

    from batchlint.analysis import contexts
    from batchlint.analysis.patterns import matches

    patterns = sorted({rule.pattern for rule in contexts.DECORATOR_RULES}) + ["*.task", "a?c.*", "[ab].route", "plain.name"]
    names = {"celery.Celery.task", "flask.Flask.route", "fastapi.FastAPI.get", "abc.x", "b.route", "plain.name",
             "plain.names", "x", ""}
    for pattern in patterns:  # a name each pattern matches, one it nearly matches
        names.add(pattern.replace("*", "x.y").replace("?", "q").replace("[", "").replace("]", ""))
        names.add(pattern.replace("*", "").rstrip(".") + "_")
    for pattern in patterns:
        for name in names:
            assert matches(name, pattern) == fnmatchcase(name, pattern), (name, pattern)


INPUT_HELPER = """
    import asyncio

    import anthropic
    from prompt_toolkit import PromptSession

    client = anthropic.Anthropic()


    async def get_user_input(prompt="You: "):
        return await PromptSession().prompt_async(prompt)


    def read_lines(path):
        return open(path).read().splitlines()


    class Shell:
        def ask_user(self):
            return input("> ")

        def run(self):
            while True:
                text = self.ask_user()
                print(client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": text}]))


    async def main():
        while True:
            text = await get_user_input()
            if text == "exit":
                break
            print(client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": text}]))


    def batch(path):
        for line in read_lines(path):
            print(client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": line}]))  # expect: BL101
"""


def test_a_loop_reading_input_through_a_helper_is_a_chat_loop(tmp_path):
    """The person types through a function of the file (a prompt_toolkit
    wrapper, a method around input()): each turn is waited on. A loop over a
    helper that reads a file is not a chat loop."""
    import textwrap

    files = {"chat.py": textwrap.dedent(INPUT_HELPER)}
    assert run(tmp_path, files) == expected(files)

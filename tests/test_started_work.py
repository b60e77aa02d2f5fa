"""Work a request handler starts: fire-and-forget is a candidate; work whose
result goes back to the waiting person is interactive."""

from __future__ import annotations

import textwrap

import pytest
from helpers import expected, run

HEAD = """
    import queue
    import threading

    import anthropic
    from fastapi import BackgroundTasks, FastAPI, WebSocket

    app = FastAPI()
    client = anthropic.Anthropic()
    results = {}

"""


@pytest.mark.parametrize("body", [
    pytest.param("""
        def label_all(rows):
            for row in rows:
                client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])  # expect: BL104

        @app.post("/label")
        def label(rows: list[str]):
            threading.Thread(target=label_all, args=(rows,), daemon=True).start()
            return {"status": "queued"}
    """, id="thread-started-and-left-is-fire-and-forget"),
    pytest.param("""
        def label_all(rows):
            for row in rows:
                client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])  # expect: BL104

        @app.post("/label")
        def label(rows: list[str], background_tasks: BackgroundTasks):
            background_tasks.add_task(label_all, rows)
            return {"status": "queued"}
    """, id="background-task-started-and-left-is-fire-and-forget"),
    pytest.param("""
        def label_all(rows, out):
            for row in rows:
                out.put(client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}]))

        @app.post("/label")
        def label(rows: list[str]):
            out = queue.Queue()
            threading.Thread(target=label_all, args=(rows, out)).start()
            return stream_from(out)

        def stream_from(out):
            return out
    """, id="thread-whose-results-are-streamed-back-is-interactive"),
    pytest.param("""
        def label_all(rows):
            for row in rows:
                results[row] = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])

        @app.post("/label")
        def label(rows: list[str]):
            worker = threading.Thread(target=label_all, args=(rows,))
            worker.start()
            worker.join()
            return results
    """, id="thread-the-handler-waits-for-is-interactive"),
    pytest.param("""
        def notify(channel, text):
            redis_client.publish(channel, text)

        def label_all(request_id, rows):
            for row in rows:
                reply = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])
                notify(f"label:{request_id}", reply.content[0].text)

        @app.post("/label/{request_id}")
        def label(request_id: str, rows: list[str], background_tasks: BackgroundTasks):
            background_tasks.add_task(label_all, request_id, rows)
            return {"channel": f"label:{request_id}"}

        redis_client = None
    """, id="background-task-publishing-to-the-requests-channel-is-interactive"),
])
def test_work_started_by_a_request_handler(tmp_path, body):
    files = {"api.py": "".join(textwrap.dedent(part) for part in (HEAD, body))}
    assert run(tmp_path, files) == expected(files)


def test_closure_started_by_the_handler_stays_with_the_request(tmp_path):
    # the same work as a module-level target (reported above), but defined inside
    # the handler over the request's values: not known to be left behind
    files = {"api.py": "".join(textwrap.dedent(part) for part in (HEAD, """
        @app.post("/label")
        def label(rows: list[str]):
            def label_all():
                for row in rows:
                    client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])
            threading.Thread(target=label_all, daemon=True).start()
            return {"status": "queued"}
    """))}
    assert run(tmp_path, files) == expected(files) == []


@pytest.mark.parametrize("body", [
    pytest.param("""
        @app.post("/label")
        def label(rows: list[str], background_tasks: BackgroundTasks):
            def label_all():
                for row in rows:
                    client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])  # expect: BL104
            background_tasks.add_task(label_all)
            return {"status": "queued"}
    """, id="closure-run-after-the-response-is-fire-and-forget"),
    pytest.param("""
        @app.websocket("/label")
        async def label(ws: WebSocket, background_tasks: BackgroundTasks):
            rows = await ws.receive_json()
            def label_all():
                for row in rows:
                    reply = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": row}])
                    ws.send_text(reply.content[0].text)
            background_tasks.add_task(label_all)
    """, id="closure-sending-each-answer-back-is-interactive"),
])
def test_background_task_closures_run_after_the_response(tmp_path, body):
    """FastAPI runs `background_tasks.add_task(job)` once the response is
    sent: a closure of the handler no longer carries the request, unless it
    sends something back."""
    files = {"api.py": "".join(textwrap.dedent(part) for part in (HEAD, body))}
    assert run(tmp_path, files) == expected(files)

"""A local fake of the Claude Messages and Message Batches APIs, on loopback.

Programs under test reach it through the real anthropic SDK by setting
ANTHROPIC_BASE_URL. It counts tokens its own way — words and punctuation, a
long word costing one token per four characters — independent of batchlint's
estimator, and answers with a reply of 40-60% of `max_tokens` (chosen from a
hash of the request, so runs are repeatable). Every request's usage is
recorded for the test to read.

Batches behave as the API documents: custom_id must match
^[a-zA-Z0-9_-]{1,64}$ and be unique; a batch stays `in_progress` for
`polls_to_end` retrievals, then `ended` with a `results_url`; results stream as
JSONL in an order unrelated to the requests; `outcome(custom_id, attempt)` can
make a request `errored` (with an error type) or `expired`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    return sum(max(1, math.ceil(len(piece) / 4)) for piece in _TOKEN.findall(text))


def _text_of(value) -> str:
    """All text in a `system` or `messages` value (strings, content blocks)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_text_of(v) for v in value)
    if isinstance(value, dict):
        if "text" in value:
            return _text_of(value["text"])
        if "content" in value:
            return _text_of(value["content"])
    return ""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class FakeAPI:
    def __init__(self, polls_to_end: int = 2, outcome: Callable[[str, int], str] | None = None) -> None:
        self.requests: list[dict] = []  # synchronous Messages calls: {"model", "input_tokens", "output_tokens"}
        self.batch_requests: list[dict] = []  # requests submitted in batches, with their custom_id
        self.batches: dict[str, dict] = {}
        self.polls_to_end = polls_to_end
        self.held_from: int | None = None  # batches from this one (1-based, in creation order) never end
        self.outcome = outcome or (lambda custom_id, attempt: "succeeded")
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.split("?")[0]
                if path == "/v1/messages" and body.get("stream"):
                    self._send_events(api.message(body))
                elif path == "/v1/messages":
                    self._send(200, api.message(body))
                elif path == "/v1/messages/batches":
                    self._send(*api.create_batch(body))
                elif path.startswith("/v1/messages/batches/") and path.endswith("/cancel"):
                    self._send(*api.cancel_batch(path.split("/")[4]))
                else:
                    self._not_found()

            def do_GET(self):
                parts = self.path.split("?")[0].strip("/").split("/")
                if parts == ["v1", "messages", "batches"]:
                    self._send(200, api.list_batches())
                elif parts[:3] == ["v1", "messages", "batches"] and len(parts) == 4:
                    self._send(*api.retrieve_batch(parts[3]))
                elif parts[:3] == ["v1", "messages", "batches"] and len(parts) == 5 and parts[4] == "results":
                    status, lines = api.batch_results(parts[3])
                    if status != 200:
                        self._send(status, lines)
                        return
                    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/binary")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self._not_found()

            def _send_events(self, message: dict) -> None:
                """The message as server-sent events, as `stream=True` gets it."""
                usage = message["usage"]
                start = {**message, "content": [], "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1}}
                events = [
                    ("message_start", {"type": "message_start", "message": start}),
                    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
                    ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                             "delta": {"type": "text_delta", "text": message["content"][0]["text"]}}),
                    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                       "usage": {"output_tokens": usage["output_tokens"]}}),
                    ("message_stop", {"type": "message_stop"}),
                ]
                data = "".join(f"event: {name}\ndata: {json.dumps(payload)}\n\n" for name, payload in events).encode()
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _not_found(self) -> None:
                self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)  # quick shutdown

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeAPI":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def message(self, body: dict, record: bool = True) -> dict:
        prompt = _text_of(body.get("system", "")) + "\n" + _text_of(body.get("messages", []))
        input_tokens = count_tokens(prompt)
        max_tokens = int(body.get("max_tokens", 1))
        digest = int(hashlib.sha256(prompt.encode()).hexdigest()[:8], 16)
        output_tokens = max(1, round(max_tokens * (0.4 + 0.2 * (digest % 1000) / 999)))
        if record:
            with self._lock:
                self.requests.append({"model": body.get("model"), "input_tokens": input_tokens, "output_tokens": output_tokens})
        return {
            "id": f"msg_fake_{len(self.requests)}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", ""),
            "content": [{"type": "text", "text": " ".join(["word"] * output_tokens)}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        }

    # ---------------------------------------------------------------- batches
    def _error(self, status: int, kind: str, message: str) -> tuple[int, dict]:
        return status, {"type": "error", "error": {"type": kind, "message": message}}

    def create_batch(self, body: dict) -> tuple[int, dict]:
        requests = body.get("requests")
        if not isinstance(requests, list) or not 1 <= len(requests) <= 100_000:
            return self._error(400, "invalid_request_error", "requests: between 1 and 100,000 items")
        ids = [r.get("custom_id") for r in requests]
        bad = [i for i in ids if not isinstance(i, str) or not _CUSTOM_ID.match(i)]
        if bad:
            return self._error(400, "invalid_request_error", f"custom_id {bad[0]!r} must match ^[a-zA-Z0-9_-]{{1,64}}$")
        if len(set(ids)) != len(ids):
            return self._error(400, "invalid_request_error", "custom_id values must be unique within a batch")
        if any(r.get("params", {}).get("stream") for r in requests):
            return self._error(400, "invalid_request_error", "stream is not supported in batches")
        with self._lock:
            batch_id = f"msgbatch_fake{len(self.batches) + 1:04d}"
            self.batches[batch_id] = {"requests": requests, "polls": 0, "created_at": _now(), "canceled": False, "results": None}
            for r in requests:
                self.batch_requests.append({"custom_id": r["custom_id"], **r["params"]})
        return 200, self._batch_json(batch_id)

    def retrieve_batch(self, batch_id: str) -> tuple[int, dict]:
        if batch_id not in self.batches:
            return self._error(404, "not_found_error", batch_id)
        with self._lock:
            self.batches[batch_id]["polls"] += 1
        return 200, self._batch_json(batch_id)

    def list_batches(self) -> dict:
        """One page of every batch, most recent first (no paging: tests make few)."""
        data = [self._batch_json(batch_id) for batch_id in reversed(list(self.batches))]
        return {"data": data, "has_more": False, "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None}

    def cancel_batch(self, batch_id: str) -> tuple[int, dict]:
        if batch_id not in self.batches:
            return self._error(404, "not_found_error", batch_id)
        self.batches[batch_id]["canceled"] = True
        return 200, self._batch_json(batch_id)

    def _ended(self, batch: dict) -> bool:
        if self.held_from is not None and list(self.batches.values()).index(batch) + 1 >= self.held_from:
            return batch["canceled"]  # a test holds this batch (and later ones) in progress
        return batch["canceled"] or batch["polls"] >= self.polls_to_end

    def _results_for(self, batch_id: str) -> list[dict]:
        batch = self.batches[batch_id]
        if batch["results"] is None:
            lines = []
            for request in batch["requests"]:
                custom_id = request["custom_id"]
                with self._lock:
                    attempt = self._attempts.get(custom_id, 0) + 1
                    self._attempts[custom_id] = attempt
                outcome = "canceled" if batch["canceled"] else self.outcome(custom_id, attempt)
                if outcome == "succeeded":
                    result = {"type": "succeeded", "message": self.message(request["params"], record=False)}
                elif outcome.startswith("errored"):
                    kind = outcome.partition(":")[2] or "api_error"
                    result = {"type": "errored", "error": {"type": "error", "error": {"type": kind, "message": f"fake {kind}"}, "request_id": None}}
                else:
                    result = {"type": outcome}
                lines.append({"custom_id": custom_id, "result": result})
            # results come back in no particular order
            lines.sort(key=lambda line: hashlib.sha256(line["custom_id"].encode()).hexdigest())
            batch["results"] = lines
        return batch["results"]

    def _batch_json(self, batch_id: str) -> dict:
        batch = self.batches[batch_id]
        ended = self._ended(batch)
        counts = {"processing": 0 if ended else len(batch["requests"]), "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if ended:
            for line in self._results_for(batch_id):
                counts[line["result"]["type"]] += 1
        created = batch["created_at"]
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else ("canceling" if batch["canceled"] else "in_progress"),
            "request_counts": counts,
            "created_at": created,
            "expires_at": (datetime.fromisoformat(created.replace("Z", "+00:00")) + timedelta(hours=24)).isoformat().replace("+00:00", "Z"),
            "ended_at": _now() if ended else None,
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": f"{self.base_url}/v1/messages/batches/{batch_id}/results" if ended else None,
        }

    def batch_results(self, batch_id: str):
        if batch_id not in self.batches:
            return self._error(404, "not_found_error", batch_id)
        if not self._ended(self.batches[batch_id]):
            return self._error(400, "invalid_request_error", "batch is still processing")
        return 200, self._results_for(batch_id)

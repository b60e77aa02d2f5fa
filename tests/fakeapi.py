"""A local fake of the Claude Messages API, served on loopback for tests.

Programs under test reach it through the real anthropic SDK by setting
ANTHROPIC_BASE_URL. It counts tokens its own way — words and punctuation, a
long word costing one token per four characters — independent of batchlint's
estimator, and answers with a reply of 40-60% of `max_tokens` (chosen from a
hash of the request, so runs are repeatable). Every request's usage is
recorded for the test to read.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


class FakeAPI:
    def __init__(self) -> None:
        self.requests: list[dict] = []  # {"model", "input_tokens", "output_tokens"}
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.split("?")[0] != "/v1/messages":
                    self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
                    return
                self._send(200, api.message(body))

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

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

    def message(self, body: dict) -> dict:
        prompt = _text_of(body.get("system", "")) + "\n" + _text_of(body.get("messages", []))
        input_tokens = count_tokens(prompt)
        max_tokens = int(body.get("max_tokens", 1))
        digest = int(hashlib.sha256(prompt.encode()).hexdigest()[:8], 16)
        output_tokens = max(1, round(max_tokens * (0.4 + 0.2 * (digest % 1000) / 999)))
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

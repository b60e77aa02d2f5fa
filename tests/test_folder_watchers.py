"""A watchdog event handler (`on_created` of a `FileSystemEventHandler`
subclass) runs in the observer's thread for each file that arrives: a
background worker, like a folder-polling loop. Its other methods, and a class
that is no event handler, are judged as usual."""

from __future__ import annotations

import pytest
from helpers import expected, run

WATCHER = """
import time

import anthropic
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

client = anthropic.Anthropic()


def summarize(text):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=100,
                                  messages=[{"role": "user", "content": text}]).content[0].text


class Handler(BASE):
    def METHOD(self, event):
        with open(event.src_path) as source:
            summary = summarize(source.read())MARK
        with open(event.src_path + ".summary", "w") as out:
            out.write(summary)


if __name__ == "__main__":
    observer = Observer()
    observer.schedule(Handler(), path="inbox", recursive=True)
    observer.start()
    while True:
        time.sleep(10)
"""


@pytest.mark.parametrize("base, method, reported", [
    pytest.param("FileSystemEventHandler", "on_created", True, id="a-new-file-handler"),
    pytest.param("FileSystemEventHandler", "on_any_event", True, id="an-any-event-handler"),
    pytest.param("FileSystemEventHandler", "describe", False, id="neg-another-method-nobody-calls"),
    pytest.param("object", "on_created", False, id="neg-a-class-that-handles-no-file-events"),
])
def test_watchdog_handlers_are_background_workers(tmp_path, base, method, reported):
    source = WATCHER.replace("BASE", base).replace("METHOD", method).replace("MARK", "  # expect: BL104" if reported else "")
    files = {"watch.py": source}
    assert run(tmp_path, files) == expected(files)

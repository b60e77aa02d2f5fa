"""Run Claude Messages requests through the Message Batches API (half the price).

Usage, as `batchlint fix` writes it::

    batch = _claude_batch.Batch(client.messages, "mypkg.jobs:nightly")
    for doc in docs:
        batch.add(doc, model="claude-sonnet-5", max_tokens=512, messages=[...])
    for doc, message in batch.results():  # async: `async for` ... aresults()
        save(doc, message)

What it adds to a plain submit-and-poll loop:

- Durable state: each batch and its requests are recorded (a JSON file per
  key in `.claude_batch/`, see FileStore) as it is submitted. A rerun after a
  kill waits for that batch or reads its results instead of paying again; a
  result stays recorded until the loop has processed it.
- `wait=False` for scheduled jobs: collect what has ended, submit what is
  new, never sleep. Items travel in the state (pickled), so a result is
  delivered even if the code no longer produces its item.
- Partial failure: expired requests and retryable errors are resubmitted (up
  to `max_attempts` submissions); what still fails is reported per item.
- Monitoring: logger "claude_batch", and one line per ended batch in
  `history.jsonl` (turnaround, counts, tokens) for `batchlint status`.
- Tests and other clients: a mock, a patched `Messages.create`, a client
  without batch support (Bedrock, Vertex, Foundry) or CLAUDE_BATCH_DISABLE=1
  gets the original synchronous calls, one per item, as the loop runs.

Standard library and `anthropic` only. The state folder must be trusted:
items are stored with pickle.
"""

from .batch import Batch, aresults, request, results
from .fanout import STOP, Pool, ReplayError, as_completed, fan_out, wait
from .settings import __version__
from .store import FileStore, Store

__all__ = ["STOP", "Batch", "FileStore", "Pool", "ReplayError", "Store", "__version__", "aresults", "as_completed",
           "fan_out", "request", "results", "wait"]

"""Where a key's record is kept between runs: Store, and FileStore (a JSON file per key)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

import anthropic

from .helpers import _unlink


class Store:
    """Where each key's record lives. Implement load/save/delete/keys to keep
    the state in a database; `consume` and `record_history` are optional."""

    def load(self, key):
        """The record saved for `key` (a JSON-able dict), or None."""
        raise NotImplementedError

    def save(self, key, record):
        """Replace the record of `key`, durably (it is how a rerun resumes)."""
        raise NotImplementedError

    def delete(self, key):
        raise NotImplementedError

    def keys(self):
        raise NotImplementedError

    def consume(self, key, record, custom_id):
        """The loop has processed the result of `custom_id`, already appended
        to `record["consumed"]`. By default the whole record is saved again."""
        self.save(key, record)

    def record_history(self, entry):
        """Figures of one ended batch (a JSON-able dict). Dropped by default."""


class FileStore(Store):
    """One JSON file per key in `directory`, named by a hash of the key and
    replaced atomically. Processed results are appended to a small
    `<name>.consumed` file (one custom id a line) rather than rewriting the
    record per item; load() and the next save() fold them in."""

    def __init__(self, directory):
        self.directory = os.path.abspath(directory)

    def _path(self, key, suffix=".json"):
        name = hashlib.sha256(key.encode()).hexdigest()[:24] + suffix
        return os.path.join(self.directory, name)

    def load(self, key):
        path = self._path(key)
        try:
            with open(path, encoding="utf-8") as handle:
                record = json.load(handle)
            done = set(record["consumed"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise anthropic.AnthropicError(
                f"{path}: unreadable batch state ({exc!r}); move it away to start over"
            ) from None
        if os.path.exists(self._path(key, ".consumed")):
            with open(self._path(key, ".consumed"), encoding="utf-8") as handle:
                more = dict.fromkeys(handle.read().split())
            record["consumed"] += [c for c in more if c not in done]
        return record

    def save(self, key, record):
        os.makedirs(self.directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path(key))
        except BaseException:
            _unlink(tmp)
            raise
        _unlink(self._path(key, ".consumed"))  # now folded into the record

    def delete(self, key):
        _unlink(self._path(key))
        _unlink(self._path(key, ".consumed"))

    def keys(self):
        exists = os.path.isdir(self.directory)
        for name in sorted(os.listdir(self.directory)) if exists else []:
            if name.endswith(".json"):
                with open(os.path.join(self.directory, name), encoding="utf-8") as f:
                    yield json.load(f)["key"]

    def consume(self, key, record, custom_id):
        # a written line survives SIGKILL; an fsync per item would cost more
        with open(self._path(key, ".consumed"), "a", encoding="utf-8") as handle:
            handle.write(custom_id + "\n")

    def record_history(self, entry):
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, "history.jsonl")
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

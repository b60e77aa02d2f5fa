"""Placeholder runtime (blocking only) until the real one lands."""

import json
import os
import time

import anthropic
from anthropic.resources.messages import AsyncMessages, Messages

__version__ = 1


def request(item, /, **params):
    return item, params


class Batch:
    def __init__(self, messages, key, *, wait=True, **options):
        self.messages, self.key, self.wait, self.pairs = messages, key, wait, []

    def add(self, item, /, **params):
        self.pairs.append((item, params))

    def extend(self, pairs):
        for item, params in pairs:
            self.add(item, **params)

    def _real(self):
        return isinstance(self.messages, (Messages, AsyncMessages)) and not os.environ.get("CLAUDE_BATCH_DISABLE")

    def _requests(self):
        out = []
        for i, (_, params) in enumerate(self.pairs):
            params = dict(params)
            params.update(params.pop("extra_body", None) or {})
            params.pop("timeout", None)
            out.append({"custom_id": f"item-{i}", "params": params})
        return out

    def results(self):
        if not self._real():
            for item, params in self.pairs:
                yield item, self.messages.create(**params)
            return
        if not self.pairs:
            return
        poll = float(os.environ.get("CLAUDE_BATCH_POLL_SECONDS", "10"))
        batch = self.messages.batches.create(requests=self._requests())
        while self.messages.batches.retrieve(batch.id).processing_status != "ended":
            time.sleep(poll)
        done = {r.custom_id: r.result.message for r in self.messages.batches.results(batch.id) if r.result.type == "succeeded"}
        for i, (item, _) in enumerate(self.pairs):
            yield item, done[f"item-{i}"]

    async def aresults(self):
        import asyncio
        if not self._real():
            for item, params in self.pairs:
                yield item, await self.messages.create(**params)
            return
        if not self.pairs:
            return
        poll = float(os.environ.get("CLAUDE_BATCH_POLL_SECONDS", "10"))
        batch = await self.messages.batches.create(requests=self._requests())
        while (await self.messages.batches.retrieve(batch.id)).processing_status != "ended":
            await asyncio.sleep(poll)
        done = {}
        async for r in await self.messages.batches.results(batch.id):
            if r.result.type == "succeeded":
                done[r.custom_id] = r.result.message
        for i, (item, _) in enumerate(self.pairs):
            yield item, done[f"item-{i}"]


def results(messages, key, pairs, **options):
    batch = Batch(messages, key, **options)
    for item, params in pairs:
        batch.add(item, **params)
    return batch.results()


def aresults(messages, key, pairs, **options):
    batch = Batch(messages, key, **options)
    for item, params in pairs:
        batch.add(item, **params)
    return batch.aresults()

# rounds: 1
"""asyncio.gather over an async method that calls an async wrapper."""

import asyncio

import anthropic


class Extractor:
    def __init__(self):
        self.client = anthropic.AsyncAnthropic()

    async def _ask(self, prompt):
        reply = await self.client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=28,
            messages=[{"role": "user", "content": prompt}],
        )
        return reply.content[0].text

    async def extract(self, doc):
        text = await self._ask(f"List the dates in: {doc}")
        return doc, len(text)

    async def run(self, docs):
        return await asyncio.gather(*[self.extract(d) for d in docs])


if __name__ == "__main__":
    print(asyncio.run(Extractor().run(["memo of May 1", "invoice 2024-03-02", "no dates here"])))

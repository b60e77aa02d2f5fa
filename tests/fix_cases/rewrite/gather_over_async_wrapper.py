"""asyncio.gather over an async wrapper that holds a semaphore around its call."""

import asyncio

import anthropic

aclient = anthropic.AsyncAnthropic()
LIMIT = asyncio.Semaphore(2)

DOCS = ["refund please", "server down", "new feature idea", "invoice question"]


async def classify(doc):
    prompt = f"One word for the team that should handle: {doc}"
    async with LIMIT:
        reply = await aclient.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": prompt}],
        )
    words = reply.content[0].text.split()
    return doc, len(words)


async def main():
    labels = await asyncio.gather(*[classify(d) for d in DOCS])
    print(labels)


if __name__ == "__main__":
    asyncio.run(main())

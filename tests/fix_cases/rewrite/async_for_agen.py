"""async for over an async generator, awaiting one call per item."""

import asyncio

import anthropic

aclient = anthropic.AsyncAnthropic()

ROWS = ["row one: late payment", "row two: new signup", "row three: churn risk", "row four: upsell"]


async def rows():
    for row in ROWS:
        await asyncio.sleep(0)
        yield row


async def main():
    results = []
    async for row in rows():
        resp = await aclient.messages.create(
            model="claude-haiku-4-5",
            max_tokens=22,
            messages=[{"role": "user", "content": f"Suggest a next step for: {row}"}],
        )
        results.append((row, resp.usage.output_tokens))
    for row, tokens in results:
        print(row, tokens)


if __name__ == "__main__":
    asyncio.run(main())

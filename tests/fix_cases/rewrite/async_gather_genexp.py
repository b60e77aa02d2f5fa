"""asyncio.gather over a generator expression of async calls."""

import asyncio

import anthropic

aclient = anthropic.AsyncAnthropic()

PRODUCTS = ["trail running shoes", "espresso grinder", "noise-cancelling headphones"]


async def main():
    replies = await asyncio.gather(*(
        aclient.messages.create(
            model="claude-haiku-4-5",
            max_tokens=45,
            messages=[{"role": "user", "content": f"Write a product description for {p}."}],
        )
        for p in PRODUCTS
    ))
    for p, reply in zip(PRODUCTS, replies):
        print(p, reply.stop_reason, len(reply.content[0].text.split()))


if __name__ == "__main__":
    asyncio.run(main())

"""asyncio.gather over a list comprehension of async calls."""

import asyncio

import anthropic

aclient = anthropic.AsyncAnthropic()

DOCS = [
    "Customer asks for a copy of last year's invoices.",
    "Driver could not find the delivery address.",
    "Two-factor codes arrive several minutes late.",
    "Request to merge two duplicate accounts.",
]


async def main():
    replies = await asyncio.gather(*[
        aclient.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Route this ticket to a team: {d}"}],
        )
        for d in DOCS
    ])
    for d, reply in zip(DOCS, replies):
        print(d[:20], len(reply.content[0].text.split()), reply.usage.output_tokens)


if __name__ == "__main__":
    asyncio.run(main())

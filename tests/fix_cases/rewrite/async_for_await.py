"""A for loop in an async function awaiting each call in turn."""

import asyncio

import anthropic

aclient = anthropic.AsyncAnthropic()

NOTES = [
    "Call with ACME: they want SSO by Q3.",
    "Support backlog down to 40 tickets.",
    "Design review postponed, new date TBD.",
    "Pricing page experiment ends Friday.",
]


async def main():
    counts = []
    for note in NOTES:
        resp = await aclient.messages.create(
            model="claude-haiku-4-5",
            max_tokens=25,
            messages=[{"role": "user", "content": f"Extract the action item: {note}"}],
        )
        counts.append(len(resp.content[0].text.split()))
    print(counts)


if __name__ == "__main__":
    asyncio.run(main())

"""Route tickets to teams: an asyncio.gather fan-out."""

import asyncio

import anthropic

aclient = anthropic.AsyncAnthropic()

TICKETS = ["VPN down", "Invoice wrong", "New laptop"]


async def main():
    replies = await asyncio.gather(*[
        aclient.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Route this ticket to a team: {t}"}],
        )
        for t in TICKETS
    ])
    for t, reply in zip(TICKETS, replies):
        print(t, "->", reply.content[0].text)


if __name__ == "__main__":
    asyncio.run(main())

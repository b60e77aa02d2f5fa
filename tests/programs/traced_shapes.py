"""Every request shape the recorder wraps, once each, against the fake API:
sync create, create(stream=True), messages.stream(), and their async twins."""

import asyncio

import anthropic

PARAMS = {"model": "claude-haiku-4-5", "max_tokens": 40}


def ask(n):
    return [{"role": "user", "content": f"shape number {n} of the traced program"}]


def main():
    client = anthropic.Anthropic()
    client.messages.create(messages=ask(1), **PARAMS)
    for _event in client.messages.create(messages=ask(2), stream=True, **PARAMS):
        pass
    with client.messages.stream(messages=ask(3), **PARAMS) as stream:
        stream.get_final_message()
    asyncio.run(amain())


async def amain():
    client = anthropic.AsyncAnthropic()
    await client.messages.create(messages=ask(4), **PARAMS)
    async for _event in await client.messages.create(messages=ask(5), stream=True, **PARAMS):
        pass
    async with client.messages.stream(messages=ask(6), **PARAMS) as stream:
        await stream.get_final_message()


if __name__ == "__main__":
    main()

# refuse: return_exceptions=True
"""asyncio.gather(..., return_exceptions=True) mixes replies and exceptions."""

import asyncio

import anthropic

aclient = anthropic.AsyncAnthropic()

DOCS = ["Outage postmortem", "Hiring plan", "Roadmap review"]


async def main():
    results = await asyncio.gather(
        *[
            aclient.messages.create(
                model="claude-haiku-4-5",
                max_tokens=30,
                messages=[{"role": "user", "content": f"Summarize: {d}"}],
            )
            for d in DOCS
        ],
        return_exceptions=True,
    )
    for d, r in zip(DOCS, results):
        print(d, "error" if isinstance(r, BaseException) else r.usage.output_tokens)


if __name__ == "__main__":
    asyncio.run(main())

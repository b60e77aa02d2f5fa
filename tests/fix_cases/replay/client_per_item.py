# rounds: 1
"""The client is chosen per item between two differently configured clients."""

import anthropic

primary = anthropic.Anthropic()
fallback = anthropic.Anthropic(max_retries=5)

DOCS = ["alpha", "beta", "gamma", "delta"]


def main():
    for i, doc in enumerate(DOCS):
        client = primary if i % 2 == 0 else fallback
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=20,
            messages=[{"role": "user", "content": f"Write a haiku about {doc}"}],
        )
        print(i, resp.usage.output_tokens)


if __name__ == "__main__":
    main()

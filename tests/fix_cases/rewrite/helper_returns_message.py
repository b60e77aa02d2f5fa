"""The SDK call is in a helper; the loop calls the helper."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Invoice query", "Delivery delay", "Login problem", "Feature request"]


def summarize(doc):
    return client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=25,
        messages=[{"role": "user", "content": f"Summarize: {doc}"}],
    )


def main():
    counts = []
    for d in DOCS:
        counts.append(summarize(d).usage.output_tokens)
    print(counts)


if __name__ == "__main__":
    main()

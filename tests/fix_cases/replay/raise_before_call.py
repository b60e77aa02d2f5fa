# rounds: 1
"""An item can raise before its request is sent; earlier requests have already run."""

import anthropic

client = anthropic.Anthropic()

DOCS = ["Shipping policy", "Returns policy", "Privacy policy"]


def main():
    results = []
    for doc in DOCS:
        if not doc:
            raise ValueError("empty document")
        resp = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=30,
            messages=[{"role": "user", "content": f"Summarize: {doc}"}],
        )
        results.append(resp.usage.output_tokens)
    print(results)


if __name__ == "__main__":
    main()
